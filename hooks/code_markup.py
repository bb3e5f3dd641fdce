"""Lighter markup for highlighted code on the Markdown pages.

Pygments wraps every token of a code block in a <span>: names, punctuation and
whitespace included. Those three were a quarter to two fifths of all the elements
of a lecture page, and a phone styles every element again each time the
theme's script changes the page as it starts (it does so several times), so
they cost a phone a good part of a second on each lecture.

- A name (`class="n"`) is drawn in the code's own text colour
  (`--md-code-hl-name-color: var(--md-code-fg-color)` in both colour schemes),
  and whitespace (`class="w"`) has no style: without their span they look the
  same.
- Punctuation (`class="p"`: brackets, commas, dots, colons) loses its lighter
  grey and is drawn in the code's text colour, as names are. Keywords, strings,
  numbers, operators and comments keep their colours.

The text of each token stays where it was; only its wrapper goes. Outputs
(the blocks after an expected-output comment) get the class `output`. Only
pymdownx.highlight's blocks (<div class="highlight">) are touched: the labs'
cells are drawn by mkdocs-jupyter with its own stylesheet.
"""

from __future__ import annotations

import re

BLOCK = re.compile(r'<div class="highlight"[^>]*>.*?</pre></div>', re.S)
# A token span holds text only (Pygments escapes < and & inside it).
PLAIN = re.compile(r'<span class="[nwp]">([^<]*)</span>')


def lighten(html: str) -> str:
    return BLOCK.sub(lambda block: PLAIN.sub(r"\1", block.group(0)), html)


# The block a page shows as a block's output (after the comment pytest-codeblocks reads) gets the
# class `output`: its long lines wrap on a narrow screen (extra.css) instead of scrolling away.
OUTPUT = re.compile(r'(<!--pytest-codeblocks:expected-output-->\s*<div class=")highlight"')


def on_page_content(html: str, page, config, files) -> str:
    if not page.file.src_uri.endswith(".md"):
        return html
    return OUTPUT.sub(r'\1highlight output"', lighten(html))
