"""The differentials of the lecture on matrix functions, checked exactly by SymPy.

A and dA are explicit matrices whose entries are symbols (sympy.Matrix, not
MatrixSymbol). The derivative of f at A in the direction dA is
d/dt f(A + t dA) at t = 0; each formula must equal it entry by entry.
"""

import sympy as sp

t = sp.symbols("t")
A = sp.Matrix(2, 2, sp.symbols("a11 a12 a21 a22"))
dA = sp.Matrix(2, 2, sp.symbols("e11 e12 e21 e22"))
# A rectangular matrix (3 x 2) for A^T A, which needs no square A.
R = sp.Matrix(3, 2, sp.symbols("r1:7"))
dR = sp.Matrix(3, 2, sp.symbols("s1:7"))


def directional(f, X, dX):
    """d/dt f(X + t dX) at t = 0, entry by entry."""
    return sp.diff(f(X + t * dX), t).subs(t, 0)


claims = [
    ("d(A^2) = dA A + A dA", lambda X: X**2, A, dA, dA * A + A * dA),
    ("d(A^3) = dA A^2 + A dA A + A^2 dA", lambda X: X**3, A, dA,
     dA * A**2 + A * dA * A + A**2 * dA),
    ("d(A^-1) = -A^-1 dA A^-1", lambda X: X.inv(), A, dA, -A.inv() * dA * A.inv()),
    ("d(R^T R) = dR^T R + R^T dR", lambda X: X.T * X, R, dR, dR.T * R + R.T * dR),
]
for name, f, X, dX, formula in claims:
    difference = sp.simplify(directional(f, X, dX) - formula)
    assert difference == sp.zeros(*formula.shape), name
    print(f"{name}: exact")

# The tempting 2 A dA misses by the commutator dA A - A dA, which is not zero.
miss = sp.expand(directional(lambda X: X**2, A, dA) - 2 * A * dA)
assert miss == sp.expand(dA * A - A * dA) and miss != sp.zeros(2, 2)
print("d(A^2) - 2 A dA = dA A - A dA, not zero")
