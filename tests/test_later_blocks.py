"""hooks/later_blocks.py: the blocks of a long page that extra.css lays out only near the screen are
marked by the build, not chosen by a selector that counts from the end.

A browser does not match `:nth-last-child` while the parent's children are still arriving, so a
phone that painted a lecture before the whole page was parsed laid out all of it in its first
frame. Checked on small inputs (which blocks, how the class is added, the errors that name the
page and line), on the built site against a parser of its own (the marks are exactly the blocks
the position rule chose), and on the stylesheet (no rule that skips layout counts from the end).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import tinycss2
from mkdocs.exceptions import PluginError

from hook_module import hook_module

ROOT = Path(__file__).resolve().parent.parent
later_blocks = hook_module("later_blocks")
LATER = later_blocks.LATER
WHERE = "docs/lectures/x.md"


def page(blocks: list[str]) -> str:
    return ('<html><head></head><body><article class="md-content__inner md-typeset">\n'
            + "\n".join(blocks) + '\n</article><footer><p>footer</p></footer></body></html>')


def marked_texts(output: str) -> list[str]:
    from lxml import html as lxml_html

    article = lxml_html.fromstring(output).xpath("//article")[0]
    return [element.text_content().strip() for element in article if LATER in (element.get("class") or "").split()]


def test_blocks_past_the_first_fifteen_and_before_the_last_fifteen_are_marked():
    blocks = [f"<p>b{index}</p>" for index in range(40)]
    out = later_blocks.with_later_blocks(page(blocks), WHERE)
    assert marked_texts(out) == [f"b{index}" for index in range(15, 25)]
    assert out.replace(f' class="{LATER}"', "") == page(blocks)
    # Thirty blocks or fewer: nothing is skipped; the footer after the article is never marked.
    assert LATER not in later_blocks.with_later_blocks(page(blocks[:30]), WHERE)
    assert marked_texts(later_blocks.with_later_blocks(page(blocks[:31]), WHERE)) == ["b15"]


def test_only_prose_lists_quotes_formulas_and_code_are_marked_and_classes_are_kept():
    kinds = [
        '<div class="arithmatex"><span class="katex">f</span></div>',
        '<div class="language-python highlight"><pre><code>x = 1</code></pre></div>',
        "<ul><li>item</li></ul>", "<ol><li>step</li></ol>", "<blockquote><p>quote</p></blockquote>",
        '<p class="lead">prose</p>',
        # Always laid out: admonitions, collapsible blocks, tables, figures, headings, other divs.
        '<div class="admonition note"><p>note</p></div>', "<details><summary>s</summary><p>d</p></details>",
        '<div class="md-typeset__table"><table><tr><td>t</td></tr></table></div>',
        "<figure><img src=a.png alt=a></figure>", '<h2 id="h">heading</h2>', '<div class="other">div</div>',
    ]
    blocks = [f"<p>b{index}</p>" for index in range(15)] + kinds + [f"<p>e{index}</p>" for index in range(15)]
    out = later_blocks.with_later_blocks(page(blocks), WHERE)
    assert marked_texts(out) == ["f", "x = 1", "item", "step", "quote", "prose"]
    assert f'<div class="arithmatex {LATER}">' in out
    assert f'<div class="language-python highlight {LATER}">' in out
    assert f'<p class="lead {LATER}">' in out


def test_tags_inside_comments_scripts_and_void_or_self_closed_elements_do_not_count():
    inside = ["<!-- <p>not a block</p> <div> -->", "<script>if (a < b) document.write('<div>')</script>",
              "<hr>", "<p>line<br>break</p>", '<svg><path d="M0 0"/></svg>', "<img src=x.png alt=x>"]
    blocks = [f"<p>b{index}</p>" for index in range(16)] + inside + [f"<p>e{index}</p>" for index in range(16)]
    out = later_blocks.with_later_blocks(page(blocks), WHERE)
    # Elements counted: 16 + script, hr, p, svg, img + 16 (a comment is not an element): the marks
    # go to b15, the <p> with a break and e0.
    assert marked_texts(out) == ["b15", "linebreak", "e0"]


def test_a_page_the_hook_cannot_read_is_an_error_that_names_the_page_and_line():
    with pytest.raises(PluginError, match=r"docs/lectures/x\.md: the written page has no <article"):
        later_blocks.with_later_blocks("<html><body><p>a</p></body></html>", WHERE)
    stray = page(["<p>a</p>", "<p>b</p></div>", "<p>c</p>"])
    with pytest.raises(PluginError, match=r"docs/lectures/x\.md: line 3 of the written page closes <div>, which is not open"):
        later_blocks.with_later_blocks(stray, WHERE)
    unclosed = page(["<p>a</p>", "<div><div>b</div>", "<p>c</p>"])
    with pytest.raises(PluginError, match=r"docs/lectures/x\.md: line 3 of the written page opens <div>, which is never closed"):
        later_blocks.with_later_blocks(unclosed, WHERE)
    with pytest.raises(PluginError, match=r"docs/lectures/x\.md: the page's <article> is not closed"):
        later_blocks.with_later_blocks('<article class="md-content__inner md-typeset"><p>a</p>', WHERE)


def test_an_element_holding_others_of_its_name_is_one_block():
    nested = ['<div class="highlight"><div><div>x</div></div><!-- </div> --></div>',
              "<ul><li>a<ul><li>b</li></ul></li></ul>", "<p>after</p>"]
    blocks = [f"<p>b{index}</p>" for index in range(15)] + nested + [f"<p>e{index}</p>" for index in range(15)]
    out = later_blocks.with_later_blocks(page(blocks), WHERE)
    assert marked_texts(out) == ["x", "ab", "after"]


def test_no_rule_that_skips_layout_counts_children_from_the_end():
    """The bug this hook fixes: a rule choosing skipped blocks with :nth-last-child (or
    :nth-last-of-type, :last-child) matches nothing while a page is still being parsed."""
    from_the_end = ("nth-last-child", "nth-last-of-type", "last-child", "last-of-type")
    for stylesheet in sorted((ROOT / "docs" / "assets" / "stylesheets").glob("*.css")):
        rules = tinycss2.parse_stylesheet(stylesheet.read_text(encoding="utf-8"), skip_comments=True,
                                          skip_whitespace=True)
        stack = list(rules)
        while stack:
            rule = stack.pop()
            if rule.type == "at-rule" and rule.content is not None:
                stack += tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
                continue
            if rule.type != "qualified-rule":
                continue
            declarations = tinycss2.parse_declaration_list(rule.content, skip_comments=True, skip_whitespace=True)
            if not any(d.type == "declaration" and d.lower_name == "content-visibility" for d in declarations):
                continue
            selector = tinycss2.serialize(rule.prelude)
            assert not any(name in selector for name in from_the_end), (
                f"{stylesheet.name}: {selector.strip()} skips layout by a position counted from the end; "
                "mark the blocks at build time (hooks/later_blocks.py)")


def test_every_page_marks_exactly_the_blocks_the_position_rule_chose(site: Path):
    """On the built site, read by an HTML parser of its own: the marked children of each page's
    article are those past its first fifteen elements and before its last fifteen that are prose,
    lists, quotations, formulas or code, and nothing deeper is marked."""
    from lxml import html as lxml_html

    checked = 0
    for path in sorted(site.rglob("index.html")):
        document = lxml_html.parse(str(path))
        articles = document.xpath('//article[contains(@class, "md-content__inner")]')
        if not articles or document.xpath('//div[contains(@class, "jupyter-wrapper")]'):
            continue  # not a Markdown page (labs mark their cells: tests/test_lab_styles.py)
        children = [child for child in articles[0] if isinstance(child.tag, str)]  # elements, as CSS counts

        def skippable(element) -> bool:
            classes = set((element.get("class") or "").split())
            return element.tag in {"p", "ul", "ol", "blockquote"} or (
                element.tag == "div" and bool(classes & {"arithmatex", "highlight"}))

        expected = [index for index, child in enumerate(children)
                    if 15 <= index < len(children) - 15 and skippable(child)]
        marked = [index for index, child in enumerate(children) if LATER in (child.get("class") or "").split()]
        name = path.relative_to(site).parent.as_posix() or "home"
        assert marked == expected, f"{name}: {len(children)} blocks, marked {marked}, expected {expected}"
        assert len(document.xpath(f'//*[contains(concat(" ", @class, " "), " {LATER} ")]')) == len(marked), name
        checked += bool(marked)
    assert checked >= 18, f"only {checked} pages are long enough to skip blocks: the site is not built whole?"
