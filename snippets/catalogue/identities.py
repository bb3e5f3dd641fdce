"""The identity catalogue: every identity, defined once (docs page: Identity catalogue).

This file is the single source of the catalogue page, which hooks/catalogue.py
generates at build time, and of its checks, which snippets/catalogue/checks.py
generates and runs. Each entry gives the function, its claimed derivative (the
differential dY = f'(X)[dX]; for scalar functions also the gradient; for
network layers also the pullback of a cotangent), the shapes and assumptions
(read off how each input is sampled, plus any stated here), the lecture that
derives it, and how other references state it when they differ.

Formulas are trees of snippets/catalogue/expressions.py: the LaTeX on the
page, the NumPy check a reader copies and the SymPy check all come from one
tree. Run this file for a summary of the catalogue.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import sympy as sp

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the sibling modules, also when the site build imports this file
    sys.path.insert(0, str(HERE))

import expressions as ex  # noqa: E402
from expressions import (  # noqa: E402
    MATRIX, SCALAR, VECTOR, Call, Const, Dim, Eye, Inv, Named, Ones, Var,
    det, diag, exp, flat, had, inner, kron, log, logabsdet, logdet, logsumexp, norm,
    sigmoid, softmax, sqrt, tanh, tr, vec,
)

# The page's sections, in order: a title and a sentence on what the rows have in common.
GROUPS = {
    "matrix": ("Differentials of matrix functions",
               r"Matrix-valued functions of a matrix. A row gives the differential $\dd Y$ as a linear function "
               r"of $\dd X$; none of them needs a Jacobian of size $n^2 \times n^2$."),
    "gradmat": ("Gradients of scalar functions of matrices",
                r"Scalar functions of a matrix: the differential $\dd f$ and the gradient $\nabla f$, which "
                r"has the shape of the variable, so that $\dd f = \tr(\nabla f^\T \dd X)$."),
    "gradvec": ("Gradients of scalar functions of vectors",
                r"Scalar functions of a column vector, among them the losses of regression and "
                r"classification; $\dd f = (\nabla f)^\T \dd x$."),
    "nn": ("Vector maps used in neural networks",
           r"Layers and their derivatives as backpropagation uses them. The pullback turns $\bar y$, the "
           r"gradient of a loss with respect to the output, into the gradient with respect to the input: "
           r"$\bar x = J^\T \bar y$, computed without forming $J$."),
    "kron": ("Kronecker and vec facts",
             r"Rules for $\vec$ and $\kron$, and the $n^2 \times n^2$ Jacobians of matrix functions that they "
             r"produce. They hold for $\vec$ stacking columns."),
    "jacdet": ("Jacobian determinants of matrix maps",
               r"The factor by which a map scales volume: $\det J$ of the map from $\vec X$ to "
               r"$\vec Y$ (or from $z$ to its image), as in a change of variables or a normalising flow."),
}

# The lecture that derives each row (docs/lectures/<slug>.md), named short for a narrow column.
LECTURES = {
    "derivatives": "Derivatives",
    "jacobians": "Jacobians",
    "jacobian-determinant": "Jacobian determinant",
    "matrix-functions": "Matrix functions",
    "vec-kronecker": "vec and Kronecker",
    "finite-differences": "Finite differences",
    "gradients": "Gradients",
    "chain-rule": "Chain rule",
    "backpropagation": "Backpropagation",
    "gradient-cost": "Cost of a gradient",
}

# What the way an input is sampled assumes about it, as the page states it.
ASSUMED = {
    "invertible": "$@$ invertible",
    "spd": "$@$ symmetric positive definite",
    "symmetric": "$@$ symmetric",
    "separated": "$@$ symmetric with distinct eigenvalues",
    "probability": r"$\mathbf{1}^\T @ = 1$",
    "full-rank": "$@$ of full column rank",
}
SYMMETRIC_SAMPLES = {"spd", "symmetric", "separated"}
HALF = Const(Fraction(1, 2))
# Why a few SymPy checks stop at 2 x 2: the whole catalogue must check in seconds.
SLOW_3X3 = "3 x 3 takes seconds in SymPy; the rules it is built from are checked at 3 x 3"
BIG_3X3 = "at 3 x 3 the matrices involved are 9 x 9 and SymPy takes far too long"
EIGEN_3X3 = "eigenvalues of a 3 x 3 matrix of symbols have no usable closed form"


# ---------------------------------------------------------------- the entries


@dataclass(frozen=True)
class Identity:
    key: str
    group: str
    title: str  # a few plain words, no math
    lecture: str
    kind: str  # "derivative", "equality" or "jacdet"
    inputs: tuple  # Vars; for a derivative or a Jacobian determinant the first is the variable
    f: ex.Expr | None = None
    out: Var | None = None  # the name of f's value on the page: Y, y, f, R, s, ...
    df: ex.Expr | None = None  # claimed dY, in terms of the inputs and dX
    equation: tuple | None = None  # or an implicit claim lhs(Y, dY) = rhs(dX)
    grad: ex.Expr | None = None  # scalar f: the claimed gradient
    vjp: ex.Expr | None = None  # the claimed pullback (gradient with respect to the input) of `cotangent`
    cotangent: Var | None = None  # ybar: a gradient with respect to the output
    lhs: ex.Expr | None = None  # equality: lhs = rhs; Jacobian determinant: rhs only
    rhs: ex.Expr | None = None
    assumptions: tuple = ()  # Markdown, beyond those read off the inputs
    note: str = ""  # how other references state it differently, and why
    cases: tuple = ()  # sizes of the numerical checks, one tuple per point
    symbolic: tuple = ()  # sizes of the SymPy checks
    symbolic_limit: str = ""  # why the SymPy check is missing, or stops at 2 x 2
    number: int = 0

    @property
    def wrt(self) -> Var:
        return self.inputs[0]

    @property
    def dims(self) -> list[str]:
        """Size names in the order the checks loop over them (integer inputs count as sizes)."""
        names = []
        for var in self.inputs:
            for name in var.dims + ((var.name,) if var.sample == "int" else ()):
                if name not in names:
                    names.append(name)
        return names

    def assumed(self) -> list[str]:
        """Assumptions read off how the inputs are sampled, then those stated."""
        found = [ASSUMED[v.sample].replace("@", v.tex()) for v in self.inputs if v.sample in ASSUMED]
        return found + list(self.assumptions)

    def claims(self) -> dict[str, ex.Expr]:
        """The expressions that state the identity (what a mutation may change)."""
        found = {}
        for name in ("df", "grad", "vjp", "rhs"):
            if getattr(self, name) is not None:
                found[name] = getattr(self, name)
        if self.equation is not None:
            found["equation_lhs"], found["equation_rhs"] = self.equation
        return found

    def expressions(self) -> list[ex.Expr]:
        return [e for e in (self.f, self.df, self.grad, self.vjp, self.lhs, self.rhs, *(self.equation or ()))
                if e is not None]


def M(name, dims=("n", "n"), sample="normal", tex=None) -> Var:
    return Var(name, MATRIX, dims, tex, sample)


def V(name, dim="n", sample="normal", tex=None) -> Var:
    return Var(name, VECTOR, (dim,), tex, sample)


def S(name, sample="normal", tex=None) -> Var:
    return Var(name, SCALAR, (), tex, sample)


def default_cases(count: int) -> tuple:
    """Three points of three different sizes; each size runs through 2, 3, 4."""
    return tuple(tuple(2 + (i + j) % 3 for i in range(count)) for j in range(3))


CATALOGUE: list[Identity] = []


def add(**fields) -> Identity:
    fields.setdefault("symbolic", None)
    inputs = fields["inputs"]
    kind = fields["kind"]
    if kind == "derivative" and fields.get("out") is None:
        f = fields["f"]
        fields["out"] = Var({SCALAR: "f", VECTOR: "y", MATRIX: "Y"}[f.kind], f.kind,
                            {SCALAR: (), VECTOR: ("_",), MATRIX: ("_", "_")}[f.kind])
    entry = Identity(**{k: v for k, v in fields.items() if k != "symbolic"}, number=len(CATALOGUE) + 1)
    count = len(entry.dims)
    symbolic = fields["symbolic"]
    if symbolic is None:
        symbolic = () if entry.symbolic_limit else ((2,) * count, (3,) * count)
    entry = replace(entry, cases=entry.cases or default_cases(count), symbolic=tuple(symbolic))
    if entry.key in {e.key for e in CATALOGUE}:
        raise ValueError(f"two identities are called {entry.key!r}")
    if not entry.symbolic and not entry.symbolic_limit:
        raise ValueError(f"{entry.key}: no SymPy check and no reason given")
    if entry.symbolic and max(max(case) for case in entry.symbolic) < 3 and not entry.symbolic_limit:
        raise ValueError(f"{entry.key}: the SymPy check stops at 2 x 2 and no reason is given")
    # Every tree must be well formed now, not when a reader opens the page.
    for e in entry.expressions():
        e.tex(), e.code()
    CATALOGUE.append(entry)
    return entry


def derivative(key, group, title, lecture, f, inputs, **fields) -> Identity:
    return add(key=key, group=group, title=title, lecture=lecture, kind="derivative", f=f,
               inputs=tuple(inputs), **fields)


def equality(key, group, title, lecture, lhs, rhs, inputs, **fields) -> Identity:
    return add(key=key, group=group, title=title, lecture=lecture, kind="equality", lhs=lhs, rhs=rhs,
               inputs=tuple(inputs), **fields)


def jacdet(key, group, title, lecture, f, rhs, inputs, **fields) -> Identity:
    return add(key=key, group=group, title=title, lecture=lecture, kind="jacdet", f=f, rhs=rhs,
               inputs=tuple(inputs), **fields)


# Functions the catalogue needs beyond the basic vocabulary of expressions.py.
def expm(X):
    return Call("expm", [X], MATRIX, r"\exp({0})", "expm({0})", helper="expm")


def expm_integral(X, E):
    return Call("expm_integral", [X, E], MATRIX, r"\int_0^1 \exp(s{0})\,{1}\,\exp((1 - s){0})\,\dd s",
                "expm_integral({0}, {1})", helper="expm_integral")


def sqrtm(S_):
    node = Call("sqrtm", [S_], MATRIX, "{0}^{{1/2}}", "sqrtm_spd({0})", helper="sqrtm_spd")
    node.tex_prec = ex.POW
    return node


def cholesky(S_):
    def exact(m):
        return m.cholesky(hermitian=False)

    return Call("cholesky", [S_], MATRIX, r"\operatorname{{chol}}({0})", "np.linalg.cholesky({0})", exact,
                where=r"$\operatorname{chol}(S)$ is the lower-triangular $L$ with positive diagonal and $L L^\T = S$")


def lower_half(A):
    def exact(m):
        return sp.Matrix(m.rows, m.cols, lambda i, j: m[i, j] if i > j else (m[i, j] / 2 if i == j else 0))

    return Call("lower_half", [A], MATRIX, r"\Phi({0})", "lower_half({0})", exact, helper="lower_half",
                where=r"$\Phi(A)$ is the lower triangle of $A$ with its diagonal halved")


def eigenvectors(S_):
    return Call("eigenvectors", [S_], MATRIX, r"\operatorname{{eigvecs}}({0})", "eigenvectors({0})",
                helper="eigenvectors")


def inverse_gaps(S_):
    return Call("inverse_gaps", [S_], MATRIX, "F", "inverse_gaps({0})", helper="inverse_gaps",
                where=r"$F_{ij} = 1/(\lambda_j - \lambda_i)$ for $i \ne j$, $F_{ii} = 0$")


def lambda_max(S_):
    return Call("lambda_max", [S_], SCALAR, r"\lambda_{{\max}}({0})", "np.linalg.eigvalsh({0})[-1]")


def top_eigenvector(S_):
    return Call("top_eigenvector", [S_], VECTOR, "q", "top_eigenvector({0})", helper="top_eigenvector",
                where=r"$q$ is a unit eigenvector of $\lambda_{\max}(S)$")


def relu(x):
    return Call("relu", [x], VECTOR, r"\operatorname{{relu}}({0})", "np.maximum({0}, 0)")


def step(x):
    return Call("step", [x], VECTOR, r"\operatorname{{step}}({0})", "np.heaviside({0}, 0.0)",
                where=r"$\operatorname{step}(t)$ is $1$ for $t > 0$ and $0$ for $t < 0$, entrywise")


def eigen_pair_product(X, pair_tex, pair_code, pair):
    def exact(m):
        lam = m.eigenvals(multiple=True)
        return sp.Mul(*[pair(a, b) for a in lam for b in lam])

    return Call("eigen_pair_product", [X], SCALAR, r"\prod_{{i,j=1}}^{{n}} " + pair_tex,
                "eigen_pair_product({0}, lambda a, b: " + pair_code + ")", exact, helper="eigen_pair_product",
                where=r"$\lambda_1, \dots, \lambda_n$ are the eigenvalues of $X$")


def cotangent(like: Var, tex: str) -> Var:
    """ybar, a gradient with respect to a layer's output (its shape comes from the output)."""
    return Var("ybar", like.kind, ("_",) * {VECTOR: 1, MATRIX: 2}[like.kind], tex)


