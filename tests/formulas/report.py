"""`make formulas`: every page's formulas, accounted for.

For each page: its displays, how many are verified and how many marked (with
the share verified), then its inline statements: claims verified (formulas
shown as wrong among them), definitions, and statements marked unchecked.
Floors: no formula fails, every display is verified or marked, and at most
one display in six is marked. With --verbose, every statement and its fate.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from . import catalogue
from .pages import ROOT, Page, check_page, pages

MARKS_PER_DISPLAY = 1 / 6  # the floor: at most one display in six is marked (one, on a page of fewer than six)


@dataclass
class Summary:
    page: str
    displays: int
    verified: int
    marked: int
    failed: int
    inline_claims: int
    inline_wrong: int
    inline_definitions: int
    inline_unchecked: int
    problems: list

    @property
    def share(self) -> float:
        return self.verified / self.displays if self.displays else 1.0

    @property
    def too_many_marks(self) -> bool:
        return self.marked > max(1, int(self.displays * MARKS_PER_DISPLAY))


def problems_of(page: Page) -> list[str]:
    found = list(page.errors)
    for formula in page.formulas:
        found.extend(formula.failures())
    found.extend(page.unused_expectations())
    return found


def summarise(page: Page) -> Summary:
    displays = [f for f in page.formulas if f.display]
    statuses = Counter(f.status for f in displays)
    inline = Counter()
    for formula in page.formulas:
        if formula.display:
            continue
        for result in formula.results:
            if result.status == "verified":
                inline["wrong" if result.message.startswith("shown wrong") else "claims"] += 1
            elif result.status in ("definition", "signature", "condition"):
                inline["definitions"] += 1
            elif result.status == "marked":
                inline["unchecked"] += 1
    problems = problems_of(page)
    summary = Summary(page.name, len(displays), statuses["verified"], statuses["marked"], statuses["failed"],
                      inline["claims"] + inline["wrong"], inline["wrong"], inline["definitions"],
                      inline["unchecked"], problems)
    if summary.too_many_marks:
        problems.append(f"{page.name}: {summary.marked} of {summary.displays} displays are marked; "
                        "at most one in six may be (one, on a page of fewer than six)")
    return summary


def table(summaries: list[Summary]) -> str:
    total = Summary("all pages", *(sum(getattr(s, f) for s in summaries) for f in
                                   ("displays", "verified", "marked", "failed", "inline_claims", "inline_wrong",
                                    "inline_definitions", "inline_unchecked")), [])
    width = max(len(s.page) for s in [*summaries, total])

    def row(s: Summary) -> str:
        return (f"{s.page:{width}} {s.displays:8d} {s.verified:8d} {s.marked:6d} {s.share:6.0%}   "
                f"{s.inline_claims:13d} {s.inline_wrong:11d} {s.inline_definitions:11d} {s.inline_unchecked:9d}")

    header = (f"{'page':{width}} {'displays':>8} {'verified':>8} {'marked':>6} {'share':>6}   "
              f"{'inline claims':>13} {'shown wrong':>11} {'definitions':>11} {'unchecked':>9}")
    return "\n".join([header, "-" * len(header), *map(row, summaries), "-" * len(header), row(total)])


def verbose(page: Page) -> str:
    out = []
    for formula in page.formulas:
        if formula.status == "plain":
            continue
        kind = "display" if formula.display else "inline"
        mark = f" [marked {formula.mark.kind}: {formula.mark.reason}]" if formula.mark else ""
        out.append(f"{formula.where} {kind} {formula.status}{mark}: {' '.join(formula.source.split())}")
        for result in formula.results:
            if result.status != "expression":
                out.append(f"    {result.status}: {result.text}" + (f"  ({result.message})" if result.message else ""))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make formulas", description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="pages to check, or `catalogue` (default: every page under docs/ "
                        "and the identity catalogue)")
    parser.add_argument("--verbose", "-v", action="store_true", help="every statement and what became of it")
    args = parser.parse_args(argv)
    paths = [Path(p).resolve() for p in args.pages if p != "catalogue"]
    with_catalogue = not args.pages or "catalogue" in args.pages  # the identity catalogue, as its page shows it
    if not args.pages:
        paths = pages()
    start = time.perf_counter()
    checked = [check_page(p) for p in paths] + ([catalogue.check()] if with_catalogue else [])
    elapsed = time.perf_counter() - start
    summaries = [summarise(p) for p in checked]
    if args.verbose:
        for page in checked:
            print(verbose(page))
            print()
    print(table(summaries))
    problems = [problem for s in summaries for problem in s.problems]
    print(f"\n{len(checked)} pages checked in {elapsed:.1f} s")
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for problem in problems:
            print(problem)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
