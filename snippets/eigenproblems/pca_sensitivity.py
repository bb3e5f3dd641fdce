"""How much the first principal direction moves with the data: gradient and bootstrap."""

import numpy as np

rng = np.random.default_rng(0)
N, n = 500, 3
axes, _ = np.linalg.qr(rng.standard_normal((n, n)))  # three rotated axes
Z = rng.standard_normal((N, n))  # the same Gaussian points for both data sets


def pca(X):
    """Eigenvalues (decreasing), eigenvectors and the centred data."""
    Xc = X - X.mean(axis=0)
    lam, Q = np.linalg.eigh(Xc.T @ Xc / len(X))
    return lam[::-1], Q[:, ::-1], Xc


def loading_gradient(X, a):
    """The gradient of a^T q_1 with respect to the data X (N x n)."""
    lam, Q, Xc = pca(X)
    w = sum(Q[:, j] * (Q[:, j] @ a) / (lam[0] - lam[j]) for j in range(1, n))
    return (np.outer(Xc @ Q[:, 0], w) + np.outer(Xc @ w, Q[:, 0])) / len(X)


def first_direction(X, reference):
    q = pca(X)[1][:, 0]
    return q * np.sign(q @ reference)  # the sign of the reference


results = {}
for name, stds in [("far  ", [2.0, 1.0, 0.5]), ("close", [1.1, 1.0, 0.5])]:
    X = (Z * stds) @ axes.T
    lam, Q, Xc = pca(X)
    gap = lam[0] - lam[1]

    # the gradient of a^T q_1 against central differences along a random dX
    a, dX = rng.standard_normal(n), rng.standard_normal((N, n))
    h = 1e-6
    central = (a @ first_direction(X + h * dX, Q[:, 0])
               - a @ first_direction(X - h * dX, Q[:, 0])) / (2 * h)
    err = abs(np.sum(loading_gradient(X, a) * dX) - central) / abs(central)
    assert err < 1e-7

    # the norm of the gradient of q_2^T q_1
    norm = np.linalg.norm(loading_gradient(X, Q[:, 1]))
    assert abs(norm - np.sqrt((lam[0] + lam[1]) / N) / gap) < 1e-12 * norm

    # the bootstrap: resample the rows, measure the angle to the sample's q_1
    angles = []
    for _ in range(1000):
        q = pca(X[rng.integers(N, size=N)])[1][:, 0]
        angles.append(np.arccos(min(1.0, abs(q @ Q[:, 0]))))
    rms = np.degrees(np.sqrt(np.mean(np.square(angles))))
    anderson = np.degrees(np.sqrt(sum(lam[0] * lam[j] / (lam[0] - lam[j]) ** 2
                                      for j in range(1, n)) / N))
    results[name.strip()] = gap, rms
    coupling = np.sqrt(lam[0] * lam[1] / N)  # typical size of q_2^T C q_1
    print(f"{name}: variances {lam.round(2)}, gap {gap:.2f}, coupling / gap "
          f"{coupling / gap:.2f}; gradient checked: {err < 1e-7}")
    print(f"       gradient norm {norm:.3f}; bootstrap angle {rms:.1f} deg, "
          f"Anderson {anderson:.1f} deg")
    assert 0.85 < rms / anderson < 1.33

gap_ratio = results["far"][0] / results["close"][0]
angle_ratio = results["close"][1] / results["far"][1]
print(f"gap {gap_ratio:.0f} times smaller, angle {angle_ratio:.0f} times larger")
assert 10 < gap_ratio < 14 and 6 < angle_ratio < 9
