"""The course's TeX macros (hooks/katex_macros.yml), for the hooks that need them.

KaTeX gets the macros as they are (hooks/katex_render.py). Notebooks generated
for download (lectures and labs) are read by Jupyter's or Colab's math
renderer, which does not know them, so their Markdown gets the macros expanded.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

MACROS_FILE = Path(__file__).resolve().parent / "katex_macros.yml"
CODE_SPAN = re.compile(r"(`+)(?:.+?)\1", re.DOTALL)


def load_macros() -> dict[str, str]:
    """The macros, defined once in hooks/katex_macros.yml."""
    return yaml.safe_load(MACROS_FILE.read_text(encoding="utf-8"))


def _argument(text: str, at: int) -> tuple[str, int]:
    """The TeX argument starting at `at` (a brace group or one token) and the index after it."""
    while at < len(text) and text[at] in " \t\n":
        at += 1
    if at >= len(text):
        raise ValueError("a macro argument is missing at the end of the formula")
    if text[at] == "{":
        depth = 0
        for index in range(at, len(text)):
            if text[index] == "{" and text[index - 1] != "\\":
                depth += 1
            elif text[index] == "}" and text[index - 1] != "\\":
                depth -= 1
                if depth == 0:
                    return text[at + 1 : index], index + 1
        raise ValueError(f"unbalanced braces in {text[at:at + 40]!r}")
    if text[at] == "\\":
        word = re.match(r"\\(?:[A-Za-z]+|.)", text[at:])
        return word.group(0), at + len(word.group(0))
    return text[at], at + 1


def expand_macros(text: str, macros: dict[str, str]) -> str:
    """Replace each course macro by its definition, as KaTeX would (arguments #1, #2, ...)."""
    arity = {name: max((int(d) for d in re.findall(r"#(\d)", body)), default=0) for name, body in macros.items()}
    pattern = re.compile("|".join(re.escape(name) + r"(?![A-Za-z])" for name in sorted(macros, key=len, reverse=True)))
    for _ in range(10):  # macros may use macros; ten levels is far more than the course has
        out, position, changed = [], 0, False
        for match in pattern.finditer(text):
            if match.start() < position:
                continue
            name = match.group(0)
            body, end = macros[name], match.end()
            for number in range(1, arity[name] + 1):
                argument, end = _argument(text, end)
                body = body.replace(f"#{number}", argument)
            before = text[position : match.start()]
            out.append(before)
            # After ^ or _ the expansion must stay one group: `A^\dd` is `A^{\mathrm{d}}`.
            grouped = before.rstrip().endswith(("^", "_")) and not body.startswith("{")
            out.append("{" + body + "}" if grouped else body)
            position, changed = end, True
        out.append(text[position:])
        text = "".join(out)
        if not changed:
            return text
    raise ValueError("the course macros expand without end")


def expand_prose_macros(text: str, macros: dict[str, str]) -> str:
    """Expand macros in Markdown text, leaving inline code spans alone."""
    pieces, position = [], 0
    for match in CODE_SPAN.finditer(text):
        pieces.append(expand_macros(text[position : match.start()], macros))
        pieces.append(match.group(0))
        position = match.end()
    pieces.append(expand_macros(text[position:], macros))
    return "".join(pieces)
