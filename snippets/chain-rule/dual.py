"""Forward-mode differentiation with dual numbers.

A dual number a + b eps has eps^2 = 0, so f(a + b eps) = f(a) + f'(a) b eps
for every smooth f: evaluating f on x + v eps carries the directional
derivative f'(x)[v] along with the value. The parts may be numbers, NumPy
arrays of one shape, or dual numbers themselves (nested duals give second
derivatives).
"""

# --8<-- [start:dual]
import numpy as np


class Dual:
    """real + dual * eps, with eps^2 = 0."""

    __array_ufunc__ = None  # makes `array @ dual` call Dual.__rmatmul__

    def __init__(self, real, dual):
        self.real, self.dual = real, dual

    def __add__(self, other):
        other = lift(other)
        return Dual(self.real + other.real, self.dual + other.dual)

    def __neg__(self):
        return Dual(-self.real, -self.dual)

    def __sub__(self, other):
        return self + (-lift(other))

    def __rsub__(self, other):
        return lift(other) - self

    def __mul__(self, other):  # (a + b eps)(c + d eps) = ac + (bc + ad) eps
        other = lift(other)
        return Dual(self.real * other.real,
                    self.dual * other.real + self.real * other.dual)

    def __truediv__(self, other):  # a/c + (bc - ad)/c^2 eps
        other = lift(other)
        return Dual(self.real / other.real,
                    (self.dual * other.real - self.real * other.dual)
                    / (other.real * other.real))

    def __rtruediv__(self, other):
        return lift(other) / self

    def __rmatmul__(self, matrix):  # a constant matrix times a dual vector
        return Dual(matrix @ self.real, matrix @ self.dual)

    __radd__ = __add__
    __rmul__ = __mul__


def lift(x):
    """A constant as a dual number: its derivative part is zero."""
    return x if isinstance(x, Dual) else Dual(x, 0.0 * x)


# Each function applies itself to the real part and its derivative to the
# dual part; they call themselves, so duals of duals work too.
def sin(x):
    if not isinstance(x, Dual):
        return np.sin(x)
    return Dual(sin(x.real), cos(x.real) * x.dual)


def cos(x):
    if not isinstance(x, Dual):
        return np.cos(x)
    return Dual(cos(x.real), -sin(x.real) * x.dual)


def exp(x):
    if not isinstance(x, Dual):
        return np.exp(x)
    e = exp(x.real)
    return Dual(e, e * x.dual)


def tanh(x):
    if not isinstance(x, Dual):
        return np.tanh(x)
    t = tanh(x.real)
    return Dual(t, (1 - t * t) * x.dual)


def derivative(f, a):
    """f'(a) for a function of one number, by one evaluation on a + eps."""
    return f(Dual(a, 1.0)).dual


def jvp(f, x, v):
    """f'(x)[v] for a function of a vector: one evaluation on x + v eps."""
    return f(Dual(x, v)).dual


# --8<-- [end:dual]

if __name__ == "__main__":
    # 1. d/dx [x sin(x) / (1 + x^2)] at 0.8, by the quotient and product rules.
    def f(x):
        return x * sin(x) / (1 + x * x)

    a = 0.8
    u, du = a * np.sin(a), np.sin(a) + a * np.cos(a)  # numerator and u'
    by_hand = (du * (1 + a * a) - u * 2 * a) / (1 + a * a) ** 2
    err = abs(derivative(f, a) - by_hand) / abs(by_hand)
    print(f"derivative of a function of one number, exact to rounding: "
          f"{err < 1e-14}")
    assert err < 1e-14

    # 2. x -> B (s * s) with s = tanh(A x), the example of the JVP section.
    rng = np.random.default_rng(3)
    A, B = rng.standard_normal((4, 5)), rng.standard_normal((3, 4))
    x = rng.standard_normal(5)

    def g(x):  # written once: runs on arrays and on dual numbers
        s = tanh(A @ x)
        return B @ (s * s)

    s = np.tanh(A @ x)
    v = rng.standard_normal(5)
    jvp_by_hand = B @ (2 * s * ((1 - s * s) * (A @ v)))
    err = (np.linalg.norm(jvp(g, x, v) - jvp_by_hand)
           / np.linalg.norm(jvp_by_hand))
    print(f"JVP of a vector function equals the one by hand to 1e-14: "
          f"{err < 1e-14}")
    assert err < 1e-14
    J = np.column_stack([jvp(g, x, e) for e in np.eye(5)])  # 5 evaluations
    h = 1e-5
    numeric = np.column_stack([(g(x + h * e) - g(x - h * e)) / (2 * h)
                               for e in np.eye(5)])
    err = np.linalg.norm(J - numeric) / np.linalg.norm(numeric)
    print(f"Jacobian {J.shape} from 5 evaluations; "
          f"central differences agree to 1e-9: {err < 1e-9}")
    assert err < 1e-9
