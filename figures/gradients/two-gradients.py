"""One derivative, two gradients: the page's f(x) = x₁²x₂ + sin x₃ at its point x,
drawn in the plane spanned by the gradient for the dot product and the gradient
for the weighted inner product <u, w>_Q = uᵀQw. The derivative u ↦ f'(x)[u] has
straight level lines (perpendicular to the dot-product gradient); each gradient,
normalised in its own norm, is where its unit ball (a circle, an ellipse) touches
the highest level line it can reach."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/gradients.md"


def data():
    f, derivative, Q, gradients, products = page_functions(PAGE, "f", "derivative", "Q", "gradients", "products")
    x = f.__globals__["x"]  # the block's point (a tuple assignment, x, v = ..., so not a name page_functions finds)
    g_dot, g_q = gradients["dot"], gradients["Q"]
    # An orthonormal basis of the plane of both gradients: e1 along the dot gradient.
    e1 = g_dot / np.linalg.norm(g_dot)
    across = g_q - (g_q @ e1) * e1
    e2 = across / np.linalg.norm(across)
    basis = np.column_stack([e2, e1])  # plane coordinates (across, along)
    unit_dot = g_dot / np.sqrt(products["dot"](g_dot, g_dot))
    unit_q = g_q / np.sqrt(products["Q"](g_q, g_q))
    theta = np.linspace(0, 2 * np.pi, 721)
    circle = np.column_stack([np.cos(theta), np.sin(theta)])  # plane points, in the dot norm
    # The same directions scaled to Q-length 1: the ellipse uᵀQu = 1 within the plane.
    q_lengths = np.sqrt(np.einsum("ij,jk,ik->i", circle @ basis.T, Q, circle @ basis.T))
    ellipse = circle / q_lengths[:, None]
    h = 1e-5

    def rate(u):  # f'(x)[u] by a central difference of the page's f
        return (f(x + h * u) - f(x - h * u)) / (2 * h)

    return {
        "circle": circle, "ellipse": ellipse,
        "rates circle": (circle @ basis.T) @ derivative,  # f'(x)[u] on each ball
        "rates ellipse": (ellipse @ basis.T) @ derivative,
        "unit dot": basis.T @ unit_dot, "unit Q": basis.T @ unit_q,
        "unit dot 3d": unit_dot, "unit Q 3d": unit_q,
        "rate dot": rate(unit_dot), "rate Q": rate(unit_q),
        "norm dot": np.sqrt(products["dot"](g_dot, g_dot)), "norm Q": np.sqrt(products["Q"](g_q, g_q)),
        "Q": Q, "derivative": derivative, "gradient length": np.linalg.norm(g_dot),
    }


def check(d):
    # Each gradient, normalised in its own norm, gives the rate ‖∇f‖ (its own norm): central differences.
    assert abs(d["rate dot"] - d["norm dot"]) < 1e-8 * d["norm dot"]
    assert abs(d["rate Q"] - d["norm Q"]) < 1e-8 * d["norm Q"]
    # ... and no point of its unit ball does better: the ball touches the level line f'(x)[u] = ‖∇f‖ there.
    for ball, unit, norm in (("circle", "unit dot", "norm dot"), ("ellipse", "unit Q", "norm Q")):
        rates = d[f"rates {ball}"]
        assert rates.max() <= d[norm] * (1 + 1e-12)
        best = d[ball][np.argmax(rates)]
        assert np.linalg.norm(best - d[unit]) < 0.01 * np.linalg.norm(d[unit]), ball
    # The unit vectors lie in the plane drawn, and the ellipse's normal Q u there is parallel to f'(x).
    assert abs(np.linalg.norm(d["unit Q"]) - np.linalg.norm(d["unit Q 3d"])) < 1e-12
    normal = d["Q"] @ d["unit Q 3d"]
    assert np.linalg.norm(np.cross(normal, d["derivative"])) < 1e-12 * np.linalg.norm(normal) * np.linalg.norm(
        d["derivative"])
    # The Q gradient is not perpendicular to the level lines: it leans away from the dot gradient.
    lean = np.degrees(np.arctan2(d["unit Q"][0], d["unit Q"][1]))
    assert 10 < lean < 30, lean
    # The numbers of the alt text: the levels 0.80 and 0.27, and a lean of about 18°.
    assert (round(d["norm dot"], 2), round(d["norm Q"], 2), round(lean)) == (0.80, 0.27, 18), lean
    assert abs(d["unit dot"][0]) < 1e-12 and abs(d["unit dot"][1] - 1) < 1e-12


def draw(d):
    fig, ax = figure(height=3.3)
    along = d["gradient length"]  # f'(x)[u] is ‖∇f‖ times the height of u
    lines = [(0.4, COLORS["muted"], "solid"), (0.6, COLORS["muted"], "solid"),
             (d["norm Q"], COLORS["orange"], (0, (4, 3))), (d["norm dot"], COLORS["blue"], (0, (4, 3)))]
    for level, color, style in lines:
        ax.axhline(level / along, color=COLORS["grid"] if style == "solid" else color, linewidth=0.8,
                   linestyle=style, zorder=0)
        label = f"{level:g}" if style == "solid" else f"{level:.2f}"
        ax.text(1.36, level / along, label, color=color, ha="right", va="bottom")
    ax.text(-1.35, 1.04, "level lines of u ↦ f′(x)[u]", color=COLORS["muted"], va="bottom")
    ax.plot(*d["circle"].T, color=COLORS["blue"])
    ax.plot(*d["ellipse"].T, color=COLORS["orange"])
    arrow = dict(arrowstyle="-|>", mutation_scale=12, linewidth=1.6, shrinkA=0, shrinkB=0)
    for unit, color in (("unit dot", COLORS["blue"]), ("unit Q", COLORS["orange"])):
        ax.annotate("", xy=d[unit], xytext=(0, 0), arrowprops=dict(arrow, color=color))
    ax.plot([0], [0], "o", color=COLORS["ink"], markersize=3)
    ax.text(-0.05, 0.68, "∇f", color=COLORS["blue"], ha="right")
    ax.text(d["unit Q"][0] + 0.06, d["unit Q"][1] - 0.06, "Q⁻¹∇f", color=COLORS["orange"], ha="left", va="top")
    ax.text(0.72, -0.84, "uᵀu = 1", color=COLORS["blue"], ha="left")
    ax.text(0.30, -0.52, "uᵀQu = 1", color=COLORS["orange"], ha="left")
    ax.set_xlim(-1.36, 1.36)
    ax.set_ylim(-1.05, 1.17)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig
