"""Lecture notebooks: each lecture page as a Jupyter notebook, made at build time.

For every page under docs/lectures/ the build writes `lectures/<page>.ipynb`
beside it, made from the page's own Markdown exactly as the site reads it:
- `--8<--` includes are expanded by pymdownx.snippets with the site's own
  options, so the notebook holds the code the page shows;
- each ```python block becomes a code cell, its shown output (the
  `expected-output` block, which the tests check against what the block
  prints) becomes the cell's output; a block the page skips becomes a
  Markdown cell saying why, so "Run all" never runs it;
- admonitions, exercises and tabs become (nested) block quotes with their
  title in bold; other fences stay as fenced Markdown;
- the course's TeX macros (hooks/katex_macros.yml) are expanded inside the
  Markdown, so the math renders in Jupyter, Colab or any other viewer with no
  preamble;
- links to other pages point at the published site (or, without a site URL,
  at the built page relative to the notebook, as in the offline edition).

The page gets a "Download as notebook" link and, when the sources live on
GitHub, an "Open in Colab" link to the copy of the notebook that the deploy
workflow publishes on the `notebooks` branch.
"""

from __future__ import annotations

import html
import itertools
import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import markdown
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.utils import meta as page_meta
from math_comments import strip as strip_math_comments
import figure_markup
from tex_macros import expand_prose_macros, load_macros

LECTURE_DIR = "lectures/"
# The branch the deploy workflow publishes the notebooks to; Colab opens them there.
NOTEBOOK_BRANCH = "notebooks"

OUTPUT_MARKER = "<!--pytest-codeblocks:expected-output-->"
SKIP_MARK = re.compile(r"""^<!--\s*pytest\.mark\.skip\(\s*reason\s*=\s*(["'])(?P<reason>.+)\1\s*\)\s*-->$""")
SCRIPT_LINE = re.compile(r"^<script\b[^>]*>\s*</script>$")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*?)[ \t]*$")
# Admonitions (!!!), collapsible blocks (??? and ???+) and content tabs (===).
CONTAINER = re.compile(
    r'^(?P<indent>[ \t]*)(?:(?P<kind>!!!|\?\?\?\+?)[ \t]+(?P<type>[\w-]+)(?:[ \t]+[\w-]+)*|(?P<tab>===\+?))'
    r'(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*$'
)
# A link's text may run over several lines (and block-quote markers).
LINK = re.compile(r"(?P<text>!?\[[^\]]*\])\((?P<target><[^>\n]*>|[^)\s]+)(?P<title>\s+\"[^\"\n]*\")?\)")
LINK_DEFINITION = re.compile(r"^(?P<head>[ \t>]*\[[^\]\n]+\]:[ \t]*)(?P<target>\S+)", re.MULTILINE)
# attr_list: `{ #id .class key=value }` after a heading, a link or an image.
ATTR_LIST = re.compile(r"(?<!\\)\{:?[ \t]*(?:[#.][\w-]+|[\w-]+=\S+)(?:[ \t]+(?:[#.][\w-]+|[\w-]+=\S+))*[ \t]*\}")


def is_lecture(src_uri: str) -> bool:
    return src_uri.startswith(LECTURE_DIR) and src_uri.endswith(".md")


def notebook_uri(src_uri: str) -> str:
    return src_uri[: -len(".md")] + ".ipynb"


# ---------------------------------------------------------------------------
# Page Markdown to notebook cells


class NotebookError(Exception):
    pass


@dataclass
class Container:
    body_indent: int  # columns of indentation of the container's body


@dataclass
class Cells:
    prose: Callable[[str], str]  # links and macros, applied to each run of prose lines
    cells: list[dict] = field(default_factory=list)
    markdown: list[tuple[str, bool]] = field(default_factory=list)  # (line, verbatim)

    def push(self, line: str, verbatim: bool = False) -> None:
        """Add a Markdown line; runs of blank (or quote-only) lines collapse into one."""
        if not verbatim and not line.strip(" >") and self.markdown and self.markdown[-1] == (line, False):
            return
        self.markdown.append((line, verbatim))

    def flush(self) -> None:
        while self.markdown and not self.markdown[-1][0].strip(" >"):
            self.markdown.pop()
        while self.markdown and not self.markdown[0][0].strip(" >"):
            self.markdown.pop(0)
        if self.markdown:
            runs = [(verbatim, [line for line, _ in group]) for verbatim, group in
                    itertools.groupby(self.markdown, key=lambda item: item[1])]
            text = "\n".join("\n".join(lines) if verbatim else self.prose("\n".join(lines)) for verbatim, lines in runs)
            text, attachments = figure_markup.as_attachments(text)
            self.add("markdown", text)
            if attachments:
                self.cells[-1]["attachments"] = attachments
        self.markdown = []

    def add(self, kind: str, source: str, output: str | None = None) -> None:
        cell = {"cell_type": kind, "id": f"cell-{len(self.cells) + 1}", "metadata": {}, "source": source}
        if kind == "code":
            cell["execution_count"] = None
            cell["outputs"] = []
            if output:
                cell["outputs"].append({"output_type": "stream", "name": "stdout", "text": output + "\n"})
        self.cells.append(cell)


