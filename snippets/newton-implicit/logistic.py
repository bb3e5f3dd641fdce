"""Logistic regression fitted by Newton's method and by gradient descent.

L(w) = sum_i [log(1 + exp(z_i)) - t_i z_i] + (lam / 2) ||w||^2 with z = X w.
Newton solves H dw = -grad L at each step, with H = X^T diag(s (1 - s)) X + lam I.
"""

import numpy as np

rng = np.random.default_rng(12)
m, n, lam = 400, 5, 1.0  # examples, features, ridge weight
X = rng.standard_normal((m, n)) * np.array([3.0, 1.0, 1.0, 0.5, 0.2])  # features of unequal scale
w_true = rng.standard_normal(n)
t = (rng.random(m) < 1 / (1 + np.exp(-X @ w_true))).astype(float)  # labels 0 or 1


def loss(w):
    z = X @ w
    return np.sum(np.logaddexp(0, z) - t * z) + lam / 2 * w @ w


def gradient(w):
    s = 1 / (1 + np.exp(-X @ w))
    return X.T @ (s - t) + lam * w


def hessian(w):
    s = 1 / (1 + np.exp(-X @ w))
    return X.T @ ((s * (1 - s))[:, None] * X) + lam * np.eye(n)


# The Hessian is the Jacobian of the gradient: check one column-by-column
# central difference at a random point.
w0 = rng.standard_normal(n)
h = 1e-5
columns = [(gradient(w0 + h * e) - gradient(w0 - h * e)) / (2 * h) for e in np.eye(n)]
err = np.linalg.norm(np.column_stack(columns) - hessian(w0)) / np.linalg.norm(hessian(w0))
print(f"Hessian = Jacobian of the gradient, relative error below 1e-8: {err < 1e-8}")
assert err < 1e-8

# Newton: one linear solve with the Hessian per step, until the gradient is
# below 1e-10 times the first.
w = np.zeros(n)
print("Newton step | loss         | norm of gradient")
newton_norms = []
while True:
    g = gradient(w)
    newton_norms.append(np.linalg.norm(g))
    print(f"{len(newton_norms) - 1:11d} | {loss(w):.8f} | {newton_norms[-1]:.1e}")
    if newton_norms[-1] < 1e-10 * newton_norms[0]:
        break
    w = w - np.linalg.solve(hessian(w), g)
newton_steps = len(newton_norms) - 1
print(f"Newton: gradient below 1e-10 times the first after {newton_steps} steps")
assert newton_steps <= 8
assert newton_norms[-1] < newton_norms[-2] ** 2  # the last step squared the gradient's norm

# Gradient descent with the standard step 1/L, L = largest eigenvalue of
# X^T X / 4 + lam (a bound on every Hessian, since s (1 - s) <= 1/4); any step
# below 2/L would also be safe.
step = 1 / (np.linalg.eigvalsh(X.T @ X).max() / 4 + lam)
v = np.zeros(n)
steps = 0
while np.linalg.norm(gradient(v)) > 1e-8 * newton_norms[0]:
    v = v - step * gradient(v)
    steps += 1
print(f"gradient descent needs about {round(steps, -2)} steps for a gradient 1e-8 times the first")
assert steps > 100 * newton_steps
assert np.linalg.norm(v - w) < 1e-6 * np.linalg.norm(w)
