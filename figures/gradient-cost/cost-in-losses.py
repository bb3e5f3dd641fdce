"""The cost of one gradient in losses, against the number of inputs n of the
lab's network (32 hidden units, 10 classes): central differences need 2P loss
evaluations, P the number of parameters; reverse mode costs 2 + c/(n + c) losses
in matrix-product work. The differences are counted by the page's counting loss
(at n = 16, the size it runs) and its parameter count; the reverse-mode ratios by
the page's engine with its counting matrix product."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/gradient-cost.md"
INPUTS = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096]
HIDDEN, CLASSES, BATCH = 32, 10, 128


def data():
    # The first check: the engine's central differences, counting the loss evaluations (n = 16).
    counted_loss, params = page_functions(PAGE, "counted_loss", "params")
    evaluated = {"n": params[0].shape[1], "evaluations": counted_loss.__globals__["evaluations"],
                 "P": sum(p.size for p in params)}
    # The second: the engine with a matrix product that counts multiply-adds, run as that check runs it.
    counts, Tape, loss, init_params = page_functions(PAGE, "counts", "Tape", "loss", "init_params")
    rng = np.random.default_rng(1)
    parameters, ratios = [], []
    for n in INPUTS:
        params = init_params(rng, n, HIDDEN, CLASSES)
        x = rng.standard_normal((n, BATCH))
        y = np.eye(CLASSES)[:, rng.integers(0, CLASSES, size=BATCH)]
        counts.update(forward=0, backward=0)
        tape = Tape()
        variables = [tape.variable(p) for p in params]
        out = loss(variables, x, y)
        loss_work = counts["forward"]
        tape.gradient(out, variables)
        ratios.append((loss_work + counts["backward"]) / loss_work)
        parameters.append(sum(p.size for p in params))
    return {"n": np.array(INPUTS), "P": np.array(parameters), "ratio": np.array(ratios), "evaluated": evaluated}


def check(d):
    n, P, m, c = d["n"], d["P"], HIDDEN, CLASSES
    assert np.array_equal(P, m * n + m + c * m + c)
    # The differences counted: 2P evaluations (1748 at n = 16).
    counted = d["evaluated"]
    assert counted["evaluations"] == 2 * counted["P"] == 2 * (m * counted["n"] + m + c * m + c) == 1748
    # Reverse mode: 2 + c/(n + c) losses, between 2 and 3, falling towards 2.
    assert np.allclose(d["ratio"], 2 + c / (n + c), rtol=1e-12, atol=0)
    assert np.all((2 < d["ratio"]) & (d["ratio"] < 3)) and np.all(np.diff(d["ratio"]) < 0)
    # The gap: from hundreds to over a hundred thousand times.
    gap = 2 * P / d["ratio"]
    assert gap[0] > 700 and gap[-1] > 1e5


def draw(d):
    fig, ax = figure(height=3.0)
    # Log-spaced inputs on a linear axis of log2 n: the kit writes log-axis labels as powers of ten only.
    at = np.log2(d["n"])
    ax.plot(at, 2 * d["P"], "o-", color=COLORS["orange"], markersize=3.5)
    ax.plot(at, d["ratio"], "o-", color=COLORS["blue"], markersize=3.5)
    ax.set_yscale("log")
    ax.text(7.6, 8e4, "central differences: 2P", color=COLORS["orange"], ha="center")
    ax.text(8.6, 13, "reverse mode: 2 + c/(n + c)", color=COLORS["blue"], ha="center")
    lab = list(d["n"]).index(64)
    ax.annotate(f"{2 * d['P'][lab]:,}", xy=(6, 2 * d["P"][lab]), xytext=(6, -4), textcoords="offset points",
                color=COLORS["orange"], va="top")
    ax.axvline(6, color=COLORS["grid"], linewidth=0.8, zorder=0)
    ax.text(6.12, 2.6, f"{d['ratio'][lab]:.2f}", color=COLORS["blue"], va="bottom")
    ax.text(6, 2.5e6, "the lab", ha="center", va="bottom", color=COLORS["muted"])
    ax.set_xlabel("inputs n")
    ax.set_ylabel("cost of a gradient, in losses")
    ax.set_ylim(1, 2.5e6)
    ax.set_xticks(at[::2], [str(n) for n in d["n"][::2]])
    ax.grid(True, which="major", axis="y", linewidth=0.5)
    return fig
