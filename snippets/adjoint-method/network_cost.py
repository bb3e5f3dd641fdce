"""The gradient of a network model with P conductances, three ways.

A network of n nodes joined by P edges (resistors, pipes, or heat links) with
conductances p obeys A(p) x = b, A(p) = D^T diag(p) D + C: D is the P x n
incidence matrix, (D x)_k = x_i - x_j for the edge k = (i, j), and C is a
fixed non-symmetric matrix (leakage and drift). The objective is
g(p) = 1/2 ||x - target||^2. Its gradient is computed by forward differences,
by forward sensitivities and by the adjoint method; the script counts the
linear solves each needs, checks that they agree, and times the last two.
"""

import time

import numpy as np

rng = np.random.default_rng(7)
n = 80
pairs = np.array([(i, j) for i in range(n) for j in range(i + 1, n)])
pairs = pairs[rng.permutation(len(pairs))]  # all 3160 edges, in random order
C = np.eye(n) + 0.2 * rng.standard_normal((n, n)) / np.sqrt(n)
b = rng.standard_normal(n)
target = rng.standard_normal(n)
solves = 0  # right-hand sides solved for, counted by `solve`


def solve(M, rhs):
    global solves
    solves += 1 if rhs.ndim == 1 else rhs.shape[1]
    return np.linalg.solve(M, rhs)


def model(p, edges):
    """A(p) and the map x -> D x for the network with these edges."""
    i, j = edges.T
    A = C.copy()
    np.add.at(A, (i, i), p)
    np.add.at(A, (j, j), p)
    np.add.at(A, (i, j), -p)
    np.add.at(A, (j, i), -p)
    return A, lambda y: y[i] - y[j]


def objective(A):
    x = solve(A, b)
    return 0.5 * np.sum((x - target) ** 2)


def by_differences(p, edges, h=1e-6):
    """Forward differences: P + 1 solves, each with a different matrix."""
    A, _ = model(p, edges)
    g0 = objective(A)
    grad = np.empty(len(p))
    for k, (i, j) in enumerate(edges):
        A_k = A.copy()  # A(p + h e_k): edge k conducts a little more
        A_k[i, i] += h
        A_k[j, j] += h
        A_k[i, j] -= h
        A_k[j, i] -= h
        grad[k] = (objective(A_k) - g0) / h
    return grad


def by_sensitivities(p, edges):
    """Forward sensitivities: A dx/dp_k = -(dA/dp_k) x for every k, all
    with the same matrix: one factorisation, P right-hand sides."""
    A, diff = model(p, edges)
    x = solve(A, b)
    i, j = edges.T
    rhs = np.zeros((n, len(p)))
    k = np.arange(len(p))
    rhs[i, k] = -diff(x)  # -(e_i - e_j)(x_i - x_j): column k of -dA/dp_k x
    rhs[j, k] = diff(x)
    S = solve(A, rhs)  # the n x P sensitivity matrix dx/dp
    return S.T @ (x - target)


def by_adjoint(p, edges):
    """The adjoint: one more solve, with A^T, whatever P."""
    A, diff = model(p, edges)
    x = solve(A, b)
    v = solve(A.T, x - target)
    return -diff(v) * diff(x)


def best_times(*computations, repeats=5):
    """The fastest of `repeats` runs of each computation, run in turns."""
    best = [float("inf")] * len(computations)
    for _ in range(repeats):
        for index, compute in enumerate(computations):
            start = time.perf_counter()
            compute()
            best[index] = min(best[index], time.perf_counter() - start)
    return best


methods = {"differences": by_differences, "sensitivities": by_sensitivities,
           "adjoint": by_adjoint}
print("    P   solves: differences  sensitivities  adjoint")
for P in [1, 10, 100, 1000, len(pairs)]:
    edges = pairs[:P]
    p = rng.uniform(0.5, 2.0, P)
    grads, counts = {}, {}
    for name, method in methods.items():
        solves = 0
        grads[name] = method(p, edges)
        counts[name] = solves
    assert list(counts.values()) == [P + 1, P + 1, 2]
    exact = grads["adjoint"]
    for name, tolerance in [("sensitivities", 1e-12), ("differences", 1e-4)]:
        err = np.linalg.norm(grads[name] - exact) / np.linalg.norm(exact)
        assert err < tolerance, (P, name, err)
    print(f"{P:5d} {counts['differences']:20d} {counts['sensitivities']:14d}"
          f" {counts['adjoint']:8d}")

print("gradients agree: sensitivities to 1e-12, differences to 1e-4: True")
forward_time, adjoint_time = best_times(lambda: by_sensitivities(p, edges),
                                        lambda: by_adjoint(p, edges))
faster = forward_time > adjoint_time  # by far: P solves against one
print(f"P = {P}: the adjoint is faster than forward sensitivities: {faster}")
assert faster
