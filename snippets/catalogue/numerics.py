"""NumPy helpers of the identity catalogue's checks (docs page: Identity catalogue).

Each copyable check on the catalogue page carries the source of the helpers it
calls, so every function here is short, uses NumPy only, and says what it
computes. Run this file to test the helpers against independent answers.
"""

from __future__ import annotations

import numpy as np

# ---------------------------------------------------------------- measuring


def relative_error(approx, exact):
    """||approx - exact|| / ||exact||, over all entries of arrays or lists of arrays."""
    approx, exact = np.asarray(approx, dtype=float), np.asarray(exact, dtype=float)
    return np.linalg.norm(approx - exact) / np.linalg.norm(exact)


def jacobian_fd(f, X, h, *args):
    """Jacobian of vec f(X, *args) by vec X (columns stacked), central differences."""
    columns = []
    for k in range(X.size):
        E = np.zeros(X.size)
        E[k] = 1.0
        E = E.reshape(X.shape, order="F")
        column = (f(X + h * E, *args) - f(X - h * E, *args)) / (2 * h)
        columns.append(np.reshape(column, -1, order="F"))
    return np.column_stack(columns)


# ---------------------------------------------------------------- random points


def random_invertible(rng, n):
    """A random n x n matrix with singular values in [1, 2]: well conditioned."""
    U, _ = np.linalg.qr(rng.standard_normal((n, n)))
    V, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return U @ np.diag(rng.uniform(1, 2, n)) @ V.T


def random_full_rank(rng, m, n):
    """A random m x n matrix, m >= n, with singular values in [1, 2]."""
    U, _ = np.linalg.qr(rng.standard_normal((m, n)))
    V, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return U @ np.diag(rng.uniform(1, 2, n)) @ V.T


def random_symmetric(rng, n):
    """A random symmetric n x n matrix."""
    A = rng.standard_normal((n, n))
    return (A + A.T) / 2


def random_spd(rng, n):
    """A random symmetric n x n matrix with eigenvalues in [1, 3]."""
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return Q @ np.diag(rng.uniform(1, 3, n)) @ Q.T


def random_separated(rng, n):
    """A random symmetric n x n matrix whose eigenvalues are at least 1/2 apart."""
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return Q @ np.diag(np.arange(1.0, n + 1) + rng.uniform(0, 0.5, n)) @ Q.T


def random_positive_stable(rng, n):
    """A random n x n matrix whose eigenvalues have real parts of at least 1."""
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    K = rng.standard_normal((n, n))
    # symmetric part with eigenvalues in [1, 2], plus any antisymmetric part
    return Q @ np.diag(rng.uniform(1, 2, n)) @ Q.T + (K - K.T) / 2


def random_probability(rng, n):
    """A random probability vector of length n: positive entries that sum to 1."""
    p = rng.uniform(0.1, 1.0, n)
    return p / p.sum()


# ---------------------------------------------------------------- functions


def softmax(z):
    """exp(z) / sum(exp(z)), shifted by max(z) so that no exp overflows."""
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def logsumexp(z):
    """log(sum(exp(z))), shifted by max(z) so that no exp overflows."""
    top = np.max(z)
    return top + np.log(np.sum(np.exp(z - top)))


def sigmoid(z):
    """The logistic function 1 / (1 + exp(-z)), entrywise."""
    return 1 / (1 + np.exp(-z))


def expm(A):
    """Matrix exponential by scaling and squaring: exp(A) = exp(A / 2^s)^(2^s)."""
    norm = np.linalg.norm(A, 1)
    s = int(np.ceil(np.log2(norm))) + 1 if norm > 0.5 else 0
    B = A / 2**s  # now ||B||_1 <= 1/2, where 20 Taylor terms are exact to rounding
    E = term = np.eye(len(A))
    for k in range(1, 21):
        term = term @ B / k
        E = E + term
    for _ in range(s):
        E = E @ E
    return E


def expm_integral(X, E):
    """Integral of exp(s X) E exp((1 - s) X) over s in [0, 1], by Gauss-Legendre."""
    nodes, weights = np.polynomial.legendre.leggauss(20)
    s, w = (nodes + 1) / 2, weights / 2  # from [-1, 1] to [0, 1]
    return sum(wk * expm(sk * X) @ E @ expm((1 - sk) * X) for sk, wk in zip(s, w))


