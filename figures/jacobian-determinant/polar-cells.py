"""Polar coordinates: equal cells dr × dθ of the (r, θ) rectangle and their images under the
page's map p(r, θ) = (r cos θ, r sin θ), pieces of annuli whose areas grow like r: r dr dθ."""

import numpy as np
import sympy as sp
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/jacobian-determinant.md"
DR, DTHETA = 0.25, np.pi / 8
ROW = 2  # the band of θ whose cells are coloured
SHADES = ["blue", "orange", "green", "purple"]


def cell_boundary(r0, t0, points=60):
    """The boundary of the cell [r0, r0 + DR] × [t0, t0 + DTHETA], counterclockwise in (r, θ)."""
    s = np.linspace(0, 1, points, endpoint=False)
    return np.vstack([
        np.column_stack([r0 + DR * s, np.full_like(s, t0)]),
        np.column_stack([np.full_like(s, r0 + DR), t0 + DTHETA * s]),
        np.column_stack([r0 + DR * (1 - s), np.full_like(s, t0 + DTHETA)]),
        np.column_stack([np.full_like(s, r0), t0 + DTHETA * (1 - s)]),
    ])


def data():
    polar = page_functions(PAGE, "polar")
    signed_area = page_functions(PAGE, "signed_area")
    r, theta = sorted(polar.free_symbols, key=lambda symbol: symbol.name)
    det = sp.simplify(polar.jacobian([r, theta]).det())
    to_plane = sp.lambdify((r, theta), list(polar), "numpy")

    def image(cells):
        x, y = to_plane(cells[:, 0], cells[:, 1])
        return np.column_stack([x, y])

    det_at = sp.lambdify((r, theta), det, "numpy")
    rs = DR * np.arange(4)
    t0 = ROW * DTHETA
    cells = [cell_boundary(r0, t0) for r0 in rs]
    images = [image(cell) for cell in cells]
    grid_r = np.linspace(0, 1, 5)
    grid_t = np.linspace(0, np.pi / 2, 5)
    arc = np.linspace(0, np.pi / 2, 60)
    return {
        "det": str(det),
        "cells": cells,
        "images": images,
        "areas": np.array([signed_area(im) for im in images]),
        "det at centres": np.array([det_at(r0 + DR / 2, t0 + DTHETA / 2) for r0 in rs]),
        "rays": [image(np.column_stack([grid_r, np.full(5, t)])) for t in grid_t],
        "arcs": [image(np.column_stack([np.full_like(arc, rr), arc])) for rr in grid_r[1:]],
        "grid r": grid_r,
        "grid theta": grid_t,
    }


def check(d):
    assert d["det"] == "r"
    # Each image cell, measured with the shoelace formula, has area det J × dr dθ at the cell's
    # middle radius (exact for a piece of an annulus, up to the polygon's sampling).
    ratio = d["areas"] / (DR * DTHETA)
    assert np.allclose(ratio, d["det at centres"], rtol=1e-3), (ratio, d["det at centres"])
    assert np.allclose(ratio, [0.125, 0.375, 0.625, 0.875], rtol=1e-3)
    # Equal cells in (r, θ): the outer image is 7 times the inner one.
    assert abs(d["areas"][-1] / d["areas"][0] - 7) < 1e-3


def draw(d):
    fig, (left, right) = figure(height=2.45, ncols=2, width_ratios=[1.25, 1])
    for rr in d["grid r"]:
        left.plot([rr, rr], [0, np.pi / 2], color=COLORS["grid"], linewidth=1)
    for t in d["grid theta"]:
        left.plot([0, 1], [t, t], color=COLORS["grid"], linewidth=1)
    for ray in d["rays"]:
        right.plot(*ray.T, color=COLORS["grid"], linewidth=1)
    for arc in d["arcs"]:
        right.plot(*arc.T, color=COLORS["grid"], linewidth=1)
    for cell, image, area, shade in zip(d["cells"], d["images"], d["areas"], SHADES):
        left.fill(*cell.T, color=COLORS[shade])
        right.fill(*image.T, color=COLORS[shade])
    left.set_title("equal cells dr × dθ")
    right.set_title("areas 1 : 3 : 5 : 7")
    left.set_xlabel("r")
    left.set_ylabel("θ")
    left.set_xticks([0, 0.5, 1], ["0", "0.5", "1"])
    left.set_yticks([0, np.pi / 4, np.pi / 2], ["0", "π/4", "π/2"])
    left.set_xlim(0, 1.02)
    left.set_ylim(0, np.pi / 2 + 0.03)
    right.set_aspect("equal")
    right.set_xlabel("x")
    right.set_ylabel("y")
    right.set_xticks([0, 1])
    right.set_yticks([0, 1])
    right.set_xlim(0, 1.02)
    right.set_ylim(0, 1.02)
    return fig
