"""Solve A x = b with a factorisation, not with the inverse: accuracy."""

import numpy as np

rng = np.random.default_rng(11)

# An ill-conditioned matrix with singular values from 1 down to 1e-12.
n = 60
U, _ = np.linalg.qr(rng.standard_normal((n, n)))
V, _ = np.linalg.qr(rng.standard_normal((n, n)))
A = U @ np.diag(np.logspace(0, -12, n)) @ V.T
x_true = rng.standard_normal(n)
b = A @ x_true
print(f"condition number of A: {np.linalg.cond(A):.0e}")


def backward_error(x):
    """||b - A x|| / (||A|| ||x||): how much A must move for x to be exact."""
    return np.linalg.norm(b - A @ x) / (np.linalg.norm(A, 2) * np.linalg.norm(x))


def forward_error(x):
    return np.linalg.norm(x - x_true) / np.linalg.norm(x_true)


x_solve = np.linalg.solve(A, b)
x_inv = np.linalg.inv(A) @ b
r_solve, r_inv = backward_error(x_solve), backward_error(x_inv)
print(f"solve     : backward error below 1e-15: {r_solve < 1e-15}")
print(f"inv(A) @ b: backward error over 1000 times larger: {r_inv > 1000 * r_solve}")
assert r_solve < 1e-15 and r_inv > 1000 * r_solve

# Both answers lose digits to the condition number (about 1e12 * 1e-16), but
# the one through the inverse does not even solve the equations it was given.
worse = forward_error(x_inv) > forward_error(x_solve)
print(f"inv(A) @ b also further from the true x: {worse}")
assert worse
