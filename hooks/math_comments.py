"""The formula checker's comments are for the checker, not for readers.

A page declares what its formulas' names mean in `<!-- math ... -->` comments
(tests/formulas/declarations.py). They are taken out of the Markdown before it
is rendered, and out of the lecture notebooks, so that no reader downloads them.
"""

from __future__ import annotations

import re

MATH_COMMENT = re.compile(r"^[ \t]*<!--\s*math\b.*?-->[ \t]*(?:\n|$)", re.S | re.M)


def strip(text: str) -> str:
    return MATH_COMMENT.sub("", text)


def on_page_markdown(markdown: str, page, config, files) -> str:
    return strip(markdown)
