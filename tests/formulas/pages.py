"""Check every formula of a page as the reader reads it.

The page is read top to bottom. Code blocks are passed over; a `<!-- math ... -->`
comment declares names (declarations.py); each display (`$$ ... $$`) and each
inline formula (`$...$`) is split into statements (reader.py), and each
statement is

- a *claim* when it relates two expressions whose names are known
  (=, \\approx, <, \\le, \\ne, \\in): both sides are evaluated at the page's random
  point and compared, and a claim that does not hold is a failure that names
  the page, the line, the formula and the two sides' values;
- a *definition* when its left side is a name (or `f(x)`, a function) that
  has no meaning yet: the name means the right side from then on, so later
  claims that use it are checked against it;
- a *signature* (`f : \\R^n \\to \\R^m`), which declares a generic function;
- an *expression* with no relation, which states nothing.

A display must verify at least one claim, or be marked (`mark <kind>: reason`
in the comment just before it). Names keep their meaning until the next
heading; an admonition (an exercise, a warning) has a scope of its own inside
the section's.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import declarations
from .declarations import DeclarationError, Mark, canonical
from .evaluate import (Apply, Ctx, Defined, Family, Generic, Scope, Variable, evaluate, function_value, holds, is_bound,
                       is_function_node, name_of, operator_kind)
from .reader import Matrix, Node, Num, Paren, Product, ReadError, Relation, Signed, Statement, Sub, Sup, Sym, tex
from .reader import parse as parse_node
from .values import Dual, EvalError, Function, Identity, KronI, LinearMap, Ones, Unit, add, array, as_matrix, is_scalar, show, shape_text

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
# Rounding of complex-step derivatives and matrix algebra on well-conditioned
# inputs stays below 1e-12 of the numbers involved; a wrong formula is off by
# about the size of its terms. A derivative by Cauchy's integral is good to 1e-10.
TOLERANCE = {"exact": 1e-9, "Cauchy integral": 1e-7}
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})")
HEADING = re.compile(r"^#{1,6}\s")
CONTAINER = re.compile(r"^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?|===)")
COMMENT_START = re.compile(r"^\s*<!--\s*math\b:?")
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(?P<tex>[^$]+?)(?<!\\)\$(?!\$)")
CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
SIGNATURE = re.compile(r"^(?P<names>[^:]+?)\s*:\s*\\R(?:\^\{?(?P<source>[^{}]+?)\}?)?\s*\\to\s*"
                       r"\\R(?:\^\{?(?P<target>[^{}]+?)\}?)?$")
RELATIONS = {"=", "\\approx", "<", ">", "\\le", "\\ge", "\\ne", "\\in"}


@dataclass
class Result:
    """One statement of a formula, and what became of it."""

    text: str
    status: str  # verified, definition, signature, condition, expression, failed, marked
    message: str = ""
    error: float | None = None


@dataclass
class Formula:
    page: str
    line: int
    display: bool
    source: str
    results: list[Result] = field(default_factory=list)
    mark: Mark | None = None
    scope: Scope | None = None  # what the names meant where the formula stands

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def status(self) -> str:
        """verified, marked, failed, definition (inline only) or plain (nothing claimed)."""
        if any(r.status == "failed" for r in self.results):
            return "failed"
        if self.mark is not None:
            return "marked"
        if any(r.status == "verified" for r in self.results):
            return "verified"
        if self.display:
            return "failed"
        if any(r.status in ("definition", "signature", "condition") for r in self.results):
            return "definition"
        return "plain"

    def failures(self) -> list[str]:
        out = []
        for r in self.results:
            if r.status == "failed":
                out.append(f"{self.where}: {r.text}\n    {r.message}")
        if self.display and self.status == "failed" and not out:
            out.append(f"{self.where}: a display that checks nothing: {_short(self.source)}\n"
                       "    every display verifies a claim, or is marked in the comment before it "
                       "(`<!-- math: mark definition: why -->`; also notation, unverifiable)")
        return out


def _short(text: str, width: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 3] + "..."


# ---------------------------------------------------------------- comparing values


def _sized(value, like):
    if isinstance(value, KronI):
        return value.for_rows(array(like).shape[0]) if not isinstance(like, (KronI, Identity)) else array(value)
    if isinstance(value, Identity):
        return value.sized(array(like).shape[0]) if not isinstance(like, Identity) else array(value.scale)
    if isinstance(value, (Ones, Unit)):
        shape = array(like).shape
        return value.sized(shape[1] if value.row else shape[0])
    return array(as_matrix(value))


def compare(a, b, scale: float, tolerance: float) -> tuple[bool, float, str]:
    """Whether two values agree to the tolerance, relative to the size of the numbers involved.

    Relative to the larger side; or, when the sides come out near zero because
    the terms of a sum cancelled, relative to `scale`, the size of those terms.
    """
    if isinstance(a, Function) or isinstance(b, Function):
        raise EvalError("a function compared as a value: apply both sides to an argument")
    if isinstance(a, Dual) or isinstance(b, Dual):
        from .values import dual_add, dual_is_zero
        difference = dual_add(a, b, -1)
        size = max(_dual_size(a), _dual_size(b), scale, 1e-300)
        ok = dual_is_zero(difference, tolerance * size)
        return ok, 0.0 if ok else 1.0, "" if ok else "the dual numbers differ"
    if isinstance(a, (Identity, Ones, Unit)) and isinstance(b, (Identity, Ones, Unit)):
        a, b = array(getattr(a, "scale", 1)), array(getattr(b, "scale", 1))
    else:
        a, b = _sized(a, b), _sized(b, a)
    # 0 is the zero of any shape: \\dd(A A^{-1}) = 0.
    if is_scalar(a) and a[0, 0] == 0 and not is_scalar(b):
        a = np.zeros_like(b)
    if is_scalar(b) and b[0, 0] == 0 and not is_scalar(a):
        b = np.zeros_like(a)
    if a.shape != b.shape and not (is_scalar(a) and b.size == 1 or is_scalar(b) and a.size == 1):
        return False, float("inf"), f"the sides differ in shape: {shape_text(a)} against {shape_text(b)}"
    a, b = a.reshape(-1), b.reshape(-1)
    difference = float(np.max(np.abs(a - b), initial=0))
    sides = max(float(np.max(np.abs(a), initial=0)), float(np.max(np.abs(b), initial=0)), 1e-300)
    error = difference / sides
    if error <= tolerance:
        return True, error, ""
    # Sides near zero because terms cancelled: rounding is relative to the terms, not to what is left.
    if difference <= tolerance * scale:
        return True, difference / scale, ""
    return False, error, ""


def _dual_size(value) -> float:
    if isinstance(value, Dual):
        return max(_dual_size(value.real), _dual_size(value.dual))
    return float(np.max(np.abs(array(value)))) if not isinstance(value, (int, float, complex)) else abs(value)


def _numeric_literal(node: Node) -> list[Num] | None:
    """The numbers of a side written as numbers only (0.0019, 4 \\times 10^{-11}, a matrix of them)."""
    match node:
        case Num():
            return [node]
        case Signed(_, arg):
            return _numeric_literal(arg)
        case Product(factors) | Matrix(rows=factors) if isinstance(node, Product):
            found = []
            for f in factors:
                part = _numeric_literal(f)
                if part is None:
                    return None
                found += part
            return found
        case Matrix(rows):
            found = []
            for row in rows:
                for entry in row:
                    part = _numeric_literal(entry)
                    if part is None:
                        return None
                    found += part
            return found
        case Sup(base, items) if isinstance(base, Num) and base.text == "10":
            return []  # the power of ten of 4 \times 10^{-11}
        case Paren(items, _):
            found = []
            for item in items:
                part = _numeric_literal(item)
                if part is None:
                    return None
                found += part
            return found
    from .reader import Binary
    if isinstance(node, Binary) and node.op == "\\times":
        left, right = _numeric_literal(node.left), _numeric_literal(node.right)
        return None if left is None or right is None else left + right
    return None


def _half_unit(node: Node, ctx: Ctx) -> float:
    """Half a unit in the last digit written: 0.0019 is 0.0019 to +-0.00005; 4 \\times 10^{-11} to +-5e-12."""
    from .reader import Binary
    scale = 1.0
    mantissa = node
    if isinstance(node, Binary) and node.op == "\\times":
        mantissa = node.left
        scale = abs(complex(array(evaluate(node.right, ctx))[0, 0]))
    digits = [n for n in mantissa.walk() if isinstance(n, Num)]
    units = []
    for number in digits:
        decimals = len(number.text.split(".")[1]) if "." in number.text else 0
        units.append(10.0 ** (-decimals))
    return 0.5 * max(units) * scale if units else 0.5 * scale


# ---------------------------------------------------------------- statements


class Page:
    """The checks of one page, in reading order."""

    def __init__(self, path: Path, text: str | None = None):
        self.path = path
        self.name = str(path.relative_to(ROOT)) if path.is_absolute() and ROOT in path.parents else str(path)
        self.text = text if text is not None else read_page(path)
        self.formulas: list[Formula] = []
        self.errors: list[str] = []
        # Statements the comments name: `wrong "<tex>"` (shown as a mistake: it must not hold)
        # and `unchecked "<tex>": why` (no finite check settles it).
        self.expectations: list[dict] = []

    # -------------------------------------------------------- reading the page

    def run(self) -> Page:
        lines = self.text.splitlines()
        page_scope = Scope()
        scope = page_scope.child()
        containers: list[tuple[int, Scope]] = []  # (indent, the scope outside it)
        previous_section = scope  # the names of the section before, for `keep:`
        before_first_section = True
        pending_mark: Mark | None = None
        fence = None
        paragraph: list[tuple[int, str]] = []  # the prose lines of the paragraph being read

        def flush():
            self.check_paragraph(self.inline_formulas(paragraph), scope)
            paragraph.clear()

        i = 0
        while i < len(lines):
            line = lines[i]
            number = i + 1
            if not line.strip() or FENCE.match(line) or HEADING.match(line) or CONTAINER.match(line) or \
                    COMMENT_START.match(line) or line.strip().startswith("$$"):
                flush()
            if fence is not None:
                if line.strip().startswith(fence) and line.strip().strip(fence[0]) == "":
                    fence = None
                i += 1
                continue
            match = FENCE.match(line)
            if match:
                fence = match.group("fence")
                i += 1
                continue
            stripped = line.strip()
            indent = len(line) - len(line.lstrip())
            if stripped:
                while containers and indent <= containers[-1][0]:
                    scope = containers.pop()[1]
            if HEADING.match(line):
                if not line.startswith("# "):
                    before_first_section = False
                previous_section = containers[0][1] if containers else scope
                page_scope.sizes.update(previous_section.sizes)
                scope = page_scope.child()
                for entry in self.expectations:  # a comment's entries cover its own section only
                    entry["section_over"] = True
                containers = []
                i += 1
                continue
            container = CONTAINER.match(line)
            if container:
                containers.append((indent, scope))
                scope = scope.child()
                i += 1
                continue
            if COMMENT_START.match(line):
                end = i
                while "-->" not in lines[end]:
                    end += 1
                    if end >= len(lines):
                        self.errors.append(f"{self.name}:{number}: a math comment is not closed")
                        return self
                body = "\n".join(lines[i:end + 1])
                body = COMMENT_START.sub("", body, count=1).rsplit("-->", 1)[0]
                body = self._expectations(body, number)
                target = page_scope if before_first_section else scope
                body = self._keep(body, previous_section, target, number)
                try:
                    mark = declarations.read_comment(body, target, self.name, number)
                except (DeclarationError, EvalError) as err:
                    self.errors.append(str(err))
                    mark = None
                if before_first_section and target is page_scope:
                    scope = page_scope.child()
                page_scope.sizes.update(target.sizes)  # a size, once given or used, is the page's
                scope.sizes.update(page_scope.sizes)
                if mark is not None:
                    pending_mark = mark
                i = end + 1
                continue
            if stripped.startswith("$$"):
                end = i
                body = stripped[2:]
                if body.rstrip().endswith("$$") and len(body.strip()) > 2:
                    body = body.rstrip()[:-2]
                else:
                    chunks = [body]
                    end = i + 1
                    while end < len(lines) and "$$" not in lines[end]:
                        chunks.append(lines[end])
                        end += 1
                    if end >= len(lines):
                        self.errors.append(f"{self.name}:{number}: a display is not closed")
                        return self
                    chunks.append(lines[end].split("$$")[0])
                    body = "\n".join(chunks)
                formula = Formula(self.name, number, True, body.strip(), mark=pending_mark)
                pending_mark = None
                self.check_paragraph([formula], scope)  # its definitions first, as for a paragraph
                i = end + 1
                continue
            if stripped and pending_mark is not None and not stripped.startswith("<!--"):
                self.errors.append(f"{self.name}:{number}: a mark that no display follows")
                pending_mark = None
            paragraph.append((number, line))
            i += 1
        flush()
        return self

    def _expectations(self, body: str, line: int) -> str:
        """Take the `wrong "..."` and `unchecked "...": why` statements out of a comment."""
        kept = []
        for part in (s for chunk in body.splitlines() for s in chunk.split(";")):
            match = EXPECTATION.match(part)
            if match:
                if match.group("kind") == "unchecked" and not match.group("reason"):
                    self.errors.append(f"{self.name}:{line}: `unchecked` needs its reason: unchecked \"...\": why")
                    continue
                self.expectations.append({"text": _prepared(match.group("tex")), "kind": match.group("kind"),
                                          "reason": (match.group("reason") or "").strip(), "line": line,
                                          "used": False})
            else:
                kept.append(part)
        return "\n".join(kept)

    def _keep(self, body: str, previous: Scope, target: Scope, line: int) -> str:
        """`keep: f, x, E`: these names mean in this section what they meant at the end of the one before."""
        kept = []
        for part in (s for chunk in body.splitlines() for s in chunk.split(";")):
            if part.strip().startswith("keep:"):
                for raw in part.strip()[len("keep:"):].split(","):
                    name = canonical(raw) if raw.strip() else None
                    if name is None:
                        continue
                    if name not in previous.bindings:
                        self.errors.append(f"{self.name}:{line}: keep: {name} has no meaning in the section before")
                        continue
                    target.bindings[name] = previous.bindings[name]
            else:
                kept.append(part)
        return "\n".join(kept)

    def _expected(self, text: str, peek: bool = False) -> dict | None:
        """The comment's entry for this statement (an entry covers each of its occurrences below it)."""
        if not self.expectations:
            return None
        prepared = _prepared(text)
        for entry in self.expectations:
            if entry["text"] == prepared and not entry.get("section_over"):
                entry["used"] = entry["used"] or not peek
                return entry
        return None

    def unused_expectations(self) -> list[str]:
        return [f"{self.name}:{e['line']}: {e['kind']} \"{e['text']}\" matches no formula after it"
                for e in self.expectations if not e["used"]]

    # -------------------------------------------------------- one formula

    def check(self, formula: Formula, scope: Scope) -> None:
        formula.scope = scope.child()
        self.formulas.append(formula)
        found = _statements(formula.source)
        conditions = _conditions(found, scope)
        for statement in found:
            formula.results.append(self.statement(statement, scope, formula, conditions))

    def inline_formulas(self, lines: list[tuple[int, str]]) -> list[Formula]:
        """The $...$ formulas of a paragraph (one may run over several lines), with their first line."""
        if not lines:
            return []
        text = "\n".join(line for _, line in lines)
        prose = CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
        found = []
        for match in INLINE_MATH.finditer(prose):
            number = lines[0][0] + prose.count("\n", 0, match.start())
            found.append(Formula(self.name, number, False, " ".join(match.group("tex").split())))
        return found

    def check_paragraph(self, formulas: list[Formula], scope: Scope) -> None:
        """A paragraph's inline formulas: its definitions first ("... with u = x / \\norm{x}"), then the rest."""
        parsed = [(formula, _statements(formula.source)) for formula in formulas]
        early: dict[int, Result] = {}
        for formula, statements_ in parsed:
            for statement in statements_:
                if statement.node is not None and self.definition_target(statement.node, scope) is not None and \
                        len(statement.node.exprs) == 2 and self._expected(statement.text, peek=True) is None:
                    early[id(statement)] = self.statement(statement, scope, formula)
        conditions = _conditions([s for _, statements_ in parsed for s in statements_], scope)
        for formula, statements_ in parsed:
            formula.scope = scope.child()
            self.formulas.append(formula)
            for statement in statements_:
                result = early.get(id(statement)) or self.statement(statement, scope, formula, conditions)
                formula.results.append(result)

    def statement(self, statement: Statement, scope: Scope, formula: Formula, conditions: dict | None = None) -> Result:
        if statement.given is not None and statement.error is None:
            # "z = a + b : \\bar a = \\bar z": the claim, in a scope where the definition holds
            local = scope.child()
            local.bindings.pop(name_of(statement.given.node.exprs[0]) or "", None)
            defined = self.define(statement.given.node, local, formula)
            if defined is None or defined.status == "failed":
                return Result(statement.text, "failed", f"{statement.given.text} does not define anything here"
                              + (f": {defined.message}" if defined else ""))
            inner = Statement(statement.text, statement.node, statement.error)
            return self.statement(inner, local, formula)
        text = statement.text
        expected = self._expected(text)
        if expected is not None and expected["kind"] == "unchecked":
            return Result(text, "marked", expected["reason"])
        if expected is not None and expected["kind"] == "wrong":
            return self.shown_wrong(statement, scope)
        signature = SIGNATURE.match(text)
        if signature:
            return self.signature(signature, scope, text)
        counting = COUNTING.fullmatch(text)
        if counting:
            return self.counting(counting, scope, text)
        if statement.error:
            if formula.mark is not None:
                return Result(text, "marked")
            if not CLAIM_SIGN.search(text):
                return Result(text, "expression")  # "for all u, v": a list, not a claim
            return Result(text, "failed", statement.error)
        node = statement.node
        if not isinstance(node, Relation) or not set(node.rels) & RELATIONS:
            return Result(text, "marked" if formula.mark else "expression")
        conditions = conditions or {}
        if _is_condition(node, scope):
            attached = [tex(claim) for claim, condition in conditions.values() if condition is node]
            return Result(text, "condition", f"restricts {attached[0]}" if attached else
                          "a condition on letters the text ranges over")
        try:
            defined = self.define(node, scope, formula)
            if defined is not None:
                return defined
            if formula.mark is not None:
                return Result(text, "marked")
            return self.claim(node, scope, text, conditions.get(id(statement), (None, None))[1])
        except EvalError as err:
            return Result(text, "failed", str(err))
        except (ArithmeticError, ValueError, np.linalg.LinAlgError) as err:
            return Result(text, "failed", f"{type(err).__name__}: {err}")
        except (TypeError, AttributeError, KeyError, IndexError, RecursionError) as err:
            # A formula the checker cannot make sense of is a failure of the page, not a crash of the run.
            return Result(text, "failed", f"cannot evaluate this formula ({type(err).__name__}: {err})")

    @staticmethod
    def counting(match: re.Match, scope: Scope, text: str) -> Result:
        """k = 1, 2, 3, \\dots: the page's k is one of these whole numbers (or, unbound, any of them)."""
        name = canonical(match.group("name"))
        numbers = [int(n) for n in re.findall(r"-?\d+", match.group("numbers"))]
        steps = {b - a for a, b in zip(numbers, numbers[1:])}
        if len(steps) > 1:
            return Result(text, "failed", f"{', '.join(map(str, numbers))} do not go up by one step")
        if name not in scope.bindings:
            return Result(text, "condition", f"the values {name} takes")
        value = array(evaluate(parse_node(name), Ctx(scope)))
        step = steps.pop() if steps else 1
        number = value[0, 0].real if value.shape == (1, 1) and not value[0, 0].imag else None
        if number is None or number != round(number) or (number - numbers[0]) % step or \
                (number - numbers[0]) * step < 0:
            return Result(text, "failed", f"{name} = {show(value)} is not one of {match.group('numbers')}")
        return Result(text, "verified", f"{name} = {int(number)} is one of them", 0.0)

    def shown_wrong(self, statement: Statement, scope: Scope) -> Result:
        """A formula the page shows as a mistake: it must be readable, and must not hold."""
        text = statement.text
        if statement.node is None and statement.error is None:  # left unread, having no claim sign: read it
            try:
                statement = Statement(text, parse_node(text))
            except ReadError as err:
                statement = Statement(text, error=str(err))
        if statement.error or not isinstance(statement.node, Relation):
            return Result(text, "failed", statement.error or "a formula shown as wrong must be a relation")
        # Wrong by value, not by shape: a formula that only fails to fit would stay "wrong" through any
        # further typo. The comment declares shapes where it fits (the square case a warning is about).
        try:
            outcome = self.claim(statement.node, scope, text)
        except EvalError as err:
            return Result(text, "failed", f"shown as wrong, but cannot be evaluated: {err} (declare shapes where "
                                          "it fits, so that the check shows it wrong by value)")
        if outcome.status == "verified":
            return Result(text, "failed", "the page shows this formula as wrong, but it holds at the page's point "
                                          f"({outcome.message})")
        if "differ in shape" in outcome.message or "cannot" in outcome.message or outcome.error is None or \
                not np.isfinite(outcome.error):
            return Result(text, "failed", f"shown as wrong only by its shapes or an error: {outcome.message} "
                                          "(declare shapes where it fits, so that the check shows it wrong by value)")
        return Result(text, "verified", f"shown wrong, and is: relative difference {outcome.error:.2g}")

    def signature(self, match: re.Match, scope: Scope, text: str) -> Result:
        """`f : \\R^n \\to \\R^m` declares a generic function, unless f already means something."""
        for raw in match.group("names").split(","):
            name = canonical(raw)
            if name in scope.bindings:
                continue
            source, target = match.group("source") or "1", match.group("target") or "1"
            try:
                in_shape = declarations._dims(source.replace("\\times", "x"), scope)
                out_shape = declarations._dims(target.replace("\\times", "x"), scope)
            except DeclarationError as err:
                return Result(text, "failed", str(err))
            if in_shape is None or out_shape is None:
                return Result(text, "failed", f"cannot read the sets of {text}")
            rng = declarations._rng(self.name, name, 0)
            scope.bindings[name] = Generic(name, declarations.generic_function(name, in_shape, out_shape, rng))
        return Result(text, "signature")

    def definition_target(self, node: Node, scope: Scope) -> tuple | None:
        """(name, parameters) if the statement defines a name: `x = 2`, `f(x) = x^3`, `J = ...`."""
        if not isinstance(node, Relation) or node.rels[0] not in ("=", "\\approx"):
            return None
        lhs = node.exprs[0]
        name = name_of(lhs)
        family = isinstance(lhs, Sub) and name_of(lhs.base) and scope.bindings.get(name_of(lhs.base) + "_*")
        if isinstance(family, Family) and len(lhs.items) == 1:
            item = lhs.items[0]
            if isinstance(item, Sym) and len(item.name) == 1 and item.name not in scope.bindings:
                return ("__rule__", name_of(lhs.base), item.name), ()  # x_k = f_k(x_{k-1}): the family's rule
            if name not in scope.bindings:
                return name, ()  # x_0 = x: one member
        if name is not None and not self._has_meaning(lhs, name, scope):
            return name, ()
        if isinstance(lhs, Product) and len(lhs.factors) == 2 and isinstance(lhs.factors[1], Paren) and \
                lhs.factors[1].bracket == "(":
            fname = name_of(lhs.factors[0])
            args = [name_of(a) for a in lhs.factors[1].items]
            generic = isinstance(scope.bindings.get(fname), Generic) if fname else False
            if fname is not None and all(args) and (generic or not self._has_meaning(lhs.factors[0], fname, scope)):
                # A generic function stands for any function: an example on the page specialises it.
                return fname, tuple(args)
        return None

    def define(self, node: Relation, scope: Scope, formula: Formula) -> Result | None:
        """`x = 2`, `f(x) = x^3`, `J = ...`: a name with no meaning yet takes the right side's."""
        if node.rels[0] == "\\approx" and formula.mark is not None and formula.mark.kind == "definition":
            node = Relation(node.exprs, ("=",) + node.rels[1:])  # a model defined up to what it leaves out
        if node.rels[0] != "=":
            return None
        lhs, rhs = node.exprs[0], node.exprs[1]
        ctx = Ctx(scope)
        assigned = self.assign(lhs, rhs, scope, formula)
        if assigned is not None:
            return assigned
        if isinstance(lhs, Matrix) and all(name_of(e) for row in lhs.rows for e in row) and \
                any(name_of(e) not in scope.bindings for row in lhs.rows for e in row):
            return self.destructure(lhs, rhs, scope, formula, node)
        found = self.definition_target(node, scope)
        if found is None:
            return None
        target, params = found
        if isinstance(target, tuple):  # a family's rule, in its index
            _, base, index = target
            rule = rhs

            def member(value, ctx, rule=rule, index=index):
                return evaluate(rule, ctx.but(locals_={index: array(float(value))}))

            scope.bindings[base + "_*"] = Family(base, member, rule)
            return Result(tex(node), "definition", f"gives the members of the family {base}")
        if not params and is_function_node(rhs, ctx):
            scope.bindings[target] = function_value(rhs, ctx)
        else:
            scope.bindings[target] = Defined(target, rhs, params, formula.where)
        text = tex(node)
        if len(node.exprs) > 2:  # f(x) = x^T x = \norm{x}^2: the rest of the chain is a claim about it
            rest = Relation(node.exprs[1:], node.rels[1:])
            if formula.mark is not None:
                return Result(text, "marked")
            outcome = self.claim(rest, scope, text) if not params else self.claim_of_function(rest, params, scope,
                                                                                              text)
            if outcome.status == "verified":
                outcome.message = f"defines {target}; " + outcome.message
            return outcome
        return Result(text, "definition", f"defines {target}")

    def destructure(self, lhs: Matrix, rhs: Node, scope: Scope, formula: Formula, node: Relation) -> Result:
        """[[a, b], [b, c]] = Q \\Lambda Q^T: each new entry name means that entry of the right side.

        A name that stands in two places (b) is defined by the first and claimed
        equal at the others, so the claim checks that the right side has the
        shape of the left.
        """
        defined, repeated = [], []
        for i, row in enumerate(lhs.rows):
            for j, entry in enumerate(row):
                name = name_of(entry)
                if name in scope.bindings and name not in defined:
                    repeated.append((name, i, j))
                    continue
                if name in defined:
                    repeated.append((name, i, j))
                    continue
                scope.bindings[name] = Defined(name, Sub(Paren((rhs,)), (Num(str(i + 1)), Num(str(j + 1)))), (),
                                               formula.where)
                defined.append(name)
        ctx = Ctx(scope)
        value = array(as_matrix(evaluate(rhs, ctx)))
        if value.shape != (len(lhs.rows), len(lhs.rows[0])):
            return Result(tex(node), "failed", f"the right side is {shape_text(value)}, the left side "
                                               f"{len(lhs.rows)} x {len(lhs.rows[0])}")
        for name, i, j in repeated:
            ok, error, _ = compare(evaluate(lhs.rows[i][j], ctx), array(value[i, j]), 0.0, TOLERANCE["exact"])
            if not ok:
                return Result(tex(node), "failed", f"{name} stands at ({i + 1}, {j + 1}) but the right side has "
                                                   f"{value[i, j]:.6g} there (relative difference {error:.1e})")
        message = f"defines {', '.join(defined)}" + (f"; {', '.join(n for n, _, _ in repeated)} agree"
                                                       if repeated else "")
        return Result(tex(node), "verified" if repeated else "definition", message)

    def assign(self, lhs: Node, rhs: Node, scope: Scope, formula: Formula) -> Result | None:
        """`a = 1` for a random variable a, `\\dd A = A` for a direction: the prose fixes a value.

        A random variable cannot equal an expression free of random variables
        except by choice, so such an equation gives the variable that value
        for the rest of its scope (later claims are checked at it); likewise an
        equation that gives a variable's differential a value free of
        differentials chooses its direction.
        """
        text = tex(Relation((lhs, rhs), ("=",)))
        if isinstance(lhs, Paren) and isinstance(rhs, Paren) and len(lhs.items) == len(rhs.items) > 1:
            # (r, \\theta, \\phi) = (1.5, 0.4, 1.1): each variable in turn
            outcomes = [self.assign(a, b, scope, formula) for a, b in zip(lhs.items, rhs.items)]
            if all(o is not None and o.status == "definition" for o in outcomes):
                return Result(text, "definition", "; ".join(o.message for o in outcomes))
            return None
        name = name_of(lhs)
        binding = scope.bindings.get(name) if name else None
        if (name in scope.sizes or name in declarations.DEFAULT_SIZES) and binding is None and \
                _numeric_literal(rhs) is not None:
            # "For n = 1000 ...": a case the prose considers; the checks keep their own sizes.
            return Result(text, "definition", f"a case of the size {name} (checks keep their own sizes)")
        if isinstance(binding, Variable) and binding.kind == "real" and not _depends_on_variables(rhs, scope):
            value = evaluate(rhs, Ctx(scope))
            value = _sized(value, binding.value)  # A = I: the identity of A's size
            if value.shape != binding.value.shape:
                return Result(text, "failed", f"{name} is a {shape_text(binding.value)} variable; the value given "
                                              f"is {shape_text(value)}")
            scope.bindings[name] = Variable(name, value, binding.direction)
            return Result(text, "definition", f"sets {name}")
        if isinstance(lhs, Product) and len(lhs.factors) == 2 and lhs.factors[0] == Sym("\\dd") and \
                not any(isinstance(n, Sym) and n.name == "\\dd" for n in rhs.walk()):
            name = name_of(lhs.factors[1])
            binding = scope.bindings.get(name) if name else None
            if isinstance(binding, Variable):
                value = evaluate(rhs, Ctx(scope))
                if isinstance(value, Identity):
                    value = value.sized(binding.value.shape[0])
                value = array(as_matrix(value))
                if value.shape == (1, 1) and binding.value.shape != (1, 1):
                    value = value[0, 0] * np.ones_like(binding.value) if not value[0, 0] == 0 else \
                        np.zeros_like(binding.value)
                if value.shape != binding.value.shape:
                    return Result(text, "failed", f"\\dd {name} must be {shape_text(binding.value)}, "
                                                  f"not {shape_text(value)}")
                scope.bindings[name] = Variable(name, binding.value, value)
                return Result(text, "definition", f"chooses the direction of {name}")
        return None

    @staticmethod
    def _has_meaning(node: Node, name: str, scope: Scope) -> bool:
        ctx = Ctx(scope)
        if is_bound(name, ctx):
            return True
        if isinstance(node, Sym) and node.name in ("I", "e", "\\pi", "\\mathbf{1}", "\\dd", "\\nabla"):
            return True
        if node == Sym("J"):
            return False
        if isinstance(node, Sym) and node.name.startswith("\\") and name_of(node) is None:
            return True
        if scope.adjoint_of and tex(node).startswith("\\bar"):
            return True
        if isinstance(node, Sub) and isinstance(node.base, Sym) and node.base.name in ("J", "\\nabla", "I", "e"):
            return True
        if isinstance(node, Sub) and name_of(node.base) and is_bound(name_of(node.base), ctx):
            return True  # x_1 of a known x is an entry, not a new name
        if operator_kind(node, ctx) is not None:
            return True
        return False

    def claim_of_function(self, rest: Relation, params: tuple, scope: Scope, text: str) -> Result:
        """f(x) = ... = ...: the chain holds at random arguments of the function's shape... at the point if bound."""
        missing = [p for p in params if p not in scope.bindings]
        if missing:
            return Result(text, "failed", f"the parameters {', '.join(missing)} of the function have no value here:"
                                          " declare them to check the rest of the chain")
        return self.claim(rest, scope, text)

    def claim(self, node: Relation, scope: Scope, text: str, condition: Relation | None = None) -> Result:
        """Every relation of the chain holds; with free indices (J_{ij} = ...), for every value of them
        (that meets the condition written after it: "F_{ij} = ... for i \\ne j")."""
        vary = _varying(node, scope)
        local = {"__vary__": vary} if vary else {}
        free = _free_indices(node, scope)
        if not free:
            return self._claim_at(node, scope, text, local)
        ctx = Ctx(scope, locals=dict(local))
        from .evaluate import _range_from
        ranges = [(letter, _range_from(letter, node, ctx)) for letter in free]
        worst, last = 0.0, None
        for values in itertools.product(*(r for _, r in ranges)):
            at = {letter: array(float(v)) for (letter, _), v in zip(ranges, values)}
            if condition is not None and not holds(condition, ctx.but(locals_=at)):
                continue
            outcome = self._claim_at(node, scope, text, {**local, **at})
            if outcome.status != "verified":
                where = ", ".join(f"{letter} = {v}" for (letter, _), v in zip(ranges, values))
                outcome.message = f"for {where}: {outcome.message}"
                return outcome
            worst = max(worst, outcome.error or 0.0)
            last = outcome
        if last is None:
            return Result(text, "failed", f"no {', '.join(free)} meets {tex(condition)}")
        last.message = f"for every {', '.join(free)}" + (f" with {tex(condition)}" if condition else "") + \
            f": {last.message}"
        last.error = worst
        return last

    def _claim_at(self, node: Relation, scope: Scope, text: str, local: dict) -> Result:
        worst = 0.0
        methods: set[str] = set()
        vary = local.get("__vary__", ())
        for rel, left, right in zip(node.rels, node.exprs, node.exprs[1:]):
            ctx = Ctx(scope, locals=dict(local))
            if rel == "\\mapsto":  # v \\mapsto J v = ...: names the map; the claims are the links after it
                if name_of(left) is None or not is_bound(name_of(left), ctx):
                    return Result(text, "failed", f"the left of \\mapsto, {tex(left)}, must be the name of the "
                                                  "variable the map takes")
                continue
            if rel == "\\in":
                message = self._membership(left, right, ctx)
                if message:
                    return Result(text, "failed", message)
                continue
            remainder = _remainder(right)
            if remainder is not None:
                message = self._remainder_check(left, *remainder, node, scope, local)
                if message:
                    return Result(text, "failed", message)
                methods.add("the order of the remainder")
                continue
            a = evaluate(left, ctx)
            b = evaluate(right, ctx)
            methods |= ctx.record["methods"]
            if rel == "=":
                tolerance = TOLERANCE["Cauchy integral"] if "Cauchy integral" in methods else TOLERANCE["exact"]
                scale = ctx.record["scale"]
                literal = _numeric_literal(right) if _numeric_literal(right) is not None else _numeric_literal(left)
                if literal and any(n.value != 0 for n in literal):
                    # 0.00190015 = ... is exact to its last digit: compare with the number written, not with
                    # the larger numbers that computing the other side went through.
                    scale = 0.0
                ok, error, why = compare(a, b, scale, tolerance)
                worst = max(worst, error)
                if not ok:
                    return Result(text, "failed", self._mismatch(left, right, a, b, error, tolerance, why), error)
            elif rel == "\\approx":
                message = self._approximately(left, right, a, b, ctx, scope)
                if message:
                    return Result(text, "failed", message)
            elif rel == "\\ne":
                a_, b_ = _sized(a, b), _sized(b, a)
                if a_.shape == (1, 1) and a_[0, 0] == 0:
                    a_ = np.zeros_like(b_)
                if b_.shape == (1, 1) and b_[0, 0] == 0:
                    b_ = np.zeros_like(a_)
                size = max(ctx.record["scale"], float(np.max(np.abs(a_))), float(np.max(np.abs(b_))), 1e-300)
                if a_.shape == b_.shape and float(np.max(np.abs(a_ - b_))) <= TOLERANCE["exact"] * size:
                    return Result(text, "failed", f"{tex(left)} and {tex(right)} are equal ({show(a)}): "
                                                  "\\ne does not hold")
            else:
                x, y = complex(array(as_matrix(a))[0, 0]), complex(array(as_matrix(b))[0, 0])
                if array(as_matrix(a)).size != 1 or array(as_matrix(b)).size != 1:
                    return Result(text, "failed", f"{rel} between arrays")
                ok = {"<": x.real < y.real, ">": x.real > y.real, "\\le": x.real <= y.real * (1 + 1e-12),
                      "\\ge": x.real >= y.real * (1 - 1e-12),
                      "\\ne": abs(x - y) > 1e-9 * max(abs(x), abs(y), 1e-300)}[rel]
                if not ok:
                    return Result(text, "failed", f"{tex(left)} is {show(a)} and {tex(right)} is {show(b)}: "
                                                  f"{rel} does not hold")
        how = " and ".join(sorted(methods)) if methods else "evaluated"
        return Result(text, "verified", f"{how}; largest relative difference {worst:.1e}", worst)

    @staticmethod
    def _approximately(left: Node, right: Node, a, b, ctx: Ctx, scope: Scope) -> str:
        """a \\approx 0.0019: to half a unit in the last digit written; a \\approx 10^{-8}: to half a decade;
        between two expressions, within the factor the page declares (`approx: within a factor of 2`)."""
        a_, b_ = _sized(a, b), _sized(b, a)
        if a_.shape != b_.shape:
            return f"the sides differ in shape: {shape_text(a_)} against {shape_text(b_)}"
        literal_side = right if _numeric_literal(right) is not None else \
            left if _numeric_literal(left) is not None else None
        if literal_side is None:
            if scope.approx_factor is None:
                return ("\\approx between two expressions: no finite check settles it (write the number it is "
                        "close to, declare `approx: within a factor of F` for rules of thumb, or mark it)")
            ratio = np.abs(a_) / np.maximum(np.abs(b_), 1e-300)
            factor = scope.approx_factor
            if np.any(ratio > factor) or np.any(ratio < 1 / factor):
                return (f"{tex(left)} is {show(a)} and {tex(right)} is {show(b)}: not within a factor of "
                        f"{factor:g} of each other")
            return ""
        if not _numeric_literal(literal_side):  # 10^{-8}: an order of magnitude
            computed = b_ if literal_side is right else a_
            written = a_ if literal_side is right else b_
            written, computed = (b_, a_) if literal_side is right else (a_, b_)
            decades = np.abs(np.log10(np.abs(computed)) - np.log10(np.abs(written)))
            if np.any(decades > 0.5):
                return (f"{tex(left)} is {show(a)} and {tex(right)} is {show(b)}: more than half a decade apart")
            return ""
        allowed = _half_unit(literal_side, ctx)
        off = float(np.max(np.abs(a_ - b_)))
        if off > allowed * (1 + 1e-9):
            return (f"{tex(left)} is {show(a)} and {tex(right)} is {show(b)}: they differ by {off:.3g}, more than "
                    f"{allowed:.3g}, half a unit in the last digit written")
        return ""

    def _remainder_check(self, left: Node, main: Node, kind: str, g: Node, node: Relation, scope: Scope,
                         local: dict | None = None) -> str:
        """left = main + O(g) (or o(g)): left - main shrinks as fast as g (or faster) as g goes to 0.

        What shrinks is the differentials, if g has one (o(\\norm{\\dd x})), else
        the one scalar variable of g (O(h^2)); both are halved three times from
        0.1, and the observed order of left - main is compared with that of g:
        a wrong coefficient leaves a remainder of lower order, which fails.
        """
        vary = _varying(node, scope)
        uses_differential = any(isinstance(n, Sym) and n.name == "\\dd" for n in g.walk())
        scaled_name = None
        if not uses_differential:
            names = [n for n in set(_names_in(g)) if isinstance(scope.bindings.get(n), Variable)]
            if len(names) != 1:
                return f"cannot tell what goes to zero in {kind}({tex(g)}): it needs one variable (or a \\dd)"
            scaled_name = names[0]
        ds, gs = [], []

        def step(j):
            t = 0.1 * 2.0 ** (-j)
            child = scope.child()
            if uses_differential:
                for name, binding in scope.bindings.items():
                    if isinstance(binding, Variable):
                        child.bindings[name] = Variable(name, binding.value, binding.direction * t, binding.kind)
            else:
                binding = scope.bindings[scaled_name]
                child.bindings[scaled_name] = Variable(scaled_name, np.sign(binding.value.real) * t + 0j,
                                                       binding.direction, binding.kind)
            ctx = Ctx(child, locals={**(local or {}), **({"__vary__": vary} if vary else {})})
            difference = add(evaluate(left, ctx), evaluate(main, ctx), -1)
            ds.append(float(np.max(np.abs(array(as_matrix(difference))))))
            gs.append(float(np.max(np.abs(array(as_matrix(evaluate(g, ctx)))))))
            return ctx.record["scale"]

        for j in range(4):
            scale = step(j)
        if max(ds) <= 1e-13 * max(scale, 1.0):
            return ""
        if min(ds) <= 0 or min(gs) <= 0:
            return f"the remainder or {tex(g)} vanishes at some steps: {ds}, {gs}"
        p_d = np.log2(ds[-2] / ds[-1])
        p_g = np.log2(gs[-2] / gs[-1])
        needed = p_g - 0.3 if kind == "O" else p_g + 0.5
        # Terms of higher order can still weigh at a step of 0.0125 (a remainder 3 e^3 - 40 e^4): halve on,
        # while the remainder stays well above rounding, until the order shows.
        j = 4
        while p_d < needed and j < 12 and ds[-1] * 2.0 ** (-p_g) > 1e-12 * max(scale, 1.0):
            step(j)
            j += 1
            if ds[-1] <= 0 or gs[-1] <= 0:
                break
            p_d, p_g = np.log2(ds[-2] / ds[-1]), np.log2(gs[-2] / gs[-1])
            needed = p_g - 0.3 if kind == "O" else p_g + 0.5
        if p_d < needed:
            return (f"{tex(left)} - ({tex(main)}) shrinks like order {p_d:.2f} as the step halves "
                    f"({', '.join(f'{d:.2e}' for d in ds)}), but {kind}({tex(g)}) asks for "
                    f"{'at least' if kind == 'O' else 'more than'} {p_g:.2f}")
        return ""

    @staticmethod
    def _membership(left: Node, right: Node, ctx: Ctx) -> str:
        value = array(as_matrix(evaluate(left, ctx)))
        if isinstance(right, Sym) and right.name == "\\R":
            return "" if value.shape == (1, 1) else f"{tex(left)} is a {shape_text(value)} array, not a number"
        if isinstance(right, Sup) and isinstance(right.base, Sym) and right.base.name == "\\R":
            from .reader import Binary
            (item,) = right.items
            if isinstance(item, Binary) and item.op == "\\times":
                rows = int(array(evaluate(item.left, ctx))[0, 0].real)
                cols = int(array(evaluate(item.right, ctx))[0, 0].real)
                expected = (rows, cols)
            else:
                expected = (int(array(evaluate(item, ctx))[0, 0].real), 1)
            if value.shape != expected:
                return f"{tex(left)} is a {shape_text(value)} array, not {expected[0]} x {expected[1]}"
            return ""
        if isinstance(right, Paren) and right.bracket == "[" and len(right.items) == 2:  # t \in [0, 1]
            low, high = (array(evaluate(item, ctx)) for item in right.items)
            if value.shape != (1, 1) or abs(value[0, 0].imag) > 0:
                return f"{tex(left)} is {show(value)}, not a number"
            if not low[0, 0].real <= value[0, 0].real <= high[0, 0].real:
                return f"{tex(left)} = {show(value)} is outside {tex(right)}"
            return ""
        raise EvalError(f"cannot check membership of {tex(right)}")

    @staticmethod
    def _mismatch(left, right, a, b, error, tolerance, why) -> str:
        if why:
            return f"{why}: {tex(left)} is {show(a)}; {tex(right)} is {show(b)}"
        return (f"the two sides differ: {tex(left)} = {show(a)}, but {tex(right)} = {show(b)} "
                f"(relative difference {error:.1e}, tolerance {tolerance:.0e})")


