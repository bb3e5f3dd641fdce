"""The labs' stylesheet: one file, `assets/stylesheets/jupyter.css`, instead of the styles that
mkdocs-jupyter writes into every lab page.

nbconvert's template (through mkdocs-jupyter, which has no option to leave them out: its
`theme` only picks JupyterLab's light or dark variables) puts four <style> elements before each
lab's notebook: Pygments' colours for the cells, JupyterLab's whole stylesheet (574 KB, nearly
all of it for JupyterLab's own interface: menus, dialogs, icons as data: URLs), its light
theme's variables and Mermaid's. Every lab page carried them, 591 KB (90 KB gzipped) before its
first word, and parsed them again; a phone's first paint came before them, and the cells moved
when they arrived (CLS 0.19 on the finite-difference lab).

This hook takes them out of each lab's content (they must be the same in every lab: the file
is shared) and writes what the site uses of them as one stylesheet, which the lab pages and the
print page link. It keeps a rule if each class, id, element and attribute its selector names is
on some page that links the file or in the site's scripts (which add classes as a page starts),
pseudo-classes aside (a rule for :hover stays if its element is there); an @keyframes that a
kept animation names; and a custom property that some stylesheet of the site, or a page's own
style, reads. What it leaves out matches nothing on those pages, so they look as they did: the
nine labs, at 390 and 1280 px, light and dark, gave the same screenshots to the pixel with the
styles inline and with this file. The link comes last in the page's head, the styles having
come after every stylesheet of the head, so the cascade is the one it was.

Measured (Lighthouse mobile, 3-run medians, on this 2-core machine): the file is 19.6 KB
(3.2 KB gzipped); the nine lab pages went from 10.2 MB to 4.9 MB (1.53 MB to 0.72 MB gzipped),
and performance from 89 to 98 (finite-difference lab) and 89 to 97 (change of variables, the
largest figures). The whole 591 KB as the one file instead scored 97 and 91, LCP 0.2 and 0.6 s
later: the trimming earns its 0.55 s of CPU per build (parsing the CSS, reading the labs and
the print page).

It also marks the cells that extra.css draws only when they come near the screen (with_later_cells).
"""

from __future__ import annotations

import re
from pathlib import Path

import tinycss2
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.utils import get_relative_url

STYLESHEET = "assets/stylesheets/jupyter.css"
LAB_DIR = "labs/"
# The template's styles, before the notebook itself (a cell's output may hold a <style> of its own).
TEMPLATE_STYLES = re.compile(r"\A(?P<before>.*?)(?=<div class=\"jupyter-wrapper\">)", re.DOTALL)
STYLE = re.compile(r"<style\b[^>]*>(?P<css>.*?)</style>\s*", re.DOTALL)

# What a page holds, as a selector names it.
CLASS_ATTRIBUTE = re.compile(r'\sclass="([^"]*)"')
ID_ATTRIBUTE = re.compile(r'\sid="([^"]*)"')
TAG_NAME = re.compile(r"<([a-zA-Z][\w-]*)")
ATTRIBUTES = re.compile(r"<[a-zA-Z][\w-]*(\s[^>]*)>")
ATTRIBUTE_NAME = re.compile(r"\s(?P<name>[a-zA-Z_:][\w:.-]*)(?==|\s|/?$)")
SCRIPT = re.compile(r"<script\b[^>]*>(?P<script>.*?)</script>", re.DOTALL)
WORD = re.compile(r"[A-Za-z_][\w-]*")
VAR = re.compile(r"var\(\s*(?P<name>--[\w-]+)")


def is_lab(src_uri: str) -> bool:
    return src_uri.startswith(LAB_DIR) and src_uri.endswith(".py")


class Present:
    """The classes, ids, elements and attributes found in some pages."""

    def __init__(self) -> None:
        self.classes: set[str] = set()
        self.ids: set[str] = set()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.words: set[str] = set()  # in the pages' scripts, which may add a class as they run

    def add_script(self, script: str) -> None:
        self.words.update(WORD.findall(script))

    def add(self, html_text: str) -> None:
        for match in SCRIPT.finditer(html_text):
            self.add_script(match["script"])
        self.tags.update(name.lower() for name in TAG_NAME.findall(html_text))
        # Each distinct list of attributes once (a formula's thousand spans share a few).
        for attributes in set(ATTRIBUTES.findall(html_text)):
            # Attribute values (a data: URL, an alt text) are not names: drop them first.
            names = re.sub(r'="[^"]*"|=\'[^\']*\'', "=", attributes)
            self.attributes.update(name.lower() for name in ATTRIBUTE_NAME.findall(names))
        for value in set(CLASS_ATTRIBUTE.findall(html_text)):
            self.classes.update(value.split())
        self.ids.update(ID_ATTRIBUTE.findall(html_text))


def _selectors(prelude: list) -> list[list]:
    """A rule's selector list, split at its top-level commas (tinycss2 tokens)."""
    out, current = [], []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            out.append(current)
            current = []
        else:
            current.append(token)
    out.append(current)
    return out


