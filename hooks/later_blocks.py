"""Marks the blocks of a long Markdown page that extra.css lays out only when they come near the
screen (`content-visibility: auto`): a paragraph, list, quotation, displayed formula or code block
of the page's content, past its first FIRST_DRAWN blocks and before its last LAST_DRAWN, gets the
class LATER. (A lab's cells are marked by hooks/lab_styles.py, with_later_cells.)

The mark is written here rather than chosen in the stylesheet by position, as it was
(`:nth-child(n + 16):nth-last-child(n + 16)`): a browser does not match a selector that counts
from the end while the parent's children are still arriving, so a phone that painted a lecture
before its last bytes were parsed styled and laid out everything parsed so far, nothing skipped.
Traced on the random-functions lecture: 13,516 elements styled and 19,940 laid out in that first
frame, against 3,898 and 5,539 when the document was whole; Lighthouse mobile scored it 87-89 in
those runs (LCP 3.4 s) and 97-98 in the others. With the class: see the commit that brought this.

The blocks counted are the children of the page's <article> as written (the theme's additions
too, as the selector counted them), found by their tags' nesting, last of all the hooks; a page
whose tags do not nest is refused (PluginError naming it and the line).
"""

from __future__ import annotations

import re

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

LATER = "drawn-later"
FIRST_DRAWN, LAST_DRAWN = 15, 15
# The blocks extra.css may skip. Admonitions, collapsible blocks, tables and figures are always
# laid out (their room is hard to guess, and the theme measures some of them as the page starts).
SKIPPABLE = {"p", "ul", "ol", "blockquote"}
SKIPPABLE_DIVS = {"arithmatex", "highlight"}

# A start tag, an end tag, or what holds no tags: a comment, a script or style's text.
TOKEN = re.compile(
    r"<!--.*?-->"
    r"|<(?P<raw>script|style)\b[^>]*>.*?</(?P=raw)\s*>"
    r"|<(?P<end>/)?(?P<name>[a-zA-Z][\w:-]*)(?P<attributes>(?:\s[^>]*?)?)(?P<self>/)?>",
    re.DOTALL | re.IGNORECASE,
)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
CLASS = re.compile(r'\sclass="(?P<value>[^"]*)"')
_same_name: dict[str, re.Pattern] = {}


def same_name(name: str) -> re.Pattern:
    """A start or end tag named `name`, or what holds no tags (skipped over)."""
    if name not in _same_name:
        _same_name[name] = re.compile(
            r"<!--.*?-->"
            r"|<(?P<raw>script|style)\b[^>]*>.*?</(?P=raw)\s*>"
            rf"|<(?P<end>/)?{re.escape(name)}(?=[\s/>])(?:\s[^>]*?)?(?P<self>/)?>",
            re.DOTALL | re.IGNORECASE,
        )
    return _same_name[name]


def line_of(html_text: str, index: int) -> int:
    return html_text.count("\n", 0, index) + 1


def top_level(html_text: str, start: int, container: str, where: str) -> list[re.Match]:
    """The start tags of the elements directly inside the <container> whose start tag ends at
    `start`, in order. From each one's start the scan jumps to its end, counting only the tags of
    its own name (a lecture's formulas are thousands of <span>s: reading every tag of the page
    took 0.46 s of each build, this 0.06 s, to the same marks)."""
    found, at = [], start
    while True:
        token = TOKEN.search(html_text, at)
        if token is None:
            raise PluginError(f"{where}: the page's <{container}> is not closed (hooks/later_blocks.py)")
        at = token.end()
        if token["name"] is None:  # a comment, or a script or style (an element with no tags inside)
            if token["raw"]:
                found.append(token)
            continue
        name = token["name"].lower()
        if token["end"]:
            if name != container:
                raise PluginError(f"{where}: line {line_of(html_text, token.start())} of the written page closes "
                                  f"<{name}>, which is not open (hooks/later_blocks.py needs tags that nest)")
            return found
        found.append(token)
        if token["self"] or name in VOID:
            continue
        depth = 1
        for inner in same_name(name).finditer(html_text, at):
            if inner.group(0).startswith("<!--") or inner["raw"]:
                continue
            if inner["end"]:
                depth -= 1
                if depth == 0:
                    at = inner.end()
                    break
            elif not inner["self"]:
                depth += 1
        else:
            raise PluginError(f"{where}: line {line_of(html_text, token.start())} of the written page opens "
                              f"<{name}>, which is never closed (hooks/later_blocks.py needs tags that nest)")


def skippable(tag: re.Match) -> bool:
    name = (tag["name"] or "").lower()
    if name in SKIPPABLE:
        return True
    if name != "div":
        return False
    classes = CLASS.search(tag["attributes"] or "")
    return bool(classes) and bool(SKIPPABLE_DIVS & set(classes["value"].split()))


def marked(tag: str) -> str:
    """The start tag with LATER among its classes."""
    classes = CLASS.search(tag)
    if classes:
        return f'{tag[: classes.end("value")]} {LATER}{tag[classes.end("value") :]}'
    name_end = re.match(r"<[a-zA-Z][\w:-]*", tag).end()
    return f'{tag[:name_end]} class="{LATER}"{tag[name_end:]}'


ARTICLE = re.compile(r'<article class="md-content__inner[^"]*">')


def with_later_blocks(html_text: str, where: str) -> str:
    """The written page with its skippable blocks past the first FIRST_DRAWN and before the last
    LAST_DRAWN marked."""
    article = ARTICLE.search(html_text)
    if article is None:
        raise PluginError(f"{where}: the written page has no <article class=\"md-content__inner\">: the theme's "
                          "template changed (hooks/later_blocks.py)")
    blocks = top_level(html_text, article.end(), "article", where)
    pieces, end = [], 0
    for tag in blocks[FIRST_DRAWN : max(FIRST_DRAWN, len(blocks) - LAST_DRAWN)]:
        if skippable(tag):
            pieces += [html_text[end : tag.start()], marked(tag[0])]
            end = tag.end()
    return "".join(pieces) + html_text[end:]


# Last, on the page as written: the other hooks find blocks by their start tags as Python-Markdown
# and KaTeX wrote them (`<div class="arithmatex">`), and the print page, the search index and the
# notebooks are made from the content before this.
@event_priority(-100)
def on_post_page(output: str, page, config) -> str:
    if page.file.src_uri.endswith((".py", ".ipynb")):  # a lab: hooks/lab_styles.py marks its cells
        return output
    return with_later_blocks(output, f"docs/{page.file.src_uri}")