# ---------------------------------------------------------------- differentials of matrix functions

X, A = M("X"), M("A")
dX = X.d()
a, b, x, u, w, z = V("a"), V("b"), V("x"), V("u"), V("w"), V("z")

Xmp, Akm, Bpq = M("X", ("m", "p")), M("A", ("k", "m")), M("B", ("p", "q"))
derivative("linear", "matrix", "Linear in X", "derivatives", Akm @ Xmp @ Bpq, [Xmp, Akm, Bpq],
           df=Akm @ Xmp.d() @ Bpq)
derivative("transpose", "matrix", "Transpose", "derivatives", Xmp.T, [Xmp], df=Xmp.d().T)
derivative("square", "matrix", "Square", "matrix-functions", X ** 2, [X], df=dX @ X + X @ dX,
           note=r"Often misquoted as $2X\,\dd X$, which holds only when $\dd X$ commutes with $X$; "
                r"at a random point that formula is off by about 100%.")
derivative("cube", "matrix", "Cube", "matrix-functions", X ** 3, [X],
           df=dX @ X ** 2 + X @ dX @ X + X ** 2 @ dX,
           note=r"Not $3X^2\,\dd X$, for the same reason: matrix products do not commute.")
Xi = M("X", sample="invertible")
derivative("inverse", "matrix", "Inverse", "matrix-functions", Inv(Xi), [Xi], df=-Inv(Xi) @ Xi.d() @ Inv(Xi),
           note=r"Carrying the scalar rule over gives $-X^{-2}\,\dd X$, which holds only when $\dd X$ "
                r"commutes with $X$.")
