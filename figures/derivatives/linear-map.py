"""The derivative as the best local linear map: a small square grid of steps dy around a
point y, its image under f (curved) and under the linear map f(y) + J dy (straight), for
the map f(y) = (sin y₁, y₁ y₂) and its Jacobian from the page's chain-rule block (at a
point of the figure's choosing, where the picture is clear). Two
zooms: five times smaller steps leave a gap 25 times smaller, five times smaller
relative to the picture."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/derivatives.md"
SIZES = (0.5, 0.1)  # half-width of the square of steps dy in each panel
LINES = 5  # grid lines each way
POINT = np.array([0.9, 0.4])


def _grid(size, points=41):
    """Polylines of a square grid of steps dy, each an array of shape (points, 2)."""
    ticks, along = np.linspace(-size, size, LINES), np.linspace(-size, size, points)
    return ([np.column_stack([np.full(points, a), along]) for a in ticks]
            + [np.column_stack([along, np.full(points, a)]) for a in ticks])


def _images(f, J, y, size):
    curved = [np.array([f(y + dy) for dy in line]) for line in _grid(size)]
    straight = [f(y) + line @ J.T for line in _grid(size)]
    return curved, straight


def data():
    f, f_jacobian = page_functions(PAGE, "f", "f_jacobian")
    y = POINT
    J = f_jacobian(y)
    panels = [_images(f, J, y, size) for size in SIZES]
    # The gap between the two images, as the steps shrink (for the check).
    sizes = np.logspace(-4, 0, 9)
    gaps = [max(np.linalg.norm(c - s, axis=1).max() for c, s in zip(*_images(f, J, y, size)))
            for size in sizes]
    # The Jacobian against central differences of f, column by column.
    h = 1e-5
    J_fd = np.column_stack([(f(y + h * e) - f(y - h * e)) / (2 * h) for e in np.eye(2)])
    return {"y": y, "f(y)": f(y), "J": J, "J_fd": J_fd, "panels": panels,
            "sizes": sizes, "gaps": np.array(gaps)}


def check(d):
    J, J_fd = d["J"], d["J_fd"]
    assert np.linalg.norm(J - J_fd) / np.linalg.norm(J) < 1e-8
    # The gap shrinks like the square of the step: slope 2 on log axes.
    slope = np.polyfit(np.log10(d["sizes"][:5]), np.log10(d["gaps"][:5]), 1)[0]
    assert abs(slope - 2) < 0.01, slope
    # In the panels: steps five times smaller, a gap about 25 times smaller.
    big, small = (max(np.linalg.norm(c - s, axis=1).max() for c, s in zip(*panel))
                  for panel in d["panels"])
    assert abs(big / small / (SIZES[0] / SIZES[1]) ** 2 - 1) < 0.25, big / small
    assert (round(big, 2), round(small, 3)) == (0.27, 0.011), (big, small)  # as the alt text says


def draw(d):
    fig, axes = figure(height=2.75, ncols=2)
    for ax, (curved, straight), size in zip(axes, d["panels"], SIZES):
        for line in straight:
            ax.plot(*line.T, color=COLORS["orange"], linewidth=1.1, linestyle=(0, (3, 2)))
        for line in curved:
            ax.plot(*line.T, color=COLORS["blue"], linewidth=1.3)
        ax.plot(*d["f(y)"], "o", color=COLORS["ink"], markersize=4)
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.set_title(f"steps up to {size}")
    axes[0].plot([], [], color=COLORS["blue"], label="f(y + dy)")
    axes[0].plot([], [], color=COLORS["orange"], linestyle=(0, (3, 2)), label="f(y) + J dy")
    fig.legend(loc="outside lower center", ncols=2, frameon=False)
    return fig
