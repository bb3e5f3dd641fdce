"""Hessian-vector products of f(x) = sum(tanh(W x)), three ways.

The gradient is written by hand as reverse mode would compute it: a forward
sweep (a = W x, t = tanh(a)) and a backward sweep (a_bar = 1 - t^2,
x_bar = W^T a_bar). A Hessian-vector product H v is the derivative of that
gradient along v, obtained here
  1. forward over reverse: the same gradient code run on dual numbers
     x + v eps (pairs of arrays), whose dual part is H v;
  2. reverse over reverse: reverse mode applied to the gradient program
     itself, for the scalar <grad f(x), v>, whose gradient is H v;
  3. a central difference of two gradients.
All three are compared with H v from the closed form
H = W^T diag(-2 t (1 - t^2)) W, whose rank is at most min(m, n).
"""

# --8<-- [start:core]
import numpy as np


class Dual:
    """value + tangent * eps with eps^2 = 0; both parts are NumPy arrays."""

    __array_ufunc__ = None  # makes `W @ dual` call Dual.__rmatmul__

    def __init__(self, value, tangent):
        self.value, self.tangent = value, tangent

    def __rmatmul__(self, matrix):  # a constant matrix times a dual vector
        return Dual(matrix @ self.value, matrix @ self.tangent)

    def __rsub__(self, number):  # number - dual
        return Dual(number - self.value, -self.tangent)

    def __mul__(self, other):  # product rule
        return Dual(self.value * other.value,
                    self.tangent * other.value + self.value * other.tangent)


def tanh(a):
    if isinstance(a, Dual):
        t = np.tanh(a.value)
        return Dual(t, (1 - t * t) * a.tangent)
    return np.tanh(a)


def gradient(W, x):
    """grad f for f(x) = sum(tanh(W x)): one forward and one backward sweep.
    Written once, it runs on arrays and on dual numbers."""
    t = tanh(W @ x)  # forward sweep
    a_bar = 1 - t * t  # backward sweep: f_bar = 1, t_bar = 1, a_bar = t_bar (1 - t^2)
    return W.T @ a_bar  # x_bar = W^T a_bar


def hvp_forward_over_reverse(W, x, v):
    return gradient(W, Dual(x, v)).tangent


def hvp_reverse_over_reverse(W, x, v):
    """Reverse mode on the gradient program, for the scalar <gradient, v>."""
    a = W @ x  # the gradient program, forward: a, t, a_bar, g
    t = np.tanh(a)
    # backward through it, from g_bar = v (each line undoes one line above)
    a_bar_bar = W @ v  # g = W^T a_bar
    t_bar = -2 * t * a_bar_bar  # a_bar = 1 - t * t
    a_bar2 = (1 - t * t) * t_bar  # t = tanh(a)
    return W.T @ a_bar2  # a = W x


def hvp_central_difference(W, x, v, h=1e-5):
    return (gradient(W, x + h * v) - gradient(W, x - h * v)) / (2 * h)


def hessian(W, x):
    """The closed form W^T diag(-2 t (1 - t^2)) W, an n x n matrix."""
    t = np.tanh(W @ x)
    return W.T @ ((-2 * t * (1 - t * t))[:, None] * W)


# --8<-- [end:core]

if __name__ == "__main__":
    rng = np.random.default_rng(0)
    m, n = 4, 6  # W is m x n: not square, so W and W^T cannot be confused
    W, x, v = rng.standard_normal((m, n)), rng.standard_normal(n), rng.standard_normal(n)
    H = hessian(W, x)
    exact = H @ v

    def rel(a):
        return np.linalg.norm(a - exact) / np.linalg.norm(exact)

    errors = {
        "forward over reverse": rel(hvp_forward_over_reverse(W, x, v)),
        "reverse over reverse": rel(hvp_reverse_over_reverse(W, x, v)),
        "central difference  ": rel(hvp_central_difference(W, x, v)),
    }
    for name, err in errors.items():
        tol = 1e-8 if name.startswith("central") else 1e-14
        print(f"{name}: agrees with W^T diag(-2t(1-t^2)) W v to {tol:.0e}: {err < tol}")
        assert err < tol

    # The gradient itself, against central differences of f.
    def f(x):
        return np.tanh(W @ x).sum()

    g = gradient(W, x)
    numeric = np.array([(f(x + 1e-5 * e) - f(x - 1e-5 * e)) / 2e-5 for e in np.eye(n)])
    err = np.linalg.norm(g - numeric) / np.linalg.norm(numeric)
    print(f"the gradient itself, against central differences of f, to 1e-9: {err < 1e-9}")
    assert err < 1e-9

    # n products with the unit vectors give the Hessian column by column: symmetric.
    columns = np.column_stack([hvp_forward_over_reverse(W, x, e) for e in np.eye(n)])
    err = np.linalg.norm(columns - H) / np.linalg.norm(H)
    asym = np.linalg.norm(columns - columns.T) / np.linalg.norm(columns)
    print(f"{n} HVPs give the {n} x {n} Hessian to 1e-14: {err < 1e-14}, "
          f"symmetric to 1e-14: {asym < 1e-14}")
    assert err < 1e-14 and asym < 1e-14

    # Through the m x m diagonal, the n x n Hessian has rank at most min(m, n) = 4 < n.
    singular = np.linalg.svd(H, compute_uv=False)
    rank = int(np.sum(singular > 1e-12 * singular[0]))
    print(f"rank of the {n} x {n} Hessian: {rank}, min(m, n) = {min(m, n)}")
    assert rank == min(m, n) and singular[min(m, n) - 1] > 1e-3 * singular[0]
