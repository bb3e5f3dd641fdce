"""The offline edition (`make offline`): one zip that works from file:// with no network.

The zip is built by publish/offline.py, unpacked, and read in headless
Chromium from file:// with every request to another host refused: the
navigation's "Next" links chain every page (read from the files, and clicked
through the first pages), formulas come out as KaTeX with its fonts, the
search finds a page by typing, the copy button copies a code block, and a
lecture's notebook downloads. Nothing in the zip refers to another host.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from site_scan import external_resources, is_external, page_of, parse, read_page
from small_site import build as small_site_build
from watched_browser import watched_context

ROOT = Path(__file__).resolve().parents[2]

FOLDER = "matrix-calculus-notes"
MARKDOWN_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)")


def references_elsewhere(folder: Path) -> list[str]:
    """Every address in the unpacked edition that points at another host."""
    problems = external_resources(folder)  # what pages, stylesheets and scripts load
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder)
        if path.suffix == ".html":
            problems += [f"{name}:{line}: {url}" for line, url in read_page(path).addresses if is_external(url)]
        elif path.suffix == ".ipynb":
            for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
                if cell["cell_type"] == "markdown":
                    source = "".join(cell["source"])
                    urls = MARKDOWN_LINK.findall(source) + [url for _, url in page_of(source).addresses]
                    # A figure is the cell's own attachment (hooks/figure_markup.py): it must be there.
                    attached = {f"attachment:{key}" for key in cell.get("attachments", {})}
                    problems += [f"{name}, cell {cell.get('id')}: {url}" for url in urls
                                 if is_external(url) and url not in attached]
    return problems


@pytest.fixture(scope="module")
def zip_path(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("offline") / "offline.zip"
    result = subprocess.run(
        [sys.executable, str(ROOT / "publish" / "offline.py"), "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture(scope="module")
def edition(zip_path: Path, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(target)
    return target / FOLDER


@pytest.fixture(scope="module")
def offline_browser(browser):
    """A context of the session's Chromium for the module; requests to other hosts are refused."""
    options = {"accept_downloads": True, "permissions": ["clipboard-read", "clipboard-write"]}
    with watched_context(browser, **options) as (context, watch):
        yield context, watch


@pytest.fixture
def tab(offline_browser):
    """A new tab; the test fails if a page asked another host for anything, or failed to load a
    file (the lecture tab that other tests share keeps a record of its own)."""
    context, watch = offline_browser
    watch.clear()
    page = context.new_page()
    yield page
    page.close()
    assert not watch.problems(), "from file://:\n" + "\n".join(watch.problems())


@pytest.fixture(scope="module")
def lecture_page(offline_browser, edition: Path):
    """A lecture opened from file:// once, for the tests that look at a lecture."""
    context, watch = offline_browser
    page = context.new_page()
    watch.keep(page)
    page.goto(lecture(edition).as_uri())
    yield page
    page.close()
    # What the page did after the last test that looked at it.
    assert not watch.problems(page), "from file://:\n" + "\n".join(watch.problems(page))


@pytest.fixture
def lecture_tab(offline_browser, lecture_page):
    """The lecture's tab; the test fails if a page asked another host for anything, or failed to load a file."""
    _, watch = offline_browser
    yield lecture_page
    problems = watch.problems(lecture_page)
    watch.clear(lecture_page)
    assert not problems, "from file://:\n" + "\n".join(problems)


def lecture(edition: Path) -> Path:
    lectures = sorted((edition / "lectures").glob("*.html"))
    assert lectures, "the offline edition has no lecture page"
    return lectures[0]


def test_the_zip_is_one_folder_with_every_page_and_notebook(zip_path: Path, edition: Path):
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
    assert all(name.startswith(f"{FOLDER}/") for name in names), names[:5]
    assert (edition / "index.html").is_file() and (edition / "README.txt").is_file()
    assert (edition / "conventions.html").is_file()
    for page in (edition / "lectures").glob("*.html"):
        assert page.with_suffix(".ipynb").is_file(), f"no notebook beside lectures/{page.name}"
    for server_file in ("sitemap.xml", "sitemap.xml.gz", "404.html"):
        assert not (edition / server_file).exists(), server_file


def test_nothing_in_the_zip_refers_to_another_host(edition: Path):
    problems = references_elsewhere(edition)
    assert not problems, "the offline edition points at other hosts:\n" + "\n".join(problems[:40])


def test_the_check_for_other_hosts_finds_them(tmp_path: Path):
    (tmp_path / "a.html").write_text('<a href="https://example.org/x">x</a><img src="//cdn.example.org/i.png">')
    (tmp_path / "n.ipynb").write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "id": "c", "source": "[site](https://example.org/) and [here](a.html)"}]}))
    problems = references_elsewhere(tmp_path)
    assert len(problems) == 4, problems  # the image twice (a load and an address), the two links


