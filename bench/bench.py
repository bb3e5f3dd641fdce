"""Benchmark of the site and its checks (`make bench`); a report, not a test.

Prints:
- wall time of a cold strict build (no executed-lab cache) and of a warm one;
- wall time of the test suite, the CPU time the machine was busy meanwhile, the
  number of code blocks it executes, and how many displayed formulas are
  checked as written (of all, and how many are marked as definitions), and the
  time of the tests of each lecture (its blocks, formulas, notebook, browser
  checks), so that the suite's growth with the course shows;
- for each page, the bytes a browser loads to show it (HTML, CSS, JS, fonts,
  images), raw and gzip-compressed, measured by loading the page in headless
  Chromium and recording every response (so only the fonts the page's formulas
  use are counted), and the bytes of math JavaScript (the goal is zero).

Floors (on a 2-core machine): warm strict build < 5 s, test suite < 75 s (the whole course), a
lecture page <= 250 KB gzipped in total with 0 bytes of math JavaScript.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FLOORS = {"warm build s": 5.0, "test suite s": 75.0, "lecture page gzip KB": 250.0}


def timed(command: list[str], **kwargs) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, **kwargs)
    return time.perf_counter() - start, result


def busy_cpu() -> float | None:
    """CPU seconds this machine has spent busy since it started, all cores, all processes
    (Linux's /proc/stat); None elsewhere. Chromium's and the kernels' processes are not
    all children of the suite's, so their own CPU times do not add up to it."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            user, nice, system, _idle, _iowait, irq, softirq = map(int, stat.readline().split()[1:8])
    except (OSError, ValueError):
        return None
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def build(site: Path, cold: bool) -> float:
    if cold:
        shutil.rmtree(ROOT / ".cache", ignore_errors=True)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env.pop("CI", None)  # the cache is what makes a build warm
    seconds, result = timed([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)], env=env)
    if result.returncode:
        sys.exit(f"strict build failed:\n{result.stderr[-3000:]}")
    return seconds


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def page_weights(site: Path) -> list[dict]:
    """Load every page in Chromium and add up what it fetched, by kind."""
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("index.html"))
    rows = []
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 390, "height": 844},
        )
        for page_path in pages:
            url = base + page_path.removesuffix("index.html")
            fetched: list[tuple[str, str]] = []
            tab = context.new_page()
            tab.on("response", lambda response: fetched.append((response.request.resource_type, response.url)))
            tab.goto(url, wait_until="load")
            tab.evaluate("document.fonts.ready")
            tab.wait_for_timeout(150)
            tab.close()
            row = {"page": "/" + page_path.removesuffix("index.html")}
            for kind in ("html", "css", "js", "font", "other"):
                row[kind] = [0, 0]
            math_js = 0
            for resource_type, fetched_url in dict.fromkeys(fetched):
                path = site / unquote(urlsplit(fetched_url).path).lstrip("/")
                if path.is_dir():
                    path = path / "index.html"
                if not path.is_file():
                    continue
                data = path.read_bytes()
                kind = {"document": "html", "stylesheet": "css", "script": "js", "font": "font"}.get(
                    resource_type, "other")
                row[kind][0] += len(data)
                row[kind][1] += len(gzip.compress(data, 6))
                if kind == "js" and ("katex" in path.name.lower() or "mathjax" in path.name.lower()):
                    math_js += len(data)
            row["math js"] = math_js
            # The floor's total: what the page is made of (HTML, CSS, JS, fonts). "other" is
            # mostly the search index, which Material's search fetches once per visit.
            row["page gz"] = sum(row[k][1] for k in ("html", "css", "js", "font"))
            row["total gz"] = row["page gz"] + row["other"][1]
            rows.append(row)
        context.close()
    server.shutdown()
    return rows


def kb(n: int) -> str:
    return f"{n / 1024:.1f}"


def per_lecture(report: Path) -> list[tuple[str, float, int]]:
    """From the suite's JUnit report: for each lecture, the time of the tests whose name names it (its
    blocks, formulas, notebook and browser checks), so that the suite's growth with the course shows."""
    import re
    import xml.etree.ElementTree as ElementTree
    totals: dict[str, list] = {}
    for case in ElementTree.parse(report).iter("testcase"):
        match = re.search(r"lectures/([\w-]+?)(?:\.md|/|\]|:)", case.get("name", ""))
        if match:
            entry = totals.setdefault(match.group(1), [0.0, 0])
            entry[0] += float(case.get("time", 0) or 0)
            entry[1] += 1
    order = [line.split("lectures/")[1].split(".md")[0] for line in (ROOT / "mkdocs.yml").read_text().splitlines()
             if "lectures/" in line and ".md" in line]
    return [(name, *totals[name]) for name in order if name in totals]


