"""Figures drawn by code at build time (figures/figure_kit.py says how one is written).

A page shows a figure with a line of its own:

    ![What the figure shows](figure:<lecture>/<name> "Caption.")

This hook finds those lines in every page, has figures/figure_kit.py render the
figures they name (all in one process; a figure is rendered again only when its
script, the code of the page or the snippet it reads, the kit or the lock file
changes: the result is kept in .cache/figures), adds each as two SVG files to the site
(`figures/<lecture>/<name>.svg` and `.dark.svg`) and writes the HTML:

- a <figure> with an <img> per scheme (the theme's scheme decides which one
  shows; a hidden lazy image is never fetched), the width and height set so
  that nothing moves as it loads, lazy below the first screen;
- each image a link to its SVG, which, having no size of its own, fills the
  window it is opened in: a tap opens the figure as large as the screen;
- the caption under it.

A reference to a figure that does not exist, a figure without alt text (or
whose alt text says what it is instead of what it shows), a script that fails
or whose check() fails: each stops the build with the page and line, or the
figure's traceback.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
KIT = ROOT / "figures" / "figure_kit.py"
# Rendering every figure takes 8.6 s (42 figures, measured on 2 cores); reading them from the cache
# 0.04 s. A build renders only what changed: `mkdocs serve` on every edit, the tests' two builds.
CACHE = ROOT / ".cache" / "figures"
SITE_DIR = "figures/"
REFERENCE = re.compile(
    r'^(?P<indent>[ \t]*)!\[(?P<alt>[^\]]*)\]\(figure:(?P<name>[^)\s"]*)(?:[ \t]+"(?P<caption>[^"]*)")?\)[ \t]*$',
    re.MULTILINE,
)
INLINE_REFERENCE = re.compile(r'!\[(?P<alt>[^\]]*)\]\(figure:(?P<name>[^)\s"]*)(?:[ \t]+"(?P<caption>[^"]*)")?\)')
NAME = re.compile(r"[a-z0-9-]+/[a-z0-9-]+")
# Alt text says what the figure shows; these openings say only what it is.
SAYS_WHAT_IT_IS = re.compile(r"^\s*(?:an? |the )?(?:figure|image|picture|plot|chart|diagram|illustration|screenshot)\b",
                             re.IGNORECASE)
# What a figure reads besides its own script: pages and snippets it names.
NAMED_SOURCE = re.compile(r"(?:docs/)?lectures/[\w-]+\.md|snippets/[\w/-]+\.py")
INCLUDE = re.compile(r'--8<--\s+"(?P<path>[^":]+)')
# A figure this close to the top of its page's Markdown is on the first screen: not lazy.
FIRST_SCREEN_CHARACTERS = 1500
# Points (the SVG's unit) to CSS pixels.
PX_PER_PT = 4 / 3


@dataclass(frozen=True)
class Figure:
    name: str
    light: str
    dark: str
    width: int  # CSS pixels at natural size
    height: int

    def uri(self, scheme: str) -> str:
        return f"{SITE_DIR}{self.name}{'.dark' if scheme == 'dark' else ''}.svg"


def figures_dir() -> Path:
    # Only the pipeline's own tests point it elsewhere, at figures made to fail.
    return Path(os.environ.get("FIGURES_DIR", ROOT / "figures"))


def _sources(name: str) -> list[Path]:
    script = figures_dir() / f"{name}.py"
    sources = [script, KIT, ROOT / "requirements.lock"]
    for named in sorted(set(NAMED_SOURCE.findall(script.read_text(encoding="utf-8")))):
        path = ROOT / ("docs/" + named if named.startswith("lectures/") else named)
        sources.append(path)
        if path.suffix == ".md" and path.exists():
            sources += [ROOT / include for include in INCLUDE.findall(path.read_text(encoding="utf-8"))]
    return sources


# What a figure reads of a page is its code (figure_kit.page_functions): the key takes the page's
# fenced blocks, so that an edit of its prose (`make serve`) does not draw its figures again.
FENCED = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,}).*?^[ \t]*(?P=fence)[ \t]*$", re.MULTILINE | re.DOTALL)


def _key(name: str) -> str:
    digest = hashlib.sha256(name.encode())
    for path in _sources(name):
        digest.update(str(path).encode())
        if not path.exists():
            digest.update(b"(missing)")
        elif path.suffix == ".md":
            digest.update("\n".join(match.group(0) for match in FENCED.finditer(path.read_text(encoding="utf-8"))).encode())
        else:
            digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def _size(svg: str, name: str) -> tuple[int, int]:
    box = re.search(r'<svg\b[^>]*\bviewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    if not box:
        raise PluginError(f"figures/{name}.py: the SVG it makes has no viewBox")
    return round(float(box[1]) * PX_PER_PT), round(float(box[2]) * PX_PER_PT)


def render(names: set[str]) -> dict[str, Figure]:
    """The figures `names`, from the cache or rendered now (all missing ones in one process)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    keys = {name: _key(name) for name in names}
    cached = {name: CACHE / f"{name.replace('/', '__')}-{keys[name]}.json" for name in names}
    missing = sorted(name for name in names if not cached[name].exists())
    if missing:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "figures.json"
            run = subprocess.run([sys.executable, str(KIT), str(out), *missing], cwd=ROOT,
                                 capture_output=True, text=True,
                                 env=dict(os.environ, FIGURES_DIR=str(figures_dir()), MPLBACKEND="svg"))
            if run.returncode or not out.exists():
                raise PluginError(f"the figures could not be rendered:\n{run.stderr[-3000:]}")
            results = json.loads(out.read_text(encoding="utf-8"))
        errors = [f"figures/{name}.py failed:\n{result['error']}" for name, result in results.items()
                  if "error" in result]
        if errors:
            raise PluginError("\n\n".join(errors))
        for name, result in results.items():
            for stale in CACHE.glob(f"{name.replace('/', '__')}-*.json"):
                stale.unlink()
            cached[name].write_text(json.dumps(result), encoding="utf-8")
    figures = {}
    for name in names:
        result = json.loads(cached[name].read_text(encoding="utf-8"))
        figures[name] = Figure(name, result["light"], result["dark"], *_size(result["light"], name))
    return figures


