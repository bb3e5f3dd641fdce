"""The cost of a determinant: multiplications of the cofactor expansion (the page's
recursion c_n = n (c_(n-1) + 1), and the page's `laplace` counting them for small n)
against Gaussian elimination (the page's `elimination`), on a log axis."""

import math

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/determinant-inverse.md"
PER_SECOND = 1e9  # a billion multiplications a second, as the page says
CENTURY = 100 * 365.25 * 24 * 3600 * PER_SECOND


def data():
    laplace, elimination, counts = page_functions(PAGE, "laplace", "elimination", "counts")
    rng = np.random.default_rng(0)
    n = np.arange(1, 21)
    counted = {k: laplace(rng.standard_normal((k, k)))[1] for k in range(1, 8)}
    return {
        "n": n,
        "expansion": np.array([counts[k] for k in n], dtype=float),
        "expansion counted": counted,
        "elimination": np.array([elimination(rng.standard_normal((k, k)))[1] for k in n], dtype=float),
    }


def check(d):
    n, expansion, elimination = d["n"], d["expansion"], d["elimination"]
    # The recursion is what the code of the expansion really does, for every size it ran.
    for k, count in d["expansion counted"].items():
        assert count == expansion[k - 1], (k, count, expansion[k - 1])
    # Elimination makes (n³ − n)/3 + n − 1 multiplications and divisions.
    assert np.array_equal(elimination, (n**3 - n) // 3 + n - 1)
    # c_n / n! rises to e − 1, and at n = 20 the expansion takes more than a century at 10⁹ a second.
    assert abs(expansion[-1] / ((math.e - 1) * math.factorial(20)) - 1) < 1e-3
    assert expansion[-1] > CENTURY > 1000 * expansion[10]
    assert elimination[-1] == 2679
    # The alt text: past 10⁹ (one second) first at n = 13, and 4.2 × 10¹⁸ at n = 20.
    assert n[np.argmax(expansion > PER_SECOND)] == 13 and round(expansion[-1] / 1e18, 1) == 4.2
    # The two agree up to n = 3 and part from n = 4 on.
    assert np.all(expansion[:3] <= elimination[:3]) and np.all(expansion[3:] > elimination[3:])


def draw(d):
    n = d["n"]
    fig, ax = figure(height=3.2)
    ax.semilogy(n[1:], d["expansion"][1:], color=COLORS["red"], marker="o", markersize=3.5,
                label="cofactor expansion")
    ax.semilogy(n[1:], d["elimination"][1:], color=COLORS["blue"], marker="o", markersize=3.5,
                label="elimination (LU)")
    for value, text in ((PER_SECOND, "1 second"), (CENTURY, "100 years")):
        ax.axhline(value, color=COLORS["muted"], linewidth=0.9, linestyle=":")
        ax.text(2.2, value * 2.2, text, color=COLORS["muted"], va="bottom")
    ax.set_xlabel("size n")
    ax.set_ylabel("multiplications")
    ax.set_xticks([2, 5, 10, 15, 20])
    ax.set_xlim(1.5, 20.5)
    ax.set_ylim(1, 1e20)
    ax.set_yticks([1, 1e4, 1e8, 1e12, 1e16, 1e20])
    ax.grid(True, which="major", linewidth=0.5)
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, 0.9))
    return fig
