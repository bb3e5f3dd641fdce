"""`make pdf`: the whole course as one PDF, printed by headless Chromium from the built site.

The site's print page (print.html, written by hooks/print_page.py) is
opened from file:// and printed on A4 with page numbers in the footer:
1. wide formulas, tables and code are shrunk (at most to 60 %) until they fit
   the width of the sheet; anything still wider is reported and fails the run;
2. the document is printed once; the PDF's named destinations (the chapters'
   ids) give the page on which each chapter starts;
3. those numbers are written into the table of contents, and the title page and
   contents alone are printed again and replace the first sheets of the PDF,
   whose layout they share (the numbers fill space kept free for them).
The PDF's outline (bookmarks) lists the chapters under their sections. The
PDF is not tagged: a tagged PDF of the course is four times the size and
twice the time to make, and the site itself is the accessible edition.

    .venv/bin/python publish/pdf.py [--site site] [--output dist/matrix-calculus-notes.pdf]
"""

from __future__ import annotations

import argparse
import io
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from browser import chromium  # noqa: E402  (where Chromium is and how it runs here, shared with the tests)

# Chromium's PDFs make pypdf warn about their trailer; the files are sound.
logging.getLogger("pypdf").setLevel(logging.ERROR)
DEFAULT_OUTPUT = ROOT / "dist" / "matrix-calculus-notes.pdf"
MARGIN = {"top": "16mm", "bottom": "18mm", "left": "15mm", "right": "15mm"}
# A4 width less the side margins, in CSS pixels (96 per inch): the width a line may take.
SHEET_WIDTH_PX = round((210 - 30) / 25.4 * 96)
SMALLEST_SCALE = 0.6
FOOTER = (
    '<div style="font-size: 8px; width: 100%; text-align: center; color: #555;">'
    '<span class="pageNumber"></span> / {total}</div>'
)

# Shrinks what is wider than the sheet, in steps, and names what still does not fit.
FIT = """
([limit, smallest]) => {
  // A few pixels over is a table's border, not text that is cut.
  const wide = (element) => element.scrollWidth > element.clientWidth + 4;
  const selector = "div.arithmatex, .md-typeset__table, table, pre, .jp-OutputArea-output";
  const cut = [];
  for (const element of document.querySelectorAll(selector)) {
    let scale = 1;
    while (wide(element) && scale > smallest) {
      scale = Math.max(smallest, scale * 0.9);
      element.style.fontSize = `${scale}em`;
    }
    const chapter = element.closest(".print-chapter");
    if (wide(element) || element.getBoundingClientRect().right > limit + 4) {
      const text = element.innerText.replace(/\\s+/g, " ").slice(0, 70);
      cut.push(`${chapter ? chapter.id : "front matter"}: ${element.tagName.toLowerCase()}: ${text}`);
    }
  }
  return cut;
}
"""

# The contents as the print page lists them: chapter ids, titles and the sections they are in.
CONTENTS = """
() => [...document.querySelectorAll(".print-toc a")].map((link) => ({
  chapter: link.getAttribute("href").slice(1),
  title: link.querySelector(".print-toc__title").textContent.trim(),
  section: link.closest(".print-toc__section")?.firstChild.textContent.trim() ?? null,
}))
"""


@dataclass
class Printed:
    pages: int
    chapters: dict[str, int]  # chapter id -> first page (1-based)
    cut: list[str] = field(default_factory=list)  # what is wider than the sheet even when shrunk


def chapter_pages(pdf: bytes) -> dict[str, int]:
    """The page (1-based) of each chapter's named destination."""
    reader = PdfReader(io.BytesIO(pdf))
    return {
        name.lstrip("/"): reader.get_destination_page_number(destination) + 1
        for name, destination in reader.named_destinations.items()
        if name.lstrip("/").startswith("chapter-") and "--" not in name
    }


