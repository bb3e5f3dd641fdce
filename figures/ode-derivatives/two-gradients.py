"""Discretise, then differentiate, or differentiate, then discretise: the relative errors of
the page's discrete_gradient (reverse mode through the RK4 steps) and continuous_gradient
(the adjoint ODE solved by RK4) against the exact gradient, and the gap between them,
against the step h = T/N on log axes; all three fall like h⁴."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/ode-derivatives.md"
STEPS = [10, 14, 20, 28, 40, 57, 80, 113, 160, 226, 320]  # about √2 apart


def data():
    discrete_gradient, continuous_gradient, loss = page_functions(
        PAGE, "discrete_gradient", "continuous_gradient", "loss")
    block = discrete_gradient.__globals__  # the block's own p and T (T, N are set by a tuple)
    p, T = block["p"], block["T"]
    fine, finer = discrete_gradient(p, 1280), discrete_gradient(p, 2560)
    exact = finer + (finer - fine) / 15  # Richardson: the O(h⁴) term removed
    scale = np.linalg.norm(exact)
    rows = []
    for N in STEPS:
        discrete, continuous = discrete_gradient(p, N), continuous_gradient(p, N)
        rows.append([np.linalg.norm(discrete - exact) / scale, np.linalg.norm(continuous - exact) / scale,
                     np.linalg.norm(continuous - discrete) / scale])
    eps = 1e-6
    central = np.array([(loss(p + eps * e, 80) - loss(p - eps * e, 80)) / (2 * eps) for e in np.eye(len(p))])
    return {"h": T / np.array(STEPS), "errors": np.array(rows), "exact": exact,
            "discrete at 80": discrete_gradient(p, 80), "central at 80": central}


def _slope(h, error):
    return np.polyfit(np.log(h), np.log(error), 1)[0]


def check(d):
    h, errors = d["h"], d["errors"]
    # the discrete gradient is the exact derivative of the program: central differences of the
    # solver agree to their own accuracy
    central = d["central at 80"]
    assert np.linalg.norm(d["discrete at 80"] - central) < 1e-8 * np.linalg.norm(central)
    # both gradients, and the gap between them, are O(h⁴) (h from 0.2 down, past the first steps)
    asymptotic = h <= 0.2
    slopes = [_slope(h[asymptotic], errors[asymptotic, j]) for j in range(3)]
    assert 3.8 < slopes[0] < 4.2 and 3.8 < slopes[2] < 4.2, slopes
    assert 3.8 < slopes[1] < 4.6, slopes  # the continuous one faster at first, on its way to 4
    # the gap is as large as the errors themselves: neither gradient is the exact one
    assert np.all(errors[:, 2] > 0.3 * errors[:, :2].max(axis=1))
    # The alt text: all about 5 × 10⁻⁴ at N = 10 and below 10⁻⁹ at N = 320; the gap on the discrete
    # error (within 10%); the continuous error level with it at N = 10, about three times smaller
    # from N = 80 on.
    assert np.all(np.round(errors[0] / 1e-4) == 5) and np.all(errors[-1] < 1e-9)
    assert np.all(abs(errors[:, 2] / errors[:, 0] - 1) < 0.1)
    ratio = errors[:, 0] / errors[:, 1]
    assert ratio[0] < 1.2 and np.all((2.5 < ratio[h <= 0.05]) & (ratio[h <= 0.05] < 3.5))


def draw(d):
    errors = d["errors"]
    fig, ax = figure(height=3.2)
    x = np.log2(STEPS)  # a log axis in N, labelled by N itself
    styles = [("discrete", "blue", "o"), ("continuous", "orange", "s"), ("gap between them", "green", "^")]
    for j, (name, color, marker) in enumerate(styles):
        ax.semilogy(x, errors[:, j], color=COLORS[color], marker=marker, markersize=4, label=name,
                    linestyle="-" if j < 2 else (0, (4, 3)))
    # a guide: the error divided by 16 when N doubles
    guide = np.log2([40, 160])
    ax.semilogy(guide, [3e-9, 3e-9 / 256], color=COLORS["ink"], linewidth=1)
    ax.text(np.log2(40), 3e-11, "÷16 per\ndoubling of N", ha="left", va="top", linespacing=1.1)
    ticks = [10, 20, 40, 80, 160, 320]
    ax.set_xticks(np.log2(ticks), [str(n) for n in ticks])
    ax.set_xlabel("RK4 steps N")
    ax.set_ylabel("relative error")
    ax.set_ylim(1e-12, 3e-3)
    ax.grid(True, which="major", linewidth=0.5)
    ax.legend(loc="upper right")
    return fig
