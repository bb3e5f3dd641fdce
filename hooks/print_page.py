"""The whole course on one page, `print.html`, from which `make pdf` prints the PDF.

The page is written after the build from the pages' content, its math drawn
by KaTeX as on the pages (each formula was drawn once already), in the order
of the navigation: a title page, a table of contents, then every page as a
chapter starting on a new sheet.
Inside a chapter, ids get the chapter's prefix so that they stay unique, links
to another page of the course become links inside the document, links to files
point at them from the site's root, and collapsed blocks (exercise solutions)
are open. The identity catalogue's checks are left out (its rows are printed),
and a link to what is not printed becomes plain text. A long part of a snippet
that several code blocks include (the backpropagation engine, in a dozen checks
and solutions) is printed whole the first time only; after that a block shows
a comment naming it and its chapter, and the lines that are its own. Each line
of a code block or an output is a block of its own, so that a line too long for
the sheet wraps with a hanging indent (print_page.css). The title page gives the
site's address only when it is published (not a local build's 127.0.0.1).

It is a plain document with the theme's stylesheets, not a page of the site:
no header, navigation or scripts, no search entry, and a file name rather than
a directory URL, like the notebooks beside the pages. (Chromium lays out the
theme's page frame around a document this long many times slower.) Its own
styles, for screen and paper, are in hooks/print_page.css.

Its formulas are KaTeX's HTML without the MathML copy that the pages carry for
screen readers: the PDF is not tagged, so the MathML would reach no reader, and
without its 2,000-odd hidden, absolutely positioned boxes Chromium loads and
prints the whole course in about two thirds of the time.
"""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path
from urllib.parse import urlsplit

from katex_render import render_arithmatex
from lab_styles import STYLESHEET as LAB_STYLESHEET, is_lab

PRINT_FILE = "print.html"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}
STYLE = Path(__file__).resolve().parent / "print_page.css"
ATTRIBUTE = re.compile(r'\b(?P<name>id|for|name|href|src|data-clipboard-target)="(?P<value>[^"]*)"')
# A <style> that pages repeat (a notebook output's): one copy is enough. (The labs' template styles
# are a stylesheet, linked below: hooks/lab_styles.py.)
REPEATED = re.compile(r"<style\b[^>]*>.*?</style>", re.DOTALL)
# A printed page runs no script (the labs' copy buttons and widgets).
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL)
# KaTeX's MathML copy of a formula (visually hidden): one <math> element, never nested.
KATEX_MATHML = re.compile(r'<span class="katex-mathml">.*?</math></span>', re.DOTALL)
EDIT_BUTTON = re.compile(r'<a\b[^>]*class="md-content__button[^"]*"[^>]*>.*?</a>', re.DOTALL)
# The identity catalogue's checks (a hundred-odd scripts) are not printed; its rows stay.
NOT_PRINTED = re.compile(r'<section class="identity-checks".*?</section>', re.DOTALL)
# A link inside the document; one whose target is not in it becomes its text.
# A figure prints its light image, loaded before printing (lazy images below the screen never load),
# and not as a link (hooks/figure_markup.py).
FIGURE_DARK = re.compile(r'<a class="course-figure__open course-figure__dark"[^>]*>.*?</a>', re.DOTALL)
FIGURE_LIGHT = re.compile(r'<a class="course-figure__open course-figure__light"[^>]*>(?P<image><img\b[^>]*>)</a>')
INTERNAL_LINK = re.compile(r'<a\b[^>]*\bhref="#(?P<target>[^"]*)"[^>]*>(?P<text>.*?)</a>', re.DOTALL)
IDS = re.compile(r'\bid="([^"]*)"')


def chapter_id(page) -> str:
    path = page.file.src_uri.rsplit(".", 1)[0]
    return "chapter-" + re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-").lower()


