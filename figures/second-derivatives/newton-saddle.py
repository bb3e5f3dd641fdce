"""Newton's method against gradient descent on the two-weight network's loss, from the
small weights (0.1, 0.2) of the page's warning: Newton's steps, with the page's
`gradient` and `hessian`, jump into the saddle at the origin; gradient descent (step
0.1) slides along the diagonal down to the valley w₁w₂ = 1."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/second-derivatives.md"
START = (0.1, 0.2)


def data():
    newton_end, descent_end, gradient, hessian = page_functions(PAGE, "newton", "descent", "gradient", "hessian")
    loss = page_functions(PAGE, "loss")
    newton, descent = [np.array(START)], [np.array(START)]
    for _ in range(20):  # the iterations of the page's block, step by step
        newton.append(newton[-1] - np.linalg.solve(hessian(newton[-1]), gradient(newton[-1])))
    for _ in range(2000):
        descent.append(descent[-1] - 0.1 * gradient(descent[-1]))
    grid = np.linspace(-0.45, 1.55, 61)
    # The block's gradient and Hessian against central differences of the loss and of the
    # gradient, at the points Newton's first steps visit and a point of the descent.
    h = 1e-5
    probes = [newton[0], newton[1], descent[10], np.array([0.9, -0.6])]
    numeric_gradients = [np.array([(loss(w + h * e) - loss(w - h * e)) / (2 * h) for e in np.eye(2)])
                         for w in probes]
    numeric_hessians = [np.column_stack([(gradient(w + h * e) - gradient(w - h * e)) / (2 * h) for e in np.eye(2)])
                        for w in probes]
    return {
        "gradients": [gradient(w) for w in probes], "numeric gradients": numeric_gradients,
        "hessians": [hessian(w) for w in probes], "numeric hessians": numeric_hessians,
        "newton": np.array(newton),
        "descent": np.array(descent),
        "page's ends": (newton_end, descent_end),
        "losses": {"newton": np.array([loss(w) for w in newton]), "descent": np.array([loss(w) for w in descent])},
        "start eigenvalues": np.linalg.eigvalsh(hessian(np.array(START))),
        "grid": grid,
        "loss": np.array([[loss(np.array([a, b])) for a in grid] for b in grid]),
    }


def check(d):
    newton, descent = d["newton"], d["descent"]
    # The gradient and the Hessian that drive the paths are the derivatives of the loss.
    for g, numeric in zip(d["gradients"], d["numeric gradients"]):
        assert np.linalg.norm(g - numeric) < 1e-8 * max(1.0, np.linalg.norm(g))
    for H, numeric in zip(d["hessians"], d["numeric hessians"]):
        assert np.linalg.norm(H - numeric) < 1e-8 * np.linalg.norm(H)
    # The paths drawn end where the page's block ends: at the saddle, and on the valley.
    assert np.array_equal(newton[-1], d["page's ends"][0]) and np.array_equal(descent[-1], d["page's ends"][1])
    assert np.linalg.norm(newton[-1]) < 1e-12
    assert abs(descent[-1, 0] * descent[-1, 1] - 1) < 1e-8
    # The Hessian at the start is indefinite, and Newton's step goes uphill, to the saddle's loss ½;
    # gradient descent lowers the loss at every step, to 0.
    assert d["start eigenvalues"][0] < 0 < d["start eigenvalues"][1]
    assert d["losses"]["newton"][1] > d["losses"]["newton"][0] and abs(d["losses"]["newton"][-1] - 0.5) < 1e-15
    assert np.all(np.diff(d["losses"]["descent"]) <= 0) and d["losses"]["descent"][-1] < 1e-16
    # The alt text: the first Newton step lands within 0.01 of the saddle, the loss goes from 0.48
    # to 0.5; gradient descent ends near (0.99, 1.01).
    assert np.linalg.norm(newton[1]) < 0.01 and round(d["losses"]["newton"][0], 2) == 0.48
    assert round(d["losses"]["newton"][1], 2) == 0.5 and list(np.round(descent[-1], 2)) == [0.99, 1.01]


def draw(d):
    grid = d["grid"]
    fig, ax = figure(height=3.6)
    ax.contour(grid, grid, d["loss"], levels=[0.05, 0.2, 0.5], colors=COLORS["muted"],
               linewidths=0.8)
    a = np.linspace(1 / 1.55, 1.55, 40)
    ax.plot(a, 1 / a, color=COLORS["green"], linewidth=2.4)
    ax.text(1.5, 0.56, "valley", color=COLORS["green"], ha="right", va="top")
    descent = d["descent"][:80]
    ax.plot(descent[:, 0], descent[:, 1], color=COLORS["blue"], linewidth=1.2)
    ax.plot(descent[::4, 0], descent[::4, 1], "o", color=COLORS["blue"], markersize=3)
    ax.text(0.42, 0.62, "gradient\ndescent", color=COLORS["blue"], ha="right")
    ax.annotate("", xy=d["newton"][1], xytext=d["newton"][0],  # later steps are too short to draw
                arrowprops={"arrowstyle": "-|>", "color": COLORS["red"], "linewidth": 1.8, "shrinkA": 4,
                            "shrinkB": 5, "mutation_scale": 14})
    ax.text(-0.05, 0.12, "Newton", color=COLORS["red"], ha="right")
    ax.plot(*START, "o", color=COLORS["ink"], markersize=5)
    ax.text(START[0] + 0.05, START[1] - 0.02, "start", va="top")
    ax.plot([0], [0], "X", color=COLORS["ink"], markersize=7)
    ax.text(0.03, -0.05, "saddle", va="top")
    ax.set_xlabel("w₁")
    ax.set_ylabel("w₂")
    ax.set_aspect("equal")
    ax.set_xlim(grid[0], grid[-1])
    ax.set_ylim(grid[0], grid[-1])
    ax.set_xticks([0, 0.5, 1, 1.5])
    ax.set_yticks([0, 0.5, 1, 1.5])
    return fig
