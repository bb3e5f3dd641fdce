"""The gradient on a grid: for u(x) = sin 2x and the load q(x) = 1 + x on [0, 1], the page's
grid_gradient (the dot-product gradient of the discretised energy) at the nodes of grids of
10 and 40 cells. Its inner entries shrink with h; divided by h they lie on the Euler–Lagrange
expression −u″ − q = 4 sin 2x − 1 − x; its end entries tend to −u′(0) and u′(1), the boundary
term, instead."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/calculus-of-variations.md"
GRIDS = (10, 20, 40)


def euler_lagrange(x):  # −u″ − q for u = sin 2x, q = 1 + x: the page's worked example
    return 4 * np.sin(2 * x) - 1 - x


def data():
    grid_gradient, F_h = page_functions(PAGE, "grid_gradient", "F_h")
    grids = {}
    for N in GRIDS:
        x = np.linspace(0, 1, N + 1)
        grids[N] = {"x": x, "h": 1 / N, "g": grid_gradient(np.sin(2 * x), x, 1 / N)}
    # the formula against a central difference of the page's F_h (quadratic: exact)
    rng = np.random.default_rng(0)
    x = np.linspace(0, 1, 11)
    U, V = rng.standard_normal(11), rng.standard_normal(11)
    t = 1e-3
    numeric = (F_h(U + t * V, x, 0.1) - F_h(U - t * V, x, 0.1)) / (2 * t)
    fine = np.linspace(0, 1, 101)
    return {"grids": grids, "numeric": numeric, "formula": grid_gradient(U, x, 0.1) @ V,
            "fine": fine, "euler lagrange": euler_lagrange(fine)}


def check(d):
    assert abs(d["numeric"] - d["formula"]) < 1e-10 * abs(d["numeric"])
    inner_errors, raw = [], []
    for N, grid in d["grids"].items():
        x, h, g = grid["x"], grid["h"], grid["g"]
        # inner entries: h times the Euler–Lagrange expression, to O(h²)
        inner_errors.append(np.max(np.abs(g[1:-1] / h - euler_lagrange(x[1:-1]))))
        assert inner_errors[-1] < 1.5 * h**2
        raw.append(np.max(np.abs(g[1:-1])))
        # end entries: the boundary term, −u′(0) = −2 and u′(1) = 2 cos 2, plus the half cell's share
        assert abs(g[0] - (-2 + h / 2 * euler_lagrange(0.0))) < 1.5 * h**2
        assert abs(g[-1] - (2 * np.cos(2.0) + h / 2 * euler_lagrange(1.0))) < 1.5 * h**2
    # per halving of h: the inner error falls fourfold (order 2), the raw entries halve
    ratios = np.array(inner_errors[:-1]) / np.array(inner_errors[1:])
    assert np.all((ratios > 3.8) & (ratios < 4.2)), ratios
    assert np.all(np.abs(np.array(raw[:-1]) / np.array(raw[1:]) - 2) < 0.1)
    # The alt text: −u″ − q from −1 at x = 0 to about 2.2 near x = 0.7; inner entries at most 0.22
    # for 10 cells and 0.06 for 40; end entries near −2 and u′(1) = 2 cos 2 ≈ −0.83.
    fine, curve = d["fine"], d["euler lagrange"]
    assert curve[0] == -1 and round(curve.max(), 1) == 2.2 and round(fine[np.argmax(curve)], 1) == 0.7
    assert round(raw[0], 2) == 0.22 and round(raw[-1], 2) == 0.06 and round(2 * np.cos(2.0), 2) == -0.83


def draw(d):
    fig, ax = figure(height=3.4)
    ax.axhline(0, color=COLORS["muted"], linewidth=0.8)
    ax.plot(d["fine"], d["euler lagrange"], color=COLORS["blue"])
    coarse, fine = d["grids"][10], d["grids"][40]
    ax.plot(coarse["x"][1:-1], coarse["g"][1:-1] / coarse["h"], "o", color=COLORS["orange"], markersize=6)
    ax.plot(coarse["x"], coarse["g"], "s", color=COLORS["green"], markersize=5)
    ax.plot(fine["x"], fine["g"], ".", color=COLORS["purple"], markersize=5)
    ax.text(0.37, 1.75, "−u″ − q", color=COLORS["blue"], ha="right")
    ax.text(0.7, 1.65, "g / h, N = 10", color=COLORS["orange"], ha="center", va="top")
    ax.text(0.6, 0.4, "g, N = 10", color=COLORS["green"], ha="center", va="bottom")
    ax.text(0.6, -0.12, "g, N = 40", color=COLORS["purple"], ha="center", va="top")
    ax.text(0.05, -2.0, "first entry ≈ −u′(0)", va="center")
    ax.text(0.95, -0.78, "last entry ≈ u′(1)", ha="right", va="center")
    ax.set_xlabel("x")
    ax.set_ylabel("gradient entry")
    ax.set_ylim(-2.4, 2.6)
    ax.grid(True, linewidth=0.5)
    return fig
