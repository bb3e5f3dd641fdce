"""The interactive figure of the Jacobian determinant (docs/assets/javascripts/det-explorer.js).

On the page jacobian-determinant the script turns the static figure
figures/jacobian-determinant/det-explorer.py into a point p that the reader
drags, taps to or moves with the arrow keys, with the image of a small square
under the Jacobian of the lab's map at p and the numbers p, J and det J as text.
The script writes the map's Jacobian again, in JavaScript; here a mouse, a
finger and the keyboard move the point, and every number shown is compared
with J and det J computed at the point shown from the page's own Python
function f (its Jacobian by the complex step, exact to rounding), to 1e-9.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from browser.reader import DESKTOP, PHONE

ROOT = Path(__file__).resolve().parents[2]
PAGE = "docs/lectures/jacobian-determinant.md"
URL = "lectures/jacobian-determinant/"
STATIC = ROOT / "figures" / "jacobian-determinant" / "det-explorer.py"
TOLERANCE = 1e-9


@functools.cache
def static_figure() -> SimpleNamespace:
    """The figure's script, the part of the plane it shows and the page's functions. Loaded when
    a test first asks (not as the module is collected: the script imports matplotlib, 0.7 s of
    CPU in each worker of the suite)."""
    sys.path.insert(0, str(ROOT / "figures"))
    spec = importlib.util.spec_from_file_location("det_explorer_figure", STATIC)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    f, det, center = module.page_functions(PAGE, "f", "det", "center")
    return SimpleNamespace(jacobian=module.jacobian, f=f, det=det, center=tuple(center), plane=module.PLANE)

SHOWN = """() => Object.fromEntries([...document.querySelectorAll(".det-explorer [data-quantity]")]
    .map((node) => [node.dataset.quantity, node.textContent]))"""
# The drawn square and parallelogram, as the numbers of their SVG polygons.
DRAWN = """() => ["square", "image"].map((name) => document.querySelector(`.det-explorer__${name}`)
    .getAttribute("points").trim().split(/\\s+/).map((pair) => pair.split(",").map(Number)))"""


def number(text: str) -> float:
    return float(text.replace("\u2212", "-"))


def signed_area(points) -> float:
    x, y = np.asarray(points, dtype=float).T
    return 0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)


def python_values(x: float, y: float):
    """J and det J at (x, y) from the page's own f."""
    figure = static_figure()
    J = figure.jacobian(figure.f, np.array([x, y]))
    return J, np.linalg.det(J)


def check_shown(tab) -> dict:
    """The numbers the figure shows agree with the page's Python at the point shown; returns them."""
    shown = tab.evaluate(SHOWN)
    x, y = number(shown["x"]), number(shown["y"])
    J, det = python_values(x, y)
    for name, value in (("J11", J[0, 0]), ("J12", J[0, 1]), ("J21", J[1, 0]), ("J22", J[1, 1]), ("det", det)):
        assert abs(number(shown[name]) - value) <= TOLERANCE * abs(value), (name, shown, value)
    # The picture: the parallelogram is the square scaled by det J, sign included
    # (SVG's y axis points down, which turns both polygons over alike).
    square, image = tab.evaluate(DRAWN)
    assert abs(signed_area(image) / signed_area(square) - det) < 2e-3 * max(1, abs(det)), (shown, det)
    sign = tab.evaluate("document.querySelector('.det-explorer').dataset.sign")
    assert sign == ("positive" if det > 0 else "negative"), (sign, det)
    assert shown["orientation"] == ("orientation kept" if det > 0 else "turned over")
    return {"p": (x, y), "det": det, "shown": shown}


def client_point(tab, x: float, y: float) -> tuple[float, float]:
    """Where the plane's point (x, y) is on the screen."""
    box = tab.locator(".det-explorer__plane").bounding_box()
    XMIN, XMAX, YMIN, YMAX = static_figure().plane
    return (box["x"] + (x - XMIN) / (XMAX - XMIN) * box["width"],
            box["y"] + (YMAX - y) / (YMAX - YMIN) * box["height"])


def handle_centre(tab) -> tuple[float, float]:
    box = tab.locator(".det-explorer__dot").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


@pytest.fixture(scope="module")
def opened(browser, base_url):
    """The page on a desktop, its console errors collected; loaded once, for the tests below in their
    order (the first sees the point where it starts, the others move it from where it is)."""
    context = browser.new_context(**DESKTOP)
    tab = context.new_page()
    errors = []
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(base_url + URL)
    tab.wait_for_selector(".det-explorer")
    tab.locator(".det-explorer").scroll_into_view_if_needed()
    yield tab
    context.close()
    assert not errors, errors


def test_it_starts_at_the_page_point_with_the_page_determinant(opened):
    found = check_shown(opened)
    assert found["p"] == static_figure().center, found
    # The number the page prints for this point (det J = 0.82442991) is the one shown.
    page_det = static_figure().det
    assert abs(found["det"] - page_det) <= TOLERANCE * page_det
    assert abs(number(found["shown"]["det"]) - page_det) <= TOLERANCE * page_det
    # The static figure gives way to the interactive one; the caption stays.
    figure = opened.locator("figure.det-explorer-live")
    assert figure.count() == 1
    assert not figure.locator("img").first.is_visible()
    assert figure.locator("figcaption").is_visible()


