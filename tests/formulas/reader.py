"""Read the course's LaTeX: a formula's text into statements and syntax trees.

A display such as

    \\begin{aligned} \\dd (A^3) &= \\dd A\\, A^2 + A\\, \\dd(A^2) \\\\ &= ... \\end{aligned}

becomes one statement per claim: the rows of an `aligned` chain are joined
(a row that starts with a relation continues the row before), and `\\qquad`,
`\\quad`, `\\text{...}` and `\\Longrightarrow` between claims separate them.
Each statement is parsed by the Lark grammar in grammar.lark into a tree of
the nodes below; what the names mean is left to evaluate.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError, UnexpectedInput

GRAMMAR = Path(__file__).with_name("grammar.lark")


class ReadError(ValueError):
    """A formula the grammar cannot read."""


# ---------------------------------------------------------------- nodes


@dataclass(frozen=True)
class Node:
    def children(self) -> tuple:
        return ()

    def walk(self):
        yield self
        for child in self.children():
            if isinstance(child, Node):
                yield from child.walk()


@dataclass(frozen=True)
class Num(Node):
    text: str

    @property
    def value(self) -> float:
        return float(self.text)


@dataclass(frozen=True)
class Sym(Node):
    """A letter or a command: x, A, \\alpha, \\dd, \\tr, \\T, \\R, \\mathbf{1}, \\Im, ..."""

    name: str


@dataclass(frozen=True)
class Text(Node):
    text: str


@dataclass(frozen=True)
class Ellipsis_(Node):
    name: str


@dataclass(frozen=True)
class Accent(Node):
    accent: str
    arg: Node

    def children(self):
        return (self.arg,)


@dataclass(frozen=True)
class Sub(Node):
    base: Node
    items: tuple  # the subscript: one or more comma-separated items

    def children(self):
        return (self.base, *self.items)


@dataclass(frozen=True)
class Sup(Node):
    base: Node
    items: tuple

    def children(self):
        return (self.base, *self.items)


@dataclass(frozen=True)
class Prime(Node):
    base: Node
    count: int

    def children(self):
        return (self.base,)


@dataclass(frozen=True)
class Paren(Node):
    items: tuple
    bracket: str = "("

    def children(self):
        return self.items


@dataclass(frozen=True)
class Frac(Node):
    num: Node
    den: Node

    def children(self):
        return (self.num, self.den)


@dataclass(frozen=True)
class Sqrt(Node):
    arg: Node
    index: Node | None = None

    def children(self):
        return (self.arg,) + ((self.index,) if self.index is not None else ())


@dataclass(frozen=True)
class Call(Node):
    """\\norm{x}, \\abs{x}, \\inner{a}{b}, \\underbrace{x}, \\operatorname{name}."""

    name: str
    args: tuple

    def children(self):
        return self.args


@dataclass(frozen=True)
class EvalAt(Node):
    body: Node
    at: Node

    def children(self):
        return (self.body, self.at)


@dataclass(frozen=True)
class Matrix(Node):
    rows: tuple  # tuple of tuples of nodes

    def children(self):
        return tuple(entry for row in self.rows for entry in row)


@dataclass(frozen=True)
class Binary(Node):
    op: str  # + - \kron \circ \odot \cdot \times /
    left: Node
    right: Node

    def children(self):
        return (self.left, self.right)


@dataclass(frozen=True)
class Signed(Node):
    op: str
    arg: Node

    def children(self):
        return (self.arg,)


@dataclass(frozen=True)
class Product(Node):
    factors: tuple

    def children(self):
        return self.factors


@dataclass(frozen=True)
class Relation(Node):
    """e0 r1 e1 r2 e2 ...: a chain; each adjacent pair is a claim."""

    exprs: tuple
    rels: tuple

    def children(self):
        return self.exprs


# ---------------------------------------------------------------- printing back (names, messages, mutations)

OPS_TEX = {"\\kron": " \\kron ", "\\otimes": " \\otimes ", "\\circ": " \\circ ", "\\odot": " \\odot ",
           "\\cdot": " \\cdot ", "\\times": " \\times ", "/": " / ", "+": " + ", "-": " - "}


def tex(node: Node) -> str:
    """The node as LaTeX (normalised spacing; the meaning is kept).

    Kept on the node once printed (nodes are frozen): the evaluator asks for the TeX of
    the same nodes again and again (names, bindings, memo keys), 2.2 million times over
    all pages; their formula checks took 14.3 s of CPU with this and 16.8 s without."""
    printed = node.__dict__.get("_tex")
    if printed is None:
        printed = _print(node)
        object.__setattr__(node, "_tex", printed)  # not a field: equality and hashing ignore it
    return printed


def _print(node: Node) -> str:
    match node:
        case Num(text):
            return text
        case Sym(name):
            return name
        case Text(text):
            return f"\\text{{{text}}}"
        case Ellipsis_(name):
            return name
        case Accent(accent, arg):
            return f"\\{accent}{{{tex(arg)}}}"
        case Sub(base, items):
            return f"{tex(base)}_{{{', '.join(tex(i) for i in items)}}}"
        case Sup(base, items):
            return f"{tex(base)}^{{{', '.join(tex(i) for i in items)}}}"
        case Prime(base, count):
            return tex(base) + "'" * count
        case Paren(items, bracket):
            close = {"(": ")", "[": "]", "{": "}"}[bracket]
            return bracket + ", ".join(tex(i) for i in items) + close
        case Frac(num, den):
            return f"\\frac{{{tex(num)}}}{{{tex(den)}}}"
        case Sqrt(arg, index):
            return f"\\sqrt[{tex(index)}]{{{tex(arg)}}}" if index is not None else f"\\sqrt{{{tex(arg)}}}"
        case Call(name, args):
            if name.startswith("\\operatorname") or name.startswith("\\mathrm"):
                return name
            return name + "".join(f"{{{tex(a)}}}" for a in args)
        case EvalAt(body, at):
            return f"\\left. {tex(body)} \\right|_{{{tex(at)}}}"
        case Matrix(rows):
            return "\\begin{pmatrix} " + " \\\\ ".join(" & ".join(tex(e) for e in row) for row in rows) + \
                " \\end{pmatrix}"
        case Binary(op, left, right):
            return tex(left) + OPS_TEX[op] + tex(right)
        case Signed(op, arg):
            return op + tex(arg)
        case Product(factors):
            return " ".join(tex(f) for f in factors)
        case Relation(exprs, rels):
            out = tex(exprs[0])
            for rel, expr in zip(rels, exprs[1:]):
                out += f" {rel} {tex(expr)}"
            return out
    raise TypeError(f"cannot print {node!r}")


# ---------------------------------------------------------------- the parser


@v_args(inline=True)
class _Build(Transformer):
    """Lark's tree into the nodes above."""

    def start(self, relation):
        return relation

    def relation(self, *parts):
        if len(parts) == 1:
            return parts[0]
        return Relation(tuple(parts[0::2]), tuple(str(r) for r in parts[1::2]))

    def binary(self, left, op, right):
        op = str(op)
        if op not in "+-" and isinstance(left, Product) and _is_big(left.factors[0]):
            # \sum \sigma(W x) \odot \sigma(W x): the sum takes the whole product that follows it
            rest = left.factors[1:]
            inner = Binary(op, rest[0] if len(rest) == 1 else Product(tuple(rest)), right)
            return Product((left.factors[0], inner))
        return Binary(op, left, right)

    def signed(self, op, arg):
        return Signed(str(op), arg)

    def product(self, *factors):
        flat = []
        for f in factors:
            flat.extend(f.factors if isinstance(f, Product) else [f])
        return Product(tuple(flat))

    def sup(self, base, script):
        return Sup(base, script)

    def sub(self, base, script):
        return Sub(base, script)

    def prime(self, base, primes):
        return Prime(base, len(primes))

    def braced(self, items=()):
        return tuple(items)

    def items(self, *relations):
        return tuple(relations)

    def name(self, token):
        return Sym(str(token))

    def number(self, token):
        return Num(str(token))

    def command(self, token):
        return Sym(str(token))

    def opname(self, token):
        return Sym("\\operatorname{" + re.search(r"\{(.*)\}", str(token)).group(1) + "}")

    def text(self, token):
        return Text(re.search(r"\{(.*)\}", str(token), re.S).group(1))

    def ellipsis(self, token):
        return Ellipsis_(str(token))

    def paren(self, items):
        return Paren(items, "(")

    def bracket(self, items):
        return Paren(items, "[")

    def group(self, relation):
        return Paren((relation,), "{")

    def frac(self, _frac, num, den):
        return Frac(num, den)

    def sqrt(self, *args):
        if len(args) == 2:
            return Sqrt(args[1], args[0])
        return Sqrt(args[0])

    def norm(self, arg):
        return Call("\\norm", (arg,))

    def abs(self, arg):
        return Call("\\abs", (arg,))

    def inner(self, a, b):
        return Call("\\inner", (a, b))

    def accent(self, token, arg):
        return Accent(str(token)[1:], arg)

    def underbrace(self, arg):
        return Call("\\underbrace", (arg,))

    def evalat(self, body, at):
        return EvalAt(body, at)

    def matrix(self, _begin, rows, _end):
        return Matrix(rows)

    def rows(self, *rows):
        return tuple(rows)

    def row(self, *entries):
        return tuple(entries)


