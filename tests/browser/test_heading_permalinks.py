"""A heading's permalink (¶) shows when the heading is hovered or is the address's target, on a
lecture and on a lab, though hooks/heading_ends.py puts it in a span with the heading's last word
(and makes a lab's nbconvert permalink the theme's)."""

from __future__ import annotations

import pytest

# The heading's permalink, its opacity once the theme's transition (125 ms) is over.
OPACITY = """(id) => new Promise((done) => setTimeout(() => done(
  getComputedStyle(document.getElementById(id).querySelector(".headerlink")).opacity), 300))"""


@pytest.mark.parametrize(("url", "heading"), [
    ("lectures/derivatives/", "the-definition"),
    ("labs/estimator-variance/", "the-estimators"),
])
def test_a_headings_permalink_shows_on_hover_and_as_the_target(desktop, base_url, url, heading):
    tab = desktop.new_page()
    try:
        tab.goto(base_url + url, wait_until="load")
        link = tab.locator(f"#{heading} .headerlink")
        assert link.count() == 1, f"{url}: the heading #{heading} has no theme permalink (.headerlink)"
        assert tab.evaluate(
            f"document.querySelector('#{heading} .headerlink').closest('.heading-end') !== null"), (
            f"{url}: the permalink of #{heading} is not kept with the heading's last word (hooks/heading_ends.py)")
        assert tab.evaluate(OPACITY, heading) == "0", f"{url}: #{heading}'s ¶ shows before the heading is hovered"
        # The heading's first word, away from the span that holds the last word and the ¶.
        tab.locator(f"#{heading}").scroll_into_view_if_needed()
        box = tab.locator(f"#{heading}").bounding_box()
        tab.mouse.move(box["x"] + 5, box["y"] + box["height"] / 2)
        assert tab.evaluate(OPACITY, heading) == "1", f"{url}: hovering the heading #{heading} does not show its ¶"
        tab.mouse.move(0, 0)
        tab.evaluate(f"location.hash = '#{heading}'")  # the same page, now the heading as its target
        assert tab.evaluate(OPACITY, heading) == "1", f"{url}#{heading}: the target heading's ¶ is not shown"
    finally:
        tab.close()
