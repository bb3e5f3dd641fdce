"""Shared fixtures: the site is built once per test run, strictly."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from filelock import FileLock, Timeout

from hook_module import hook_module

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
    if session.config.option.collectonly:
        return
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
    command, env = mkdocs_command(site_config(session.config), site_dir)
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
            result = mkdocs_build(site_config(request.config), site_dir)
            if result.returncode != 0:
                failure.write_text(f"{result.stdout}\n{result.stderr}", encoding="utf-8")
    if failure.exists():
        pytest.fail(f"mkdocs build --strict failed:\n{failure.read_text(encoding='utf-8')}", pytrace=False)
    return site_dir


# ---------------------------------------------------------------------------
# `make test PAGE=docs/lectures/x.md`: the checks of one page.

# Run with every --page: the strict build, which names a broken link, anchor or formula of the
# page, and the block rules (a Python fence the tests would not run is no block of the page).
ALWAYS = {"tests/test_site.py::test_strict_build_succeeds", "tests/test_pages.py::test_pages_follow_the_block_rules"}
SNIPPET = re.compile(r"snippets/[\w/.-]+?\.py")
FIGURE = re.compile(r"\]\(figure:([\w/-]+)")


def pytest_addoption(parser):
    parser.addoption("--page", action="append", default=[], metavar="PATH",
                     help="run only the checks of this page (docs/lectures/x.md), and the strict build")


def pytest_configure(config):
    for page in config.getoption("page"):
        if not Path(page).is_file():
            raise pytest.UsageError(f"--page {page}: no such file")


def page_names(page: str) -> set[str]:
    """The names a test's parameters give a page: its path (docs/x.md and x.md), its address in
    the site (x/), the snippets it includes or names and the figures it shows; a lab also by its
    name (its figures' test)."""
    path = Path(page).resolve()
    text = path.read_text(encoding="utf-8")
    names = {path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)}
    names |= set(SNIPPET.findall(text)) | set(FIGURE.findall(text))
    if path.is_relative_to(ROOT / "docs"):
        uri = path.relative_to(ROOT / "docs")
        address = uri.with_suffix("").as_posix()
        names |= {uri.as_posix(), "" if address == "index" else address + "/"}
        if uri.parts[0] == "labs":
            names.add(path.stem)
    return names - {""}


def named(value) -> list[str]:
    """What a test parameter names: a string, a path under the repository, or the page of an object
    (a code block's `page`, a site page's `uri` and `url`)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Path):
        return [value.relative_to(ROOT).as_posix() if value.is_relative_to(ROOT) else str(value)]
    return [found for key in ("page", "uri", "url") if isinstance(found := getattr(value, key, None), str)]


def concerns(item, names: set[str]) -> bool:
    """Whether a test checks one of the pages: a parameter names it, or its module is about that
    page alone (a module-level PAGE, as in tests/browser/test_interactive_figure.py)."""
    if item.nodeid in ALWAYS:
        return True
    values = list(getattr(getattr(item, "callspec", None), "params", {}).values())
    values.append(getattr(getattr(item, "module", None), "PAGE", None))
    return any(name in names for value in values if value is not None for name in named(value))


# A second implementation of the hook in this file (after the one above, and after
# tests/browser/conftest.py has left out the pages its markers exclude).
@pytest.hookimpl(trylast=True, specname="pytest_collection_modifyitems")
def pytest_select_pages(config, items):
    pages = config.getoption("page")
    if not pages:
        return
    names = set().union(*(page_names(page) for page in pages))
    kept = [item for item in items if concerns(item, names)]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


def asked(request, fixture: str) -> set[str]:
    """The parameter ids of the tests of the requesting module that the run holds and that use
    `fixture`: a module fixture that prepares something for each (runs each notebook, each
    snippet) prepares only those, so that `--page` does not wait for the rest."""
    return {item.callspec.id for item in request.session.items
            if item.module is request.module and fixture in item.fixturenames and hasattr(item, "callspec")}


def site_config(config) -> Path:
    """The configuration the run's site is built with: mkdocs.yml, or, with --page and pages under
    docs/lectures/ or docs/labs/ (or docs/conventions.md), one that leaves out the other lectures
    and labs (`exclude_docs`) but those that include a snippet the pages include. A lecture's
    site takes a third of the time (2.6 s of CPU against 7.8 s), a lab's 3.7 s against 10.5 s
    with its run cached (measured on 2 cores). Links to the pages left out are not reported
    then; a broken link still is. Such a build keeps the cached runs of the labs it leaves out
    (hooks/labs.py)."""
    pages = {Path(page).resolve() for page in config.getoption("page")}
    docs = ROOT / "docs"
    own_sites = sorted(docs.glob("lectures/*.md")) + [docs / "conventions.md"] + sorted(docs.glob("labs/*.py"))
    if not pages or not pages <= set(own_sites):
        return ROOT / "mkdocs.yml"
    import small_site

    # A section of a snippet that several pages include is shown whole in the first and folded in
    # the others (hooks/code_markup.py): the pages that include a snippet the page includes stay.
    include = hook_module("figure_markup").INCLUDE

    def included(path: Path) -> set[str]:
        return set(include.findall(path.read_text(encoding="utf-8")))

    shown = set().union(*map(included, pages))
    kept = pages | {path for path in own_sites if included(path) & shown}
    left_out = [path.relative_to(docs).as_posix() for path in own_sites if path not in kept]
    lines = small_site.inheriting("mkdocs.yml", docs) + ["exclude_docs: |"] + [f"  /{uri}" for uri in left_out]
    path = shared_folder(config) / "mkdocs-pages.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# Browser tests skipped for want of Chromium: said in the summary, with how to install it.

def pytest_terminal_summary(terminalreporter):
    from browser import chromium

    skipped = [report for report in terminalreporter.stats.get("skipped", [])
               if isinstance(report.longrepr, (tuple, list)) and chromium.HOW_TO_INSTALL in report.longrepr[2]]
    if skipped:
        terminalreporter.write_line(f"{len(skipped)} browser tests were skipped: {chromium.HOW_TO_INSTALL}",
                                    yellow=True, bold=True)