def _is_big(node: Node) -> bool:
    while isinstance(node, (Sub, Sup)):
        node = node.base
    return isinstance(node, Sym) and node.name in ("\\sum", "\\prod")


@cache
def _parser() -> Lark:
    # The nodes are built as the parser reduces (Lark's transformer option), not from a tree of its own
    # afterwards: parsing every formula of the pages took 1.05 s of CPU with a separate transform, 0.73 s so.
    return Lark(GRAMMAR.read_text(encoding="utf-8"), parser="lalr", maybe_placeholders=False, transformer=_Build())


def parse(text: str) -> Node:
    """One statement (no separators) into a node tree."""
    text = prepare(text)
    try:
        node = _parser().parse(text)
    except UnexpectedInput as err:
        column = getattr(err, "column", None)
        where = f" at column {column}: ...{text[max(0, err.pos_in_stream - 15):err.pos_in_stream + 15]}..." \
            if getattr(err, "pos_in_stream", None) is not None else ""
        raise ReadError(f"cannot read {text!r}{where}") from None
    except LarkError as err:
        raise ReadError(f"cannot read {text!r}: {err}") from None
    return _normalise(node)


def _normalise(node):
    """Single-token scripts become one-item tuples, as braced scripts are."""
    if isinstance(node, (Sub, Sup)):
        items = node.items if isinstance(node.items, tuple) else (node.items,)
        return type(node)(_normalise(node.base), tuple(_normalise(i) for i in items))
    if isinstance(node, Node) and not isinstance(node, (Num, Sym, Text, Ellipsis_)):
        values = {}
        for name, value in node.__dict__.items():
            if isinstance(value, Node):
                values[name] = _normalise(value)
            elif isinstance(value, tuple):
                values[name] = tuple(
                    tuple(_normalise(v) for v in item) if isinstance(item, tuple) else
                    (_normalise(item) if isinstance(item, Node) else item) for item in value)
            else:
                values[name] = value
        return type(node)(**values)
    return node


