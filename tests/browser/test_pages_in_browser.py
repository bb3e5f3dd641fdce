"""Every page in a real browser, as a reader meets it on a phone and on a desktop.

Each page is loaded once, in one tab that reads the pages one after the other
(reader.ReadingTab), and the tests below look at that load: first what the
reader sees (`reader.OpenPage.problems`), then the copy button of one of its
code blocks: the last one inside an admonition (where exercise solutions are,
collapsed), else the last block. The copied text must be the block's code, and
the page must show after it the output its source holds. The blocks' own tests
(tests/test_pages.py) run every block on its own and compare what it prints
with that output; this checks that the button gives the reader that code. A test marked only_on looks at the
same load of the pages it names (tests/browser/conftest.py leaves out the rest);
the tests of a page run in the order they are written here. The identity
catalogue is opened at the address of one of its checks, as its rows' links
lead there from the lectures.
"""

from __future__ import annotations

import pytest

import docblocks
from browser.reader import DOCS, PHONE, READ_THROUGH, ReadingTab, formulas_in_source, markdown_source, site_pages

PAGES = site_pages()


@pytest.fixture(scope="module")
def reading(phone, base_url):
    """The tab the pages are read in, one after the other."""
    tab = ReadingTab(phone, base_url)
    yield tab
    tab.close()


# The identity catalogue is reached as a reader reaches it from a lecture: by a link
# to one of its checks (test_a_link_to_a_check_opens_it).
ARRIVAL = {"reference/identities/": "#check-5"}


@pytest.fixture(scope="module", params=PAGES, ids=[page.name for page in PAGES])
def opened(request, reading, site):
    """(page, OpenPage): one load per page, shared by the tests of this module."""
    page = request.param
    assert (site / page.url).is_file() or (site / page.url / "index.html").is_file(), f"{page.url} was not built"
    yield page, reading.open(page.url + ARRIVAL.get(page.url, "")).wait()


# The lecture with the most boxes wider than a phone (vec and Kronecker formulas, code printing matrices).
@pytest.mark.only_on("lectures/vec-kronecker/")
def test_every_box_that_scrolls_takes_keyboard_focus_once_drawn(opened):
    """On a phone, every box that scrolls sideways can be reached from the keyboard.

    A formula, code block or table wider than a phone scrolls inside its own box,
    which must take keyboard focus (a phone may have a keyboard or a switch).
    Blocks far down a page are drawn only when they come near the screen, and
    code blocks get their buttons only then, so the script that makes such boxes
    focusable (overrides/main.html) has to see each block as it is drawn, and
    each collapsed solution as it is opened. A reader goes through the whole
    lecture, as loaded: every collapsed block opened, the page scrolled to the
    end a screen at a time. (First among the page's tests: the others draw every
    block at once.)
    """
    page, loaded = opened
    found = loaded.tab.evaluate(READ_THROUGH)
    # Enough boxes scroll on a phone for the check to mean something.
    assert found["scrolling"] >= 10, found
    assert not found["unreachable"], (
        f"{page.url}: {len(found['unreachable'])} box(es) scroll sideways on a phone but take no "
        f"keyboard focus: {found['unreachable'][:5]}"
    )


@pytest.mark.only_on(*ARRIVAL)
def test_a_link_to_a_check_opens_it(opened):
    """A link to a row's check in the identity catalogue, followed from the page before, opens
    the check (collapsed on the page) and shows it. (Before the page's other tests, which open
    or draw other blocks.)"""
    page, loaded = opened
    target = ARRIVAL[page.url]
    loaded.tab.wait_for_function("(id) => document.querySelector(id).closest('details').open", arg=target, timeout=10_000)
    assert loaded.tab.locator(target).is_visible(), f"{page.url}{target}: the check is not shown"


