"""Read a built site the way a browser would: what it loads, and how its math came out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

# Attributes a browser fetches on its own when it meets the element.
LOADED = {
    ("script", "src"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("iframe", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("input", "src"),
}
# <link rel=...> values that make the browser fetch (or connect to) the href.
LOADING_RELS = {"stylesheet", "preload", "modulepreload", "prefetch", "preconnect", "dns-prefetch", "icon",
                "shortcut", "apple-touch-icon", "manifest", "prerender"}
# Attributes that hold an address a browser or a reader follows.
ADDRESS_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "data", "poster", "xlink:href", "cite", "ping"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")


def is_external(url: str) -> bool:
    parts = urlsplit(url.strip())
    return bool(parts.netloc) or parts.scheme not in ("", "data", "blob", "about", "javascript", "mailto")


@dataclass
class Page:
    """One read of a page: what it loads, its ids, the relative links it makes, and every address."""

    found: list[tuple[int, str, str]] = field(default_factory=list)  # (line, element, url) of each load
    ids: set[str] = field(default_factory=set)
    links: list[tuple[int, str]] = field(default_factory=list)  # (line, href) of each link within the site
    addresses: list[tuple[int, str]] = field(default_factory=list)  # (line, url) of every address, loaded or followed


def _urls(name: str, value: str) -> list[str]:
    return [part.split()[0] for part in value.split(",") if part.strip()] if name == "srcset" else [value.strip()]


def parse(html_text: str):
    """The HTML text as an lxml tree (None for an empty text)."""
    return etree.fromstring(html_text, etree.HTMLParser(huge_tree=True)) if html_text.strip() else None


def page_of(html_text: str) -> Page:
    """What an HTML text loads, its ids, its links and every address in it.

    Parsed by lxml (libxml2's HTML parser, which reads HTML as a browser's tokenizer
    does): the built site is about ten megabytes of HTML, which the standard
    library's parser takes seconds to read and lxml a fraction of one.
    """
    page = Page()
    root = parse(html_text)
    if root is None:
        return page
    for element in root.iter(tag=etree.Element):
        tag, attributes = element.tag, element.attrib
        if tag == "style":
            urls = CSS_URL.finditer(element.text or "")
            page.found += [(element.sourceline, "<style>", m.group(1) or m.group(2)) for m in urls]
        if not attributes or (len(attributes) == 1 and "class" in attributes):  # most of a page (formulas)
            continue
        line = element.sourceline
        for key in ("id", "name"):
            if attributes.get(key):
                page.ids.add(attributes[key])
        for name, value in attributes.items():
            if not value:
                continue
            if name in ADDRESS_ATTRIBUTES:
                page.addresses += [(line, url) for url in _urls(name, value)]
            elif name == "style":
                urls = [m.group(1) or m.group(2) for m in CSS_URL.finditer(value)]
                page.addresses += [(line, url) for url in urls]
                page.found += [(line, f"<{tag} style>", url) for url in urls]
            elif name == "http-equiv" and value.lower() == "refresh":
                page.addresses.append((line, attributes.get("content", "").split("url=")[-1]))
            if (tag, name) in LOADED:
                page.found += [(line, f"<{tag} {name}>", url) for url in _urls(name, value)]
        href = attributes.get("href")
        if tag == "a" and href and not is_external(href) and not href.startswith(("data:", "javascript:", "mailto:")):
            page.links.append((line, href))
        if tag == "link" and href:
            rels = set((attributes.get("rel") or "").lower().split())
            if rels & LOADING_RELS:
                page.found.append((line, f"<link rel={attributes.get('rel')}>", href))
    return page


@cache
def _read_file(path: Path, modified: int) -> Page:
    return page_of(path.read_text(encoding="utf-8"))


def read_page(path: Path) -> Page:
    """A built page, read once per test process (again if the file changes)."""
    return _read_file(path, path.stat().st_mtime_ns)


def css_urls(text: str) -> list[tuple[int, str]]:
    """Every url() and @import of a stylesheet, with its line."""
    return [(text.count("\n", 0, m.start()) + 1, m.group(1) or m.group(2)) for m in CSS_URL.finditer(text)]


def external_resources(site: Path) -> list[str]:
    """Each external load in the built site, as 'file:line: element url'."""
    problems = []
    for path in sorted(site.rglob("*")):
        if path.suffix == ".html":
            found = read_page(path).found
        elif path.suffix == ".css":
            found = [(line, "css url()", url) for line, url in css_urls(path.read_text(encoding="utf-8"))]
        elif path.suffix == ".js":
            text = path.read_text(encoding="utf-8")
            # Script bundles name many URLs; only ones that look like loaded assets matter.
            found = [(text.count("\n", 0, m.start()) + 1, "js import", m.group(1))
                     for m in re.finditer(r"""(?:import\(|importScripts\()\s*['"](https?://[^'"]+)""", text)]
        else:
            continue
        for line, element, url in found:
            if is_external(url):
                problems.append(f"{path.relative_to(site)}:{line}: {element} loads {url}")
    return problems


def root_absolute(site: Path, allowed_prefix: str | None = None) -> list[str]:
    """Addresses that start at the host's root: '/x' (and '//host/x'), in HTML and CSS files."""
    problems = []
    for path in sorted(site.rglob("*")):
        if path.suffix == ".html":
            found = read_page(path).addresses
        elif path.suffix == ".css":
            found = css_urls(path.read_text(encoding="utf-8"))
        else:
            continue
        for line, url in found:
            if not url.startswith("/"):
                continue
            if path.name == "404.html" and allowed_prefix and url.startswith(allowed_prefix) and not url.startswith("//"):
                continue
            problems.append(f"{path.relative_to(site)}:{line}: {url}")
    return problems


def math_problems(html_text: str) -> list[str]:
    """Formulas that did not come out as KaTeX HTML."""
    problems = []
    if "katex-error" in html_text:
        problems.append("a KaTeX error element is in the page")
    for match in re.finditer(r'<(span|div) class="arithmatex">(.{0,80})', html_text, re.DOTALL):
        if not match.group(2).startswith(('<span class="katex', '<span class="katex-display')):
            problems.append(f"unrendered formula: {match.group(2)!r}")
    # KaTeX keeps each formula's source in <annotation>, where `\\[4pt]` is legitimate TeX.
    prose = re.sub(r"<(pre|code|script|style|textarea|annotation)\b.*?</\1>", "", html_text, flags=re.DOTALL)
    for marker in (r"\(", r"\[", "$$"):
        for text in re.findall(r">([^<]*)<", prose):
            if marker in text and not text.strip().startswith("//"):
                problems.append(f"raw TeX delimiter {marker} in text: {text.strip()[:80]!r}")
                break
    return problems


# The folder of the site where the deploy workflow puts the PDF and the offline edition after the build.
PUBLISHED_BESIDE = "downloads"


def written_at(site: Path, page: Path, href: str, docs: Path) -> str:
    """Where a link of a built page is written in the page's source, if it is there as it is
    (a lab's Markdown cells write addresses, not .md paths): ' (docs/labs/x.py:12)', or ''."""
    address = page.parent.relative_to(site)
    sources = [docs / address / "index.md"]
    if address.parts:
        sources += [docs / address.with_suffix(".md"), docs / address.with_suffix(".py")]
    import sys

    hooks = str(Path(__file__).resolve().parent.parent / "hooks")
    if hooks not in sys.path:
        sys.path.insert(0, hooks)
    from page_links import link_lines  # the build's own search for the line of a link

    for source in sources if page.name == "index.html" else []:
        lines = link_lines(source, href)
        if lines:
            return f" (docs/{source.relative_to(docs).as_posix()}:{lines[0]})"
    return ""


def broken_internal_links(site: Path, docs: Path = Path(__file__).resolve().parent.parent / "docs") -> list[str]:
    """Links between pages of the built site whose target file or anchor is missing, each with the
    built page and line, and the line of the page's source that writes it when it is found there.

    MkDocs validates links written in Markdown pages; this also covers what it
    does not see: links inside notebooks (labs) and inside generated pages.
    """
    problems = []
    for page in sorted(site.rglob("*.html")):
        for line, href in read_page(page).links:
            parts = urlsplit(href)
            if not parts.path:
                target = page
            elif parts.path.startswith("/"):  # the 404 page links from the root of a site built for "/"
                target = (site / unquote(parts.path).lstrip("/")).resolve()
            else:
                target = (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(site)}:{line}: {href}"
            if target.parent == (site / PUBLISHED_BESIDE).resolve():
                continue  # the PDF and the offline zip: the deploy workflow puts them there (test_workflows)
            if not target.exists():
                problems.append(f"{where}: no such file{written_at(site, page, href, docs)}")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in read_page(target).ids:
                problems.append(f"{where}: no anchor #{parts.fragment}{written_at(site, page, href, docs)}")
    return problems