# ---------------------------------------------------------------- preparing the text

SIZING = re.compile(r"\\(?:[bB]igg?[lrm]?|displaystyle|textstyle|limits|nolimits)(?![A-Za-z])")
SPACING = re.compile(r"(?<!\\)\\[,;:! ]|~|\\(?:thinspace|enspace)(?![A-Za-z])")
SEPARATOR = re.compile(r"\\(?:qquad|quad|Longrightarrow|implies|iff|Longleftrightarrow)(?![A-Za-z])")


def _matching(text: str, start: int, open_: str = "{", close: str = "}") -> int:
    """Index of the bracket closing the one at `start`."""
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == open_:
            depth += 1
        elif char == close:
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise ReadError(f"cannot read {text!r}: unbalanced {open_}{close}")


def _script_argument(text: str, at: int) -> tuple[str, int]:
    """The argument of ^ or _ at `at`: a brace group or one token."""
    while at < len(text) and text[at] == " ":
        at += 1
    if at < len(text) and text[at] == "{":
        end = _matching(text, at)
        return text[at + 1:end], end + 1
    match = re.match(r"\\[A-Za-z]+|.", text[at:])
    if not match:
        raise ReadError(f"a subscript is missing in {text!r}")
    return match.group(0), at + len(match.group(0))


