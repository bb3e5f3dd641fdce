"""The labs' figures are files beside their page (hooks/lab_images.py), not data: URLs inside it,
each image sized as its SVG is (nothing moves as it loads) and loaded when it nears the screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LABS = sorted(path.stem for path in (ROOT / "docs" / "labs").glob("*.py"))
IMAGE = re.compile(r'<div class="jp-RenderedSVG[^"]*"[^>]*>\s*(?P<img><img\b[^>]*>)')
SVG_SIZE = re.compile(r'<svg\b[^>]*?\swidth="(?P<width>[\d.]+)pt"[^>]*?\sheight="(?P<height>[\d.]+)pt"')


def attribute(img: str, name: str) -> str | None:
    found = re.search(rf'\s{name}="([^"]*)"', img)
    return found[1] if found else None


@pytest.mark.parametrize("lab", LABS)
def test_lab_figures_are_files_of_their_size(site: Path, lab: str):
    page = site / "labs" / lab / "index.html"
    content = page.read_text(encoding="utf-8")
    images = [match["img"] for match in IMAGE.finditer(content)]
    assert images, f"labs/{lab}/: no figure found"
    assert "data:image/svg" not in content, f"labs/{lab}/: a figure is still a data: URL in the page"
    for number, img in enumerate(images, start=1):
        source = page.parent / attribute(img, "src")
        assert source.is_file(), f"labs/{lab}/ figure {number}: {source.name} was not written"
        size = SVG_SIZE.search(source.read_text(encoding="utf-8")[:2000])
        expected = [round(float(size[key]) * 4 / 3) for key in ("width", "height")]
        assert [int(attribute(img, "width") or 0), int(attribute(img, "height") or 0)] == expected, (
            f"labs/{lab}/ figure {number}: width and height are not its SVG's ({expected} px)")
        assert attribute(img, "loading") == "lazy", f"labs/{lab}/ figure {number} is not loaded lazily"
        assert attribute(img, "alt"), f"labs/{lab}/ figure {number} lost its alt text"


def test_the_print_page_keeps_the_figures_in_it(site: Path):
    """print.html is one file the PDF is printed from: its figures stay data: URLs."""
    printed = (site / "print.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<div class="jp-RenderedSVG[^"]*"[^>]*>\s*<img\b[^>]*src="data:image/svg', printed)) >= len(LABS)
