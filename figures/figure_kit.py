"""The course's figures: drawn by code while the site is built, from the pages' own functions.

A figure is a script `figures/<lecture>/<name>.py`, shown on a page by a line of
its own:

    ![What the figure shows, said for a reader who cannot see it](figure:<lecture>/<name> "Caption.")

The script defines three functions:

- `data()` returns a dict of the numbers the figure draws, computed with the
  page's own functions: `page_functions("docs/lectures/<page>.md", "f", "g")`
  runs the code block of the page that defines them and returns them, so that
  the figure cannot drift from what the page shows;
- `check(data)` asserts on those numbers what the page says about them (a
  slope, a sign, a minimum), in a way a wrong formula would fail;
- `draw(data)` returns a matplotlib figure made with `figure()`, in the colours
  of `COLORS`.

hooks/figure_markup.py runs the scripts (`python figures/figure_kit.py OUT NAME...`,
all of a build's figures in one process), caches the result on its inputs and
writes each figure as SVG twice, for the light and the dark scheme: text stays
text, and every colour of `COLORS` is swapped for its partner in `DARK`.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import io
import json
import os
import re
import sys
import traceback
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from cycler import cycler  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogFormatter, NullFormatter  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIGURES = Path(os.environ.get("FIGURES_DIR", ROOT / "figures"))

# Named colours, light scheme first. Each has a partner of the same role for the
# dark scheme (Material's slate background is #1e2129). Text uses "ink" (15:1 on
# white, 13:1 on slate); series colours are at least 4.5:1 on their background.
COLORS = {
    "background": "#ffffff",
    "ink": "#1f2328",
    "muted": "#59606b",
    "grid": "#d0d4da",
    "blue": "#1f5fbf",
    "orange": "#b35400",
    "green": "#2e7d32",
    "red": "#c62828",
    "purple": "#6a3d9a",
    "fill": "#dbe6f7",  # a light area under or between curves
}
DARK = {
    "background": "#1e2129",
    "ink": "#e2e4e9",
    "muted": "#a3a9b4",
    "grid": "#3d4350",
    "blue": "#82b1ff",
    "orange": "#ffab5e",
    "green": "#7bd88f",
    "red": "#ff8a80",
    "purple": "#c9a8ff",
    "fill": "#2c3b57",
}
SERIES = ["blue", "orange", "green", "red", "purple"]
# The site's own text font (Material's stack with `font: false`): labels read like the page.
FONT_STACK = "-apple-system, BlinkMacSystemFont, Helvetica, Arial, sans-serif"

# Sizes are in points of the figure. A 4-inch figure (288 pt) is 384 px wide at
# its natural size and 343 px in a phone's column, where 10.5 pt is 12.5 px; a
# phone reader should get no text under 12 px (tests/test_figures.py measures
# every label). A wider figure needs larger text.
WIDTH = 4.0
matplotlib.rcParams.update({
    "svg.fonttype": "none",  # text stays text: sharp, searchable, small
    "svg.hashsalt": "matrix-calculus-notes",  # the same ids on every build
    "font.size": 10.5,
    "axes.titlesize": 10.5,
    "axes.labelsize": 10.5,
    "xtick.labelsize": 10.5,
    "ytick.labelsize": 10.5,
    "legend.fontsize": 10.5,
    "text.color": COLORS["ink"],
    "axes.labelcolor": COLORS["ink"],
    "axes.edgecolor": COLORS["ink"],
    "xtick.color": COLORS["ink"],
    "ytick.color": COLORS["ink"],
    "grid.color": COLORS["grid"],
    "figure.facecolor": COLORS["background"],
    "axes.facecolor": COLORS["background"],
    "savefig.facecolor": COLORS["background"],
    "legend.facecolor": COLORS["background"],
    "legend.edgecolor": COLORS["grid"],
    "legend.framealpha": 1.0,
    "axes.prop_cycle": cycler(color=[COLORS[name] for name in SERIES]),
    "lines.linewidth": 1.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "mathtext.default": "regular",
})


def figure(width: float = WIDTH, height: float = 3.0, **subplots):
    """A new figure and its axes (plt.subplots' arguments), laid out to fit its labels."""
    return plt.subplots(figsize=(width, height), layout="constrained", **subplots)


# ---------------------------------------------------------------------------
# The page's own functions


@cache
def _blocks(page: str):
    sys.path.insert(0, str(ROOT / "tests"))
    import docblocks

    return docblocks.collect(ROOT / page)


def _defined(code: str) -> set[str]:
    names = set()
    for node in ast.parse(code).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):  # x = ..., and x, y = ... (tuples and lists, nested)
            stack = list(node.targets)
            while stack:
                target = stack.pop()
                if isinstance(target, ast.Name):
                    names.add(target.id)
                elif isinstance(target, (ast.Tuple, ast.List)):
                    stack.extend(target.elts)
                elif isinstance(target, ast.Starred):
                    stack.append(target.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def page_functions(page: str, *names: str):
    """The objects `names` as the first code block of `page` that defines them all makes them.

    The block runs as the page's tests run it (a fresh namespace, `__name__ == "__main__"`);
    what it prints is dropped. One name gives the object, several a tuple."""
    for block in _blocks(page):
        if set(names) <= _defined(block.code):
            namespace = {"__name__": "__main__"}
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(block.code, f"{page}:{block.lineno}", "exec"), namespace)
            found = tuple(namespace[name] for name in names)
            return found[0] if len(found) == 1 else found
    raise LookupError(f"no code block of {page} defines all of {', '.join(names)}")


