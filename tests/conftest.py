"""Shared fixtures: the site is built once per test run, strictly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def mkdocs_build(config: Path, site_dir: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` in a fresh process (hooks keep module state)."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site_dir)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The whole site, built once per test run with `mkdocs build --strict`.

    The test files run in several worker processes (pytest-xdist); the first
    worker that needs the site builds it into the run's shared temporary folder
    while the others wait on a lock, and every worker then reads that one build.
    """
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # one basetemp per worker, all inside the run's folder
    site_dir, failure = shared / "site", shared / "site-build-failure.txt"
    with FileLock(shared / "site.lock"):
        if not site_dir.is_dir() and not failure.exists():
            result = mkdocs_build(ROOT / "mkdocs.yml", site_dir)
            if result.returncode != 0:
                failure.write_text(f"{result.stdout}\n{result.stderr}", encoding="utf-8")
    if failure.exists():
        pytest.fail(f"mkdocs build --strict failed:\n{failure.read_text(encoding='utf-8')}", pytrace=False)
    return site_dir
