"""Jacobians by central differences, one column per input, and Jacobian-vector products.

Run alone, it checks both on polar coordinates against the Jacobian by hand.
"""

# --8<-- [start:jacobian_fd]
import numpy as np


def jacobian_fd(f, x, h=1e-4):
    """Central-difference Jacobian (m x n) of f: R^n -> R^m at the vector x.

    Column j: how all outputs move when input j alone moves (2 n calls of f).
    The error is about h^2, a few parts in 1e9 for h = 1e-4.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"jacobian_fd needs a vector x, got shape {x.shape}")
    columns = []
    for j in range(x.size):
        step = np.zeros_like(x)
        step[j] = h * max(1.0, abs(x[j]))
        change = np.atleast_1d(f(x + step)) - np.atleast_1d(f(x - step))
        columns.append(change / (2 * step[j]))
    return np.column_stack(columns)  # rows are outputs, columns are inputs
# --8<-- [end:jacobian_fd]
# --8<-- [start:jvp_fd]


def jvp_fd(f, x, v, h=1e-4):
    """J_f(x) v by one central difference along v: two calls of f, J never formed."""
    x, v = np.asarray(x, dtype=float), np.asarray(v, dtype=float)
    t = h * max(1.0, np.linalg.norm(x)) / np.linalg.norm(v)
    return (np.atleast_1d(f(x + t * v)) - np.atleast_1d(f(x - t * v))) / (2 * t)
# --8<-- [end:jvp_fd]


if __name__ == "__main__":
    def polar(x):
        r, theta = x
        return np.array([r * np.cos(theta), r * np.sin(theta)])

    r, theta = 2.0, np.pi / 6
    by_hand = np.array([[np.cos(theta), -r * np.sin(theta)],
                        [np.sin(theta), r * np.cos(theta)]])
    J = jacobian_fd(polar, [r, theta])
    err = np.linalg.norm(J - by_hand) / np.linalg.norm(by_hand)
    v = np.array([0.3, -1.2])
    jvp = jvp_fd(polar, [r, theta], v)
    err_jvp = np.linalg.norm(jvp - by_hand @ v) / np.linalg.norm(by_hand @ v)
    print(f"Jacobian: relative error {err:.1e}; JVP: relative error {err_jvp:.1e}")
    assert J.shape == (2, 2) and err < 1e-8 and err_jvp < 1e-8