COUNTING = re.compile(r"(?P<name>[A-Za-z]|\\[A-Za-z]+)\s*=\s*(?P<numbers>-?\d+(?:\s*,\s*-?\d+)*)\s*,\s*"
                      r"\\(?:dots|ldots)")
EXPECTATION = re.compile(r'^\s*(?P<kind>wrong|unchecked)\s+"(?P<tex>[^"]+)"\s*(?::\s*(?P<reason>.+))?$')


def _prepared(text: str) -> str:
    from .reader import prepare
    return prepare(text).strip().strip(",.;").strip()


def _remainder(node: Node):
    """main + O(g) or main + o(g): (main, "O" or "o", g); else None."""
    from .reader import Binary
    if isinstance(node, Binary) and node.op == "+" and isinstance(node.right, Product):
        factors = node.right.factors
        if len(factors) == 2 and isinstance(factors[0], Sym) and factors[0].name in ("o", "O") and \
                isinstance(factors[1], Paren) and len(factors[1].items) == 1:
            return node.left, factors[0].name, factors[1].items[0]
    return None


CONDITION_RELATIONS = {"\\ne", "<", ">", "\\le", "\\ge"}


def _is_condition(node: Node, scope: Scope) -> bool:
    """i \\ne j, t > 0: an inequality between letters that nothing defines (and numbers) says which
    values a formula beside it is about; it claims nothing by itself."""
    if not isinstance(node, Relation) or not set(node.rels) <= CONDITION_RELATIONS:
        return False
    letters = [n for n in node.walk() if isinstance(n, Sym)]
    return bool(letters) and all(len(n.name) == 1 and n.name.isalpha() and n.name not in scope.bindings
                                 and n.name not in scope.sizes for n in letters) and \
        all(isinstance(n, (Sym, Num, Relation, Signed)) for n in node.walk())


