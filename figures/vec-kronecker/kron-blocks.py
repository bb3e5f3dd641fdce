"""The block pattern of a Kronecker product: A (2 × 2), B (3 × 3) and A ⊗ B (6 × 6) from
the page's block of Kronecker facts, as colour maps (each on its own scale, symmetric
about 0). Block (i, j) of A ⊗ B is a_ij B: a copy of B's pattern, scaled and possibly
flipped in sign. The entry a₂₁ < 0 of A and its block are outlined."""

import numpy as np
from figure_kit import COLORS, figure, page_functions
from matplotlib.patches import Rectangle

PAGE = "docs/lectures/vec-kronecker.md"
MARKED = (1, 0)  # the entry a_21 and its block


def data():
    rel, AB = page_functions(PAGE, "rel", "AB")
    # A and B are assigned together (A, B = ...): take them from the block's namespace.
    A, B = (rel.__globals__[name] for name in ("A", "B"))
    return {"A": A, "B": B, "A ⊗ B": AB}


def check(d):
    A, B, AB = d["A"], d["B"], d["A ⊗ B"]
    (n, _), (q, _) = A.shape, B.shape
    assert AB.shape == (n * q, n * q)
    for i in range(n):
        for j in range(n):
            assert np.array_equal(AB[i * q:(i + 1) * q, j * q:(j + 1) * q], A[i, j] * B), (i, j)
    i, j = MARKED
    assert A[i, j] < 0 < A[0, 0]  # the marked block is B flipped in sign (so the picture shows it)
    # ... and a_21 = −2.55 is the largest entry of A in size, so on the colour scale of A ⊗ B its block
    # is exactly as strong as B on its own (the alt text).
    assert round(A[i, j], 2) == -2.55 and np.abs(A).max() == -A[i, j]
    assert np.abs(AB).max() == np.abs(A[i, j]) * np.abs(B).max()


def _matrix(ax, M, x0, y0, label):
    """M as a colour map with its top-left corner at (x0, y0), one unit per entry."""
    rows, columns = M.shape
    limit = np.abs(M).max()
    ax.pcolormesh(x0 + np.arange(columns + 1), y0 - np.arange(rows + 1), M, cmap="RdBu_r",
                  vmin=-limit, vmax=limit, edgecolors=COLORS["background"], linewidth=0.8)
    ax.text(x0 + columns / 2, y0 + 0.3, label, ha="center", va="bottom")


def draw(d):
    fig, ax = figure(height=2.3)
    A, B, AB = d["A"], d["B"], d["A ⊗ B"]
    n, q = A.shape[0], B.shape[0]
    middle = -n * q / 2  # A and B level with the middle of A ⊗ B
    _matrix(ax, A, 0, middle + n / 2, "A")
    ax.text(n + 0.75, middle, "⊗", ha="center", va="center", fontsize=16)
    _matrix(ax, B, n + 1.5, middle + q / 2, "B")
    start = n + q + 3
    ax.text(start - 0.75, middle, "=", ha="center", va="center", fontsize=16)
    _matrix(ax, AB, start, 0, "A ⊗ B")
    for k in range(1, n):  # lines between the blocks of A ⊗ B
        ax.plot([start + k * q] * 2, [0, -n * q], color=COLORS["ink"], linewidth=1)
        ax.plot([start, start + n * q], [-k * q] * 2, color=COLORS["ink"], linewidth=1)
    i, j = MARKED  # the entry a_ij and the block a_ij B, outlined
    outline = dict(facecolor="none", edgecolor=COLORS["ink"], linewidth=2.4)
    ax.add_patch(Rectangle((j, middle + n / 2 - i - 1), 1, 1, **outline))
    ax.add_patch(Rectangle((start + j * q, -(i + 1) * q), q, q, **outline))
    ax.set_aspect("equal")
    ax.set_xlim(-0.2, start + n * q + 0.2)
    ax.set_ylim(-n * q - 0.2, 1.3)
    ax.axis("off")
    return fig
