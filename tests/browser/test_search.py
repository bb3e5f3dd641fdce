"""Search finds a lecture by a word only that lecture uses, typed key by key as a reader types."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser.reader import site_pages

LECTURES = [page for page in site_pages() if page.is_lecture]


def distinctive_words(site) -> dict[str, str]:
    """For each page of the search index, its most frequent word (7+ letters) that no other page has."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    words: dict[str, Counter] = defaultdict(Counter)
    for entry in index["docs"]:
        text = re.sub(r"<[^>]+>", " ", f"{entry['title']} {entry['text']}").lower()
        words[entry["location"].split("#")[0]].update(re.findall(r"\b[a-z]{7,}\b", text))
    chosen = {}
    for location, counts in words.items():
        elsewhere = set().union(*(other for key, other in words.items() if key != location))
        unique = [(-count, word) for word, count in counts.items() if word not in elsewhere]
        if unique:
            chosen[location] = min(unique)[1]
    return chosen


@pytest.fixture(scope="module")
def search_tab(desktop, base_url):
    tab = desktop.new_page()
    tab.goto(base_url)
    yield tab
    tab.close()


@pytest.mark.parametrize("lecture", LECTURES, ids=[page.name for page in LECTURES])
def test_search_lists_the_lecture(lecture, search_tab, site):
    word = distinctive_words(site).get(lecture.url)
    assert word, f"{lecture.url} has no word of its own in the search index"
    box = search_tab.locator(".md-search__input")
    box.click()
    box.fill("")
    box.press_sequentially(word)
    try:
        search_tab.wait_for_function(
            """(url) => [...document.querySelectorAll(".md-search-result__item a")]
              .some((a) => new URL(a.href).pathname.endsWith("/" + url))""",
            arg=lecture.url,
            timeout=10_000,
        )
    except PlaywrightTimeout:
        listed = search_tab.evaluate(
            """[...document.querySelectorAll(".md-search-result__item a")].map((a) => new URL(a.href).pathname)"""
        )
        pytest.fail(f"typing {word!r} into the search box did not list {lecture.url}; it listed {listed}")
