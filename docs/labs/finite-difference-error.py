# %% [markdown]
# # Finite-difference error versus step size
#
# A lab for the lecture
# [Checking derivatives with finite differences](../../lectures/finite-differences/).
# We differentiate $f(x) = \sin x$ at $x = 1$, where the exact derivative
# $\cos 1$ is known, with three difference quotients and every step $h$ from
# $10^{-16}$ to $10^{-1}$:
#
# - forward: $\big(f(x+h) - f(x)\big)/h$,
# - central: $\big(f(x+h) - f(x-h)\big)/(2h)$,
# - complex step: $\operatorname{Im} f(x + ih)/h$,
#
# and plot the relative error $\lvert \text{approx} - f'(x) \rvert / \lvert f'(x) \rvert$
# against $h$ on log axes.

# %%
import matplotlib.pyplot as plt
import numpy as np

eps = np.finfo(float).eps  # 2.2e-16: spacing of floats near 1
x = 1.0
exact = np.cos(x)
h = np.logspace(-16, -1, 301)

forward = (np.sin(x + h) - np.sin(x)) / h
central = (np.sin(x + h) - np.sin(x - h)) / (2 * h)
complex_step = np.sin(x + 1j * h).imag / h

errors = {
    "forward": np.abs(forward - exact) / abs(exact),
    "central": np.abs(central - exact) / abs(exact),
    "complex step": np.abs(complex_step - exact) / abs(exact),
}
# The rules of thumb for the best forward and central steps
rule_forward = np.sqrt(eps) * abs(x)
rule_central = eps ** (1 / 3) * abs(x)
print(f"sqrt(eps)|x| = {rule_forward:.1e}")
print(f"eps^(1/3)|x| = {rule_central:.1e}")

# %%
# alt: Log-log plot of the relative error of three difference quotients of sin at x = 1 against the step h from 1e-16 to 0.1. Forward and central errors form a V: on the left roundoff makes both fall with slope -1 as h grows, from about 1 at h = 1e-16; on the right truncation makes them rise with slope 1 (forward) and 2 (central). The forward V bottoms out near 1e-8 at h near √ε = 1.5e-8, the central one near 1e-11 at h near ∛ε = 6.1e-6, both steps marked by dashed lines. The complex step has no left branch: its error falls with slope 2 from 1e-3 at h = 0.1 to the level of ε, about 1e-16, and stays there or at zero for every smaller step.
floor = 1e-17  # errors of exactly 0 are drawn here (log axes)
fig, ax = plt.subplots(figsize=(4, 3.6), layout="constrained")
for (name, err), style in zip(errors.items(), ["C0-", "C1-", "C2-"]):
    ax.loglog(h, np.maximum(err, floor), style, lw=1.2, label=name)
ax.axvline(rule_forward, color="C0", ls="--", lw=1)
ax.axvline(rule_central, color="C1", ls="--", lw=1)
ax.text(rule_forward, 3e-1, " √ε", color="C0")
ax.text(rule_central, 3e-1, " ∛ε", color="C1")
ax.set_xlabel("step h")
ax.set_ylabel("relative error of f'(1), f = sin")
ax.set_ylim(floor / 2, 10)
ax.grid(True, which="major", alpha=0.3)
ax.legend(loc="lower left")
plt.show()

# %% [markdown]
# ## Why a V
#
# Two errors add up. **Truncation**: the difference quotient is not the
# derivative; by Taylor's theorem the forward quotient is off by about
# $\frac{h}{2}\lvert f''(x)\rvert$ and the central one by about
# $\frac{h^2}{6}\lvert f'''(x)\rvert$, so on the right of the plot the error falls
# with slope $1$ (forward) or $2$ (central) as $h$ shrinks. **Roundoff**:
# $f(x+h)$ and $f(x)$ are each rounded to about 16 digits, and when $h$ is small
# they agree in most of those digits, which the subtraction cancels; what is left
# is an error of about $\epsilon \lvert f(x) \rvert$ divided by $h$ (or $2h$),
# which grows with slope $-1$ on the left. The best step balances the two:
#
# <!-- math
# \epsilon := 2^{-52}   # the spacing of double-precision numbers at 1
# unchecked "\frac{h}{2}\lvert f''\rvert = \frac{\epsilon \lvert f\rvert}{h}": the equation the best step solves
# unchecked "\frac{h^2}{6}\lvert f'''\rvert = \frac{\epsilon \lvert f\rvert}{2h}": the equation the best step solves
# -->
#
# - forward: $\frac{h}{2}\lvert f''\rvert = \frac{\epsilon \lvert f\rvert}{h}$
#   gives $h \sim \sqrt{\epsilon}$, and an error of about $\sqrt{\epsilon} \approx 10^{-8}$;
# - central: $\frac{h^2}{6}\lvert f'''\rvert = \frac{\epsilon \lvert f\rvert}{2h}$
#   gives $h \sim \epsilon^{1/3}$, and an error of about $\epsilon^{2/3} \approx 4 \times 10^{-11}$.
#
# (For a function whose size is set by $\lvert x \rvert$, both steps scale with
# $\lvert x\rvert$.) The complex step $\operatorname{Im} f(x+ih)/h$ subtracts
# nothing, so it has no roundoff branch: its truncation error falls with slope 2
# and then stays at the level of $\epsilon$ for every smaller step.
#
# Fitting a straight line to each branch of the measured curves gives the slopes:

# %%
def slope(name, lo, hi):
    """Fit log10(error) = slope * log10(h) + intercept, lo <= h <= hi."""
    keep = (h >= lo) & (h <= hi) & (errors[name] > 0)
    fit = np.polyfit(np.log10(h[keep]), np.log10(errors[name][keep]), 1)
    return fit  # slope, intercept


branches = {
    ("forward", "roundoff"): slope("forward", 1e-15, 1e-10),
    ("forward", "truncation"): slope("forward", 1e-6, 1e-1),
    ("central", "roundoff"): slope("central", 1e-15, 1e-7),
    ("central", "truncation"): slope("central", 1e-4, 1e-1),
    ("complex step", "truncation"): slope("complex step", 1e-3, 1e-1),
}
theory = {
    ("forward", "roundoff"): -1,
    ("forward", "truncation"): 1,
    ("central", "roundoff"): -1,
    ("central", "truncation"): 2,
    ("complex step", "truncation"): 2,
}
for (name, branch), (fitted, _) in branches.items():
    expected = theory[(name, branch)]
    print(f"{name:>12} {branch:>10}: slope {fitted:+.2f} "
          f"(theory {expected:+d})")
    assert abs(fitted - expected) < 0.1, (name, branch)

# %% [markdown]
# ## The best steps, measured
#
# The lowest point of each measured curve is a lucky cancellation on a noisy
# branch and can sit far from where the branches meet, so we also report where
# the two fitted lines cross, which does not depend on luck, and the typical
# error around that step. The crossings sit close to the rules of thumb
# $\sqrt{\epsilon}\,\lvert x\rvert$ and $\epsilon^{1/3}\lvert x\rvert$; the
# constants $\lvert f\rvert$, $\lvert f''\rvert$, $\lvert f'''\rvert$ of $\sin$ at 1,
# and the size of a typical rounding error, move them by a factor of about two.

# %%
rules = {"forward": rule_forward, "central": rule_central}
for name, rule in rules.items():
    best = np.argmin(errors[name])
    a1, b1 = branches[(name, "roundoff")]
    a2, b2 = branches[(name, "truncation")]
    crossing = 10 ** ((b2 - b1) / (a1 - a2))
    near = (h > crossing / 3) & (h < crossing * 3)
    typical = np.median(errors[name][near])
    print(f"{name}: lowest error {errors[name][best]:.1e} "
          f"at h = {h[best]:.1e}")
    print(f"  branches cross at h = {crossing:.1e} "
          f"(rule of thumb {rule:.1e})")
    print(f"  median error near that step: {typical:.1e}")
    assert rule / 3 < crossing < rule * 3
    assert typical < {"forward": 1e-7, "central": 1e-10}[name]

worst = errors["complex step"][h < 1e-8].max()
print(f"complex step: largest error for h < 1e-8: {worst:.1e}")
assert worst < 4 * eps

# %% [markdown]
# <!-- math: \epsilon := 2^{-23}   # the spacing of single-precision numbers at 1 -->
#
# Things to try: move $x$ to 100 ($x + h$ is then rounded to a coarser
# grid: where does the best step go?),
# replace $\sin$ by $\exp$, or evaluate $f$ in single precision
# (`np.float32`, where $\epsilon \approx 1.2 \times 10^{-7}$) and watch the
# bottom of the V rise to about $\sqrt{\epsilon} \approx 3 \times 10^{-4}$ for the forward
# difference.