def references(text: str, where: str):
    """(match, line) for each figure line of a page; an error for a malformed one."""
    matched = {text.count("\n", 0, match.start()) for match in REFERENCE.finditer(text)}
    for found in re.finditer(r"\]\(figure:", text):
        line = text.count("\n", 0, found.start())
        if line not in matched:
            raise PluginError(f"{where}:{line + 1}: a figure is a line of its own, "
                              f'![alt text, without square brackets](figure:<lecture>/<name> "Caption.")')
    for match in REFERENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        name, alt = match["name"], match["alt"].strip()
        if not NAME.fullmatch(name):
            raise PluginError(f"{where}:{line}: a figure is named <lecture>/<name> (lower case, digits, hyphens), "
                              f"not {name!r}")
        if not (figures_dir() / f"{name}.py").exists():
            raise PluginError(f"{where}:{line}: no figure {name!r}: figures/{name}.py does not exist")
        if not alt:
            raise PluginError(f"{where}:{line}: the figure {name} has no alt text: say what it shows")
        if SAYS_WHAT_IT_IS.match(alt):
            raise PluginError(f"{where}:{line}: the alt text of the figure {name} says what it is "
                              f"({alt[:40]!r}...): say what it shows")
        yield match, line


# The figures of this build, for the pages' HTML and for the lecture notebooks (hooks/lecture_notebooks.py).
RENDERED: dict[str, Figure] = {}


def on_files(files: Files, config) -> Files:
    names = set()
    for file in files:
        if file.src_uri.endswith(".md") and file.abs_src_path:
            text = Path(file.abs_src_path).read_text(encoding="utf-8-sig")
            names.update(match["name"] for match, _ in references(text, f"docs/{file.src_uri}"))
    RENDERED.clear()
    RENDERED.update(render(names))
    for figure in RENDERED.values():
        add_files(files, config, figure)
    return files


def add_files(files: Files, config, figure: Figure) -> None:
    files.append(File.generated(config, figure.uri("light"), content=figure.light))
    files.append(File.generated(config, figure.uri("dark"), content=figure.dark))


def markup(match: re.Match, figure: Figure, url: callable, eager: bool) -> str:
    """One line of HTML: a raw HTML block at the top level of a page, and inline HTML inside an
    admonition or a list (Python-Markdown finds HTML blocks only at the top level), where it
    lands in a paragraph that on_page_content takes away again."""
    alt = html.escape(match["alt"].strip())
    loading = "" if eager else ' loading="lazy"'
    images = []
    for scheme in ("light", "dark"):
        images.append(
            f'<a class="course-figure__open course-figure__{scheme}" href="{url(figure.uri(scheme))}" '
            f'title="Open the figure alone">'
            f'<img src="{url(figure.uri(scheme))}" alt="{alt}" width="{figure.width}" height="{figure.height}"'
            f'{loading} decoding="async"></a>'
        )
    caption = f"<figcaption>{html.escape(match['caption'], quote=False)}</figcaption>" if match["caption"] else ""
    return f'{match["indent"]}<figure class="course-figure">{"".join(images)}{caption}</figure>'


IN_A_PARAGRAPH = re.compile(r'<p>\s*(<figure class="course-figure">.*?</figure>)\s*</p>', re.DOTALL)


def on_page_content(html_text: str, page, config, files: Files) -> str:
    return IN_A_PARAGRAPH.sub(r"\1", html_text)


def on_page_markdown(markdown: str, page, config, files: Files) -> str:
    where = f"docs/{page.file.src_uri}"

    def url(uri: str) -> str:
        return files.get_file_from_path(uri).url_relative_to(page.file)

    pieces, end = [], 0
    for match, _ in references(markdown, where):
        if match["name"] not in RENDERED:  # the page changed after the build began
            RENDERED.update(render({match["name"]}))
            add_files(files, config, RENDERED[match["name"]])
        pieces += [markdown[end : match.start()],
                   markup(match, RENDERED[match["name"]], url, eager=match.start() < FIRST_SCREEN_CHARACTERS)]
        end = match.end()
    return "".join(pieces) + markdown[end:]


def as_attachments(markdown: str) -> tuple[str, dict]:
    """Notebook Markdown with its figures as cell attachments (the light SVG, its caption in
    italics under it): a downloaded notebook shows them with no site and no network."""
    names = {match["name"] for match in INLINE_REFERENCE.finditer(markdown)}
    if not names:
        return markdown, {}
    figures = render(names)  # rendered by on_files already: read from the cache
    attachments = {}

    def attach(match: re.Match) -> str:
        file_name = match["name"].replace("/", "-") + ".svg"
        svg = figures[match["name"]].light.encode("utf-8")
        attachments[file_name] = {"image/svg+xml": base64.b64encode(svg).decode("ascii")}
        caption = f"\n\n*{match['caption']}*" if match["caption"] else ""
        return f"![{match['alt']}](attachment:{file_name}){caption}"

    return INLINE_REFERENCE.sub(attach, markdown), attachments