def _matches(selector: list, present: Present) -> bool:
    """Whether every class, id, element and attribute the selector names is present.

    Pseudo-classes and pseudo-elements, with what is inside them (:not(...)), are not looked at:
    leaving a condition out can only keep more."""
    tokens = list(selector)
    for index, token in enumerate(tokens):
        previous = tokens[index - 1] if index else None
        after_colon = previous is not None and previous.type == "literal" and previous.value == ":"
        after_dot = previous is not None and previous.type == "literal" and previous.value == "."
        if token.type == "ident":
            if after_colon:
                continue
            if after_dot:
                if token.value not in present.classes and token.value not in present.words:
                    return False
            elif token.lower_value not in present.tags and token.lower_value not in present.words and not (
                index + 1 < len(tokens) and tokens[index + 1].type == "literal" and tokens[index + 1].value == "|"
            ):
                return False
        elif token.type == "hash":
            if token.value not in present.ids and token.value not in present.words:
                return False
        elif token.type == "[] block":
            names = [t for t in token.content if t.type == "ident"]
            if names and names[0].lower_value not in present.attributes and names[0].value not in present.words:
                return False
    return True


def _rules(css: str) -> list:
    return tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True)


def _kept(rules: list, present: Present) -> list:
    """The rules (and the rules inside @media and @supports) whose selectors can match."""
    out = []
    for rule in rules:
        if rule.type == "qualified-rule":
            if any(_matches(selector, present) for selector in _selectors(rule.prelude)):
                out.append(rule)
        elif rule.type == "at-rule":
            keyword = rule.lower_at_keyword
            if keyword in ("media", "supports", "layer", "container") and rule.content is not None:
                inner = _kept(tinycss2.parse_rule_list(rule.content, skip_whitespace=True, skip_comments=True), present)
                if inner:
                    out.append((rule, inner))
            elif keyword == "charset":
                continue
            else:  # @keyframes and the like: decided once the rest is known
                out.append(rule)
    return out


def _serialize(kept: list, keep_keyframes: set[str], keep_property) -> str:
    parts = []
    for item in kept:
        if isinstance(item, tuple):
            rule, inner = item
            body = _serialize(inner, keep_keyframes, keep_property)
            if body:
                parts.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{body}}}")
        elif item.type == "at-rule":
            if item.lower_at_keyword.endswith("keyframes"):
                name = tinycss2.serialize(item.prelude).strip()
                if name not in keep_keyframes:
                    continue
            parts.append(tinycss2.serialize([item]))
        else:
            body = []
            for node in tinycss2.parse_blocks_contents(item.content, skip_whitespace=True, skip_comments=True):
                if node.type == "declaration" and (not node.name.startswith("--") or keep_property(node.name)):
                    body.append(f"{node.name}:{tinycss2.serialize(node.value).strip()}{'!important' if node.important else ''}")
                elif node.type in ("qualified-rule", "at-rule"):  # a nested rule (none in nbconvert's CSS): as it is
                    body.append(tinycss2.serialize([node]))
            if body:
                parts.append(f"{tinycss2.serialize(item.prelude).strip()}{{{';'.join(body)}}}")
    return "\n".join(parts)


def _walk_qualified(kept: list):
    for item in kept:
        if isinstance(item, tuple):
            yield from _walk_qualified(item[1])
        elif item.type == "qualified-rule":
            yield item


def trimmed(css: str, pages: list[str], other_css: list[str], scripts: list[str]) -> str:
    """The rules of `css` that can apply to `pages`, with the custom properties and @keyframes
    that something reads. `other_css`: the site's other stylesheets (they may read a property
    that `css` sets); `scripts`: the site's scripts (they may add a class to a page)."""
    present = Present()
    for page in pages:
        present.add(page)
    for script in scripts:
        present.add_script(script)
    kept = _kept(_rules(css), present)
    declared: dict[str, set[str]] = {}  # property -> the properties its values read
    read: set[str] = set()
    animations: set[str] = set()
    for rule in _walk_qualified(kept):
        for declaration in tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True, skip_comments=True):
            if declaration.type != "declaration":
                continue
            value = tinycss2.serialize(declaration.value)
            if declaration.name.startswith("--"):
                declared.setdefault(declaration.name, set()).update(VAR.findall(value))
            else:
                read.update(VAR.findall(value))
                if declaration.lower_name in ("animation", "animation-name"):
                    animations.update(t.value for t in declaration.value if t.type == "ident")
    for text in [*other_css, *pages]:
        read.update(VAR.findall(text))
    # A property read by a property that is read is read too.
    stack = list(read)
    while stack:
        for name in declared.get(stack.pop(), ()):
            if name not in read:
                read.add(name)
                stack.append(name)
    body = _serialize(kept, animations, lambda name: name in read)
    charset = '@charset "UTF-8";\n' if not body.isascii() else ""
    return f"{charset}/* The labs' share of the styles nbconvert's template writes (hooks/lab_styles.py). */\n{body}\n"


# ---- the hook --------------------------------------------------------------------------------

_styles: dict[str, str] = {}  # lab -> its template's styles
_linked: list[str] = []  # the lab pages, which link the stylesheet (paths in the site)