@pytest.mark.only_on("lectures/jacobians/")
def test_the_error_report_names_the_section_being_read(opened):
    """The link under the page adds the heading of the section at the top of the screen to the
    erratum it opens (its script runs as the link is pressed or focused)."""
    from urllib.parse import parse_qs, urlsplit

    _, loaded = opened
    tab = loaded.tab
    heading = tab.locator(".md-content h2[id]").nth(2)
    heading.scroll_into_view_if_needed()
    tab.evaluate("(h) => { h.scrollIntoView({ block: 'start' }); scrollBy(0, -60) }", heading.element_handle())
    href = tab.evaluate("""() => {
        const link = document.querySelector("[data-report-error]");
        link.dispatchEvent(new FocusEvent("focus"));
        return link.href;
    }""")
    expected = heading.evaluate("(h) => h.textContent.replace(/\u00b6/g, '').trim()")
    assert parse_qs(urlsplit(href).query).get("section") == [expected], (href, expected)
    tab.evaluate("scrollTo(0, 0)")


@pytest.mark.only_on("lectures/jacobians/")
def test_the_header_names_the_section_and_opens_the_contents_on_a_phone(opened):
    """On a phone, once a reader is inside a section, the header names it, and one tap on that
    name opens the page's contents (in the drawer), where the section is marked."""
    _, loaded = opened
    tab = loaded.tab
    heading = tab.locator(".md-content h2[id]").nth(3)
    tab.evaluate("(h) => { h.scrollIntoView({ block: 'start' }); scrollBy(0, 150) }", heading.element_handle())
    expected = heading.evaluate("(h) => h.textContent.replace(/\u00b6/g, '').trim()")
    topic = '[data-md-component="header-topic"] .md-ellipsis'
    tab.wait_for_function("([selector, text]) => document.querySelector(selector).textContent === text",
                          arg=[topic, expected], timeout=5_000)
    tab.locator(".md-header__title").click()
    tab.wait_for_function("() => document.getElementById('__drawer').checked && document.getElementById('__toc').checked")
    link = tab.locator(f'.md-sidebar--primary a.md-nav__link[href="#{heading.get_attribute("id")}"]')
    link.wait_for(state="visible", timeout=5_000)
    tab.evaluate("() => { document.getElementById('__drawer').checked = false; document.getElementById('__toc').checked = false; scrollTo(0, 0) }")


def test_page_reads_well(opened):
    page, loaded = opened
    problems = loaded.problems(formulas_in_source(page))
    report = [f"on a {screen}: {problem}" for screen, found in problems.items() for problem in found]
    assert not report, f"{page.url}:\n  " + "\n  ".join(report)


# The block whose code is `code`, and the output the page shows after it (the
# expected-output comment, then the output block), or "" when it shows none.
LOCATE = r"""(code) => {
  // Compared without blank lines: the block parser drops them from the code it hands over.
  const clean = (text) => text.split("\n").map((line) => line.trimEnd()).filter(Boolean).join("\n");
  const blocks = [...document.querySelectorAll(".md-content pre > code")];
  const index = blocks.findIndex((el) => clean(el.textContent) === clean(code));
  if (index < 0) return null;
  const pre = blocks[index].parentElement;
  for (let d = pre.closest("details"); d; d = d.parentElement.closest("details")) d.open = true;
  let shown = "";
  for (let node = pre.closest(".highlight").nextSibling; node; node = node.nextSibling) {
    if (node.nodeType === Node.ELEMENT_NODE) break;
    if (node.nodeType === Node.COMMENT_NODE && node.data.includes("pytest-codeblocks:expected-output")) {
      let output = node.nextSibling;
      while (output.nodeType !== Node.ELEMENT_NODE) output = output.nextSibling;
      shown = output.querySelector("code").textContent;
      break;
    }
  }
  return { index, shown };
}"""


def sample(blocks: list[docblocks.Block]) -> list[docblocks.Block]:
    """The last block inside an admonition (a collapsed exercise solution), else the last block."""
    runnable = [block for block in blocks if not block.skip_reason]
    nested = [block for block in runnable if block.indent]
    return nested[-1:] or runnable[-1:]


@pytest.mark.markdown_pages  # a lab's cells build on each other; the 404 page has no code
def test_copy_button_gives_the_code_the_page_tests(opened):
    """The copy button gives the reader the block's code: the code that tests/test_pages.py runs on
    its own and whose printed output it compares with the output the page shows.

    (The copied text used to be run again here in a fresh Python process: the same code, run a
    second time. Comparing the text checks the button and leaves the running to the blocks' own tests.)
    """
    page, loaded = opened
    blocks = sample(docblocks.collect(DOCS / page.uri, markdown_source(page)))
    if not blocks:
        pytest.skip(f"{page.url} has no Python block")
    tab = loaded.tab
    for block in blocks:
        found = tab.evaluate(LOCATE, block.code)
        assert found, f"{block.name}: the block is not on the page as its source says"
        pre = tab.locator(".md-content pre").nth(found["index"])
        tab.evaluate("navigator.clipboard.writeText('')")
        # The theme adds a block's buttons when the block first comes on screen
        # (content.lazy in mkdocs.yml), as a reader scrolls to it.
        pre.scroll_into_view_if_needed()
        pre.locator("button[data-md-type=copy]").click()  # hovers first
        copied = tab.evaluate("navigator.clipboard.readText()")
        assert copied.strip(), f"{block.name}: the copy button copied nothing"
        # Blank lines aside (the block parser drops them from the code it hands over), the
        # copied text is the tested code, line for line.
        assert code_lines(copied) == code_lines(block.code), (
            f"{block.name}: the copy button gives other code than the block's:\n{copied}")
        # And the page shows after it the output the test of the block compares with.
        shown = docblocks.normalise(found["shown"])
        assert shown == docblocks.normalise(block.expected_output or ""), (
            f"{block.name}: the page shows the output\n{shown}\nbut its source says\n{block.expected_output}")


def code_lines(code: str) -> list[str]:
    return [line.rstrip() for line in code.split("\n") if line.strip()]


@pytest.mark.only_on("reference/identities/")
def test_catalogue_rows_are_cards_that_a_phone_shows_whole(opened):
    """On a phone each identity of the catalogue (generated by hooks/catalogue.py) is a card: every
    cell under its column's name, nothing of it cut or scrolling, and the page keeps the phone's width."""
    _, loaded = opened
    loaded.tab.set_viewport_size(PHONE["viewport"])
    # Every table drawn (far ones are skipped until they come near the screen), and the page's script
    # told to look at the boxes again, as it does when a reader scrolls to them.
    loaded.tab.evaluate("""() => new Promise((done) => {
        for (const box of document.querySelectorAll('.identity-table')) box.style.contentVisibility = 'visible'
        dispatchEvent(new Event('resize'))
        requestAnimationFrame(() => requestAnimationFrame(done))
    })""")
    found = loaded.tab.evaluate("""() => {
        const tables = [...document.querySelectorAll('.identity-table table')]
        const cells = tables.flatMap((table) => [...table.querySelectorAll('td')])
        return {
            page: document.documentElement.scrollWidth,
            screen: document.documentElement.clientWidth,
            tables: tables.length,
            rows: tables.reduce((n, table) => n + table.querySelectorAll('tbody tr').length, 0),
            unlabelled: cells.filter((cell) => !cell.dataset.label).length,
            cut: cells.filter((cell) => cell.scrollWidth > cell.clientWidth + 1)
                      .map((cell) => [cell.closest('tr').querySelector('td').textContent.trim(),
                                      cell.getAttribute('tabindex') === '0']),
            headers: tables.filter((table) => getComputedStyle(table.querySelector('thead')).display !== 'none').length,
        }
    }""")
    assert found["page"] <= found["screen"] == PHONE["viewport"]["width"], found
    assert found["tables"] == 6 and found["rows"] >= 70, found
    assert not found["unlabelled"] and not found["headers"], found
    # A formula with no place to break scrolls in its cell, which takes keyboard focus; one or two at most.
    assert len(found["cut"]) <= 2 and all(focusable for _, focusable in found["cut"]), (
        f"identities whose card scrolls on a phone (No., focusable): {found['cut']}")


def test_every_built_page_is_checked(site):
    built = {path.relative_to(site).parent.as_posix() for path in site.rglob("index.html")}
    checked = {page.url.rstrip("/") or "." for page in PAGES}
    # Generated notebooks and assets are not pages; every index.html is.
    assert built <= checked, f"pages built but not checked: {sorted(built - checked)}"
