"""The Python code blocks of the pages under docs/: collect, run, check.

A page is read as the site shows it: `--8<--` includes are expanded by
pymdownx.snippets' own preprocessor, configured from mkdocs.yml, one source
line at a time so that every expanded line remembers where it came from (the
page line, and the snippet file and line). The fenced blocks are then found by
pytest-codeblocks' parser, with its markers.

Rules a page must follow (each broken rule is an error naming page and line):
- Python is written in a ```python fence (attributes such as title="..." are
  fine); other Python fences (py, python3, pycon, ~~~python, ...) would not be
  executed and are refused.
- Each block runs on its own in a fresh namespace with __name__ == "__main__";
  the `cont` marker is refused. Only `<!-- pytest.mark.skip(reason="...") -->`
  may skip a block, and only with a reason.
- A block that prints shows its output on the page, right after it, as
  `<!--pytest-codeblocks:expected-output-->` and a ```text fence. The output
  must match; `make outputs` rewrites (or adds) these from the real output.
- Code on a page imports only the standard library, numpy and sympy, and draws
  random numbers from a seeded generator.

Run as a script with --update [page.md ...] to rewrite the shown outputs of the
given pages, or of all pages (what `make outputs` does).
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import io
import linecache
import re
import sys
import traceback
import warnings
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import markdown
import pytest_codeblocks
from mkdocs.utils.yaml import yaml_load
from pymdownx.snippets import SnippetMissingError

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
ALLOWED_IMPORTS = {"numpy", "sympy"} | set(sys.stdlib_module_names)
PYTHON_NAMES = {"py", "py3", "python", "python3", "python2", "pycon", "ipython", "ipython3", "pyodide"}
OUTPUT_MARKER = "<!--pytest-codeblocks:expected-output-->"
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*?)[ \t]*$")
SKIP_MARK = re.compile(r"""pytest\.mark\.skip\(\s*reason\s*=\s*(["'])(?P<reason>.+)\1\s*\)""")
# The legacy global generator (np.random.rand, np.random.seed, ...) is shared state:
# blocks draw from their own np.random.default_rng(seed).
LEGACY_RANDOM = re.compile(r"\bnp\.random\.(?!default_rng\b|Generator\b|PCG64\b|SeedSequence\b)\w+")


class PageError(Exception):
    """A page breaks one of the rules above, or a block fails."""


@dataclass(frozen=True)
class Origin:
    page: str
    page_line: int
    snippet: str | None = None
    snippet_line: int | None = None

    def __str__(self) -> str:
        where = f"{self.page}:{self.page_line}"
        if self.snippet:
            where += f" (from {self.snippet}:{self.snippet_line or '?'})"
        return where


@dataclass
class Block:
    page: str
    lineno: int  # page line of the opening fence
    code: str
    origins: list[Origin]  # one per line of code
    closing_line: int = 0  # page line of the closing fence
    indent: str = ""
    expected_output: str | None = None
    output_lines: tuple[int, int] | None = None  # page lines of the shown output (first, last+1)
    skip_reason: str | None = None
    info: str = "python"

    @property
    def name(self) -> str:
        return f"{self.page}:{self.lineno}"


@dataclass
class Expanded:
    lines: list[str] = field(default_factory=list)
    origins: list[Origin] = field(default_factory=list)


@cache
def snippet_config() -> dict:
    """pymdownx.snippets' options exactly as mkdocs.yml gives them."""
    with open(ROOT / "mkdocs.yml", encoding="utf-8") as handle:
        config = yaml_load(handle)
    for entry in config.get("markdown_extensions", []):
        if isinstance(entry, dict) and "pymdownx.snippets" in entry:
            return dict(entry["pymdownx.snippets"] or {})
        if entry == "pymdownx.snippets":
            return {}
    raise PageError("mkdocs.yml does not enable pymdownx.snippets")


def snippet_preprocessor(base_path: list[str] | None = None):
    config = dict(snippet_config())  # a copy: the cached options stay as mkdocs.yml gives them
    if base_path is not None:
        config["base_path"] = base_path
    config["base_path"] = [str((ROOT / p).resolve()) for p in config.get("base_path", ["."])]
    md = markdown.Markdown(extensions=["pymdownx.snippets"], extension_configs={"pymdownx.snippets": config})
    return md.preprocessors["snippet"]


def _relative(path: str | Path) -> str:
    path = Path(path).resolve()
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def expand(page: Path, text: str | None = None, base_path: list[str] | None = None) -> Expanded:
    """Expand includes the way the site does, remembering each line's origin."""
    pre = snippet_preprocessor(base_path)
    name = _relative(page)
    text = page.read_text(encoding="utf-8") if text is None else text
    out = Expanded()
    for number, line in enumerate(text.split("\n"), start=1):
        match = pre.RE_ALL_SNIPPETS.match(line)
        if match and not match.group("escape") and match.group("block_marker"):
            raise PageError(
                f"{name}:{number}: block-form snippet includes are not supported by the tests; "
                'include one file per line: --8<-- "snippets/<lecture>/<file>.py"'
            )
        try:
            lines = pre.run([line])
        except SnippetMissingError as err:
            raise PageError(f"{name}:{number}: missing include: {err}") from None
        snippet = None
        if match and not match.group("escape") and match.group("inline_marker"):
            target = pre.parse_snippet_target(match.group("snippet")[1:-1].strip())
            path = pre.get_snippet_path(target["path"]) if target else None
            snippet = Path(path) if path else None
        if snippet is None:
            out.lines.extend(lines)
            out.origins.extend(Origin(name, number) for _ in lines)
            continue
        # Locate each included line in the snippet file, moving forward.
        file_lines = snippet.read_text(encoding="utf-8").split("\n")
        snippet_name = _relative(snippet)
        indent = match.group("space")
        position = 0
        for included in lines:
            body = included[len(indent):] if included.startswith(indent) else included
            found = None
            for index in range(position, len(file_lines)):
                if file_lines[index].rstrip() == body.rstrip():
                    found = index
                    break
            if found is not None:
                position = found + 1
            out.lines.append(included)
            out.origins.append(Origin(name, number, snippet_name, None if found is None else found + 1))
    return out


def _check_fence(info: str, fence: str, where: str) -> bool:
    """True if the fence is an executed Python block; raises for Python fences that would not run."""
    words = info.replace("{", " ").replace("}", " ").split()
    language = words[0].lstrip(".").lower() if words else ""
    if language not in PYTHON_NAMES:
        return False
    if fence.startswith("~"):
        raise PageError(f"{where}: a ~~~ fence is not run by the tests; write ```python")
    if not info.startswith("python") or info.startswith("python3") or (len(info) > 6 and not info[6].isspace()):
        raise PageError(f"{where}: fence info {info!r} is not run by the tests; write ```python")
    return True


def collect(page: Path, text: str | None = None, base_path: list[str] | None = None) -> list[Block]:
    """All ```python blocks of a page, expanded, with their shown output."""
    expanded = expand(page, text, base_path)
    lines, origins = expanded.lines, expanded.origins
    parsed = pytest_codeblocks.extract_from_buffer(io.StringIO("\n".join(lines) + "\n"))
    by_line = {block.lineno: block for block in parsed}

    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        where = str(origins[index])
        stripped = line.strip()
        if re.fullmatch(r"<!--[-\s]*pytest-codeblocks:\s*cont[-\s]*-->", stripped):
            raise PageError(f"{where}: the cont marker is not used: each block runs on its own")
        fence = FENCE.match(line)
        if not fence:
            index += 1
            continue
        is_python = _check_fence(fence["info"], fence["fence"], where)
        close = _closing_fence(lines, index, fence)
        if not is_python:
            index = close + 1
            continue
        parsed_block = by_line.get(index + 1)
        if parsed_block is None:
            raise PageError(f"{where}: pytest-codeblocks did not see this block")
        if parsed_block.importorskip:
            raise PageError(f"{where}: importorskip would skip silently; pages import only numpy and sympy")
        skip_reason = None
        for mark in parsed_block.marks:
            skip = SKIP_MARK.fullmatch(mark.strip())
            if not skip:
                raise PageError(f"{where}: marker {mark!r} is not allowed; only pytest.mark.skip(reason=\"...\")")
            skip_reason = skip["reason"]
        block = Block(
            page=origins[index].page,
            lineno=origins[index].page_line,
            code=parsed_block.code,
            origins=_code_origins(parsed_block.code, lines[index + 1 : close], origins[index + 1 : close]),
            indent=fence["indent"],
            skip_reason=skip_reason,
            info=fence["info"],
            closing_line=origins[close].page_line,
        )
        index = close + 1
        # The shown output: the marker, then a fence, after blank lines only.
        following = index
        while following < len(lines) and not lines[following].strip():
            following += 1
        if following < len(lines) and lines[following].strip() == OUTPUT_MARKER:
            start = following + 1
            while start < len(lines) and not lines[start].strip():
                start += 1
            out_fence = FENCE.match(lines[start]) if start < len(lines) else None
            if not out_fence:
                raise PageError(f"{origins[following]}: expected-output marker without a fenced block after it")
            out_close = _closing_fence(lines, start, out_fence)
            if any(o.snippet for o in origins[start : out_close + 1]):
                raise PageError(f"{origins[start]}: shown output must be written on the page, not included")
            block.expected_output = parsed_block.expected_output or ""
            block.output_lines = (origins[start].page_line + 1, origins[out_close].page_line)
            index = out_close + 1
        blocks.append(block)
    return blocks


def _code_origins(code: str, fenced: list[str], origins: list[Origin]) -> list[Origin]:
    """The origin of each line of `code`, the block's code as pytest-codeblocks hands it over.

    The parser drops the blank lines of an indented block (an exercise's solution), so the
    code's lines are matched, in order, with the fenced lines they came from: an error on the
    line after a blank line names that line of the page, not the one before it.
    """
    matched: list[Origin] = []
    position = 0
    for line in code.split("\n"):
        found = next((i for i in range(position, len(fenced)) if fenced[i].strip() == line.strip()), None)
        if found is None:  # not expected; the lines that are left, in order
            found = min(position, len(origins) - 1)
        if found < 0:
            break
        matched.append(origins[found])
        position = found + 1
    return matched


def _closing_fence(lines: list[str], start: int, fence: re.Match) -> int:
    marker = fence["fence"]
    for index in range(start + 1, len(lines)):
        candidate = lines[index].strip()
        if candidate.startswith(marker[0] * len(marker)) and not candidate.strip(marker[0]):
            return index
    raise PageError(f"line {start + 1}: fence {marker} is never closed")


def lint(block: Block) -> None:
    """Imports and random numbers, checked before the block runs."""
    try:
        tree = ast.parse(block.code)
    except SyntaxError as err:
        origin = block.origins[(err.lineno or 1) - 1] if block.origins else block.name
        raise PageError(f"{origin}: SyntaxError: {err.msg}") from None
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] if node.level == 0 else ["." * node.level]
        for name in names:
            if name.split(".")[0] not in ALLOWED_IMPORTS:
                raise PageError(
                    f"{block.origins[node.lineno - 1]}: imports {name!r}; "
                    "code on a page imports only the standard library, numpy and sympy"
                )
    for number, line in enumerate(block.code.split("\n")):
        if LEGACY_RANDOM.search(line):
            raise PageError(
                f"{block.origins[number]}: uses NumPy's global random state; "
                "draw from rng = np.random.default_rng(<seed>)"
            )
        if re.search(r"\brandom\.(random|randint|gauss|choice|shuffle|uniform)\(", line) and "random.seed(" not in block.code:
            raise PageError(f"{block.origins[number]}: uses the random module without random.seed(...)")


def execute(block: Block) -> str:
    """Run the block in a fresh namespace and return what it printed."""
    import numpy as np

    filename = f"<block {block.name}>"
    linecache.cache[filename] = (len(block.code), None, block.code.splitlines(True), filename)
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    printed = io.StringIO()
    options = np.get_printoptions()
    try:
        code = compile(block.code, filename, "exec")
        with contextlib.redirect_stdout(printed), warnings.catch_warnings():
            # A warning a reader would see is a defect of the page.
            warnings.simplefilter("error")
            exec(code, namespace)
    except BaseException as err:  # noqa: BLE001 - every failure is reported with its place
        if isinstance(err, KeyboardInterrupt):
            raise
        line = None
        if isinstance(err, SyntaxError) and err.filename == filename:
            line = err.lineno
        else:
            for frame in traceback.extract_tb(err.__traceback__):
                if frame.filename == filename:
                    line = frame.lineno
        origin = block.origins[line - 1] if line and 0 < line <= len(block.origins) else block.name
        frames = [f for f in traceback.extract_tb(err.__traceback__) if not f.filename.endswith("docblocks.py")]
        raise PageError(
            f"{origin}: {type(err).__name__}: {err}\n"
            f"in the block at {block.name}; traceback (block lines are counted from the fence):\n"
            + "".join(traceback.format_list(frames))
        ) from None
    finally:
        np.set_printoptions(**options)
        linecache.cache.pop(filename, None)
    return printed.getvalue()


def normalise(output: str) -> str:
    return "\n".join(line.rstrip() for line in output.strip("\n").split("\n")).strip("\n")


def check(block: Block) -> None:
    """Lint, run, and compare the printed output with the output the page shows."""
    lint(block)
    printed = execute(block)
    if block.expected_output is None:
        if printed.strip():
            raise PageError(
                f"{block.name}: the block prints but the page shows no output; run `make outputs`\n"
                f"it printed:\n{printed}"
            )
        return
    shown, real = normalise(block.expected_output), normalise(printed)
    if shown != real:
        diff = "\n".join(
            difflib.unified_diff(
                shown.split("\n"), real.split("\n"), "shown on the page", "printed by the block", lineterm=""
            )
        )
        raise PageError(f"{block.name}: the output shown on the page differs from what the block prints "
                        f"(`make outputs` rewrites it):\n{diff}")


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def collect_all() -> tuple[list[Block], list[str]]:
    blocks, errors = [], []
    for page in pages():
        try:
            blocks.extend(collect(page))
        except PageError as err:
            errors.append(str(err))
    return blocks, errors


def update_outputs(page: Path) -> int:
    """Rewrite (or add) the shown output of every block of a page; returns the number changed."""
    text = page.read_text(encoding="utf-8")
    lines = text.split("\n")
    edits: list[tuple[int, int, list[str]]] = []  # (first, end) page-line slices, 0-based
    for block in collect(page):
        if block.skip_reason:
            continue
        lint(block)
        printed = normalise(execute(block))
        if block.output_lines:
            first, end = block.output_lines
            if normalise(block.expected_output or "") == printed:
                continue
            indent = block.indent
            edits.append((first - 1, end - 1, [indent + l if l else "" for l in printed.split("\n")]))
        elif printed:
            # Insert marker and an output fence after the block's closing fence.
            closing = block.closing_line - 1  # 0-based index of the closing fence
            indent = block.indent
            new = ["", indent + OUTPUT_MARKER, "", indent + '```text title="Output"']
            new += [indent + l if l else "" for l in printed.split("\n")]
            new += [indent + "```"]
            edits.append((closing + 1, closing + 1, new))
    for first, end, new in sorted(edits, reverse=True):
        lines[first:end] = new
    if edits:
        page.write_text("\n".join(lines), encoding="utf-8")
    return len(edits)


def main(argv: list[str]) -> int:
    if "--update" not in argv:
        print(__doc__)
        return 2
    chosen = [Path(arg).resolve() for arg in argv if arg != "--update"]
    failed = 0
    for page in chosen or pages():
        try:
            changed = update_outputs(page)
        except PageError as err:
            print(err, file=sys.stderr)
            failed += 1
            continue
        if changed:
            print(f"{_relative(page)}: {changed} output block(s) rewritten")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
