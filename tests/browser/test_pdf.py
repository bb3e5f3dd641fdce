"""The course PDF (`make pdf`): printed by headless Chromium from the built site's print page.

The PDF is made from the session's strict build by publish/pdf.py (which
fails if anything is wider than the sheet), run as `make pdf` runs it but in
the session's Chromium, then read back with pypdf: a
title page, a table of contents whose page numbers are the pages the chapters
start on, every page of the navigation as a chapter in teaching order, a page
number on every sheet, formulas as KaTeX (its fonts, no TeX source), and code
that is all there; and nothing a student's printed copy should not have: a long
line of code wraps with a hanging indent, a table broken across sheets leaves no
empty frame, the title page names no local address, and the text speaks of no
button (those are the site's).
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
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
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
    """The PDF is read back by pdftotext, and some sheets looked at by pdftoppm: both are needed, and in CI
    never skipped (the `browser` fixture sees to Chromium)."""
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        missing = "pdftotext or pdftoppm is not installed: `sudo apt-get install poppler-utils` (`.ci/run` does this in CI)."
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


def code_lines() -> set[str]:
    """Every line of code that a page or a lab shows, its spaces as pdftotext gives them (runs of one)."""
    lines = set()
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for block in docblocks.collect(page):
            lines.update(block.code.split("\n"))
    for lab in sorted((ROOT / "docs" / "labs").glob("*.py")):
        lines.update(lab.read_text(encoding="utf-8").split("\n"))
    return {flat(line) for line in lines if line.strip()}


def wrapped_code_lines(texts: list[str], sources: set[str]) -> list[tuple[str, str, int, int]]:
    """(the first part, the continuation, the column each starts at) for each line of code that
    the PDF wraps: a printed line that begins a longer line of code and is no line of its own,
    followed by one that goes on with that line."""
    by_start: dict[str, list[str]] = {}
    for source in sources:
        if len(source) > 40:
            by_start.setdefault(source[:20], []).append(source)
    found = []
    for text in texts:
        lines = text.split("\n")
        for first, after in zip(lines, lines[1:]):
            start = flat(first)
            candidates = by_start.get(start[:20], ()) if len(start) >= 20 and start not in sources else ()
            for source in candidates:
                remaining, rest = source[len(start):].lstrip(), flat(after)
                if source.startswith(start) and remaining and rest and (
                        remaining.startswith(rest[:15]) or rest.startswith(remaining[:15])):
                    found.append((start, rest, len(first) - len(first.lstrip()), len(after) - len(after.lstrip())))
                    break
    return found


def test_a_long_code_line_wraps_with_a_hanging_indent(texts: list[str]):
    """A line of code too long for the sheet goes on under itself, right of its own indentation
    (hooks/print_page.py and print_page.css: .print-line), not at the margin, where it would read
    as a line of its own and break the indentation that Python reads."""
    found = wrapped_code_lines(texts, code_lines())
    assert len(found) >= 20, f"only {len(found)} wrapped lines of code found in the PDF: has the sheet got wider?"
    flush = [f"{first!r} / {rest!r} (columns {column}, {continued})"
             for first, rest, column, continued in found if continued <= column]
    assert not flush, f"{len(flush)} of {len(found)} wrapped lines of code go on at or left of their start:\n" + "\n".join(flush[:10])


def sheet_images(pdf: Path, first: int, last: int, dpi: int) -> dict[int, np.ndarray]:
    """Sheets first..last (1-based) as grey images (pdftoppm's PGM), by page number."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-f", str(first), "-l", str(last), str(pdf), f"{folder}/p"],
                       check=True, capture_output=True)
        images = {}
        for path in Path(folder).glob("p-*.pgm"):
            magic, width, height, _, data = path.read_bytes().split(maxsplit=4)
            assert magic == b"P5", path
            shape = (int(height), int(width))
            images[int(path.stem.rsplit("-", 1)[1])] = np.frombuffer(data[: shape[0] * shape[1]], np.uint8).reshape(shape)
        return images


def test_a_table_broken_across_sheets_leaves_no_empty_frame(printed, reader: PdfReader):
    """The identity catalogue's tables run over several sheets. On each sheet a table's frame (its
    left side: a long light grey rule) ends just under the last row there, not at the foot of the
    sheet with an empty framed space under the rows that fit (print_page.css)."""
    chapters = sorted(PDF.chapter_pages(printed[1].read_bytes()).items(), key=lambda item: item[1])
    names = [name for name, _ in chapters]
    after = names.index("chapter-reference-identities") + 1
    start = chapters[after - 1][1]
    end = chapters[after][1] - 1 if after < len(chapters) else len(reader.pages)
    dpi = 100
    mm = dpi / 25.4
    empty, frames = [], 0
    for number, image in sorted(sheet_images(printed[1], start, end, dpi).items()):
        rule = (image >= 170) & (image < 245)  # a table's rule is light grey; text is dark, the paper white
        ink = image < 150
        # Each column's runs of rule, as (top, bottom, column); the long ones are the sides of frames.
        edges = np.diff(np.pad(rule, ((1, 1), (0, 0))).astype(np.int8), axis=0)
        tops, bottoms = np.argwhere(edges.T == 1), np.argwhere(edges.T == -1)  # sorted by column, then row
        long = bottoms[:, 1] - tops[:, 1] >= 15 * mm
        for (x, top), bottom in zip(tops[long], bottoms[long, 1]):
            rows = np.flatnonzero(ink[top:bottom, x + 3:].any(axis=1))
            if not len(rows):
                continue  # the right side of a frame: nothing right of it
            frames += 1
            below = (bottom - top - 1 - rows[-1]) / mm
            if below > 7:
                empty.append(f"page {number}: {below:.0f} mm of frame under the last row (x = {x / mm:.0f} mm)")
    assert frames >= end - start, f"only {frames} table frames found on the catalogue's {end - start + 1} sheets"
    assert not empty, "a table's frame goes on, empty, under its last row:\n" + "\n".join(empty)


def test_the_title_page_names_no_local_address(texts: list[str], reader: PdfReader):
    """A local build's site_url (mkdocs.yml's default, http://127.0.0.1:8000/) leads a reader of the
    printed course nowhere: the title page gives the address only when it is a published one."""
    local = re.compile(r"127\.0\.0\.1|localhost|0\.0\.0\.0")
    pages = [number for number, text in enumerate(texts, start=1) if local.search(text)]
    assert not pages, f"a local address on page(s) {pages[:10]}"
    uris = [str(annotation.get_object()["/A"].get("/URI")) for page in reader.pages
            for annotation in page.get("/Annots") or [] if "/A" in annotation.get_object()]
    assert not [uri for uri in uris if local.search(uri)], [uri for uri in uris if local.search(uri)][:5]


def test_the_text_speaks_of_no_button(texts: list[str]):
    """Paper has no buttons: a sentence about one of the site's (Download as notebook, copy, show)
    is worded to hold on paper too ("on the site"), without calling it a button."""
    pages = [number for number, text in enumerate(texts, start=1) if re.search(r"\bbuttons?\b", text, re.IGNORECASE)]
    assert not pages, f"'button' on page(s) {pages}: " + "; ".join(
        flat(line) for number in pages[:3] for line in texts[number - 1].split("\n") if "button" in line.lower())
