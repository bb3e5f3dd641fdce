"""The figures (figures/figure_kit.py, hooks/figure_markup.py), as the built site serves them.

Each figure's script ran in the build, with its check() on the numbers it
draws (a failing one stops the build: tests/test_pipeline_errors.py). Here:
every script is shown on some page; every image has its alt text, its size and
both schemes; every label is at least 12 px on a phone; every text colour is
readable on its scheme's background; figures below the first screen are lazy.
"""

from __future__ import annotations

import gzip
import html
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "hooks"))
from figure_markup import PX_PER_PT, SAYS_WHAT_IT_IS  # noqa: E402  the rules the build applies

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "figures"
# The width of the text column on a 390 px phone (Material, measured in Chromium:
# .md-content__inner is 343 px wide). A figure wider than that is scaled down to it.
PHONE_COLUMN = 343
SMALLEST_TEXT_PX = 12
BACKGROUND = {"light": "#ffffff", "dark": "#1e2129"}
REFERENCE = re.compile(r'!\[[^\]]*\]\(figure:(?P<name>[^)\s"]*)')
IMAGE = re.compile(r'<a class="course-figure__open course-figure__(?P<scheme>light|dark)" href="(?P<href>[^"]+)"[^>]*>'
                   r'(?P<img><img\b[^>]*>)</a>')
FIGURE = re.compile(r'<figure class="course-figure">(?P<body>.*?)</figure>', re.DOTALL)
TEXT = re.compile(r"<text\b(?P<attributes>[^>]*)>(?P<text>[^<]*)</text>")
# matplotlib writes some text as <g style="fill: ..." transform="translate(x y) scale(s)"><text ...>
GROUP_THEN_TEXT = re.compile(r'<g style="fill: (?P<fill>#[0-9a-f]{6})"[^>]*>(?=<text\b)')


def scripts() -> list[str]:
    return sorted(path.relative_to(FIGURES).with_suffix("").as_posix() for path in FIGURES.glob("*/*.py"))


def referenced() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for match in REFERENCE.finditer(page.read_text(encoding="utf-8")):
            found.setdefault(match["name"], []).append(page.relative_to(ROOT).as_posix())
    return found


def luminance(color: str) -> float:
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def texts(svg: str) -> list[tuple[str, float, str]]:
    """(text, font size in SVG units, fill) of every text element."""
    fills = {match.end(): match["fill"] for match in GROUP_THEN_TEXT.finditer(svg)}
    found = []
    for match in TEXT.finditer(svg):
        attributes = match["attributes"]
        size = re.search(r"font-size: ([\d.]+)px", attributes)
        fill = re.search(r"fill: (#[0-9a-f]{6})", attributes)
        found.append((html.unescape(match["text"]), float(size[1]) if size else 0.0,
                      fill[1] if fill else fills.get(match.start(), "#000000")))
    return found


def test_every_figure_script_is_shown_on_a_page():
    shown = referenced()
    assert scripts(), "no figure in figures/"
    missing = [f"figures/{name}.py" for name in scripts() if name not in shown]
    assert not missing, "figures shown on no page (add ![alt](figure:<name>) to one):\n" + "\n".join(missing)


@pytest.mark.parametrize("name", scripts())
def test_figure_svgs_read_on_a_phone_in_both_schemes(site: Path, name: str):
    problems = []
    for scheme, suffix in (("light", ".svg"), ("dark", ".dark.svg")):
        path = site / "figures" / f"{name}{suffix}"
        assert path.is_file(), f"{path} was not built"
        svg = path.read_text(encoding="utf-8")
        box = re.search(r'<svg\b[^>]*\bviewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
        assert box, f"{path}: no viewBox"
        width_units = float(box[1])
        shown_px = min(width_units * PX_PER_PT, PHONE_COLUMN)  # at its natural size or scaled to the column
        found = texts(svg)
        assert found, f"{path}: no text element (is svg.fonttype 'none'?)"
        for text, size, fill in found:
            px = size * shown_px / width_units
            if px < SMALLEST_TEXT_PX - 0.05:
                problems.append(f"{scheme}: {text!r} is {px:.1f} px on a phone (font-size {size} in a "
                                f"{width_units:.0f}-unit-wide figure; at least {SMALLEST_TEXT_PX} px)")
            ratio = contrast(fill, BACKGROUND[scheme])
            if ratio < 4.5:
                problems.append(f"{scheme}: {text!r} in {fill} has contrast {ratio:.2f}:1 on {BACKGROUND[scheme]}")
        kilobytes = len(gzip.compress(svg.encode(), 6)) / 1024
        if kilobytes > 40:
            problems.append(f"{scheme}: {kilobytes:.0f} KB gzipped (at most 40: fewer points, or simpler marks)")
    assert not problems, f"figures/{name}.py:\n" + "\n".join(problems)


def test_figures_on_pages_have_alt_text_size_both_schemes_and_lazy_loading(site: Path):
    problems = []
    for name, pages in referenced().items():
        for page in pages:
            built = site / Path(page).relative_to("docs").with_suffix("") / "index.html"
            content = built.read_text(encoding="utf-8")
            figures = [m for m in FIGURE.finditer(content) if f"figures/{name}.svg" in m["body"]]
            if not figures:
                problems.append(f"{page}: figure {name} is not on the built page")
            for figure in figures:
                images = {m["scheme"]: m for m in IMAGE.finditer(figure["body"])}
                if set(images) != {"light", "dark"}:
                    problems.append(f"{page}: figure {name} has images for {sorted(images)}, not light and dark")
                for scheme, image in images.items():
                    img = image["img"]
                    for attribute in ("alt", "width", "height"):
                        if not re.search(rf'\b{attribute}="[^"]+"', img):
                            problems.append(f"{page}: figure {name} ({scheme}) has no {attribute}")
                    if not image["href"].endswith(f"{name}{'.dark' if scheme == 'dark' else ''}.svg"):
                        problems.append(f"{page}: figure {name} ({scheme}) opens {image['href']}")
                    start = content.find(figure.group(0))
                    # Far down a page a figure must not load before it is needed.
                    if start > 60_000 and 'loading="lazy"' not in img:
                        problems.append(f"{page}: figure {name} is far down the page and not lazy")
    assert not problems, "\n".join(problems)


# A lab figure: a file beside the page (hooks/lab_images.py), or a data: URL (the print page keeps those).
LAB_IMAGE = re.compile(r'<div class="jp-RenderedSVG[^"]*"[^>]*>\s*<img alt="(?P<alt>[^"]*)"[^>]*?\ssrc="(?P<src>[^"]+)"')
ALT_COMMENT = re.compile(r"^\s*# alt:", re.MULTILINE)
LAB_RASTER = re.compile(r'<div class="jp-RenderedImage[^"]*"[^>]*>\s*<img\b')


def lab_pages() -> list[str]:
    return sorted(path.stem for path in (ROOT / "docs" / "labs").glob("*.py"))


@pytest.mark.parametrize("lab", lab_pages())
def test_lab_figures_are_svg_with_alt_text_and_read_on_a_phone(site: Path, lab: str):
    """A lab's figures (matplotlib in its cells, SVG by hooks/labs.py's kernel settings): no raster image,
    alt text from the cell's `# alt:` comment, every label at least 12 px in a phone's column."""
    import base64

    content = (site / "labs" / lab / "index.html").read_text(encoding="utf-8")
    problems = [f"a raster image (PNG): draw it as a figure" for _ in LAB_RASTER.finditer(content)]
    images = list(LAB_IMAGE.finditer(content))
    # Each figure its cells draw (one per `# alt:` comment) is on the page, and measured here.
    drawn = len(ALT_COMMENT.findall((ROOT / "docs" / "labs" / f"{lab}.py").read_text(encoding="utf-8")))
    if len(images) != drawn:
        problems.append(f"{drawn} figures drawn by its cells, {len(images)} SVG images found on the page")
    for number, image in enumerate(images, start=1):
        alt = html.unescape(image["alt"])
        if not alt or alt.startswith("No description") or SAYS_WHAT_IT_IS.match(alt):
            problems.append(f"figure {number}: alt text {alt!r} (a '# alt: ...' comment in its cell says what it shows)")
        source = html.unescape(image["src"])
        if source.startswith("data:image/svg+xml;base64,"):
            svg = base64.b64decode(source.split(",", 1)[1]).decode("utf-8")
        else:
            svg = (site / "labs" / lab / source).read_text(encoding="utf-8")
        box = re.search(r'<svg\b[^>]*\bviewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
        width_units = float(box[1])
        shown_px = min(width_units * PX_PER_PT, PHONE_COLUMN)
        small = sorted({(round(size * shown_px / width_units, 1), text) for text, size, _ in texts(svg)
                        if size * shown_px / width_units < SMALLEST_TEXT_PX - 0.05})
        if not texts(svg):
            problems.append(f"figure {number}: no text element (text drawn as paths)")
        if small:
            problems.append(f"figure {number} ({width_units / 72:.1f} in wide): {len(small)} labels under "
                            f"{SMALLEST_TEXT_PX} px on a phone, e.g. {small[:4]}")
    assert not problems, f"docs/labs/{lab}.py:\n" + "\n".join(problems)