def _eval_at(text: str) -> str:
    """\\left. BODY \\right|_{x = a}  ->  \\evalat{BODY}{x = a}."""
    while "\\left." in text:
        start = text.index("\\left.")
        depth, index = 0, start + len("\\left.")
        while index < len(text):
            if text.startswith("\\left", index):
                depth += 1
            elif text.startswith("\\right", index):
                if depth == 0:
                    break
                depth -= 1
            index += 1
        if not text.startswith("\\right|", index):
            raise ReadError(f"\\left. without \\right| in {text!r}")
        body = text[start + len("\\left."):index]
        rest = index + len("\\right|")
        while rest < len(text) and text[rest] == " ":
            rest += 1
        if rest >= len(text) or text[rest] != "_":
            raise ReadError(f"\\right| without the point it is taken at in {text!r}")
        at, end = _script_argument(text, rest + 1)
        text = text[:start] + f"\\evalat{{{body}}}{{{at}}}" + text[end:]
    return text


def _braced_fractions(text: str) -> str:
    """\\frac12 -> \\frac{1}{2}: each argument given as one token gets its braces."""
    out, index = [], 0
    for match in re.finditer(r"\\frac(?![A-Za-z])", text):
        if match.start() < index:
            continue
        out.append(text[index:match.end()])
        at = match.end()
        for _ in range(2):
            while at < len(text) and text[at] == " ":
                at += 1
            if at < len(text) and text[at] == "{":
                end = _matching(text, at)
                out.append(text[at:end + 1])
                at = end + 1
            else:
                token = re.match(r"\\[A-Za-z]+|.", text[at:]).group(0)
                out.append("{" + token + "}")
                at += len(token)
        index = at
    out.append(text[index:])
    return "".join(out)


