"""Steepest ascent by Cauchy–Schwarz: for the page's f(X) = log|det X| + tr(AX) on
4 × 4 matrices, the rate of change f'(X)[V] along a unit direction V, measured by
the page's central difference `rate`, against the angle between V and the
gradient G. Every direction lies on the curve ‖G‖ cos θ: the top is G itself;
random directions in 16 dimensions are nearly perpendicular to G."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/gradients.md"
DIRECTIONS = 300


def _angle(G, V):
    return np.degrees(np.arccos(np.sum(G * V) / (np.linalg.norm(G) * np.linalg.norm(V))))


def data():
    G, rate = page_functions(PAGE, "G", "rate")
    rng = np.random.default_rng(20)
    V = rng.standard_normal((DIRECTIONS, *G.shape))
    return {
        "norm G": np.linalg.norm(G),
        "angle": np.array([_angle(G, v) for v in V]),
        "rate": np.array([rate(v) for v in V]),
        "G": (0.0, rate(G)),
        "G^T": (_angle(G, G.T), rate(G.T)),
    }


def check(d):
    norm = d["norm G"]
    # Cauchy–Schwarz: the rate along a unit V is ‖G‖ cos θ (central differences: 1e-8 of ‖G‖).
    for angle, rate in [*zip(d["angle"], d["rate"]), d["G"], d["G^T"]]:
        assert abs(rate - norm * np.cos(np.radians(angle))) < 1e-8 * norm, (angle, rate)
    # The top of the curve is the gradient itself, with rate ‖G‖; the transposed G and all random
    # directions do worse, and most random directions are within 30° of perpendicular.
    assert abs(d["G"][1] - norm) < 1e-8 * norm
    assert d["rate"].max() < d["G"][1] and d["G^T"][1] < d["G"][1]
    assert np.mean(abs(d["angle"] - 90) < 30) > 0.9
    # The numbers of the alt text: ‖G‖ = 16.9, and Gᵀ at about 81° with rate 2.5.
    assert (round(norm, 1), round(d["G^T"][0]), round(d["G^T"][1], 1)) == (16.9, 81, 2.5), d["G^T"]


def draw(d):
    fig, (ax, bottom) = figure(height=3.6, nrows=2, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    theta = np.linspace(0, 180, 181)
    ax.plot(theta, d["norm G"] * np.cos(np.radians(theta)), color=COLORS["blue"], zorder=1)
    ax.plot(d["angle"], d["rate"], "o", color=COLORS["ink"], markersize=2.5, markeredgewidth=0, zorder=2)
    ax.plot(*d["G"], "o", color=COLORS["blue"], markersize=6, zorder=3)
    ax.plot(*d["G^T"], "o", color=COLORS["orange"], markersize=6, zorder=3)
    ax.text(8, 19.5, f"G: rate ‖G‖ = {d['G'][1]:.1f}", color=COLORS["blue"], va="center")
    ax.annotate(f"Gᵀ: {d['G^T'][1]:.1f}", xy=d["G^T"], xytext=(9, 5), textcoords="offset points",
                color=COLORS["orange"], ha="left", va="bottom")
    ax.text(132, -8.5, "‖G‖ cos θ", color=COLORS["blue"], ha="left", va="top")
    ax.axhline(0, color=COLORS["grid"], linewidth=0.8, zorder=0)
    ax.set_ylim(-18.5, 22)
    ax.set_yticks([-15, -10, -5, 0, 5, 10, 15])
    ax.set_ylabel("rate f′(X)[V]")
    bottom.hist(d["angle"], bins=np.arange(0, 181, 7.5), color=COLORS["muted"])
    bottom.set_ylabel("random V")
    bottom.set_xlim(-5, 185)
    bottom.set_xticks([0, 45, 90, 135, 180], ["0°", "45°", "90°", "135°", "180°"])
    bottom.set_xlabel("angle θ between V and G (‖V‖ = 1)")
    return fig
