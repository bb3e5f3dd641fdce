"""The reader checks fail on a broken page: each defect is put into a copy of a built page.

A copy of a real page, served like the site, once as it is (plus a wide Markdown
table, which must scroll in its own box), once with every defect below, and once
with what makes a page too wide for a phone (a table, and a paragraph far down
the page), apart: a phone lays a page that is too wide out wider, which would
hide the defects that depend on the width; each test looks for its own defect
in what `inspect` reports. The last test feeds the recorder of a tab's
requests its events directly.
"""

from __future__ import annotations

import re
import shutil

import markdown
import pytest

import static_server
from browser.reader import Recorder, formulas_in_markdown, inspect, smallest_page_with_formulas

CELLS = "".join(f"<td>{value:.9f}</td>" for value in range(1, 6))  # about 560 px: wider than a phone
# What a Markdown table becomes; Material puts it in a box that scrolls.
WIDE_MARKDOWN_TABLE = f"<table><tr>{CELLS * 3}</tr></table>"
FILLER = "<p>A paragraph of text.</p>" * 20
# On a page of their own, far down: a table, and a paragraph the site lays out only when it nears the screen.
TOO_WIDE = (f'<table class="results"><tr>{CELLS}</tr></table>' + FILLER
            + '<p>A box <span class="too-wide" style="display: inline-block; width: 600px">wider than a phone</span></p>')
DEFECTS = {
    "unrendered formula": "<p>Unrendered: $x^2 + 1$</p>",
    "KaTeX error": '<span class="katex-error" title="ParseError">\\frac{1}</span>',
    "external script": '<script src="https://cdn.example.org/library.js"></script>',
    "console error": '<script>console.error("deliberately broken")</script>',
    "uncaught exception": "<script>undefinedFunction()</script>",
    "missing image": '<img src="missing-figure.png" alt="a figure">',
    # In a collapsed block, as exercise solutions are: the check opens it.
    "copy button over code": '<details><summary>Solution</summary><div class="highlight"><pre><span></span><code>'
    'print("a first line longer than a phone has room for beside the copy button")\n</code></pre></div></details>',
    # A title that cannot wrap, as a long file name.
    "copy button over a title": '<div class="highlight"><span class="filename">snippets/a-lecture/'
    'a_file_name_too_long_for_a_phone.py</span><pre><span></span><code>x = 1\n</code></pre></div>',
    # An output whose line cannot wrap (a style that undoes the site's): a reader would scroll to read it.
    "output that scrolls": '<div class="highlight output"><span class="filename">Output</span><pre><span></span>'
    '<code style="white-space: pre">an output line longer than a phone has room for, which must wrap to be read\n'
    '</code></pre></div>',
    # Formulas too faint to read: on white in the light scheme, on slate in the dark one.
    "faint formula in the light scheme": '<p><span class="katex" style="color: #d8d8d8">faint on white</span></p>',
    "faint formula in the dark scheme": '<p><span class="katex" style="color: #3a3a3a">faint on slate</span></p>',
}


@pytest.fixture(scope="module")
def readings(site, phone, tmp_path_factory):
    """The problems of the intact copy, the broken copy and the far copy, each {"phone": [...], "desktop": [...]}."""
    original = smallest_page_with_formulas(site)
    html = original.read_text(encoding="utf-8")
    formulas = html.count('<span class="katex">')
    root = tmp_path_factory.mktemp("broken-site")
    for folder in ("assets", "search"):
        shutil.copytree(site / folder, root / folder)
    for page in ("index.html", "404.html"):
        shutil.copy(site / page, root / page)
    # Copies at the depth of the original, so that its relative links still work.
    section = original.parent.parent.relative_to(site)
    pages = {
        "intact": html.replace("</article>", WIDE_MARKDOWN_TABLE + "</article>", 1),
        # The defects go far down the page, past the blocks the site always lays out
        # (extra.css: content-visibility), where a reader meets them only by scrolling.
        "broken": html.replace("</article>", FILLER + "".join(DEFECTS.values()) + "</article>", 1),
        "far": html.replace("</article>", FILLER + TOO_WIDE + "</article>", 1),
    }
    for name, text in pages.items():
        (root / section / name).mkdir(parents=True)
        (root / section / name / "index.html").write_text(text, encoding="utf-8")
        for beside in original.parent.iterdir():  # what the page loads from its folder (a lab's figures)
            if beside.is_file() and beside.name != "index.html":
                shutil.copy(beside, root / section / name / beside.name)
    with static_server.serve(root) as base_url:
        return (
            inspect(phone, base_url, (section / "intact").as_posix() + "/", formulas),
            # The source of the broken page would have one formula more than it renders.
            inspect(phone, base_url, (section / "broken").as_posix() + "/", formulas + 1),
            inspect(phone, base_url, (section / "far").as_posix() + "/", formulas),
        )


def found(problems: dict[str, list[str]], screen: str, pattern: str) -> bool:
    return any(re.search(pattern, problem) for problem in problems[screen])


def test_the_intact_page_passes_and_its_wide_markdown_table_scrolls_in_its_box(readings):
    intact, _, _ = readings
    assert intact == {"phone": [], "desktop": []}, intact


