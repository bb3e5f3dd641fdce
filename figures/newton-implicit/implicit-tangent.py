"""The implicit function x(p) of x³ + p x − 1 = 0, computed point by point with the
page's Newton `solve`, and its tangent at p = 1 with the page's slope −x/(3x² + p),
next to the wrong slope −x/(3x²) of the page's last line."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/newton-implicit.md"


def data():
    solve, implicit, wrong, x1 = page_functions(PAGE, "solve", "implicit", "wrong", "x")
    p = np.linspace(0.25, 2.5, 91)
    h = 1e-4
    return {
        "p": p,
        "x": np.array([solve(q) for q in p]),
        "x at 1": x1,
        "slope": implicit,
        "wrong slope": wrong,
        "central": (solve(1 + h) - solve(1 - h)) / (2 * h),
    }


def check(d):
    p, x, x1, slope = d["p"], d["x"], d["x at 1"], d["slope"]
    assert np.all(abs(x**3 + p * x - 1) < 1e-14)  # each point solves the equation
    assert abs(d["central"] - slope) < 1e-7 * abs(slope)  # the tangent has the curve's slope
    # The tangent line leaves the curve at second order in p − 1: the gap divided by
    # (p − 1)² stays bounded near p = 1.
    gap = x - (x1 + slope * (p - 1))
    near = (abs(p - 1) > 0) & (abs(p - 1) < 0.3)
    ratio = gap[near] / (p[near] - 1) ** 2
    assert np.all(ratio > 0) and ratio.max() < 2 * ratio.min()  # x(p) is convex here
    # The dashed line is the slope its label names, −x/(3x²), off by far more than that.
    assert abs(d["wrong slope"] + x1 / (3 * x1**2)) < 1e-14
    assert abs(d["wrong slope"] - slope) > 0.5 * abs(slope)
    # The alt text: x(1) ≈ 0.682, slopes ≈ −0.285 and −0.489, x from about 0.9 to about 0.38.
    assert (round(x1, 3), round(slope, 3), round(d["wrong slope"], 3)) == (0.682, -0.285, -0.489)
    assert round(x[0], 1) == 0.9 and round(x[-1], 2) == 0.38
    assert np.all(np.diff(x) < 0)  # x falls as p grows, as the negative slope says


def draw(d):
    p, x1 = d["p"], d["x at 1"]
    slope, wrong = (f"{d[key]:.3f}".replace("-", "−") for key in ("slope", "wrong slope"))
    fig, ax = figure(height=3.0)
    ax.plot(p, d["x"], color=COLORS["blue"], linewidth=2.2, label="x(p), solved for each p")
    ax.plot(p, x1 + d["slope"] * (p - 1), color=COLORS["orange"],
            label=f"slope −x/(3x² + p) = {slope}")
    ax.plot(p, x1 + d["wrong slope"] * (p - 1), color=COLORS["red"], linestyle=(0, (4, 3)),
            label=f"slope −x/(3x²) = {wrong} (wrong)")
    ax.plot([1], [x1], "o", color=COLORS["ink"], markersize=4.5)
    ax.set_xlabel("parameter p")
    ax.set_ylabel("solution x")
    ax.set_xlim(p[0], p[-1])
    ax.set_ylim(0.2, 1.3)
    ax.grid(True, linewidth=0.5)
    ax.legend(loc="upper right")
    return fig
