"""Links between pages: the home page's lists of pages, made from the navigation, and a broken
link reported with the line that holds it.

**The home page's lists.** A comment names a section of the navigation (`nav` in mkdocs.yml);
the list under it has one item per page of that section, its path and what the page is about:

    <!-- nav: Lectures -->

    1. lectures/derivatives.md: the derivative as the linear map that gives the
       first-order change, for numbers, vectors and matrices.

The build writes the list in the navigation's order, each path replaced by a link with the
page's title in the navigation; a numbered list stays numbered. So the navigation alone says
which pages the home page lists, and in what order: a page of the section that has no item, an
item for a page that is not in the section, or an item that cannot be read stops the build with
the file and the line.

**Broken links.** MkDocs names the page of a link whose target or anchor is missing, not the
line; the warning is given the line of the page where the link is written (`docs/x.md:12: Doc
file 'x.md' contains a link ...`), and stops a strict build as before.
"""

from __future__ import annotations

import logging
import posixpath
import re
from pathlib import Path

from mkdocs.exceptions import PluginError

MARKER = re.compile(r"^<!--\s*nav:\s*(?P<section>[^>]*?)\s*-->[ \t]*$")
ITEM = re.compile(r"^(?P<bullet>\d+\.|[-*])[ \t]+(?P<path>[^\s:]+\.(?:md|py)):[ \t]*(?P<summary>.*)$")


def nav_section(nav: list, name: str) -> list | None:
    """The entries of the section `name` of the navigation (searched at every depth), or None."""
    for entry in nav or []:
        if isinstance(entry, dict):
            for title, value in entry.items():
                if isinstance(value, list):
                    if title == name:
                        return value
                    found = nav_section(value, name)
                    if found is not None:
                        return found
    return None


def section_pages(entries: list, where: str, name: str) -> list[tuple[str, str]]:
    """(title, path) of each page of a section, in order (pages of its subsections included)."""
    pages = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise PluginError(f"{where}: the page {entry} in the navigation under {name!r} has no title: "
                              f"write it as `- Its title: {entry}` in mkdocs.yml")
        for title, value in entry.items():
            if isinstance(value, list):
                pages += section_pages(value, where, name)
            elif "://" not in value:
                pages.append((title, value))
    return pages


def home_list(lines: list[str], start: int, nav: list, src_uri: str, first_line: int) -> tuple[list[str], int]:
    """The list under the marker at lines[start], as the navigation orders and titles it, and the
    index of the first line after it. `first_line` is the file's line number of lines[0]."""
    where = f"docs/{src_uri}"
    name = MARKER.match(lines[start])["section"]
    marker_line = first_line + start
    entries = nav_section(nav, name)
    if entries is None:
        raise PluginError(f"{where}:{marker_line}: no section {name!r} in the navigation (nav in mkdocs.yml)")
    index = start + 1
    while index < len(lines) and not lines[index].strip():
        index += 1
    summaries: dict[str, list[str]] = {}  # path -> the item's lines after its path
    item_line: dict[str, int] = {}
    numbered = None
    while index < len(lines) and lines[index].strip():
        item = ITEM.match(lines[index])
        if item:
            path = item["path"]
            if path in summaries:
                raise PluginError(f"{where}:{first_line + index}: {path} has two items in this list")
            summaries[path], item_line[path] = [item["summary"]], first_line + index
            numbered = item["bullet"][0].isdigit() if numbered is None else numbered
        elif lines[index][:1] in (" ", "\t") and summaries:
            summaries[path].append(lines[index])
        else:
            raise PluginError(f"{where}:{first_line + index}: an item of the list of {name!r} is "
                              f"'1. <page>.md: what the page is about', not {lines[index].strip()[:60]!r}")
        index += 1
    for path, summary in summaries.items():
        if not "".join(summary).strip():
            raise PluginError(f"{where}:{item_line[path]}: the item of {path} does not say what the page is about")
    pages = section_pages(entries, f"{where}:{marker_line}", name)
    listed = {path for _, path in pages}
    for path in summaries:
        if path not in listed:
            raise PluginError(f"{where}:{item_line[path]}: {path} is not in the navigation under {name!r} "
                              "(nav in mkdocs.yml): take its item out, or add the page there")
    generated = []
    for number, (title, path) in enumerate(pages, start=1):
        if path not in summaries:
            raise PluginError(f"{where}:{marker_line}: the page {path} ({title!r}, in the navigation under "
                              f"{name!r}) is missing from the home page's list: add an item "
                              f"'{path}: what the page is about' under this line")
        link = posixpath.relpath(path, posixpath.dirname(src_uri) or ".")
        first, *rest = summaries[path]
        generated += [f"{f'{number}.' if numbered else '-'} [{title}]({link}):{' ' * bool(first)}{first}", *rest]
    return generated, index


def on_page_markdown(markdown: str, page, config, files) -> str:
    lines = markdown.split("\n")
    if not any(MARKER.match(line) for line in lines):
        return markdown
    # The file's line of the Markdown's first line: this hook runs first, on the page's text
    # after its front matter, if any.
    source = page.file.content_string
    first_line = source[: len(source) - len(markdown)].count("\n") + 1 if source.endswith(markdown) else 1
    out, index = [], 0
    while index < len(lines):
        if MARKER.match(lines[index]):
            generated, index = home_list(lines, index, config.nav, page.file.src_uri, first_line)
            out += generated
        else:
            out.append(lines[index])
            index += 1
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Broken links, with their line

LINK_WARNING = re.compile(
    r"^Doc file '(?P<file>[^']+)' contains (?:a|an absolute|an unrecognized relative) link '(?P<link>[^']+)'")


def link_lines(page: Path, link: str) -> list[int]:
    """The lines of a page where `link` is written as an address."""
    if not page.is_file():
        return []
    written = re.compile(r"(?<![\w./#%-])" + re.escape(link) + r"(?![\w./#%-])")
    text = page.read_text(encoding="utf-8-sig")
    return [number for number, line in enumerate(text.split("\n"), start=1) if written.search(line)]


class LinkLines(logging.Filter):
    """Puts the page and line in front of MkDocs' warning about a link (the record goes on as before)."""

    docs_dir: Path | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        found = LINK_WARNING.match(message)
        if found and self.docs_dir is not None:
            lines = link_lines(self.docs_dir / found["file"], found["link"])
            if lines:
                also = f" (the same link is on line {', '.join(map(str, lines[1:]))} too)" if lines[1:] else ""
                record.msg, record.args = f"docs/{found['file']}:{lines[0]}: {message}{also}", ()
        return True


LINK_LINES = LinkLines()


def on_config(config):
    LINK_LINES.docs_dir = Path(config.docs_dir)
    logging.getLogger("mkdocs.structure.pages").addFilter(LINK_LINES)  # once: a filter is added only once
    return config
