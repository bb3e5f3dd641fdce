"""What one gradient costs against the number P of parameters, for the network of the
page's script (n = 80 nodes): the script's three methods are run for each P, the
right-hand sides they solve for and the distinct matrices they factorise are counted,
and each count is priced as in the page's table (a factorisation ⅔ n³ flops, a
right-hand side 2 n²)."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/adjoint-method.md"  # the block that includes snippets/adjoint-method/network_cost.py
METHODS = ("differences", "sensitivities", "adjoint")
PARAMETERS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 3160]


def data():
    by_differences, by_sensitivities, by_adjoint, pairs, solve = page_functions(
        PAGE, "by_differences", "by_sensitivities", "by_adjoint", "pairs", "solve")
    namespace = by_adjoint.__globals__  # the script's globals: its `solve` counts right-hand sides
    n = namespace["n"]
    factorised = set()

    def counting_solve(M, rhs):  # the script's solve, noting each matrix (A and Aᵀ share one LU)
        factorised.add(frozenset((hash(M.tobytes()), hash(M.T.tobytes()))))
        return solve(M, rhs)

    namespace["solve"] = counting_solve
    rng = np.random.default_rng(0)
    counts = {name: {"solves": [], "factorisations": []} for name in METHODS}
    errors = {"differences": [], "sensitivities": []}
    for P in PARAMETERS:
        edges, p = pairs[:P], rng.uniform(0.5, 2.0, P)
        grads = {}
        for name, method in zip(METHODS, (by_differences, by_sensitivities, by_adjoint)):
            namespace["solves"] = 0
            factorised.clear()
            grads[name] = method(p, edges)
            counts[name]["solves"].append(namespace["solves"])
            counts[name]["factorisations"].append(len(factorised))
        for name in errors:
            errors[name].append(np.linalg.norm(grads[name] - grads["adjoint"]) / np.linalg.norm(grads["adjoint"]))
    P = np.array(PARAMETERS)
    flops = {name: 2 / 3 * n**3 * np.array(c["factorisations"]) + 2 * n**2 * np.array(c["solves"])
             for name, c in counts.items()}
    return {"n": n, "P": P, "counts": counts, "flops": flops, "errors": errors}


def check(d):
    P, n, counts, flops = d["P"], d["n"], d["counts"], d["flops"]
    # The counts of the page's table: P + 1 solves for both forward methods, 2 for the adjoint;
    # a new matrix for every difference, one factorisation for the other two.
    assert counts["differences"]["solves"] == list(P + 1) == counts["sensitivities"]["solves"]
    assert counts["adjoint"]["solves"] == [2] * len(P)
    assert counts["differences"]["factorisations"] == list(P + 1)
    assert counts["sensitivities"]["factorisations"] == [1] * len(P) == counts["adjoint"]["factorisations"]
    # The three give the same gradient (differences to their truncation error).
    assert max(d["errors"]["sensitivities"]) < 1e-12 and max(d["errors"]["differences"]) < 1e-4
    # With one parameter, sensitivities cost what the adjoint costs; then they grow with P and
    # the adjoint does not; for P much larger than n the ratio is about 3P/n.
    assert flops["sensitivities"][0] == flops["adjoint"][0]
    assert np.all(np.diff(flops["sensitivities"]) > 0) and np.ptp(flops["adjoint"]) == 0
    ratio = flops["sensitivities"][-1] / flops["adjoint"][-1]
    assert 0.9 < ratio / (3 * P[-1] / n) < 1.0
    # Differences cost more at every P, nearly twice the others at P = 1 (two factorisations).
    assert np.all(flops["differences"] > flops["sensitivities"])
    assert 1.9 < flops["differences"][0] / flops["adjoint"][0] < 2
    # The alt text: the adjoint near 3.7 × 10⁵, sensitivities 111 times it at P = 3160, differences
    # past 10⁹; n/3 ≈ 27.
    assert round(flops["adjoint"][0] / 1e5, 1) == 3.7 and round(ratio) == 111 and P[-1] == 3160
    assert flops["differences"][-1] > 1e9 and round(n / 3) == 27


def draw(d):
    P, flops = d["P"], d["flops"]
    fig, ax = figure(height=3.2)
    styles = {"differences": ("red", "forward differences"), "sensitivities": ("orange", "forward sensitivities"),
              "adjoint": ("blue", "adjoint")}
    for name in METHODS:
        color, label = styles[name]
        ax.loglog(P, flops[name], color=COLORS[color], marker="o", markersize=3.5, label=label)
    ratio = flops["sensitivities"][-1] / flops["adjoint"][-1]
    ax.annotate("", xy=(P[-1], flops["adjoint"][-1]), xytext=(P[-1], flops["sensitivities"][-1]),
                arrowprops={"arrowstyle": "<->", "color": COLORS["ink"], "linewidth": 0.9})
    ax.text(P[-1] / 1.3, np.sqrt(flops["adjoint"][-1] * flops["sensitivities"][-1]), f"×{ratio:.0f}", ha="right",
            va="center")
    ax.axvline(d["n"] / 3, color=COLORS["muted"], linewidth=0.9, linestyle=":")
    ax.text(d["n"] / 3 * 1.15, 1.3e5, "P = n/3", color=COLORS["muted"], va="bottom")
    ax.set_xlabel("parameters P")
    ax.set_ylabel(f"flops for one gradient, n = {d['n']}")
    ax.set_ylim(1e5, 1e10)
    ax.grid(True, which="major", linewidth=0.5)
    ax.legend(loc="upper left")
    return fig
