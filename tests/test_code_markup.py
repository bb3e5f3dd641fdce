"""hooks/code_markup.py: code blocks lose the spans of names, punctuation and whitespace, nothing else;
long shared code is folded.

A block is highlighted by the same Markdown extensions as the site, then
lightened: the text a reader sees and copies must be exactly the same, the
spans that carry a colour of their own (keywords, strings, numbers,
operators, comments) must all remain, and the unstyled ones must be gone.

Folding: pages whose blocks include the backpropagation engine (a long
section of a snippet) and its fan-out example (a short one) are highlighted
the same way; the engine is folded in every block but its first, with a fold
line that names it and links to that block, and the short section is not.
"""

from __future__ import annotations

import html
import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import markdown

ROOT = Path(__file__).resolve().parent.parent
# Loaded as MkDocs loads a hook: its folder importable, the module registered by its name.
if str(ROOT / "hooks") not in sys.path:
    sys.path.insert(0, str(ROOT / "hooks"))
spec = importlib.util.spec_from_file_location("code_markup", ROOT / "hooks" / "code_markup.py")
code_markup = sys.modules["code_markup"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(code_markup)
print_page = sys.modules["print_page"]  # the print page's rule, which code_markup shares

SOURCE = '''
```python
import numpy as np  # a comment

def f(x, y=1.5):
    """Doc."""
    return np.sum(x[0] ** 2 + y) if x is not None else "none <&>"
```
'''


def highlighted() -> str:
    return markdown.markdown(SOURCE, extensions=["pymdownx.highlight", "pymdownx.superfences"])


def text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def spans(fragment: str) -> Counter:
    return Counter(re.findall(r'<span class="([^"]*)">', fragment))


def test_the_text_is_unchanged_and_only_unstyled_spans_go():
    before = highlighted()
    after = code_markup.lighten(before)
    assert text(after) == text(before)
    kept, had = spans(after), spans(before)
    assert had["n"] and had["p"] and had["w"], had  # the sample has all three
    assert not (kept["n"] or kept["p"] or kept["w"]), kept
    for name, count in had.items():
        if name not in ("n", "p", "w"):
            assert kept[name] == count, (name, had, kept)
    assert len(after) < len(before)


def test_text_outside_code_blocks_is_left_alone():
    prose = '<p>A <span class="n">name</span> in prose</p>'
    assert code_markup.lighten(prose) == prose


ENGINE = '--8<-- "snippets/backpropagation/engine.py:engine"'
FAN_OUT = '--8<-- "snippets/backpropagation/engine.py:fan_out"'
HOME = "shown-snippets-backpropagation-engine-py-engine"
FOLD = re.compile(r'<span class="code-fold" data-fold="([^"]*)"><a href="([^"]*)" aria-label="([^"]*)"></a>'
                  r'<button type="button" aria-expanded="false" aria-label="show"></button></span>')
LINES = '<span class="code-fold__lines">'


def page(tmp_path: Path, name: str, *blocks: str) -> SimpleNamespace:
    """A page of Python blocks as the site makes it, with what fold_shared_code takes of it."""
    source = "\n".join(f"```python\n{block}\n```\n" for block in blocks)
    path = tmp_path / f"{name}.md"
    path.write_text(source, encoding="utf-8")
    content = code_markup.lighten(markdown.markdown(
        source, extensions=["pymdownx.snippets", "pymdownx.highlight", "pymdownx.superfences"],
        extension_configs={"pymdownx.snippets": {"base_path": [str(ROOT)], "check_paths": True}}))
    return SimpleNamespace(file=SimpleNamespace(abs_src_path=str(path), src_uri=f"lectures/{name}.md"),
                           url=f"lectures/{name}/", title=name.title(), content=content)


def shown(pages: list[SimpleNamespace], sections: dict[str, str]) -> dict[str, list[str]]:
    """{page URL: its code blocks as the written page has them}."""
    folded = code_markup.fold_shared_code([(p.file.src_uri, p.url, p.title, p.content) for p in pages], sections)
    return {p.url: code_markup.BLOCK.findall(code_markup.put_in(p.content, folded[p.url], p.file.src_uri))
            for p in pages}


def folded_lines(block: str) -> list[str]:
    """The HTML inside each <span class="code-fold__lines"> of a block (it holds spans of its own)."""
    out = []
    for start in (match.end() for match in re.finditer(re.escape(LINES), block)):
        depth = 1
        for tag in re.finditer(r"<(/?)span\b", block[start:]):
            depth += -1 if tag[1] else 1
            if depth == 0:
                out.append(block[start:start + tag.start()])
                break
    return out


def test_a_long_section_shared_by_blocks_is_folded_but_in_its_first_block(tmp_path):
    first = page(tmp_path, "first", f"{ENGINE}\n{FAN_OUT}")
    later = page(tmp_path, "later", f"{ENGINE}\n{FAN_OUT}\n\nprint(tied_loss)", f"{ENGINE}\nprint(Tape)")
    sections = code_markup.repeated_sections([first, later])
    engine = "snippets/backpropagation/engine.py:engine"
    # Only the long section is folded: the fan-out example (21 lines) is short, though shared too.
    assert list(sections) == [engine], list(sections)
    lines = sections[engine].count("\n") + 1
    assert lines >= print_page.SHOWN_ONCE_LINES
    blocks = shown([first, later], sections)

    # Its first block is its home: whole, with an id to link to.
    [home] = blocks[first.url]
    assert "code-fold" not in home
    assert home == code_markup.BLOCK.findall(first.content)[0].replace(
        '<div class="highlight"', f'<div class="highlight" id="{HOME}"')

    # Later blocks fold it: first a line that names the section and links home, then its lines
    # (with the blank lines after them); the short section and the block's own lines are not
    # folded, and the text of the code is unchanged.
    for block, before in zip(blocks[later.url], code_markup.BLOCK.findall(later.content), strict=True):
        assert text(block) == text(before)
        [(words, href, label)] = FOLD.findall(block)
        assert html.unescape(words) == (
            f'# … {lines} lines: snippets/backpropagation/engine.py, section "engine", shown in ')
        assert (href, label) == (f"../first/#{HOME}", "First")
        assert text(block.split(LINES)[0]) == ""  # nothing before the fold line
        [inside] = folded_lines(block)
        assert text(inside).rstrip() == sections[engine]
        assert not text(block.split(inside, 1)[1]).startswith("\n")  # the code goes on under the fold line
        rest = text(block.replace(inside, ""))
        assert "class Tape" not in rest and "print(" in rest
    assert "def tied_loss" in text(blocks[later.url][0].replace(folded_lines(blocks[later.url][0])[0], ""))


def test_a_fold_whose_home_is_on_its_own_page_points_above(tmp_path):
    alone = page(tmp_path, "alone", ENGINE, f"{ENGINE}\nprint(Tape)")
    first, second = shown([alone], code_markup.repeated_sections([alone]))[alone.url]
    assert f'id="{HOME}"' in first and "code-fold" not in first
    [(_, href, label)] = FOLD.findall(second)
    assert (href, label) == (f"#{HOME}", "above")
