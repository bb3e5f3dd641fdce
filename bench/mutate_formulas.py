"""Mutation benchmark for the formula checker (`make mutate-formulas`; not a timed test).

It puts random meaning-changing typos into the displayed formulas of every
page, one at a time, and counts how many the formula checker (the part of
`make test` that reads formulas, tests/formulas) catches: a typo is caught
when the page's check reports a problem it did not report before.

The typos, each at a random place of a random display: add or drop a
transpose, add or drop an inverse, trade an inverse for an inverse transpose
(or back), flip a sign (+ for -, a minus dropped or added), change a
coefficient or an exponent (2 for 3), swap the factors of a product or of a
Kronecker product, swap two indices. A typo is made on the formula's tree
and printed back to LaTeX, so that it always parses; the display is replaced
by the printed mutant.

A typo that is not caught is checked again with every random value of the
page drawn afresh: if it still passes, it is reported as "holds at a second
point" (an equivalent formula, such as a transpose of a symmetric matrix or
two commuting factors); if it fails there, the page's point is reported as too
special. Each miss is listed with its page, line, the original and the mutant.

The identity catalogue is one more page: its rows as the reference page shows
them (name it `catalogue` to run it alone).

It also audits the comments: a property that makes a value special
(symmetric, spd, orthogonal, ...) that no check of the page needs is listed,
since a typo such as a transpose of a matrix declared symmetric passes as an
equivalent formula; the page's prose must state the property, or it goes.

Usage: python bench/mutate_formulas.py [--per-display N] [--seed S] [pages... | catalogue]
Floor: at least 95% caught.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from dataclasses import fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from formulas import catalogue, declarations  # noqa: E402
from formulas.pages import Page, pages  # noqa: E402
from formulas.reader import (Binary, Frac, Node, Num, Paren, Product, Relation, Signed, Sub, Sup, Sym,  # noqa: E402
                             statements, tex)
from formulas.evaluate import Ctx, evaluate  # noqa: E402
from formulas.report import problems_of  # noqa: E402

FLOOR = 0.95
T = Sym("\\T")
MINUS_ONE = Signed("-", Num("1"))
MINUS_T = Signed("-", T)


# ---------------------------------------------------------------- walking and rebuilding trees


def _children_fields(node: Node):
    for f in fields(node):
        yield f.name, getattr(node, f.name)


def sites(node: Node, path=()):
    """Every node of the tree with the path that leads to it."""
    yield path, node
    for name, value in _children_fields(node):
        if isinstance(value, Node):
            yield from sites(value, path + ((name, None),))
        elif isinstance(value, tuple):
            for index, item in enumerate(value):
                if isinstance(item, Node):
                    yield from sites(item, path + ((name, index),))
                elif isinstance(item, tuple):
                    for j, sub in enumerate(item):
                        if isinstance(sub, Node):
                            yield from sites(sub, path + ((name, (index, j)),))


def put(node: Node, path, new: Node) -> Node:
    """A copy of the tree with the node at `path` replaced."""
    if not path:
        return new
    (name, index), rest = path[0], path[1:]
    value = getattr(node, name)
    if index is None:
        return replace(node, **{name: put(value, rest, new)})
    items = list(value)
    if isinstance(index, tuple):
        row = list(items[index[0]])
        row[index[1]] = put(row[index[1]], rest, new)
        items[index[0]] = tuple(row)
    else:
        items[index] = put(items[index], rest, new)
    return replace(node, **{name: tuple(items)})


def _is_name(node: Node) -> bool:
    return (isinstance(node, Sym) and (not node.name.startswith("\\") or node.name.startswith("\\lambda"))
            and node.name not in ("\\T",)) or \
        (isinstance(node, Sub) and isinstance(node.base, Sym) and not node.base.name.startswith("\\"))


# ---------------------------------------------------------------- the typos


def _scalar(node: Node, scope) -> bool:
    """Whether a part of a formula is a number where it stands (a transpose of it changes nothing)."""
    if scope is None:
        return False
    try:
        value = evaluate(node, Ctx(scope))
    except Exception:  # a part that needs its context (an index, a bound variable): not known to be a number
        return False
    return getattr(value, "shape", None) == (1, 1)


def mutations(tree: Node, scope=None):
    """(kind, mutant) for every typo of every kind at every place of the tree.

    A transpose or an inverse is not added to a number, and two numbers are
    not swapped: those typos would not change the meaning.
    """
    for path, node in sites(tree):
        if path and path[-1][0] == "items" and isinstance(node, Sym) and node.name == "\\T":
            continue
        if isinstance(node, Sup):
            items = node.items
            if items == (T,):
                yield "drop a transpose", put(tree, path, node.base)
                yield "transpose to inverse", put(tree, path, Sup(node.base, (MINUS_ONE,)))
            elif items == (MINUS_ONE,):
                yield "drop an inverse", put(tree, path, node.base)
                yield "inverse to inverse transpose", put(tree, path, Sup(node.base, (MINUS_T,)))
            elif items == (MINUS_T,):
                yield "inverse transpose to inverse", put(tree, path, Sup(node.base, (MINUS_ONE,)))
            elif len(items) == 1 and isinstance(items[0], Num):
                value = items[0].text
                if value.isdigit():
                    yield "change an exponent", put(tree, path, Sup(node.base, (Num(str(int(value) + 1)),)))
        if _is_name(node) and not (path and path[-1][0] == "base") and not _scalar(node, scope):
            yield "add a transpose", put(tree, path, Sup(node, (T,)))
            yield "add an inverse", put(tree, path, Sup(node, (MINUS_ONE,)))
        if isinstance(node, Binary) and node.op in "+-":
            yield "flip a sign", put(tree, path, replace(node, op="-" if node.op == "+" else "+"))
        if isinstance(node, Signed) and node.op == "-":
            yield "drop a minus", put(tree, path, node.arg)
        if isinstance(node, Num) and not (path and path[-1][0] == "items"):
            if node.text.isdigit() and node.text not in ("0",):
                yield "change a coefficient", put(tree, path, Num(str(int(node.text) + 1)))
            elif "." in node.text:
                digits = node.text.rstrip("0")
                last = int(digits[-1])
                yield "change a coefficient", put(tree, path, Num(digits[:-1] + str((last + 1) % 10)))
        if isinstance(node, Frac) and isinstance(node.den, Num) and node.den.text.isdigit():
            yield "change a coefficient", put(tree, path, Frac(node.num, Num(str(int(node.den.text) + 1))))
        if isinstance(node, Product):
            factors = node.factors
            for k in range(len(factors) - 1):
                a, b = factors[k], factors[k + 1]
                if a != b and not any(isinstance(x, Sym) and x.name.startswith("\\") and x.name not in
                                      ("\\lambda",) for x in (a, b)) and not (_scalar(a, scope) or _scalar(b, scope)):
                    swapped = factors[:k] + (b, a) + factors[k + 2:]
                    yield "swap the factors of a product", put(tree, path, Product(swapped))
        if isinstance(node, Binary) and node.op in ("\\kron", "\\otimes") and node.left != node.right:
            yield "swap the factors of a Kronecker product", put(tree, path, replace(node, left=node.right,
                                                                                   right=node.left))
        if isinstance(node, Sub) and len(node.items) == 1 and isinstance(node.items[0], Product):
            indices = node.items[0].factors
            if len(indices) == 2 and indices[0] != indices[1]:
                yield "swap two indices", put(tree, path, replace(node, items=(Product(indices[::-1]),)))
        if isinstance(node, Sub) and len(node.items) == 2 and node.items[0] != node.items[1]:
            yield "swap two indices", put(tree, path, replace(node, items=node.items[::-1]))


def mutants_of(source: str, scope=None):
    """(kind, mutated display source) for the display's statements, one typo at a time."""
    parsed = statements(source)
    if any(s.node is None for s in parsed):
        return
    texts = [tex(s.node) for s in parsed]
    for position, statement in enumerate(parsed):
        for kind, mutant in mutations(statement.node, scope):
            printed = tex(mutant)
            if printed == texts[position]:
                continue
            yield kind, " \\qquad ".join(texts[:position] + [printed] + texts[position + 1:])


