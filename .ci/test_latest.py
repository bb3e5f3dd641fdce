"""`make test-latest`: the tests against the newest release of every dependency, ignoring the locks.

- Python: a separate environment, .venv-latest, gets the newest versions that
  the ranges in pyproject.toml allow (requirements.lock is not read).
- JavaScript: a copy of the sources in .venv-latest/src gets the newest
  release of each package in package.json, so the working tree keeps the
  versions package-lock.json pins.
- The tests run in that copy, with that environment.

Before the tests, and again after them if they fail, it lists each dependency
whose version differs from the locks (direct dependencies first), so a failure
names what changed; in GitHub Actions the list also goes to the run's summary.
It exits with the test run's status.

    python3 .ci/test_latest.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

if sys.version_info < (3, 11):
    sys.exit(f"Python 3.11 or newer is needed, found {sys.version.split()[0]}")
import tomllib  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LATEST = ROOT / ".venv-latest"
SOURCES = LATEST / "src"
BIN = LATEST / "bin"


def run(*command: str | Path, cwd: Path = ROOT, **options) -> subprocess.CompletedProcess:
    print("+", " ".join(str(part) for part in command), flush=True)
    return subprocess.run([str(part) for part in command], cwd=cwd, check=True, **options)


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# Run by the environment's own Python: the lock's pins whose markers hold there.
LOCKED = r"""
import json, sys
from packaging.requirements import Requirement
pins = {}
for line in open(sys.argv[1], encoding="utf-8"):
    if line[:1].isalnum() and "==" in line:
        requirement = Requirement(line.split("\\")[0].strip())
        if requirement.marker is None or requirement.marker.evaluate():
            pins[requirement.name] = str(requirement.specifier).removeprefix("==")
print(json.dumps(pins))
"""
# The environment's own tools, not dependencies of the project.
SEEDS = {"pip", "setuptools", "wheel"}


def locked_python() -> dict[str, str]:
    """name -> version pinned in requirements.lock for the latest environment's platform and Python."""
    found = subprocess.run(
        [str(BIN / "python"), "-c", LOCKED, str(ROOT / "requirements.lock")], check=True, capture_output=True, text=True
    ).stdout
    return {normalise(name): version for name, version in json.loads(found).items()}


def direct_python() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {normalise(re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0]) for spec in project["project"]["dependencies"]}


def installed_python() -> dict[str, str]:
    listing = subprocess.run(
        [str(BIN / "uv"), "pip", "list", "--python", str(BIN / "python"), "--format", "json"],
        check=True, capture_output=True, text=True,
    ).stdout
    return {normalise(item["name"]): item["version"] for item in json.loads(listing) if item["name"] not in SEEDS}


def javascript_packages() -> list[str]:
    manifest = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    return sorted({**manifest.get("dependencies", {}), **manifest.get("devDependencies", {})})


def locked_javascript() -> dict[str, str]:
    """name -> version of each package package-lock.json puts at the top of node_modules."""
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    return {path.removeprefix("node_modules/"): entry["version"]
            for path, entry in lock.get("packages", {}).items()
            if path.startswith("node_modules/") and "/node_modules/" not in path.removeprefix("node_modules/")}


def installed_javascript() -> dict[str, str]:
    """name -> version of each package at the top of the copy's node_modules."""
    base, found = SOURCES / "node_modules", {}
    for entry in sorted(base.iterdir()):
        packages = sorted(entry.iterdir()) if entry.name.startswith("@") else [entry]
        for package in packages:
            manifest = package / "package.json"
            if not entry.name.startswith(".") and manifest.is_file():
                found[package.relative_to(base).as_posix()] = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    return found


def changes() -> list[tuple[str, str, str, str, bool]]:
    """(ecosystem, name, locked, newest, direct) for each dependency that differs from its lock."""
    rows = []
    direct, locked, now = direct_python(), locked_python(), installed_python()
    for name in sorted(set(locked) | set(now)):
        if locked.get(name) != now.get(name):
            rows.append(("python", name, locked.get(name, "-"), now.get(name, "-"), name in direct))
    direct_js, locked_js, now_js = set(javascript_packages()), locked_javascript(), installed_javascript()
    for name in sorted(set(locked_js) | set(now_js)):
        if locked_js.get(name) != now_js.get(name):
            rows.append(("npm", name, locked_js.get(name, "-"), now_js.get(name, "-"), name in direct_js))
    return sorted(rows, key=lambda row: (not row[4], row[0], row[1]))


def report(rows: list[tuple[str, str, str, str, bool]], heading: str) -> None:
    print(f"\n{heading}")
    if not rows:
        print("  every dependency is at its locked version")
    for ecosystem, name, locked, newest, direct in rows:
        print(f"  {ecosystem:6} {name:32} {locked:>14} -> {newest:<14} {'direct' if direct else ''}")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(f"### {heading}\n\n| | package | locked | newest | |\n|---|---|---|---|---|\n")
            for ecosystem, name, locked, newest, direct in rows:
                out.write(f"| {ecosystem} | {name} | {locked} | {newest} | {'direct' if direct else ''} |\n")
            out.write("\n")


def copy_sources() -> None:
    """The working tree's files (tracked, and new ones git does not ignore) into .venv-latest/src."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode().split("\0")
    shutil.rmtree(SOURCES, ignore_errors=True)
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            target = SOURCES / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def main() -> int:
    if not (BIN / "python").exists():
        run(sys.executable, "-m", "venv", LATEST)
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip", "uv")
    # The newest versions inside pyproject.toml's ranges, whatever is installed already.
    run(BIN / "uv", "pip", "install", "--quiet", "--python", BIN / "python", "--upgrade", "-r", ROOT / "pyproject.toml")
    copy_sources()
    newest = [f"{name}@latest" for name in javascript_packages()]
    run(BIN / "npm", "install", "--no-audit", "--no-fund", "--loglevel=error", *newest, cwd=SOURCES)

    rows = changes()
    report(rows, "Dependencies that differ from the locks")
    tests = subprocess.run([str(BIN / "python"), "-m", "pytest", *sys.argv[1:]], cwd=SOURCES)
    if tests.returncode != 0:
        report(rows, "The tests fail with the newest releases; these differ from the locks")
    return tests.returncode


if __name__ == "__main__":
    sys.exit(main())
