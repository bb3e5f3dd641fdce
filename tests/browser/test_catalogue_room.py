"""The identity catalogue's groups far down the page are laid out only when they come near the
screen (content-visibility in extra.css); until then each keeps a room whose height hooks/catalogue.py
and extra.css set from its number of rows. A group taller than its room runs over the next one:
Lighthouse's accessibility audit (target-size), which measures the page as it loads, then finds the
rows' numbers covered by the checks' summaries below them."""

from __future__ import annotations

import pytest

PAGE = "reference/identities/"
# The narrowest widths of extra.css's three ranges (280 px and less is no phone's width), a phone,
# the widest before the sidebars come, and two desktops.
WIDTHS = [280, 320, 359, 360, 390, 719, 720, 1279, 1280, 1920]

GROUPS = "document.querySelectorAll('.md-typeset > :is(div.identity-table, section.identity-checks)')"


@pytest.fixture(scope="module")
def catalogue(browser, base_url):
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 800})
    tab = context.new_page()
    tab.goto(base_url + PAGE, wait_until="load")
    tab.evaluate("document.fonts.ready.then(() => true)")
    yield tab
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_group_not_yet_drawn_keeps_room_for_its_whole_height(catalogue, width):
    catalogue.set_viewport_size({"width": width, "height": 800})
    # As the page loads, not scrolled: where the rows' numbers and the checks' summaries are.
    found = catalogue.evaluate(f"""() => {{
        const rects = (selector) => [...document.querySelectorAll(selector)]
            .map((element) => [element.textContent.trim().slice(0, 12), element.getBoundingClientRect()])
        const numbers = rects('.identity-table td:first-child a')
        const summaries = rects('.identity-checks summary')
        const covered = []
        for (const [number, a] of numbers)
            for (const [summary, b] of summaries)
                if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
                    covered.push([number, summary])
        const skipped = [...{GROUPS}].filter((group) => getComputedStyle(group).contentVisibility === 'auto')
        const rooms = skipped.map((group) => group.getBoundingClientRect().height)
        skipped.forEach((group) => group.style.contentVisibility = 'visible')
        const heights = skipped.map((group) => group.getBoundingClientRect().height)
        skipped.forEach((group) => group.style.contentVisibility = '')
        const groups = skipped.map((group, i) => [group.className, group.querySelectorAll('tbody tr, details').length,
                                                  Math.round(rooms[i]), Math.round(heights[i])])
        return {{covered, groups}}
    }}""")
    assert len(found["groups"]) >= 10, found  # every group's table and checks
    too_small = [group for group in found["groups"] if group[3] > group[2]]
    assert not too_small, (f"at {width} px, groups taller than the room kept for them (class, rows, room px, "
                           f"height px): {too_small}; raise --row-room in extra.css")
    assert not found["covered"], f"at {width} px, rows' numbers under a check's summary: {found['covered'][:5]}"
