"""Jacobi's formula and the gradient of det, exactly, on a 3 x 3 matrix of symbols."""

import sympy as sp

n = 3
A = sp.Matrix(n, n, sp.symbols("a1:4(1:4)"))  # a11, a12, ..., a33
D = sp.Matrix(n, n, sp.symbols("d1:4(1:4)"))  # a direction dA, also symbols
t = sp.Symbol("t")
det_A = A.det()


def cofactor(M, i, j):
    """(-1)^(i+j) times the determinant of M without row i and column j."""
    return (-1) ** (i + j) * M.minor_submatrix(i, j).det()


C = sp.Matrix(n, n, lambda i, j: cofactor(A, i, j))  # the cofactor matrix
zero = sp.zeros(n, n)

# Expansion along each row i: det A = sum_j A_ij C_ij.
for i in range(n):
    assert sp.expand(sum(A[i, j] * C[i, j] for j in range(n)) - det_A) == 0
print("det A = sum_j A_ij C_ij along every row: exact")

# The gradient, entry by entry: G_ij is the partial derivative in A_ij.
G = A.applyfunc(lambda a_ij: sp.diff(det_A, a_ij))
assert sp.expand(G - C) == zero
print("partial derivatives of det A = cofactor matrix C: exact")

# C is the transpose of the adjugate, and A adj(A) = det(A) I.
adj = A.adjugate()
assert sp.expand(C - adj.T) == zero
assert sp.expand(A * adj - det_A * sp.eye(n)) == zero
# So G = det(A) A^-T, written without dividing: G A^T = det(A) I.
assert sp.expand(G * A.T - det_A * sp.eye(n)) == zero
print("C = adj(A)^T and G A^T = det(A) I, so G = det(A) A^-T: exact")

# Jacobi's formula along the direction D: d/dt det(A + t D) at t = 0.
directional = sp.diff((A + t * D).det(), t).subs(t, 0)
assert sp.expand(directional - (adj * D).trace()) == 0
print("d/dt det(A + t D) at t = 0 equals tr(adj(A) D): exact")

# Without the transpose the gradient is wrong: adj(A) is not C.
difference = sp.expand(adj - C)
assert difference != zero
print("adj(A) - C, entry (1, 2):", sp.factor(difference[0, 1]))  # row 1, column 2