def finish(document: bytes, front: bytes | None, front_count: int, contents: list[dict], chapters: dict[str, int]) -> bytes:
    """The document with its first pages drawn as in `front`, and an outline (bookmarks) of its chapters."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(document)))
    if front is not None:
        front_reader = PdfReader(io.BytesIO(front))
        for index in range(front_count):
            source, target = front_reader.pages[index], writer.pages[index]
            for key in ("/Contents", "/Resources"):
                # raw_get keeps an indirect object indirect: a content stream must be one.
                target[NameObject(key)] = source.raw_get(key).clone(writer)
    parents: dict[str, object] = {}
    if front_count > 1:
        writer.add_outline_item(title="Contents", page_number=1)
    for entry in contents:
        page = chapters.get(entry["chapter"])
        if page is None:
            continue
        parent = None
        if entry["section"]:
            if entry["section"] not in parents:
                parents[entry["section"]] = writer.add_outline_item(title=entry["section"], page_number=page - 1)
            parent = parents[entry["section"]]
        writer.add_outline_item(title=entry["title"], page_number=page - 1, parent=parent)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def print_course(site_dir: Path, output: Path, browser=None) -> Printed:
    """Print the site's print page to `output`, in `browser` (a Playwright Chromium) or in one launched here."""
    page_file = site_dir / "print.html"
    if not page_file.is_file():
        raise SystemExit(f"{page_file} is missing: build the site first (make build)")
    if browser is None:
        from playwright.sync_api import sync_playwright

        executable = chromium.executable()
        if executable is None:
            raise SystemExit(chromium.HOW_TO_INSTALL)
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=executable, args=chromium.FLAGS)
            try:
                return print_course(site_dir, output, launched)
            finally:
                launched.close()

    options = {"format": "A4", "margin": MARGIN, "print_background": True}
    context = browser.new_context(viewport={"width": SHEET_WIDTH_PX, "height": 1000})
    try:
        page = context.new_page()
        # Print styles from the start: the long document is laid out once, not once per medium.
        page.emulate_media(media="print")
        page.goto(page_file.resolve().as_uri(), wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        cut = page.evaluate(FIT, [SHEET_WIDTH_PX, SMALLEST_SCALE])
        contents = page.evaluate(CONTENTS)

        footer = FOOTER.format(total='<span class="totalPages"></span>')
        document = page.pdf(display_header_footer=True, header_template="<span></span>",
                            footer_template=footer, **options)
        pages = len(PdfReader(io.BytesIO(document)).pages)
        chapters = chapter_pages(document)
        if not chapters:
            raise SystemExit("the printed course has no chapters (no print-chapter destinations)")
        first = min(chapters.values())

        front = None
        if first > 1:  # a title page and contents to number
            page.evaluate(
                """(chapters) => {
                  for (const span of document.querySelectorAll(".print-toc__page")) {
                    span.textContent = chapters[span.dataset.chapter] ?? "";
                  }
                  for (const chapter of document.querySelectorAll(".print-chapter")) {
                    chapter.style.display = "none";
                  }
                }""",
                chapters,
            )
            front = page.pdf(display_header_footer=True, header_template="<span></span>",
                             footer_template=FOOTER.format(total=pages), **options)
    finally:
        context.close()
    front_count = 0
    if front is not None:
        front_count = len(PdfReader(io.BytesIO(front)).pages)
        if front_count != first - 1:
            raise SystemExit(f"the contents took {front_count} pages with page numbers and {first - 1} without")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(finish(document, front, front_count, contents, chapters))
    return Printed(pages=pages, chapters=chapters, cut=cut)


def main(argv: list[str], browser=None) -> int:
    """The command line; `browser` is a running Chromium to print in (the tests pass theirs)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    printed = print_course(args.site.resolve(), args.output.resolve(), browser)
    print(f"{args.output}: {printed.pages} pages, {len(printed.chapters)} chapters, "
          f"{args.output.stat().st_size / 1e6:.1f} MB")
    if printed.cut:
        print("wider than the sheet even at 60 %, so cut at the page edge:", *printed.cut, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
