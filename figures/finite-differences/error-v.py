"""The V of a finite difference: the typical error of the forward and central
differences of f(x) = 1/x near x = 1 against the step, on log axes, with the
error models of the page and the rules of thumb for the best step."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/finite-differences.md"
EPS = 2.0**-52


def data():
    forward, central, typical_error, model_fwd, model_cen, steps = page_functions(
        PAGE, "forward", "central", "typical_error", "model_fwd", "model_cen", "steps")
    h = np.array([step for step in steps if step <= 0.1])
    return {
        "h": h,
        "forward": np.array([typical_error(forward, step) for step in h]),
        "central": np.array([typical_error(central, step) for step in h]),
        "model forward": np.array([model_fwd(step) for step in h]),
        "model central": np.array([model_cen(step) for step in h]),
        "rules": {"forward": EPS ** (1 / 2), "central": EPS ** (1 / 3)},
    }


def _slope(h, error, low, high):
    inside = (h >= low) & (h <= high)
    return np.polyfit(np.log10(h[inside]), np.log10(error[inside]), 1)[0]


def check(d):
    h = d["h"]
    # The arms of the V: truncation O(h) and O(h^2) on the right, roundoff O(1/h) on the left.
    assert abs(_slope(h, d["forward"], 1e-5, 1e-2) - 1) < 0.05
    assert abs(_slope(h, d["central"], 1e-4, 1e-2) - 2) < 0.05
    assert abs(_slope(h, d["forward"], 1e-13, 1e-10) + 1) < 0.3
    assert abs(_slope(h, d["central"], 1e-13, 1e-9) + 1) < 0.3
    # The bottom of each V within a factor of 3 of its rule of thumb, and the models bound the errors.
    for name in ("forward", "central"):
        best = h[np.argmin(d[name])]
        assert d["rules"][name] / 3 < best < 3 * d["rules"][name], (name, best)
        ratio = d[name] / d[f"model {name}"]
        assert np.all(ratio[h <= 1e-2] <= 1.1)  # the model is an upper estimate ...
        truncation = (h >= 1e-3) & (h <= 1e-2)
        assert np.all(abs(ratio[truncation] - 1) < 0.1)  # ... with the right constant where truncation rules


def draw(d):
    fig, ax = figure(height=3.2)
    for name, color in (("forward", COLORS["blue"]), ("central", COLORS["orange"])):
        ax.loglog(d["h"], d[name], color=color, label=name)
        ax.loglog(d["h"], d[f"model {name}"], color=color, linestyle=(0, (4, 3)), linewidth=1)
        rule = d["rules"][name]
        ax.axvline(rule, color=color, linewidth=0.8, linestyle=":")
    ax.text(1.5e-8, 2e-2, "√ε", color=COLORS["blue"], ha="center")
    ax.text(6.1e-6, 2e-2, "∛ε", color=COLORS["orange"], ha="center")
    ax.set_xlabel("step h")
    ax.set_ylabel("relative error")
    ax.set_ylim(3e-12, 1)
    ax.grid(True, which="major", linewidth=0.5)
    ax.legend(loc="lower left", title="dashed: model", title_fontsize=10.5)
    return fig
