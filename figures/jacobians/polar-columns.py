"""The columns of the Jacobian of polar coordinates, drawn where they act: the image of a
grid of (r, θ) under P(r, θ) = (r cos θ, r sin θ) (circles and rays), and at (r, θ) =
(2, π/6) the two columns of the page's J as arrows, J e₁ along the ray (unit length) and
J e₂ along the circle (length r), tangent to the image of the grid lines."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/jacobians.md"
RADII = (0.5, 1.0, 1.5, 2.0, 2.5)
ANGLES = np.linspace(0, np.pi / 2, 7)


def data():
    polar, J, x = page_functions(PAGE, "polar", "J", "x")
    along = np.linspace(0, np.pi / 2, 61)
    circles = [np.array([polar([r, a]) for a in along]) for r in RADII]
    rays = [np.array([polar([r, a]) for r in np.linspace(0, 2.5, 2)]) for a in ANGLES]
    # The velocities of P(x + s e_j) at s = 0, by central differences, for the check.
    h = 1e-5
    velocities = np.column_stack([(polar(x + h * e) - polar(x - h * e)) / (2 * h) for e in np.eye(2)])
    return {"x": x, "P(x)": polar(x), "J": J, "velocities": velocities,
            "circles": circles, "rays": rays}


def check(d):
    J, (r, theta), point = d["J"], d["x"], d["P(x)"]
    # Each column is the velocity of the point when one input alone moves.
    assert np.linalg.norm(J - d["velocities"]) / np.linalg.norm(J) < 1e-8
    # Column 1: outward along the ray, unit length; column 2: along the circle, length r.
    assert abs(np.linalg.norm(J[:, 0]) - 1) < 1e-12
    assert abs(np.linalg.norm(J[:, 1]) - r) < 1e-12
    assert abs(J[:, 0] @ point - r) < 1e-12  # J e1 = P(x) / r, pointing outward
    assert abs(J[:, 1] @ point) < 1e-12  # J e2 is tangent to the circle
    assert np.cross(J[:, 0], J[:, 1]) > 0  # counter-clockwise, the way θ grows
    assert r == 2 and abs(theta - np.pi / 6) < 1e-15  # the point P(2, π/6) of the labels


def draw(d):
    fig, ax = figure(height=3.3)
    for line in d["circles"] + d["rays"]:
        ax.plot(*line.T, color=COLORS["muted"], linewidth=0.8)
    point, J = d["P(x)"], d["J"]
    arrow = dict(arrowstyle="-|>", mutation_scale=14, linewidth=2, shrinkA=0, shrinkB=0)
    for column, color, label, offset in (
        (J[:, 0], "blue", "J e₁: r grows", (0.12, -0.22)),
        (J[:, 1], "orange", "J e₂: θ grows", (0.12, 0.06)),
    ):
        tip = point + column
        ax.annotate("", tip, point, arrowprops=dict(arrow, color=COLORS[color]))
        ax.text(*(tip + offset), label, color=COLORS[color],
                ha="left", va="center")
    ax.plot(*point, "o", color=COLORS["ink"], markersize=5)
    ax.text(point[0] + 0.08, point[1] - 0.12, "P(2, π/6)", ha="left", va="top")
    ax.set_aspect("equal")
    ax.set_xlim(0, 3.3)
    ax.set_ylim(0, 3.0)
    ax.set_xticks([0, 1, 2, 3])
    ax.set_yticks([0, 1, 2, 3])
    return fig
