"""The structure of the Jacobian of X ↦ X² for a 4 × 4 X: the page's 16 × 16
J = Xᵀ ⊗ I + I ⊗ X as a colour map (zeros left blank), cut into 4 × 4 blocks. Block
(i, j) off the diagonal is x_ji I, a diagonal; a diagonal block is X + x_ii I. Of the
n⁴ = 256 entries only 2n³ − n² = 112 are not zero."""

import matplotlib.pyplot as plt
import numpy as np
from figure_kit import COLORS, figure, page_functions
from matplotlib.patches import Rectangle

PAGE = "docs/lectures/vec-kronecker.md"


def data():
    J, J_fd, X, n, worst_column_error = page_functions(PAGE, "J", "J_fd", "X", "n", "worst_column_error")
    return {"J": J, "X": X, "n": n, "error": worst_column_error(J, J_fd)}


def check(d):
    J, X, n = d["J"], d["X"], d["n"]
    assert J.shape == (n * n, n * n) and d["error"] < 1e-8  # the page's J is the Jacobian
    I = np.eye(n)
    for i in range(n):
        for j in range(n):
            block = J[i * n:(i + 1) * n, j * n:(j + 1) * n]
            expected = X + X[i, i] * I if i == j else X[j, i] * I
            assert np.linalg.norm(block - expected) <= 1e-12 * np.linalg.norm(J), (i, j)
    assert np.count_nonzero(J) == 2 * n**3 - n**2


def draw(d):
    J, n = d["J"], d["n"]
    fig, ax = figure(height=3.5)
    limit = np.abs(J).max()
    colors = plt.get_cmap("RdBu_r")
    for (row, column), value in np.ndenumerate(J):
        if value != 0:  # the zeros stay blank
            ax.add_patch(Rectangle((column + 0.04, row + 0.04), 0.92, 0.92, linewidth=0.5,
                                   facecolor=colors(0.5 + value / (2 * limit)), edgecolor=COLORS["muted"]))
    for k in range(1, n):
        ax.axhline(k * n, color=COLORS["muted"], linewidth=1)
        ax.axvline(k * n, color=COLORS["muted"], linewidth=1)
    ax.set_xlim(0, n * n)
    ax.set_ylim(n * n, 0)
    ax.set_aspect("equal")
    ticks = np.arange(n) * n + n / 2
    ax.set_xticks(ticks, [str(k + 1) for k in range(n)])
    ax.set_yticks(ticks, [str(k + 1) for k in range(n)])
    ax.tick_params(length=0)
    ax.set_xlabel("vec dX, column by column")
    ax.set_ylabel("vec d(X²), column by column")
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color(COLORS["muted"])
    return fig
