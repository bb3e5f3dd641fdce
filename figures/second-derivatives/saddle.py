"""The loss of the two-weight network, L(w) = ½(1 − w₁w₂)², as level sets in the
plane of the weights: the valley of minima w₁w₂ = 1, the saddle at the origin with
the eigenvectors of its Hessian, and at the valley point (2, 0.5) the flat eigenvector
along the valley. All from the page's `loss`, `gradient` and `hessian`."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/second-derivatives.md"
SADDLE, VALLEY = np.array([0.0, 0.0]), np.array([2.0, 0.5])
LEVELS = [0.08, 0.5, 2.0, 6.0]


def data():
    loss, gradient, hessian = page_functions(PAGE, "loss", "gradient", "hessian")
    grid = np.linspace(-1.6, 2.8, 89)
    points = {}
    for name, w in (("saddle", SADDLE), ("valley", VALLEY)):
        eigenvalues, eigenvectors = np.linalg.eigh(hessian(w))
        h = 1e-5
        jacobian = np.column_stack([(gradient(w + h * e) - gradient(w - h * e)) / (2 * h) for e in np.eye(2)])
        t = 0.3  # the loss a short way along each eigenvector
        along = [[loss(w + s * q) - loss(w) for s in (-t, t)] for q in eigenvectors.T]
        points[name] = {"w": w, "gradient": gradient(w), "hessian": hessian(w), "jacobian": jacobian,
                        "eigenvalues": eigenvalues, "eigenvectors": eigenvectors, "along": np.array(along)}
    return {
        "grid": grid,
        "loss": np.array([[loss(np.array([a, b])) for a in grid] for b in grid]),
        "points": points,
        "on the valley": np.array([loss(np.array([c * VALLEY[0], VALLEY[1] / c])) for c in (0.3, 0.7, 1.5)]),
    }


def check(d):
    saddle, valley = d["points"]["saddle"], d["points"]["valley"]
    for point in (saddle, valley):
        assert not point["gradient"].any()  # both are critical points
        # The Hessian is the Jacobian of the gradient.
        assert np.linalg.norm(point["hessian"] - point["jacobian"]) < 1e-8 * np.linalg.norm(point["hessian"])
    # At the origin: eigenvalues −1 and +1, along the diagonals (1, 1) and (1, −1).
    assert np.allclose(saddle["eigenvalues"], [-1, 1], rtol=0, atol=1e-12)
    q = saddle["eigenvectors"]
    assert abs(abs(q[:, 0] @ [1, 1]) / np.sqrt(2) - 1) < 1e-12 and abs(abs(q[:, 1] @ [1, -1]) / np.sqrt(2) - 1) < 1e-12
    # Downhill both ways along the first, uphill along the second: ½ μ t² to second order.
    assert np.all(saddle["along"][0] < 0) and np.all(saddle["along"][1] > 0)
    assert np.allclose(saddle["along"], 0.5 * saddle["eigenvalues"][:, None] * 0.3**2, rtol=0.1)
    # On the valley at (2, 0.5): eigenvalues 0 and 4.25, the zero one along (γ, −1/γ), where the loss stays 0.
    assert np.allclose(valley["eigenvalues"], [0, 4.25], rtol=0, atol=1e-12)
    flat = valley["eigenvectors"][:, 0]
    assert abs(abs(flat @ [2, -0.5]) / np.linalg.norm([2, -0.5]) - 1) < 1e-12
    assert np.all(d["on the valley"] == 0)
    assert d["loss"].min() >= 0


def _cross(ax, w, eigenvalues, eigenvectors, length, colors, places):
    for mu, q, color, (dx, dy, ha, va) in zip(eigenvalues, eigenvectors.T, colors, places):
        q = q if q[0] > 0 else -q  # each drawn pointing right
        ax.plot([w[0] - length * q[0], w[0] + length * q[0]], [w[1] - length * q[1], w[1] + length * q[1]],
                color=COLORS[color], linewidth=2.2, solid_capstyle="round")
        label = f"μ = {mu:+.3g}".replace("-", "−").replace("+0", "0")
        ax.text(w[0] + dx, w[1] + dy, label, color=COLORS[color], ha=ha, va=va)


def draw(d):
    grid = d["grid"]
    fig, ax = figure(height=4.0)
    ax.contour(grid, grid, d["loss"], levels=LEVELS, colors=COLORS["muted"], linewidths=0.8)
    a = np.linspace(1 / 2.6, 2.8, 80)
    ax.plot(a, 1 / a, color=COLORS["green"], linewidth=2.4)
    ax.plot(-a[a <= 1.6], -1 / a[a <= 1.6], color=COLORS["green"], linewidth=2.4)
    ax.text(1.0, 1.55, "valley w₁w₂ = 1", color=COLORS["green"], va="bottom")
    saddle, valley = d["points"]["saddle"], d["points"]["valley"]
    _cross(ax, saddle["w"], saddle["eigenvalues"], saddle["eigenvectors"], 0.75, ("red", "blue"),
           ((-0.6, -0.6, "right", "top"), (0.6, -0.6, "left", "top")))
    _cross(ax, valley["w"], valley["eigenvalues"], valley["eigenvectors"], 0.5, ("purple", "blue"),
           ((-0.35, -0.12, "right", "top"), (0.05, 0.55, "center", "bottom")))
    ax.plot(*saddle["w"], "o", color=COLORS["ink"], markersize=5)
    ax.plot(*valley["w"], "o", color=COLORS["ink"], markersize=5)
    ax.set_xlabel("w₁")
    ax.set_ylabel("w₂")
    ax.set_aspect("equal")
    ax.set_xlim(grid[0], grid[-1])
    ax.set_ylim(grid[0], grid[-1])
    ax.set_xticks([-1, 0, 1, 2])
    ax.set_yticks([-1, 0, 1, 2])
    return fig
