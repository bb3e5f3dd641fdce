"""A Jacobian assembled two ways: the page's f : R⁵ → R³, x ↦ B(s ⊙ s) with
s = tanh(Ax), whose 3 × 5 Jacobian is built from 5 JVPs (one column each, J eⱼ)
or from 3 VJPs (one row each, Jᵀeᵢ). The numbers are the page's own products."""

import numpy as np
from matplotlib.patches import Rectangle
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/chain-rule.md"


def data():
    jvp, vjp, numeric = page_functions(PAGE, "jvp", "vjp", "numeric")
    m, n = numeric.shape
    return {"columns": [jvp(e) for e in np.eye(n)], "rows": [vjp(e) for e in np.eye(m)], "numeric": numeric}


def check(d):
    by_columns, by_rows = np.column_stack(d["columns"]), np.vstack(d["rows"])
    assert by_columns.shape == by_rows.shape == (3, 5) and len(d["columns"]) == 5 and len(d["rows"]) == 3
    # The two assemblies agree to rounding, and both are the Jacobian (central differences).
    assert np.abs(by_columns - by_rows).max() < 1e-14 * np.abs(by_rows).max()
    assert np.linalg.norm(by_rows - d["numeric"]) < 1e-9 * np.linalg.norm(d["numeric"])
    # The first and last rows, as the alt text reads them.
    assert [_number(v) for v in by_rows[0]] == ["0.14", "−0.18", "0.06", "−0.30", "0.02"], by_rows[0]
    assert [_number(v) for v in by_rows[-1]] == ["−0.18", "0.23", "0.00", "−0.06", "0.13"], by_rows[-1]


def _number(x):
    return f"{x + 0.0:.2f}".replace("-", "−")


def draw(d):
    # Each panel draws its own products: the columns of the JVPs above, the rows of the VJPs below.
    assembled = {"columns": np.column_stack(d["columns"]), "rows": np.vstack(d["rows"])}
    m, n = assembled["columns"].shape
    fig, ax = figure(height=2.9)
    width, height, gap = 1.2, 0.62, 0.16
    second = -(m * height + 1.0)  # the top of the second panel
    panels = [("columns", f"{n} JVPs, one column each: J eⱼ", COLORS["blue"], 0.0),
              ("rows", f"{m} VJPs, one row each: Jᵀeᵢ", COLORS["orange"], second)]
    for kind, title, color, top in panels:
        J = assembled[kind]
        column_gap, row_gap = (gap, 0.0) if kind == "columns" else (0.0, gap)
        for i in range(m):
            for j in range(n):
                x = j * (width + gap) if kind == "columns" else j * (width + gap * (n - 1) / n)
                y = top - (i + 1) * height - i * row_gap
                ax.text(x + width / 2, y + height / 2, _number(J[i, j]), ha="center", va="center",
                        color=COLORS["ink"])
        pieces = range(n) if kind == "columns" else range(m)
        for k in pieces:
            if kind == "columns":
                box = (k * (width + column_gap), top - m * height, width, m * height)
            else:  # as wide as the columns above
                box = (0, top - (k + 1) * height - k * row_gap, n * width + (n - 1) * gap, height)
            ax.add_patch(Rectangle(box[:2], *box[2:], facecolor="none", edgecolor=color, linewidth=1.4))
        ax.text(0, top + 0.12, title, ha="left", va="bottom", color=color)
    ax.set_xlim(-0.05, n * width + (n - 1) * gap + 0.05)
    ax.set_ylim(second - m * height - (m - 1) * gap - 0.05, 0.55)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig
