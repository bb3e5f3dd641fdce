"""The author's loop, timed (`make bench` runs it; a report, not a test).

Two numbers an author waits for, with their floors (on a 2-core machine):
- `make test PAGE=docs/lectures/x.md`, the checks of one page: under 15 s. Timed for the
  lectures with the most code blocks and formulas (the slowest to check) and the largest lab,
  or for every lecture and lab with --all.
- `make serve`: a sentence of prose edited in a lecture is served under 1 s after the file is
  written. `mkdocs serve --dirty` runs on a free port; a sentence of the lecture gets a marker
  word, and the page is fetched every 20 ms until it shows it; the file is then put back as it
  was (also if the run is interrupted). Two lectures, three edits each; the slowest is reported.

    .venv/bin/python bench/author_loop.py [--all]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from static_server import free_port  # noqa: E402

FLOORS = {"page checks s": 15.0, "prose edit served s": 1.0}
# A line of plain prose (no code, math, link or markup), outside code blocks: a marker word added
# at its end is shown as it is written.
PROSE = re.compile(r"^[A-Z][A-Za-z ,;:'()-]{30,}$")


def prose_line(lines: list[str]) -> int:
    fenced = False
    for index, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and PROSE.match(line):
            return index
    raise SystemExit("no line of plain prose to edit")


def checked_pages(every: bool) -> list[Path]:
    lectures = sorted((ROOT / "docs" / "lectures").glob("*.md"))
    labs = sorted((ROOT / "docs" / "labs").glob("*.py"))
    if every:
        return lectures + labs

    def weight(path: Path) -> int:  # code blocks and displayed formulas, what the checks run
        text = path.read_text(encoding="utf-8")
        return text.count("```") + text.count("$$")

    return sorted(lectures, key=weight)[-2:] + [max(labs, key=lambda path: path.stat().st_size)]


def time_page_checks(page: Path) -> tuple[float, str]:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly",
                             f"--page={page.relative_to(ROOT)}"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    summary = (result.stdout.strip().splitlines() or ["?"])[-1]
    if result.returncode:
        sys.exit(f"make test PAGE={page.relative_to(ROOT)} failed:\n{result.stdout[-3000:]}")
    return seconds, summary


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, OSError):
        return ""


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.02)


def time_prose_edits(lectures: list[Path], edits: int) -> list[tuple[str, float]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    log = open(ROOT / ".cache" / "author_loop_serve.log", "w", encoding="utf-8")  # noqa: SIM115
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", OPENBLAS_NUM_THREADS="1")
    env.pop("CI", None)  # the labs' cache, as an author's serve has it
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dirty", "--livereload",
                               "--dev-addr", f"127.0.0.1:{port}"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    served: list[tuple[str, float]] = []
    try:
        wait_until(lambda: "</html>" in fetch(base), 600, "make serve's first build")
        for number in range(edits):
            for lecture in lectures:
                url = base + "lectures/" + lecture.stem + "/"
                original = lecture.read_text(encoding="utf-8")
                lines = original.split("\n")
                at = prose_line(lines)
                marker = f"Edited{number}x{time.time_ns() % 10**9}"
                lines[at] += f" {marker}"
                try:
                    start = time.perf_counter()
                    lecture.write_text("\n".join(lines), encoding="utf-8")
                    wait_until(lambda: marker in fetch(url), 60, f"the edit of {lecture.name} to be served")
                    served.append((lecture.name, time.perf_counter() - start))
                finally:
                    lecture.write_text(original, encoding="utf-8")
                # The file put back is rebuilt too: wait for it before the next edit.
                wait_until(lambda: marker not in fetch(url), 60, f"{lecture.name} to be served as it was")
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
    return served


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--all", action="store_true", help="time the checks of every lecture and lab")
    args = parser.parse_args()
    (ROOT / ".cache").mkdir(exist_ok=True)
    missed = []

    print("One page's checks (make test PAGE=...), wall time:")
    for page in checked_pages(args.all):
        seconds, summary = time_page_checks(page)
        floor = FLOORS['page checks s']
        print(f"  {page.relative_to(ROOT).as_posix():44s} {seconds:6.2f} s   floor < {floor:.0f} s   ({summary})")
        if seconds >= floor:
            missed.append(f"make test PAGE={page.relative_to(ROOT)}: {seconds:.1f} s")

    lectures = [ROOT / "docs" / "lectures" / "jacobian-determinant.md", ROOT / "docs" / "lectures" / "derivatives.md"]
    served = time_prose_edits([path for path in lectures if path.is_file()], edits=3)
    floor = FLOORS["prose edit served s"]
    print("\nmake serve: a sentence edited in a lecture, until the served page shows it:")
    for name in dict.fromkeys(name for name, _ in served):
        times = [seconds for each, seconds in served if each == name]
        print(f"  {name:44s} {', '.join(f'{t:.2f}' for t in times)} s   floor < {floor:.0f} s")
    worst = max(seconds for _, seconds in served)
    if worst >= floor:
        missed.append(f"a prose edit was served after {worst:.2f} s")
    if missed:
        print("\nFloors missed:\n  " + "\n  ".join(missed))
        return 1
    print(f"\nEvery floor holds: one page's checks under {FLOORS['page checks s']:.0f} s, "
          f"a prose edit served in at most {worst:.2f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