def on_pre_build(config) -> None:
    _styles.clear()
    _linked.clear()


def template_styles(html_text: str, where: str) -> tuple[str, str]:
    """(the content without the template's <style> elements, those styles)."""
    found = TEMPLATE_STYLES.match(html_text)
    if found is None:
        raise PluginError(f"{where}: mkdocs-jupyter's page has no <div class=\"jupyter-wrapper\">: "
                          "its template changed, so hooks/lab_styles.py cannot find its styles")
    before = found["before"]
    styles = "\n".join(match["css"].strip() for match in STYLE.finditer(before))
    if not styles:
        raise PluginError(f"{where}: mkdocs-jupyter wrote no <style> before the notebook: its template changed "
                          "(hooks/lab_styles.py)")
    return STYLE.sub("", before) + html_text[found.end("before"):], styles


NOTEBOOK = re.compile(r'<div class="jp-Notebook"[^>]*>')
DIV_TAG = re.compile(r"<div\b[^>]*>|</div>")
CELL_CLASS = re.compile(r'\A<div class="jp-Cell ')
# The cells past the first two and before the last three: extra.css lays them out only when they
# come near the screen, as it does a lecture's blocks.
LATER = "lab-later"
FIRST_DRAWN, LAST_DRAWN = 2, 3


def with_later_cells(html_text: str, where: str) -> str:
    """The notebook's cells, past its first FIRST_DRAWN and before its last LAST_DRAWN, marked with
    the class LATER. The mark is written here rather than chosen in the stylesheet by position
    (`:nth-child(n + 3):nth-last-child(n + 4)`): a selector that counts from the end made a phone
    style and lay out all 19,600 elements of the estimator-variance lab in its first frame (a trace:
    26,221 elements styled, against 7,939 with the class), before any cell was skipped."""
    notebook = NOTEBOOK.search(html_text)
    if notebook is None:
        raise PluginError(f"{where}: mkdocs-jupyter's page has no <div class=\"jp-Notebook\">: its template "
                          "changed (hooks/lab_styles.py)")
    depth, cells = 1, []  # inside the notebook's <div>; cells: where each of its child <div>s opens
    for tag in DIV_TAG.finditer(html_text, notebook.end()):
        if tag[0] == "</div>":
            depth -= 1
            if depth == 0:
                break
        else:
            if depth == 1:
                if not CELL_CLASS.match(tag[0]):
                    raise PluginError(f"{where}: the notebook holds a <div> that is not a cell: {tag[0][:80]}")
                cells.append(tag.start())
            depth += 1
    else:
        raise PluginError(f"{where}: the notebook's <div> is not closed (hooks/lab_styles.py)")
    at = len('<div class="')
    pieces, end = [], 0
    for start in cells[FIRST_DRAWN : max(FIRST_DRAWN, len(cells) - LAST_DRAWN)]:
        pieces += [html_text[end : start + at], LATER, " "]
        end = start + at
    return "".join(pieces) + html_text[end:]


def on_page_content(html_text: str, page, config, files) -> str:
    if not is_lab(page.file.src_uri):
        return html_text
    where = f"docs/{page.file.src_uri}"
    content, styles = template_styles(html_text, where)
    content = with_later_cells(content, where)
    other = next((lab for lab, its_styles in _styles.items() if its_styles != styles), None)
    if other is not None:
        raise PluginError(f"{where}: mkdocs-jupyter wrote other styles than for {other}; the labs share one "
                          "stylesheet (hooks/lab_styles.py), so their styles must be the same")
    _styles[where] = styles
    return content


def on_env(env, config, files):
    # Every lab page, written in this build or (mkdocs serve --dirty) an earlier one.
    _linked[:] = [file.dest_uri for file in files if is_lab(file.src_uri)]
    return env


def link(output: str, page_url: str, where: str) -> str:
    """The page with a link to the stylesheet last in its head."""
    if "</head>" not in output:
        raise PluginError(f"{where}: the page has no </head> to link {STYLESHEET} in")
    href = get_relative_url(STYLESHEET, page_url or ".")
    return output.replace("</head>", f'<link rel="stylesheet" href="{href}">\n</head>', 1)


def on_post_page(output: str, page, config) -> str:
    if not is_lab(page.file.src_uri):
        return output
    return link(output, page.url, f"docs/{page.file.src_uri}")


# After print_page's on_post_build, which writes print.html (it links the file too), and before
# offline_edition's (-50).
@event_priority(-25)
def on_post_build(config) -> None:
    if not _styles:
        return
    site = Path(config.site_dir)
    pages = [(site / path).read_text(encoding="utf-8") for path in _linked if (site / path).is_file()]
    printed = site / "print.html"
    if printed.is_file():
        text = printed.read_text(encoding="utf-8")
        if STYLESHEET in text:
            pages.append(text)
    target = site / STYLESHEET
    others = [path.read_text(encoding="utf-8") for path in sorted(site.glob("assets/**/*.css")) if path != target]
    scripts = [path.read_text(encoding="utf-8") for path in sorted(site.glob("assets/javascripts/*.js"))]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(trimmed(next(iter(_styles.values())), pages, others, scripts), encoding="utf-8")
