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

Shared code is folded. A long part of a snippet that several blocks include
(the backpropagation engine, 128 lines, opens a dozen checks and solutions) is
shown whole in its first block in the navigation's order, its home, and folded
in every other block, so that a solution shows first what it adds: in place of
the lines, one line in the code's comment colour names the section, links to
its home and has a "show" button that unfolds them (and "hide"). Which sections
and which block is home is the print page's rule (hooks/print_page.py:
repeated_sections, repeats); the print page, which is made from the pages'
content, keeps its own way of showing them, so the folds are put into the
written page only (on_post_page). The folded lines stay in the page: the copy
button copies the whole block, and without JavaScript the whole code shows.
The fold line's words are drawn by docs/assets/stylesheets/code-fold.css, so
the code element's text is the block's code and nothing else, whatever reads
it; docs/assets/javascripts/code-fold.js opens and closes the folds. Only the
pages with a fold load the two.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from mkdocs.exceptions import PluginError
from mkdocs.utils import get_relative_url

from print_page import CODE_BLOCK, TAG, repeated_sections, repeats

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


FOLD_STYLES = "assets/stylesheets/code-fold.css"
FOLD_SCRIPT = "assets/javascripts/code-fold.js"


def code_text(code: str) -> str:
    """The text of highlighted code, as a reader copies it."""
    return html.unescape(TAG.sub("", code))


@dataclass
class Home:
    """A code block, in the navigation's order: the home of the sections first shown in it."""
    url: str  # its page's URL
    title: str  # its page's title
    id: str = ""  # set when the block is a home


def fold_line(key: str, count: int, home: Home, url: str) -> str:
    """The line shown in place of a folded section. Its words are attributes that the stylesheet
    draws (the code element's text stays the code); the link goes to the home block, the button
    unfolds the lines that follow."""
    path, section = key.rsplit(":", 1)
    if home.url == url:
        href, where = f"#{home.id}", "above"
    else:
        href, where = f"{get_relative_url(home.url, url)}#{home.id}", home.title
    words = html.escape(f'# … {count} lines: {path}, section "{section}", shown in ')
    return (f'<span class="code-fold" data-fold="{words}">'
            f'<a href="{html.escape(href)}" aria-label="{html.escape(where)}"></a>'
            '<button type="button" aria-expanded="false" aria-label="show"></button></span>')


def fold_block(code: str, keys: list[str], sections: dict[str, str], first: dict[str, Home],
               url: str, where: str) -> str:
    """A block's highlighted code (the HTML inside <code>) with the lines of each section of `keys`
    wrapped in <span class="code-fold__lines">, after its fold line. Pygments closes its spans at
    each line's end, so the HTML's lines are matched by their text against the section's lines
    (the code's last line is empty: the code ends with a line break)."""
    lines = code.split("\n")
    texts = [code_text(line) for line in lines]
    folds: list[tuple[int, int, str]] = []  # (first line, end, key), none overlapping another
    for key in keys:
        body = sections[key].split("\n")
        start = next((i for i in range(len(texts) - len(body) + 1) if texts[i:i + len(body)] == body), None)
        if start is None:
            raise PluginError(f"{where}: the code block that begins {texts[0]!r} holds {key}, but not as "
                              "lines of their own (indented?): the lines to fold cannot be found")
        end = start + len(body)
        if any(start < other_end and other_start < end for other_start, other_end, _ in folds):
            continue  # a part of a section folded already
        section_html = "\n".join(lines[start:end])
        if section_html.count("<span") != section_html.count("</span>"):
            raise PluginError(f"{where}: in the code block that begins {texts[0]!r}, the highlighted lines "
                              f"of {key} do not close their own <span>s")
        folds.append((start, end, key))
    folds.sort()
    out, at = [], 0
    for number, (start, end, key) in enumerate(folds):
        # The blank lines after a section fold with it (up to the next fold): the code that follows
        # comes right under the fold line.
        stop = folds[number + 1][0] if number + 1 < len(folds) else len(lines) - 1
        while end < stop and not texts[end].strip():
            end += 1
        out.append("".join(line + "\n" for line in lines[at:start]))
        inside = "\n".join(lines[start:end]) + ("\n" if end < len(lines) else "")
        fold = fold_line(key, sections[key].count("\n") + 1, first[key], url)
        out.append(f'{fold}<span class="code-fold__lines">{inside}</span>')
        at = end
    out.append("\n".join(lines[at:]))
    return "".join(out)


