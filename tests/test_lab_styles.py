"""hooks/lab_styles.py: the labs' styles are one small stylesheet, not 590 KB inside every lab page.

mkdocs-jupyter (nbconvert's template) writes JupyterLab's whole stylesheet into each lab's
content; the hook takes it out and writes the share the pages use as one file, which the lab
pages and the print page link. Checked on the built site (no large <style> left in a lab page,
the link resolves, the file is small, last in the head as the styles were last) and on small
inputs: what is kept and what goes, and the errors that name the lab.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from hook_module import hook_module

ROOT = Path(__file__).resolve().parent.parent
lab_styles = hook_module("lab_styles")

STYLE = re.compile(r"<style\b[^>]*>.*?</style>", re.DOTALL)
STYLESHEET_LINK = re.compile(r'<link rel="stylesheet" href="(?P<href>[^"]+)"')


def test_lab_pages_link_one_small_stylesheet_instead_of_inline_styles(site: Path):
    labs = sorted((ROOT / "docs" / "labs").glob("*.py"))
    assert labs, "no labs"
    stylesheet = site / lab_styles.STYLESHEET
    assert stylesheet.is_file(), f"{lab_styles.STYLESHEET} is not in the site"
    size = stylesheet.stat().st_size
    # JupyterLab's stylesheet is 574 KB; the labs use about 20 KB of it.
    assert size < 40_000, f"{lab_styles.STYLESHEET} is {size / 1000:.0f} KB: it should hold only what the labs use"
    for lab in labs:
        page = site / "labs" / lab.stem / "index.html"
        text = page.read_text(encoding="utf-8")
        inline = sum(len(style) for style in STYLE.findall(text))
        assert inline < 2_000, f"{page.relative_to(site)}: {inline / 1000:.0f} KB of <style> in the page"
        hrefs = STYLESHEET_LINK.findall(text)
        assert hrefs and (page.parent / hrefs[-1]).resolve() == stylesheet.resolve(), (
            f"{page.relative_to(site)}: the last stylesheet it links is not {lab_styles.STYLESHEET}: {hrefs}")
    printed = (site / "print.html").read_text(encoding="utf-8")
    assert f'<link rel="stylesheet" href="{lab_styles.STYLESHEET}">' in printed, "print.html does not link the labs' styles"
    assert not [style for style in STYLE.findall(printed) if len(style) > 20_000], "print.html has a large <style>"


PAGE = """<html><head></head><body data-md-color-scheme="default">
<article class="md-typeset"><div class="jupyter-wrapper"><div class="jp-Cell"><pre>x</pre></div></div></article>
</body></html>"""
CSS = """
.jupyter-wrapper{--used:1px;--unused:2px;--chained:3px;--via:var(--chained);--read-elsewhere:4px}
.jupyter-wrapper .jp-Cell{padding:var(--used);margin:var(--via)}
.jupyter-wrapper .bp3-menu,.jupyter-wrapper .bp3-dialog{color:red}
.jupyter-wrapper .jp-Cell:hover{color:blue}
[data-md-color-scheme=slate] .jupyter-wrapper .jp-Cell{color:white}
.jupyter-wrapper .md-added{color:green}
@media print{.jupyter-wrapper .jp-Cell{display:none}.jupyter-wrapper .bp3-dialog{display:none}}
@media screen{.jupyter-wrapper .bp3-dialog{display:none}}
@keyframes jp-spin{to{opacity:1}}
@keyframes bp3-spin{to{opacity:1}}
.jupyter-wrapper pre{animation:jp-spin 1s}
.jupyter-wrapper :root{--icon:url(data:image/svg+xml;base64,AAAA)}
"""


def test_only_what_the_pages_can_use_is_kept():
    out = lab_styles.trimmed(CSS, [PAGE], ["a{width:var(--read-elsewhere)}"], [])
    rules = {line.split("{", 1)[0] for line in out.splitlines() if "{" in line}
    assert ".jupyter-wrapper .jp-Cell" in rules
    assert ".jupyter-wrapper .jp-Cell:hover" in rules, "a state (:hover) of an element on the page"
    assert "[data-md-color-scheme=slate] .jupyter-wrapper .jp-Cell" in rules, "the dark scheme's rule"
    assert "@media print" in rules and ".jupyter-wrapper pre" in rules
    assert "bp3" not in out, "rules for elements on no page"
    assert "@media screen" not in rules, "an @media left empty"
    assert "@keyframes jp-spin" in rules and "@keyframes bp3-spin" not in rules
    assert ":root" not in out, "nothing inside .jupyter-wrapper is the root"
    assert ".jupyter-wrapper .md-added" not in rules, "a class no page or script names"
    # Custom properties: kept where something reads them, here or in another stylesheet.
    assert "--used:1px" in out and "--via:var(--chained)" in out and "--chained:3px" in out
    assert "--read-elsewhere:4px" in out and "--unused" not in out


def test_a_class_that_a_script_adds_is_kept():
    """Material's script wraps a table in .md-typeset__scrollwrap as the page starts; a page's own
    script may add a class too."""
    with_script = PAGE.replace("</body>", '<script>tab.classList.add("md-added")</script></body>')
    assert ".jupyter-wrapper .md-added" in lab_styles.trimmed(CSS, [with_script], [], [])
    assert ".jupyter-wrapper .md-added" in lab_styles.trimmed(CSS, [PAGE], [], ['el.classList.add("md-added")'])


def lab_page(src_uri: str) -> SimpleNamespace:
    return SimpleNamespace(file=SimpleNamespace(src_uri=src_uri), url=src_uri[:-3] + "/")


def test_the_styles_go_from_the_content_and_must_be_the_same_in_every_lab():
    notebook = '<div class="jp-Notebook" data-jp-theme-light="true"></div>'
    content = f'<h1>Lab</h1><style type="text/css">.a{{b:c}}</style>\n<div class="jupyter-wrapper"><style>.cell-output{{}}</style>{notebook}</div>'
    lab_styles.on_pre_build(None)
    out = lab_styles.on_page_content(content, lab_page("labs/a.py"), None, None)
    assert out == f'<h1>Lab</h1><div class="jupyter-wrapper"><style>.cell-output{{}}</style>{notebook}</div>', out
    assert lab_styles.on_page_content(content, lab_page("labs/b.py"), None, None) == out
    with pytest.raises(PluginError, match=r"docs/labs/c\.py: mkdocs-jupyter wrote other styles than for docs/labs/a\.py"):
        lab_styles.on_page_content(content.replace("b:c", "b:d"), lab_page("labs/c.py"), None, None)
    with pytest.raises(PluginError, match=r"docs/labs/d\.py: .*no <div class=\"jupyter-wrapper\">"):
        lab_styles.on_page_content("<h1>Lab</h1><style>.a{}</style>", lab_page("labs/d.py"), None, None)
    lecture = "<style>.x{}</style><p>A lecture</p>"
    assert lab_styles.on_page_content(lecture, lab_page("lectures/x.md"), None, None) == lecture
    lab_styles.on_pre_build(None)


def test_the_link_comes_last_in_the_head():
    page = lab_page("labs/a.py")
    out = lab_styles.on_post_page('<head><link rel="stylesheet" href="x.css"></head><body></body>', page, None)
    assert out == ('<head><link rel="stylesheet" href="x.css"><link rel="stylesheet" '
                   'href="../../assets/stylesheets/jupyter.css">\n</head><body></body>'), out
    with pytest.raises(PluginError, match=r"docs/labs/a\.py: the page has no </head>"):
        lab_styles.on_post_page("<body></body>", page, None)


def notebook(cells: list[str]) -> str:
    return '<div class="jupyter-wrapper"><div class="jp-Notebook" data-jp-theme-light="true">\n' + "".join(cells) + "</div></div>"


def markdown_cell(text: str) -> str:
    return f'<div class="jp-Cell jp-MarkdownCell jp-Notebook-cell" id="cell-id={text}">\n<div><p>{text}</p></div>\n</div>\n'


def code_cell(text: str) -> str:
    # As mkdocs-jupyter writes one: a cell <div> inside another.
    return (f'<div class="jp-Cell jp-CodeCell jp-Notebook-cell">\n<div class="jp-Cell jp-CodeCell jp-Notebook-cell" '
            f'id="cell-id={text}"><div class="jp-InputArea"><pre>{text}</pre></div><div class="jp-OutputArea">'
            '<div><img src="x.svg"></div></div></div>\n</div>\n')


def marked(html_text: str) -> list[str]:
    """The ids of the cells marked lab-later (a code cell: its inner cell's id)."""
    found = []
    for opening in re.finditer(r'<div class="lab-later jp-Cell [^"]*"[^>]*>', html_text):
        found.append(re.search(r'id="cell-id=([^"]+)"', html_text[opening.start():])[1])
    return found


def test_the_cells_between_the_first_two_and_the_last_three_are_marked():
    cells = [markdown_cell("m0"), code_cell("c1"), markdown_cell("m2"), code_cell("c3"), markdown_cell("m4"),
             code_cell("c5"), markdown_cell("m6"), code_cell("c7")]
    out = lab_styles.with_later_cells(notebook(cells), "docs/labs/a.py")
    assert marked(out) == ["m2", "c3", "m4"], out
    # Only the outer <div> of a code cell is marked: it is the notebook's child, which the stylesheet names.
    assert out.count("lab-later") == 3
    assert lab_styles.with_later_cells(notebook(cells), "docs/labs/a.py").replace("lab-later ", "") == notebook(cells)
    # Five cells or fewer: every cell is drawn from the start.
    assert "lab-later" not in lab_styles.with_later_cells(notebook(cells[:5]), "docs/labs/a.py")
    assert marked(lab_styles.with_later_cells(notebook(cells[:6]), "docs/labs/a.py")) == ["m2"]


def test_a_notebook_the_hook_cannot_read_is_an_error_that_names_the_lab():
    with pytest.raises(PluginError, match=r'docs/labs/a\.py: .*no <div class="jp-Notebook">'):
        lab_styles.with_later_cells('<div class="jupyter-wrapper"></div>', "docs/labs/a.py")
    with pytest.raises(PluginError, match=r"docs/labs/a\.py: the notebook's <div> is not closed"):
        lab_styles.with_later_cells(notebook([markdown_cell("m0")])[: -len("</div></div>")], "docs/labs/a.py")
    with pytest.raises(PluginError, match=r'docs/labs/a\.py: the notebook holds a <div> that is not a cell: <div class="other">'):
        lab_styles.with_later_cells(notebook([markdown_cell("m0"), '<div class="other"></div>']), "docs/labs/a.py")


def test_every_lab_marks_its_middle_cells(site: Path):
    """On the built site, read by an HTML parser of its own: each lab marks the cells past its first
    two and before its last three, and only those."""
    from lxml import html as lxml_html

    for lab in sorted((ROOT / "docs" / "labs").glob("*.py")):
        page = lxml_html.parse(str(site / "labs" / lab.stem / "index.html"))
        cells = page.xpath('//div[@class="jp-Notebook"]/div')
        assert cells, f"labs/{lab.stem}: no cells found"
        marked = [index for index, cell in enumerate(cells) if lab_styles.LATER in cell.get("class").split()]
        assert marked == list(range(2, len(cells) - 3)), f"labs/{lab.stem}: {len(cells)} cells, marked {marked}"
        assert len(page.xpath(f'//div[contains(@class, "{lab_styles.LATER}")]')) == len(marked), lab.stem
