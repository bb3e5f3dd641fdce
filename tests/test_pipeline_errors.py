"""The checks fail, with the page, the line and the reason, on each kind of broken page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import docblocks
import small_site
from site_scan import external_resources, math_problems

ROOT = Path(__file__).resolve().parent.parent


def failure(page: Path, text: str, base: Path) -> str:
    """The error the block checks give for a page, or '' if it passes."""
    try:
        for block in docblocks.collect(page, text, base_path=[str(base)]):
            docblocks.check(block)
    except docblocks.PageError as err:
        return str(err)
    return ""


@pytest.fixture
def page(tmp_path: Path) -> Path:
    return tmp_path / "page.md"


def test_a_raising_block_names_page_snippet_line_and_exception(page: Path, tmp_path: Path):
    (tmp_path / "snip.py").write_text("import math\n\nvalue = math.sqrt(4)\nratio = value / 0\n")
    text = 'Intro\n\n```python\nx = 1\n--8<-- "snip.py"\n```\n'
    message = failure(page, text, tmp_path)
    assert f"{page}:5" in message and "snip.py:4" in message, message
    assert "ZeroDivisionError: float division by zero" in message, message


def test_a_raising_line_on_the_page_is_named(page: Path, tmp_path: Path):
    message = failure(page, "# T\n\n```python\nimport numpy as np\nnp.linalg.inv(np.zeros((2, 2)))\n```\n", tmp_path)
    assert f"{page}:5" in message and "LinAlgError: Singular matrix" in message, message


def test_a_raising_line_after_a_blank_line_in_a_solution_is_named(page: Path, tmp_path: Path):
    """An indented block (an exercise's solution) loses its blank lines in the block parser;
    the line named is still the page's line that raised."""
    text = ('# T\n\n??? success "Solution"\n\n    ```python\n    x = 1\n\n    y = 2\n\n'
            '    z = x / (y - 2)\n    ```\n')
    message = failure(page, text, tmp_path)
    assert f"{page}:10:" in message and "ZeroDivisionError" in message, message


def test_shown_output_that_differs_fails_with_a_diff(page: Path, tmp_path: Path):
    text = '```python\nprint(1 + 1)\n```\n\n<!--pytest-codeblocks:expected-output-->\n\n```text\n3\n```\n'
    message = failure(page, text, tmp_path)
    assert "differs" in message and "-3" in message and "+2" in message, message


def test_printing_without_shown_output_fails(page: Path, tmp_path: Path):
    assert "shows no output" in failure(page, "```python\nprint('hi')\n```\n", tmp_path)


def test_a_missing_include_fails_with_page_and_line(page: Path, tmp_path: Path):
    message = failure(page, '# T\n\n```python\n--8<-- "nowhere.py"\n```\n', tmp_path)
    assert f"{page}:4" in message and "missing include" in message and "nowhere.py" in message, message


@pytest.mark.parametrize("opening", ["```py", "```python3", "```pycon", "~~~python", "```{.python}", "``` py title=\"a\""])
def test_python_fences_that_would_not_run_are_refused(page: Path, tmp_path: Path, opening: str):
    fence = opening[:3]
    message = failure(page, f"Text\n\n{opening}\nprint(1)\n{fence}\n", tmp_path)
    assert f"{page}:3" in message and "not run by the tests" in message, message


def test_python_with_a_title_is_run(page: Path, tmp_path: Path):
    message = failure(page, '```python title="demo.py"\nraise ValueError("ran")\n```\n', tmp_path)
    assert "ValueError: ran" in message


def test_blocks_do_not_share_a_namespace(page: Path, tmp_path: Path):
    text = "```python\nx = 1\n```\n\n```python\nprint(x)\n```\n"
    message = failure(page, text, tmp_path)
    assert f"{page}:6" in message and "NameError" in message, message


def test_the_cont_marker_is_refused(page: Path, tmp_path: Path):
    text = "```python\nx = 1\n```\n\n<!--pytest-codeblocks:cont-->\n\n```python\nprint(x)\n```\n"
    assert "cont marker" in failure(page, text, tmp_path)


def test_a_skip_needs_a_reason(page: Path, tmp_path: Path):
    assert "not allowed" in failure(page, "<!-- pytest.mark.skip -->\n```python\n1/0\n```\n", tmp_path)
    blocks = docblocks.collect(page, '<!-- pytest.mark.skip(reason="needs a GPU") -->\n```python\n1/0\n```\n')
    assert blocks[0].skip_reason == "needs a GPU"


def test_blocks_run_as_main(page: Path, tmp_path: Path):
    text = '```python\nif __name__ == "__main__":\n    raise SystemExit("main ran")\n```\n'
    assert "main ran" in failure(page, text, tmp_path)


def test_only_numpy_sympy_and_stdlib_are_imported(page: Path, tmp_path: Path):
    message = failure(page, "```python\nimport json\nimport matplotlib.pyplot as plt\n```\n", tmp_path)
    assert f"{page}:3" in message and "matplotlib" in message, message


def test_the_global_random_state_is_refused(page: Path, tmp_path: Path):
    message = failure(page, "```python\nimport numpy as np\nx = np.random.rand(3)\n```\n", tmp_path)
    assert "default_rng" in message, message


def test_warnings_fail_the_block(page: Path, tmp_path: Path):
    message = failure(page, "```python\nimport numpy as np\nnp.log(np.zeros(1))\n```\n", tmp_path)
    assert "RuntimeWarning" in message, message


def test_update_outputs_rewrites_and_adds_shown_output(tmp_path: Path, monkeypatch):
    page = tmp_path / "p.md"
    page.write_text(
        "```python\nprint(6 * 7)\n```\n\n<!--pytest-codeblocks:expected-output-->\n\n```text\nold\n```\n\n"
        '!!! example "E"\n\n    ```python\n    print("a")\n    print("b")\n    ```\n'
    )
    assert docblocks.update_outputs(page) == 2
    blocks = docblocks.collect(page)
    assert [b.expected_output.strip() for b in blocks] == ["42", "a\nb"]
    for block in blocks:
        docblocks.check(block)
    assert docblocks.update_outputs(page) == 0


# Whole builds: a small site with the real configuration and one broken page.
def build(tmp_path: Path, pages: dict[str, str], strict: bool = True):
    return small_site.build(tmp_path, pages, tmp_path / "site", strict=strict)


def test_an_unknown_macro_fails_the_build_with_page_and_formula(tmp_path: Path):
    result = build(tmp_path, {"index.md": "# Home\n\nFine $x$.\n\n$$\n\\tr A + \\nosuchmacro{B}\n$$\n"})
    assert result.returncode != 0
    assert "index.md:6" in result.stderr and "\\nosuchmacro" in result.stderr, result.stderr[-2000:]
    assert "Undefined control sequence" in result.stderr


def test_a_broken_link_or_anchor_fails_the_build_with_page_and_line(tmp_path: Path):
    result = build(
        tmp_path,
        {
            "index.md": "# Home\n\n[gone](missing.md), [there](other.md)\n\nand [anchor](other.md#no-such-heading)\n"
                        "\nAgain [gone](missing.md).\n",
            "other.md": "# Other\n\n## A heading\n",
        },
    )
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert any("docs/index.md:3: " in line and "'missing.md'" in line and line.endswith("(the same link is on line 7 too)")
               for line in lines), result.stderr[-2000:]
    assert any("docs/index.md:5: " in line and "no-such-heading" in line for line in lines), result.stderr[-2000:]


# The home page's lists, from the navigation (hooks/page_links.py).
HOME = """# Home

<!-- nav: Lectures -->

1. lectures/a.md: what $x$ is, in
   two lines.
2. lectures/b.md: what b is.
"""


def home_markdown(monkeypatch, nav: list, text: str = HOME) -> str:
    """The home page's Markdown as hooks/page_links.py hands it on (the hook is run as a unit here:
    tests/test_site.py checks the real home page of the real build, which runs it)."""
    monkeypatch.syspath_prepend(str(ROOT / "hooks"))
    import page_links

    page = SimpleNamespace(file=SimpleNamespace(src_uri="index.md", content_string=text))
    return page_links.on_page_markdown(text, page, SimpleNamespace(nav=nav), None)


def test_the_home_page_lists_the_pages_of_the_navigation_in_its_order(monkeypatch):
    nav = [{"Home": "index.md"}, {"Lectures": [{"Page B": "lectures/b.md"}, {"Page A": "lectures/a.md"}]}]
    lines = home_markdown(monkeypatch, nav).split("\n")
    start = lines.index("1. [Page B](lectures/b.md): what b is.")
    assert lines[start + 1 : start + 3] == ["2. [Page A](lectures/a.md): what $x$ is, in", "   two lines."], lines
    assert not any("<!-- nav:" in line for line in lines), lines


def test_a_page_of_the_navigation_missing_from_the_home_page_stops_the_build(monkeypatch):
    nav = [{"Home": "index.md"}, {"Lectures": [{"A": "lectures/a.md"}, {"B": "lectures/b.md"}, {"C": "lectures/c.md"}]}]
    from mkdocs.exceptions import PluginError

    with pytest.raises(PluginError) as raised:
        home_markdown(monkeypatch, nav)
    assert "docs/index.md:3: the page lectures/c.md ('C', in the navigation under 'Lectures') is missing " \
           "from the home page's list" in str(raised.value), raised.value


LECTURE_A = [{"Lectures": [{"A": "lectures/a.md"}]}]


@pytest.mark.parametrize("nav, text, expected", [
    (LECTURE_A, HOME, "docs/index.md:7: lectures/b.md is not in the navigation under 'Lectures'"),
    ([{"Labs": [{"A": "lectures/a.md"}]}], HOME, "docs/index.md:3: no section 'Lectures' in the navigation"),
    ([{"Lectures": ["lectures/a.md", {"B": "lectures/b.md"}]}], HOME,
     "the page lectures/a.md in the navigation under 'Lectures' has no title"),
    (LECTURE_A, HOME.replace("2. lectures/b.md", "2. [B](lectures/b.md)"),
     "docs/index.md:7: an item of the list of 'Lectures' is '1. <page>.md: what the page is about'"),
    ([{"Lectures": [{"A": "lectures/a.md"}, {"B": "lectures/b.md"}]}], HOME.replace("what b is.", ""),
     "docs/index.md:7: the item of lectures/b.md does not say what the page is about"),
])
def test_a_home_list_that_does_not_match_the_navigation_is_refused_with_the_line(monkeypatch, nav, text, expected):
    from mkdocs.exceptions import PluginError

    with pytest.raises(PluginError) as raised:
        home_markdown(monkeypatch, nav, text)
    assert expected in str(raised.value), raised.value


def test_a_run_without_chromium_says_why_its_browser_tests_are_skipped(tmp_path: Path):
    """Chromium hidden (no CHROME_PATH, nothing on PATH): the browser fixture skips each test, and the
    summary says how many, why, and how to install the browser."""
    (tmp_path / "test_pages_in_a_browser.py").write_text(
        "import pytest\n\n\n@pytest.mark.parametrize('n', range(3))\ndef test_page(browser, n):\n    pass\n")
    environment = {key: value for key, value in os.environ.items() if key not in ("CHROME_PATH", "CI")}
    environment.update(PATH=str(tmp_path), PYTHONPATH=str(ROOT / "tests"))
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "conftest", "-p", "browser.conftest",
                             "-p", "no:cacheprovider", "-n", "1", str(tmp_path)],
                            cwd=tmp_path, env=environment, capture_output=True, text=True)
    assert "3 skipped" in result.stdout, result.stdout[-3000:] + result.stderr[-3000:]
    assert "3 browser tests were skipped: Chromium is not installed. Install it with `sudo apt-get install " \
           "chromium-headless-shell chromium`" in result.stdout, result.stdout[-3000:]


def test_an_external_script_or_unrendered_formula_is_found(tmp_path: Path):
    result = build(
        tmp_path,
        {"index.md": '# Home\n\n<script src="https://cdn.example.org/lib.js"></script>\n\n$x^2$\n'},
        strict=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    problems = external_resources(tmp_path / "site")
    assert any("index.html" in p and "https://cdn.example.org/lib.js" in p for p in problems), problems
    html = (tmp_path / "site" / "index.html").read_text()
    assert not math_problems(html)
    assert math_problems(html.replace('<span class="katex">', "<span>\\(x", 1))


# Figures (hooks/figure_markup.py): a broken reference or figure stops the build, named.
FIGURE_SCRIPT = '''
from figure_kit import figure


def data():
    return {"x": [0, 1, 2], "y": [0, 1, 4]}


def check(d):
    assert d["y"][2] == 2 * d["y"][1], "y is not 2x"


def draw(d):
    fig, ax = figure()
    ax.plot(d["x"], d["y"])
    return fig
'''


@pytest.fixture
def figure_hook(tmp_path: Path, monkeypatch):
    (tmp_path / "figures" / "demo").mkdir(parents=True)
    (tmp_path / "figures" / "demo" / "square.py").write_text(FIGURE_SCRIPT, encoding="utf-8")
    monkeypatch.setenv("FIGURES_DIR", str(tmp_path / "figures"))
    monkeypatch.syspath_prepend(str(ROOT / "hooks"))
    import figure_markup

    monkeypatch.setattr(figure_markup, "CACHE", tmp_path / "cache")
    return figure_markup


@pytest.mark.parametrize("line, expected", [
    ("![The parabola y = x squared rising](figure:demo/cube)", "no figure 'demo/cube': figures/demo/cube.py does not exist"),
    ("![](figure:demo/square)", "the figure demo/square has no alt text"),
    ("![Plot of y against x](figure:demo/square)", "says what it is"),
    ("![The parabola](figure:Demo/Square.py)", "a figure is named <lecture>/<name>"),
])
def test_a_bad_figure_reference_names_page_and_line(figure_hook, line: str, expected: str):
    with pytest.raises(figure_hook.PluginError) as raised:
        list(figure_hook.references(f"# Title\n\nText.\n\n{line}\n", "docs/page.md"))
    assert "docs/page.md:5" in str(raised.value) and expected in str(raised.value), raised.value


def test_a_figure_whose_check_fails_names_the_figure_and_the_assertion(figure_hook):
    with pytest.raises(figure_hook.PluginError) as raised:
        figure_hook.render({"demo/square"})
    message = str(raised.value)
    assert "figures/demo/square.py failed" in message and "AssertionError: y is not 2x" in message, message
    assert "square.py\", line 10, in check" in message, message


def test_a_failing_figure_stops_the_build(tmp_path: Path):
    (tmp_path / "figs" / "demo").mkdir(parents=True)
    (tmp_path / "figs" / "demo" / "square.py").write_text(FIGURE_SCRIPT, encoding="utf-8")
    page = "# Home\n\n![The parabola y = x squared through 0, 1 and 4](figure:demo/square)\n"
    result = small_site.build(tmp_path, {"index.md": page}, tmp_path / "site", strict=True,
                              environment={"FIGURES_DIR": str(tmp_path / "figs")})
    assert result.returncode != 0
    assert "figures/demo/square.py failed" in result.stderr and "y is not 2x" in result.stderr, result.stderr[-2000:]


def test_a_figure_line_that_cannot_be_read_names_page_and_line(figure_hook):
    with pytest.raises(figure_hook.PluginError) as raised:
        list(figure_hook.references("# T\n\n![f''(x)[v, v] along a line](figure:demo/square)\n", "docs/page.md"))
    assert "docs/page.md:3" in str(raised.value) and "a line of its own" in str(raised.value), raised.value


@pytest.mark.parametrize("cells, expected", [
    (['<img alt="No description has been provided for this image" src="x">'], "a figure without alt text"),
    (['<span class="c1"># alt: Plot of the loss</span>', '<img alt="No description has been provided for this image" src="x">'],
     "says what the figure is"),
    (['<span class="c1"># alt: The loss falls to 0.1</span>', '<span class="c1"># alt: The accuracy rises</span>',
      '<img alt="No description has been provided for this image" src="x">'], "is followed by no figure"),
])
def test_a_lab_figure_without_fitting_alt_text_stops_the_build(monkeypatch, cells, expected):
    monkeypatch.syspath_prepend(str(ROOT / "hooks"))
    import labs

    with pytest.raises(labs.PluginError) as raised:
        labs.with_alt_text("\n".join(cells), "docs/labs/lab.py")
    assert "docs/labs/lab.py" in str(raised.value) and expected in str(raised.value), raised.value


def test_a_lab_figure_gets_the_alt_text_of_its_cell(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "hooks"))
    import labs

    page = ('<span class="c1"># alt: The loss falls to 0.1</span>\n'
            '<img alt="No description has been provided for this image" src="x">')
    assert '<img alt="The loss falls to 0.1" src="x">' in labs.with_alt_text(page, "docs/labs/lab.py")