derivative("solve", "matrix", "Solution of a linear system", "matrix-functions", Inv(Xi) @ b, [Xi, b],
           df=-Inv(Xi) @ Xi.d() @ Inv(Xi) @ b)
Xmn = M("X", ("m", "n"))
derivative("gram", "matrix", "Gram matrix", "matrix-functions", Xmn.T @ Xmn, [Xmn],
           df=Xmn.d().T @ Xmn + Xmn.T @ Xmn.d())
derivative("outer-gram", "matrix", "Outer Gram matrix", "matrix-functions", Xmn @ Xmn.T, [Xmn],
           df=Xmn.d() @ Xmn.T + Xmn @ Xmn.d().T)
Xfr = M("X", ("m", "n"), "full-rank")
G_ = Named("G", Xfr.T @ Xfr)
derivative("inverse-gram", "matrix", "Inverse Gram matrix (least squares)", "matrix-functions",
           Inv(Xfr.T @ Xfr), [Xfr],
           df=-Inv(G_) @ (Xfr.d().T @ Xfr + Xfr.T @ Xfr.d()) @ Inv(G_),
           assumptions=(r"$m \ge n$",),
           cases=((3, 2), (4, 3), (4, 4)), symbolic=((2, 2), (3, 2)))
Xnp = M("X", ("n", "p"))
derivative("congruence", "matrix", "Congruence", "matrix-functions", Xnp.T @ A @ Xnp, [Xnp, A],
           df=Xnp.d().T @ A @ Xnp + Xnp.T @ A @ Xnp.d())