def sqrtm_spd(S):
    """The symmetric positive definite square root of a positive definite S."""
    w, Q = np.linalg.eigh(S)
    return Q @ np.diag(np.sqrt(w)) @ Q.T


def lower_half(A):
    """Phi(A): the lower triangle of A with its diagonal halved."""
    return np.tril(A) - np.diag(np.diag(A)) / 2


def eigenvectors(S):
    """Unit eigenvectors of a symmetric S as columns, eigenvalues ascending.

    Each column's sign makes its entries sum to a positive number, so that the
    columns are a smooth function of S (eigh alone may flip signs).
    """
    _, Q = np.linalg.eigh(S)
    return Q * np.sign(Q.sum(axis=0))


def inverse_gaps(S):
    """F[i, j] = 1 / (lambda_j - lambda_i), i != j, and F[i, i] = 0 (ascending)."""
    lam = np.linalg.eigvalsh(S)
    gaps = lam[None, :] - lam[:, None]
    np.fill_diagonal(gaps, np.inf)
    return 1 / gaps


def top_eigenvector(S):
    """A unit eigenvector of the largest eigenvalue of a symmetric S."""
    return np.linalg.eigh(S)[1][:, -1]


def eigen_pair_product(X, pair):
    """Product of pair(lambda_i, lambda_j) over all pairs of eigenvalues of X."""
    lam = np.linalg.eigvals(X)
    return np.prod(pair(lam[:, None], lam[None, :])).real


# ---------------------------------------------------------------- self-tests

if __name__ == "__main__":
    rng = np.random.default_rng(0)
    for n in (1, 2, 3, 5):
        # the exponential against the eigendecomposition of a symmetric matrix
        S = random_symmetric(rng, n) * 3
        w, Q = np.linalg.eigh(S)
        assert relative_error(expm(S), Q @ np.diag(np.exp(w)) @ Q.T) < 1e-13
        # a matrix that is not symmetric, built from its eigenvectors and eigenvalues
        V, w = random_invertible(rng, n), rng.uniform(-4, 4, n)
        A = V @ np.diag(w) @ np.linalg.inv(V)
        exact = V @ np.diag(np.exp(w)) @ np.linalg.inv(V)
        assert relative_error(expm(A), exact) < 1e-12
        # for commuting X and E the integral is exp(X) E
        E = Q @ np.diag(rng.standard_normal(n)) @ Q.T
        assert relative_error(expm_integral(S, E), expm(S) @ E) < 1e-12
        # square roots square back; inverse gaps are antisymmetric
        P = random_spd(rng, n)
        assert relative_error(sqrtm_spd(P) @ sqrtm_spd(P), P) < 1e-13
        F = inverse_gaps(random_separated(rng, n))
        assert np.allclose(F, -F.T) and np.all(np.diag(F) == 0)
        # the random points keep their promises
        for R in (random_invertible(rng, n), random_full_rank(rng, n + 2, n)):
            s = np.linalg.svd(R, compute_uv=False)
            assert len(s) == n and 1 - 1e-12 <= s.min() and s.max() <= 2 + 1e-12
        stable = random_positive_stable(rng, n)
        assert np.all(np.linalg.eigvals(stable).real >= 1 - 1e-12)
        assert np.all(np.diff(np.linalg.eigvalsh(random_separated(rng, n))) >= 0.5)
        V = eigenvectors(random_symmetric(rng, n))
        assert np.allclose(V.T @ V, np.eye(n)) and np.all(V.sum(axis=0) > 0)
    z = np.array([1000.0, 1001.0, 999.0])
    assert abs(softmax(z).sum() - 1) < 1e-15 and np.isfinite(logsumexp(z))
    assert abs(logsumexp(np.log([1.0, 2.0, 3.0])) - np.log(6.0)) < 1e-15
    assert abs(sigmoid(np.array(0.0)) - 0.5) < 1e-16
    X = np.diag([1.0, 2.0])
    assert abs(eigen_pair_product(X, lambda a, b: a + b) - 2 * 3 * 3 * 4) < 1e-12
    # the central-difference Jacobian of X -> A X is I kron A (vec stacks columns)
    A = rng.standard_normal((3, 3))
    J = jacobian_fd(lambda X: A @ X, rng.standard_normal((3, 2)), 1e-5)
    assert relative_error(J, np.kron(np.eye(2), A)) < 1e-9
    print("the catalogue's NumPy helpers pass their self-tests")
