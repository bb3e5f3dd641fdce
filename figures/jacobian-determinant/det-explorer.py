"""The lab's map f(x, y) = (x + 0.3 sin 2y, y + 0.3x²) linearised at the page's point
p = (0.7, −0.4): the image of a unit square centred at p under J_f(p), a parallelogram of area
|det J_f(p)| = 0.824 times the square's, and the shaded regions where det J_f < 0 (there the map
folds the plane and a square comes out turned over).

This is the static state of the interactive figure (docs/assets/javascripts/det-explorer.js,
which draws the same picture for a point the reader drags); the pages' notebook and PDF show it."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/jacobian-determinant.md"
PLANE = (-4.5, 4.5, -3.0, 3.0)  # the part of the plane shown, as in the script
SIDE = 1.0  # the side of the small square centred at each point, as in the script
FOLDED = np.array([4.0, 0.0])  # a point where the map turns the square over


def jacobian(f, p, h=1e-20):
    """The Jacobian of f at p (points along the last axis) by the complex step: exact to rounding."""
    p = np.asarray(p, dtype=complex)
    return np.stack([f(p + 1j * h * e).imag / h for e in np.eye(2)], axis=-1)


def data():
    f, det, center, signed_area, square_boundary = page_functions(
        PAGE, "f", "det", "center", "signed_area", "square_boundary")
    xs = np.linspace(PLANE[0], PLANE[1], 181)
    ys = np.linspace(PLANE[2], PLANE[3], 121)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    square = SIDE * np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])  # counterclockwise
    points = []
    for p in (center, FOLDED):
        J = jacobian(f, p)
        tiny = square_boundary(p, 1e-3)  # what f itself does to a tiny square at p
        points.append({"p": p, "J": J, "det": np.linalg.det(J), "square": p + square,
                       "parallelogram": p + square @ J.T,
                       "tiny ratio": signed_area(f(tiny)) / signed_area(tiny)})
    return {"det (page)": det, "xs": xs, "ys": ys, "det grid": np.linalg.det(jacobian(f, grid)),
            "points": points}


def check(d):
    start, folded = d["points"]
    # At the page's point the determinant is the one the page prints.
    assert abs(start["det"] - d["det (page)"]) < 1e-12 * abs(d["det (page)"])
    # ... at p = (0.7, −0.4), det J = 0.824: the alt text, and the start of det-explorer.js.
    assert start["p"].tolist() == [0.7, -0.4] and round(start["det"], 3) == 0.824
    # The map itself scales a tiny square by det J, sign included: where det J < 0 (in the shaded
    # region) it comes out turned over, as the parallelogram drawn at p says.
    for point in d["points"]:
        assert abs(point["tiny ratio"] - point["det"]) < 1e-5 * abs(point["det"]), point
    assert start["det"] > 0 > folded["det"] and folded["tiny ratio"] < 0
    # The map folds in part of the plane shown, and keeps orientation in most of it.
    negative = np.mean(d["det grid"] < 0)
    assert 0.03 < negative < 0.3, negative


def draw(d):
    fig, ax = figure(height=3.1)
    ax.contourf(d["xs"], d["ys"], d["det grid"], levels=[-10, 0], colors=[COLORS["red"]], alpha=0.14)
    ax.contour(d["xs"], d["ys"], d["det grid"], levels=[0], colors=[COLORS["red"]], linewidths=0.8)
    ax.text(-2.55, 1.55, "det J < 0", color=COLORS["red"], ha="left", va="center")
    point = d["points"][0]
    color = COLORS["blue"]
    square = np.vstack([point["square"], point["square"][:1]])
    parallelogram = np.vstack([point["parallelogram"], point["parallelogram"][:1]])
    ax.plot(*square.T, color=COLORS["muted"], linewidth=1, linestyle=(0, (3, 2)))
    ax.fill(*parallelogram.T, color=color, alpha=0.25, linewidth=0)
    ax.plot(*parallelogram.T, color=color, linewidth=1.4)
    p, J = point["p"], point["J"]
    corner = point["parallelogram"][0]  # the image of the square's lower left corner
    for j, name in ((0, "Je₁"), (1, "Je₂")):
        tip = corner + SIDE * J[:, j]
        ax.annotate("", xy=tip, xytext=corner,
                    arrowprops={"arrowstyle": "-|>", "color": COLORS["ink"], "mutation_scale": 11, "linewidth": 1.2})
        ax.text(*(tip + [0.12, -0.02] if j == 0 else tip + [-0.12, 0.0]), name, color=COLORS["ink"],
                ha="left" if j == 0 else "right", va="center")
    ax.plot(*p, "o", color=COLORS["ink"], markersize=4)
    ax.text(p[0] + 0.2, p[1] - 0.75, f"det J = {point['det']:.3f}", color=color, ha="left", va="top")
    ax.set_aspect("equal")
    ax.set_xlim(PLANE[0], PLANE[1])
    ax.set_ylim(PLANE[2], PLANE[3])
    ax.set_xticks([-4, -2, 0, 2, 4])
    ax.set_yticks([-2, 0, 2])
    ax.grid(True, linewidth=0.5)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return fig
