"""Shared code folded on the site (hooks/code_markup.py, docs/assets/javascripts/code-fold.js).

The lecture on the cost of a gradient opens its checks and solutions with the
backpropagation engine and network (128 and 43 lines of
snippets/backpropagation/engine.py), which the lecture Backpropagation shows
whole. A reader on a phone opens the first exercise's solution: it shows the
fold lines, then its own code, in a small part of the height it had; "show"
unfolds the lines in place and "hide" folds them again, from a finger or the
keyboard, with a focus ring in both colour schemes; the link goes to the block
that shows the code whole. The copy button copies every folded block whole:
exactly the code the page's own tests run (tests/docblocks.py), and no longer
so once the stylesheet's rule for the theme's copying (data-md-copying) is
taken out. Without JavaScript the whole code shows and no fold line.
"""

from __future__ import annotations

import re

import pytest

import docblocks
from browser.reader import DOCS, PHONE

URL = "lectures/gradient-cost/"
PAGE = DOCS / "lectures" / "gradient-cost.md"
ENGINE = DOCS.parent / "snippets" / "backpropagation" / "engine.py"
HOME = "lectures/backpropagation/#shown-snippets-backpropagation-engine-py-engine"
# The first exercise's solution, opened; its code block.
SOLUTION = "details.question >> nth=0 >> details >> nth=0 >> pre >> nth=0"
OPEN_SOLUTION = """() => {
  const question = document.querySelector("details.question");
  question.open = true;
  question.querySelector("details").open = true;
}"""
# What the reader sees of a code block: its height, its rendered text (no folded lines, no drawn
# words), and each fold line's drawn words, link and button.
SEEN = """(pre) => {
  const code = pre.querySelector("code");
  const nav = pre.querySelector(".md-code__nav");
  return {
    height: pre.getBoundingClientRect().height,
    text: code.innerText,
    firstChild: code.firstElementChild.className,
    folds: [...code.querySelectorAll(".code-fold")].map((fold) => {
      const button = fold.querySelector("button");
      const box = button.getBoundingClientRect();
      return {
        shown: fold.checkVisibility(),
        words: getComputedStyle(fold, "::before").content,
        link: fold.querySelector("a").getAttribute("aria-label"),
        href: fold.querySelector("a").href,
        button: getComputedStyle(button, "::before").content,
        expanded: button.getAttribute("aria-expanded"),
        buttonHeight: box.height,
        right: fold.getBoundingClientRect().right,
        copyLeft: nav ? nav.getBoundingClientRect().left : null,
      };
    }),
  };
}"""


def section(name: str) -> str:
    """A section of the engine's snippet, as the site includes it (its last blank lines aside)."""
    found = re.search(rf"--8<-- \[start:{name}\]\n(.*?)^[^\n]*--8<-- \[end:{name}\]",
                      ENGINE.read_text(encoding="utf-8"), re.DOTALL | re.MULTILINE)
    return found[1].rstrip("\n")


def code_lines(code: str) -> list[str]:
    """Blank lines aside (the block parser drops them from the code it hands over), line for line."""
    return [line.rstrip() for line in code.split("\n") if line.strip()]


@pytest.fixture(scope="module")
def tab(phone, base_url):
    tab = phone.new_page()
    tab.goto(base_url + URL)
    tab.evaluate(OPEN_SOLUTION)
    yield tab
    tab.close()


def test_an_opened_solution_shows_its_own_code_under_the_fold_lines(tab):
    pre = tab.locator(SOLUTION)
    pre.scroll_into_view_if_needed()
    pre.hover()  # the theme adds the copy button when the block comes on screen
    folded = pre.evaluate(SEEN)
    # The fold lines come first; the engine's lines are not shown, the solution's own are.
    assert folded["firstChild"] == "code-fold", folded["firstChild"]
    assert [fold["shown"] for fold in folded["folds"]] == [True, True], folded["folds"]
    engine, network = folded["folds"]
    assert engine["words"] == '"# … 128 lines: snippets/backpropagation/engine.py, section \\"engine\\", shown in "'
    assert "section \\\"network\\\"" in network["words"], network["words"]
    assert engine["link"] == "Backpropagation" and engine["href"].endswith(HOME), engine
    assert engine["button"] == '"▸ show"' and engine["expanded"] == "false", engine
    assert folded["text"].lstrip().startswith('counts = {"forward": 0, "backward": 0}'), folded["text"][:200]
    assert "class Tape" not in folded["text"] and "def init_params" not in folded["text"]
    # A finger's target, and the fold line keeps clear of the copy button at the block's top right.
    assert engine["buttonHeight"] >= 24, engine
    assert engine["copyLeft"] is not None and engine["right"] <= engine["copyLeft"], engine
    # "show" unfolds the engine's lines in place, "hide" folds them again.
    pre.locator(".code-fold button").first.click()
    opened = pre.evaluate(SEEN)
    assert opened["folds"][0]["expanded"] == "true" and opened["folds"][0]["button"] == '"▾ hide"', opened["folds"]
    assert section("engine") in opened["text"] and "def init_params" not in opened["text"]
    assert folded["height"] < 1_000 and folded["height"] < opened["height"] / 3, (folded["height"], opened["height"])
    pre.locator(".code-fold button").first.click()
    assert pre.evaluate(SEEN)["height"] == folded["height"]


