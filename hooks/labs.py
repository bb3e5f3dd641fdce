"""Labs: notebooks kept as jupytext percent-format `.py` files under docs/labs/.

mkdocs-jupyter executes and renders them. This hook adds what it lacks:
- each lab's `.ipynb`, generated at build time, with a download link under the
  lab's title that is relative, so it works under a sub-path and from file://,
  and an "Open in Colab" link, as a lecture has; in the
  notebook, the course macros are expanded and links to the site's pages are
  absolute, so a downloaded lab reads right in Jupyter or Colab;
- a cache of executed labs that is also keyed on the snippets a lab names
  (mkdocs-jupyter keys it on the notebook alone, so a lab importing a changed
  snippet would show stale output), and that is off in CI; a dirty build
  (`make serve`) or a build of some pages (`make test PAGE=...`) keeps the cached
  runs of the labs it did not render, which mkdocs-jupyter would delete (the next
  `make test` would run every lab again).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import jupytext
import nbformat
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from figure_markup import SAYS_WHAT_IT_IS
from lecture_notebooks import with_notebook_links
from math_comments import strip as strip_math_comments
from tex_macros import expand_prose_macros, load_macros

ROOT = Path(__file__).resolve().parent.parent
LAB_DIR = "labs/"
LINK = re.compile(r"(?P<text>!?\[[^\]]*\])\((?P<target>[^)\s]+)\)")
# A lab that imports a snippet names its path (snippets/<lecture>/<file>.py).
SNIPPET_PATH = re.compile(r"snippets/[\w-]+/[\w-]+\.py")
HTML_MATH_COMMENT = re.compile(r"<!--\s*math\b.*?-->\s*", re.S)


def is_lab(src_uri: str) -> bool:
    return src_uri.startswith(LAB_DIR) and src_uri.endswith(".py")


def notebook_uri(src_uri: str) -> str:
    return src_uri[: -len(".py")] + ".ipynb"


def with_its_snippets(notebook) -> None:
    """A lab that imports a snippet of the course (the training lab, the backpropagation engine) finds
    it beside itself once downloaded: a cell before its first code cell writes each snippet it names
    (where it says what it imports) into the notebook's folder (IPython's %%writefile), so that the
    notebook runs alone, in Jupyter or Colab."""
    text = "\n".join(cell.source for cell in notebook.cells)  # named in the code or in its prose
    named = sorted(set(SNIPPET_PATH.findall(text)))
    if not named:
        return
    first = next(index for index, cell in enumerate(notebook.cells) if cell.cell_type == "code")
    cells = []
    for name in named:
        source = (ROOT / name).read_text(encoding="utf-8").rstrip("\n")
        file_name = Path(name).name
        cells.append(nbformat.v4.new_markdown_cell(
            f"The course's `{name}`, written next to this notebook as `{file_name}` so that the "
            "notebook runs in any folder (it is shown and explained in the lecture)."))
        cells.append(nbformat.v4.new_code_cell(f"%%writefile {file_name}\n{source}\n"))
    notebook.cells[first:first] = cells


def lab_to_ipynb(path: Path, page_url: str) -> str:
    notebook = jupytext.read(path, fmt="py:percent")
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    with_its_snippets(notebook)
    macros = load_macros()

    def absolute(match: re.Match) -> str:
        target = match["target"]
        if urlsplit(target).scheme or target.startswith("#"):
            return match.group(0)
        return f"{match['text']}({urljoin(page_url, target)})"

    for number, cell in enumerate(notebook.cells, start=1):
        # jupytext gives each cell a random id; numbered ones make every build's notebook the same file.
        cell.id = f"cell-{number}"
        if cell.cell_type == "markdown":
            cell.source = LINK.sub(absolute, expand_prose_macros(strip_math_comments(cell.source), macros))
    return jupytext.writes(notebook, fmt="ipynb")


# The labs' figures, as the site shows them: SVG with its text as text (sharp at any zoom, and its
# labels measurable by tests/test_figures.py), in the site's font. The build's kernels read this
# from their IPython folder; a downloaded notebook keeps Jupyter's defaults.
KERNEL_CONFIG = """\
c.InlineBackend.figure_formats = {"svg"}
c.InlineBackend.rc = {"svg.fonttype": "none", "svg.hashsalt": "matrix-calculus-notes", "font.size": 10.5,
                      "font.family": "sans-serif", "figure.facecolor": "white"}
