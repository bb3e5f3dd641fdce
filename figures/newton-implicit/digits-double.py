"""Quadratic convergence: the error of Newton's iterates against the step, on a log
axis, for Newton's cubic (with the page's model C e_k²) and for the 3 × 3 system."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/newton-implicit.md"


def data():
    errors, C = page_functions(PAGE, "errors", "C", "root")[:2]
    system = page_functions(PAGE, "iterates", "errors")[1]
    errors, system = np.array(errors), np.array(system)
    return {
        "cubic": errors,  # e_0 ... e_3 for x³ − 2x − 5 from 2
        "C": C,
        "model": C * errors[:-1] ** 2,  # the page's prediction of e_1 ... e_3
        "system": system,  # ‖x_k − r‖ for k = 0 ... 5
    }


def check(d):
    cubic, system, C = d["cubic"], d["system"], d["C"]
    # e_(k+1) / e_k² settles on C = |f''/(2 f')| at the root.
    assert abs(cubic[3] / cubic[2] ** 2 - C) < 1e-3 * C
    assert np.all(abs(d["model"][1:] / cubic[2:] - 1) < 0.05)  # the model is the measured error
    # The digits double at each step (plus about a quarter), in one dimension and in three.
    digits, digits_system = -np.log10(cubic), -np.log10(system)
    assert np.all(abs(digits[2:] - (2 * digits[1:-1] - np.log10(C))) < 0.05)
    assert np.all((1.8 < digits_system[3:] / digits_system[2:-1]) & (digits_system[3:] / digits_system[2:-1] < 2.5))
    # The first step of the system, far from the root, gains less than one digit.
    assert digits_system[1] - digits_system[0] < 1
    # The numbers of the alt text and of the labels: errors about 10⁻¹, 5 × 10⁻³, 2 × 10⁻⁵ and
    # 2 × 10⁻¹⁰ with 1.0, 2.3, 4.8 and 9.8 digits; the system from 10⁻¹ at k = 2 to 3 × 10⁻¹⁰ at k = 5.
    assert [round(x, 1) for x in digits] == [1.0, 2.3, 4.8, 9.8]
    assert [float(f"{e:.0e}") for e in cubic] == [9e-2, 5e-3, 2e-5, 2e-10]
    assert float(f"{system[2]:.0e}") == 1e-1 and float(f"{system[5]:.0e}") == 3e-10


def draw(d):
    fig, ax = figure(height=3.2)
    k = np.arange(len(d["system"]))
    ax.semilogy(k, d["system"], color=COLORS["orange"], marker="s", markersize=4, label="3 × 3 system")
    ax.semilogy(k[: len(d["cubic"])], d["cubic"], color=COLORS["blue"], marker="o", markersize=4,
                label="x³ − 2x − 5")
    ax.semilogy(k[1: len(d["cubic"])], d["model"], linestyle="none", marker="o", markersize=9,
                markerfacecolor="none", markeredgecolor=COLORS["green"], label="model C e²")
    for step, error in enumerate(d["cubic"]):
        ax.text(step - 0.15, error, f"{-np.log10(error):.1f}", color=COLORS["blue"], ha="right", va="center")
    ax.axhspan(1e-17, 2.2e-16, color=COLORS["fill"], linewidth=0)
    ax.text(5.3, 4e-16, "rounding", color=COLORS["muted"], ha="right", va="bottom")
    ax.set_xlabel("Newton step k")
    ax.set_ylabel("error")
    ax.set_xlim(-0.8, 5.4)
    ax.set_ylim(1e-17, 10)
    ax.set_yticks([1, 1e-4, 1e-8, 1e-12, 1e-16])
    ax.grid(True, which="major", linewidth=0.5)
    ax.legend(loc="lower left")
    return fig
