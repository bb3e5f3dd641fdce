"""The course PDF (`make pdf`): printed by headless Chromium from the built site's print page.

The PDF is made from the session's strict build by publish/pdf.py (which
fails if anything is wider than the sheet), run as `make pdf` runs it but in
the session's Chromium, then read back with pypdf: a
title page, a table of contents whose page numbers are the pages the chapters
start on, every page of the navigation as a chapter in teaching order, a page
number on every sheet, formulas as KaTeX (its fonts, no TeX source), and code
that is all there.
"""

from __future__ import annotations

import contextlib
import html
import importlib.util
import io
import re
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

import docblocks
from browser import chromium
from conftest import ROOT
from mkdocs.utils.yaml import yaml_load


def load_publisher():
    spec = importlib.util.spec_from_file_location("publish_pdf", ROOT / "publish" / "pdf.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


PDF = load_publisher()


def nav_sources() -> list[str]:
    """The pages of the navigation in mkdocs.yml, in teaching order."""
    with open(ROOT / "mkdocs.yml", encoding="utf-8") as handle:
        nav = yaml_load(handle)["nav"]
    out, stack = [], list(reversed(nav))
    while stack:
        item = stack.pop()
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            stack.extend(reversed(value))
        else:
            out.append(value)
    return out


def chapter_of(source: str) -> str:
    return "chapter-" + re.sub(r"[^A-Za-z0-9]+", "-", source.rsplit(".", 1)[0]).strip("-").lower()


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module", autouse=True)
def tools():
    """The PDF is read back by pdftotext: it is needed, and in CI never skipped (the `browser` fixture sees to Chromium)."""
    if shutil.which("pdftotext") is None:
        missing = "pdftotext is not installed: `sudo apt-get install poppler-utils` (`.ci/run` does this in CI)."
        if chromium.in_ci():
            pytest.fail(missing, pytrace=False)
        pytest.skip(missing)


@dataclass
class Run:
    """What `publish/pdf.py --site ... --output ...` ends with: its exit status and what it wrote."""

    returncode: int
    stdout: str
    stderr: str


def publish(browser, site: Path, output: Path) -> Run:
    """publish/pdf.py's command line, run in this process with the session's Chromium."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = PDF.main(["--site", str(site), "--output", str(output)], browser)
        except SystemExit as stop:  # as the interpreter would report it
            code = stop.code if isinstance(stop.code, int) else 1
            if not isinstance(stop.code, int):
                print(stop.code, file=sys.stderr)
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def printed(browser, site: Path, tmp_path_factory) -> tuple[Run, Path]:
    output = tmp_path_factory.mktemp("pdf") / "course.pdf"
    return publish(browser, site, output), output


@pytest.fixture(scope="module")
def reader(printed) -> PdfReader:
    result, output = printed
    assert result.returncode == 0, f"publish/pdf.py failed:\n{result.stdout}\n{result.stderr}"
    return PdfReader(output)


@pytest.fixture(scope="module")
def texts(printed, reader: PdfReader) -> list[str]:
    """The text of each page, by poppler's pdftotext (pypdf takes half a minute for the course)."""
    result = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(printed[1]), "-"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    pages = result.stdout.split("\f")[: len(reader.pages)]
    assert len(pages) == len(reader.pages), (len(pages), len(reader.pages))
    return pages


def test_the_pdf_is_made_and_nothing_is_wider_than_the_sheet(printed):
    result, output = printed
    assert result.returncode == 0, result.stderr
    assert output.stat().st_size > 0 and "pages" in result.stdout


def test_chapters_are_the_navigation_in_teaching_order(printed, reader: PdfReader):
    chapters = PDF.chapter_pages(printed[1].read_bytes())
    expected = [chapter_of(source) for source in nav_sources()]
    assert list(chapters) and set(chapters) == set(expected), set(chapters) ^ set(expected)
    starts = [chapters[name] for name in expected]
    assert starts == sorted(starts) and len(set(starts)) == len(starts), starts
    assert starts[0] >= 3, "the title page and the contents come first"


def test_title_page_and_contents_with_the_chapters_pages(printed, texts: list[str]):
    assert "Matrix Calculus for Machine Learning" in texts[0]
    chapters = PDF.chapter_pages(printed[1].read_bytes())
    contents = flat(" ".join(texts[1 : min(chapters.values()) - 1]))
    assert contents.startswith("Contents"), contents[:80]
    lines = [flat(line) for text in texts[1 : min(chapters.values()) - 1] for line in text.split("\n")]
    # "Title 12" for each chapter; the footer's "2" is not an entry.
    numbers = [int(m[1]) for line in lines if (m := re.fullmatch(r".+? (\d+)", line))]
    assert numbers == [chapters[chapter_of(source)] for source in nav_sources()], numbers


def test_every_sheet_has_its_page_number(texts: list[str]):
    """The last line of every sheet is its number, counted through the whole course."""
    footers = [text.strip().split("\n")[-1].strip() if text.strip() else "" for text in texts]
    missing = [number for number, footer in enumerate(footers, start=1) if footer != str(number)]
    assert not missing, f"pages whose footer is not their number: {missing[:20]} ({[footers[n - 1] for n in missing[:5]]})"


def test_formulas_are_typeset_by_katex_not_left_as_tex(reader: PdfReader, texts: list[str]):
    text = "\n".join(texts)
    for tex in ("$$", "\\frac", "\\mathrm", "\\left", "\\begin{"):
        assert tex not in text, f"TeX source {tex!r} in the PDF"
    fonts = set()
    for page in reader.pages[:60]:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont", "")))
    assert any("KaTeX_Math" in font for font in fonts) and any("KaTeX_Main" in font for font in fonts), fonts


def test_code_is_all_there(texts: list[str]):
    """The longest line of each lecture's first code block is in the PDF, whole (wrapped, not cut)."""
    text = flat("\n".join(texts))
    checked = 0
    for source in nav_sources():
        if not source.startswith("lectures/"):
            continue
        blocks = docblocks.collect(ROOT / "docs" / source)
        if not blocks:
            continue
        longest = flat(max(blocks[0].code.split("\n"), key=len))
        # pypdf may split a long token where the line wrapped; compare without spaces.
        assert longest.replace(" ", "") in text.replace(" ", ""), f"{source}: {longest!r} is not in the PDF"
        checked += 1
    assert checked, "no lecture with code was checked"


def test_every_figure_is_printed_with_its_text(site: Path, texts: list[str]):
    """Each figure of the site (its light SVG) is in the PDF: its labels, printed as text, are there."""
    # NFKC: the PDF sets "fl", "fi" and "ff" as ligatures (one character each).
    text = unicodedata.normalize("NFKC", flat("\n".join(texts))).replace(" ", "")
    figures = sorted(path for path in (site / "figures").rglob("*.svg") if not path.name.endswith(".dark.svg"))
    assert figures, "the site has no figures"
    missing = []
    for path in figures:
        # Horizontal labels: pdftotext writes a turned one (an axis title) a letter a line.
        labels = {flat(html.unescape(m["label"])) for m in re.finditer(
            r'<text\b(?P<attributes>[^>]*)>(?P<label>[^<]+)</text>', path.read_text())
            if not re.search(r'rotate\((?!-?0 )', m["attributes"])}
        labels = {label for label in labels if len(label) >= 4}
        absent = sorted(label for label in labels if unicodedata.normalize("NFKC", label).replace(" ", "") not in text)
        if not labels or absent:
            missing.append(f"{path.relative_to(site)}: labels not in the PDF: {absent or 'none to look for'}")
    assert not missing, "\n".join(missing)


def test_a_long_snippet_that_blocks_share_is_printed_once(texts: list[str]):
    """The backpropagation engine, included by a dozen checks and solutions, is printed whole in its
    own chapter (and in the training lab's cell that writes it), and named elsewhere."""
    text = "\n".join(texts)
    assert 1 <= text.count("class Tape:") <= 2, text.count("class Tape:")
    assert text.count("engine.py:engine, ") >= 10, text.count("engine.py:engine, ")


def test_the_outline_lists_the_chapters_at_their_pages(printed, reader: PdfReader):
    chapters = PDF.chapter_pages(printed[1].read_bytes())
    found, stack = {}, list(reader.outline)
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        else:
            found.setdefault(item.title, reader.get_destination_page_number(item) + 1)
    assert found.get("Conventions") == chapters["chapter-conventions"], found
    assert found.get("Contents") == 2
    assert len(found) >= len(nav_sources()), found


def test_every_link_inside_the_pdf_leads_somewhere(reader: PdfReader):
    """Links between chapters (the contents, cross-references) point at named destinations,
    which the chapters, printed apart, bring into the joined PDF; none points at nothing."""
    names = {name.lstrip("/") for name in reader.named_destinations}
    targets = [str(annotation.get_object()["/Dest"]).lstrip("/")
               for page in reader.pages for annotation in page.get("/Annots") or []
               if isinstance(annotation.get_object().get("/Dest"), str)]
    assert len(targets) > 100, f"only {len(targets)} links inside the PDF"
    missing = sorted(set(targets) - names)
    assert not missing, f"{len(missing)} link target(s) not in the PDF: {missing[:10]}"


def test_a_table_too_wide_for_the_sheet_fails_the_print(browser, tmp_path: Path):
    cells = "".join(f"<td>column&nbsp;number&nbsp;{n}</td>" for n in range(40))
    (tmp_path / "print.html").write_text(
        '<!doctype html><html><body><main class="print-document"><a href="#chapter-wide">Wide</a>'
        '<section class="print-chapter" id="chapter-wide"><h1>Wide</h1>'
        f'<table style="white-space: nowrap"><tr>{cells}</tr></table></section></main></body></html>'
    )
    result = publish(browser, tmp_path, tmp_path / "w.pdf")
    assert result.returncode == 1, result.stderr
    assert "cut at the page edge" in result.stderr and "chapter-wide: table: column number 0" in result.stderr
