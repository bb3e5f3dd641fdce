"""Every file in snippets/ is a complete script: it runs alone, from an empty folder."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import docblocks
import kernel_forks

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = sorted((ROOT / "snippets").rglob("*.py"))


def name_of(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


IDS = [name_of(path) for path in SNIPPETS]
# The catalogue script is run alone, with run_alone below, by tests/test_catalogue.py, whose
# tests read the report of that run: its checks take seconds, and run once.
RUN_BY_CATALOGUE_TESTS = ROOT / "snippets" / "catalogue" / "identities.py"
RUN_HERE = [path for path in SNIPPETS if path != RUN_BY_CATALOGUE_TESTS]


# A reader's interpreter: `python -W error`, an environment with nothing but PATH, a fixed hash
# seed and the number of BLAS threads the suite runs with (one; see the Makefile: with a thread
# pool per script, the scripts' threads wait on each other and on the other test worker, and the
# network script took 5 s of CPU instead of 0.4 s).
INTERPRETER = [sys.executable, "-W", "error"]
ENVIRONMENT = {"PATH": "/usr/bin:/bin", "PYTHONHASHSEED": "0",
               **{name: os.environ[name] for name in ("OPENBLAS_NUM_THREADS",) if name in os.environ}}


@contextlib.contextmanager
def interpreters(folder: Path):
    """A reader's interpreter started once, with NumPy imported: each snippet runs in a fork of it
    (tests/kernel_forks.py says what a fork keeps). Yields the fork server's address, for run_alone."""
    address = folder / "forks.sock"
    server = subprocess.Popen([*INTERPRETER, kernel_forks.__file__, str(address), "numpy"],
                              cwd=folder, env=ENVIRONMENT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        ready = server.stdout.readline()
        assert ready == "ready\n", f"the snippets' fork server did not start (it said {ready!r})"
        yield str(address)
    finally:
        server.stdin.close()
        server.wait(timeout=30)


def run_alone(path: Path, folder: Path, *arguments: str, server: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """A snippet file run as a reader runs it, `python -W error SNIPPET`, from `folder` (empty),
    by the `interpreters` at `server`."""
    return kernel_forks.run_script(server, str(path), str(folder), list(arguments), timeout)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The interpreters the snippets of this file run in."""
    with interpreters(tmp_path_factory.mktemp("interpreters")) as address:
        yield address


@pytest.fixture(scope="module")
def runs(tmp_path_factory, server) -> dict[Path, subprocess.CompletedProcess]:
    """All snippets, run in parallel, each alone from its own empty folder."""

    # Folders are made before the threads start: mktemp is not safe to call concurrently.
    folders = {path: tmp_path_factory.mktemp(path.stem) for path in RUN_HERE}
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(RUN_HERE, pool.map(lambda path: run_alone(path, folders[path], server=server), RUN_HERE)))


def test_a_snippet_runs_as_in_a_fresh_interpreter(server, tmp_path_factory):
    """What a script sees (environment, arguments, folder, name) and how it fails (a warning is an
    error: traceback, status) are the same in its fork as in a fresh interpreter."""
    script = tmp_path_factory.mktemp("script") / "script.py"
    script.write_text("import os, sys, warnings\n"
                      "print(sorted(os.environ.items()), sys.argv, sys.path[0], os.listdir(), __name__, hash('a'))\n"
                      "warnings.warn('deprecated', DeprecationWarning)\n", encoding="utf-8")
    fresh_folder, forked_folder = tmp_path_factory.mktemp("fresh"), tmp_path_factory.mktemp("forked")
    fresh = subprocess.run([*INTERPRETER, str(script), "an-argument"], cwd=fresh_folder, env=ENVIRONMENT,
                           capture_output=True, text=True, timeout=60)
    forked = run_alone(script, forked_folder, "an-argument", server=server, timeout=60)
    assert fresh.returncode == 1 and "DeprecationWarning: deprecated" in fresh.stderr, fresh
    assert (forked.returncode, forked.stdout, forked.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr)


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