@pytest.mark.parametrize("target", [(2.0, 1.0), (4.0, 0.1), (-3.5, 1.6), (-1.3, -2.1)])
def test_dragging_the_point_shows_the_jacobian_where_it_is(opened, target):
    tab = opened
    tab.mouse.move(*handle_centre(tab))
    tab.mouse.down()
    tab.mouse.move(*client_point(tab, *target), steps=12)
    tab.mouse.up()
    found = check_shown(tab)
    # One pixel is 0.02 units of the plane: the point is where it was dropped.
    assert np.allclose(found["p"], target, atol=0.03), (found["p"], target)
    # Into the shaded regions the map folds: the square comes out turned over.
    expected_sign = np.sign(1 - 0.36 * target[0] * np.cos(2 * target[1]))
    assert np.sign(found["det"]) == expected_sign


def test_arrow_keys_move_the_point(opened):
    tab = opened
    handle = tab.locator(".det-explorer__handle")
    handle.focus()
    tab.keyboard.press("Home")  # back to the start, wherever the drags left the point
    assert check_shown(tab)["p"] == static_figure().center
    for key in ["ArrowRight"] * 3 + ["ArrowUp"] * 2 + ["Shift+ArrowRight"] * 5:
        tab.keyboard.press(key)
    found = check_shown(tab)
    x, y = static_figure().center
    expected = (round(x + 0.3 + 2.5, 2), round(y + 0.2, 2))
    assert found["p"] == expected, found
    assert found["det"] < 0  # (3.5, −0.2) lies in the fold on the right
    text = handle.get_attribute("aria-valuetext")
    assert text.startswith(f"p = ({found['shown']['x']}, {found['shown']['y']})"), text
    assert "turned over" in text
    assert opened.locator(".det-explorer__readout").get_attribute("aria-live") == "polite"
    tab.keyboard.press("Home")
    assert check_shown(tab)["p"] == static_figure().center


def touch_drag(cdp, start, end, steps=10):
    """A finger put down at `start` and moved to `end` (Chromium's touch input, as a phone gives it)."""
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": start[0], "y": start[1]}]})
    for k in range(1, steps + 1):
        x, y = (start[i] + (end[i] - start[i]) * k / steps for i in (0, 1))
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


# Blocks above the figure are laid out as they come near the screen (content-visibility), and
# fonts arrive: the page may still move under a finger placed at once. Resolves once the figure
# has stayed put for five frames in a row.
STEADY = """(selector) => new Promise((done) => {
  let last = null, still = 0;
  const look = () => {
    const top = document.querySelector(selector).getBoundingClientRect().top;
    still = top === last ? still + 1 : 0;
    last = top;
    if (still >= 5) done(top); else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})"""


def test_a_finger_drags_or_taps_the_point_on_a_phone(browser, base_url):
    context = browser.new_context(**PHONE)
    try:
        tab = context.new_page()
        tab.goto(base_url + URL)
        tab.wait_for_selector(".det-explorer")
        tab.locator(".det-explorer").scroll_into_view_if_needed()
        tab.evaluate(STEADY, ".det-explorer")
        tab.touchscreen.tap(*client_point(tab, -2.0, -1.0))
        found = check_shown(tab)
        assert np.allclose(found["p"], (-2.0, -1.0), atol=0.05), found
        # A finger on p drags it, and the page stays where it is ...
        cdp = context.new_cdp_session(tab)
        tab.evaluate(STEADY, ".det-explorer")
        scrolled = tab.evaluate("scrollY")
        touch_drag(cdp, handle_centre(tab), client_point(tab, 3.6, -0.3))
        found = check_shown(tab)
        assert np.allclose(found["p"], (3.6, -0.3), atol=0.05), found
        assert found["det"] < 0 and tab.evaluate("scrollY") == scrolled
        # ... while a finger swiping elsewhere on the plane scrolls the page and leaves p.
        box = tab.locator(".det-explorer__plane").bounding_box()
        start = (box["x"] + 20, box["y"] + box["height"] - 20)
        touch_drag(cdp, start, (start[0], start[1] - 150))
        tab.wait_for_function("(before) => scrollY > before", arg=scrolled)
        assert check_shown(tab)["p"] == found["p"]
        # The figure fits the phone: the page does not get wider.
        widths = tab.evaluate("""() => [document.documentElement.scrollWidth, document.documentElement.clientWidth,
            document.querySelector(".det-explorer").getBoundingClientRect().right]""")
        assert widths[0] <= widths[1] and widths[2] <= widths[1], widths
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colours_follow_the_scheme(browser, base_url, scheme):
    expected = {"light": "rgb(31, 95, 191)", "dark": "rgb(130, 177, 255)"}[scheme]
    context = browser.new_context(**DESKTOP, color_scheme=scheme)
    try:
        tab = context.new_page()
        tab.goto(base_url + URL)
        tab.wait_for_selector(".det-explorer")
        colours = tab.evaluate("""() => {
            const style = (selector) => getComputedStyle(document.querySelector(selector));
            return [style(".det-explorer__image").stroke, style(".det-explorer__readout").color,
                    getComputedStyle(document.body).backgroundColor];
        }""")
        assert colours[0] == expected, colours
        assert colours[1] != colours[2], colours
    finally:
        context.close()


def test_without_scripts_the_static_figure_shows(browser, base_url):
    context = browser.new_context(**DESKTOP, java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(base_url + URL)
        image = tab.locator('img[src$="figures/jacobian-determinant/det-explorer.svg"]')
        assert image.count() == 1 and image.is_visible()
        assert tab.locator(".det-explorer").count() == 0
        assert re.search(r"det J = 0\.824", image.get_attribute("alt"))
    finally:
        context.close()
