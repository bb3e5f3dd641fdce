"""Not a rounding error: the relative error of dA A + A dA and of 2 A dA against the
central difference of A², as the step h of the difference shrinks, with the page's own
A, dA and formulas (the warning on 2 A dA). The right formula is off only by rounding,
about 10⁻¹⁶/h (A² is quadratic, so the difference has no truncation error); the wrong
one is off by 0.93 at every step."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/matrix-functions.md"
EPS = 2.0**-52


def data():
    square, right, wrong = page_functions(PAGE, "square", "right", "wrong")
    # A and dA are assigned together (A, dA = ...): take them from the block's namespace.
    A, dA = (square.__globals__[name] for name in ("A", "dA"))
    steps = np.logspace(-10, 0, 41)
    errors = {"right": [], "wrong": []}
    for h in steps:
        central = (square(A + h * dA) - square(A - h * dA)) / (2 * h)
        for name, formula in (("right", right), ("wrong", wrong)):
            errors[name].append(np.linalg.norm(formula - central) / np.linalg.norm(central))
    return {
        "h": steps,
        "right": np.array(errors["right"]),
        "wrong": np.array(errors["wrong"]),
        "page h": square.__globals__["h"],
        "page error": square.__globals__["err_wrong"],
        # The commutator, what 2 A dA misses (for the check).
        "commutator": np.linalg.norm(A @ dA - dA @ A) / np.linalg.norm(right),
        "wrong - right": wrong - right, "A dA - dA A": A @ dA - dA @ A,
    }


def check(d):
    h, right, wrong = d["h"], d["right"], d["wrong"]
    # The right formula: rounding only, below 10 eps / h at every step, even h = 1 (no truncation).
    assert np.all(right < 10 * EPS / h), (right * h / EPS).max()
    assert right[-1] < 1e-14
    # The wrong one: off by the commutator A dA - dA A (exactly: 2 A dA, not some other wrong formula),
    # the same at every step.
    assert np.linalg.norm(d["wrong - right"] - d["A dA - dA A"]) < 1e-12 * np.linalg.norm(d["A dA - dA A"])
    assert np.all(abs(wrong / d["commutator"] - 1) < 1e-6)
    assert abs(d["commutator"] - d["page error"]) < 1e-6 and round(d["page error"], 2) == 0.93
    assert np.any(abs(h - d["page h"]) < 1e-18)


def draw(d):
    fig, ax = figure(height=3.0)
    h = d["h"]
    ax.loglog(h, d["wrong"], color=COLORS["orange"], label="2 A dA")
    ax.loglog(h, d["right"], color=COLORS["blue"], label="dA A + A dA")
    ax.loglog(h, EPS / h, color=COLORS["muted"], linewidth=1, linestyle=(0, (4, 3)))
    ax.text(1e-4, 3 * EPS / 1e-4, "ε/h", color=COLORS["muted"], ha="left", va="bottom")
    ax.axvline(d["page h"], color=COLORS["muted"], linewidth=0.8, linestyle=":")
    ax.text(d["page h"] * 1.4, 1e-3, "the page's h", color=COLORS["muted"], ha="left", va="center")
    ax.set_xlabel("step h of the central difference")
    ax.set_ylabel("relative error")
    ax.set_ylim(1e-17, 10)
    ax.set_yticks([1e-16, 1e-12, 1e-8, 1e-4, 1])
    ax.set_xticks([1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1])
    ax.grid(True, which="major", linewidth=0.5)
    ax.legend(loc="lower left")
    return fig
