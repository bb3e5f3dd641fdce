"""Taylor's formula along a line, for the worked example of the page: the remainders
of the first-order model f(x) + h f'(x)[v] and of the second-order model, which adds
½ h² f''(x)[v, v], against the step h on log axes (the page's `f`, `df`, `d2f`). The steps stop
at h = 0.1: further out the higher terms are no longer small (the first-order remainder
changes sign near h = 0.55, a dip to zero on a log axis, and from about h = 0.3 the
second-order model misses by more than the first), which says nothing about the orders."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/second-derivatives.md"


def data():
    f, df, d2f, x = page_functions(PAGE, "f", "df", "d2f", "x")
    v = f.__globals__["v"]  # set with u in a tuple assignment
    h = np.logspace(-4, -1, 25)
    first = np.array([f(x + s * v) - f(x) - s * df(x, v) for s in h])
    return {
        "h": h,
        "first-order remainder": first,
        "second-order remainder": first - 0.5 * h**2 * d2f(x, v, v),
        "half f''[v, v]": 0.5 * d2f(x, v, v),
    }


def _slope(h, r, low, high):
    inside = (h >= low) & (h <= high)
    return np.polyfit(np.log10(h[inside]), np.log10(abs(r[inside])), 1)[0]


def check(d):
    h, first, second, half = d["h"], d["first-order remainder"], d["second-order remainder"], d["half f''[v, v]"]
    # Slope 2 for the first-order remainder, 3 once the second derivative is added.
    assert abs(_slope(h, first, 1e-4, 1e-2) - 2) < 0.02
    assert abs(_slope(h, second, 1e-3, 1e-1) - 3) < 0.05
    # The first-order remainder is ½ f''(x)[v, v] h² (the page's limit, -0.7161) ...
    small = h <= 1e-3
    assert np.all(abs(first[small] / h[small] ** 2 / half - 1) < 0.01)
    # ... and the second-order remainder is far below it at every step drawn.
    assert np.all(abs(second) < 0.2 * abs(first))
    # The alt text: 0.716 h², the first-order remainder 6 × 10⁻³ at h = 0.1 and 7 × 10⁻⁹ at 10⁻⁴,
    # the second-order one 10⁻³ and about 10⁻¹².
    assert round(abs(half), 3) == 0.716 and h[-1] == 0.1
    assert [float(f"{abs(r):.0e}") for r in (first[-1], first[0], second[-1], second[0])] == [6e-3, 7e-9, 1e-3, 9e-13]


def draw(d):
    h = d["h"]
    fig, ax = figure(height=3.2)
    ax.loglog(h, abs(d["first-order remainder"]), color=COLORS["orange"], marker="o", markersize=3,
              label="first-order model")
    ax.loglog(h, abs(d["second-order remainder"]), color=COLORS["green"], marker="o", markersize=3,
              label="second-order model")
    ax.loglog(h, abs(d["half f''[v, v]"]) * h**2, color=COLORS["muted"], linewidth=1, linestyle=(0, (4, 3)),
              label="|½ f''(x)[v, v]| h²")
    ax.text(3e-3, 3e-5, "slope 2", color=COLORS["orange"], ha="right")
    ax.text(1.5e-2, 3e-8, "slope 3", color=COLORS["green"], ha="left")
    ax.set_xlabel("step h along v")
    ax.set_ylabel("remainder |f(x + h v) − model|")
    ax.set_xlim(6e-5, 0.16)
    ax.set_ylim(1e-13, 1)
    ax.set_yticks([1, 1e-4, 1e-8, 1e-12])
    ax.grid(True, which="major", linewidth=0.5)
    ax.legend(loc="upper left")
    return fig