def test_links_to_other_hosts_become_text_in_the_pages_and_the_print_page(tmp_path: Path):
    pages = {
        "index.md": "# Home\n\nThe [lecture notes](https://arxiv.org/abs/2501.14787) and [a lecture](lectures/demo.md).\n",
        "lectures/demo.md": "# Demo\n\nSee [the cookbook](https://example.org/cookbook) and [home](../index.md).\n",
    }
    result = small_site_build(tmp_path, pages, tmp_path / "site", config="mkdocs-offline.yml")
    assert result.returncode == 0, result.stderr[-3000:]
    site = tmp_path / "site"
    assert not references_elsewhere(site), references_elsewhere(site)
    for name, words in [("index.html", "lecture notes"), ("lectures/demo.html", "the cookbook"),
                        ("print.html", "lecture notes"), ("print.html", "the cookbook")]:
        text = (site / name).read_text(encoding="utf-8")
        assert f'<span class="offline-link">{words}</span>' in text, name
    assert 'href="lectures/demo.html"' in (site / "index.html").read_text(encoding="utf-8")  # links inside stay


def next_page(page: Path) -> Path | None:
    """The file the page's "Next" link leads to, resolved as a browser resolves it from file://."""
    tree = parse(page.read_text(encoding="utf-8"))
    hrefs = tree.xpath('//a[contains(concat(" ", normalize-space(@class), " "), " md-footer__link--next ")]/@href')
    if not hrefs:
        return None
    href = hrefs[-1]
    assert not urlsplit(href).scheme and href.endswith(".html"), f"{page}: next is {href}"
    return (page.parent / urlsplit(href).path).resolve()


def test_every_page_is_reached_by_the_navigation_from_file(edition: Path, tab):
    # The chain of "Next" links, read from the files, from the home page to the last page.
    visited = [(edition / "index.html").resolve()]
    while (following := next_page(visited[-1])) is not None:
        assert following.is_file(), f"{visited[-1].name} leads to {following}, which is not in the zip"
        assert following not in visited, f"the navigation comes back to {following.name}"
        visited.append(following)
    # Every page but print.html (the whole course on one page, for the PDF; not a page of the site).
    pages = {p.resolve() for p in edition.rglob("*.html") if p.name != "print.html"}
    assert set(visited) == pages, sorted(str(p.relative_to(edition)) for p in set(visited) ^ pages)
    # The same links followed by a reader's clicks, from file://, over the first pages
    # (the home page, the conventions, then into the lectures' folder).
    page = tab
    page.goto(visited[0].as_uri())
    for expected in visited[1:4]:
        page.locator("a.md-footer__link--next").click()
        page.wait_for_load_state("load")
        assert page.url == expected.as_uri(), (page.url, expected.as_uri())
        assert page.locator("h1").count(), f"{page.url} has no heading"


def test_math_is_rendered_with_the_fonts_of_the_zip(lecture_tab):
    page = lecture_tab
    assert page.locator(".katex").count() > 0 and page.locator(".katex-error").count() == 0
    fonts = page.evaluate("document.fonts.ready.then(() => document.fonts.check('16px KaTeX_Main'))")
    assert fonts, "KaTeX_Main is not loaded"


def test_search_finds_a_page_when_typed(edition: Path, tab):
    page = tab
    page.goto((edition / "index.html").as_uri())
    page.click(".md-search__input")
    page.keyboard.type("derivative", delay=40)  # Material's search ignores a programmatic fill()
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    results = page.locator(".md-search-result__item a")
    assert results.count() > 0
    results.first.click()
    page.wait_for_load_state("load")
    assert page.url.startswith("file://") and ".html" in page.url, page.url
    assert "derivative" in page.locator("article").inner_text().lower()


def test_the_copy_button_copies_the_code(lecture_tab):
    page = lecture_tab
    # The buttons come when the block first comes on screen (content.lazy in mkdocs.yml).
    page.locator("div.highlight pre").first.scroll_into_view_if_needed()
    page.locator("button.md-code__button[data-md-type=copy]").first.click()
    page.wait_for_selector(".md-dialog--active", timeout=5000)
    copied = page.evaluate("navigator.clipboard.readText()")
    code = page.locator("div.highlight pre code").first.inner_text()
    assert copied.strip() and copied.strip() == code.strip()


def test_the_notebook_of_a_lecture_downloads(edition: Path, lecture_tab):
    page = lecture_tab
    with page.expect_download(timeout=10000) as download:
        page.click("p.notebook-links a[download]")
    notebook = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert download.value.suggested_filename == lecture(edition).with_suffix(".ipynb").name
    assert notebook == json.loads(lecture(edition).with_suffix(".ipynb").read_text(encoding="utf-8"))
    assert any(cell["cell_type"] == "code" for cell in notebook["cells"])
