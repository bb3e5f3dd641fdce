"""Labs: notebooks kept as jupytext percent-format `.py` files under docs/labs/.

mkdocs-jupyter executes and renders them. This hook adds what it lacks:
- each lab's `.ipynb`, generated at build time, with a download link on the
  page that is relative, so it works under a sub-path and from file://;
- a cache of executed labs that is keyed on the snippets the labs import
  (mkdocs-jupyter keys it on the notebook alone) and is off in CI.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import jupytext
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
LAB_DIR = "labs/"


def is_lab(src_uri: str) -> bool:
    return src_uri.startswith(LAB_DIR) and src_uri.endswith(".py")


def notebook_uri(src_uri: str) -> str:
    return src_uri[: -len(".py")] + ".ipynb"


def lab_to_ipynb(path: Path) -> str:
    notebook = jupytext.read(path, fmt="py:percent")
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return jupytext.writes(notebook, fmt="ipynb")


def on_config(config):
    plugin = config.plugins["mkdocs-jupyter"]
    if os.environ.get("CI"):
        plugin.config["cache"] = False
    else:
        digest = hashlib.sha256()
        for path in sorted((ROOT / "snippets").rglob("*.py")):
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
        plugin.config["cache_dir"] = f".cache/mkdocs-jupyter/{digest.hexdigest()[:16]}"
    return config


def on_files(files: Files, config) -> Files:
    for file in list(files):
        if is_lab(file.src_uri):
            content = lab_to_ipynb(Path(file.abs_src_path))
            files.append(File.generated(config, notebook_uri(file.src_uri), content=content))
    return files


def on_page_content(html: str, page, config, files: Files) -> str:
    if not is_lab(page.file.src_uri):
        return html
    notebook = files.get_file_from_path(notebook_uri(page.file.src_uri))
    href = notebook.url_relative_to(page.file)
    name = Path(notebook.src_uri).name
    link = (
        f'<p class="lab-download"><a class="md-button" href="{href}" download="{name}">'
        f"Download this lab as a notebook ({name})</a></p>\n"
    )
    return link + html
