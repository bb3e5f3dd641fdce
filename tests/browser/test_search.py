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


# What a student types, and where the first result must lead: the page, and the first section the
# search lists under it (any of those given: a query can have more than one right answer).
RANKED = [
    ("kronecker", "lectures/vec-kronecker/",
     ["the-kronecker-product", "what-the-kronecker-form-costs", "more-facts-about-kronecker-products"]),
    ("softmax gradient", "lectures/backpropagation/", ["softmax-with-cross-entropy"]),
    ("softmax jacobian", "lectures/jacobians/", ["example-a-softmax-classifier-from-64-pixels-to-10-probabilities"]),
    ("jacobian determinant", "lectures/jacobian-determinant/", ["determinants-scale-areas-and-volumes"]),
    ("change of variables", "lectures/jacobian-determinant/", ["densities-under-a-change-of-variables"]),
    ("polar coordinates", "lectures/jacobian-determinant/", ["polar-coordinates-dx-dy-r-dr-d"]),
    ("complex step", "lectures/finite-differences/", ["the-complex-step"]),
    ("finite difference step size", "lectures/finite-differences/", ["the-best-step"]),
    ("chain rule", "lectures/chain-rule/", ["the-derivative-of-a-composition"]),
    ("dual numbers", "lectures/chain-rule/", ["forward-mode-with-dual-numbers"]),
    ("frobenius inner product", "lectures/gradients/", ["the-frobenius-inner-product"]),
    ("steepest ascent", "lectures/gradients/", ["the-gradient-is-the-direction-of-steepest-ascent"]),
    ("symmetric gradient", "lectures/gradients/", ["gradients-with-respect-to-a-symmetric-matrix"]),
    ("jacobi formula", "lectures/determinant-inverse/", ["jacobis-formula"]),
    ("cofactor", "lectures/determinant-inverse/", ["entry-by-entry-cofactors"]),
    ("implicit function theorem", "lectures/newton-implicit/", ["the-implicit-function-theorem"]),
    ("quadratic convergence", "lectures/newton-implicit/", ["quadratic-convergence"]),
    ("hessian vector product", "lectures/second-derivatives/",
     ["hessian-vector-products", "newtons-method-with-hessian-vector-products"]),
    ("eigenvalue derivative", "lectures/eigenproblems/", ["the-derivative-of-an-eigenvalue"]),
    ("eigenvector derivative", "lectures/eigenproblems/", ["the-derivative-of-an-eigenvector"]),
    ("spectral norm", "lectures/eigenproblems/", ["singular-values", "spectral-normalisation"]),
    ("catenary", "lectures/calculus-of-variations/", ["the-catenary"]),
    ("score function estimator", "lectures/random-functions/", ["the-score-function-estimator"]),
    ("pathwise gradient", "lectures/random-functions/", ["the-pathwise-estimator"]),
    ("reparameterization trick", "lectures/random-functions/", ["the-pathwise-estimator"]),
]

FIRST_RESULT = """() => {
  const group = document.querySelector(".md-search-result__item")
  if (!group) return null
  return [...group.querySelectorAll(".md-search-result__link")].map((a) => {
    const url = new URL(a.href)
    return url.pathname.replace(/^.*?\\/(lectures|labs|reference|conventions)\\//, "$1/") + url.hash
  })
}"""


@pytest.mark.parametrize("query, page, sections", RANKED, ids=[query for query, _, _ in RANKED])
def test_a_students_query_leads_first_to_its_page_and_section(query, page, sections, search_tab):
    box = search_tab.locator(".md-search__input")
    box.click()
    box.fill(query)  # typed at once (key by key is the test above's business) ...
    box.press("End")  # ... and a key pressed, which is what the theme's search listens for
    expected = [f"{page}#{section}" for section in sections]
    try:
        search_tab.wait_for_function(
            f"([page, expected]) => {{ const links = ({FIRST_RESULT})(); if (!links) return false;"
            " const section = links.find((link) => link.includes('#'));"
            " return links[0] === page && expected.includes(section) }",
            arg=[page, expected], timeout=3_000,
        )
    except PlaywrightTimeout:
        pytest.fail(f"searching {query!r} lists first {search_tab.evaluate(FIRST_RESULT)}; expected {page} "
                    f"with one of {sections} as its first section")


def test_the_index_holds_prose_not_tex_or_notebook_noise(site):
    """What a search result shows is the index's text: formulas as Unicode text (hooks/search_index.py),
    no TeX command, no code of a lab's cells, no Jupyter prompt and no button text, and no
    permalink's ¶ in a section's title (a lab's headings: hooks/heading_ends.py)."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    problems = []
    for entry in index["docs"]:
        if "¶" in entry["title"]:
            problems.append(f"{entry['location']}: the title {entry['title']!r} holds a permalink's ¶")
        text = f"{entry['title']} {entry['text']}"
        for pattern in (r"\\[A-Za-z]+", r"\\[()\[\]]", r"\b(?:In|Out)\s*\[\s*\d*\s*\]:", r"Copied!", r"\bimport numpy\b",
                        r"\bdef \w+\("):
            found = re.search(pattern, text)
            if found:
                problems.append(f"{entry['location']}: {text[max(0, found.start() - 40):found.end() + 40]!r}")
    assert not problems, f"{len(problems)} entries:\n" + "\n".join(problems[:20])
    # A formula reads as text: the derivative of the determinant, as written on its page.
    texts = " ".join(entry["text"] for entry in index["docs"] if entry["location"].startswith("lectures/determinant-inverse/"))
    assert "det(I + εE)" in texts.replace("ϵ", "ε") or "det(I + ϵE)" in texts, "no Unicode formula for det(I + εE)"