# ---------------------------------------------------------------------------
# Rendering (run by hooks/figure_markup.py)


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power_of_ten(value: float, _position=None) -> str:
    """10⁻⁵ in plain text: matplotlib's own log labels set the exponent in 7-point mathtext,
    too small on a phone."""
    exponent = np.log10(value) if value > 0 else np.nan
    if not np.isfinite(exponent) or abs(exponent - round(exponent)) > 1e-9:
        return ""
    exponent = int(round(exponent))
    return {0: "1", 1: "10"}.get(exponent, "10" + str(exponent).translate(SUPERSCRIPT))


def _plain_log_labels(fig) -> None:
    for ax in fig.axes:
        for axis, scale in ((ax.xaxis, ax.get_xscale()), (ax.yaxis, ax.get_yscale())):
            # Only matplotlib's own log labels: a formatter the figure set stays.
            if scale == "log" and isinstance(axis.get_major_formatter(), LogFormatter):
                axis.set_major_formatter(FuncFormatter(_power_of_ten))
                if isinstance(axis.get_minor_formatter(), LogFormatter):
                    axis.set_minor_formatter(NullFormatter())


def _svg(fig) -> str:
    _plain_log_labels(fig)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    plt.close(fig)
    text = buffer.getvalue()
    text = re.sub(r"<!DOCTYPE[^>]*>\s*", "", text)
    text = re.sub(r"font-family: [^;\"]*", f"font-family: {FONT_STACK}", text)
    # No intrinsic size: the page sets it on the <img>, and the file opened alone fills the window.
    text = re.sub(r'(<svg\b[^>]*?) width="[^"]*" height="[^"]*"', r"\1", text, count=1)
    text = re.sub(r">\s+<", "><", text)
    return re.sub(r"\s*\n\s*", " ", text).strip() + "\n"


def dark(svg: str) -> str:
    """The same drawing for the dark scheme: each colour of COLORS becomes its DARK partner."""
    swap = {COLORS[name]: DARK[name] for name in COLORS}
    return re.sub("|".join(map(re.escape, swap)), lambda m: swap[m[0]], svg)


def render(name: str) -> dict:
    path = FIGURES / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"figure_{name.replace('/', '_').replace('-', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for function in ("data", "check", "draw"):
        if not callable(getattr(module, function, None)):
            raise TypeError(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} defines no {function}()")
    numbers = module.data()
    module.check(numbers)
    light = _svg(module.draw(numbers))
    return {"light": light, "dark": dark(light)}


def main(argv: list[str]) -> int:
    out, names = Path(argv[0]), argv[1:]
    sys.path.insert(0, str(FIGURES))
    results = {}
    for name in names:
        try:
            results[name] = render(name)
        except Exception as err:  # reported by the hook, with the figure's name and the traceback
            frames = traceback.extract_tb(err.__traceback__)
            # The frames from the figure's script and the pages on, not the renderer's own.
            frames = [frame for frame in frames if not frame.filename.endswith("figure_kit.py")] or frames
            where = "".join(traceback.format_list(frames))
            results[name] = {"error": f"{where}{type(err).__name__}: {err}"}
    out.write_text(json.dumps(results), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
