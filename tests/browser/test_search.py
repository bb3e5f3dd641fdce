"""Search finds a lecture by a word only that lecture uses, typed key by key as a reader types."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser.reader import site_pages, words_in_prose

LECTURES = [page for page in site_pages() if page.is_lecture]


def distinctive_words(site) -> dict[str, Counter]:
    """For each page of the search index, its words (7+ letters) that no other page has, counted.

    Words are cut as the search engine (lunr) cuts them: at the index's separator,
    then stripped of non-word characters at both ends.
    """
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    separator = re.compile(index["config"]["separator"])
    words: dict[str, Counter] = defaultdict(Counter)
    for entry in index["docs"]:
        prose = re.sub(r"<(pre|code)\b.*?</\1>", " ", f"{entry['title']} {entry['text']}", flags=re.DOTALL)
        text = re.sub(r"<[^>]+>", " ", prose).lower()
        tokens = (re.sub(r"^\W+|\W+$", "", token) for token in separator.split(text))
        words[entry["location"].split("#")[0]].update(t for t in tokens if re.fullmatch(r"[a-z]{7,}", t))
    unique = {}
    for location, counts in words.items():
        elsewhere = set().union(*(other for key, other in words.items() if key != location))
        unique[location] = Counter({word: n for word, n in counts.items() if word not in elsewhere})
    return unique


def search_word(own_words: dict[str, Counter], lecture) -> str | None:
    """The lecture's most frequent word of its own that a reader would type: one of its prose
    (formulas leave glued letters such as 'bhnbhnbhn' in the index)."""
    prose = words_in_prose(lecture)
    candidates = [(-n, word) for word, n in own_words.get(lecture.url, Counter()).items() if word in prose]
    return min(candidates)[1] if candidates else None


@pytest.fixture(scope="module")
def own_words(site) -> dict[str, Counter]:
    return distinctive_words(site)


@pytest.fixture(scope="module")
def search_tab(desktop, base_url):
    tab = desktop.new_page()
    tab.goto(base_url)
    yield tab
    tab.close()


@pytest.mark.parametrize("lecture", LECTURES, ids=[page.name for page in LECTURES])
def test_search_lists_the_lecture(lecture, search_tab, own_words):
    word = search_word(own_words, lecture)
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
