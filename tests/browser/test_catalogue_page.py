"""The identity catalogue, a page generated at build time (hooks/catalogue.py), in a browser.

It has no Markdown source, so the checks of every page (test_pages_in_browser.py)
are run here with the formulas counted in the generated Markdown; and on a phone
the page must keep its width while each wide table scrolls in its own box.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from mkdocs.structure.files import Files

from browser.reader import PHONE, formulas_in_markdown, inspect

ROOT = Path(__file__).resolve().parents[2]
URL = "reference/identities/"


def generated_markdown() -> str:
    spec = importlib.util.spec_from_file_location("catalogue_hook", ROOT / "hooks" / "catalogue.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    hook.catalogue = hook.load()
    return hook.render(Files([]))


def test_catalogue_reads_well(phone, base_url):
    expected = formulas_in_markdown(generated_markdown(), "reference/identities.md")
    assert expected > 300
    problems = inspect(phone, base_url, URL, expected)
    assert not problems["phone"] and not problems["desktop"], problems


def test_catalogue_tables_scroll_on_a_phone(phone, base_url):
    tab = phone.new_page()
    try:
        tab.set_viewport_size(PHONE["viewport"])
        tab.goto(base_url + URL)
        tab.wait_for_selector(".identity-table .md-typeset__scrollwrap")
        widths = tab.evaluate("""() => ({
            page: document.documentElement.scrollWidth,
            screen: document.documentElement.clientWidth,
            tables: [...document.querySelectorAll('.identity-table .md-typeset__scrollwrap')].map(
                (box) => [box.scrollWidth, box.clientWidth, getComputedStyle(box).overflowX]),
        })""")
    finally:
        tab.close()
    assert widths["page"] <= widths["screen"] == PHONE["viewport"]["width"], widths
    assert len(widths["tables"]) == 6, widths
    # each table is wider than the screen and scrolls inside its box, its formulas unbroken
    assert all(inner > outer and scroll == "auto" for inner, outer, scroll in widths["tables"]), widths


def test_a_link_to_a_check_opens_it(phone, base_url):
    tab = phone.new_page()
    try:
        tab.goto(base_url + URL + "#check-5")
        tab.wait_for_function("() => document.querySelector('#check-5').closest('details').open", timeout=10_000)
        assert tab.locator("#check-5").is_visible()
    finally:
        tab.close()