def test_the_keyboard_opens_and_closes_a_fold_with_a_focus_ring_in_both_schemes(tab):
    pre = tab.locator(SOLUTION)
    pre.scroll_into_view_if_needed()
    button = pre.locator(".code-fold button").first
    pre.locator(".code-fold a").first.focus()
    tab.keyboard.press("Tab")  # from the link to its button
    assert button.evaluate("(button) => button === document.activeElement")
    # The colours are read as they end, not half-way through the theme's transitions.
    tab.add_style_tag(content="*, *::before, *::after { transition: none !important }")
    for scheme in ("default", "slate"):
        tab.evaluate("(scheme) => document.body.setAttribute('data-md-color-scheme', scheme)", scheme)
        ring = button.evaluate("""(button) => {
          const style = getComputedStyle(button);
          const rgb = (color) => color.match(/[\\d.]+/g).slice(0, 3).map(Number);
          const luminance = (color) => {
            const [r, g, b] = rgb(color).map((c) => c / 255)
              .map((c) => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
          };
          const [a, b] = [luminance(style.outlineColor),
                          luminance(getComputedStyle(button.closest("code")).backgroundColor)].sort((x, y) => y - x);
          const contrast = (a + 0.05) / (b + 0.05);
          return { style: style.outlineStyle, width: parseFloat(style.outlineWidth), contrast };
        }""")
        assert ring["style"] != "none" and ring["width"] >= 1 and ring["contrast"] >= 3, (scheme, ring)
    tab.evaluate("document.body.setAttribute('data-md-color-scheme', 'default')")
    tab.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true"
    assert section("engine") in pre.evaluate(SEEN)["text"]
    tab.keyboard.press("Space")
    assert button.get_attribute("aria-expanded") == "false"
    assert "class Tape" not in pre.evaluate(SEEN)["text"]


def copy(tab, pre) -> str:
    """What the block's copy button puts on the clipboard."""
    tab.evaluate("navigator.clipboard.writeText('')")
    pre.scroll_into_view_if_needed()
    pre.locator("button[data-md-type=copy]").click()  # hovers first: the theme adds it then
    return tab.evaluate("navigator.clipboard.readText()")


def test_the_copy_button_copies_each_folded_block_whole(tab):
    tested = {tuple(code_lines(block.code)): block for block in docblocks.collect(PAGE)}
    tab.evaluate("for (const details of document.querySelectorAll('details')) details.open = true")
    folded = tab.locator(".md-content pre:has(.code-fold)")
    including = PAGE.read_text(encoding="utf-8").count('--8<-- "snippets/backpropagation/engine.py:engine"')
    assert folded.count() == including, (
        f"{URL}: {folded.count()} blocks with folded code, {including} include the engine")
    for index in range(folded.count()):
        pre = folded.nth(index)
        code = pre.locator("code").evaluate("(code) => code.textContent")
        block = tested.get(tuple(code_lines(code)))
        assert block, f"{URL}: a folded block is not a block of {PAGE.name}:\n{code[:300]}"
        copied = copy(tab, pre)
        assert copied == code.rstrip(), f"{block.name}: the copy button gives other code than the block's:\n{copied}"
        assert code_lines(copied) == code_lines(block.code), block.name


def test_without_the_rule_for_copying_the_copy_lacks_the_folded_lines(phone, base_url):
    """The check above can fail: with the stylesheet's rules for data-md-copying taken out of the
    page, the copy button copies what is shown, the folded lines left out."""
    tab = phone.new_page()
    try:
        tab.goto(base_url + URL)
        tab.evaluate(OPEN_SOLUTION)
        removed = tab.evaluate("""() => {
          let removed = 0;
          for (const sheet of document.styleSheets) {
            if (!(sheet.href || "").endsWith("code-fold.css")) continue;
            for (let i = sheet.cssRules.length - 1; i >= 0; i--) {
              if (sheet.cssRules[i].cssText.includes("data-md-copying")) { sheet.deleteRule(i); removed++; }
            }
          }
          return removed;
        }""")
        assert removed == 2, removed
        pre = tab.locator(SOLUTION)
        copied = copy(tab, pre)
        code = pre.locator("code").evaluate("(code) => code.textContent")
        assert copied.strip() and copied != code.rstrip() and "class Tape" not in copied, copied[:300]
    finally:
        tab.close()


def test_the_fold_links_to_the_block_that_shows_the_code_whole(tab):
    pre = tab.locator(SOLUTION)
    pre.scroll_into_view_if_needed()
    pre.locator(".code-fold a").first.click()
    tab.wait_for_url(re.compile(re.escape(HOME) + "$"))
    home = tab.locator(".md-content div.highlight:target")
    assert home.count() == 1, f"{HOME}: no block is the link's target"
    seen = home.evaluate("""(block) => ({ folds: block.querySelectorAll(".code-fold").length,
        text: block.querySelector("code").innerText, top: block.getBoundingClientRect().top })""")
    assert seen["folds"] == 0, seen["folds"]
    assert section("engine") in seen["text"] and section("network") in seen["text"], seen["text"][:300]
    assert 0 <= seen["top"] < PHONE["viewport"]["height"], seen["top"]


def test_without_javascript_the_whole_code_shows(browser, base_url):
    context = browser.new_context(**PHONE, java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(base_url + URL)
        tab.locator("details.question summary").first.click()
        tab.locator("details.question details summary").first.click()
        pre = tab.locator(SOLUTION)
        assert not pre.locator(".code-fold").first.is_visible()
        assert pre.locator(".code-fold__lines").first.is_visible()
        assert section("engine") in pre.inner_text()
    finally:
        context.close()