def _columns(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())


def _dedent(line: str, columns: int) -> str:
    expanded = line.expandtabs(4)
    return expanded[min(columns, _columns(line)) :]


def _closing(lines: list[str], start: int, fence: re.Match, where: str) -> int:
    marker = fence["fence"]
    for index in range(start + 1, len(lines)):
        candidate = lines[index].strip()
        if candidate.startswith(marker[0] * len(marker)) and not candidate.strip(marker[0]):
            return index
    raise NotebookError(f"{where}:{start + 1}: the fence {marker} is never closed")


def _shown_output(lines: list[str], index: int, where: str) -> tuple[str | None, int]:
    """The output shown after a block (marker + fence) and the index after it, if there is one."""
    following = index
    while following < len(lines) and not lines[following].strip():
        following += 1
    if following >= len(lines) or lines[following].strip() != OUTPUT_MARKER:
        return None, index
    start = following + 1
    while start < len(lines) and not lines[start].strip():
        start += 1
    fence = FENCE.match(lines[start]) if start < len(lines) else None
    if not fence:
        raise NotebookError(f"{where}:{following + 1}: an expected-output marker without a fenced block after it")
    close = _closing(lines, start, fence, where)
    columns = _columns(lines[start])
    text = "\n".join(_dedent(line, columns) for line in lines[start + 1 : close])
    return text.strip("\n"), close + 1


def page_cells(lines: list[str], where: str, link: Callable[[str], str], macros: dict[str, str]) -> list[dict]:
    """Cells for a page's expanded Markdown lines; `link` maps a link target to its notebook form."""

    def prose(text: str) -> str:
        text = LINK.sub(lambda m: f"{m['text']}({link(m['target'].strip('<>'))}{m['title'] or ''})", text)
        text = LINK_DEFINITION.sub(lambda m: m["head"] + link(m["target"]), text)
        return expand_prose_macros(text, macros)

    cells = Cells(prose)
    stack: list[Container] = []
    skip_reason: str | None = None

    def quote(text: str) -> str:
        depth = len(stack)
        return ("> " * depth + text).rstrip() if depth else text

    def attributes(text: str) -> str:
        return ATTR_LIST.sub("", text) if text.lstrip().startswith("#") or "](" in text else text

    index = 0
    while index < len(lines):
        line = lines[index]
        if line.strip() and stack and _columns(line) < stack[-1].body_indent:
            while stack and _columns(line) < stack[-1].body_indent:
                stack.pop()
            cells.push(quote(""))  # ends the block quote
        body = _dedent(line, stack[-1].body_indent) if stack else line
        stripped = body.strip()

        skip = SKIP_MARK.match(stripped)
        if skip:
            skip_reason = skip["reason"]
            index += 1
            continue
        if stripped == OUTPUT_MARKER:
            raise NotebookError(f"{where}:{index + 1}: an expected-output marker that follows no python block")

        container = CONTAINER.match(body)
        if container and not _columns(body):
            if container["tab"]:
                title = container["title"] or ""
            else:
                title = container["title"] if container["title"] is not None else container["type"].capitalize()
            if title:
                cells.push(quote(f"> **{title}**"))
                cells.push(quote(">"))
            stack.append(Container(body_indent=(stack[-1].body_indent if stack else 0) + 4))
            index += 1
            continue

        fence = FENCE.match(line)
        if fence and fence["info"]:
            close = _closing(lines, index, fence, where)
            columns = _columns(line)
            content = [_dedent(code, columns) for code in lines[index + 1 : close]]
            language = fence["info"].split()[0].lstrip(".{").lower()
            if language == "python":
                output, after = _shown_output(lines, close + 1, where)
                code = "\n".join(content).strip("\n")
                if skip_reason is not None:
                    cells.push(quote(f"*Not run in this notebook: {skip_reason}*"))
                    cells.push(quote(""))
                    for text in ["```python", *content, "```"]:
                        cells.push(quote(text), verbatim=True)
                else:
                    cells.flush()
                    cells.add("code", code, output)
                skip_reason = None
                index = after
                continue
            # Any other fence stays in the Markdown as it is (its language only).
            for text in [fence["fence"] + language, *content, fence["fence"]]:
                cells.push(quote(text), verbatim=True)
            index = close + 1
            continue
        if fence:  # a fence with no language
            close = _closing(lines, index, fence, where)
            columns = _columns(line)
            for text in lines[index : close + 1]:
                cells.push(quote(_dedent(text, columns)), verbatim=True)
            index = close + 1
            continue

        if SCRIPT_LINE.match(stripped):  # a page's script (an interactive figure) means nothing in a notebook
            index += 1
            continue
        if skip_reason is not None and stripped:
            raise NotebookError(f"{where}:{index + 1}: a skip marker that is not followed by a python block")
        cells.push(quote(attributes(body)))
        index += 1

    cells.flush()
    return cells.cells


