"""KaTeX's MathML copies of the formulas are never drawn, and screen readers still read them whole.

KaTeX writes each formula twice: the drawn one (aria-hidden) and a MathML copy for screen readers,
hidden from the eye. extra.css moves the copies off the screen with content-visibility: auto, so a
browser skips their style and layout (a quarter of the elements a lecture draws as it loads), and
hooks/katex_render.py marks the TeX source in each copy aria-hidden, since a copy that has had no
style would otherwise be read out with its TeX after it. This test opens a page in a Chromium that
builds its accessibility tree as it does for a screen reader.
"""

from __future__ import annotations

import re

from browser import chromium
from browser.reader import PHONE, smallest_page_with_formulas

STATE = """() => {
  const copies = [...document.querySelectorAll(".katex-mathml math")]
  const name = (copy) => (copy.querySelector("annotation") || copy).textContent.trim().slice(0, 50)
  const onScreen = [...document.querySelectorAll(".katex-html")].filter((drawn) => {
    const box = drawn.getBoundingClientRect()
    return box.width > 0 && box.top < innerHeight && box.bottom > 0
  }).length
  return {
    onScreen,
    drawn: copies.filter((copy) => copy.checkVisibility({ contentVisibilityAuto: true })).map(name),
    texts: copies.map((copy) => [...copy.querySelectorAll("semantics > :not(annotation)")]
      .map((part) => part.textContent).join("")),
    names: copies.map(name),
  }
}"""


def spoken(node: dict, nodes: dict) -> str:
    """The text a screen reader gets from an accessibility node: its static texts, in order."""
    if node.get("role", {}).get("value") == "StaticText":
        return node.get("name", {}).get("value", "")
    return "".join(spoken(nodes[child], nodes) for child in node.get("childIds", []) if child in nodes)


def test_formula_copies_are_not_drawn_and_are_read_without_their_tex(browser, base_url, site):
    url = smallest_page_with_formulas(site).parent.relative_to(site).as_posix() + "/"
    # The tree a screen reader gets: Chromium builds it in full only when told one is running.
    reader = browser.browser_type.launch(executable_path=chromium.executable(),
                                         args=chromium.FLAGS + ["--force-renderer-accessibility"])
    try:
        context = reader.new_context(**PHONE)
        tab = context.new_page()
        tab.goto(base_url + url, wait_until="load")
        state = tab.evaluate(STATE)
        nodes = context.new_cdp_session(tab).send("Accessibility.getFullAXTree")["nodes"]
    finally:
        reader.close()
    assert state["onScreen"] > 0, f"{url}: no formula on the first screen, where a browser would draw copies"
    assert not state["drawn"], (f"{url}: {len(state['drawn'])} of {len(state['names'])} MathML copies are "
                                f"laid out (extra.css, .katex-mathml), the first for {state['drawn'][0]!r}")
    by_id = {node["nodeId"]: node for node in nodes}
    read = [spoken(node, by_id) for node in nodes if node.get("role", {}).get("value") in ("math", "MathMLMath")]
    assert len(read) == len(state["texts"]), (
        f"{url}: {len(state['texts'])} formulas, {len(read)} of them in the accessibility tree")
    # The tree lists its nodes in an order of its own: compare the two as collections.
    squeeze = lambda text: re.sub(r"\s+", "", text)  # noqa: E731 - the spaces of MathML's source
    heard = sorted(squeeze(text) for text in read)
    written = sorted(squeeze(text) for text in state["texts"])
    if heard != written:
        odd = next(text for text in heard if text not in written or heard.count(text) != written.count(text))
        names = [name for name, text in zip(state["names"], state["texts"]) if squeeze(text) in odd]
        raise AssertionError(f"{url}: a screen reader gets {odd!r}, which no formula's MathML reads alone"
                             f"{' (the formula ' + repr(names[0]) + ' and its TeX source?)' if names else ''};"
                             " the TeX source in a copy must be aria-hidden (hooks/katex_render.py)")
