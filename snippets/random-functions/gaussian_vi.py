"""Fit a Gaussian q = N(mu, L L^T) to a target density by stochastic gradient
ascent on the evidence lower bound (ELBO), with reparameterised gradients.

The target is a Gaussian N(m, S) known only through the gradient of its log
density, so that the exact ELBO gradient is available to test the estimator:

    ELBO(mu, L) = E_q[log pi(x)] + log|det L| + const,
    grad_mu = -S^{-1} (mu - m),   grad_L = -S^{-1} L + L^{-T}.

Run alone, it checks that the pathwise estimator is unbiased (z-scores against
the exact gradient) and that two slips fail the same test, compares its
variance with the score-function estimator of the same gradient in mu, and
fits q, whose optimum is q = pi.
"""

import numpy as np

rng = np.random.default_rng(7)
n = 2
m = np.array([1.0, -2.0])  # the target's mean
S = np.array([[2.0, 0.6], [0.6, 0.5]])  # and covariance
P = np.linalg.inv(S)


def grad_log_target(x):  # rows of x are points; grad log pi(x) = -P (x - m)
    return -(x - m) @ P  # P is symmetric


def exact_gradient(mu, L):
    return -P @ (mu - m), -P @ L + np.linalg.inv(L).T


def pathwise_samples(mu, L, eps):
    """Per-sample estimates of (grad_mu, grad_L): x = mu + L eps."""
    g = grad_log_target(mu + eps @ L.T)
    per_L = g[:, :, None] * eps[:, None, :] + np.linalg.inv(L).T  # g eps^T + L^{-T}
    return g, per_L


# 1. Unbiased: at a test point, the mean of many estimates is the exact gradient.
mu0 = np.array([0.3, 0.4])
L0 = np.array([[0.8, 0.0], [-0.3, 1.1]])
N = 200_000
eps = rng.standard_normal((N, n))
g_mu, g_L = pathwise_samples(mu0, L0, eps)
exact_mu, exact_L = exact_gradient(mu0, L0)
z_mu = (g_mu.mean(0) - exact_mu) / (g_mu.std(0, ddof=1) / np.sqrt(N))
z_L = (g_L.mean(0) - exact_L) / (g_L.std(0, ddof=1) / np.sqrt(N))
z_max = max(np.abs(z_mu).max(), np.abs(z_L).max())
print(f"pathwise ELBO gradient: largest |z| over 6 entries = {z_max:.1f}")
assert z_max < 4
# Two slips in grad_L fail the same test: L^{-1} in place of L^{-T} (the
# gradient of log|det L| is the inverse transpose), and no entropy term at all.
L0_inv = np.linalg.inv(L0)
for name, wrong in [("L^{-1} in place of L^{-T}", g_L - L0_inv.T + L0_inv),
                    ("without the entropy term", g_L - L0_inv.T)]:
    z_wrong = np.abs((wrong.mean(0) - exact_L) / (g_L.std(0, ddof=1) / np.sqrt(N))).max()
    print(f"  {name}: largest |z| = {z_wrong:.0f}")
    assert z_wrong > 10

# 2. Variance: the score-function estimator of grad_mu E_q[log pi] is
#    log pi(x) L^{-T} eps (the score of q in mu is Sigma^{-1} (x - mu) = L^{-T} eps).
#    The constant left out of log pi acts as a baseline: another constant would
#    change this variance, not the mean.
x = mu0 + eps @ L0.T
log_target = -0.5 * np.einsum("ij,jk,ik->i", x - m, P, x - m)
g_score = log_target[:, None] * (eps @ np.linalg.inv(L0))  # rows: (L^{-T} eps)^T
z_score = (g_score.mean(0) - exact_mu) / (g_score.std(0, ddof=1) / np.sqrt(N))
assert np.abs(z_score).max() < 4
ratio = g_score.var(0).sum() / g_mu.var(0).sum()
z_max = np.abs(z_score).max()
print(f"score function for grad_mu: largest |z| = {z_max:.1f}, "
      f"variance {ratio:.0f} times larger")
assert ratio > 5

# 3. Fit q by stochastic gradient ascent, 16 samples a step, L kept lower triangular.
mu, L = np.zeros(n), np.eye(n)
step, steps, batch = 0.05, 2000, 16
mu_avg, Sigma_avg = np.zeros(n), np.zeros((n, n))
for k in range(steps):
    g_mu, g_L = pathwise_samples(mu, L, rng.standard_normal((batch, n)))
    mu = mu + step * g_mu.mean(0)
    L = L + step * np.tril(g_L.mean(0))
    if k >= steps // 2:  # average the second half of the iterates
        mu_avg += mu / (steps - steps // 2)
        Sigma_avg += L @ L.T / (steps - steps // 2)
err_mu = np.linalg.norm(mu_avg - m) / np.linalg.norm(m)
err_S = np.linalg.norm(Sigma_avg - S) / np.linalg.norm(S)
print(f"after {steps} steps: relative error of the mean {err_mu:.1e}, "
      f"of the covariance {err_S:.1e}")
assert err_mu < 0.02 and err_S < 0.05
