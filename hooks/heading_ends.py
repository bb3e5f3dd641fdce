"""A heading's permalink (¶) stays on the line of the heading's last word.

The permalink Python-Markdown's toc extension writes after each heading's text is a word of its
own to the browser, so a heading that just fills a line on a phone ended with a line holding
nothing but the ¶, which is invisible until hovered: an empty line under the heading. At each
of 360, 390 and 412 px that was 9 to 17 headings, page titles among them, on 7 to 13 pages;
`tests/browser/reader.py` checks every page at a phone and a desktop width. The last word and
the permalink are wrapped in a span that does not break (extra.css, .heading-end).

A lab's headings come from its notebook, with nbconvert's permalink (`<a class="anchor-link">`,
through mkdocs-jupyter) instead of the toc extension's. It is made the toc extension's, so that a
lab's headings behave as a lecture's: nbconvert's stylesheet showed its ¶ on hover by changing
`display`, so that a heading which just filled its line grew by one when the pointer passed over
it and moved the text below; the theme's search index kept the ¶ in the titles of the labs'
sections (66 of them: "The estimators¶"), where it skips the theme's own permalinks; and its last
word is kept with it here like any other.
"""

from __future__ import annotations

import re

# A heading's permalink, at the heading's end.
PERMALINK = re.compile(r'<a class="headerlink" href="#[^"]*" title="Permanent link">(?:¶|&para;)</a>(?=</h[1-6]>)')
WORD_END = re.compile(r"[\s<>]")
# nbconvert's permalink (mkdocs_jupyter/convert.py, add_anchor_lower_id), at a heading's end.
NBCONVERT_PERMALINK = re.compile(r'<a class="anchor-link" href="(?P<target>#[^"]*)">(?:¶|&para;)</a>(?=</h[1-6]>)')


def with_toc_permalinks(html: str) -> str:
    """nbconvert's permalinks at the ends of headings, written as the toc extension writes its own."""
    return NBCONVERT_PERMALINK.sub(r'<a class="headerlink" href="\g<target>" title="Permanent link">¶</a>', html)


def keep_permalinks_with_their_words(html: str) -> str:
    """Each permalink and the word before it (the text back to a space or a tag), wrapped. The
    word is found by looking back from the permalink: a pattern that looked for word and permalink
    together would try every start in a long run of text with no space (a figure's data URI)."""
    parts, done = [], 0
    for link in PERMALINK.finditer(html):
        start = link.start()
        while start > done and not WORD_END.match(html, start - 1):
            start -= 1
        # The heading ends with a tag, or with marks glued to the end of an element (a formula's
        # full stop, which hooks/katex_render.py keeps with its formula later in the build):
        # left as written.
        if start == link.start() or (html[start - 1] == ">" and html.startswith("</", html.rfind("<", 0, start))):
            continue
        # A lab's formulas are still TeX between dollars here (hooks/render_math.py renders them
        # later): a span inside `$a + b$` would leave it unrendered. Left as written.
        if "$" in html[start : link.start()]:
            continue
        parts += [html[done:start], '<span class="heading-end">', html[start : link.end()], "</span>"]
        done = link.end()
    return "".join(parts) + html[done:]


def on_page_content(html: str, page, config, files) -> str:
    return keep_permalinks_with_their_words(with_toc_permalinks(html))
