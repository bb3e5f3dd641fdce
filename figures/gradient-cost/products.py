"""Where the multiply-adds of a gradient go: the matrix products of the loss (the
forward pass) and of the backward pass of the lab's network with 16 inputs, 32
hidden units, 10 classes and a batch of 128, each counted by the page's engine
with its counting matrix product, as the page's check runs it. The backward pass
has one product per parameter matrix and one for H; the product for X̄ is never formed."""

import numpy as np
from matplotlib.patches import Rectangle
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/gradient-cost.md"
n, m, c, BATCH = 16, 32, 10, 128
# The products in the order the engine runs them (check() asserts the order from the tape).
FORWARD = ["W₁X", "W₂H"]
BACKWARD = ["Z̄Hᵀ", "W₂ᵀZ̄", "ĀXᵀ"]  # W̄₂, H̄, W̄₁


def data():
    counts, Tape, loss, init_params = page_functions(PAGE, "counts", "Tape", "loss", "init_params")
    scope = loss.__globals__  # the block's namespace: its counting matmul is the one the engine calls
    page_matmul, forward = scope["matmul"], []

    def matmul(a, b):  # the page's counting product, with each call's count noted
        before = counts["forward"]
        result = page_matmul(a, b)
        forward.append(counts["forward"] - before)
        return result

    scope["matmul"] = matmul
    rng = np.random.default_rng(1)
    params = init_params(rng, n, m, c)
    x = rng.standard_normal((n, BATCH))
    y = np.eye(c)[:, rng.integers(0, c, size=BATCH)]
    counts.update(forward=0, backward=0)
    tape = Tape()
    variables = [tape.variable(p) for p in params]
    out = loss(variables, x, y)
    backward = []

    def noted(index, parent, vjp):
        def run(g):
            before = counts["backward"]
            result = vjp(g)
            if counts["backward"] > before:  # a product
                backward.append((index, parent, counts["backward"] - before))
            return result
        return run

    tape.entries = [tuple((parent, noted(index, parent, vjp)) for parent, vjp in entry)
                    for index, entry in enumerate(tape.entries)]
    tape.gradient(out, variables)
    return {"forward": forward, "backward": backward, "totals": dict(counts),
            "links of W1 X": len(tape.entries[len(variables)]), "variables": len(variables)}


def check(d):
    mn, cm = BATCH * m * n, BATCH * c * m
    # The loss: W1 X and W2 H; B(mn + cm) multiply-adds.
    assert d["forward"] == [mn, cm] and d["totals"]["forward"] == mn + cm
    # Backward, from the end of the tape: W2's and H's VJPs of W2 H (Bcm each), then W1's of W1 X (Bmn).
    # X is data: W1 X records one VJP only, so no product for X̄ is ever run.
    first = d["variables"]  # the tape entry of W1 X
    assert d["links of W1 X"] == 1
    assert [(parent, cost) for _, parent, cost in d["backward"]] == [(2, cm), (first + 2, cm), (0, mn)]
    assert d["backward"][2][0] == first
    assert d["totals"]["backward"] == mn + 2 * cm
    ratio = sum(d["totals"].values()) / d["totals"]["forward"]
    assert abs(ratio - (2 + c / (n + c))) < 1e-12


def draw(d):
    fig, ax = figure(height=2.2)
    rows = [(d["forward"], FORWARD, 1.0), ([cost for *_, cost in d["backward"]], BACKWARD, 0.0)]
    scale = 1e-3  # thousands
    ends = []
    for costs, names, y in rows:
        left = 0.0
        for cost, name in zip(costs, names):
            ax.add_patch(Rectangle((left, y - 0.3), cost * scale, 0.6, facecolor=COLORS["fill"],
                                   edgecolor=COLORS["ink"], linewidth=0.9))
            ax.text(left + cost * scale / 2, y, name, ha="center", va="center", color=COLORS["ink"])
            left += cost * scale
        ends.append(left)
    ax.text(ends[0] + 3, 1.0, f"{ends[0]:.0f}k", ha="left", va="center", color=COLORS["ink"])
    ax.text(ends[1], 0.34, f"{ends[1]:.0f}k", ha="center", va="bottom", color=COLORS["ink"])
    # The product for the data, X̄ = W1ᵀĀ, as large as W1 X: never run.
    ghost = d["forward"][0] * scale
    ax.add_patch(Rectangle((ends[1], -0.3), ghost, 0.6, facecolor="none", edgecolor=COLORS["muted"],
                           linewidth=0.9, linestyle=(0, (3, 2))))
    ax.text(ends[1] + ghost / 2, 0, "X̄ = W₁ᵀĀ", ha="center", va="center", color=COLORS["muted"])
    ax.set_yticks([1, 0], ["loss", "backward"])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.set_ylim(-0.45, 1.45)
    ax.set_xlim(0, ends[1] + ghost + 1)
    ax.set_xlabel("multiply-adds (thousands)")
    return fig