def _resolve(base_url: str, href: str) -> tuple[str, str] | None:
    """A relative link of a page at base_url as (site path, fragment); None if it leaves the site."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("/"):
        return None
    path = posixpath.normpath(posixpath.join(posixpath.dirname(base_url), parts.path)) if parts.path else base_url
    path = "" if path == "." else path
    if parts.path.endswith("/") and path:
        path += "/"
    return path, parts.fragment


def chapter_html(page, chapters: dict[str, str], print_url: str) -> str:
    """A page's rendered content, made to live inside the one print page."""
    prefix = chapter_id(page) + "--"

    def rewrite(match: re.Match) -> str:
        name, value = match["name"], html.unescape(match["value"])
        if name in ("id", "for", "name"):
            return f'{name}="{prefix}{html.escape(value)}"'
        if name == "data-clipboard-target":
            return f'{name}="#{prefix}{html.escape(value[1:])}"' if value.startswith("#") else match.group(0)
        if value.startswith("#"):
            return f'{name}="#{prefix}{html.escape(value[1:])}"'
        resolved = _resolve(page.url, value)
        if resolved is None:
            return match.group(0)
        path, fragment = resolved
        if path in chapters:
            target = chapters[path]
            return f'{name}="#{target}--{html.escape(fragment)}"' if fragment else f'{name}="#{target}"'
        relative = posixpath.relpath(path or ".", posixpath.dirname(print_url) or ".")
        return f'{name}="{html.escape(relative)}{"#" + html.escape(fragment) if fragment else ""}"'

    content = NOT_PRINTED.sub("", SCRIPT.sub("", EDIT_BUTTON.sub("", page.content or "")))
    content = FIGURE_DARK.sub("", content)
    content = FIGURE_LIGHT.sub(lambda m: m["image"].replace(' loading="lazy"', ""), content)
    content = ATTRIBUTE.sub(rewrite, content)
    return re.sub(r"<details(?![^>]*\bopen\b)", "<details open", content)


ROOT = Path(__file__).resolve().parent.parent
INCLUDE = re.compile(r'^[ \t]*--8<--[ \t]+"(?P<path>[^":]+):(?P<section>[\w-]+)"[ \t]*$', re.MULTILINE)
CODE_BLOCK = re.compile(r'(<pre\b[^>]*>(?:<span></span>)?<code\b[^>]*>)(?P<code>.*?)(</code></pre>)', re.DOTALL)
TAG = re.compile(r"<[^>]+>")
# A part of a snippet this long, included by more than one block, is printed once.
SHOWN_ONCE_LINES = 30


def repeated_sections(pages) -> dict[str, str]:
    """{'path:section': its lines} for each long snippet section that two or more code blocks include."""
    counts: dict[str, int] = {}
    for page in pages:
        if page.file.abs_src_path and page.file.src_uri.endswith(".md"):
            for match in INCLUDE.finditer(Path(page.file.abs_src_path).read_text(encoding="utf-8")):
                key = f"{match['path']}:{match['section']}"
                counts[key] = counts.get(key, 0) + 1
    sections = {}
    for key, count in counts.items():
        path, section = key.rsplit(":", 1)
        source = ROOT / path
        if count < 2 or not source.is_file():
            continue
        found = re.search(rf"^[^\n]*--8<-- \[start:{re.escape(section)}\]\n(?P<body>.*?)^[^\n]*--8<-- \[end:{re.escape(section)}\]",
                          source.read_text(encoding="utf-8"), re.DOTALL | re.MULTILINE)
        if found and found["body"].count("\n") >= SHOWN_ONCE_LINES:
            sections[key] = found["body"].rstrip("\n")
    return sections


def repeats(text: str, sections: dict[str, str], first: dict, where) -> list[str]:
    """The keys of the sections (from repeated_sections) that a code block, its text `text`,
    repeats. Blocks are looked at in the navigation's order: the first block that holds a section
    is its home, where it is shown whole; `first` records `where` for it there (the site and the
    print page each say what that is: a chapter's title, a block on a page)."""
    found = []
    for key, body in sections.items():
        if body in text:
            if key in first:
                found.append(key)
            else:
                first[key] = where
    return found