def _conditions(statements_: list[Statement], scope: Scope) -> dict:
    """{id(claim): (claim, condition)} for each condition that follows a claim with those free indices."""
    found = {}
    for k, statement in enumerate(statements_):
        if statement.node is None or not _is_condition(statement.node, scope):
            continue
        letters = {n.name for n in statement.node.walk() if isinstance(n, Sym)}
        before = [s for s in statements_[:k] if s.node is not None and isinstance(s.node, Relation)]
        if before and not _is_condition(before[-1].node, scope) and \
                letters <= set(_free_indices(before[-1].node, scope)):
            found[id(before[-1])] = (before[-1].node, statement.node)
    return found


def _free_indices(node: Node, scope: Scope) -> list[str]:
    """Letters used only as subscripts and bound by nothing: J_{ij} = \\frac{\\partial f_i}{\\partial x_j}."""
    bound_by_operators, found = set(), []
    for sub in node.walk():
        if isinstance(sub, Sub) and isinstance(sub.base, Sym) and sub.base.name in ("\\sum", "\\prod"):
            for item in sub.items:  # \sum_{j \ne i}: j is bound, i stays free
                for inner in (item.exprs[0] if isinstance(item, Relation) else item).walk():
                    if isinstance(inner, Sym):
                        bound_by_operators.add(inner.name)
    for sub in node.walk():
        if not isinstance(sub, Sub) or (isinstance(sub.base, Sym) and sub.base.name.startswith("\\")) or \
                not name_of(sub.base):
            continue
        if name_of(sub) in scope.bindings:
            continue
        for item in sub.items:
            letters = item.factors if isinstance(item, Product) else (item,)
            for letter in letters:
                if isinstance(letter, Sym) and len(letter.name) == 1 and letter.name.isalpha() and \
                        letter.name not in scope.bindings and letter.name not in bound_by_operators and \
                        letter.name not in found and letter.name not in scope.sizes:
                    found.append(letter.name)
    return found


