"""The multiply-adds of the two orders of a row times two n × n Jacobians, against
n, on log axes: left to right (reverse mode) 2n², right to left (forward mode)
n³ + n². The counts are made by the page's own counting `product`."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/chain-rule.md"
SIZES = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]


def data():
    product = page_functions(PAGE, "product")
    scope = product.__globals__  # the block's namespace, where `product` keeps its count
    left, right = [], []
    for n in SIZES:
        row, H, G = np.ones((1, n)), np.ones((n, n)), np.ones((n, n))
        scope["count"] = 0
        product(product(row, H), G)
        left.append(scope["count"])
        scope["count"] = 0
        product(row, product(H, G))
        right.append(scope["count"])
    return {"n": np.array(SIZES), "left to right": np.array(left), "right to left": np.array(right)}


def check(d):
    n = d["n"]
    left, right = d["left to right"], d["right to left"]
    assert np.array_equal(left, 2 * n**2) and np.array_equal(right, n**3 + n**2)
    # Slopes 2 and 3 on log axes, and the ratio (n + 1)/2 of the warning: 500.5 at n = 1000.
    big = n >= 100
    assert abs(np.polyfit(np.log(n[big]), np.log(left[big]), 1)[0] - 2) < 1e-9
    assert abs(np.polyfit(np.log(n[big]), np.log(right[big]), 1)[0] - 3) < 0.01
    assert np.allclose(right / left, (n + 1) / 2, rtol=1e-15) and right[-1] / left[-1] == 500.5
    assert left[0] == right[0]  # n = 1: a chain of numbers, either order


def draw(d):
    fig, ax = figure(height=3.0)
    n = d["n"]
    ax.loglog(n, d["right to left"], "o-", color=COLORS["orange"], markersize=3.5)
    ax.loglog(n, d["left to right"], "o-", color=COLORS["blue"], markersize=3.5)
    ax.text(3, 6e3, "right to left\n(forward): n³ + n²", color=COLORS["orange"], ha="center")
    ax.text(120, 2.5e2, "left to right\n(reverse): 2n²", color=COLORS["blue"], ha="center")
    top, bottom = d["right to left"][-1], d["left to right"][-1]
    ax.annotate("", xy=(1000, top), xytext=(1000, bottom),
                arrowprops=dict(arrowstyle="<->", color=COLORS["ink"], linewidth=1, shrinkA=3, shrinkB=3))
    ax.text(880, 8e6, f"{top / bottom:.1f}×", ha="right", va="center", color=COLORS["ink"])
    ax.set_xlabel("width n of the Jacobians")
    ax.set_ylabel("multiply-adds")
    ax.set_ylim(1, 3e9)
    ax.set_yticks([1, 1e3, 1e6, 1e9])
    ax.grid(True, which="major", linewidth=0.5)
    return fig
