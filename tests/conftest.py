"""Shared fixtures: the site is built once per test run, strictly."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from filelock import FileLock, Timeout

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def mkdocs_command(config: Path, site_dir: Path) -> tuple[list[str], dict]:
    """`mkdocs build --strict` in a fresh process (hooks keep module state), and its environment."""
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site_dir)]
    return command, dict(os.environ, NO_MKDOCS_2_WARNING="1")


def mkdocs_build(config: Path, site_dir: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    command, env = mkdocs_command(config, site_dir)
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)


def shared_folder(config) -> Path:
    """The run's temporary folder that every worker (pytest-xdist) shares."""
    shared = config._tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # one basetemp per worker, all inside the run's folder
    return shared


def site_paths(config) -> tuple[Path, Path, Path]:
    shared = shared_folder(config)
    return shared / "site", shared / "site-build-failure.txt", shared / "site.lock"


# The test files that take longest, in the order the workers should start them: those that
# need no site first (the site builds meanwhile), then the rest, so that no worker is left
# with a long file at the end while the other waits. Other files follow, as collected, and the
# formula checks come last (ONE_BY_ONE below).
LONGEST_FIRST = [
    "tests/test_pages.py",
    "tests/test_catalogue.py",
    "tests/browser/test_pages_in_browser.py",
    "tests/browser/test_pdf.py",
    "tests/browser/test_offline_edition.py",
    "tests/test_notebooks.py",
]


# Files whose tests share no fixture beyond the session's: their tests are handed out one by one,
# and fill the time a worker would otherwise wait at the end. Every other file goes to one worker
# whole (its module fixtures are made once), as `--dist loadfile` does.
ONE_BY_ONE = {"tests/test_formulas.py", "tests/test_pages.py"}


def pytest_collection_modifyitems(config, items):
    """Items grouped by file in the LONGEST_FIRST order (pytest-xdist hands out whole files in this order)."""
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}

    def key(item) -> int:
        path = item.nodeid.split("::")[0]
        # The formula checks last: handed out one by one, they even out the workers' ends.
        return rank.get(path, len(rank) + (path == "tests/test_formulas.py"))

    items.sort(key=key)  # stable: the order within a file, and of the other files, is kept


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: unknown when it is not loaded
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile`, but the tests of the files in ONE_BY_ONE are units of their own.

    (pytest-xdist's own way, `--dist loadgroup`, does not group with pytest 9.2: it renames
    node ids through an attribute pytest no longer reads.) Measured on this 2-core machine:
    see the README, section on the test suite's time.
    """
    from xdist.scheduler import LoadScopeScheduling

    class FileOrTest(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return nodeid if path in ONE_BY_ONE else path

    return FileOrTest(config, log)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session):
    """The first worker to get here starts the strict build in the background, if a test needs it.

    The build then runs while the workers start on tests that do not need the site,
    instead of after them; the lock is held until it ends, and the `site` fixture
    waits for it.
    """
    if not any("site" in getattr(item, "fixturenames", ()) for item in session.items):
        return
    site_dir, failure, lock_file = site_paths(session.config)
    lock = FileLock(lock_file, thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return  # another worker is building it
    if site_dir.is_dir() or failure.exists():
        lock.release()
        return
    command, env = mkdocs_command(ROOT / "mkdocs.yml", site_dir)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def finish() -> None:
        try:
            stdout, stderr = process.communicate()
            if process.returncode != 0:
                failure.write_text(f"{stdout}\n{stderr}", encoding="utf-8")
        finally:
            lock.release()

    _building.append(threading.Thread(target=finish, name="site-build", daemon=True))
    _building[-1].start()


_building: list[threading.Thread] = []


def pytest_sessionfinish(session):
    """A worker that started the build does not leave before it ends (others may be waiting on it)."""
    for thread in _building:
        thread.join()


@pytest.fixture(scope="session")
def site(request) -> Path:
    """The whole site, built once per test run with `mkdocs build --strict`.

    The test files run in several worker processes (pytest-xdist); the build
    started as collection ended (above) is awaited on its lock, or, if none was
    started, the first worker that needs the site builds it while the others
    wait, and every worker then reads that one build.
    """
    site_dir, failure, lock_file = site_paths(request.config)
    for thread in _building:  # this worker's own build: its lock is released when it ends
        thread.join()
    with FileLock(lock_file):
        if not site_dir.is_dir() and not failure.exists():
            result = mkdocs_build(ROOT / "mkdocs.yml", site_dir)
            if result.returncode != 0:
                failure.write_text(f"{result.stdout}\n{result.stderr}", encoding="utf-8")
    if failure.exists():
        pytest.fail(f"mkdocs build --strict failed:\n{failure.read_text(encoding='utf-8')}", pytrace=False)
    return site_dir
