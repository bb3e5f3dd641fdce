"""The light/dark toggle switches the colour scheme, the choice is kept, a first visit follows the system, and formulas stay readable."""

from __future__ import annotations

import contextlib

from browser.reader import DESKTOP, FORMULA_CONTRAST, MIN_CONTRAST, smallest_page_with_formulas

SETTLED = "document.getAnimations().every((animation) => animation.playState !== 'running')"
SCHEME = "document.body.getAttribute('data-md-color-scheme')"
TOGGLE = "form[data-palette-toggle] label:visible"  # overrides/main.html runs the toggle


@contextlib.contextmanager
def page_with_formulas(browser, base_url, site, preferred: str):
    """A tab on a page with formulas, for a reader whose system prefers `preferred` colours.

    Any such page shows the toggle at work (every page's formulas are measured in
    both schemes by test_pages_in_browser); the smallest loads fastest.
    """
    url = smallest_page_with_formulas(site).parent.relative_to(site).as_posix() + "/"
    context = browser.new_context(**DESKTOP, color_scheme=preferred)
    tab = context.new_page()
    try:
        tab.goto(base_url + url)
        yield url, tab
    finally:
        context.close()


def test_toggle_switches_scheme_and_formulas_stay_readable(browser, base_url, site):
    with page_with_formulas(browser, base_url, site, "light") as (url, tab):
        background = lambda: tab.evaluate("getComputedStyle(document.body).backgroundColor")  # noqa: E731
        assert tab.evaluate(SCHEME) == "default", "a reader who prefers light colours gets the light scheme"
        light_background = background()
        seen = {}
        for expected, label in (("slate", "Switch to dark mode"), ("default", "Switch to light mode")):
            toggle = tab.locator(TOGGLE)
            assert toggle.get_attribute("title") == label, toggle.get_attribute("title")
            toggle.click()
            tab.wait_for_function(f"{SCHEME} === '{expected}'")
            tab.wait_for_function(SETTLED)
            seen[expected] = (background(), tab.evaluate(FORMULA_CONTRAST, expected))
            if expected == "slate":
                tab.reload()
                assert tab.evaluate(SCHEME) == "slate", "the chosen scheme is kept on the next page load"
    assert seen["slate"][0] != light_background, f"the dark scheme left the background at {light_background}"
    assert seen["default"][0] == light_background
    for name, (_, worst) in seen.items():
        assert worst is not None, f"{url} shows no formula"
        assert worst["ratio"] >= MIN_CONTRAST, f"{url}, scheme {name}: formula contrast {worst}"


def test_a_first_visit_follows_the_system_preference(browser, base_url, site):
    # A reader whose system prefers dark colours gets the dark scheme at once,
    # with the button back to light.
    with page_with_formulas(browser, base_url, site, "dark") as (_, tab):
        assert tab.evaluate(SCHEME) == "slate"
        toggle = tab.locator(TOGGLE)
        assert toggle.count() == 1 and toggle.get_attribute("title") == "Switch to light mode"
        # Enter on the focused toggle switches, as in the theme.
        tab.focus("form[data-palette-toggle] input:checked")
        tab.keyboard.press("Enter")
        tab.wait_for_function(f"{SCHEME} === 'default'")
