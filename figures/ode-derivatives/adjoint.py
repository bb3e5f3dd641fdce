"""The predator-prey trajectory u(t), solved forward from u(0) = (2, 1), and the adjoint
λ(t), solved backward from λ(T) = u(T) − y, with the page's RK4, model and backward_rhs
(the block of the adjoint section). λ(t) is the gradient of the loss with respect to the
state at time t: check() kicks the state at five times before T and compares."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/ode-derivatives.md"
KICK_STEPS = [0, 20, 40, 60, 70]  # the steps at which check() kicks the state


def data():
    backward_rhs = page_functions(PAGE, "backward_rhs", "adjoint_gradient")[0]
    block = backward_rhs.__globals__  # the block's own model and settings (T, N are set by a tuple)
    rk4, f, u0, p, T, N, observed = (block[k] for k in ("rk4", "f", "u0", "p", "T", "N", "observed"))
    n, P = block["n"], block["P"]
    us = rk4(f, u0(p), p, T, N)  # forward
    zT = np.concatenate([us[-1], us[-1] - observed, np.zeros(P)])
    zs = rk4(lambda z, p, s: -backward_rhs(z, p, T - s), zT, p, T, N)[::-1]  # backward, in time order

    def loss_after_kick(k, kick):  # g(u(T)) when the state at t_k is moved by kick (f does not depend on t)
        uN = rk4(f, us[k] + kick, p, T - k * T / N, N - k)[-1]
        return 0.5 * np.sum((uN - observed) ** 2)

    eps = 1e-6
    kicked = np.array([[(loss_after_kick(k, eps * e) - loss_after_kick(k, -eps * e)) / (2 * eps)
                        for e in np.eye(n)] for k in KICK_STEPS])
    return {"t": np.linspace(0, T, N + 1), "u": us, "lambda": zs[:, n:2 * n], "observed": observed,
            "kicked": kicked, "N": N}


def check(d):
    u, lam = d["u"], d["lambda"]
    # the backward solve starts from λ(T) = ∇g(u(T)) = u(T) − y
    assert np.array_equal(lam[-1], u[-1] - d["observed"])
    # λ(t_k) is the gradient of the loss in the state at t_k: a kick δ there changes the
    # loss by λ(t_k)ᵀδ, to the integrator's accuracy (about 1e-7 at N = 80)
    for k, gradient in zip(KICK_STEPS, d["kicked"]):
        assert np.linalg.norm(lam[k] - gradient) < 1e-5 * np.linalg.norm(gradient), (k, lam[k], gradient)
    # a full cycle of the populations: the prey peak before the predators
    assert 0 < np.argmax(u[:, 0]) < np.argmax(u[:, 1]) < len(u) - 1
    # The alt text: prey from 2 to a peak of about 5.2 near t = 2.3, back to 2.0; predators from 1
    # to about 3.6, ending at 3.5; y = (1, 2); λ(T) = (1.0, 1.5); λ₁(0) = −2.6; λ₂ dips to −2.8
    # near t = 1.5 and ends near 0.
    t = d["t"]
    assert list(u[0]) == [2, 1] and list(d["observed"]) == [1, 2]
    assert round(u[:, 0].max(), 1) == 5.2 and abs(t[np.argmax(u[:, 0])] - 2.3) < 0.1
    assert round(u[-1, 0], 1) == 2.0 and round(u[:, 1].max(), 1) == 3.6 and round(u[-1, 1], 1) == 3.5
    assert list(np.round(lam[-1], 1)) == [1.0, 1.5] and round(lam[0, 0], 1) == -2.6
    assert round(lam[:, 1].min(), 1) == -2.8 and abs(t[np.argmin(lam[:, 1])] - 1.5) < 0.1
    assert abs(lam[0, 1]) < 0.1


def draw(d):
    t, u, lam, y = d["t"], d["u"], d["lambda"], d["observed"]
    fig, (top, bottom) = figure(height=4.6, nrows=2, sharex=True)
    for i, color in enumerate(("blue", "orange")):
        top.plot(t, u[:, i], color=COLORS[color])
        # the misfit u_i(T) − y_i, dotted: it is λ_i(T), where the backward solve starts
        top.plot([t[-1], t[-1]], [y[i], u[-1, i]], color=COLORS[color], linestyle=":", linewidth=1.6,
                 clip_on=False)
        top.plot([t[-1]], [y[i]], "o", color=COLORS[color], markerfacecolor="none", markersize=7,
                 clip_on=False)
        bottom.plot(t, lam[:, i], color=COLORS[color], label=f"λ{'₁₂'[i]}")
        bottom.plot([t[-1]], [lam[-1, i]], "o", color=COLORS[color], markersize=5, clip_on=False)
    arrow = {"arrowstyle": "-|>", "color": COLORS["ink"], "linewidth": 1}
    top.text(2.35, 5.35, "prey u₁", color=COLORS["blue"], ha="center", va="bottom")
    top.text(0.05, 1.4, "predators u₂", color=COLORS["orange"], va="bottom")
    top.annotate("", xy=(2.6, 0.35), xytext=(0.6, 0.35), arrowprops=arrow)
    top.text(1.6, 0.5, "forward", ha="center", va="bottom")
    top.text(3.85, 0.45, "observed y", ha="right", va="center")
    top.set_ylabel("state u(t)")
    top.set_ylim(0, 6.1)
    top.grid(True, linewidth=0.5)

    bottom.axhline(0, color=COLORS["muted"], linewidth=0.8)
    bottom.annotate("", xy=(0.6, 1.6), xytext=(3.0, 1.6), arrowprops=arrow)
    bottom.text(1.8, 1.75, "backward", ha="center", va="bottom")
    bottom.text(3.95, 2.25, "λ(T) = u(T) − y", ha="right", va="center")
    bottom.set_ylabel("adjoint λ(t)")
    bottom.set_xlabel("t")
    bottom.set_ylim(-3.2, 2.7)
    bottom.legend(loc="lower right")
    bottom.grid(True, linewidth=0.5)
    return fig