derivative("exponential", "matrix", "Exponential", "matrix-functions", expm(X), [X], df=expm_integral(X, dX),
           note=r"Not $\exp(X)\,\dd X$ unless $X$ and $\dd X$ commute. SciPy's `expm_frechet` computes this "
                r"integral.",
           symbolic_limit="the exponential of a matrix of symbols has no usable closed form")
Sp = M("S", sample="spd")
Rv = M("R", ("_", "_"))
derivative("square-root", "matrix", "Square root", "matrix-functions", sqrtm(Sp), [Sp], out=Rv,
           equation=(Rv @ Rv.d() + Rv.d() @ Rv, Sp.d()),
           assumptions=(r"$R$ is the symmetric positive definite square root",),
           note=r"The differential is the solution of this Sylvester equation; it is "
                r"$\tfrac12 S^{-1/2}\,\dd S$ only when $\dd S$ commutes with $S$.",
           symbolic_limit="the square root of a 3 x 3 matrix of symbols has no usable closed form")
L_ = Named("L", cholesky(Sp))
derivative("cholesky", "matrix", "Cholesky factor", "matrix-functions", cholesky(Sp), [Sp],
           out=M("L", ("_", "_")), df=L_ @ lower_half(Inv(L_) @ Sp.d() @ Inv(L_).T), symbolic=((2,),),
           symbolic_limit="the Cholesky factor of a 3 x 3 matrix of symbols takes SymPy seconds",
           note=r"For the upper factor $S = U^\T U$ of other libraries, "
                r"$\dd U = \Phi(U^{-\T}\,\dd S\,U^{-1})^\T U$.")
Ssep = M("S", sample="separated")
Q_ = Named("Q", eigenvectors(Ssep))
derivative("eigenvectors", "matrix", "Eigenvectors of a symmetric matrix", "matrix-functions",
           eigenvectors(Ssep), [Ssep], out=M("Q", ("_", "_")),
           df=Q_ @ had(inverse_gaps(Ssep), Q_.T @ Ssep.d() @ Q_),
           assumptions=(r"$S = Q \Lambda Q^\T$ with $Q^\T Q = I$, eigenvalues ascending",),
           note=r"Eigenvectors are fixed only up to sign, so a smooth choice of sign is assumed (the check "
                r"makes each column sum to a positive number). Formulas that sum "
                r"$q_j q_j^\T\,\dd S\,q_i / (\lambda_i - \lambda_j)$ over $j \ne i$ are this one, column by "
                r"column.",
           symbolic_limit="eigenvectors of a 3 x 3 matrix of symbols have no usable closed form")

# ---------------------------------------------------------------- gradients of scalar functions of matrices

derivative("trace", "gradmat", "Trace", "gradients", tr(X), [X], df=tr(dX), grad=Eye(X))
Apn = M("A", ("p", "n"))
derivative("trace-linear", "gradmat", "Trace of a product", "gradients", tr(Apn @ Xnp), [Xnp, Apn],
           df=tr(Apn @ Xnp.d()), grad=Apn.T,
           note=r"Numerator-layout tables give $A$, the transpose (see the conventions above).")
Bpk = M("B", ("p", "k"))
derivative("trace-sandwich", "gradmat", "Trace of a sandwich", "gradients", tr(Akm @ Xmp @ Bpk), [Xmp, Akm, Bpk],
           df=tr(Akm @ Xmp.d() @ Bpk), grad=Akm.T @ Bpk.T, note=r"Numerator layout: $BA$.")
derivative("trace-quadratic", "gradmat", "Trace of a quadratic form", "gradients", tr(Xnp.T @ A @ Xnp), [Xnp, A],
           df=tr(Xnp.T @ (A + A.T) @ Xnp.d()), grad=(A + A.T) @ Xnp,
           note=r"Often written $2AX$, which assumes $A$ symmetric.")
am, bn = V("a", "m"), V("b", "n")
derivative("bilinear", "gradmat", "Bilinear form", "gradients", am.T @ Xmn @ bn, [Xmn, am, bn],
           df=am.T @ Xmn.d() @ bn, grad=am @ bn.T, note=r"Numerator layout: $b a^\T$.")
derivative("frobenius-squared", "gradmat", "Squared Frobenius norm", "gradients", norm(Xmn) ** 2, [Xmn],
           df=2 * tr(Xmn.T @ Xmn.d()), grad=2 * Xmn)
derivative("frobenius", "gradmat", "Frobenius norm", "gradients", norm(Xmn), [Xmn],
           df=tr(Xmn.T @ Xmn.d()) / norm(Xmn), grad=Xmn / norm(Xmn), assumptions=(r"$X \ne 0$",))
derivative("determinant", "gradmat", "Determinant", "gradients", det(Xi), [Xi],
           df=det(Xi) * tr(Inv(Xi) @ Xi.d()), grad=det(Xi) * Inv(Xi).T,
           note=r"Numerator layout: $\det(X) X^{-1}$. The gradient is the cofactor matrix "
                r"$\adj(X)^\T$, which exists for singular $X$ too (Jacobi's formula).")
derivative("log-abs-det", "gradmat", "Log-determinant", "gradients", logabsdet(Xi), [Xi],
           df=tr(Inv(Xi) @ Xi.d()), grad=Inv(Xi).T, note=r"Numerator layout: $X^{-1}$.")
