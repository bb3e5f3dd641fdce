"""A small site built with the real configuration: for checks that need a build of their own.

`build` writes the given pages into a temporary docs folder and builds them
with a configuration that inherits one of the project's (mkdocs.yml, or
mkdocs-offline.yml), with its hooks and theme overrides, and the site's own
assets. It is not strict unless asked: pages that hooks add (the identity
catalogue) are left out of a small site's navigation, which a strict build reports.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def inheriting(config: str, docs: Path) -> list[str]:
    """The lines of a configuration, written anywhere, that inherits `config` (a file beside
    mkdocs.yml) and builds the pages of the folder `docs`."""
    main = yaml.safe_load(re.sub(r"!\w+ ", "", (ROOT / "mkdocs.yml").read_text(encoding="utf-8")))
    # Paths in mkdocs.yml are relative to it; this configuration lives elsewhere.
    lines = [f"INHERIT: {ROOT / config}", f"docs_dir: {docs}"]
    lines += ["hooks:"] + [f"  - {ROOT / hook}" for hook in main.get("hooks", [])]
    lines += ["watch:"] + [f"  - {ROOT / path}" for path in main.get("watch", [])]
    if main.get("theme", {}).get("custom_dir"):
        lines += ["theme:", f"  custom_dir: {ROOT / main['theme']['custom_dir']}"]
    return lines


def build(tmp_path: Path, pages: dict[str, str], site_dir: Path, config: str = "mkdocs.yml",
          environment: dict[str, str] | None = None, strict: bool = False,
          nav: list | None = None) -> subprocess.CompletedProcess:
    """`nav`, if given, is the navigation as mkdocs.yml writes it; else every page, in order."""
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs" / "assets", docs / "assets")
    for name, text in pages.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, encoding="utf-8")
    lines = inheriting(config, docs) + [f"strict: {str(strict).lower()}"]
    lines += yaml.safe_dump({"nav": nav or list(pages)}, sort_keys=False).splitlines()
    # No lab here; a cache of executed labs would only evict the real site's entries.
    lines += ["plugins:", "  mkdocs-jupyter:", "    cache: false"]
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(config_file), "-d", str(site_dir)],
        cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, NO_MKDOCS_2_WARNING="1", **(environment or {})),
    )
