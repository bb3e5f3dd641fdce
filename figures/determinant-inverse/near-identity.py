"""The determinant near the identity: det(I + εE) for the page's 4 × 4 matrix E,
against its tangent 1 + ε tr E and the second-order expansion with the page's
coefficient ½((tr E)² − tr(E²))."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/determinant-inverse.md"


def data():
    E, c2 = page_functions(PAGE, "E", "c2")
    I = np.eye(len(E))
    eps = 0.005 * np.arange(-70, 71)  # ε = 0 exactly in the middle
    det = np.array([np.linalg.det(I + e * E) for e in eps])
    h = 1e-3  # differences of det(I + hE) at 0: slope and second coefficient
    plus, minus = np.linalg.det(I + h * E), np.linalg.det(I - h * E)
    return {
        "eps": eps,
        "det": det,
        "trace": np.trace(E),
        "c2": c2,
        "slope at 0": (plus - minus) / (2 * h),
        "second coefficient at 0": (plus + minus - 2) / (2 * h**2),
    }


def check(d):
    eps, det, tr, c2 = d["eps"], d["det"], d["trace"], d["c2"]
    # The tangent at ε = 0 has slope tr E (central difference, truncation ~h² = 1e-6).
    assert abs(d["slope at 0"] - tr) < 1e-5 * abs(tr)
    # The curvature is the page's coefficient ½((tr E)² − tr(E²)).
    assert abs(d["second coefficient at 0"] - c2) < 1e-5 * abs(c2)
    # The gap between the curve and its tangent is of order ε²: gap/ε² → c2 as ε → 0.
    gap = det - 1 - eps * tr
    small = (abs(eps) > 0) & (abs(eps) <= 0.02)
    assert np.all(abs(gap[small] / eps[small] ** 2 - c2) < 0.05 * abs(c2))
    # ... and at every ε drawn the second-order expansion misses by less than half the tangent's gap.
    second = det - (1 + eps * tr + c2 * eps**2)
    assert np.all(abs(second) <= 0.5 * abs(gap))
    # The numbers the alt text gives: tr E ≈ −0.87 and the coefficient ≈ 2.37.
    assert round(tr, 2) == -0.87 and round(c2, 2) == 2.37


def draw(d):
    eps, tr, c2 = d["eps"], d["trace"], d["c2"]
    fig, ax = figure(height=3.0)
    ax.plot(eps, d["det"], color=COLORS["blue"], linewidth=2.2, label="det(I + εE)")
    ax.plot(eps, 1 + eps * tr, color=COLORS["orange"], label="1 + ε tr E")
    ax.plot(eps, 1 + eps * tr + c2 * eps**2, color=COLORS["green"], linestyle=(0, (4, 3)),
            label="with the ε² term")
    ax.fill_between(eps, 1 + eps * tr, d["det"], color=COLORS["fill"], linewidth=0)
    ax.plot([0], [1], "o", color=COLORS["ink"], markersize=4)
    ax.text(0.27, 0.84, "gap\nO(ε²)", color=COLORS["muted"], ha="center", va="center")
    ax.set_xlabel("ε")
    ax.set_xticks([-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3])
    ax.set_xlim(eps[0], eps[-1])
    ax.grid(True, linewidth=0.5)
    ax.legend(loc="upper center")
    return fig