derivative("log-det-spd", "gradmat", "Log-determinant of a symmetric matrix", "gradients", logdet(Sp), [Sp],
           df=tr(Inv(Sp) @ Sp.d()), grad=Inv(Sp),
           note=r"Some references give $2S^{-1} - S^{-1} \odot I$: the partial derivatives with respect to "
                r"the distinct entries $S_{ij}$, $i \le j$, not a gradient for the Frobenius product. On "
                r"symmetric matrices the gradient is the symmetric part of the unconstrained one, "
                r"$\sym(S^{-1}) = S^{-1}$.")
derivative("trace-inverse", "gradmat", "Trace of the inverse", "gradients", tr(Inv(Xi)), [Xi],
           df=-tr(Inv(Xi) ** 2 @ Xi.d()), grad=-(Inv(Xi) ** 2).T)
derivative("inverse-bilinear", "gradmat", "Bilinear form in the inverse", "gradients", a.T @ Inv(Xi) @ b,
           [Xi, a, b], df=-a.T @ Inv(Xi) @ Xi.d() @ Inv(Xi) @ b, grad=-Inv(Xi).T @ a @ b.T @ Inv(Xi).T,
           symbolic=((2,),), symbolic_limit=SLOW_3X3,
           note=r"Numerator layout: $-X^{-1} b a^\T X^{-1}$.")
k = S("k", "int")
derivative("trace-power", "gradmat", "Trace of a power", "gradients", tr(X ** k), [X, k],
           df=k * tr(X ** (k - 1) @ dX), grad=k * (X ** (k - 1)).T, assumptions=(r"$k = 1, 2, 3, \dots$",),
           note=r"Numerator layout: $k X^{k-1}$.")
derivative("trace-exponential", "gradmat", "Trace of the exponential", "gradients", tr(expm(X)), [X],
           df=tr(expm(X) @ dX), grad=expm(X).T,
           symbolic_limit="the exponential of a matrix of symbols has no usable closed form")
q_ = top_eigenvector(Ssep)
derivative("largest-eigenvalue", "gradmat", "Largest eigenvalue", "gradients", lambda_max(Ssep), [Ssep],
           df=q_.T @ Ssep.d() @ q_, grad=q_ @ q_.T,
           assumptions=(r"$\lambda_{\max}$ simple (where it is repeated it has no derivative)",),
           note=r"The Hellmann-Feynman formula $\dd\lambda_i = q_i^\T\,\dd S\,q_i$ for the largest "
                r"eigenvalue.",
           symbolic_limit=EIGEN_3X3)
Amn, Bmp = M("A", ("m", "n")), M("B", ("m", "p"))
derivative("matrix-least-squares", "gradmat", "Matrix least squares", "gradients",
           norm(Amn @ Xnp - Bmp) ** 2, [Xnp, Amn, Bmp],
           df=2 * tr((Amn @ Xnp - Bmp).T @ Amn @ Xnp.d()), grad=2 * Amn.T @ (Amn @ Xnp - Bmp),
           note=r"With the factor $\tfrac12$ that many texts put in front of the loss, the gradient loses "
                r"its 2.")
Sig = M("Sigma", sample="spd", tex=r"\Sigma")
P_ = Named("P", Inv(Sig))
derivative("gaussian-covariance", "gradmat", "Gaussian log-likelihood, in the covariance", "gradients",
           -HALF * logdet(Sig) - HALF * (x.T @ Inv(Sig) @ x), [Sig, x],
           df=HALF * tr((P_ @ x @ x.T @ P_ - P_) @ Sig.d()), grad=HALF * (P_ @ x @ x.T @ P_ - P_),
           symbolic=((2,),), symbolic_limit=SLOW_3X3,
           assumptions=(r"$f$ is the log-density up to the constant $-\tfrac n2 \log 2\pi$",),
           note=r"As for $\log\det S$: formulas of the form $2G - G \odot I$ differentiate with respect to the "
                r"distinct entries of $\Sigma$.")

# ---------------------------------------------------------------- gradients of scalar functions of vectors

derivative("linear-form", "gradvec", "Linear form", "gradients", a.T @ x, [x, a], df=a.T @ x.d(), grad=a)
derivative("quadratic-form", "gradvec", "Quadratic form", "derivatives", x.T @ A @ x, [x, A],
           df=x.T @ (A + A.T) @ x.d(), grad=(A + A.T) @ x,
           note=r"Often written $2Ax$, which assumes $A$ symmetric.")
derivative("norm-squared", "gradvec", "Squared norm", "gradients", norm(x) ** 2, [x], df=2 * x.T @ x.d(),
           grad=2 * x)
derivative("norm", "gradvec", "Norm", "gradients", norm(x), [x], df=x.T @ x.d() / norm(x), grad=x / norm(x),
           assumptions=(r"$x \ne 0$",))
Am, bm = M("A", ("m", "n")), V("b", "m")
derivative("least-squares", "gradvec", "Least squares", "gradients", norm(Am @ x - bm) ** 2, [x, Am, bm],
           df=2 * (Am @ x - bm).T @ Am @ x.d(), grad=2 * Am.T @ (Am @ x - bm),
           note=r"For $\tfrac12\norm{Ax - b}^2$, as many texts write the loss, the gradient is "
                r"$A^\T(Ax - b)$.")
lam = S("lam", "positive", r"\lambda")
derivative("ridge", "gradvec", "Ridge regression", "gradients",
           HALF * norm(Am @ x - bm) ** 2 + lam / 2 * norm(x) ** 2, [x, Am, bm, lam],
           df=((Am @ x - bm).T @ Am + lam * x.T) @ x.d(), grad=Am.T @ (Am @ x - bm) + lam * x)
