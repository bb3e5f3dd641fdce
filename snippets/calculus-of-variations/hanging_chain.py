"""The hanging chain: Newton's method on a grid against the catenary.

A chain of length ell hangs between (-1, 0) and (1, 0). On a grid of N cells
(h = 2 / N) the unknowns are the heights U_1, ..., U_{N-1} of the inner nodes
and the multiplier lam of the length constraint. Each cell is a straight
segment with slope s = (b - a) / h between the heights a, b of its ends; it
contributes T(a, b) = h rho ((a + b) / 2 + lam), rho = sqrt(1 + s^2), to the
Lagrangian (potential energy + lam * length, less lam * ell). Newton's method
solves grad_U Lagrangian = 0 and length = ell together; the result is compared
with the catenary c cosh(x / c) - c cosh(1 / c), where 2 c sinh(1 / c) = ell.
"""

import numpy as np

ell = 3.0

# The closed form: solve 2 c sinh(1/c) = ell for c by Newton's method.
c = 1.0
for _ in range(30):
    residual = 2 * c * np.sinh(1 / c) - ell
    c -= residual / (2 * np.sinh(1 / c) - 2 * np.cosh(1 / c) / c)
lam_exact = c * np.cosh(1 / c)


def catenary(x):
    return c * np.cosh(x / c) - lam_exact


def cells(U, lam):
    """Slope s, rho = sqrt(1 + s^2) and (a + b)/2 + lam of each cell (end heights 0)."""
    full = np.concatenate([[0.0], U, [0.0]])
    h = 2 / (len(U) + 1)
    s = np.diff(full) / h
    return h, s, np.sqrt(1 + s**2), (full[:-1] + full[1:]) / 2 + lam


def lagrangian(U, lam):
    h, s, rho, m = cells(U, lam)
    return h * rho @ m - lam * ell


def to_nodes(at_a, at_b):
    """Add each cell's derivatives in its left end a and right end b into the nodes."""
    return at_a[1:] + at_b[:-1]


def derivatives(U, lam):
    """Gradient in U, residual of the length, its gradient, and the Hessian in U."""
    h, s, rho, m = cells(U, lam)
    grad = to_nodes(-s / rho * m + h * rho / 2, s / rho * m + h * rho / 2)
    grad_length = to_nodes(-s / rho, s / rho)
    # second derivatives of T: bend - s/rho in a, a; bend + s/rho in b, b; -bend in a, b
    bend = m / (h * rho**3)
    hessian = (np.diag(to_nodes(bend - s / rho, bend + s / rho))
               - np.diag(bend[1:-1], 1) - np.diag(bend[1:-1], -1))
    return grad, h * rho.sum() - ell, grad_length, hessian


def solve(N):
    x = np.linspace(-1, 1, N + 1)
    U = -(1 - x[1:-1] ** 2)  # start from a parabola of the wrong length
    grad, _, grad_length, _ = derivatives(U, 0.0)
    # the multiplier that best fits grad + lam grad_length = 0 at the start
    lam = -(grad @ grad_length) / (grad_length @ grad_length)
    for steps in range(1, 30):
        grad, residual, grad_length, hessian = derivatives(U, lam)
        kkt = np.block([[hessian, grad_length[:, None]],
                        [grad_length[None, :], np.zeros((1, 1))]])
        step = np.linalg.solve(kkt, -np.append(grad, residual))
        U, lam = U + step[:-1], lam + step[-1]
        if np.linalg.norm(step) < 1e-12:
            break
    return x, np.concatenate([[0.0], U, [0.0]]), lam, steps


# Check the gradient and the Hessian by central differences at a random point.
rng = np.random.default_rng(3)
U, lam, V = -rng.uniform(0.5, 1, 7), 1.3, rng.standard_normal(7)
grad, _, _, hessian = derivatives(U, lam)
t = 1e-5
numeric = (lagrangian(U + t * V, lam) - lagrangian(U - t * V, lam)) / (2 * t)
error_grad = abs(numeric - grad @ V) / abs(numeric)
numeric_hv = (derivatives(U + t * V, lam)[0] - derivatives(U - t * V, lam)[0]) / (2 * t)
error_hess = np.linalg.norm(numeric_hv - hessian @ V) / np.linalg.norm(numeric_hv)
print("gradient and Hessian agree with central differences:",
      max(error_grad, error_hess) < 1e-8)
assert max(error_grad, error_hess) < 1e-8

print(f"catenary: c = {c:.6f}, lambda = c cosh(1/c) = {lam_exact:.6f}")
print("   N  Newton steps  max |U_i - u(x_i)|  order  lambda_h  order")
previous = None
for N in [16, 32, 64, 128]:
    x, U, lam, steps = solve(N)
    error = np.max(np.abs(U - catenary(x)))
    error_lam = abs(lam - lam_exact)
    orders = ("    -", "    -") if previous is None else (
        f"{np.log2(previous[0] / error):5.2f}", f"{np.log2(previous[1] / error_lam):5.2f}")
    print(f"{N:4d}  {steps:12d}  {error:18.2e}  {orders[0]}  {lam:.6f}  {orders[1]}")
    length = np.sum(np.hypot(np.diff(x), np.diff(U)))
    assert steps < 10 and abs(length - ell) < 1e-10
    if previous is not None:
        assert 1.9 < np.log2(previous[0] / error) < 2.1
        assert 1.9 < np.log2(previous[1] / error_lam) < 2.1
    previous = (error, error_lam)