"""


def kernel_settings() -> None:
    profile = ROOT / ".cache" / "ipython" / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    config_file = profile / "ipython_kernel_config.py"
    if not config_file.exists() or config_file.read_text(encoding="utf-8") != KERNEL_CONFIG:
        config_file.write_text(KERNEL_CONFIG, encoding="utf-8")
    os.environ["IPYTHONDIR"] = str(profile.parent)


# Each hook that needs it keeps its own flag: MkDocs loads every hook as a module of its own, so
# a hook imported by another (this one by hooks/serve.py) is a second copy that MkDocs never starts.
_dirty = False


def on_startup(*, command, dirty) -> None:
    global _dirty
    _dirty = dirty


def on_config(config):
    kernel_settings()
    plugin = config.plugins["mkdocs-jupyter"]
    if os.environ.get("CI"):
        plugin.config["cache"] = False
        return config
    labs = sorted((Path(config.docs_dir) / LAB_DIR).glob("*.py"))
    named = sorted({name for lab in labs for name in SNIPPET_PATH.findall(lab.read_text(encoding="utf-8"))})
    digest = hashlib.sha256(KERNEL_CONFIG.encode())
    for name in named:
        path = ROOT / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"missing")
    plugin.config["cache_dir"] = f".cache/mkdocs-jupyter/{digest.hexdigest()[:16]}"
    return config


def on_files(files: Files, config) -> Files:
    site = (config.site_url or "http://127.0.0.1:8000/").rstrip("/") + "/"
    for file in list(files):
        # A dirty build (make serve) renders only the labs that changed (hooks/serve.py, run before
        # this, marks those whose snippets changed): the others' notebooks stay as written.
        # (Making them all takes 0.11 s of CPU a rebuild, of 1.2 s; measured on 2 cores.)
        if is_lab(file.src_uri) and not (_dirty and not file.is_modified()):
            content = lab_to_ipynb(Path(file.abs_src_path), site + file.url)
            files.append(File.generated(config, notebook_uri(file.src_uri), content=content))
    return files


# A lab's code cell that draws a figure says what the figure shows in a comment of its own,
# `# alt: ...`; that becomes the image's alt text (Jupyter writes a placeholder). The rules are
# those of the lectures' figures (hooks/figure_markup.py): a figure without alt text, an alt text
# that says what the figure is rather than what it shows, or a comment that no figure follows
# stops the build.
# The comment as the cell's highlighted code shows it (the copy button's hidden copy of the code has it too).
ALT_COMMENT = re.compile(r'<span class="c1"># alt: (?P<alt>[^<\n]*)')
PLACEHOLDER_ALT = 'alt="No description has been provided for this image"'


def with_alt_text(html_text: str, where: str) -> str:
    pieces, end, pending = [], 0, None
    for match in re.finditer(ALT_COMMENT.pattern + "|" + re.escape(PLACEHOLDER_ALT), html_text):
        if match["alt"] is not None:
            if pending is not None:
                raise PluginError(f"{where}: the alt text {pending[:40]!r}... is followed by no figure")
            pending = match["alt"].strip()
            if SAYS_WHAT_IT_IS.match(pending):
                raise PluginError(f"{where}: the alt text {pending[:40]!r}... says what the figure is: "
                                  "say what it shows")
            continue
        if not pending:
            raise PluginError(f"{where}: a figure without alt text: begin the cell that draws it with a comment "
                              "'# alt: what the figure shows'")
        pieces += [html_text[end : match.start()], f'alt="{pending}"']
        end, pending = match.end(), None
    if pending is not None:
        raise PluginError(f"{where}: the alt text {pending[:40]!r}... is followed by no figure")
    return "".join(pieces) + html_text[end:]


def on_page_content(html: str, page, config, files: Files) -> str:
    if not is_lab(page.file.src_uri):
        return html
    html = with_alt_text(html, f"docs/{page.file.src_uri}")
    html = HTML_MATH_COMMENT.sub("", html)  # the formula checker's comments, rendered by mkdocs-jupyter as HTML
    # The same links as a lecture's, under the lab's title.
    return with_notebook_links(html, page, config, files, notebook_uri(page.file.src_uri))


@event_priority(50)  # before mkdocs-jupyter's on_post_build, which deletes the entries this build did not use
def on_post_build(config) -> None:
    """A build of some pages keeps the cached runs of the labs it did not render: a dirty build
    (`make serve`) renders only the labs that changed, and a build that leaves pages out
    (`exclude_docs`, as `make test PAGE=...` writes it) renders one lab or none. (The next full
    build deletes the stale runs, those of a lab edited since.)"""
    plugin = config.plugins["mkdocs-jupyter"]
    # `_used_cache_paths` is mkdocs-jupyter's own record (no public option), pinned in the lock;
    # tests/test_serve.py fails if such a build loses a cached run.
    if (_dirty or config["exclude_docs"]) and plugin.config["cache"]:
        plugin._used_cache_paths.update(Path(plugin.config["cache_dir"]).glob("*.json"))