def shown_once(contents: list[str], titles: list[str], sections: dict[str, str]) -> list[str]:
    """Each repeated section printed whole in its first block; later blocks name it instead."""
    first: dict[str, str] = {}
    out = []
    for chapter, title in zip(contents, titles):
        def block(match: re.Match) -> str:
            text = html.unescape(TAG.sub("", match["code"]))
            changed = text
            for key in repeats(text, sections, first, title):
                body = sections[key]
                lines = body.count("\n") + 1
                note = f"# ... {key}, {lines} lines, as printed in the chapter {first[key]!r} ..."
                changed = changed.replace(body, note)
            if changed == text:
                return match.group(0)
            return match.group(1) + html.escape(changed, quote=False) + match.group(3)

        out.append(CODE_BLOCK.sub(block, chapter))
    return out


# Each line of a code block or an output (every <pre>) becomes a block of its own, which CSS gives
# a hanging indent (print_page.css, .print-line): a line too long for the sheet wraps, and its
# continuation starts two columns right of the line's own indentation, not at the margin.
PRE = re.compile(r"(?P<open><pre\b[^>]*>)(?P<inner>.*?)(?P<close></pre>)", re.DOTALL)
# Inside the <code> of a lecture's block (the theme styles `pre > code`, so the lines go inside it).
CODE_INSIDE = re.compile(r"(?P<open>(?:<span></span>)?<code\b[^>]*>)(?P<inner>.*)(?P<close></code>\s*)", re.DOTALL)
MARKUP = re.compile(r"(<[^>]+>)")
TAG_NAME = re.compile(r"<([a-zA-Z][\w-]*)")
VOID = re.compile(r"<(?:br|img|wbr|input)\b", re.IGNORECASE)


def lines_of(inner: str) -> str:
    """The content of a <pre>, each line (its newline included) in a <span class="print-line">
    with its indentation in columns as --indent. A tag open across a line end (a docstring's
    span) is closed at the end of the line and opened again on the next."""
    opened: list[str] = []  # the start tags open at this point, outermost first
    lines: list[str] = []
    line: list[str] = []
    text: list[str] = []  # the line's text, for its indentation
    reopened = 0  # how many of the line's first tags were opened again from the line before

    def end_line(newline: str) -> None:
        plain = html.unescape("".join(text))
        indent = len(plain) - len(plain.lstrip(" "))
        style = f' style="--indent:{indent}"' if indent and plain.strip() else ""
        closing = "".join(f"</{TAG_NAME.match(tag)[1]}>" for tag in reversed(opened))
        lines.append(f'<span class="print-line"{style}>{"".join(line)}{closing}{newline}</span>')

    for piece in MARKUP.split(inner):
        if piece.startswith("<"):
            line.append(piece)
            if piece.startswith("</"):
                if opened:
                    opened.pop()
            elif not piece.endswith("/>") and not VOID.match(piece) and not piece.startswith("<!"):
                opened.append(piece)
            continue
        for index, part in enumerate(piece.split("\n")):
            if index:
                end_line("\n")
                line, text, reopened = list(opened), [], len(opened)
            line.append(part)
            text.append(part)
    # A last line without a newline; after a final newline, only the ends of tags opened again.
    if "".join(text) or any(not piece.startswith("</") for piece in line[reopened:] if piece):
        end_line("")
    return "".join(lines)


def with_hanging_indents(content: str) -> str:
    def pre(match: re.Match) -> str:
        inner = CODE_INSIDE.fullmatch(match["inner"])
        if inner:
            body = inner["open"] + lines_of(inner["inner"]) + inner["close"]
        else:
            body = lines_of(match["inner"])
        return match["open"] + body + match["close"]

    return PRE.sub(pre, content)


def sections(nav) -> list[tuple[str | None, list]]:
    """The navigation's top level: (section title or None, its pages), in order."""
    out: list[tuple[str | None, list]] = []
    for item in nav.items:
        if item.is_page:
            out.append((None, [item]))
        elif item.is_section:
            pages, stack = [], list(reversed(item.children))
            while stack:
                child = stack.pop()
                if child.is_page:
                    pages.append(child)
                elif child.is_section:
                    stack.extend(reversed(child.children))
            out.append((item.title, pages))
    return out


