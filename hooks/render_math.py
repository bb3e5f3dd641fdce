"""Render every formula to HTML at build time with KaTeX.

Markdown pages reach this hook with their math wrapped by pymdownx.arithmatex
(generic mode); notebook pages (labs) reach it with nbconvert's `$...$` and
`$$...$$` left in the text, which is put in arithmatex's form. Each page's
formulas are drawn when the page is written (on_post_page), after the search
plugin has indexed its text: the index holds each formula once, as TeX, rather
than KaTeX's HTML and MathML, and indexing stays quick. The formulas go to one
long-lived Node.js process (hooks/katex_render.py) and are replaced by KaTeX's
HTML, so a reader's browser loads a stylesheet and fonts but no math
JavaScript. A formula KaTeX cannot render stops the build with the page, the
line and the formula.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from katex_render import arithmatex_span, katex, render_arithmatex  # noqa: F401 (katex: for the tests)
from fontTools import subset
from fontTools.ttLib import TTFont
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url

ROOT = Path(__file__).resolve().parent.parent
KATEX_DIST = ROOT / "node_modules" / "katex" / "dist"
ASSET_DIR = "assets/katex"

# Text that must never be searched for `$` math in notebook output: code, and
# the hidden copy of each code cell that the copy button puts on the clipboard.
PROTECTED = re.compile(
    r"(<(pre|code|script|style|svg)\b.*?</\2>"
    r"|<div class=\"clipboard-copy-txt\"[^>]*>.*?</div>"
    r"|<[^>]*>)",
    re.DOTALL | re.IGNORECASE,
)
NOTEBOOK_MATH = re.compile(r"\$\$(?P<display>.+?)\$\$|(?<![\\$])\$(?P<inline>[^$\n]+?)\$", re.DOTALL)
# nbconvert's templates put MathJax and Mermaid <script>s (from a CDN) into each
# notebook; math is already rendered and labs draw no diagrams, so they go.
NOTEBOOK_CDN_SCRIPTS = re.compile(
    r"<script\b[^>]*\bsrc=\"(https?://[^\"]*)?\"[^>]*>\s*</script>"
    r"|<script type=\"text/x-mathjax-config\">.*?</script>"
    r"|<script type=\"module\">[^<]*mermaid.*?</script>",
    re.DOTALL,
)


def notebook_math_as_arithmatex(text: str) -> str:
    """Notebook `$` math in the form arithmatex gives Markdown pages, drawn with them later."""
    text = NOTEBOOK_CDN_SCRIPTS.sub("", text)

    def replace(match: re.Match) -> str:
        display = match["display"] is not None
        tex = html.unescape(match["display"] if display else match["inline"])
        # A span either way: nbconvert may have put display math inside a <p>.
        return arithmatex_span(tex, display, tag="span")

    pieces = PROTECTED.split(text)
    out = []
    # re.split with two groups yields: text, whole-tag, inner-group, text, ...
    for index in range(0, len(pieces), 3):
        out.append(NOTEBOOK_MATH.sub(replace, pieces[index]))
        if index + 1 < len(pieces):
            out.append(pieces[index + 1])
    return "".join(out)


def is_notebook(page) -> bool:
    return page.file.src_uri.endswith((".py", ".ipynb"))


def on_page_content(html_text: str, page, config, files) -> str:
    if is_notebook(page):
        return notebook_math_as_arithmatex(html_text)
    return html_text


# The KaTeX fonts and the classes katex.css draws with each of them.
FONT_CLASSES = [
    ("Main-Regular", ["katex"]),
    ("Math-Italic", ["mathnormal"]),
    ("AMS-Regular", ["mathbb", "amsrm", "textbb"]),
    ("SansSerif-Regular", ["mathsf", "textsf"]),
    ("Main-Bold", ["mathbf", "textbf"]),
    ("Main-Italic", ["mathit", "textit"]),
    ("Math-BoldItalic", ["boldsymbol"]),
    ("Caligraphic-Regular", ["mathcal"]),
    ("Size1-Regular", ["delimsizing size1", "small-op", "delim-size1"]),
    ("Size2-Regular", ["delimsizing size2", "large-op"]),
    ("Size3-Regular", ["delimsizing size3"]),
    ("Size4-Regular", ["delimsizing size4", "delim-size4"]),
]
# How much of the page's drawn content counts as "near the top" (a few screens).
TOP = 30_000


BODY_TAG = re.compile(r"<body\b[^>]*>")


def font_preloads(output: str, page) -> str:
    """Preload the KaTeX fonts that the formulas near the top of the page draw with.

    They are then fetched with the stylesheets instead of after the first
    layout: text laid out in a fallback font moves when the real font arrives
    (a layout shift, which `make audit` measures: without the preloads CLS was
    0.004-0.015 on the Jacobians and vec-Kronecker lectures).

    The links open the page's <body> rather than sit in its <head>. Chromium
    lets a font preload that it meets before <body> hold up the first paint
    until the font arrives, with timers that end the wait
    (render_blocking_resource_manager.cc). In a third of Lighthouse's loads (13
    of 38, on 10 pages; 6 of 6 on the estimator-variance lab with every font of
    its first screen preloaded) the first frame was shown only about 1.3 s after
    the start, not the 0.2 s the fonts took, and the page scored 85-93 (LCP
    3.0-3.6 s). A preload met in <body> fetches the font as early (the
    browser's preload scanner reads ahead) and holds nothing up: no such wait in
    18 loads of 7 of those pages, CLS 0 in each, first paint at 0.1-0.2 s.
    """
    start = output.find('<article class="md-content__inner')
    top = output[start : start + TOP] if start >= 0 else ""
    if 'class="katex"' not in top:
        return output
    links = "".join(
        f'<link rel="preload" href="{get_relative_url(f"{ASSET_DIR}/fonts/KaTeX_{font}.woff2", page.url)}" '
        'as="font" type="font/woff2" crossorigin>'
        for font, classes in FONT_CLASSES
        if any(name in top for name in classes)
    )
    body = BODY_TAG.search(output)
    if body is None:
        raise PluginError(f"docs/{page.file.src_uri}: the written page has no <body> to put its font preloads in "
                          "(hooks/render_math.py)")
    return output[: body.end()] + links + output[body.end() :]


def on_post_page(output: str, page, config) -> str:
    return font_preloads(render_arithmatex(output, page), page)


def on_files(files: Files, config) -> Files:
    """Serve KaTeX's stylesheet and woff2 fonts from the site itself (subset_fonts trims the fonts)."""
    if not KATEX_DIST.is_dir():
        katex()  # raises the "not installed" error
    css = (KATEX_DIST / "katex.min.css").read_text(encoding="utf-8")
    # Every browser the site supports reads woff2; the woff/ttf fallbacks would be dead weight.
    css = re.sub(r',url\(fonts/[^)]+\.woff\) format\("woff"\)', "", css)
    css = re.sub(r',url\(fonts/[^)]+\.ttf\) format\("truetype"\)', "", css)
    fonts = sorted((KATEX_DIST / "fonts").glob("*.woff2"))
    shipped = {f"fonts/{font.name}" for font in fonts}
    missing = set(re.findall(r"url\(([^)]+)\)", css)) - shipped
    if missing:
        raise PluginError(f"katex.min.css refers to fonts the site does not ship: {sorted(missing)}")
    files.append(File.generated(config, f"{ASSET_DIR}/katex.min.css", content=css))
    for font in fonts:
        files.append(File.generated(config, f"{ASSET_DIR}/fonts/{font.name}", abs_src_path=str(font)))
    return files


# mkdocs build (not serve): the fonts are trimmed to the site's characters.
_building = False


def on_startup(*, command, dirty) -> None:
    global _building
    _building = command in ("build", "gh-deploy")


TAG = re.compile(r"<[^>]*>")


def subset_fonts(site_dir: Path) -> None:
    """The fonts that a page may preload (FONT_CLASSES) keep only the characters of the site.

    KaTeX's fonts hold far more than the course writes: the AMS font, which the first screen of
    most lectures needs (for ℝ), is 28,076 bytes, and 8,844 with the characters the site uses.
    The preloaded fonts are what a phone waits for before it draws the first paragraph that holds
    a formula. On the lectures and labs whose first screen needs four or five of them, Lighthouse
    mobile (simulated slow 4G) put that paragraph, the page's largest paint, at 1.95-2.18 s, and
    at 1.65-1.97 s with the fonts trimmed (4 pages, 2 alternating rounds against the same build
    untrimmed: jacobian-determinant 2.18 -> 1.81-1.83 s, estimator-variance 1.96 -> 1.66 s,
    adjoint-method 1.95 -> 1.65 s, random-functions 2.11-2.13 -> 1.96 s).
    The twelve fonts go from 165,980 bytes to 111,284. The other eight (calligraphic bold, Fraktur,
    script, sans-serif bold and italic, typewriter, roman bold italic) are never preloaded and
    would lose little: left whole.

    Kept: every character of every page's text (formulas, prose, code and all: a superset of the
    formulas' text), and printable ASCII (the equation numbers katex.css writes). The fonts are
    trimmed again from KaTeX's own at each build, from all the pages the site holds. Not under
    `mkdocs serve`, whose quick rebuilds render only the pages an edit changes: the fonts stay
    whole there, so that a character newly typed is drawn at once. tests/test_katex_fonts.py
    checks that every character of every formula is still in the fonts that held it, drawn the
    same. About 1.4 s of CPU per build (0.3 s reading the pages).
    """
    characters = {chr(code) for code in range(32, 127)}
    for page in site_dir.rglob("*.html"):
        characters.update(html.unescape(TAG.sub("", page.read_text(encoding="utf-8"))))
    for name, _ in FONT_CLASSES:
        source = KATEX_DIST / "fonts" / f"KaTeX_{name}.woff2"
        font = TTFont(source)
        kept = [code for code in font.getBestCmap() if chr(code) in characters]
        options = subset.Options()
        options.flavor = "woff2"
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=kept)
        subsetter.subset(font)
        font.save(site_dir / ASSET_DIR / "fonts" / source.name)


# Last of the build's steps: the print page (hooks/print_page.py) and the offline edition's
# rewritten pages (hooks/offline_edition.py) are written after the pages, and their characters count.
# Only a build of the whole course: a build of some pages (`make test PAGE=...` leaves the others
# out) or of a test's small site keeps the fonts whole, and the 1.1 s the trimming takes.
@event_priority(-100)
def on_post_build(config) -> None:
    whole_course = Path(config["docs_dir"]).resolve() == (ROOT / "docs").resolve() and not config["exclude_docs"]
    if _building and whole_course:
        subset_fonts(Path(config["site_dir"]))