def _names_in(node: Node):
    for sub in node.walk():
        name = name_of(sub)
        if name is not None:
            yield name


def _depends_on_variables(node: Node, scope: Scope, seen=None) -> bool:
    """Whether the value of a node changes with the page's random variables."""
    seen = set() if seen is None else seen
    for name in _names_in(node):
        if name in seen:
            continue
        seen.add(name)
        binding = scope.bindings.get(name)
        if isinstance(binding, Variable):
            return True
        if isinstance(binding, Defined) and _depends_on_variables(binding.node, scope, seen):
            return True
        if isinstance(binding, Generic) and binding.of:
            return True
    return False


def _varying(node: Node, scope: Scope) -> tuple:
    """The variables a statement's differentials move: those whose \\dd it writes, or the declared ones."""
    names = []
    for sub in node.walk():
        if isinstance(sub, Product):
            factors = sub.factors
            for first, second in zip(factors, factors[1:]):
                if isinstance(first, Sym) and first.name == "\\dd":
                    inner = second
                    while isinstance(inner, (Sup, Paren)) and not (isinstance(inner, Paren) and len(inner.items) != 1):
                        inner = inner.base if isinstance(inner, Sup) else inner.items[0]
                    name = name_of(inner)
                    binding = scope.bindings.get(name) if name else None
                    if isinstance(binding, Variable) and binding.kind == "real" and name not in names:
                        names.append(name)
                    elif isinstance(binding, Defined) and binding.params:
                        names += [p for p in binding.params if p not in names]
                    elif isinstance(binding, Generic) and binding.of:
                        names += [p for p in binding.of if p not in names]
    return tuple(names) or scope.vary


# A statement without one of these signs claims nothing, whether it can be read or not (an expression, or
# a list such as "for all u, v"): it is not parsed (0.17 s of the 0.56 s of CPU that parsing every page's
# statements took).
CLAIM_SIGN = re.compile(r"=|<|>|\\approx|\\ne|\\le|\\ge|\\in(?![A-Za-z])")


def _statements(source: str) -> list[Statement]:
    from .reader import statements
    return statements(source, parse_if=CLAIM_SIGN.search)


def pages() -> list[Path]:
    """Every page of the course: the Markdown pages, then the labs (docs/labs/*.py)."""
    return sorted(DOCS.rglob("*.md")) + sorted((DOCS / "labs").glob("*.py"))


LAB_CELL = re.compile(r"^# %%(?P<markdown> \[markdown\])?")


def read_page(path: Path) -> str:
    """A page's Markdown. A lab (a jupytext percent-format notebook) becomes the Markdown of its
    Markdown cells, each line where it stands in the file (`# ` taken off); its code becomes blank
    lines, so that a message names the lab's own line."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        return text
    out, markdown = [], False
    for line in text.splitlines():
        cell = LAB_CELL.match(line)
        if cell:
            markdown = bool(cell.group("markdown"))
            out.append("")
        elif markdown:
            out.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
        else:
            out.append("")
    return "\n".join(out) + "\n"


def check_page(path: Path) -> Page:
    return Page(path).run()