s_z = Named("s", softmax(z))
derivative("logsumexp", "gradvec", "Log-sum-exp", "backpropagation", logsumexp(z), [z],
           df=s_z.T @ z.d(), grad=s_z)
yp = V("y", sample="probability")
derivative("softmax-cross-entropy", "gradvec", "Softmax cross-entropy", "backpropagation",
           -yp.T @ log(softmax(z)), [z, yp], df=(s_z - yp).T @ z.d(), grad=s_z - yp,
           note=r"For targets $y$ that do not sum to 1 the gradient is $(\mathbf{1}^\T y)\, s - y$.")
t_ = S("t", "unit")
p_ = Named("p", sigmoid(w.T @ x))
derivative("logistic", "gradvec", "Binary cross-entropy (logistic regression)", "backpropagation",
           -t_ * log(sigmoid(w.T @ x)) - (1 - t_) * log(1 - sigmoid(w.T @ x)), [w, x, t_],
           df=(p_ - t_) * (x.T @ w.d()), grad=(p_ - t_) * x, assumptions=(r"a target $t \in [0, 1]$",),
           note=r"With labels $y = \pm 1$ the same loss is $\log(1 + e^{-y\, w^\T x})$, with gradient "
                r"$-y\,\sigma(-y\, w^\T x)\, x$.")
As = M("A", sample="symmetric")
r_ = Named("r", x.T @ As @ x / (x.T @ x))
derivative("rayleigh", "gradvec", "Rayleigh quotient", "gradients", x.T @ As @ x / (x.T @ x), [x, As],
           df=2 * (As @ x - r_ * x).T @ x.d() / (x.T @ x), grad=2 * (As @ x - r_ * x) / (x.T @ x),
           assumptions=(r"$x \ne 0$",))
mu = V("mu", tex=r"\mu")
derivative("gaussian-mean", "gradvec", "Gaussian log-likelihood, in the mean", "gradients",
           -HALF * ((x - mu).T @ Inv(Sig) @ (x - mu)), [mu, x, Sig],
           df=(x - mu).T @ Inv(Sig) @ mu.d(), grad=Inv(Sig) @ (x - mu),
           assumptions=(r"constant terms of the log-density dropped",))

# ---------------------------------------------------------------- vector maps used in neural networks

W, xn, c_ = M("W", ("m", "n")), V("x", "n"), V("c", "m")
yb = cotangent(V("y"), r"\bar y")
derivative("dense-weights", "nn", "Dense layer, in the weights", "backpropagation", W @ xn + c_, [W, xn, c_],
           df=W.d() @ xn, vjp=yb @ xn.T, cotangent=yb,
           note=r"The weight gradient $\bar y x^\T$ has the shape of $W$; texts in denominator layout write "
                r"$x \bar y^\T$.")
derivative("dense-input", "nn", "Dense layer, in the input", "backpropagation", W @ xn + c_, [xn, W, c_],
           df=W @ xn.d(), vjp=W.T @ yb, cotangent=yb)
y_t = Named("y", tanh(x))
derivative("tanh", "nn", "Hyperbolic tangent, entrywise", "backpropagation", tanh(x), [x],
           df=had(Ones(x) - had(y_t, y_t), x.d()), vjp=had(Ones(x) - had(y_t, y_t), yb), cotangent=yb)
y_tw = Named("y", tanh(W @ xn))
derivative("tanh-layer", "nn", "Tanh layer, in the input", "backpropagation", tanh(W @ xn), [xn, W],
           df=diag(Ones(y_tw) - had(y_tw, y_tw)) @ W @ xn.d(),
           vjp=W.T @ had(Ones(y_tw) - had(y_tw, y_tw), yb), cotangent=yb)
derivative("tanh-layer-weights", "nn", "Tanh layer, in the weights", "backpropagation", tanh(W @ xn), [W, xn],
           df=had(Ones(y_tw) - had(y_tw, y_tw), W.d() @ xn),
           vjp=had(Ones(y_tw) - had(y_tw, y_tw), yb) @ xn.T, cotangent=yb)
y_s = Named("y", sigmoid(x))
derivative("sigmoid", "nn", "Logistic sigmoid, entrywise", "backpropagation", sigmoid(x), [x],
           df=had(had(y_s, Ones(x) - y_s), x.d()), vjp=had(had(y_s, Ones(x) - y_s), yb), cotangent=yb)
derivative("relu", "nn", "ReLU, entrywise", "backpropagation", relu(x), [x], df=had(step(x), x.d()),
           vjp=had(step(x), yb), cotangent=yb, assumptions=(r"no entry of $x$ is $0$",),
           note=r"At $x_i = 0$ there is no derivative; frameworks use $0$ there.",
           symbolic_limit="piecewise linear: there is nothing to simplify")
sb = cotangent(V("s"), r"\bar s")
derivative("softmax", "nn", "Softmax", "jacobians", softmax(z), [z], out=V("s", "_"),
           df=(diag(s_z) - s_z @ s_z.T) @ z.d(), vjp=had(s_z, sb - (s_z.T @ sb) * Ones(z)), cotangent=sb,
           note=r"The Jacobian $\diag(s) - s s^\T$ is symmetric, so both layouts agree; each of its columns "
                r"sums to 0 because $\mathbf{1}^\T s = 1$.")
derivative("log-softmax", "nn", "Log-softmax", "backpropagation", log(softmax(z)), [z],
           df=(Eye(z) - Ones(z) @ s_z.T) @ z.d(), vjp=yb - (Ones(z).T @ yb) * s_z, cotangent=yb)
