"""On a phone, every box that scrolls sideways can be reached from the keyboard.

A formula, code block or table wider than a phone scrolls inside its own box,
which must take keyboard focus (a phone may have a keyboard or a switch). Blocks
far down a page are drawn only when they come near the screen, and code blocks
get their buttons only then, so the script that makes such boxes focusable
(overrides/main.html) has to see each block as it is drawn, and each collapsed
solution as it is opened. A reader goes through a whole lecture here: every
collapsed block opened, the page scrolled to the end a screen at a time.
"""

from __future__ import annotations

from browser.reader import READ_THROUGH

# The lecture with the most boxes wider than a phone (vec and Kronecker
# formulas, code printing matrices).
PAGE = "lectures/vec-kronecker/"


def test_every_box_that_scrolls_takes_keyboard_focus_once_drawn(phone, base_url):
    tab = phone.new_page()
    try:
        tab.goto(base_url + PAGE, wait_until="load")
        found = tab.evaluate(READ_THROUGH)
    finally:
        tab.close()
    # Enough boxes scroll on a phone for the check to mean something.
    assert found["scrolling"] >= 10, found
    assert not found["unreachable"], (
        f"{PAGE}: {len(found['unreachable'])} box(es) scroll sideways on a phone but take no "
        f"keyboard focus: {found['unreachable'][:5]}"
    )