def fold_shared_code(pages: list[tuple[str, str, str, str]], sections: dict[str, str]) -> dict[str, list]:
    """The pages given as (source file, URL, title, content) in the navigation's order: for each
    page's URL, each of its code blocks as (the id it gets as the home of a section, or ""; its
    highlighted code with the sections of `sections` that it repeats folded)."""
    first: dict[str, Home] = {}
    out = {}
    for source, url, title, content in pages:
        blocks = []
        for match in BLOCK.finditer(content):
            inner = CODE_BLOCK.search(match.group(0))
            home = Home(url, title)
            keys = repeats(code_text(inner["code"]), sections, first, home) if inner else []
            homed = [key for key in sections if first.get(key) is home]
            if homed:
                home.id = "shown-" + re.sub(r"[^a-z0-9]+", "-", homed[0].lower()).strip("-")
            blocks.append((home.id, fold_block(inner["code"], keys, sections, first, url, source) if keys else None))
        out[url] = blocks
    return out


def put_in(page_html: str, blocks: list[tuple[str, str | None]], where: str) -> str:
    """A page's HTML with the ids and folded code of its blocks (one entry of fold_shared_code)."""
    found = BLOCK.findall(page_html)
    if len(found) != len(blocks):
        raise PluginError(f"{where}: the written page has {len(found)} code blocks, its content {len(blocks)}: "
                          "the folds of shared code cannot be put in")
    plan = iter(blocks)

    def block(match: re.Match) -> str:
        block_id, code = next(plan)
        changed = match.group(0)
        if code is not None:
            inner = CODE_BLOCK.search(changed)
            if code_text(inner["code"]) != code_text(code):
                raise PluginError(f"{where}: a code block of the written page is not the one its content had "
                                  f"there ({code_text(code)[:60]!r}...): the folds cannot be put in")
            changed = changed.replace(inner.group(0), inner.group(1) + code + inner.group(3), 1)
        if block_id:
            changed = changed.replace('<div class="highlight"', f'<div class="highlight" id="{block_id}"', 1)
        return changed

    return BLOCK.sub(block, page_html)


_nav = None
# The code blocks of the pages with a fold or a home, from fold_shared_code: {page URL: its blocks}.
_folded: dict[str, list] = {}


def on_nav(nav, config, files):
    global _nav
    _nav = nav
    return nav


def on_env(env, config, files):
    """Every page's content is made and none is written yet: each block's home is known."""
    pages = [page for page in _nav.pages if page.content is not None]
    folded = fold_shared_code([(page.file.src_uri, page.url, page.title or "", page.content) for page in pages],
                              repeated_sections(pages))
    _folded.clear()
    for url, blocks in folded.items():
        if any(block_id or code for block_id, code in blocks):
            _folded[url] = blocks
    return env


def on_post_page(output: str, page, config) -> str:
    """The page as written gets the folds and ids of its blocks, and the styles and script of the
    folds (the styles in the head: the lines are folded from the first paint)."""
    if page.url not in _folded:
        return output
    output = put_in(output, _folded[page.url], page.file.src_uri)
    if 'class="code-fold"' in output:
        styles, script = get_relative_url(FOLD_STYLES, page.url), get_relative_url(FOLD_SCRIPT, page.url)
        output = output.replace("</head>", f'<link rel="stylesheet" href="{styles}">\n</head>', 1)
        output = output.replace("</body>", f'<script src="{script}" defer></script>\n</body>', 1)
    return output
