"""Every file in snippets/ is a complete script: it runs alone, from an empty folder."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import docblocks
from conftest import asked

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = sorted((ROOT / "snippets").rglob("*.py"))


def name_of(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


IDS = [name_of(path) for path in SNIPPETS]
# The catalogue script is run alone, with run_alone below, by tests/test_catalogue.py, whose
# tests read the report of that run: its checks take seconds, and run once.
RUN_BY_CATALOGUE_TESTS = ROOT / "snippets" / "catalogue" / "identities.py"
RUN_HERE = [path for path in SNIPPETS if path != RUN_BY_CATALOGUE_TESTS]


def run_alone(path: Path, folder: Path, *arguments: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """A snippet file run as a reader runs it: a fresh interpreter in `folder` (empty),
    warnings as errors, an environment with nothing but PATH, a fixed hash seed and the
    number of BLAS threads the suite runs with (one; see the Makefile: with a thread pool
    per script, the scripts' threads wait on each other and on the other test worker,
    and the network script took 5 s of CPU instead of 0.4 s)."""
    return subprocess.run(
        [sys.executable, "-W", "error", str(path), *arguments],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={"PATH": "/usr/bin:/bin", "PYTHONHASHSEED": "0",
             **{name: os.environ[name] for name in ("OPENBLAS_NUM_THREADS",) if name in os.environ}},
    )


@pytest.fixture(scope="module")
def runs(request, tmp_path_factory) -> dict[Path, subprocess.CompletedProcess]:
    """Every snippet a test of the run asks for (all, but for `make test PAGE=...`), run in
    parallel, each in a fresh interpreter from its own empty folder."""
    wanted = asked(request, "runs")
    chosen = [path for path in RUN_HERE if name_of(path) in wanted]
    # Folders are made before the threads start: mktemp is not safe to call concurrently.
    folders = {path: tmp_path_factory.mktemp(path.stem) for path in chosen}
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(chosen, pool.map(lambda path: run_alone(path, folders[path]), chosen)))


@pytest.mark.parametrize("path", RUN_HERE, ids=name_of)
def test_snippet_runs_standalone(path: Path, runs):
    result = runs[path]
    name = name_of(path)
    assert result.returncode == 0, f"{name} failed when run alone:\n{result.stderr[-3000:]}"


@pytest.mark.parametrize("path", SNIPPETS, ids=IDS)
def test_snippet_imports_only_numpy_sympy_and_stdlib(path: Path):
    name = name_of(path)
    lines = path.read_text(encoding="utf-8").split("\n")
    block = docblocks.Block(
        page=name, lineno=0, code="\n".join(lines), origins=[docblocks.Origin(name, n) for n in range(1, len(lines) + 1)]
    )
    failure = None
    try:
        docblocks.lint(block)
    except docblocks.PageError as err:
        failure = str(err)
    if failure:
        pytest.fail(failure, pytrace=False)


def test_the_catalogue_tests_run_the_catalogue_script_alone():
    """The one snippet not run here is run, alone and warnings as errors, by the catalogue's tests."""
    import test_catalogue

    assert RUN_BY_CATALOGUE_TESTS in SNIPPETS and test_catalogue.SCRIPT == RUN_BY_CATALOGUE_TESTS
    assert test_catalogue.run_alone is run_alone, "the catalogue tests run the script as every snippet is run"


def test_every_snippet_is_shown_somewhere():
    """A snippet no page includes is code no reader sees and no block test runs."""
    sources = [p.read_text(encoding="utf-8") for p in (ROOT / "docs").rglob("*") if p.suffix in (".md", ".py")]
    sources += [p.read_text(encoding="utf-8") for p in (ROOT / "hooks").rglob("*.py")]
    orphans = [name for name in IDS if not any(name in text for text in sources)]
    assert not orphans, f"snippets that no page includes: {orphans}"