# The same texts come back (a statement is prepared as a row, to be parsed, to match a comment's entry):
# 21 000 calls for 5 000 texts over every page, 0.54 s of CPU without the cache, 0.18 s with it.
@cache
def prepare(text: str) -> str:
    """Sizing, spacing and synonyms removed: the text the grammar reads."""
    text = re.sub(r"\\[dt]frac(?![A-Za-z])", r"\\frac", text)
    text = re.sub(r"\\mathrm\{d\}", r"\\dd", text)
    text = re.sub(r"\\mathbf\s*\{?\s*1\s*\}?", r"\\mathbf{1}", text)
    text = re.sub(r"\\operatorname\*", r"\\operatorname", text)
    text = SIZING.sub(" ", text)
    text = _eval_at(text)
    text = re.sub(r"\\left(?![A-Za-z])\s*", "", text)
    text = re.sub(r"\\right(?![A-Za-z])\s*", "", text)
    text = text.replace("\\lbrace", "\\{").replace("\\rbrace", "\\}")
    # \lvert x \rvert (what \abs{x} stands for) and \lVert x \rVert (\norm{x}), written out
    text = re.sub(r"\\lvert(?![A-Za-z])", r"\\abs{", text)
    text = re.sub(r"\\lVert(?![A-Za-z])", r"\\norm{", text)
    text = re.sub(r"\\r[vV]ert(?![A-Za-z])", "}", text)
    # A thin space before a bracket makes a product, never an application: F \,(\dd G) is F times dG.
    text = re.sub(r"(?<!\\)\\[,;:]\s*\(", r" \\cdot (", text)
    text = SPACING.sub(" ", text)
    # \nabla^2_x is \nabla_x^2: the Hessian with respect to x (the grammar takes the subscript first)
    text = re.sub(r"\\nabla\s*\^\s*(\{2\}|2)\s*_\s*(\{[^{}]*\}|\\[A-Za-z]+|[A-Za-z0-9])", r"\\nabla_\2^{2}", text)
    text = re.sub(r"\\(?:neq)(?![A-Za-z])", r"\\ne", text)
    text = re.sub(r"\\(?:leq)(?![A-Za-z])", r"\\le", text)
    text = re.sub(r"\\(?:geq)(?![A-Za-z])", r"\\ge", text)
    text = _braced_fractions(text)
    text = re.sub(r"([_^])\s*([0-9])(?=[0-9])", r"\1{\2}", text)  # x_12 is x_1 times 2, as in TeX
    return " ".join(text.split())


@dataclass
class Statement:
    """One claim (or definition) of a formula: its text, as read, and its tree.

    `given` is a definition the claim is made under: in "z = a + b : \\bar a = \\bar z"
    the claim holds for z = a + b.
    """

    text: str
    node: Node | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    given: Statement | None = None


def _top_level_split(text: str, pattern: re.Pattern) -> list[str]:
    """Split at matches of `pattern` that are outside every bracket."""
    if not pattern.search(text):
        return [text]  # nothing to split at, in or outside brackets (most texts)
    pieces, depth, last, index = [], 0, 0, 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            match = pattern.match(text, index)
            if match and depth == 0:
                pieces.append(text[last:index])
                last = index = match.end()
                continue
            command = re.match(r"\\(?:[A-Za-z]+|.)", text[index:])
            word = command.group(0)
            if word in ("\\begin",):
                depth += 1
            elif word in ("\\end",):
                depth -= 1
            index += len(word)
            continue
        match = pattern.match(text, index)
        if match and depth == 0 and match.end() > index:
            pieces.append(text[last:index])
            last = index = match.end()
            continue
        if char in "{([":
            depth += 1
        elif char in "})]":
            depth -= 1
        index += 1
    pieces.append(text[last:])
    return pieces


RELATION_START = re.compile(r"^\s*(=|<|>|\\approx|\\ne(?![A-Za-z])|\\le(?![A-Za-z])|\\ge(?![A-Za-z])|\\in(?![A-Za-z])|"
                            r"\\propto|\\to(?![A-Za-z])|\\mapsto)")
HAS_RELATION = re.compile(r"=|<|>|\\approx|\\ne(?![A-Za-z])|\\le(?![A-Za-z])|\\ge(?![A-Za-z])|\\in(?![A-Za-z])|\\propto")
TOP_SEPARATOR = re.compile(r"\\(?:qquad|quad|Longrightarrow|implies|iff|Longleftrightarrow)(?![A-Za-z])|"
                           r"\\text\{[^{}]*\}")
TOP_COMMA = re.compile(r",")


def _clean(piece: str) -> str:
    return piece.strip().strip(",.;").strip()


def statements(formula: str, parse_if=None) -> list[Statement]:
    """A formula's text (display or inline) as its statements, each parsed (with `parse_if`, a test of a
    statement's text, only those that pass it: the others are left unread, with no node and no error)."""
    try:
        return _statements(formula, parse_if)
    except ReadError as err:
        return [Statement(" ".join(formula.split()), error=str(err))]


