"""`make pdf`: the whole course as one PDF, printed by headless Chromium from the built site.

The site's print page (print.html, written by hooks/print_page.py) is
opened from file:// and printed on A4 with page numbers in the footer (the
print page's own @page margin box, so Chromium 131 or newer):
1. wide formulas, tables and code are shrunk (at most to 60 %) until they fit
   the width of the sheet; anything still wider is reported and fails the run;
2. the title page and contents are printed, for their number of sheets; then
   each chapter alone, its page numbers counted on from the sheets before, so
   that the page on which each chapter starts is known;
3. those numbers are written into the table of contents, which is printed
   again (the numbers fill space kept free for them), and the parts are joined,
   with the named destinations that the links between chapters point to.
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
from pypdf.generic import Destination, Fit

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


def join(parts: list[PdfReader], contents: list[dict], chapters: dict[str, int], front_count: int) -> bytes:
    """The parts as one document: their pages in order, their named destinations (the links'
    targets, which may lie in another part) moved to where the pages went, and an outline
    (bookmarks) of the chapters."""
    writer = PdfWriter()
    for part in parts:
        first = len(writer.pages)
        for sheet in part.pages:
            writer.add_page(sheet)
        for name, destination in part.named_destinations.items():
            target = writer.pages[first + part.get_destination_page_number(destination)]
            fit = Fit.xyz(destination.left, destination.top, destination.zoom)
            writer.add_named_destination_object(Destination(name.lstrip("/"), target.indirect_reference, fit))
    parents: dict[str, object] = {}
    if front_count > 1:  # a title page, then the contents
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


# Shows only the children of the print document whose indices are given (the part to print),
# and starts the page counter at the number of sheets before it: one change of the document's
# styles per part. As two calls, the second (the counter alone) took 3.4 s over the course's 32
# parts; as one call, both take 0.7 s (wall time, measured on this 2-core machine).
SHOW = """
([shown, pagesBefore]) => {
  const parts = [...document.querySelector(".print-document").children];
  parts.forEach((part, index) => { part.style.display = shown.includes(index) ? "" : "none"; });
  document.documentElement.style.counterReset = `page ${pagesBefore}`;
}
"""

# The parts of the print document: the front matter's indices, and each chapter's index and id.
PARTS = """
() => {
  const parts = [...document.querySelector(".print-document").children];
  const front = [], chapters = [];
  parts.forEach((part, index) => {
    if (part.classList.contains("print-chapter")) chapters.push([index, part.id]);
    else front.push(index);
  });
  return [front, chapters];
}
"""


def print_course(site_dir: Path, output: Path, browser=None) -> Printed:
    """Print the site's print page to `output`, in `browser` (a Playwright Chromium) or in one launched here.

    The chapters are printed one at a time (the others hidden) and the parts joined: Chromium's
    time to print grows faster than the document, and the course printed whole took 40 s against
    8 s in parts (502 pages, measured on this 2-core machine). Each chapter starts on a new sheet,
    so the parts paginate as the whole would. The page numbers are the print page's own (an @page
    margin box, hooks/print_page.css), counted on from the parts before.
    """
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
        front_parts, chapter_parts = page.evaluate(PARTS)
        if not chapter_parts:
            raise SystemExit("the print page has no chapters (no .print-chapter sections)")

        def print_part(shown: list[int], pages_before: int) -> PdfReader:
            page.evaluate(SHOW, [shown, pages_before])
            return PdfReader(io.BytesIO(page.pdf(**options)))

        # The front matter first, for its length; again at the end, with the chapters' pages filled in.
        front_count = len(print_part(front_parts, 0).pages) if front_parts else 0
        parts, pages, chapters = [], front_count, {}
        for index, chapter in chapter_parts:
            chapters[chapter] = pages + 1
            parts.append(print_part([index], pages))
            pages += len(parts[-1].pages)
        front = None
        if front_parts:
            page.evaluate(
                """(chapters) => {
                  for (const span of document.querySelectorAll(".print-toc__page")) {
                    span.textContent = chapters[span.dataset.chapter] ?? "";
                  }
                }""",
                chapters,
            )
            front = print_part(front_parts, 0)
            if len(front.pages) != front_count:
                raise SystemExit(f"the contents took {len(front.pages)} pages with page numbers and {front_count} without")
    finally:
        context.close()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(join([front, *parts] if front else parts, contents, chapters, front_count))
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
