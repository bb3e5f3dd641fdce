"""The hanging chain of length 3 between (−1, 0) and (1, 0): the polygon that the page's
Newton solver finds on a grid of 6 cells, against the catenary c cosh(x/c) − λ. Both are
the page's own (the script snippets/calculus-of-variations/hanging_chain.py)."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/calculus-of-variations.md"
CELLS = 6


def data():
    solve, catenary = page_functions(PAGE, "solve", "catenary")
    script = solve.__globals__
    x, U, lam, steps = solve(CELLS)
    errors = []
    for N in (16, 32):
        nodes, heights = solve(N)[:2]
        errors.append(np.max(np.abs(heights - catenary(nodes))))
    fine = np.linspace(-1, 1, 201)
    return {"x": x, "U": U, "lambda": lam, "steps": steps, "ell": script["ell"], "c": script["c"],
            "lambda exact": script["lam_exact"], "fine": fine, "catenary": catenary(fine),
            "catenary at nodes": catenary(x), "errors 16 32": errors}


def check(d):
    x, U, c, ell = d["x"], d["U"], d["c"], d["ell"]
    # the catenary meets the ends and has the length of the chain, 2 c sinh(1/c) = ℓ
    assert abs(d["catenary"][0]) < 1e-12 and abs(d["catenary"][-1]) < 1e-12
    assert abs(2 * c * np.sinh(1 / c) - ell) < 1e-12
    # the polygon has the chain's length and its ends on the hooks, after a few Newton steps
    assert abs(np.sum(np.hypot(np.diff(x), np.diff(U))) - ell) < 1e-10
    assert U[0] == 0 and U[-1] == 0 and d["steps"] < 10
    # its corners lie on the catenary, to second order in the cell width
    h = 2 / CELLS
    assert np.max(np.abs(U - d["catenary at nodes"])) < 0.15 * h**2
    e16, e32 = d["errors 16 32"]
    assert 1.9 < np.log2(e16 / e32) < 2.1
    assert abs(d["lambda"] - d["lambda exact"]) < 0.15 * h**2
    # The alt text: a depth of about 1.0 at x = 0, c ≈ 0.616, corners within 0.011 of the curve.
    assert round(-d["catenary"][100], 1) == 1.0 and d["fine"][100] == 0 and round(c, 3) == 0.616
    assert 0.01 < np.max(np.abs(U - d["catenary at nodes"])) < 0.011


def draw(d):
    fig, ax = figure(height=2.7)
    ax.plot(d["fine"], d["catenary"], color=COLORS["blue"], linewidth=2.4, label="catenary")
    ax.plot(d["x"], d["U"], color=COLORS["orange"], marker="o", markersize=5, linewidth=1.2,
            label=f"Newton, {CELLS} cells")
    ax.plot([-1, 1], [0, 0], "s", color=COLORS["ink"], markersize=6)
    ax.axhline(0, color=COLORS["grid"], linewidth=1, zorder=0)
    ax.text(0, 0.05, f"chain of length {d['ell']:g}", ha="center", va="bottom")
    ax.text(0, -0.4, "catenary", color=COLORS["blue"], ha="center")
    ax.text(0, -0.58, f"Newton, {CELLS} cells", color=COLORS["orange"], ha="center")
    ax.set_aspect("equal")
    ax.set_xlim(-1.15, 1.15)
    ax.set_ylim(-1.12, 0.22)
    ax.set_xticks([-1, 0, 1])
    ax.set_yticks([-1, -0.5, 0])
    ax.set_xlabel("x")
    ax.set_ylabel("height")
    return fig