def _statements(formula: str, parse_if=None) -> list[Statement]:
    text = formula.strip()
    aligned = re.fullmatch(r"\\begin\{(aligned|align\*?|gathered|split)\}(.*)\\end\{\1\}[\s.,;]*", text, re.S)
    rows = _top_level_split(aligned.group(2), re.compile(r"\\\\")) if aligned else [text]
    pieces: list[str] = []
    ended = False  # the row before ended its statement with a comma or semicolon
    for row in rows:
        row = " ".join(_top_level_split(row, re.compile("&"))).replace("{}", " ")  # = {}& : spacing only
        prepared = prepare(row)
        row_pieces = [_clean(p) for p in _top_level_split(prepared, TOP_SEPARATOR)]
        row_pieces = [p for p in row_pieces if p]
        if row_pieces and pieces and (RELATION_START.match(row_pieces[0]) or
                                      (aligned and not ended and re.match(r"[+-]", row_pieces[0]))):
            # a row that starts with a relation continues the chain; one that starts with + or -, the
            # sum (unless the row before ended with a comma: "a = b, \\ -u'' = f" are two statements)
            pieces[-1] = pieces[-1] + " " + row_pieces.pop(0)
        pieces.extend(row_pieces)
        if row.strip():
            ended = prepared.rstrip().endswith((",", ";"))
    # "z = a + b : \bar a = \bar z, \bar b = \bar z": the claims after the colon hold under the definition before.
    givens_of: list[str | None] = []
    unsplit = pieces
    pieces = []
    for piece in unsplit:
        halves = _top_level_split(piece, re.compile(r":(?!=)"))
        if len(halves) == 2 and HAS_RELATION.search(halves[0]) and HAS_RELATION.search(halves[1]):
            pieces.append(_clean(halves[1]))
            givens_of.append(_clean(halves[0]))
        else:
            pieces.append(piece)
            givens_of.append(None)
    # A comma between two claims separates them: "\bar a = \bar z, \bar b = \bar z".
    split: list[str] = []
    givens: list[str | None] = []
    for piece, given in zip(pieces, givens_of):
        parts = [_clean(p) for p in _top_level_split(piece, TOP_COMMA)]
        merged: list[str] = []
        for part in parts:
            if merged and not (HAS_RELATION.search(part) and HAS_RELATION.search(merged[-1])):
                merged[-1] = merged[-1] + ", " + part
            else:
                merged.append(part)
        split.extend(p for p in merged if p)
        givens.extend(given for p in merged if p)
    # "a, b \in \R^n": each name is in the set.
    listed: list[str] = []
    listed_givens: list[str | None] = []
    for piece, given in zip(split, givens):
        member = re.fullmatch(r"(?P<names>[^=<>]+?)\s*\\in(?![A-Za-z])\s*(?P<set>.+)", piece, re.S)
        names = _top_level_split(member.group("names"), TOP_COMMA) if member else []
        if len(names) > 1 and not any(HAS_RELATION.search(n) for n in names):
            names = [n for n in names if n.strip() not in ("\\dots", "\\ldots", "\\cdots")]  # x_1, \dots, x_n
            listed.extend(f"{name.strip()} \\in {member.group('set')}" for name in names)
            listed_givens.extend(given for _ in names)
        else:
            listed.append(piece)
            listed_givens.append(given)
    split, givens = listed, listed_givens
    out = []
    if split and RELATION_START.match(split[0]):
        # "... density $\propto e^{-a^2/2} = e^{-\lambda^2/2}$": the left side is in the prose.
        split[0] = RELATION_START.sub("", split[0], count=1).strip()
    for piece, given in zip(split, givens):
        statement = Statement(piece)
        if given is None and parse_if is not None and not parse_if(piece):
            out.append(statement)
            continue
        try:
            statement.node = parse(piece)
        except ReadError as err:
            statement.error = str(err)
        if given is not None:
            statement.given = Statement(given)
            try:
                statement.given.node = parse(given)
            except ReadError as err:
                statement.error = str(err)
        out.append(statement)
    return out