ym = V("y", "m", "probability")
s_w = Named("s", softmax(W @ xn))
derivative("softmax-regression", "nn", "Softmax regression, in the weights", "backpropagation",
           -ym.T @ log(softmax(W @ xn)), [W, xn, ym], df=(s_w - ym).T @ W.d() @ xn, grad=(s_w - ym) @ xn.T,
           symbolic=((2, 2),), symbolic_limit=SLOW_3X3,
           note=r"The gradient $(s - y) x^\T$ has the shape of $W$; texts in denominator layout write "
                r"$x (s - y)^\T$.")
derivative("quadratic-map", "nn", "Linear map of squares", "jacobians", A @ had(x, x), [x, A],
           df=2 * A @ diag(x) @ x.d(), vjp=2 * had(x, A.T @ yb), cotangent=yb)
u_ = Named("u", x / norm(x))
ub = cotangent(V("u"), r"\bar u")
derivative("normalise", "nn", "Normalisation to unit length", "jacobians", x / norm(x), [x], out=V("u", "_"),
           df=(Eye(x) - u_ @ u_.T) @ x.d() / norm(x), vjp=(ub - (u_.T @ ub) * u_) / norm(x), cotangent=ub,
           assumptions=(r"$x \ne 0$",))
Pb = cotangent(M("P"), r"\bar P")
derivative("projection", "nn", "Projection onto a line", "jacobians", x @ x.T / (x.T @ x), [x],
           out=M("P", ("_", "_")),
           df=(x.d() @ x.T + x @ x.d().T) / (x.T @ x) - 2 * (x.T @ x.d()) * (x @ x.T) / (x.T @ x) ** 2,
           vjp=(Pb + Pb.T) @ x / (x.T @ x) - 2 * (x.T @ Pb @ x) * x / (x.T @ x) ** 2, cotangent=Pb,
           assumptions=(r"$x \ne 0$",))
eps = S("eps", "positive", r"\varepsilon")
n_ = Dim("n", x)
mu_x = Named("mu", Ones(x).T @ x / n_, r"\mu")
sig_x = Named("sigma", sqrt(norm(x - mu_x * Ones(x)) ** 2 / n_ + eps), r"\sigma")
y_ln = Named("y", (x - mu_x * Ones(x)) / sig_x)
derivative("layer-norm", "nn", "Layer normalisation", "backpropagation", (x - mu_x * Ones(x)) / sig_x, [x, eps],
           df=(Eye(x) - Ones(x) @ Ones(x).T / n_ - y_ln @ y_ln.T / n_) @ x.d() / sig_x,
           vjp=(yb - (Ones(x).T @ yb / n_) * Ones(x) - (y_ln.T @ yb / n_) * y_ln) / sig_x, cotangent=yb,
           assumptions=(r"$\varepsilon > 0$",),
           note=r"The variance divides by $n$, as layer and batch normalisation do (not by $n - 1$). Batch "
                r"normalisation applies the same formula to each feature across the batch.")

# ---------------------------------------------------------------- Kronecker and vec facts

equality("vec-product", "kron", "vec of a product", "vec-kronecker", vec(Akm @ Xmp @ Bpq),
         kron(Bpq.T, Akm) @ vec(Xmp), [Akm, Xmp, Bpq],
         note=r"Holds for $\vec$ stacking columns: NumPy's `X.reshape(-1, order=\"F\")`, SymPy's "
              r"`Matrix.vec()`. With NumPy's default, row-major `X.reshape(-1)`, it is wrong (about 50% "
              r"error at a random point): use the next row.")
equality("flat-product", "kron", "Row-major flattening of a product", "vec-kronecker", flat(Akm @ Xmp @ Bpq),
         kron(Akm, Bpq.T) @ flat(Xmp), [Akm, Xmp, Bpq])
Amn_, Bpq_ = M("A", ("m", "n")), M("B", ("p", "q"))
equality("kron-transpose", "kron", "Transpose of a Kronecker product", "vec-kronecker",
         kron(Amn_, Bpq_).T, kron(Amn_.T, Bpq_.T), [Amn_, Bpq_],
         note=r"Unlike $(AB)^\T = B^\T A^\T$, the order does not reverse.")
Ain, Biq = M("A", ("n", "n"), "invertible"), M("B", ("q", "q"), "invertible")
equality("kron-inverse", "kron", "Inverse of a Kronecker product", "vec-kronecker",
         Inv(kron(Ain, Biq)), kron(Inv(Ain), Inv(Biq)), [Ain, Biq], symbolic=((2, 2),), symbolic_limit=BIG_3X3,
         note=r"Unlike $(AB)^{-1} = B^{-1} A^{-1}$, the order does not reverse.")
Cnp, Bqr, Drs = M("C", ("n", "p")), M("B", ("q", "r")), M("D", ("r", "s"))
equality("kron-mixed-product", "kron", "Mixed product", "vec-kronecker",
         kron(Amn_, Bqr) @ kron(Cnp, Drs), kron(Amn_ @ Cnp, Bqr @ Drs), [Amn_, Bqr, Cnp, Drs],
         symbolic=((2,) * 6, (3,) * 6))
An, Bq = M("A", ("n", "n")), M("B", ("q", "q"))
equality("kron-trace", "kron", "Trace of a Kronecker product", "vec-kronecker",
         tr(kron(An, Bq)), tr(An) * tr(Bq), [An, Bq])
