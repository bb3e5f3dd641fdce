"""The rod of the running example: the temperatures x of the model against the
measured ones along the rod, and the gradient of the misfit with respect to the
conductivity of each segment, −(D v) ⊙ (D x), from the page's adjoint block."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/adjoint-method.md"


def data():
    grad, forward, objective, x, p = page_functions(PAGE, "grad", "forward", "objective", "x", "p")
    target = objective.__globals__["target"]  # the block sets it in a tuple assignment
    h = 1e-5
    central = np.array([(objective(p + h * e) - objective(p - h * e)) / (2 * h) for e in np.eye(len(p))])
    return {"x": x, "target": target, "gradient": grad, "forward": forward, "central": central}


def check(d):
    grad = d["gradient"]
    # The adjoint's gradient is the derivative of the misfit: central differences (to their
    # truncation and rounding) and the forward sensitivities (to rounding) agree with it.
    assert np.linalg.norm(grad - d["central"]) < 1e-8 * np.linalg.norm(grad)
    assert np.linalg.norm(grad - d["forward"]) < 1e-12 * np.linalg.norm(grad)
    # What the page reads off the picture: the model is above the measurements at every point,
    # and the first and last segments have the largest, negative, entries.
    assert np.all(d["x"] > d["target"])
    largest = np.argsort(abs(grad))[-2:]
    assert set(largest) == {0, len(grad) - 1} and np.all(grad[largest] < 0)
    # The numbers of the alt text (and of the bar labels).
    assert list(np.round(d["x"], 2)) == [1.46, 2.10, 2.61, 2.23]
    assert list(d["target"]) == [1.0, 1.6, 1.8, 1.2]
    assert list(np.round(grad, 2)) == [-2.41, -0.15, 0.04, -0.38, -1.81]


def draw(d):
    fig, (top, bottom) = figure(height=4.2, nrows=2, sharex=True, height_ratios=[1.1, 1])
    points = np.arange(1, 5)
    ends = np.concatenate([[0], d["x"], [0]])
    top.plot(np.arange(6), ends, color=COLORS["blue"], marker="o", markersize=4.5, label="model x")
    top.plot(points, d["target"], linestyle="none", marker="D", markersize=6, markerfacecolor="none",
             markeredgecolor=COLORS["orange"], markeredgewidth=1.5, label="measured")
    top.set_ylabel("temperature")
    top.set_ylim(0, 3.1)
    top.legend(loc="lower center", ncols=2)
    top.grid(True, linewidth=0.5)
    segments = np.arange(5) + 0.5
    bottom.axhline(0, color=COLORS["ink"], linewidth=0.8)
    bottom.bar(segments, d["gradient"], width=0.6, color=COLORS["red"])
    for s, g in zip(segments, d["gradient"]):
        bottom.text(s, g - 0.12 if g < 0 else g + 0.12, f"{g:.2f}".replace("-", "−"), ha="center",
                    va="top" if g < 0 else "bottom")
    bottom.set_ylabel("∂g/∂p")
    bottom.set_ylim(-3.2, 0.6)
    bottom.set_xlabel("position along the rod")
    bottom.set_xticks(np.arange(6))
    bottom.set_xlim(-0.2, 5.2)
    return fig
