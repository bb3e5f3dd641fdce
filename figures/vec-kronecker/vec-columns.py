"""vec stacks columns: a 3 × 2 matrix X of named entries, vec X made by the page's own
vec (column after column, first column on top), and NumPy's X.ravel() beside it (row
after row), the order the page warns about. Entries are coloured by their column of X."""

import numpy as np
from matplotlib.patches import Rectangle
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/vec-kronecker.md"
SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"
ROWS, COLUMNS = 3, 2
COLUMN_COLORS = ("blue", "orange")


def data():
    vec = page_functions(PAGE, "vec")
    names = np.array([[f"x{SUBSCRIPTS[i + 1]}{SUBSCRIPTS[j + 1]}" for j in range(COLUMNS)]
                      for i in range(ROWS)])
    column = np.array([[j for j in range(COLUMNS)] for _ in range(ROWS)])
    return {"X": names, "column": column, "vec X": vec(names), "vec column": vec(column),
            "ravel X": names.ravel(), "ravel column": column.ravel(),
            "undone": vec(names).reshape(ROWS, COLUMNS, order="F")}


def check(d):
    # The page's formula for vec: x11, x21, x31 (the first column) on top, then x12, x22, x32.
    assert d["vec X"].tolist() == ["x₁₁", "x₂₁", "x₃₁", "x₁₂", "x₂₂", "x₃₂"], d["vec X"]
    assert d["vec column"].tolist() == [0, 0, 0, 1, 1, 1]
    assert d["ravel X"].tolist() == ["x₁₁", "x₁₂", "x₂₁", "x₂₂", "x₃₁", "x₃₂"]
    assert np.array_equal(d["undone"], d["X"])  # reshaping back (column-major) undoes vec


def _cells(ax, names, columns, x0, y0):
    """Draw a matrix of named cells with its top-left corner at (x0, y0), one unit per cell."""
    for (i, j), name in np.ndenumerate(names):
        color = COLORS[COLUMN_COLORS[columns[i, j]]]
        ax.add_patch(Rectangle((x0 + j + 0.06, y0 - i - 0.94), 0.88, 0.88,
                               facecolor="none", edgecolor=color, linewidth=2))
        ax.text(x0 + j + 0.5, y0 - i - 0.5, name, ha="center", va="center", color=color)


def draw(d):
    fig, ax = figure(width=4.0, height=3.4)
    top = 6
    _cells(ax, d["X"], d["column"], 0, top - 1.5)
    _cells(ax, d["vec X"][:, None], d["vec column"][:, None], 3.4, top)
    _cells(ax, d["ravel X"][:, None], d["ravel column"][:, None], 5.6, top)
    ax.text(1, top - 1.5 + 0.35, "X", ha="center", va="bottom")
    ax.text(3.9, top + 0.35, "vec X", ha="center", va="bottom")
    ax.text(6.1, top + 0.35, "X.ravel()", ha="center", va="bottom", color=COLORS["red"])
    arrow = dict(arrowstyle="-|>", color=COLORS["muted"], linewidth=1.2, mutation_scale=12)
    ax.annotate("", (3.3, top - 3), (2.1, top - 3), arrowprops=arrow)
    ax.set_xlim(-0.1, 6.8)
    ax.set_ylim(-0.2, top + 1.0)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig
