"""An avoided crossing: the eigenvalues of S(t) = [[1 + t, δ], [δ, 1 − t]] against t,
which come within the gap 2δ of each other at t = 0 (dashed: δ = 0, where they cross),
and the angle of the top eigenvector, which makes its quarter turn near t = 0 at the
speed one over the gap. The eigenvector is the page's top_vector."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/eigenproblems.md"
DELTA = 0.1


def _matrix(t, delta):  # the family S(t) shown on the page
    return np.array([[1 + t, delta], [delta, 1 - t]])


def data():
    top_vector = page_functions(PAGE, "top_vector")

    def angle(t, delta):  # of the top eigenvector from e₁, in radians
        q = top_vector(t, delta)
        return np.arctan2(q[1], q[0])

    t = np.linspace(-1, 1, 201)
    q = np.array([top_vector(s, DELTA) for s in t])
    # λ₁ is the Rayleigh quotient of the top eigenvector; λ₂ = trace − λ₁
    top = np.array([v @ _matrix(s, DELTA) @ v for s, v in zip(t, q)])
    h = 1e-5
    at = np.array([-0.5, -0.1, 0.0, 0.05, 0.3])
    return {
        "t": t,
        "delta": DELTA,
        "lambda 1": top,
        "lambda 2": 2 - top,
        "angle": np.degrees([angle(s, DELTA) for s in t]),
        "speed at": at,
        "speed": np.array([abs(angle(s + h, DELTA) - angle(s - h, DELTA)) / (2 * h) for s in at]),
        "angle uncoupled": np.degrees([angle(s, 0.0) for s in (-1e-3, 1e-3)]),
    }


def check(d):
    t, delta = d["t"], d["delta"]
    gap = d["lambda 1"] - d["lambda 2"]
    # the gap 2 sqrt(t² + δ²): smallest, 2δ, at t = 0
    assert np.allclose(gap, 2 * np.sqrt(t**2 + delta**2), rtol=1e-12, atol=0)
    assert abs(gap[np.argmin(gap)] - 2 * delta) < 1e-12 and t[np.argmin(gap)] == 0
    # the eigenvector's speed δ / (2 (t² + δ²)), 1 / (2δ) = 1 / gap at t = 0
    s = d["speed at"]
    assert np.allclose(d["speed"], delta / (2 * (s**2 + delta**2)), rtol=1e-6, atol=0)
    # a quarter turn, from near e₂ to near e₁, most of it while |t| < 3δ
    angle = d["angle"]
    assert angle[0] > 85 and angle[-1] < 5 and np.all(np.diff(angle) < 0)
    inside = np.interp([-3 * delta, 3 * delta], t, angle)
    assert inside[0] - inside[1] > 0.75 * 90
    # δ = 0: the labelled eigenvector jumps from e₂ to e₁
    assert np.allclose(d["angle uncoupled"], [90, 0], atol=1e-9)


def draw(d):
    t, delta = d["t"], d["delta"]
    fig, (top, bottom) = figure(height=4.6, nrows=2, sharex=True)
    top.plot(t, 1 + t, color=COLORS["muted"], linestyle=(0, (4, 3)), linewidth=1)
    top.plot(t, 1 - t, color=COLORS["muted"], linestyle=(0, (4, 3)), linewidth=1)
    top.plot(t, d["lambda 1"], color=COLORS["blue"])
    top.plot(t, d["lambda 2"], color=COLORS["orange"])
    top.annotate("", xy=(0, 1 + delta), xytext=(0, 1 - delta),
                 arrowprops={"arrowstyle": "<->", "color": COLORS["ink"], "linewidth": 1,
                             "shrinkA": 0, "shrinkB": 0})
    top.text(0.06, 1.0, "gap 2δ", va="center",  # on a patch of background: the dashed lines cross here
             bbox={"facecolor": COLORS["background"], "edgecolor": "none", "pad": 1})
    top.text(0.62, 1.82, "λ₁", color=COLORS["blue"])
    top.text(0.62, 0.05, "λ₂", color=COLORS["orange"])
    top.set_ylabel("eigenvalue")
    top.set_ylim(-0.1, 2.1)
    top.grid(True, linewidth=0.5)

    bottom.plot([t[0], 0, 0, t[-1]], [90, 90, 0, 0], color=COLORS["muted"], linestyle=(0, (4, 3)),
                linewidth=1, label="δ = 0")
    bottom.plot(t, d["angle"], color=COLORS["blue"], label=f"δ = {delta:g}")
    slope = np.degrees(1 / (2 * delta))  # degrees per unit of t at t = 0
    s = np.array([-0.12, 0.12])
    bottom.plot(s, 45 - slope * s, color=COLORS["red"], linestyle=":", linewidth=1.4)
    bottom.text(0.14, 52, "speed 1/gap", color=COLORS["red"])
    bottom.set_ylabel("angle of q₁ (degrees)")
    bottom.set_xlabel("t")
    bottom.set_yticks([0, 45, 90])
    bottom.set_ylim(-8, 98)
    bottom.grid(True, linewidth=0.5)
    bottom.legend(loc="lower left")
    return fig
