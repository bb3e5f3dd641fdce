"""The Taylor test of d(A²) on log axes: the remainder ‖f(A + t dA) − f(A) − t f'(A)[dA]‖
against the step t, for the right derivative dA A + A dA (slope 2) and for the scalar
rule copied, 2 A dA (slope 1), with the page's own taylor_test, A, dA and formulas."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/derivatives.md"
STEPS = np.logspace(0, -4, 17)


def data():
    taylor_test, square, d_square, d_square_wrong = page_functions(
        PAGE, "taylor_test", "square", "d_square", "d_square_wrong")
    # A and dA are assigned together (A, dA = ...): take them from the block's namespace.
    A, dA = (square.__globals__[name] for name in ("A", "dA"))
    right, _ = taylor_test(square, d_square, A, dA, steps=STEPS)
    wrong, _ = taylor_test(square, d_square_wrong, A, dA, steps=STEPS)
    return {
        "t": STEPS,
        "right": np.array(right),
        "wrong": np.array(wrong),
        # What the page says each remainder is: (dA)² t² for the derivative, and the
        # commutator (dA A − A dA) t to first order for 2 A dA.
        "dA squared": np.linalg.norm(dA @ dA),
        "commutator": np.linalg.norm(dA @ A - A @ dA),
    }


def _slope(t, remainder):
    return np.polyfit(np.log10(t), np.log10(remainder), 1)[0]


def check(d):
    t, right, wrong = d["t"], d["right"], d["wrong"]
    # Slope 2 for the derivative, slope 1 for the wrong formula, on every stretch of steps.
    for low, high in ((1e-4, 1e-2), (1e-2, 1e-1)):
        inside = (t >= low) & (t <= high)
        assert abs(_slope(t[inside], right[inside]) - 2) < 0.01, _slope(t[inside], right[inside])
        assert abs(_slope(t[inside], wrong[inside]) - 1) < 0.05, _slope(t[inside], wrong[inside])
    # The remainder of dA A + A dA is exactly t² (dA)² (rounding aside) ...
    assert np.all(abs(right / (t**2 * d["dA squared"]) - 1) < 1e-6)
    # ... and 2 A dA misses by the commutator, t (dA A − A dA), to first order.
    small = t <= 1e-3
    assert np.all(abs(wrong[small] / (t[small] * d["commutator"]) - 1) < 1e-2)
    # The ends of the two lines, as the alt text gives them.
    assert (round(right[0]), round(wrong[0]), round(wrong[-1], 4)) == (10, 12, 7e-4), (right[0], wrong[0], wrong[-1])
    assert 0.5e-7 < right[-1] < 1.5e-7, right[-1]


def draw(d):
    fig, ax = figure(height=3.0)
    t = d["t"]
    ax.loglog(t, d["wrong"], color=COLORS["orange"], marker="o", markersize=3.5, label="2 A dA")
    ax.loglog(t, d["right"], color=COLORS["blue"], marker="o", markersize=3.5, label="dA A + A dA")
    ax.text(3e-3, 2.2 * d["wrong"][np.argmin(abs(t - 3e-3))], "slope 1", color=COLORS["orange"],
            ha="right", va="bottom")
    ax.text(3e-3, 0.35 * d["right"][np.argmin(abs(t - 3e-3))], "slope 2", color=COLORS["blue"],
            ha="left", va="top")
    ax.set_xlabel("step t")
    ax.set_ylabel("remainder")
    ax.set_xticks([1e-4, 1e-3, 1e-2, 1e-1, 1])
    ax.grid(True, which="major", linewidth=0.5)
    ax.legend(loc="lower right")
    return fig
