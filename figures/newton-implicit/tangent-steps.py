"""Newton's tangent steps on f(x) = arctan x, with the page's `newton_step`: from 1
the tangents lead to the root at 0; from 2 each tangent, nearly flat, crosses zero
further away on the other side."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/newton-implicit.md"
STARTS = (1.0, 2.0)


def data():
    newton_step = page_functions(PAGE, "newton_step")
    paths = {}
    for x0 in STARTS:
        path = [x0]
        for _ in range(4):
            path.append(float(newton_step(path[-1])))
        paths[x0] = np.array(path)
    lo, hi = 1.0, 2.0  # the start whose step lands on its mirror image: newton_step(x) = -x
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if newton_step(mid) + mid > 0 else (lo, mid)
    return {"paths": paths, "critical": (lo + hi) / 2}


def check(d):
    for path in d["paths"].values():
        # Each step goes to where the tangent of arctan at x_k crosses zero: the segment from
        # (x_k, arctan x_k) to (x_(k+1), 0) has the slope of arctan at x_k.
        for x, x_next in zip(path[:-1], path[1:]):
            slope = np.arctan(x) / (x - x_next)
            h = 1e-5 * max(1.0, abs(x))  # a central difference, with a step relative to x
            derivative = (np.arctan(x + h) - np.arctan(x - h)) / (2 * h)
            assert abs(slope - derivative) < 1e-6 * derivative, (x, slope, derivative)
    converging, diverging = d["paths"][1.0], d["paths"][2.0]
    assert abs(converging[-1]) < 1e-9 and np.all(np.diff(abs(converging)) < 0)
    assert np.all(np.diff(abs(diverging)) > 0) and np.all(diverging[:-1] * diverging[1:] < 0)
    assert abs(d["critical"] - 1.3917) < 1e-4  # the threshold the page gives
    # The crossings the alt text gives: −0.57 and 0.12 from 1; −3.54 and 13.95 from 2.
    assert [round(x, 2) for x in converging[1:3]] == [-0.57, 0.12]
    assert [round(x, 2) for x in diverging[1:3]] == [-3.54, 13.95]


def draw(d):
    fig, axes = figure(height=4.0, nrows=2, sharex=True)
    grid = np.linspace(-4.3, 4.3, 200)
    for ax, x0 in zip(axes, STARTS):
        path = d["paths"][x0]
        ax.axhline(0, color=COLORS["ink"], linewidth=0.8)
        ax.plot(grid, np.arctan(grid), color=COLORS["blue"], linewidth=2)
        steps = 3 if x0 == 1.0 else 2  # the steps that start inside the picture
        for k, (x, x_next) in enumerate(zip(path[:steps], path[1 : steps + 1])):
            ax.plot([x, x], [0, np.arctan(x)], color=COLORS["muted"], linewidth=0.9, linestyle=":")
            ax.plot([x, x_next], [np.arctan(x), 0], color=COLORS["orange"], linewidth=1.3)
            ax.plot([x], [np.arctan(x)], "o", color=COLORS["orange"], markersize=4)
            if k < 2:
                up = np.arctan(x) < 0
                ax.text(x, 0.25 if up else -0.25, f"x{'₀₁'[k]}", ha="center", va="bottom" if up else "top")
        for c in (-d["critical"], d["critical"]):
            ax.axvline(c, color=COLORS["green"], linewidth=0.9, linestyle=(0, (4, 3)))
        ax.text(d["critical"] + 0.1, 1.85, f"±{d['critical']:.2f}", color=COLORS["green"], va="top")
        ax.set_ylim(-1.9, 1.9)
        ax.set_yticks([-1, 0, 1])
        ax.set_ylabel("arctan x")
        ax.set_title(f"start {x0:g}: " + ("converges" if x0 == 1.0 else "diverges"), loc="left")
    x2 = d["paths"][2.0][2]
    axes[1].text(4.25, -0.97, f"to x₂ = {x2:.2f} →", ha="right", va="top")
    axes[1].set_xlim(-4.3, 4.3)
    axes[1].set_xlabel("x")
    return fig
