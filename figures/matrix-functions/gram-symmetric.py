"""The change of the Gram matrix is symmetric: the page's central difference of AᵀA along
dA, its formula dAᵀA + AᵀdA and the tempting 2AᵀdA, as 3 × 3 colour maps on one scale
symmetric about 0. The first two are the same symmetric matrix (mirror images across the
diagonal); the wrong one is not symmetric."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/matrix-functions.md"


def data():
    gram, central, formula, wrong = page_functions(PAGE, "gram", "central", "formula", "wrong")
    return {"difference": central, "dAᵀA + AᵀdA": formula, "2AᵀdA": wrong}


def _asymmetry(M):
    return np.linalg.norm(M - M.T) / np.linalg.norm(M)


def check(d):
    central, formula, wrong = d["difference"], d["dAᵀA + AᵀdA"], d["2AᵀdA"]
    assert central.shape == formula.shape == wrong.shape == (3, 3)
    assert np.linalg.norm(formula - central) / np.linalg.norm(central) < 1e-8
    assert _asymmetry(formula) < 1e-15 and _asymmetry(central) < 1e-8  # symmetric, as it must be
    assert _asymmetry(wrong) > 0.3  # "not even symmetric"
    assert np.allclose(np.diag(wrong), np.diag(formula), rtol=1e-12, atol=0)  # though its diagonal is right
    # The entries the alt text quotes: 6.74 in both corners, −3.51 above and 17.0 below in 2AᵀdA.
    assert (round(formula[0, 2], 2), round(formula[2, 0], 2)) == (6.74, 6.74), formula
    assert (round(wrong[0, 2], 2), round(wrong[2, 0], 1)) == (-3.51, 17.0), wrong
    assert np.linalg.norm(wrong - central) / np.linalg.norm(central) > 0.3


def draw(d):
    fig, axes = figure(height=1.9, ncols=3)
    limit = max(np.abs(M).max() for M in d.values())
    for ax, (title, M) in zip(axes, d.items()):
        ax.pcolormesh(M, cmap="RdBu_r", vmin=-limit, vmax=limit,
                      edgecolors=COLORS["background"], linewidth=1.5)
        ax.plot([0, 3], [0, 3], color=COLORS["ink"], linewidth=0.8, linestyle=(0, (2, 2)))
        ax.set_title(title, color=COLORS["red"] if title.startswith("2") else COLORS["ink"])
        ax.set_aspect("equal")
        ax.invert_yaxis()
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
    return fig