# ---------------------------------------------------------------- running the page


def page_with(text: str, line: int, mutated: str) -> str:
    """The page's text with the display starting at `line` replaced by the mutated formula.

    The page keeps its number of lines, so that every random value it draws
    (seeded by the line of its declaration) stays the same.
    """
    lines = text.splitlines()
    start = line - 1
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    if lines[start].strip().startswith("$$") and lines[start].strip().endswith("$$") and len(lines[start].strip()) > 4:
        end = start
        replacement = [f"{indent}$$ {mutated} $$"]
    else:
        end = start + 1
        while "$$" not in lines[end]:
            end += 1
        replacement = [f"{indent}$$", f"{indent}{mutated}"] + [""] * (end - start - 2) + [f"{indent}$$"]
    return "\n".join(lines[:start] + replacement + lines[end + 1:]) + "\n"


CATALOGUE = "catalogue"  # the identity catalogue's rows, as the page shows them (tests/formulas/catalogue.py)


def checked(path, text: str | None = None) -> Page:
    if path == CATALOGUE:
        page = Page(catalogue.PAGE_PATH, catalogue.page_text() if text is None else text)
        page.name = catalogue.PAGE_NAME
        return page.run()
    return Page(path, text).run()


def caught(path, text: str) -> bool:
    return bool(problems_of(checked(path, text)))


# Properties that make a value special, so that some wrong formulas agree with right ones at it.
SPECIAL = ("symmetric", "spd", "orthogonal", "antisymmetric", "diagonal", "separated", "positive-spectrum")
COMMENT = re.compile(r"<!--\s*math\b.*?-->", re.S)


def needless_properties(path, text: str) -> list[tuple[int, str, str]]:
    """Properties a page's comments declare that no check of the page needs: with the word dropped, every
    check still passes at the page's point and at a second one. Each hides typos (a transpose of a matrix
    declared symmetric passes): the prose must say the same, or the word goes. (line, property, comment)."""
    found = []
    for match in COMMENT.finditer(text):
        comment = match.group(0)
        for word in re.finditer(r"(?<![\w-])(" + "|".join(SPECIAL) + r")(?![\w-])", comment):
            start = match.start() + word.start()
            mutated = text[:start] + " " * len(word.group(0)) + text[start + len(word.group(0)):]
            if caught(path, mutated):
                continue
            declarations.SALT = "second point"
            try:
                again = caught(path, mutated)
            finally:
                declarations.SALT = ""
            if not again:
                found.append((text.count("\n", 0, start) + 1, word.group(0), " ".join(comment.split())))
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*")
    parser.add_argument("--per-display", type=int, default=4, help="typos tried per display (default 4)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--list", action="store_true", help="list every typo, caught or not")
    parser.add_argument("--no-properties", action="store_true", help="skip the audit of declared properties")
    args = parser.parse_args(argv)
    chooser = random.Random(args.seed)
    paths = [p if p == CATALOGUE else Path(p).resolve() for p in args.pages] or [*pages(), CATALOGUE]
    start = time.perf_counter()
    total = caught_count = 0
    misses, equivalents = [], []
    by_kind: dict[str, list[int]] = {}
    needless = []
    for path in paths:
        original = checked(path)
        if problems_of(original):
            print(f"{original.name}: has problems before any typo; skipped (run make formulas)")
            continue
        text = original.text
        if not args.no_properties:
            needless += [(original.name, *entry) for entry in needless_properties(path, text)]
        for formula in original.formulas:
            if not formula.display or formula.status != "verified":
                continue
            candidates = list(mutants_of(formula.source, formula.scope))
            chooser.shuffle(candidates)
            for kind, mutated in candidates[: args.per_display]:
                hit = caught(path, page_with(text, formula.line, mutated))
                entry = (original.name, formula.line, kind, " ".join(formula.source.split()), mutated)
                if not hit:
                    declarations.SALT = "second point"
                    try:
                        again = caught(path, page_with(text, formula.line, mutated))
                    finally:
                        declarations.SALT = ""
                    if not again:
                        # Still true with every value drawn afresh: the typo did not change the meaning.
                        equivalents.append(entry)
                        continue
                    misses.append(entry + ("the page's point is too special: the typo fails at a second point",))
                total += 1
                by_kind.setdefault(kind, [0, 0])
                by_kind[kind][0] += hit
                by_kind[kind][1] += 1
                caught_count += hit
                if args.list:
                    print(f"{'caught' if hit else 'MISSED'} {original.name}:{formula.line} {kind}: {mutated}")
    elapsed = time.perf_counter() - start
    print(f"\n{'typo':40} {'caught':>7} {'tried':>6}")
    for kind, (hit, tried) in sorted(by_kind.items()):
        print(f"{kind:40} {hit:7d} {tried:6d}")
    share = caught_count / total if total else 0.0
    print(f"\n{caught_count} of {total} typos caught ({share:.1%}) in {elapsed:.0f} s; floor {FLOOR:.0%}")
    if misses:
        print(f"\n{len(misses)} not caught:")
        for page, line, kind, source, mutated, why in misses:
            print(f"- {page}:{line} {kind}\n    shown:  {source}\n    typo:   {mutated}\n    why:    {why}")
    if equivalents:
        print(f"\n{len(equivalents)} typos did not change the meaning (the mutant holds at the page's point and at "
              "a second, drawn afresh); not counted:")
        for page, line, kind, source, mutated in equivalents:
            print(f"- {page}:{line} {kind}\n    shown:  {source}\n    typo:   {mutated}")
    if needless:
        print(f"\n{len(needless)} declared properties no check needs (with the word dropped every check still "
              "passes): each lets a typo pass as an equivalent formula; the prose must state it, or it goes:")
        for page, line, word, comment in needless:
            print(f"- {page}:{line} {word}: {comment[:150]}")
    return 0 if share >= FLOOR else 1


if __name__ == "__main__":
    sys.exit(main())
