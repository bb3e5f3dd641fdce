"""`make audit`: performance and accessibility of every page, as a benchmark (not a test).

Builds the site strictly into a temporary folder (with SITE_URL set to where it
is served, so canonical links are right), serves it like a static host with gzip
(tests/static_server.py), then
  - runs Lighthouse (audit/lighthouse_runs.mjs) on every page, mobile and
    desktop, and keeps the median of the runs (3 unless --runs says otherwise);
  - runs axe-core on every page at a phone and a desktop width, in the light and
    the dark colour scheme, after reading the page to its end (every block drawn,
    collapsed blocks opened: what a reader meets).
Prints one table row per page and form factor, the machine's CPU benchmark
(Lighthouse's benchmarkIndex), then what cost points, and
checks the floors on every page; exits 1 if one is missed.

Lighthouse's performance score depends on the machine: on a busy one the main
thread looks slower than it is. Run it on a quiet machine.

    .venv/bin/python audit/audit.py [--runs N] [--only SUBSTRING]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import static_server  # noqa: E402
from browser import chromium  # noqa: E402
from browser.reader import DESKTOP, PHONE, READ_THROUGH, site_pages  # noqa: E402

AUDIT = ROOT / "audit"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# Floors on every page: lectures, labs, the identity catalogue and the rest (mobile performance;
# the rest in both form factors).
FLOORS = {"performance": 98, "accessibility": 100, "best-practices": 100, "seo": 100}


def build(site_dir: Path, site_url: str) -> None:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SITE_URL=site_url)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site_dir)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    if result.returncode != 0:
        sys.exit(f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}")


def lighthouse(urls: list[str], runs: int, browser: str) -> list[dict]:
    """One dict per run (see lighthouse_runs.mjs), printing progress as runs finish."""
    job = {
        "urls": urls,
        "formFactors": ["mobile", "desktop"],
        "runs": runs,
        "chromePath": browser,
        "chromeFlags": ["--headless=new", *chromium.FLAGS],
    }
    node = Path(sys.executable).parent / "node"
    total = len(urls) * 2 * runs
    process = subprocess.Popen(
        [str(node), str(AUDIT / "lighthouse_runs.mjs"), json.dumps(job)],
        cwd=AUDIT, stdout=subprocess.PIPE, text=True,
    )
    results = []
    for line in process.stdout:
        results.append(json.loads(line))
        last = results[-1]
        print(f"  lighthouse {len(results)}/{total}: {last['url']} {last['formFactor']} "
              f"run {last['run']}: performance {last['performance']}", file=sys.stderr, flush=True)
    if process.wait() != 0 or len(results) != total:
        sys.exit("Lighthouse failed: " + "; ".join(r["error"] for r in results if "error" in r))
    return results


def axe(base_url: str, urls: list[str], browser: str) -> dict[str, dict[str, dict]]:
    """{url: {rule: {"impact", "help", "nodes", "views"}}} over four views of each page."""
    from playwright.sync_api import sync_playwright

    script = (AUDIT / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    found: dict[str, dict[str, dict]] = {url: {} for url in urls}
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=browser, args=chromium.FLAGS)
        for screen, options in (("phone", PHONE), ("desktop", DESKTOP)):
            for scheme in ("light", "dark"):
                context = launched.new_context(**options, color_scheme=scheme)
                for url in urls:
                    tab = context.new_page()
                    tab.goto(base_url + url, wait_until="load")
                    tab.evaluate("document.fonts.ready.then(() => true)")
                    # Blocks far down are drawn only as they near the screen (extra.css):
                    # the page is read to the end as a reader would, then every block is
                    # drawn at once, so that axe sees each one as it looks on screen.
                    tab.evaluate(READ_THROUGH)
                    tab.add_style_tag(content="* { content-visibility: visible !important }")
                    tab.add_script_tag(content=script)
                    result = tab.evaluate("axe.run(document, { resultTypes: ['violations'] })")
                    for violation in result["violations"]:
                        entry = found[url].setdefault(
                            violation["id"],
                            {"impact": violation["impact"], "help": violation["help"], "nodes": set(), "views": []},
                        )
                        entry["nodes"].update(" ".join(map(str, node["target"])) for node in violation["nodes"])
                        entry["views"].append(f"{screen}/{scheme}")
                    tab.close()
                context.close()
        launched.close()
    return found


def median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page and form factor (median)")
    parser.add_argument("--only", default="", help="audit only pages whose URL contains this")
    args = parser.parse_args()
    browser = chromium.executable(shell=False)  # Lighthouse measures in the full browser, a reader's
    if browser is None:
        sys.exit(chromium.HOW_TO_INSTALL)

    pages = [page for page in site_pages() if page.uri is not None and args.only in page.url]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="audit-site-") as folder:
        port = static_server.free_port()
        base_url = f"http://127.0.0.1:{port}/"
        print(f"building the site for {base_url} ...", file=sys.stderr, flush=True)
        build(Path(folder), base_url)
        with static_server.serve(Path(folder), port):
            print(f"axe-core on {len(pages)} pages, 4 views each ...", file=sys.stderr, flush=True)
            violations = axe(base_url, [page.url for page in pages], browser)
            print(f"Lighthouse, {args.runs} runs per page and form factor ...", file=sys.stderr, flush=True)
            runs = lighthouse([base_url + page.url for page in pages], args.runs, browser)

    by_page: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for run in runs:
        by_page[(run["url"].removeprefix(base_url), run["formFactor"])].append(run)

    header = f"{'page':<38} {'form':<7} {'perf':>4} {'a11y':>4} {'b.p.':>4} {'seo':>4} " \
             f"{'LCP s':>5} {'TBT ms':>6} {'CLS':>7} {'KB':>5} {'axe':>3}  floors"
    print(f"\nLighthouse {args.runs}-run medians (mobile: simulated slow 4G, 4x CPU slowdown); "
          "axe-core violations over phone/desktop x light/dark\n")
    print(header)
    print("-" * len(header))
    missed, costs = [], {}
    for page in pages:
        axe_count = len(violations[page.url])
        for form in ("mobile", "desktop"):
            page_runs = by_page[(page.url, form)]
            row = {key: median(page_runs, key) for key in (*CATEGORIES, "lcp", "tbt", "cls", "bytes")}
            misses = []
            for key, floor in FLOORS.items():
                if (key != "performance" or form == "mobile") and row[key] < floor:
                    misses.append(f"{key} {row[key]:g} < {floor}")
            if row["cls"] > 0:
                misses.append(f"CLS {row['cls']:.3g} > 0")
            if axe_count and form == "mobile":
                misses.append(f"{axe_count} axe violation(s)")
            missed += [f"{page.url or '/'} ({form}): {miss}" for miss in misses]
            status = "MISSED" if misses else "ok"
            print(f"{page.name:<38} {form:<7} {row['performance']:>4g} {row['accessibility']:>4g} "
                  f"{row['best-practices']:>4g} {row['seo']:>4g} {row['lcp'] / 1000:>5.2f} {row['tbt']:>6.0f} "
                  f"{row['cls']:>7.3g} {row['bytes'] / 1024:>5.0f} {axe_count:>3}  {status}")
            # "performance: total-blocking-time (340 ms)" from each run -> one entry, values of all runs
            lost: dict[str, list[str]] = defaultdict(list)
            for run in page_runs:
                for item in run["failing"]:
                    audit, _, value = item.partition(" (")
                    lost[audit].append(value.rstrip(")"))
            if lost:
                costs[f"{page.name} ({form})"] = [f"{audit} ({', '.join(values)})" for audit, values in sorted(lost.items())]

    # Blocking time is measured on this machine and multiplied by the 4x slowdown, so the same
    # page scores lower on a slower or busier machine: the index tells which machine the table is of.
    speeds = [run["benchmarkIndex"] for run in runs if run["benchmarkIndex"] is not None]
    if speeds:
        print(f"\nLighthouse's CPU benchmark of this machine (benchmarkIndex, higher is faster): median "
              f"{statistics.median(speeds):.0f}, from {min(speeds):.0f} to {max(speeds):.0f} over {len(speeds)} runs")
    else:
        print("\nLighthouse reported no CPU benchmark (benchmarkIndex) for this machine.")
    if costs:
        print("\nWhat cost points (the value in each run that lost points):")
        for where, items in costs.items():
            print(f"  {where}: " + "; ".join(items))
    if any(violations.values()):
        print("\naxe-core violations:")
        for url, rules in violations.items():
            for rule, entry in rules.items():
                nodes = sorted(entry["nodes"])
                print(f"  {url or '/'}: {rule} ({entry['impact']}) in {', '.join(sorted(set(entry['views'])))}: "
                      f"{entry['help']}; {len(nodes)} element(s), e.g. {nodes[:3]}")
    print(f"\n{time.monotonic() - started:.0f} s.", end=" ")
    if missed:
        print(f"Floors missed ({len(pages)} pages audited):\n  " + "\n  ".join(missed))
        return 1
    print(f"Every floor holds on the {len(pages)} page(s) audited: mobile performance >= 98; accessibility, "
          "best practices and SEO 100; CLS 0; no axe-core violation.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
