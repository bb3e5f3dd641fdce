"""The standard error of three unbiased estimators of ∂/∂μ E[x⁴] (x ~ N(0.7, 1.3²)) against
the number of samples, on log axes: pathwise (4x³), score function (x⁴ (x − μ)/σ²) and score
function with the optimal baseline. Markers: the standard errors measured on the first N of
the page's seeded samples; lines: √(V/N) with the page's closed-form variances. All fall with
slope −1/2; the variance sets how many samples a given accuracy costs."""

import numpy as np
import sympy as sp
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/random-functions.md"
SAMPLES = np.unique(np.round(np.logspace(1, 6, 11)).astype(int))


def data():
    # the section Comparing the variances: per-sample values in ε, their means and variances
    estimators, e, point = page_functions(PAGE, "estimators", "e", "point")
    eps = sp.Symbol("epsilon", real=True)
    # the section Baselines: (f(x) − b) s(x) and its variance, a quadratic in b
    per_sample, variance, b_best, exact, eps_baseline = page_functions(
        PAGE, "per_sample", "variance", "b_best", "exact", "eps")
    values = {
        "pathwise": sp.lambdify(eps, estimators["pathwise d/dmu"][0].subs(point), "numpy")(e),
        "score": sp.lambdify(eps, estimators["score d/dmu"][0].subs(point), "numpy")(e),
        "score, optimal baseline": per_sample(b_best, eps_baseline),
    }
    closed = {
        "pathwise": float(estimators["pathwise d/dmu"][2].subs(point)),
        "score": float(estimators["score d/dmu"][2].subs(point)),
        "score, optimal baseline": variance(b_best),
    }
    return {
        "N": SAMPLES, "exact": exact, "variance": closed, "score variance by b": variance(0.0),
        "b_best": b_best, "variance beside b_best": [variance(b_best - 1.0), variance(b_best + 1.0)],
        "se": {name: np.array([g[:n].std(ddof=1) / np.sqrt(n) for n in SAMPLES]) for name, g in values.items()},
        "mean": {name: g.mean() for name, g in values.items()},
        "sampled variance": {name: g.var(ddof=1) for name, g in values.items()},
        "fourth moment": {name: np.mean((g - g.mean()) ** 4) for name, g in values.items()},
        "count": len(e),
    }


def check(d):
    N, count = d["N"], d["count"]
    V = d["variance"]
    # the two closed forms of the score's variance agree (baseline b = 0)
    assert abs(d["score variance by b"] - V["score"]) < 1e-9 * V["score"]
    # the orders: score > with the optimal baseline > pathwise; score / pathwise about 4.4
    assert V["score"] > V["score, optimal baseline"] > V["pathwise"]
    assert 4.3 < V["score"] / V["pathwise"] < 4.5
    # the baseline drawn is the optimal one: the page's variance is smallest there
    assert min(d["variance beside b_best"]) > V["score, optimal baseline"]
    # The alt text: standard errors 0.045, 0.094 (2.1 times higher) and 0.083 at a million samples.
    at_million = {name: np.sqrt(v / 1e6) for name, v in V.items()}
    assert N[-1] == 10**6 and round(at_million["pathwise"], 3) == 0.045
    assert round(at_million["score"], 3) == 0.094 and round(at_million["score, optimal baseline"], 3) == 0.083
    assert round(at_million["score"] / at_million["pathwise"], 1) == 2.1
    # ... and below about ten thousand samples the score function's measured standard errors fall
    # below their lines (few samples miss the rare large values), by up to a factor of three at
    # N = 10, while the pathwise ones stay within a third of theirs.
    below = {name: d["se"][name] / np.sqrt(V[name] / N) for name in V}
    for name in ("score", "score, optimal baseline"):
        assert np.all(below[name][N < 10**4] < 0.9) and below[name][0] < 0.4, (name, below[name])
    assert np.all(below["pathwise"] > 0.66)
    for name, se in d["se"].items():
        # unbiased: the mean of a million values within 4 standard errors of the exact derivative
        assert abs(d["mean"][name] - d["exact"]) < 4 * se[-1], name
        # the sampled variance agrees with the closed form (its standard error from the fourth moment)
        spread = np.sqrt((d["fourth moment"][name] - V[name] ** 2) / count)
        assert abs(d["sampled variance"][name] - V[name]) < 4 * spread, name
        # standard errors fall like 1/√N
        many = N >= 1000
        slope = np.polyfit(np.log(N[many]), np.log(se[many]), 1)[0]
        assert abs(slope + 0.5) < 0.05, (name, slope)


def draw(d):
    N = d["N"]
    fig, ax = figure(height=3.3)
    line = np.array([N[0], N[-1]])
    for name, label, color, marker in (("score", "score", "red", "s"),
                                       ("score, optimal baseline", "score, baseline", "orange", "^"),
                                       ("pathwise", "pathwise", "blue", "o")):
        ax.loglog(line, np.sqrt(d["variance"][name] / line), color=COLORS[color], linewidth=1.2)
        ax.loglog(N, d["se"][name], marker, color=COLORS[color], markersize=5, label=label)
    ax.set_xlabel("samples N")
    ax.set_ylabel("standard error")
    ax.set_ylim(4e-3, 60)
    ax.grid(True, which="major", linewidth=0.5)
    ax.legend(loc="lower left", title="lines: √(V/N)", title_fontsize=10.5)
    return fig