@pytest.mark.parametrize(
    ("defect", "pattern"),
    [
        ("unrendered formula", r"^(\d+) formulas in the source, (?!\1)\d+ rendered.*raw TeX.*x\^2 \+ 1"),
        ("KaTeX error", r"^1 KaTeX error element"),
        ("external script", r"^request to another host: script https://cdn\.example\.org/library\.js"),
        ("console error", r"^console error: deliberately broken"),
        ("uncaught exception", r"^console error: uncaught .*undefinedFunction"),
        ("missing image", r"^image does not load: missing-figure\.png"),
        ("missing image", r"^request failed: .*missing-figure\.png \(HTTP 404\)"),
        ("copy button over code", r"^a code block's copy button covers the end of its first line 'print\(\"a first line"),
        ("copy button over a title", r"^a code block's copy button covers the end of its title 'snippets/a-lecture/"),
        ("output that scrolls", r"^an output scrolls sideways instead of wrapping: 'an output line longer"),
    ],
)
def test_a_defect_is_reported(readings, defect, pattern):
    _, broken, _ = readings
    assert found(broken, "phone", pattern), f"{defect} not reported; the report was {broken['phone']}"


@pytest.mark.parametrize(
    ("defect", "screen", "pattern"),
    [
        ("faint formula in the light scheme", "phone", r"^formulas are hard to read in the light scheme: .* for 'faint on white'"),
        ("faint formula in the dark scheme", "desktop", r"^formulas are hard to read in the dark scheme: .* for 'faint on slate'"),
    ],
)
def test_a_faint_formula_is_reported_in_its_scheme(readings, defect, screen, pattern):
    _, broken, _ = readings
    assert found(broken, screen, pattern), f"{defect} not reported; the report was {broken[screen]}"


def test_an_overflowing_table_or_paragraph_is_reported_on_a_phone_only(readings):
    _, broken, far = readings
    assert found(far, "phone", r"^the page is \d+ px wide on a 390 px screen; sticking out: .*<table\.results>"), far
    # The paragraph is far down its page, where the site lays out blocks only near the screen.
    assert found(far, "phone", r"^the page is \d+ px wide on a 390 px screen; sticking out: .*<span\.too-wide>"), far
    assert not found(broken, "phone", r"px wide on a"), broken["phone"]
    assert not found(far, "desktop", r"px wide on a"), far["desktop"]


def test_the_source_count_sees_a_formula_the_renderer_misses():
    # `$ b $` (a space inside the dollars) is not math to the Markdown extension:
    # it stays raw text on the page, so the page shows one formula fewer than the source.
    text = "Both $a$ and $ b $ are formulas to the author."
    rendered = markdown.markdown(text, extensions=["pymdownx.arithmatex"], extension_configs={
        "pymdownx.arithmatex": {"generic": True}})
    assert rendered.count('class="arithmatex"') == 1, rendered
    assert formulas_in_markdown(text) == 2
    assert formulas_in_markdown("```python\nprint('$x$')\n```\n`$y$` costs \\$5 <!-- $z$ -->") == 0
    assert formulas_in_markdown("$$\n\\begin{aligned} a &= b \\end{aligned}\n$$\n\n\\[ c \\] and \\( d \\)") == 3


class _Tab:
    """What Recorder needs of a tab: `on(event, handler)`; the test fires the events itself."""

    def __init__(self) -> None:
        self.handlers = {}

    def on(self, event, handler) -> None:
        self.handlers[event] = handler


class _Request:
    def __init__(self, url: str, failure: str | None = None) -> None:
        self.url, self.failure, self.resource_type = url, failure, "fetch"


class _Response:
    def __init__(self, request: _Request, status: int) -> None:
        self.request, self.url, self.status = request, request.url, status


def test_a_request_of_the_page_left_behind_is_not_the_next_pages_problem():
    """In a tab that reads page after page (ReadingTab), what the page left behind does late
    (a request cut short by the navigation, a late error answer) is not the next page's; the
    same events of the page being read are its problems."""
    tab = _Tab()
    recorder = Recorder(tab, "http://127.0.0.1:1")
    fetch, image = _Request("http://127.0.0.1:1/search.json", "net::ERR_ABORTED"), _Request("http://127.0.0.1:1/a.png")
    tab.handlers["request"](fetch)
    tab.handlers["request"](image)
    recorder.next_page()
    missing = _Request("http://127.0.0.1:1/missing.png")
    tab.handlers["request"](missing)
    tab.handlers["requestfailed"](fetch)
    tab.handlers["response"](_Response(image, 404))
    tab.handlers["response"](_Response(missing, 404))
    assert recorder.take() == ["request failed: http://127.0.0.1:1/missing.png (HTTP 404)"]
    # Had they been the current page's, both would be reported.
    tab.handlers["request"](fetch)
    tab.handlers["request"](image)
    tab.handlers["requestfailed"](fetch)
    tab.handlers["response"](_Response(image, 404))
    assert recorder.take() == [
        "request failed: http://127.0.0.1:1/search.json (net::ERR_ABORTED)",
        "request failed: http://127.0.0.1:1/a.png (HTTP 404)",
    ]
