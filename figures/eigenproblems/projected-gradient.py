"""The projected gradient on the sphere, drawn in the plane through the unit vector x and
the gradient g = ∇f(x) of the page's first check (f = log-sum-exp of W x in R⁵): the
great circle of that plane, its tangent line at x, g drawn from x, and its projection
(I − x xᵀ) g on the tangent line; the part of g along x is invisible from the sphere."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/eigenproblems.md"


def data():
    f, grad_f, on_sphere, x, v = page_functions(PAGE, "f", "grad_f", "on_sphere", "x", "v")
    n = len(x)
    g = grad_f(x)
    projected = (np.eye(n) - np.outer(x, x)) @ g
    tangent = projected / np.linalg.norm(projected)  # the unit tangent of the plane
    h = 1e-5

    def along_circle(s):  # f on the great circle through x in the plane of x and g
        return f(np.cos(s) * x + np.sin(s) * tangent)

    def along_v(s):  # the curve of the page's check, not tangent at the start
        return f(on_sphere(x + s * v))

    return {
        "x": x, "g": g, "projected": projected, "tangent": tangent, "v": v,
        # the whole gradient in R⁵, by central differences of f (its part along x included)
        "central gradient": np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(n)]),
        "rate along circle": (along_circle(h) - along_circle(-h)) / (2 * h),
        "rate along v": (along_v(h) - along_v(-h)) / (2 * h),
        # plane coordinates (along the tangent, along x)
        "g in plane": np.array([g @ tangent, g @ x]),
        "projected in plane": np.array([projected @ tangent, projected @ x]),
    }


def check(d):
    x, g, projected, tangent = d["x"], d["g"], d["projected"], d["tangent"]
    # the arrow ∇f(x) is the gradient of f in R⁵, the part along x too, which the sphere cannot test
    assert np.linalg.norm(g - d["central gradient"]) < 1e-9 * np.linalg.norm(g)
    # (I − x xᵀ) g lies in the tangent plane, and g is it plus its part along x
    assert abs(projected @ x) < 1e-12 * np.linalg.norm(g)
    assert np.allclose(g, projected + (g @ x) * x, rtol=0, atol=1e-14)
    # the plane of the picture holds g: nothing of it is left out
    assert abs(np.linalg.norm(d["g in plane"]) - np.linalg.norm(g)) < 1e-12
    # along the great circle f changes at the rate |(I − x xᵀ) g| ...
    assert abs(d["rate along circle"] / np.linalg.norm(projected) - 1) < 1e-6
    # ... and along any curve on the sphere at (I − x xᵀ) g · v, which the plain g misses
    assert abs(d["rate along v"] / (projected @ d["v"]) - 1) < 1e-6
    assert abs(g @ d["v"] - d["rate along v"]) > 0.3 * abs(d["rate along v"])
    # the part along x is large enough to see
    assert abs(g @ x) > 0.3 * np.linalg.norm(g)
    # as the alt text says: the gradient points right and down, its tip inside the circle and
    # inside the drawing
    gx, gy = d["g in plane"]
    assert gx > 0 and gy < 0 and np.hypot(gx, 1 + gy) < 1 and gx < 0.7 and 1 + gy > 0.4


def draw(d):
    fig, ax = figure(height=2.15)
    s = np.linspace(-0.9, 0.9, 91)
    ax.plot(np.sin(s), np.cos(s), color=COLORS["muted"], linewidth=1.2)
    ax.text(-0.93, 0.5, "‖x‖ = 1", color=COLORS["muted"])
    ax.plot([-0.95, 0.95], [1, 1], color=COLORS["muted"], linewidth=1, linestyle=(0, (4, 3)))
    ax.text(-0.95, 1.04, "tangent line", color=COLORS["muted"], va="bottom")
    arrow = {"arrowstyle": "-|>,head_length=0.6,head_width=0.25", "shrinkA": 0, "shrinkB": 0,
             "linewidth": 1.6}
    ax.annotate("", xy=(0, 1), xytext=(0, 0.3), arrowprops=arrow | {"color": COLORS["ink"]})
    ax.text(-0.04, 0.5, "x", color=COLORS["ink"], ha="right")
    gx, gy = d["g in plane"]
    px, _ = d["projected in plane"]
    ax.annotate("", xy=(gx, 1 + gy), xytext=(0, 1), arrowprops=arrow | {"color": COLORS["blue"]})
    ax.annotate("", xy=(px, 1), xytext=(0, 1), arrowprops=arrow | {"color": COLORS["orange"]})
    ax.plot([gx, px], [1 + gy, 1], color=COLORS["ink"], linestyle=":", linewidth=1.2)
    ax.text(gx + 0.04, 1 + gy, "∇f(x)", color=COLORS["blue"], va="center")
    ax.text(px / 2, 1.04, "(I − xxᵀ)∇f(x)", color=COLORS["orange"], va="bottom", ha="left")
    ax.text(gx + 0.04, 1 + gy / 2 + 0.05, "part along x", color=COLORS["ink"], va="center")
    ax.set_aspect("equal")
    ax.set_xlim(-0.95, 0.95)
    ax.set_ylim(0.3, 1.2)
    ax.axis("off")
    return fig
