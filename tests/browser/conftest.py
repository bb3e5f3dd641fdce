"""One Chromium for all browser tests, the built site served on a free port, a phone and a desktop."""

from __future__ import annotations

import pytest

import static_server
from browser import chromium
from browser.reader import DESKTOP, PHONE


def pytest_configure(config):
    config.addinivalue_line("markers", "markdown_pages: the test applies to pages written in Markdown only")


def pytest_collection_modifyitems(config, items):
    """Tests marked markdown_pages are not collected for labs (notebooks) and the 404 page."""
    kept, dropped = [], []
    for item in items:
        page = item.callspec.params.get("opened") if hasattr(item, "callspec") else None
        markdown = page is None or (page.uri or "").endswith(".md")
        (kept if markdown or not item.get_closest_marker("markdown_pages") else dropped).append(item)
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
