"""hooks/heading_ends.py: a heading's last word and its permalink are kept on one line.

The browser check that no ¶ sits alone on a line is in tests/browser/reader.py; here, which
headings are wrapped and that the text a reader sees is unchanged.
"""

from __future__ import annotations

import re

import pytest

from hook_module import hook_module

heading_ends = hook_module("heading_ends")
LINK = '<a class="headerlink" href="#h" title="Permanent link">&para;</a>'


def text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


@pytest.mark.parametrize(("inside", "kept"), [
    ("The adjoint method", "method"),
    ("Q&amp;A", "Q&amp;A"),  # one word, right after the heading's tag
    ("a <em>b</em> c", "c"),
    ("Newton's method for systems", "systems"),
])
def test_the_last_word_and_the_permalink_are_wrapped(inside, kept):
    written = f'<h2 id="h">{inside}{LINK}</h2>'
    wrapped = heading_ends.keep_permalinks_with_their_words(written)
    assert f'<span class="heading-end">{kept}{LINK}</span></h2>' in wrapped
    assert text(wrapped) == text(written)


@pytest.mark.parametrize("inside", [
    "Of <code>x</code>",  # ends with a tag: nothing to hold on to
    "Of <code>x</code>s",
    'The derivative of <span class="arithmatex">\\(X^{-1}\\)</span>.',  # its full stop stays with the formula
    "The sum $a + b$",  # a lab's formula, still TeX: a span inside it would stop it being rendered
    "The norm $\\|x\\|$",
])
def test_a_heading_that_ends_with_an_element_is_left_as_written(inside):
    written = f'<h3 id="h">{inside}{LINK}</h3>'
    assert heading_ends.keep_permalinks_with_their_words(written) == written


def test_a_long_run_without_spaces_is_read_once():
    """A figure's data URI before a heading: the word is found by looking back from the link."""
    page = '<img src="data:image/png;base64,' + "A" * 3_000_000 + '"><h2 id="h">Last' + LINK + "</h2>"
    assert heading_ends.keep_permalinks_with_their_words(page).endswith(
        f'<span class="heading-end">Last{LINK}</span></h2>')


def test_a_labs_permalink_is_made_the_toc_extensions_and_kept_with_its_word():
    """nbconvert's permalink (mkdocs-jupyter's lab pages) becomes the theme's, then is wrapped."""
    written = '<h2 id="the-estimators">The estimators<a class="anchor-link" href="#the-estimators">¶</a></h2>'
    made = heading_ends.on_page_content(written, None, None, None)
    link = '<a class="headerlink" href="#the-estimators" title="Permanent link">¶</a>'
    assert made == f'<h2 id="the-estimators">The <span class="heading-end">estimators{link}</span></h2>'
    # Only at a heading's end: a link of that class elsewhere (a cell's output) is left as written.
    elsewhere = '<p><a class="anchor-link" href="#x">¶</a> text</p>'
    assert heading_ends.on_page_content(elsewhere, None, None, None) == elsewhere
