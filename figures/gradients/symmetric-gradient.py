"""The gradient on symmetric matrices: for the page's f(S) = aᵀSb + log det S on a
3 × 3 symmetric positive definite S, the two candidate gradients side by side.
sym(G) and G + Gᵀ − G∘I agree on the diagonal; off the diagonal the second is
twice the first. Under each, the relative error of <candidate, V> against the
page's central differences along its five random symmetric directions V."""

import numpy as np
from matplotlib.patches import Rectangle
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/gradients.md"
SHOWN = ("sym(G)", "G + G^T - G o I")
TITLES = {"sym(G)": "sym(G)", "G + G^T - G o I": "G + Gᵀ − G∘I"}


def data():
    f, S, V, candidates = page_functions(PAGE, "f", "S", "V", "candidates")
    h = 1e-5
    numeric = np.array([(f(S + h * v) - f(S - h * v)) / (2 * h) for v in V])
    errors = {}
    for name, Gs in candidates.items():
        claimed = np.array([np.sum(Gs * v) for v in V])  # the Frobenius <Gs, V>
        errors[name] = np.linalg.norm(numeric - claimed) / np.linalg.norm(claimed)
    return {"matrices": {name: candidates[name] for name in SHOWN}, "errors": errors,
            "V symmetric": all(np.allclose(v, v.T) for v in V)}


def check(d):
    sym, coordinate = (d["matrices"][name] for name in SHOWN)
    diagonal = np.eye(len(sym), dtype=bool)
    assert d["V symmetric"] and np.array_equal(sym, sym.T) and np.array_equal(coordinate, coordinate.T)
    # The same diagonal, and twice the off-diagonal entries (exact algebra).
    assert np.allclose(coordinate[diagonal], sym[diagonal], rtol=1e-12, atol=0)
    assert np.allclose(coordinate[~diagonal], 2 * sym[~diagonal], rtol=1e-12, atol=0)
    assert np.all(abs(sym[~diagonal]) > 0.1)  # the doubling shows
    # Only sym(G) (and the unsymmetric G) gives f's rate along symmetric directions.
    errors = d["errors"]
    assert errors["sym(G)"] < 1e-8 and errors["G (not symmetric)"] < 1e-8
    assert errors["G + G^T - G o I"] > 0.1
    # The numbers of the alt text (those drawn, to two decimals).
    assert np.round(sym, 2).tolist() == [[1.32, 1.32, -0.48], [1.32, 1.31, -0.25], [-0.48, -0.25, 0.23]], sym
    assert round(errors["G + G^T - G o I"], 2) == 0.44


def draw(d):
    fig, axes = figure(height=2.35, ncols=2)
    for ax, name in zip(axes, SHOWN):
        M = d["matrices"][name]
        n = len(M)
        for i in range(n):
            for j in range(n):
                off = i != j
                ax.add_patch(Rectangle(
                    (j, n - 1 - i), 1, 1, facecolor="none", edgecolor=COLORS["grid"], linewidth=0.8))
                color = COLORS["orange"] if off and name != "sym(G)" else COLORS["ink"]
                ax.text(j + 0.5, n - 0.5 - i, f"{M[i, j]:.2f}".replace("-", "−"), ha="center", va="center",
                        color=color)
        ax.set_xlim(-0.02, n + 0.02)
        ax.set_ylim(-0.75, n + 0.02)
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_title(TITLES[name], color=COLORS["ink"])
        error = d["errors"][name]
        verdict = "rate error < 10⁻⁸" if error < 1e-8 else f"rate error {error:.2f}"
        ax.text(n / 2, -0.4, verdict, ha="center", va="center",
                color=COLORS["green"] if error < 1e-8 else COLORS["red"])
    return fig
