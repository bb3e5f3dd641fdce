"""The site's KaTeX fonts are trimmed to its characters (hooks/render_math.py, subset_fonts), and
no character of any formula is lost: each one that a font of KaTeX holds is in that font as the
site ships it, drawn the same (the same outline)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
KATEX_FONTS = ROOT / "node_modules" / "katex" / "dist" / "fonts"


class FormulaText(HTMLParser):
    """The characters drawn by the formulas of a page: the text inside KaTeX's drawn HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # open elements inside a .katex-html (0: outside)
        self.characters: set[str] = set()

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif "katex-html" in (dict(attrs).get("class") or "").split():
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.characters.update(data)


def outline(font: TTFont, code: int):
    glyph_set = font.getGlyphSet()
    name = font.getBestCmap()[code]
    pen = RecordingPen()
    glyph_set[name].draw(pen)
    return pen.value, glyph_set[name].width


def test_every_character_of_every_formula_is_kept_in_its_fonts(site):
    drawn: set[str] = set()
    pages = list(site.rglob("*.html"))
    for page in pages:
        reader = FormulaText()
        reader.feed(page.read_text(encoding="utf-8"))
        drawn |= reader.characters
    assert len(drawn) > 100, f"only {len(drawn)} characters in the formulas of {len(pages)} pages: is KaTeX's HTML read?"
    lost, trimmed = [], 0
    for source in sorted(KATEX_FONTS.glob("*.woff2")):
        whole, shipped = TTFont(source), TTFont(site / "assets" / "katex" / "fonts" / source.name)
        held, kept = whole.getBestCmap(), shipped.getBestCmap()
        trimmed += len(held) - len(kept)
        for code in sorted(held):
            if chr(code) not in drawn:
                continue
            if code not in kept:
                lost.append(f"{source.name}: {chr(code)!r} (U+{code:04X}) is gone")
            elif outline(whole, code) != outline(shipped, code):
                lost.append(f"{source.name}: {chr(code)!r} (U+{code:04X}) is drawn differently")
    assert not lost, f"{len(lost)} characters of the formulas lost from the fonts:\n" + "\n".join(lost[:20])
    assert trimmed > 0, "no KaTeX font is trimmed (hooks/render_math.py, subset_fonts)"


def test_what_katex_css_writes_is_kept(site):
    """katex.css writes text of its own (an equation's number: "(" counter ")"), drawn in the
    roman font: its characters, and the digits of the counter, are kept."""
    css = (site / "assets" / "katex" / "katex.min.css").read_text(encoding="utf-8")
    written = set("0123456789")
    for value in re.findall(r"content:([^;}]*)", css):
        for text in re.findall(r'"([^"]*)"', value):
            written.update(text)
    kept = TTFont(site / "assets" / "katex" / "fonts" / "KaTeX_Main-Regular.woff2").getBestCmap()
    lost = sorted(character for character in written if ord(character) not in kept)
    assert not lost, f"katex.css writes {lost}, which the trimmed KaTeX_Main-Regular lacks"