def stylesheets(config) -> list[str]:
    """The theme's stylesheets (their names carry a hash) and the site's own, as URLs from the root."""
    site = Path(config.site_dir)
    theme = sorted(site.glob("assets/stylesheets/main.*.min.css")) + sorted(site.glob("assets/stylesheets/palette.*.min.css"))
    urls = [path.relative_to(site).as_posix() for path in theme] + [str(url) for url in config.extra_css]
    return urls


def document(config, nav) -> str:
    print_url = PRINT_FILE
    parts = sections(nav)
    pages = [page for _, section_pages in parts for page in section_pages]
    chapters = {page.url: chapter_id(page) for page in pages}
    contents, seen_blocks = [], set()

    def once(match: re.Match) -> str:
        if match.group(0) in seen_blocks:
            return ""
        seen_blocks.add(match.group(0))
        return match.group(0)

    for page in pages:
        body = REPEATED.sub(once, chapter_html(page, chapters, print_url))
        contents.append(f'<section class="print-chapter" id="{chapter_id(page)}">\n{body}\n</section>')
    contents = shown_once(contents, [page.title or "" for page in pages], repeated_sections(pages))
    ids = {found for chapter in contents for found in IDS.findall(chapter)}
    contents = [
        with_hanging_indents(INTERNAL_LINK.sub(lambda m: m.group(0) if html.unescape(m["target"]) in ids else m["text"], chapter))
        for chapter in contents
    ]

    toc = []
    for title, section_pages in parts:
        entries = "".join(
            f'<li><a href="#{chapter_id(p)}"><span class="print-toc__title">{html.escape(p.title or "")}</span>'
            f'<span class="print-toc__page" data-chapter="{chapter_id(p)}"></span></a></li>'
            for p in section_pages
        )
        toc.append(f'<li class="print-toc__section">{html.escape(title)}<ol>{entries}</ol></li>' if title else entries)
    # The address where the course is published; a local build's (mkdocs.yml's default, this
    # machine's 127.0.0.1) would send a reader of the printed course nowhere.
    published = config.site_url and urlsplit(config.site_url).hostname not in LOCAL_HOSTS
    address = f'<p class="print-title__address">{html.escape(config.site_url)}</p>' if published else ""
    links = "\n".join(f'<link rel="stylesheet" href="{html.escape(url)}">' for url in stylesheets(config))
    # The labs' stylesheet after this page's own styles, as the labs' styles came after them when
    # they were inline (hooks/lab_styles.py writes it, for what this page uses of it).
    lab_link = (f'\n<link rel="stylesheet" href="{html.escape(LAB_STYLESHEET)}">'
                if any(is_lab(page.file.src_uri) for page in pages) else "")
    palette = (config.theme.get("palette") or [{}])[0]
    return f"""<!doctype html>
<html lang="{config.theme.get("language", "en")}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(config.site_name)}: the whole course</title>
{links}
<style>
{STYLE.read_text(encoding="utf-8")}</style>{lab_link}
</head>
<body dir="ltr" data-md-color-scheme="default" data-md-color-primary="{palette.get("primary", "indigo")}" data-md-color-accent="{palette.get("accent", "indigo")}">
<main class="print-document md-typeset">
<section class="print-title">
<h1 class="print-title__name">{html.escape(config.site_name)}</h1>
<p class="print-title__description">{html.escape(config.site_description or "")}</p>
{address}
</section>
<nav class="print-toc" aria-label="Contents"><h2 id="contents">Contents</h2><ol>{"".join(toc)}</ol></nav>
{chr(10).join(contents)}
</main>
</body>
</html>
"""


_nav = None
_skipped = False


def on_startup(*, command, dirty) -> None:
    # `mkdocs serve` (make serve) skips the print page: it costs most of a second a rebuild. So does
    # a dirty build: it renders only the pages that changed, and a print page made from it would
    # hold those alone (the one written before stays).
    global _skipped
    _skipped = command == "serve" or dirty


def on_nav(nav, config, files):
    global _nav
    _nav = nav
    return nav


def on_post_build(config) -> None:
    if _skipped:
        return
    target = Path(config.site_dir) / PRINT_FILE
    target.write_text(KATEX_MATHML.sub("", render_arithmatex(document(config, _nav), None)), encoding="utf-8")
