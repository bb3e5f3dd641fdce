"""The search index: prose that reads as prose.

- Code blocks stay out of it. The index is fetched by every first page a
  reader opens; code (and the output printed under it) was more than half of
  its text. Readers search the notes for ideas and names, which the prose
  carries (names of functions appear in it as inline code, which stays
  indexed). Material's search plugin skips an element marked
  `data-search-exclude` and strips the mark from the page after indexing, so
  nothing of it reaches the reader's HTML. The same goes for a lab's cells:
  their code, what they print, Jupyter's "In [1]:" prompts and the copy
  button's "Copied!".
  A page's highlighted code blocks are not even shown to the search plugin:
  each is replaced by a numbered comment while the plugin reads the page, and
  put back after (Material's parser walks every tag of the page, and the code's
  highlighting is many of them: 0.45 s of CPU per build, measured below).
- Formulas in the index are Unicode text, not TeX: a search result's excerpt
  shows `f : ℝⁿ → ℝⁿ`, not `\\(f : \\R^n \\to \\R^n\\)`. The course's macros are
  expanded, simple superscripts and subscripts become Unicode ones, and
  pylatexenc writes the rest as text.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import CombinedEvent, event_priority
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from tex_macros import expand_macros, load_macros

# In labs, mkdocs-jupyter's <div class="highlight-ipynb ..."> for the cells, the hidden copy of
# each cell's code for its copy button, the button, the prompts and what a cell prints: marked.
CODE_BLOCK = re.compile(r'<div class="(highlight-ipynb\b[^"]*|clipboard-copy-txt|zeroclipboard-container'
                        r'|jp-(?:Input|Output)Prompt\b[^"]*|jp-RenderedText\b[^"]*)"')
# pymdownx.highlight's blocks (code, and the output under it): whole, as the search plugin gets
# the page. Code inside is HTML-escaped, so the first "</pre></div>" ends the block.
HIGHLIGHTED = re.compile(r'<div class="highlight(?: [^"]*)?">.*?</pre></div>', re.DOTALL)
PLACEHOLDER = re.compile(r"<!--search-left-out:(\d+)-->")
INDEX = "search/search_index.json"
MATH = re.compile(r"\\\((?P<inline>.+?)\\\)|\\\[(?P<display>.+?)\\\]", re.DOTALL)
SUPERSCRIPT = dict(zip("0123456789+-=()nijkT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱʲᵏᵀ"))
SUBSCRIPT = dict(zip("0123456789+-=()aeijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
SCRIPT = re.compile(r"(?P<mark>[\^_])(?:\{(?P<group>[^{}\\]*)\}|(?P<token>[A-Za-z0-9])|\\top\b|\{\\top\})")
# Operators pylatexenc leaves out (it knows \operatorname but not these).
OPERATORS = ("det", "log", "exp", "ln", "sin", "cos", "tan", "sinh", "cosh", "tanh", "max", "min", "sup",
             "inf", "lim", "arg", "ker", "dim", "Pr", "argmin", "argmax")


# A lab's page is indexed as one long text (its headings sit inside the notebook's cells, which
# Material's indexer reads as the end of each section), so it matches almost any query; the
# lecture that teaches a topic should come before the lab that exercises it.
LAB_BOOST = 0.3


def on_page_content(html: str, page, config, files) -> str:
    if page.file.src_uri.startswith("labs/"):
        page.meta["search"] = {**(page.meta.get("search") or {}), "boost": LAB_BOOST}
    return CODE_BLOCK.sub(lambda m: f'{m.group(0)} data-search-exclude="code"', html)


# The code blocks taken out of the page being indexed, by page.
_left_out: dict[str, list[str]] = {}


@event_priority(50)  # before the search plugin reads the page (its on_page_context)
def _code_out(context, page, config, nav):
    """Each highlighted block becomes a numbered comment, which the search plugin skips.
    (A build of the course, three alternating rounds: 6.8 s of CPU with the blocks left in,
    6.4 s with them out; the pages and the index written are byte for byte the same.)"""
    blocks = _left_out[page.file.src_uri] = []

    def take(match: re.Match) -> str:
        blocks.append(match.group(0))
        return f"<!--search-left-out:{len(blocks) - 1}-->"

    page.content = HIGHLIGHTED.sub(take, page.content)
    return context


@event_priority(-50)  # after it, and before the page is written
def _code_back(context, page, config, nav):
    blocks = _left_out.pop(page.file.src_uri)
    page.content = PLACEHOLDER.sub(lambda match: blocks[int(match.group(1))], page.content)
    if PLACEHOLDER.search(page.content):
        raise PluginError(f"{page.file.src_uri}: a code block left out of the search index was not put back")
    return context


on_page_context = CombinedEvent(_code_out, _code_back)


@cache
def _converter() -> LatexNodes2Text:
    context = get_default_latex_context_db().filter_context(keep_which=["macros", "environments", "specials"])
    context.add_context_category("course-operators", prepend=True,
                                 macros=[MacroTextSpec(name, simplify_repl=name) for name in OPERATORS])
    return LatexNodes2Text(latex_context=context, math_mode="text", strict_latex_spaces=False)


def _scripts(tex: str) -> str:
    """x^2, x^{-1}, A^\\top, x_i as Unicode where every character has a raised or lowered form."""
    def replace(match: re.Match) -> str:
        text = "T" if match["group"] is None and match["token"] is None else (match["group"] or match["token"] or "")
        table = SUPERSCRIPT if match["mark"] == "^" else SUBSCRIPT
        text = text.replace(" ", "")
        if text and all(char in table for char in text):
            return "".join(table[char] for char in text)
        return match.group(0)
    return SCRIPT.sub(replace, tex)


def readable(tex: str, macros: dict[str, str]) -> str:
    """A formula as a reader would write it in plain text."""
    tex = expand_macros(tex, macros).replace("'", "′")  # primes, not quotes
    tex = re.sub(r"\s+\\right\b", r"\\right", re.sub(r"(\\left(?:\\[A-Za-z]+|.))\s+", r"\1{}", tex))
    tex = _scripts(tex)
    text = _converter().latex_to_text(tex)  # lenient: no formula of the course makes it fail
    text = text.replace("&", " ").replace("\\\\", " ")
    text = re.sub(r"\s*([=→⊗≈≤≥∈])\s*", r" \1 ", text)  # relations and ⊗ with a space each side
    return re.sub(r"\s+", " ", text).strip()


def clean(text: str, macros: dict[str, str], done: dict[str, str]) -> str:
    """The text with each formula made readable; `done` keeps the formulas already made readable
    (3,411 of the course's 6,269 formulas are distinct: 0.9 s of CPU against 1.3 s, each build)."""
    def formula(match: re.Match) -> str:
        tex = match["inline"] if match["inline"] is not None else match["display"]
        if tex not in done:
            done[tex] = readable(tex, macros)
        return done[tex]

    return re.sub(r"[ \t]{2,}", " ", MATH.sub(formula, text))


_readable: dict[str, dict[str, str]] = {}


def on_post_build(config) -> None:
    """Runs after the search plugin has written the index, and before the offline plugin copies it."""
    path = Path(config.site_dir) / INDEX
    if not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    macros = load_macros()
    # The formulas made readable are kept while the process lasts, for these macros: `make serve`
    # builds again after each edit, and the whole index is cleaned each time (0.75 s of the 1.2 s
    # of CPU a prose edit cost; with them kept, the edit is served in 0.9-1.1 s instead of 1.6-1.8 s).
    done = _readable.setdefault(json.dumps(macros, sort_keys=True), {})
    for doc in index["docs"]:
        doc["title"] = clean(doc["title"], macros, done)
        doc["text"] = clean(doc["text"], macros, done)
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
