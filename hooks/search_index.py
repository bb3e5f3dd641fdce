"""Code blocks stay out of the search index.

The search index is fetched by every first page a reader opens; code (and the
output printed under it) was more than half of its text. Readers search the
notes for ideas and names, which the prose carries (names of functions appear
in it as inline code, which stays indexed). Material's search plugin skips an
element marked `data-search-exclude` and strips the mark from the page after
indexing, so nothing of it reaches the reader's HTML.
"""

from __future__ import annotations

import re

# Highlighted blocks: pymdownx.highlight's <div class="highlight"> on pages,
# mkdocs-jupyter's <div class="highlight-ipynb ..."> for the cells of labs.
CODE_BLOCK = re.compile(r'<div class="(highlight|highlight-ipynb\b[^"]*)"')


def on_page_content(html: str, page, config, files) -> str:
    return CODE_BLOCK.sub(lambda m: f'{m.group(0)} data-search-exclude="code"', html)
