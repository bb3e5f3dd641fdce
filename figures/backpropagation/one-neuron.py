"""Backpropagation through one hidden neuron: the page's network with 4 inputs,
3 tanh neurons and one output, the neuron k it follows highlighted. The shared
factor ∂E/∂y = y − t is computed once at the output, becomes ∂E/∂z_k at neuron k,
and each weight into the neuron gets ∂E/∂z_k times its input. The numbers are the
page's; the engine of the page gives the same gradient."""

import numpy as np
from matplotlib.patches import Circle, FancyBboxPatch
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/backpropagation.md"


def data():
    error, dE_dz_k, grad_w_k, numeric_w, numeric_z, h, y = page_functions(
        PAGE, "error", "dE_dz_k", "grad_w_k", "numeric_w", "numeric_z", "h", "y")
    block = error.__globals__  # W, v, x, t and k come from tuple assignments: read them from the block
    W, v, x, t, k = (block[name] for name in ("W", "v", "x", "t", "k"))
    # The same gradient from the page's reverse-mode engine (column vectors, as the engine expects).
    Tape, tanh, total = page_functions(PAGE, "Tape", "tanh", "total")
    tape = Tape()
    weights = tape.variable(W)
    residual = v[None, :] @ tanh(weights @ x[:, None]) + (-t)
    (engine,) = tape.gradient(0.5 * total(residual * residual), [weights])
    return {"x": x, "t": t, "v": v, "k": k, "h": h, "y": y, "E": error(W), "dE/dz_k": dE_dz_k,
            "grad w_k": grad_w_k, "numeric w": numeric_w, "numeric z": numeric_z, "engine": engine}


def check(d):
    k = d["k"]
    # The gradients drawn are the partial derivatives (central differences), and the engine agrees.
    assert np.linalg.norm(d["grad w_k"] - d["numeric w"]) < 1e-9 * np.linalg.norm(d["numeric w"])
    assert abs(d["dE/dz_k"] - d["numeric z"]) < 1e-9 * abs(d["numeric z"])
    assert np.linalg.norm(d["engine"][k] - d["grad w_k"]) < 1e-12 * np.linalg.norm(d["grad w_k"])
    # The chain drawn: y − t, times v_k and 1 − h_k², is ∂E/∂z_k; each weight gets it times its input.
    assert abs(d["dE/dz_k"] - (d["y"] - d["t"]) * d["v"][k] * (1 - d["h"][k] ** 2)) < 1e-15
    assert np.array_equal(d["grad w_k"], d["dE/dz_k"] * d["x"])
    assert abs(d["E"] - 0.5 * (d["y"] - d["t"]) ** 2) < 1e-15
    # The numbers of the alt text, as drawn.
    assert [_number(v) for v in d["x"]] == ["−0.73", "−0.54", "−0.32", "0.41"]
    assert [_number(v) for v in d["grad w_k"]] == ["−0.19", "−0.14", "−0.08", "0.11"]
    assert (_number(d["y"] - d["t"]), _number(d["dE/dz_k"]), k) == ("−1.23", "0.26", 1)  # k: the middle neuron


def _number(x):
    return f"{x + 0.0:.2f}".replace("-", "−")


def draw(d):
    fig, ax = figure(height=3.0)
    n, m, k = len(d["x"]), len(d["v"]), d["k"]
    inputs = [(0.0, 3.0 - j) for j in range(n)]
    hidden = [(2.7, 2.5 - i) for i in range(m)]
    output, loss = (4.3, 1.5), (5.55, 1.5)
    radius = 0.2
    for i, (hx, hy) in enumerate(hidden):
        for j, (ix, iy) in enumerate(inputs):
            on = i == k
            ax.plot([ix + radius, hx - radius], [iy, hy], color=COLORS["blue"] if on else COLORS["grid"],
                    linewidth=1.4 if on else 0.9, zorder=1 if on else 0)
        on = i == k
        ax.plot([hx + radius, output[0] - radius], [hy, output[1]], color=COLORS["blue"] if on else COLORS["grid"],
                linewidth=1.4 if on else 0.9, zorder=1 if on else 0)
        ax.add_patch(Circle((hx, hy), radius, facecolor=COLORS["fill"] if on else COLORS["background"],
                            edgecolor=COLORS["ink"] if on else COLORS["muted"], linewidth=1, zorder=2))
    ax.text(hidden[k][0], hidden[k][1], "k", ha="center", va="center", color=COLORS["ink"], zorder=3)
    ax.add_patch(Circle(output, radius, facecolor=COLORS["fill"], edgecolor=COLORS["ink"], linewidth=1, zorder=2))
    ax.text(*output, "y", ha="center", va="center", color=COLORS["ink"], zorder=3)
    ax.plot([output[0] + radius, loss[0] - 0.12], [output[1]] * 2, color=COLORS["blue"], linewidth=1.4)
    ax.text(loss[0], loss[1], "E", ha="left", va="center", color=COLORS["ink"])
    # Forward values in ink, gradients in red.
    for j, (ix, iy) in enumerate(inputs):
        ax.add_patch(Circle((ix, iy), radius, facecolor=COLORS["background"], edgecolor=COLORS["muted"],
                            linewidth=1, zorder=2))
        ax.text(ix, iy, f"x{'₁₂₃₄₅₆'[j]}", ha="center", va="center", color=COLORS["ink"], zorder=3)
        ax.text(ix - radius - 0.06, iy, _number(d["x"][j]), ha="right", va="center", color=COLORS["ink"])
        hx, hy = hidden[k]
        at = 0.36
        label = _number(d["grad w_k"][j])
        length = np.hypot(hx - ix, hy - iy)
        normal = np.array([-(hy - iy), hx - ix]) / length  # the upper side of the edge
        distance = abs(normal[0]) * 3.2 * len(label) + abs(normal[1]) * 5.5 + 4
        ax.annotate(label, xy=(ix + at * (hx - ix), iy + at * (hy - iy)), xytext=tuple(distance * normal),
                    textcoords="offset points", ha="center", va="center", color=COLORS["red"], zorder=4,
                    bbox=dict(facecolor=COLORS["background"], edgecolor="none", pad=0.3))
    ax.text(output[0], output[1] + 0.28, f"y − t = {_number(d['y'] - d['t'])}", ha="center", va="bottom",
            color=COLORS["red"])
    hx, hy = hidden[k]
    ax.text(hx + 0.05, hy - 0.3, f"∂E/∂zₖ = {_number(d['dE/dz_k'])}", ha="left", va="top", color=COLORS["red"])
    ax.text(-0.95, -0.65, "values", ha="left", va="center", color=COLORS["ink"])
    ax.text(0.35, -0.65, "gradients, from E back", ha="left", va="center", color=COLORS["red"])
    ax.set_xlim(-1.0, 5.85)
    ax.set_ylim(-0.9, 3.3)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig
