"""A counterclockwise triangle T at (0.9, 0.5) and its image under the page's map
f(x, y) = (x² − y², −2xy): the image runs clockwise (det J_f = −4(x² + y²) < 0) and is
about 4.24 times larger."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/jacobian-determinant.md"
SIZE = 0.4  # the drawn triangle; the check also measures a tiny one
CORNERS = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])  # counterclockwise, as on the page


def jacobian(f, p, h=1e-20):
    """The Jacobian of f at p by the complex step: exact to rounding for an analytic f."""
    return np.column_stack([f(p + 1j * h * e).imag / h for e in np.eye(len(p))])


def edges(corners, points=40):
    """Points along the triangle's edges, in the order of its corners."""
    s = np.linspace(0, 1, points, endpoint=False)[:, None]
    return np.vstack([a + s * (b - a) for a, b in zip(corners, np.roll(corners, -1, axis=0))])


def data():
    f, point, det, signed_area = page_functions(PAGE, "f", "point", "det", "signed_area")
    triangle = point + SIZE * (CORNERS - CORNERS.mean(axis=0))  # drawn centred at the point
    tiny = point + 1e-4 * CORNERS
    return {
        "point": point,
        "det (page)": det,
        "J": jacobian(f, point.astype(complex)),
        "triangle": edges(triangle),
        "image": f(edges(triangle)),
        "corners": triangle,
        "image corners": f(triangle),
        "area": signed_area(edges(triangle)),
        "image area": signed_area(f(edges(triangle))),
        "tiny ratio": signed_area(f(tiny)) / signed_area(tiny),
    }


def check(d):
    det = d["det (page)"]
    assert abs(np.linalg.det(d["J"]) - det) < 1e-12 * abs(det)
    assert abs(det + 4 * d["point"] @ d["point"]) < 1e-12 * abs(det)  # -4(x² + y²), as the page says
    assert d["point"].tolist() == [0.9, 0.5] and round(det, 2) == -4.24  # the alt text and caption
    # Counterclockwise before, clockwise after: the signed area changes sign ...
    assert d["area"] > 0 and d["image area"] < 0
    # ... and a tiny triangle's signed area is scaled by det J (first order in its size).
    assert abs(d["tiny ratio"] - det) < 1e-3 * abs(det)
    ratio = d["image area"] / d["area"]
    assert 0.95 < ratio / det < 1.05, ratio  # the drawn one, centred at the point: nearly the same


def draw(d):
    fig, ax = figure(height=2.9)
    shapes = ((d["triangle"], d["corners"], "blue", "T: counterclockwise"),
              (d["image"], d["image corners"], "red", "f(T): clockwise"))
    for shape, corners, color, label in shapes:
        closed = np.vstack([shape, shape[:1]])
        ax.fill(*shape.T, color=COLORS["fill"])
        ax.plot(*closed.T, color=COLORS[color])
        n = len(shape) // 3
        for k in range(3):  # an arrow half-way along each edge, in the order 1 → 2 → 3
            a, b = shape[k * n + n // 2 - 1], shape[k * n + n // 2 + 1]
            ax.annotate("", xy=b, xytext=a, arrowprops={"arrowstyle": "-|>", "color": COLORS[color],
                                                         "mutation_scale": 14, "linewidth": 1.6})
        centre = corners.mean(axis=0)
        for k, corner in enumerate(corners):
            away = corner - centre
            spot = corner + 0.12 * away / np.linalg.norm(away)
            ax.text(*spot, str(k + 1), color=COLORS[color], ha="center", va="center")
        right = shape[:, 0].max()
        ax.text(right + 0.35, centre[1], label, color=COLORS[color], ha="left", va="center")
    ax.text(d["image"][:, 0].max() + 0.35, d["image corners"].mean(axis=0)[1] - 0.22,
            f"det J = {d['det (page)']:.2f}".replace("-", "−"), color=COLORS["red"], ha="left", va="center")
    ax.set_xlim(-0.3, 2.95)
    ax.set_ylim(-1.35, 0.95)
    ax.set_aspect("equal")
    ax.set_xticks([0, 1, 2])
    ax.set_yticks([-1, 0])
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.axhline(0, color=COLORS["grid"], linewidth=1, zorder=0)
    return fig