def expanded_lines(path: Path, config) -> list[str]:
    """The page's Markdown with `--8<--` includes expanded by pymdownx.snippets, as the site does."""
    # The site's own options; relative base paths mean what they mean to the site (the working directory).
    options = dict(config.mdx_configs.get("pymdownx.snippets", {}))
    preprocessor = markdown.Markdown(
        extensions=["pymdownx.snippets"], extension_configs={"pymdownx.snippets": options}
    ).preprocessors["snippet"]
    text, _ = page_meta.get_data(path.read_text(encoding="utf-8-sig"))
    text = strip_math_comments(text)
    try:
        return preprocessor.run(text.split("\n"))
    except Exception as err:  # SnippetMissingError and friends: name the page
        raise NotebookError(f"{path}: {type(err).__name__}: {err}") from None


def colab_url(config, uri: str) -> str | None:
    """Where Colab opens the published copy of a notebook, if the sources are on GitHub."""
    parts = urlsplit(config.repo_url or "")
    segments = [s for s in parts.path.split("/") if s]
    if parts.netloc != "github.com" or len(segments) < 2:
        return None
    owner, repo = segments[0], segments[1].removesuffix(".git")
    return f"https://colab.research.google.com/github/{owner}/{repo}/blob/{NOTEBOOK_BRANCH}/{uri}"


def build_notebook(file: File, config, files: Files) -> str:
    src_dir = posixpath.dirname(file.src_uri)
    notebook_dir = posixpath.dirname(notebook_uri(file.src_uri))
    page_url = file.url
    where = f"docs/{file.src_uri}"

    def site_url(url: str) -> str:
        if config.site_url:
            return config.site_url.rstrip("/") + "/" + url
        return posixpath.relpath(url or ".", notebook_dir or ".") + ("/" if url.endswith("/") else "")

    def link(target: str) -> str:
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or target.startswith("/"):
            return target
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        if not parts.path:  # an anchor on this page: Jupyter names its headings differently
            return site_url(page_url) + fragment
        src = posixpath.normpath(posixpath.join(src_dir, parts.path))
        target_file = files.get_file_from_path(src)
        if target_file is None:
            return target  # the strict build reports it
        return site_url(target_file.url) + fragment

    lines = expanded_lines(Path(file.abs_src_path), config)
    cells = page_cells(lines, where, link, load_macros())
    intro = (
        f"*This notebook is the lecture page [{_title(lines, file)}]({site_url(page_url)}) of "
        f"{config.site_name}, generated from the page itself. Run the cells from the top: each "
        "code cell runs on its own and needs only NumPy and SymPy.*"
    )
    cells.insert(0, {"cell_type": "markdown", "id": "cell-0", "metadata": {}, "source": intro})
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def _title(lines: list[str], file: File) -> str:
    for line in lines:
        if line.startswith("# "):
            return ATTR_LIST.sub("", line[2:]).strip()
    return posixpath.basename(file.src_uri)[: -len(".md")]


# ---------------------------------------------------------------------------
# MkDocs events


# Each hook that needs it keeps its own flag: MkDocs loads every hook as a module of its own, so
# a hook imported by another (this one by hooks/labs.py) is a second copy that MkDocs never starts.
_dirty = False


def on_startup(*, command, dirty) -> None:
    global _dirty
    _dirty = dirty


def on_files(files: Files, config) -> Files:
    for file in list(files):
        # A dirty build (make serve) renders only the pages that changed (hooks/serve.py, run before
        # this, marks those whose snippets or figures changed): the others' notebooks stay as written.
        # (Making them all takes 0.13 s of CPU a rebuild, of 1.2 s; measured on 2 cores.)
        if is_lecture(file.src_uri) and not (_dirty and not file.is_modified()):
            try:
                content = build_notebook(file, config, files)
            except NotebookError as err:
                raise PluginError(f"cannot make the notebook of a lecture: {err}") from None
            files.append(File.generated(config, notebook_uri(file.src_uri), content=content))
    return files


def with_notebook_links(html_text: str, page, config, files: Files, uri: str) -> str:
    """The page's content with "Download as notebook" (the notebook at `uri`) and "Open in Colab"
    under its title; a lecture's and a lab's alike (hooks/labs.py)."""
    notebook = files.get_file_from_path(uri)
    name = posixpath.basename(uri)
    buttons = [
        f'<a class="md-button" href="{notebook.url_relative_to(page.file)}" download="{name}">'
        f"Download as notebook</a>"
    ]
    colab = colab_url(config, uri)
    if colab:
        buttons.append(f'<a class="md-button" href="{html.escape(colab)}">Open in Colab</a>')
    links = f'<p class="notebook-links">{" ".join(buttons)}</p>\n'
    heading_end = html_text.find("</h1>")
    if heading_end < 0:
        return links + html_text
    heading_end += len("</h1>")
    return html_text[:heading_end] + "\n" + links + html_text[heading_end:]


def on_page_content(html_text: str, page, config, files: Files) -> str:
    if not is_lecture(page.file.src_uri):
        return html_text
    return with_notebook_links(html_text, page, config, files, notebook_uri(page.file.src_uri))
