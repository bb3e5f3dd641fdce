"""The Taylor test: check a claimed derivative against the definition.

If f'(x) is right, the remainder f(x + t dx) - f(x) - t f'(x)[dx] shrinks like
t**2 as t -> 0; if it is wrong, like t. The observed order (the slope of the
remainder on log-log axes) tells the two apart without choosing a tolerance
for the remainder itself. Works for scalars, vectors and matrices alike.
"""

# --8<-- [start:taylor_test]
import numpy as np


def taylor_test(f, derivative, x, dx, steps=(1e-1, 1e-2, 1e-3)):
    """Remainders ||f(x + t dx) - f(x) - t f'(x)[dx]|| for each step t, and the
    observed orders between consecutive steps (2 if the derivative is right)."""
    fx, linear = f(x), derivative(x, dx)
    remainders = [np.linalg.norm(f(x + t * dx) - fx - t * linear)
                  for t in steps]
    orders = [
        np.log(r0 / r1) / np.log(t0 / t1)
        for r0, r1, t0, t1 in zip(remainders, remainders[1:], steps, steps[1:])
    ]
    return remainders, orders
# --8<-- [end:taylor_test]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    x, dx = rng.standard_normal(5), rng.standard_normal(5)
    _, right = taylor_test(np.sin, lambda x, dx: np.cos(x) * dx, x, dx)
    _, wrong = taylor_test(np.sin, lambda x, dx: -np.cos(x) * dx, x, dx)
    print("orders with the right derivative:", np.round(right, 2))
    print("orders with a wrong derivative:  ", np.round(wrong, 2))
    assert min(right) > 1.9 and max(wrong) < 1.1
