"""A small square and its image under the lab's map f(x, y) = (x + 0.3 sin 2y, y + 0.3x²):
the curved image f(S) beside the parallelogram of the linearised map, and the ratio
area(f(S)) / area(S) against the side h, converging to det J_f = 0.824 like h²."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/jacobian-determinant.md"
SHOWN_SIDE = 1.0  # the square drawn on the left: large enough to see its image bend


def jacobian(f, p, h=1e-20):
    """The Jacobian of f at p by the complex step: exact to rounding for an analytic f."""
    return np.column_stack([f(p + 1j * h * e).imag / h for e in np.eye(len(p))])


def data():
    f, det, center, signed_area, square_boundary = page_functions(
        PAGE, "f", "det", "center", "signed_area", "square_boundary")
    J = jacobian(f, center.astype(complex))
    square = square_boundary(center, SHOWN_SIDE, points_per_side=40)
    corners = center + SHOWN_SIDE * np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
    sides = np.linspace(0.01, 1.0, 40)
    return {
        "center": center,
        "det (page)": det,
        "J": J,
        "square": square,
        "image": f(square),
        "parallelogram": f(center) + (corners - center) @ J.T,
        "sides": sides,
        "ratios": np.array([signed_area(f(square_boundary(center, h))) / h**2 for h in sides]),
        "small sides": np.array([1e-1, 1e-2, 1e-3]),
        "small ratios": np.array([signed_area(f(square_boundary(center, h))) / h**2
                                  for h in (1e-1, 1e-2, 1e-3)]),
        "area parallelogram": signed_area(f(center) + (corners - center) @ J.T),
        "area image": signed_area(f(square)),
    }


def check(d):
    det = d["det (page)"]
    # The page's determinant is the determinant of the Jacobian of the page's map.
    assert abs(np.linalg.det(d["J"]) - det) < 1e-12 * abs(det), (np.linalg.det(d["J"]), det)
    # The linearised map scales the square by exactly det J ...
    assert abs(d["area parallelogram"] / SHOWN_SIDE**2 - det) < 1e-12
    # ... and the curved image's area ratio tends to det J like h²: a hundredfold per tenfold side.
    errors = np.abs(d["small ratios"] - det) / det
    assert errors[-1] < 1e-6 and 50 < errors[0] / errors[1] < 200 and 50 < errors[1] / errors[2] < 200
    ratios = d["ratios"]
    assert np.all(np.diff(ratios) > 0) and abs(ratios[0] - det) < 1e-4  # rises from det J as h grows
    # At the drawn side the image and the parallelogram still differ by a few per cent only.
    assert 0 < d["area image"] / d["area parallelogram"] - 1 < 0.06
    # The numbers of the alt text: the centre, det J and the ratio at h = 1.
    assert d["center"].tolist() == [0.7, -0.4] and (round(det, 3), round(ratios[-1], 3)) == (0.824, 0.852)


def draw(d):
    fig, (left, right) = figure(height=2.5, ncols=2, width_ratios=[1, 1.15])
    left.fill(*d["image"].T, color=COLORS["fill"], zorder=1)
    left.plot(*np.vstack([d["image"], d["image"][:1]]).T, color=COLORS["blue"], zorder=3)
    left.plot(*np.vstack([d["parallelogram"], d["parallelogram"][:1]]).T,
              color=COLORS["orange"], linestyle=(0, (4, 2.5)), zorder=4)
    left.plot(*np.vstack([d["square"], d["square"][:1]]).T, color=COLORS["muted"], linewidth=1, zorder=2)
    cx, cy = d["center"]
    left.text(cx + 0.5, cy - 0.5 - 0.04, "S", color=COLORS["muted"], ha="center", va="top")
    top = d["image"][np.argmax(d["image"][:, 1])]
    left.text(top[0] + 0.1, top[1] + 0.0, "f(S)", color=COLORS["blue"], ha="left", va="bottom")
    low = d["parallelogram"][np.argmin(d["parallelogram"][:, 1])]
    left.text(low[0], low[1] - 0.06, "linear", color=COLORS["orange"], ha="center", va="top")
    left.set_aspect("equal")
    left.axis("off")

    right.plot(d["sides"], d["ratios"], color=COLORS["blue"])
    right.axhline(d["det (page)"], color=COLORS["orange"], linestyle=(0, (4, 2.5)), linewidth=1.2)
    det = d["det (page)"]
    right.text(1.0, det - 0.0012, f"det J = {det:.3f}", color=COLORS["orange"], ha="right", va="top")
    right.set_ylim(det - 0.0075, d["ratios"].max() + 0.002)
    right.set_xlabel("side h")
    right.set_ylabel("area ratio")
    right.set_xlim(0, 1.02)
    right.set_xticks([0, 0.5, 1], ["0", "0.5", "1"])
    return fig
