"""hooks/code_markup.py: code blocks lose the spans of names, punctuation and whitespace, nothing else.

A block is highlighted by the same Markdown extensions as the site, then
lightened: the text a reader sees and copies must be exactly the same, the
spans that carry a colour of their own (keywords, strings, numbers,
operators, comments) must all remain, and the unstyled ones must be gone.
"""

from __future__ import annotations

import html
import importlib.util
import re
from collections import Counter
from pathlib import Path

import markdown

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("code_markup", ROOT / "hooks" / "code_markup.py")
code_markup = importlib.util.module_from_spec(spec)
spec.loader.exec_module(code_markup)

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
