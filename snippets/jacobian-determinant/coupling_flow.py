"""A two-layer normalising flow in the plane, built from affine coupling layers.

Each layer rescales and shifts one coordinate by amounts that depend only on
the other coordinate, so it is easy to invert and its Jacobian is triangular:
log |det J| is the log of the one scaling factor. Run alone, it checks the
inverse and the log-determinant against a finite-difference Jacobian.
"""

# --8<-- [start:flow]
import numpy as np


def s1(a):  # log-scale of layer 1 (acts on the second coordinate)
    return 0.6 * np.sin(a)


def t1(a):  # shift of layer 1
    return 0.5 * a**2


def s2(b):  # log-scale of layer 2 (acts on the first coordinate)
    return -0.4 * np.tanh(b)


def t2(b):  # shift of layer 2
    return 0.8 * np.sin(b)


def flow(x):
    """Push points x (... x 2) through both layers."""
    x1, x2 = x[..., 0], x[..., 1]
    u2 = x2 * np.exp(s1(x1)) + t1(x1)  # layer 1: x1 unchanged
    y1 = x1 * np.exp(s2(u2)) + t2(u2)  # layer 2: u2 unchanged
    return np.stack([y1, u2], axis=-1)


def flow_log_det(x):
    """log |det J_flow(x)|: the sum of the two layers' log-scales."""
    x1, x2 = x[..., 0], x[..., 1]
    u2 = x2 * np.exp(s1(x1)) + t1(x1)
    return s1(x1) + s2(u2)


def flow_inverse(y):
    y1, u2 = y[..., 0], y[..., 1]
    x1 = (y1 - t2(u2)) * np.exp(-s2(u2))  # undo layer 2
    x2 = (u2 - t1(x1)) * np.exp(-s1(x1))  # undo layer 1
    return np.stack([x1, x2], axis=-1)


def log_density_x(x):
    """The base density: a standard normal in the plane."""
    return -0.5 * np.sum(x**2, axis=-1) - np.log(2 * np.pi)


def log_density_y(y):
    """log p_Y(y) = log p_X(x) - log |det J_flow(x)| with x = flow_inverse(y)."""
    x = flow_inverse(y)
    return log_density_x(x) - flow_log_det(x)
# --8<-- [end:flow]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 2))
    err_inverse = np.abs(flow_inverse(flow(x)) - x).max()
    h = 1e-4
    worst = 0.0
    for point in x:
        J = np.column_stack([(flow(point + h * e) - flow(point - h * e)) / (2 * h)
                             for e in np.eye(2)])
        worst = max(worst, abs(np.log(abs(np.linalg.det(J))) - flow_log_det(point)))
    print(f"inverse within 1e-12: {err_inverse < 1e-12}; "
          f"log-determinant against differences: error {worst:.1e}")
    assert err_inverse < 1e-12 and worst < 1e-7
