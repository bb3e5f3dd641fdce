"""The first screen does not move when KaTeX's fonts arrive (hooks/render_math.py, fonts_awaited).

A reader's first visit on a slow line, where the first frame is drawn before the fonts of the
first formulas come: here the fonts are held back until the page has painted, then let through.
KaTeX's fonts are `font-display: block`, so a formula whose font is on its way is laid out,
unseen, with a fallback font's widths; when the font comes, the lines around it break again.
The page keeps its content transparent until the fonts are there, then shows it once: no layout
shift. The same page without that script moves, which shows that the check sees what it is about.
"""

from __future__ import annotations

import pytest

from browser.reader import DESKTOP, PHONE

# The phone Lighthouse emulates (`make audit`), where the adjoint-method lecture's first paragraph
# moved by 0.144 as its fonts came.
LIGHTHOUSE_PHONE = {"viewport": {"width": 412, "height": 823}, "is_mobile": True, "has_touch": True,
                    "device_scale_factor": 1.75}
FORMS = {"phone": PHONE, "lighthouse-phone": LIGHTHOUSE_PHONE, "desktop": DESKTOP}

# Layout shifts as Chromium reports them (the Layout Instability API, what CLS adds up), and
# what the content looked like when the document had been parsed. Every shift counts, as in
# Lighthouse: nothing here touches the page, yet an emulated phone marks a shift in the first
# half second as "had recent input", which would hide the one this is about.
OBSERVE = """
window.shifts = [];
window.noteShifts = (entries) => {
  for (const entry of entries) window.shifts.push(entry.value);
};
window.shiftObserver = new PerformanceObserver((list) => window.noteShifts(list.getEntries()));
window.shiftObserver.observe({type: "layout-shift", buffered: true});
document.addEventListener("DOMContentLoaded", () => {
  window.opacityWhenParsed = getComputedStyle(document.querySelector(".md-content")).opacity;
});
"""
PAINTED = """() => document.readyState !== "loading" && performance.getEntriesByType("paint").length > 0
  && new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"""
SCRIPT_START = '<script>(() => { const wait = document.head.appendChild(document.createElement("style"))'


def first_visit(browser, base_url: str, url: str, form: dict, awaited: bool) -> dict:
    """A cold load of the page (a context of its own: nothing cached), its fonts held back until
    the first frame is painted; with the page's font script (`awaited`) or without it."""
    context = browser.new_context(**form)
    held, released = [], []
    try:
        tab = context.new_page()

        def font(route):
            if released:
                route.continue_()
            else:
                held.append(route)

        def without_script(route):
            response = route.fetch()
            html = response.text()
            start = html.find(SCRIPT_START)
            assert start >= 0, f"{url}: no font script to take out"
            end = html.find("</script>", start) + len("</script>")
            route.fulfill(response=response, body=html[:start] + html[end:])

        tab.route("**/*.woff2", font)
        if not awaited:
            tab.route(base_url + url, without_script)
        tab.add_init_script(OBSERVE)
        tab.goto(base_url + url, wait_until="commit")
        tab.wait_for_function(PAINTED, timeout=20_000)
        assert held, f"{url}: no font was asked for before the first frame"
        released.append(True)
        for route in held:
            route.continue_()
        tab.wait_for_load_state("load")
        tab.wait_for_function("() => document.fonts.status === 'loaded'", timeout=10_000)
        tab.wait_for_timeout(300)  # a frame or two after the fonts
        return tab.evaluate("""() => ({
            shifts: (window.noteShifts(window.shiftObserver.takeRecords()), window.shifts),
            opacityWhenParsed: window.opacityWhenParsed,
            opacity: getComputedStyle(document.querySelector(".md-content")).opacity,
        })""")
    finally:
        context.close()


@pytest.mark.parametrize("url", ["lectures/adjoint-method/", "lectures/derivatives/"])
@pytest.mark.parametrize("form", FORMS)
def test_the_first_screen_does_not_move_when_the_fonts_arrive(browser, base_url, url, form):
    seen = first_visit(browser, base_url, url, FORMS[form], awaited=True)
    assert seen["opacityWhenParsed"] == "0", f"{url}: the content was drawn before its fonts had come: {seen}"
    assert seen["opacity"] == "1", f"{url}: the content is still transparent once the fonts are there: {seen}"
    assert sum(seen["shifts"]) == 0, f"{url}: the page moved as the KaTeX fonts arrived: {seen['shifts']}"


@pytest.mark.parametrize("form", ["lighthouse-phone", "desktop"])
def test_without_the_script_the_same_first_visit_moves(browser, base_url, form):
    url = "lectures/adjoint-method/"
    seen = first_visit(browser, base_url, url, FORMS[form], awaited=False)
    assert seen["opacityWhenParsed"] == "1" and seen["opacity"] == "1", seen
    assert sum(seen["shifts"]) > 0, f"{url}: no layout shift without the font script; the check above proves nothing"
