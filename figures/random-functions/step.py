"""A step function f(x) = [x > c]: its expectation F(μ) = P(x > c) for x ~ N(μ, σ²) against μ
(the page's F), with the slopes that the two estimators give at μ = 0.7 from 250 000 samples
(the page's block): the score function finds the slope p(c), the pathwise estimator returns
exactly 0."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/random-functions.md"


def data():
    F, exact, pathwise, score = page_functions(PAGE, "F", "exact", "pathwise", "score")
    block = F.__globals__  # mu, sigma, c and N are set by one tuple
    mu, sigma, c = block["mu"], block["sigma"], block["c"]
    m = np.linspace(-2.5, 4.0, 131)
    h = 1e-5
    return {
        "mu": mu, "sigma": sigma, "c": c, "m": m, "F": np.array([F(v) for v in m]), "F at mu": F(mu),
        "exact": exact, "central": (F(mu + h) - F(mu - h)) / (2 * h),
        "score": score.mean(), "score se": score.std(ddof=1) / np.sqrt(len(score)),
        "pathwise": pathwise.mean(), "pathwise values": np.unique(pathwise),
    }


def check(d):
    # the slope of F at μ is the density at the threshold, p(c)
    assert abs(d["central"] - d["exact"]) < 1e-9 * d["exact"]
    # F rises from 0 to 1, fastest where μ = c
    F, m = d["F"], d["m"]
    assert np.all(np.diff(F) > 0) and F[0] < 0.01 and F[-1] > 0.95
    assert abs(m[np.argmax(np.gradient(F, m))] - d["c"]) < 0.05
    # the score function estimates that slope, within 4 standard errors ...
    assert abs(d["score"] - d["exact"]) < 4 * d["score se"]
    # ... the pathwise estimator averages zeros
    assert d["pathwise"] == 0.0 and list(d["pathwise values"]) == [0.0]
    # The alt text and the caption: c = 1.5, σ = 1.3, F from 0 at μ = −2.5 to 0.97 at μ = 4,
    # F(0.7) = 0.27, the score's slope 0.253 and p(c) = 0.254.
    assert (d["c"], d["sigma"], d["mu"], m[0], m[-1]) == (1.5, 1.3, 0.7, -2.5, 4.0)
    assert round(F[0], 2) == 0 and round(F[-1], 2) == 0.97 and round(d["F at mu"], 2) == 0.27
    assert round(d["score"], 3) == 0.253 and round(d["exact"], 3) == 0.254


def draw(d):
    mu, F0 = d["mu"], d["F at mu"]
    fig, ax = figure(height=3.0)
    ax.plot(d["m"], d["F"], color=COLORS["ink"])
    s = np.array([-1.2, 1.2])
    ax.plot(mu + s, F0 + d["score"] * s, color=COLORS["orange"], linewidth=2)
    ax.plot(mu + s, F0 + d["pathwise"] * s, color=COLORS["blue"], linewidth=2, linestyle=(0, (4, 2)))
    ax.plot([mu], [F0], "o", color=COLORS["ink"], markersize=5)
    ax.axvline(d["c"], color=COLORS["muted"], linewidth=0.8, linestyle=":")
    ax.text(-2.35, 0.93, "F(μ) = P(x > c)", va="top")
    ax.text(2.05, 0.56, f"score function:\nslope {d['score']:.3f}", color=COLORS["orange"], va="top",
            linespacing=1.2)
    ax.text(2.05, F0, "pathwise:\nslope 0", color=COLORS["blue"], va="center", linespacing=1.2)
    ax.text(d["c"] + 0.08, 0.02, "μ = c", color=COLORS["muted"], va="bottom")
    ax.set_xlabel("μ")
    ax.set_ylabel("F(μ)")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlim(d["m"][0], d["m"][-1])
    ax.grid(True, linewidth=0.5)
    return fig