equality("kron-det", "kron", "Determinant of a Kronecker product", "vec-kronecker",
         det(kron(An, Bq)), det(An) ** Dim("q", Bq) * det(Bq) ** Dim("n", An), [An, Bq], symbolic=((2, 2),),
         symbolic_limit=BIG_3X3,
         note=r"The exponent of each determinant is the size of the other factor; swapping them is a "
              r"common slip.")
equality("vec-outer", "kron", "vec of an outer product", "vec-kronecker", vec(am @ bn.T), kron(bn, am), [am, bn])
Bmn = M("B", ("m", "n"))
equality("frobenius-vec", "kron", "Frobenius product", "gradients", tr(Amn.T @ Bmn), vec(Amn).T @ vec(Bmn),
         [Amn, Bmn])
derivative("vec-square", "kron", "Jacobian of the square", "vec-kronecker", vec(X ** 2), [X], out=V("y", "_"),
           df=(kron(Eye(X), X) + kron(X.T, Eye(X))) @ vec(dX))
derivative("vec-cube", "kron", "Jacobian of the cube", "vec-kronecker", vec(X ** 3), [X], out=V("y", "_"),
           df=(kron(Eye(X), X ** 2) + kron(X.T, X) + kron(X.T ** 2, Eye(X))) @ vec(dX))
derivative("vec-inverse", "kron", "Jacobian of the inverse", "vec-kronecker", vec(Inv(Xi)), [Xi],
           out=V("y", "_"), df=-kron(Inv(Xi).T, Inv(Xi)) @ vec(Xi.d()))
derivative("kron-square", "kron", "Kronecker square", "vec-kronecker", kron(Xmn, Xmn), [Xmn],
           df=kron(Xmn.d(), Xmn) + kron(Xmn, Xmn.d()))

# ---------------------------------------------------------------- Jacobian determinants

Ai, Bi = M("A", ("m", "m"), "invertible"), M("B", ("p", "p"), "invertible")
jacdet("jacdet-linear", "jacdet", "Multiplication on both sides", "jacobian-determinant", Ai @ Xmp @ Bi,
       det(Ai) ** Dim("p", Xmp, 1) * det(Bi) ** Dim("m", Xmp), [Xmp, Ai, Bi], symbolic=((2, 2),),
       symbolic_limit=BIG_3X3,
       note=r"For square $X$: $\det(A)^n \det(B)^n$. The Jacobian is $B^\T \kron A$.")
Xs = M("X", sample="stable")
jacdet("jacdet-square", "jacdet", "Square", "jacobian-determinant", Xs ** 2,
       eigen_pair_product(Xs, r"(\lambda_i + \lambda_j)", "a + b", lambda p, q: p + q), [Xs], symbolic=((2,),),
       symbolic_limit=EIGEN_3X3,
       note=r"It vanishes exactly where two eigenvalues (or one, twice) sum to zero: there $X \mapsto X^2$ "
            r"is not locally invertible.")
jacdet("jacdet-cube", "jacdet", "Cube", "jacobian-determinant", Xs ** 3,
       eigen_pair_product(Xs, r"(\lambda_i^2 + \lambda_i \lambda_j + \lambda_j^2)", "a**2 + a * b + b**2",
                          lambda p, q: p**2 + p * q + q**2), [Xs], symbolic=((2,),),
       symbolic_limit=EIGEN_3X3)
n_i = Dim("n", Xi)
jacdet("jacdet-inverse", "jacdet", "Inverse", "jacobian-determinant", Inv(Xi),
       Const(-1) ** n_i * det(Xi) ** (-2 * n_i), [Xi], symbolic=((2,),), symbolic_limit=BIG_3X3,
       note=r"Also written $(-1)^{n^2} \det(X)^{-2n}$: the same sign, as $n^2$ and $n$ have the same parity.")
n_x = Dim("n", X)
jacdet("jacdet-transpose", "jacdet", "Transpose", "jacobian-determinant", X.T,
       Const(-1) ** (n_x * (n_x - 1) / 2), [X],
       note=r"The Jacobian permutes the entries: it swaps $X_{ij}$ and $X_{ji}$ for each of the $n(n-1)/2$ "
            r"pairs $i < j$.")
beta = S("beta", tex=r"\beta")
h_ = Named("h", tanh(w.T @ z + beta))
jacdet("jacdet-planar-flow", "jacdet", "Planar flow", "jacobian-determinant", z + u * tanh(w.T @ z + beta),
       1 + (1 - h_ ** 2) * (w.T @ u), [z, u, w, beta],
       note=r"By the matrix determinant lemma (next row) the determinant costs $O(n)$, not $O(n^3)$; "
            r"normalising flows rely on that for $\log\abs{\det J}$.")
v_ = V("v")
equality("determinant-lemma", "jacdet", "Matrix determinant lemma", "jacobian-determinant",
         det(Xi + u @ v_.T), (1 + v_.T @ Inv(Xi) @ u) * det(Xi), [Xi, u, v_])


def by_key(key: str) -> Identity:
    for entry in CATALOGUE:
        if entry.key == key:
            return entry
    raise KeyError(key)


if __name__ == "__main__":
    for group, (title, _) in GROUPS.items():
        entries = [e for e in CATALOGUE if e.group == group]
        print(f"{title}: {len(entries)}")
        for e in entries:
            print(f"  {e.number:3} {e.key:24} {e.kind:10} symbolic {e.symbolic or e.symbolic_limit}")
    assert len(CATALOGUE) >= 40, len(CATALOGUE)
    assert all(e.group in GROUPS and e.lecture in LECTURES for e in CATALOGUE)
    print(f"{len(CATALOGUE)} identities")
