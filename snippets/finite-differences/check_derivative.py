"""Check a derivative derived by hand against finite differences.

check_derivative(f, df, x): df(x, dx) returns the claimed f'(x)[dx], with the
shape of f(x). check_gradient(f, grad, x): f is scalar and grad(x) has the
shape of x. Inputs and outputs may be scalars, vectors or matrices.
Needs only NumPy: copy the file into a project and import it.
"""

# --8<-- [start:checker]
import numpy as np

EPS = np.finfo(float).eps
# method: (step relative to the size of x, tolerance on the relative error)
METHODS = {
    "forward": (EPS ** (1 / 2), 1e-6),  # error O(h) + roundoff eps/h
    "central": (EPS ** (1 / 3), 1e-8),  # error O(h^2) + roundoff eps/h
    "complex-step": (1e-20, 1e-12),  # no subtraction, so h can be tiny
}


def directional_difference(f, x, dx, method="central", h=None):
    """Finite-difference estimate of the directional derivative f'(x)[dx]."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {list(METHODS)}, not {method!r}")
    x = np.asarray(x, dtype=float)
    dx = np.asarray(dx, dtype=float)
    if dx.shape != x.shape:
        raise ValueError(f"direction has shape {dx.shape}, x has {x.shape}")
    if h is None:
        # The rule of thumb, scaled by the largest entry of x (at least 1).
        scale = max(1.0, float(np.max(np.abs(x), initial=0.0)))
        h = METHODS[method][0] * scale
    if method == "forward":
        return (np.asarray(f(x + h * dx)) - f(x)) / h
    if method == "central":
        return (np.asarray(f(x + h * dx)) - f(x - h * dx)) / (2 * h)
    value = np.asarray(f(x + 1j * h * dx))
    if not np.iscomplexobj(value) or np.any(np.imag(f(x)) != 0):
        raise ValueError(
            "the complex step needs an f that accepts complex input "
            "and is real on real input"
        )
    return value.imag / h


def relative_error(approx, exact):
    """||approx - exact|| / ||exact|| (Frobenius); absolute if exact is 0."""
    approx, exact = np.asarray(approx), np.asarray(exact)
    if approx.shape != exact.shape:
        raise ValueError(f"shapes differ: {approx.shape} and {exact.shape}")
    scale = np.linalg.norm(exact)
    return float(np.linalg.norm(approx - exact) / (scale if scale > 0 else 1))


def check_derivative(f, df, x, *, method="central", directions=3, tol=None,
                     h=None, seed=0):
    """Compare df(x, dx) with finite differences of f along random directions.

    Returns the largest relative error over the directions; raises an
    AssertionError if it exceeds tol (by default the method's, from METHODS).
    """
    tol = METHODS[method][1] if tol is None else tol
    rng = np.random.default_rng(seed)
    x = np.asarray(x, dtype=float)
    worst = 0.0
    for k in range(directions):
        dx = rng.standard_normal(x.shape)
        claimed = np.asarray(df(x, dx), dtype=float)
        numeric = directional_difference(f, x, dx, method, h)
        err = relative_error(numeric, claimed)
        if not err <= tol:  # written this way to catch nan as well
            raise AssertionError(
                f"{method} differences disagree (direction {k}): "
                f"relative error {err:.1e} > {tol:.0e}"
            )
        worst = max(worst, err)
    return worst


def check_gradient(f, grad, x, **options):
    """check_derivative for a scalar f, with f'(x)[dx] = <grad(x), dx>."""

    def df(x, dx):
        return np.sum(np.asarray(grad(x)) * dx)

    return check_derivative(f, df, x, **options)
# --8<-- [end:checker]


if __name__ == "__main__":
    # The derivative of the matrix inverse: d(X^-1) = -X^-1 dX X^-1.
    rng = np.random.default_rng(1)
    X = rng.standard_normal((4, 4)) + 4 * np.eye(4)
    inv = np.linalg.inv

    def d_inv(X, dX):
        return -inv(X) @ dX @ inv(X)

    for method, (_, tol) in METHODS.items():
        check_derivative(inv, d_inv, X, method=method)
        print(f"d(X^-1), {method:>12}: relative error below {tol:.0e}")

    # A wrong formula must fail: -X^-2 dX is right only if X and dX commute.
    try:
        check_derivative(inv, lambda X, dX: -inv(X) @ inv(X) @ dX, X)
    except AssertionError as err:
        print("-X^-2 dX rejected:", err)
    else:
        raise SystemExit("the check accepted a wrong derivative")

    # A scalar function of a matrix: the gradient of log|det X| is X^-T.
    def logabsdet(X):
        return np.linalg.slogdet(X)[1]

    check_gradient(logabsdet, lambda X: inv(X).T, X)
    print("gradient of log|det X| = X^-T: relative error below 1e-08")
