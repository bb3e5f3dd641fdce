"""One Chromium for all browser tests, the built site served on a free port, a phone and a desktop."""

from __future__ import annotations

import pytest

import static_server
from browser import chromium
from browser.reader import DESKTOP, PHONE


def pytest_configure(config):
    config.addinivalue_line("markers", "markdown_pages: the test applies to pages written in Markdown only")
    config.addinivalue_line("markers", "only_on(*urls): the test applies to these pages only (site URLs)")


def applies(item) -> bool:
    """Whether a test of a page (the `opened` parameter) applies to that page, by its markers."""
    page = item.callspec.params.get("opened") if hasattr(item, "callspec") else None
    if page is None:
        return True
    if item.get_closest_marker("markdown_pages") and not (page.uri or "").endswith(".md"):
        return False
    only = item.get_closest_marker("only_on")
    return only is None or page.url in only.args


def pytest_collection_modifyitems(config, items):
    """Tests of every page are not collected for the pages their markers leave out: tests marked
    markdown_pages for labs (notebooks) and the 404 page, tests marked only_on for the pages not named."""
    kept, dropped = [], []
    for item in items:
        (kept if applies(item) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def browser():
    path = chromium.executable()
    if path is None:
        if chromium.in_ci():
            pytest.fail(f"CI must run the browser tests. {chromium.HOW_TO_INSTALL}", pytrace=False)
        pytest.skip(chromium.HOW_TO_INSTALL)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=chromium.FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def base_url(site) -> str:
    """The strict build of the session, served like a static host (gzip), e.g. http://127.0.0.1:41234/."""
    with static_server.serve(site) as url:
        yield url


@pytest.fixture(scope="session")
def phone(browser, base_url):
    """A phone; pages opened in it are widened to a desktop's size for a second look."""
    context = browser.new_context(**PHONE)
    # The copy buttons write to the clipboard; the tests read it back.
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/"))
    yield context
    context.close()


@pytest.fixture(scope="session")
def desktop(browser):
    context = browser.new_context(**DESKTOP)
    yield context
    context.close()