def formula_totals():
    """Every page's formulas through the checker (tests/formulas), summed over the pages."""
    from formulas import catalogue
    from formulas.pages import check_page, pages
    from formulas.report import Summary, summarise
    summaries = [summarise(check_page(p)) for p in pages()] + [summarise(catalogue.check())]
    fields = ("displays", "verified", "marked", "failed", "inline_claims", "inline_wrong", "inline_definitions",
              "inline_unchecked")
    return Summary("all pages", *(sum(getattr(s, f) for s in summaries) for f in fields), [])


def main() -> int:
    from docblocks import collect_all

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        cold = build(site, cold=True)
        warm = build(site, cold=False)
        print(f"strict build, cold (labs executed):  {cold:6.2f} s")
        print(f"strict build, warm (labs cached):    {warm:6.2f} s   floor < {FLOORS['warm build s']:.0f} s")

        before = busy_cpu()
        report = Path(tmp) / "suite.xml"
        suite, result = timed([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", f"--junitxml={report}"])
        after = busy_cpu()
        summary = (result.stdout.strip().splitlines() or ["?"])[-1]
        blocks, errors = collect_all()
        executed = sum(1 for block in blocks if not block.skip_reason)
        print(f"test suite:                          {suite:6.2f} s   floor < {FLOORS['test suite s']:.0f} s"
              f"   ({summary})")
        if before is not None and after is not None:
            # The suite's wall time is at least its CPU time over the number of cores. The
            # same suite takes more CPU time when the machine's host is busy with other work.
            print(f"machine CPU busy during the suite:   {after - before:6.1f} s   ({os.cpu_count()} cores)")
        print(f"code blocks executed from pages:     {executed:6d}   (skipped with a reason: "
              f"{len(blocks) - executed}, page errors: {len(errors)})")
        print(f"snippet files run standalone:        {len(list((ROOT / 'snippets').rglob('*.py'))):6d}")
        if report.exists():
            print("\nTest time per lecture (seconds of the tests that name it, summed over the workers):")
            for lecture, seconds, count in per_lecture(report):
                print(f"  {lecture:28s} {seconds:6.1f} s  ({count} tests)")
        formulas = formula_totals()
        print(f"displayed formulas checked as written: {formulas.verified:4d} of {formulas.displays} "
              f"({formulas.marked} marked as definitions or notation); inline claims checked: "
              f"{formulas.inline_claims} (make formulas: per page)")

        if not Path(CHROMIUM).exists():
            print(f"\n{CHROMIUM} not found: page weights need Chromium (apt-get install chromium)")
            return 0
        rows = page_weights(site)
    print("\nBytes each page loads (KB, raw / gzip), measured in Chromium at phone width:")
    header = (f"{'page':44s} {'HTML':>13s} {'CSS':>13s} {'JS':>13s} {'fonts':>13s} {'other':>13s}"
              f" {'page gz':>8s} {'all gz':>8s} {'math JS':>8s}")
    print(header)
    print("-" * len(header))
    worst = worst_all = 0
    for row in rows:
        cells = " ".join(f"{kb(row[k][0]):>6s}/{kb(row[k][1]):>6s}" for k in ("html", "css", "js", "font", "other"))
        print(f"{row['page'][:44]:44s} {cells} {kb(row['page gz']):>8s} {kb(row['total gz']):>8s} {row['math js']:>8d}")
        if row["page"].startswith("/lectures/"):
            worst = max(worst, row["page gz"])
            worst_all = max(worst_all, row["total gz"])
    lecture_math_js = sum(row["math js"] for row in rows)
    print("\npage gz: HTML, CSS, JS and fonts, gzipped; all gz adds the rest (the search index, icons)")
    print(f"heaviest lecture page: {kb(worst)} KB gzipped (floor <= {FLOORS['lecture page gzip KB']:.0f} KB), "
          f"{kb(worst_all)} KB with the search index; "
          f"math JavaScript loaded by all pages: {lecture_math_js} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
