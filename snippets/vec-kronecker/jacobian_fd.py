"""vec and the Jacobian of a matrix function by central differences, column by column.

The Jacobian of F at X is the matrix J with vec F(X + dX) - vec F(X) = J vec dX
to first order (rows are entries of F, columns entries of X). Its column k is
the derivative of F along the unit matrix E_k with vec(E_k) = e_k.
"""

# --8<-- [start:helpers]
import numpy as np


def vec(X):
    return X.reshape(-1, order="F")  # stack the columns


def fd_jacobian(F, X, h=1e-6):
    """Central-difference Jacobian of vec F(X) by vec X, one column at a time."""
    J = np.empty((F(X).size, X.size))
    for k in range(X.size):
        E = np.zeros(X.size)
        E[k] = 1
        E = E.reshape(X.shape, order="F")  # the unit matrix with vec(E) = e_k
        J[:, k] = vec(F(X + h * E) - F(X - h * E)) / (2 * h)
    return J


def worst_column_error(J, J_fd):
    """The largest relative error of a column of J against the same column of J_fd."""
    errors = np.linalg.norm(J - J_fd, axis=0) / np.linalg.norm(J_fd, axis=0)
    return errors.max()
# --8<-- [end:helpers]


if __name__ == "__main__":
    # X -> A X B is linear with Jacobian B^T kron A (rectangular shapes on purpose);
    # a central difference of a linear map is exact up to rounding.
    rng = np.random.default_rng(0)
    A, X = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    B = rng.standard_normal((4, 5))
    J_fd = fd_jacobian(lambda X: A @ X @ B, X)
    err = worst_column_error(np.kron(B.T, A), J_fd)
    print(f"X -> A X B: Jacobian {J_fd.shape}, worst column below 1e-8: {err < 1e-8}")
    assert J_fd.shape == (2 * 5, 3 * 4) and err < 1e-8
