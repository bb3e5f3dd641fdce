"""The n^2 x n^2 Jacobian of a map of n x n matrices, by central differences on vec.

vec stacks columns (NumPy: X.reshape(-1, order="F")). Column k of the Jacobian
is vec of the derivative of F along the unit matrix E_k with vec(E_k) = e_k.
Run alone, it checks the Jacobian determinant of X -> X^-1 for n = 1..5.
"""

# --8<-- [start:matrix_jacobian]
import numpy as np


def vec(X):
    return X.reshape(-1, order="F")  # columns stacked, first column on top


def unvec(v, n):
    return v.reshape(n, n, order="F")


def matrix_jacobian_fd(F, X, h=1e-4):
    """Central-difference Jacobian of vec F(X) with respect to vec X (n^2 x n^2)."""
    n = X.shape[0]
    if X.shape != (n, n):
        raise ValueError(f"matrix_jacobian_fd needs a square matrix, got {X.shape}")
    J = np.empty((n * n, n * n))
    for k in range(n * n):
        E = unvec(np.eye(n * n)[k], n)  # one entry of X moves
        J[:, k] = vec(F(X + h * E) - F(X - h * E)) / (2 * h)
    return J
# --8<-- [end:matrix_jacobian]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    for n in range(1, 6):
        X = np.eye(n) + 0.3 * rng.standard_normal((n, n))
        det_J = np.linalg.det(matrix_jacobian_fd(np.linalg.inv, X))
        formula = (-1) ** (n * n) * np.linalg.det(X) ** (-2 * n)
        err = abs(det_J - formula) / abs(formula)
        print(f"n = {n}: det J = {det_J:+.5e}, formula {formula:+.5e}")
        assert err < 1e-6
