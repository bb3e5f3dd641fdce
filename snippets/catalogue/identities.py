"""The identity catalogue: every identity defined once, and checked (docs page: Identity catalogue).

This file is the single source of the catalogue page, which hooks/catalogue.py
generates at build time. Each entry gives the function, its claimed derivative
(the differential dY = f'(X)[dX]; for scalar functions also the gradient; for
network layers also the pullback of a cotangent), the shapes and assumptions,
the lecture that derives it, and how other references state it when they
differ. It has three parts:

1. A small expression language. A formula is written once, as a tree built
   with Python operators, and read three ways: LaTeX for the page, NumPy
   source code for the checks a reader copies, and SymPy values on explicit
   small matrices of symbols. So the formula shown is the formula tested.
2. The entries.
3. The checks. Each entry becomes a self-contained NumPy script (central
   differences along three random directions at three random points of three
   sizes; the helpers it needs are copied from snippets/catalogue/numerics.py)
   and, where an exact form exists, a SymPy check on 2 x 2 and 3 x 3 matrices
   of symbols against the exact derivative along every coordinate direction.

Run this file to check the whole catalogue; it prints the time taken.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import sys
import time
import warnings
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import sympy as sp

NUMERICS = Path(__file__).resolve().parent / "numerics.py"

# ================================================================ 1. the expression language

SCALAR, VECTOR, COVECTOR, MATRIX = "scalar", "vector", "covector", "matrix"

# Precedence, shared by the LaTeX and the NumPy readings.
ADD, KRON, MUL, NEG, POW, ATOM = 10, 18, 20, 25, 30, 40


class ShapeError(TypeError):
    """Two operands whose kinds cannot be combined (a formula with a shape mistake)."""


def lift(value) -> Expr:
    if isinstance(value, Expr):
        return value
    if isinstance(value, (int, Fraction)):
        return Const(value)
    raise TypeError(f"cannot use {value!r} in a formula")


class Expr:
    kind: str = MATRIX
    children: tuple = ()
    tex_prec: int = ATOM
    code_prec: int = ATOM

    # Python operators build trees.
    def __add__(self, other):
        return Add(self, lift(other))

    def __radd__(self, other):
        return Add(lift(other), self)

    def __sub__(self, other):
        return Add(self, Neg(lift(other)))

    def __rsub__(self, other):
        return Add(lift(other), Neg(self))

    def __neg__(self):
        return Neg(self)

    def __matmul__(self, other):
        return Mul(self, lift(other))

    def __mul__(self, other):
        return Mul(self, lift(other))

    def __rmul__(self, other):
        return Mul(lift(other), self)

    def __truediv__(self, other):
        return Div(self, lift(other))

    def __pow__(self, other):
        return Pow(self, lift(other))

    @property
    def T(self):
        return Transpose(self)

    # The three readings, implemented by each node.
    def tex(self) -> str:
        raise NotImplementedError

    def code(self) -> str:
        raise NotImplementedError

    def sym(self, env: dict):
        raise NotImplementedError

    def walk(self):
        """This node and every node below it, children first."""
        for child in self.children:
            yield from child.walk()
        yield self

    def replace(self, children: tuple) -> Expr:
        """A copy with other children (used by mutations)."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.children = tuple(children)
        clone._check()
        return clone

    def _check(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.tex()}>"


def wrap_tex(e: Expr, prec: int) -> str:
    return f"\\left({e.tex()}\\right)" if e.tex_prec < prec else e.tex()


def is_differential(e: Expr) -> bool:
    """dX or dX^T, which get thin spaces around them in a product."""
    if isinstance(e, Transpose):
        e = e.children[0]
    return isinstance(e, Var) and e.differential


def wrap_code(e: Expr, prec: int) -> str:
    return f"({e.code()})" if e.code_prec < prec else e.code()


def memo(env: dict, node: Expr, compute):
    """SymPy values of nodes that do not depend on the direction are computed once."""
    cache = env.setdefault("__memo__", {})
    if node.direction_free(env):
        key = id(node)
        if key not in cache:
            cache[key] = (node, compute())  # keep the node alive so its id stays unique
        return cache[key][1]
    return compute()


def _free(self, env):
    names = env.get("__direction__", ())
    return not any(isinstance(n, Var) and n.name in names for n in self.walk())


Expr.direction_free = _free


def as_scalar(value):
    if isinstance(value, sp.MatrixBase):
        if value.shape != (1, 1):
            raise ShapeError(f"expected a scalar, got a {value.shape} matrix")
        return value[0, 0]
    return value


# ---------------------------------------------------------------- leaves


class Var(Expr):
    """A named input: matrix, vector or scalar. `sample` says how checks draw it."""

    def __init__(self, name: str, kind: str, dims: tuple[str, ...] = (), tex: str | None = None,
                 sample: str = "normal", differential: bool = False):
        self.name, self.kind, self.dims = name, kind, tuple(dims)
        self._tex = tex or name
        self.sample = sample
        self.differential = differential
        expected = {SCALAR: 0, VECTOR: 1, MATRIX: 2}[kind]
        if len(self.dims) != expected:
            raise ShapeError(f"{name}: a {kind} has {expected} dimensions, got {dims}")

    def d(self) -> Var:
        """The differential of this variable: dX, with the same kind, shape and sampling."""
        return Var("d" + self.name, self.kind, self.dims, r"\dd " + self._tex, self.sample, differential=True)

    def tex(self):
        return self._tex

    def code(self):
        return self.name

    def sym(self, env):
        return env[self.name]


class Const(Expr):
    kind = SCALAR

    def __init__(self, value):
        self.value = Fraction(value)

    @property
    def tex_prec(self):
        return NEG if self.value < 0 else ATOM

    @property
    def code_prec(self):
        if self.value.denominator not in (1, 2, 4, 8):
            return MUL
        return NEG if self.value < 0 else ATOM

    def tex(self):
        v = self.value
        if v.denominator == 1:
            return str(v.numerator)
        sign = "-" if v < 0 else ""
        return f"{sign}\\tfrac{{{abs(v.numerator)}}}{{{v.denominator}}}"

    def code(self):
        v = self.value
        if v.denominator == 1:
            return str(v.numerator)
        if v.denominator in (2, 4, 8):
            return repr(v.numerator / v.denominator)
        return f"{v.numerator} / {v.denominator}"

    def sym(self, env):
        return sp.Rational(self.value.numerator, self.value.denominator)


class Dim(Expr):
    """A size read off an input: n = X.shape[0]."""

    kind = SCALAR

    def __init__(self, name: str, of: Var, axis: int = 0):
        self.name, self.axis = name, axis
        self.children = (of,)

    @property
    def of(self):
        return self.children[0]

    def tex(self):
        return self.name

    def code(self):
        return f"len({self.of.name})" if self.axis == 0 else f"{self.of.name}.shape[{self.axis}]"

    def sym(self, env):
        return sp.Integer(env[self.of.name].shape[self.axis])


class Eye(Expr):
    """The identity matrix the size of `like` (rows)."""

    def __init__(self, like: Expr):
        self.children = (like,)

    @property
    def like(self):
        return self.children[0]

    def tex(self):
        return "I"

    def code(self):
        return f"np.eye(len({self.like.code()}))"

    def sym(self, env):
        return sp.eye(sym_value(self.like, env).shape[0])


class Ones(Expr):
    """The vector of ones the length of `like`."""

    kind = VECTOR

    def __init__(self, like: Expr):
        self.children = (like,)

    @property
    def like(self):
        return self.children[0]

    def tex(self):
        return r"\mathbf{1}"

    def code(self):
        return f"np.ones(len({self.like.code()}))"

    def sym(self, env):
        return sp.ones(sym_value(self.like, env).shape[0], 1)


def sym_value(e: Expr, env: dict):
    return memo(env, e, lambda: e.sym(env))


# ---------------------------------------------------------------- arithmetic


class Add(Expr):
    tex_prec = code_prec = ADD

    def __init__(self, a: Expr, b: Expr):
        self.children = (a, b)
        self._check()

    def _check(self):
        a, b = self.children
        if a.kind != b.kind:
            raise ShapeError(f"cannot add a {a.kind} and a {b.kind}: {a.tex()} + {b.tex()}")
        self.kind = a.kind

    def _terms(self):
        terms = []
        for child in self.children:
            terms.extend(child._terms() if isinstance(child, Add) else [child])
        return terms

    def tex(self):
        out = []
        for index, term in enumerate(self._terms()):
            if isinstance(term, Neg):
                out.append(("-" if index == 0 else " - ") + wrap_tex(term.children[0], ADD + 1))
            else:
                out.append(("" if index == 0 else " + ") + wrap_tex(term, ADD))
        return "".join(out)

    def code(self):
        out = []
        for index, term in enumerate(self._terms()):
            if isinstance(term, Neg):
                out.append(("-" if index == 0 else " - ") + wrap_code(term.children[0], MUL))
            else:
                out.append(("" if index == 0 else " + ") + wrap_code(term, ADD))
        return "".join(out)

    def sym(self, env):
        a, b = (sym_value(c, env) for c in self.children)
        return a + b


class Neg(Expr):
    tex_prec = code_prec = NEG

    def __init__(self, a: Expr):
        self.children = (a,)
        self._check()

    def _check(self):
        self.kind = self.children[0].kind

    def tex(self):
        return "-" + wrap_tex(self.children[0], MUL)

    def code(self):
        inner = self.children[0]
        if isinstance(inner, Mul) and inner.operator() == "@":
            # -(A @ B) is written -A @ B: the same matrix, fewer brackets.
            first, *rest = inner.factors()
            return "-" + " @ ".join([wrap_code(first, POW)] + [wrap_code(f, MUL + 1) for f in rest])
        return "-" + wrap_code(inner, POW)

    def sym(self, env):
        return -sym_value(self.children[0], env)


PRODUCT_KINDS = {
    (MATRIX, MATRIX): MATRIX,
    (MATRIX, VECTOR): VECTOR,
    (COVECTOR, MATRIX): COVECTOR,
    (COVECTOR, VECTOR): SCALAR,
    (VECTOR, COVECTOR): MATRIX,
}


class Mul(Expr):
    """A product: matrix product, outer product, inner product, or scaling by a scalar."""

    tex_prec = MUL

    @property
    def code_prec(self):
        return ATOM if self.operator() == "outer" else MUL  # np.outer(a, b) is a call

    def __init__(self, a: Expr, b: Expr):
        self.children = (a, b)
        self._check()

    def _check(self):
        a, b = self.children
        if a.kind == SCALAR:
            self.kind = b.kind
        elif b.kind == SCALAR:
            self.kind = a.kind
        elif (a.kind, b.kind) in PRODUCT_KINDS:
            self.kind = PRODUCT_KINDS[a.kind, b.kind]
        else:
            raise ShapeError(f"cannot multiply a {a.kind} by a {b.kind}: {a.tex()} times {b.tex()}")

    def scales_by(self, e: Expr) -> bool:
        """True for an inner product, such as s^T sbar, that scales this array product."""
        return isinstance(e, Mul) and e.kind == SCALAR and e.operator() == "@" and self.kind != SCALAR

    def operator(self) -> str:
        a, b = self.children
        if SCALAR in (a.kind, b.kind):
            return "*"
        if (a.kind, b.kind) == (VECTOR, COVECTOR):
            return "outer"
        return "@"

    def factors(self):
        """The chain a @ b @ c of a left-nested matrix product (Python's own grouping)."""
        a, b = self.children
        if isinstance(a, Mul) and a.operator() == self.operator() == "@":
            return a.factors() + [b]
        return [a, b]

    def tex(self):
        factors = []

        def collect(e):
            # A scalar such as s^T sbar that scales an array keeps its brackets: (s^T sbar) 1.
            if isinstance(e, Mul) and not (e is not self and self.scales_by(e)):
                collect(e.children[0])
                collect(e.children[1])
            else:
                factors.append(e)

        collect(self)
        def bracketed(e):
            return f"\\left({e.tex()}\\right)" if self.scales_by(e) else wrap_tex(e, MUL + 1)

        out = bracketed(factors[0])
        for previous, factor in zip(factors, factors[1:]):
            # A thin space on each side of a differential keeps "A dX B" readable.
            gap = r"\," if is_differential(previous) or is_differential(factor) else " "
            out += gap + bracketed(factor)
        return out

    def code(self):
        a, b = self.children
        op = self.operator()
        if op == "outer":
            return f"np.outer({a.code()}, {b.code()})"
        if op == "@":
            first, *rest = self.factors()
            return " @ ".join([wrap_code(first, MUL)] + [wrap_code(f, MUL + 1) for f in rest])
        # an inner product scaling an array keeps its brackets, as on the page: (s @ ybar) * ones
        left = f"({a.code()})" if self.scales_by(a) else wrap_code(a, MUL)
        right = f"({b.code()})" if self.scales_by(b) else wrap_code(b, MUL + 1)
        return f"{left} * {right}"

    def sym(self, env):
        a, b = (sym_value(c, env) for c in self.children)
        value = a * b
        return as_scalar(value) if self.kind == SCALAR else value


class Div(Expr):
    """Division by a scalar."""

    tex_prec = ATOM
    code_prec = MUL

    def __init__(self, a: Expr, b: Expr):
        self.children = (a, b)
        self._check()

    def _check(self):
        if self.children[1].kind != SCALAR:
            raise ShapeError(f"can only divide by a scalar, not by {self.children[1].tex()}")
        self.kind = self.children[0].kind

    def tex(self):
        a, b = self.children
        return f"\\frac{{{a.tex()}}}{{{b.tex()}}}"

    def code(self):
        a, b = self.children
        return f"{wrap_code(a, MUL)} / {wrap_code(b, MUL + 1)}"

    def sym(self, env):
        a, b = (sym_value(c, env) for c in self.children)
        return a / b


class Pow(Expr):
    """A power: of a scalar, or an integer power of a square matrix."""

    tex_prec = POW
    code_prec = POW

    def __init__(self, a: Expr, k: Expr):
        self.children = (a, k)
        self._check()

    def _check(self):
        a, k = self.children
        if k.kind != SCALAR or a.kind not in (SCALAR, MATRIX):
            raise ShapeError(f"cannot raise {a.tex()} to the power {k.tex()}")
        self.kind = a.kind
        self.code_prec = POW if a.kind == SCALAR else ATOM

    def tex(self):
        a, k = self.children
        if isinstance(a, Inv) and isinstance(k, Const) and k.value > 0:
            return f"{wrap_tex(a.children[0], ATOM)}^{{-{k.tex()}}}"  # X^{-2}, not (X^{-1})^2
        return f"{wrap_tex(a, ATOM)}^{{{k.tex()}}}"

    def code(self):
        a, k = self.children
        if self.kind == MATRIX:
            return f"np.linalg.matrix_power({a.code()}, {k.code()})"
        return f"{wrap_code(a, ATOM)} ** {wrap_code(k, POW)}"

    def sym(self, env):
        a, k = (sym_value(c, env) for c in self.children)
        if not isinstance(a, sp.MatrixBase):
            return a**k
        if not (k.is_Integer and k >= 0):
            raise ShapeError(f"only whole powers of a matrix of symbols: {self.tex()}")
        # Repeated products: SymPy's Matrix.__pow__ is slow on matrices of expressions.
        power = sp.eye(a.rows)
        for _ in range(int(k)):
            power = power * a
        return power


class Transpose(Expr):
    tex_prec = POW

    def __init__(self, a: Expr):
        self.children = (a,)
        self._check()

    def _check(self):
        kind = self.children[0].kind
        self.kind = {MATRIX: MATRIX, VECTOR: COVECTOR, COVECTOR: VECTOR, SCALAR: SCALAR}[kind]
        # 1-D arrays have no orientation: a transposed vector is the same array.
        self.code_prec = self.children[0].code_prec if kind in (VECTOR, COVECTOR) else ATOM

    def tex(self):
        a = self.children[0]
        if isinstance(a, Inv):
            return f"{wrap_tex(a.children[0], ATOM)}^{{-\\T}}"
        return f"{wrap_tex(a, ATOM)}^\\T"

    def code(self):
        a = self.children[0]
        if a.kind in (VECTOR, COVECTOR):
            return a.code()
        return f"{wrap_code(a, ATOM)}.T"

    def sym(self, env):
        value = sym_value(self.children[0], env)
        return value.T if isinstance(value, sp.MatrixBase) else value


class Inv(Expr):
    tex_prec = POW

    def __init__(self, a: Expr):
        self.children = (a,)
        self._check()

    def _check(self):
        if self.children[0].kind != MATRIX:
            raise ShapeError(f"only a square matrix has an inverse, not {self.children[0].tex()}")

    def tex(self):
        return f"{wrap_tex(self.children[0], ATOM)}^{{-1}}"

    def code(self):
        return f"np.linalg.inv({self.children[0].code()})"

    def sym(self, env):
        a = sym_value(self.children[0], env)
        # adj(A) times 1/det(A): far faster to build, differentiate and compare than Matrix.inv().
        return a.adjugate() * (1 / a.det())


# ---------------------------------------------------------------- functions


class Call(Expr):
    """A named function of one or more arguments: tr, det, norms, softmax, exp, ...

    `tex` is a format string over the arguments' LaTeX; `numpy` a format string
    over their code; `sympy` a function of their SymPy values (None: no exact
    form, so the symbolic check is skipped for formulas that use it); `helper`
    the name of a function of snippets/catalogue/numerics.py that the NumPy code
    calls (its source goes into the copyable checks).
    """

    tex_prec = code_prec = ATOM

    def __init__(self, name, args, kind, tex, numpy, sympy=None, helper=None, where=None, arg_kinds=None):
        self.name = name
        self.children = tuple(lift(a) for a in args)
        self.kind, self._tex, self._numpy, self._sympy = kind, tex, numpy, sympy
        self.helper = helper
        self.where = where  # Markdown defining this function, shown beside the formula
        self.arg_kinds = arg_kinds
        self._check()

    def _check(self):
        if self.arg_kinds is not None:
            for arg, allowed in zip(self.children, self.arg_kinds):
                if arg.kind not in allowed:
                    raise ShapeError(f"{self.name} takes a {' or '.join(allowed)}, not {arg.tex()} ({arg.kind})")

    def tex(self):
        return self._tex.format(*(c.tex() for c in self.children))

    def code(self):
        # An argument the format follows with ".method" (vec, flat) needs brackets if it is compound.
        return self._numpy.format(*(wrap_code(c, ATOM) if f"{{{i}}}." in self._numpy else c.code()
                                    for i, c in enumerate(self.children)))

    def sym(self, env):
        if self._sympy is None:
            raise NoSymbolicForm(self.name)
        return self._sympy(*(sym_value(c, env) for c in self.children))


class NoSymbolicForm(Exception):
    """A function with no exact SymPy form on explicit matrices."""


class Named(Expr):
    """A value with a short name on the page, `s = softmax(z)`, defined beside the formula."""

    tex_prec = code_prec = ATOM

    def __init__(self, name: str, value: Expr, tex: str | None = None):
        self.name, self._tex = name, tex or name
        self.children = (value,)
        self._check()

    def _check(self):
        self.kind = self.children[0].kind

    def tex(self):
        return self._tex

    def code(self):
        return self.name

    def definition_tex(self) -> str:
        return f"{self._tex} = {self.children[0].tex()}"

    def definition_code(self) -> str:
        return f"{self.name} = {self.children[0].code()}"

    def sym(self, env):
        return sym_value(self.children[0], env)


def _elementwise(function):
    def apply(value):
        if isinstance(value, sp.MatrixBase):
            return value.applyfunc(function)
        return function(value)

    return apply


def _sum_squares(value):
    return sum(entry**2 for entry in value) if isinstance(value, sp.MatrixBase) else value**2


def tr(a):
    return Call("tr", [a], SCALAR, r"\tr({0})", "np.trace({0})", lambda m: m.trace(), arg_kinds=[(MATRIX,)])


def det(a):
    return Call("det", [a], SCALAR, r"\det({0})", "np.linalg.det({0})", lambda m: m.det(), arg_kinds=[(MATRIX,)])


def logabsdet(a):
    # SymPy: log(det), whose derivative d(det)/det is the derivative of log|det| as well.
    return Call("logabsdet", [a], SCALAR, r"\log\abs{{\det({0})}}", "np.linalg.slogdet({0})[1]",
                lambda m: sp.log(m.det()), arg_kinds=[(MATRIX,)])


def logdet(a):
    return Call("logdet", [a], SCALAR, r"\log\det({0})", "np.linalg.slogdet({0})[1]",
                lambda m: sp.log(m.det()), arg_kinds=[(MATRIX,)])


def norm(a):
    """The Euclidean norm of a vector, the Frobenius norm of a matrix."""
    a = lift(a)
    tex = r"\norm{{{0}}}_F" if a.kind == MATRIX else r"\norm{{{0}}}"
    return Call("norm", [a], SCALAR, tex, "np.linalg.norm({0})", lambda m: sp.sqrt(_sum_squares(m)),
                arg_kinds=[(MATRIX, VECTOR)])


def inner(a, b):
    """The Frobenius inner product <A, B> = sum of the entrywise products."""
    return Call("inner", [a, b], SCALAR, r"\inner{{{0}}}{{{1}}}", "np.sum({0} * {1})",
                lambda x, y: sum(p * q for p, q in zip(x, y)), arg_kinds=[(MATRIX, VECTOR)] * 2)


class Hadamard(Expr):
    """The entrywise (Hadamard) product of two arrays of one kind."""

    tex_prec, code_prec = KRON, MUL

    def __init__(self, a: Expr, b: Expr):
        self.children = (lift(a), lift(b))
        self._check()

    def _check(self):
        a, b = self.children
        if a.kind != b.kind or a.kind == SCALAR:
            raise ShapeError(f"an entrywise product needs two arrays of one kind: {a.tex()}, {b.tex()}")
        self.kind = a.kind

    def tex(self):
        a, b = self.children
        # associative: y \odot (1 - y) \odot dx needs no more brackets than that
        left = a.tex() if isinstance(a, Hadamard) else wrap_tex(a, MUL + 1)
        right = b.tex() if isinstance(b, Hadamard) else wrap_tex(b, MUL + 1)
        return f"{left} \\odot {right}"

    def code(self):
        a, b = self.children
        return f"{wrap_code(a, MUL)} * {wrap_code(b, MUL + 1)}"

    def sym(self, env):
        a, b = (sym_value(c, env) for c in self.children)
        return a.multiply_elementwise(b)


def had(a, b):
    return Hadamard(a, b)


class Kron(Expr):
    """The Kronecker product of two matrices (or of two vectors)."""

    tex_prec, code_prec = KRON, ATOM

    def __init__(self, a: Expr, b: Expr):
        self.children = (lift(a), lift(b))
        self._check()

    def _check(self):
        a, b = self.children
        if a.kind != b.kind or a.kind not in (MATRIX, VECTOR):
            raise ShapeError(f"kron takes two matrices or two vectors: {a.tex()}, {b.tex()}")
        self.kind = a.kind

    def tex(self):
        a, b = self.children
        return f"{wrap_tex(a, KRON + 1)} \\kron {wrap_tex(b, KRON + 1)}"

    def code(self):
        a, b = self.children
        return f"np.kron({a.code()}, {b.code()})"

    def sym(self, env):
        a, b = (sym_value(c, env) for c in self.children)
        return sp.kronecker_product(a, b)


def kron(a, b):
    return Kron(a, b)


def vec(a):
    """Columns stacked: NumPy's order="F"; SymPy's Matrix.vec()."""
    return Call("vec", [a], VECTOR, r"\vec({0})", '{0}.reshape(-1, order="F")', lambda m: m.vec(),
                arg_kinds=[(MATRIX,)])


def flat(a):
    """Rows stacked: NumPy's default reshape(-1) / ravel()."""
    return Call("flat", [a], VECTOR, r"\operatorname{{flat}}({0})", "{0}.reshape(-1)",
                lambda m: m.reshape(m.rows * m.cols, 1), arg_kinds=[(MATRIX,)],
                where=r"$\operatorname{flat}$ stacks rows (NumPy's default order)")


def diag(v):
    return Call("diag", [v], MATRIX, r"\diag({0})", "np.diag({0})", lambda m: sp.diag(*m), arg_kinds=[(VECTOR,)])


def exp(a):
    a = lift(a)
    return Call("exp", [a], a.kind, r"\exp({0})", "np.exp({0})", _elementwise(sp.exp),
                arg_kinds=[(SCALAR, VECTOR)])


def log(a):
    a = lift(a)
    return Call("log", [a], a.kind, r"\log({0})", "np.log({0})", _elementwise(sp.log),
                arg_kinds=[(SCALAR, VECTOR)])


def tanh(a):
    a = lift(a)
    return Call("tanh", [a], a.kind, r"\tanh({0})", "np.tanh({0})", _elementwise(sp.tanh),
                arg_kinds=[(SCALAR, VECTOR)])


def sqrt(a):
    return Call("sqrt", [a], SCALAR, r"\sqrt{{{0}}}", "np.sqrt({0})", sp.sqrt, arg_kinds=[(SCALAR,)])


def _sym_sigmoid(v):
    return 1 / (1 + sp.exp(-v))


def sigmoid(a):
    a = lift(a)
    return Call("sigmoid", [a], a.kind, r"\sigma({0})", "sigmoid({0})", _elementwise(_sym_sigmoid),
                helper="sigmoid", arg_kinds=[(SCALAR, VECTOR)],
                where=r"$\sigma(v) = 1/(1 + e^{-v})$ entrywise")


def _sym_softmax(v):
    e = v.applyfunc(sp.exp)
    return e / sum(e)


def softmax(z):
    return Call("softmax", [z], VECTOR, r"\softmax({0})", "softmax({0})", _sym_softmax, helper="softmax",
                arg_kinds=[(VECTOR,)])


def logsumexp(z):
    return Call("logsumexp", [z], SCALAR, r"\operatorname{{logsumexp}}({0})", "logsumexp({0})",
                lambda v: sp.log(sum(v.applyfunc(sp.exp))), helper="logsumexp", arg_kinds=[(VECTOR,)],
                where=r"$\operatorname{logsumexp}(z) = \log \sum_i e^{z_i}$")



# ================================================================ 2. the entries

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
    "separated": "$@$ symmetric",
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
    f: Expr | None = None
    out: Var | None = None  # the name of f's value on the page: Y, y, f, R, s, ...
    df: Expr | None = None  # claimed dY, in terms of the inputs and dX
    equation: tuple | None = None  # or an implicit claim lhs(Y, dY) = rhs(dX)
    grad: Expr | None = None  # scalar f: the claimed gradient
    vjp: Expr | None = None  # the claimed pullback (gradient with respect to the input) of `cotangent`
    cotangent: Var | None = None  # ybar: a gradient with respect to the output
    lhs: Expr | None = None  # equality: lhs = rhs; Jacobian determinant: rhs only
    rhs: Expr | None = None
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

    def claims(self) -> dict[str, Expr]:
        """The expressions that state the identity (what a mutation may change)."""
        found = {}
        for name in ("df", "grad", "vjp", "rhs"):
            if getattr(self, name) is not None:
                found[name] = getattr(self, name)
        if self.equation is not None:
            found["equation_lhs"], found["equation_rhs"] = self.equation
        return found

    def expressions(self) -> list[Expr]:
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
# Names the generated checks use for themselves; a formula may not use them.
CHECK_NAMES = {"np", "rng", "h", "worst", "sizes", "fd", "errors", "report", "gradient", "back", "J", "claimed",
               "f", "df", "grad", "pullback", "lhs", "rhs", "det_jacobian"}


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
        for node in e.walk():
            if isinstance(node, (Var, Named)) and node.name in CHECK_NAMES:
                raise ValueError(f"{entry.key}: {node.name!r} is a name the generated check uses itself")
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
    node.tex_prec = POW
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


def build_catalogue() -> None:
    """Every entry of the catalogue, in the order of the page."""
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
               assumptions=(r"distinct eigenvalues", r"$S = Q \Lambda Q^\T$ with $Q^\T Q = I$, eigenvalues "
                                                             r"ascending"),
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
               note=r"Numerator-layout tables give the transpose, $(\nabla_X f)^\T = A$ (see the conventions above).")
    Bpk = M("B", ("p", "k"))
    derivative("trace-sandwich", "gradmat", "Trace of a sandwich", "gradients", tr(Akm @ Xmp @ Bpk), [Xmp, Akm, Bpk],
               df=tr(Akm @ Xmp.d() @ Bpk), grad=Akm.T @ Bpk.T, note=r"Numerator layout: $(\nabla_X f)^\T = BA$.")
    derivative("trace-quadratic", "gradmat", "Trace of a quadratic form", "gradients", tr(Xnp.T @ A @ Xnp), [Xnp, A],
               df=tr(Xnp.T @ (A + A.T) @ Xnp.d()), grad=(A + A.T) @ Xnp,
               note=r"Often written $2AX$, which assumes $A$ symmetric.")
    am, bn = V("a", "m"), V("b", "n")
    derivative("bilinear", "gradmat", "Bilinear form", "gradients", am.T @ Xmn @ bn, [Xmn, am, bn],
               df=am.T @ Xmn.d() @ bn, grad=am @ bn.T, note=r"Numerator layout: $(\nabla_X f)^\T = b a^\T$.")
    derivative("frobenius-squared", "gradmat", "Squared Frobenius norm", "gradients", norm(Xmn) ** 2, [Xmn],
               df=2 * tr(Xmn.T @ Xmn.d()), grad=2 * Xmn)
    derivative("frobenius", "gradmat", "Frobenius norm", "gradients", norm(Xmn), [Xmn],
               df=tr(Xmn.T @ Xmn.d()) / norm(Xmn), grad=Xmn / norm(Xmn), assumptions=(r"$X \ne 0$",))
    derivative("determinant", "gradmat", "Determinant", "gradients", det(Xi), [Xi],
               df=det(Xi) * tr(Inv(Xi) @ Xi.d()), grad=det(Xi) * Inv(Xi).T,
               note=r"Numerator layout: $(\nabla_X f)^\T = \det(X) X^{-1}$. The gradient is the cofactor matrix, "
                    r"$\nabla_X f = \adj(X)^\T$, which exists for singular $X$ too (Jacobi's formula).")
    derivative("log-abs-det", "gradmat", "Log-determinant", "gradients", logabsdet(Xi), [Xi],
               df=tr(Inv(Xi) @ Xi.d()), grad=Inv(Xi).T, note=r"Numerator layout: $(\nabla_X f)^\T = X^{-1}$.")
    derivative("log-det-spd", "gradmat", "Log-determinant of a symmetric matrix", "gradients", logdet(Sp), [Sp],
               df=tr(Inv(Sp) @ Sp.d()), grad=Inv(Sp),
               note=r"Some references give $2S^{-1} - S^{-1} \odot I = 2\nabla_S f - \nabla_S f \odot I$: the partial derivatives with respect to "
                    r"the distinct entries $S_{ij}$, $i \le j$, not a gradient for the Frobenius product. On "
                    r"symmetric matrices the gradient is the symmetric part of the unconstrained one, "
                    r"$\sym(S^{-1}) = S^{-1}$.")
    derivative("trace-inverse", "gradmat", "Trace of the inverse", "gradients", tr(Inv(Xi)), [Xi],
               df=-tr(Inv(Xi) ** 2 @ Xi.d()), grad=-(Inv(Xi) ** 2).T)
    derivative("inverse-bilinear", "gradmat", "Bilinear form in the inverse", "gradients", a.T @ Inv(Xi) @ b,
               [Xi, a, b], df=-a.T @ Inv(Xi) @ Xi.d() @ Inv(Xi) @ b, grad=-Inv(Xi).T @ a @ b.T @ Inv(Xi).T,
               symbolic=((2,),), symbolic_limit=SLOW_3X3,
               note=r"Numerator layout: $(\nabla_X f)^\T = -X^{-1} b a^\T X^{-1}$.")
    k = S("k", "int")
    derivative("trace-power", "gradmat", "Trace of a power", "gradients", tr(X ** k), [X, k],
               df=k * tr(X ** (k - 1) @ dX), grad=k * (X ** (k - 1)).T, assumptions=(r"$k = 1, 2, 3, \dots$",),
               note=r"Numerator layout: $(\nabla_X f)^\T = k X^{k-1}$.")
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
                    r"$\nabla_w \log(1 + e^{-y\, w^\T x}) = -y\,\sigma(-y\, w^\T x)\, x$.")
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
               note=r"The weight gradient $\bar W = \bar y x^\T$ has the shape of $W$; texts in numerator layout "
                    r"write its transpose, $\bar W^\T = x \bar y^\T$.")
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
               note=r"The gradient $\nabla_W f = (s - y) x^\T$ has the shape of $W$; texts in numerator layout "
                    r"write its transpose, $(\nabla_W f)^\T = x (s - y)^\T$.")
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
               note=r"The variance divides by $n$, as layer and batch normalisation do (not by $n - 1$). Batch "
                    r"normalisation applies the same formula to each feature across the batch.")

    # ---------------------------------------------------------------- Kronecker and vec facts

    equality("vec-product", "kron", "vec of a product", "vec-kronecker", vec(Akm @ Xmp @ Bpq),
             kron(Bpq.T, Akm) @ vec(Xmp), [Akm, Xmp, Bpq],
             note="Holds for $\\vec$ stacking columns: NumPy's `X.reshape(-1, order=\"F\")`, SymPy's "
                  r"`Matrix.vec()`. With NumPy's default, row-major `X.reshape(-1)`, it is wrong by a relative "
                  r"error of order 1 at a random point (median about 1.4 over random tests; the two vectors "
                  r"are nearly unrelated): use the next row.")
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
    s_ = Named("s", tanh(w.T @ z + beta))
    jacdet("jacdet-planar-flow", "jacdet", "Planar flow", "jacobian-determinant", z + u * tanh(w.T @ z + beta),
           1 + (1 - s_ ** 2) * (w.T @ u), [z, u, w, beta],
           note=r"By the matrix determinant lemma (next row) the determinant costs $O(n)$, not $O(n^3)$; "
                r"normalising flows rely on that for $\log\abs{\det J}$.")
    v_ = V("v")
    equality("determinant-lemma", "jacdet", "Matrix determinant lemma", "jacobian-determinant",
             det(Xi + u @ v_.T), (1 + v_.T @ Inv(Xi) @ u) * det(Xi), [Xi, u, v_])


build_catalogue()


def by_key(key: str) -> Identity:
    for entry in CATALOGUE:
        if entry.key == key:
            return entry
    raise KeyError(key)



# ================================================================ 3. the checks

# Tolerances of the generated checks, matched to the method.
CENTRAL_TOL = 1e-8  # central differences with step 1e-5: truncation ~h^2, rounding ~eps/h
EXACT_TOL = 1e-12  # two exact computations of the same thing: rounding only
STEP = 1e-5

SAMPLERS = {
    "normal": "rng.standard_normal({shape})",
    "invertible": "random_invertible(rng, {n})",
    "full-rank": "random_full_rank(rng, {n}, {p})",
    "spd": "random_spd(rng, {n})",
    "symmetric": "random_symmetric(rng, {n})",
    "separated": "random_separated(rng, {n})",
    "stable": "random_positive_stable(rng, {n})",
    "probability": "random_probability(rng, {n})",
    "positive": "rng.uniform(0.5, 2.0)",
    "unit": "rng.uniform(0.0, 1.0)",
}


class CheckFailed(AssertionError):
    """An identity that its check refutes.

    A failed SymPy check names the difference it found, simplified only when the message is
    read: code that needs only to know that a check fails (the mutation tests) does not pay for
    sp.simplify, which took a third of their CPU time (1.2 s of 3.6 s, measured).
    """

    def __init__(self, message: str, difference=None):
        super().__init__(message)
        self.difference = difference

    def __str__(self) -> str:
        message = super().__str__()
        if self.difference is None:
            return message
        return f"{message} differs by {simplified(sp.sympify(self.difference))}"


# ---------------------------------------------------------------- the copyable NumPy check


def named_values(exprs) -> list[Named]:
    """The named values (s = softmax(z), ...) the expressions use, each before its first use."""
    found: list[Named] = []
    for e in exprs:
        for node in e.walk():
            if isinstance(node, Named) and all(node is not seen for seen in found):
                if any(seen.name == node.name for seen in found):
                    raise ValueError(f"two different values are both called {node.name!r}")
                found.append(node)
    return found


def function_source(name: str, params: list[str], expr: Expr) -> str:
    lines = [f"def {name}({', '.join(params)}):"]
    lines += [f"    {named.definition_code()}" for named in named_values([expr])]
    lines.append(f"    return {expr.code()}")
    return "\n".join(fit(line) for line in lines)


def fit(line: str, width: int = 88) -> str:
    """Lay out a long `return <expression>` over several lines, inside brackets."""
    if len(line) <= width or not line.lstrip().startswith("return "):
        return line
    indent = len(line) - len(line.lstrip())
    body = line.lstrip()[len("return "):]
    inner = _layout(body, indent + 4, width)
    return " " * indent + "return (\n" + "\n".join(inner) + "\n" + " " * indent + ")"


def _split_top(text: str, operators: tuple[str, ...]) -> list[str]:
    """Pieces of text between top-level binary operators; each piece after the first keeps its operator."""
    depth, pieces, start = 0, [], 0
    for index, char in enumerate(text):
        depth += char in "([{"
        depth -= char in ")]}"
        if depth == 0 and index > 0 and any(text.startswith(op, index) for op in operators):
            pieces.append(text[start:index].strip())
            start = index + 1
    pieces.append(text[start:].strip())
    return pieces


def _layout(text: str, indent: int, width: int) -> list[str]:
    pad = " " * indent
    if len(pad) + len(text) <= width:
        return [pad + text]
    operator = ""
    if text[:2] in ("+ ", "- ", "@ ", "* ", "/ "):
        operator, text = text[:2], text[2:]
    for operators in ((" + ", " - "), (" @ ", " * ", " / ")):
        pieces = _split_top(text, operators)
        if len(pieces) > 1:
            lines = []
            for number, piece in enumerate(pieces):
                lines += _layout((operator if number == 0 else "") + piece, indent, width)
            return lines
    # one call or bracket: break inside it
    if text.endswith(")"):
        depth = 0
        for index in range(len(text) - 1, -1, -1):
            depth += text[index] == ")"
            depth -= text[index] == "("
            if depth == 0:
                head, inner = text[: index + 1], text[index + 1 : -1]
                lines = [pad + operator + head]
                arguments = _split_top(inner, (", ",))
                for number, argument in enumerate(arguments):
                    argument = argument.removeprefix(", ").removeprefix(",").strip()
                    comma = "," if number < len(arguments) - 1 else ""
                    laid = _layout(argument, indent + 4, width)
                    laid[-1] += comma
                    lines += laid
                return lines + [pad + ")"]
    return [pad + operator + text]


def wrap_statement(line: str, width: int = 88) -> str:
    """Break a long statement of a generated check: before `for` in a comprehension, else after `(`."""
    if len(line) <= width:
        return line
    indent = len(line) - len(line.lstrip())
    if "  # " in line:  # the comment goes on a line of its own, above
        code, comment = line.split("  # ", 1)
        return " " * indent + "# " + comment + "\n" + wrap_statement(code, width)
    at = line.rfind(" for ")
    if at > 0:
        depth, opening = 0, None
        for index in range(at, -1, -1):
            depth += line[index] in ")]}"
            depth -= line[index] in "([{"
            if depth < 0:
                opening = index
                break
        if opening is not None:
            first, second = line[:at], " " * (opening + 1) + line[at + 1:]
            if len(first) <= width and len(second) <= width:
                return first + "\n" + second
    at = line.find("(", line.find("= ") + 2 if "= " in line else 0)
    if at > 0 and line.endswith(")"):
        pad = " " * (indent + 4)
        return line[: at + 1] + "\n" + pad + line[at + 1: -1] + "\n" + " " * indent + ")"
    return line


@functools.cache
def helper_source(name: str) -> str:
    """The source text of a function of snippets/catalogue/numerics.py, to copy into a check."""
    text = NUMERICS.read_text(encoding="utf-8")
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return ast.get_source_segment(text, node)
    raise KeyError(f"snippets/catalogue/numerics.py has no function {name!r}")


def helpers_of(entry: Identity) -> list[str]:
    names = ["relative_error"]
    if entry.kind == "jacdet":
        names.append("jacobian_fd")
    for var in entry.inputs:
        sampler = SAMPLERS.get(var.sample, "")
        if sampler.startswith("random_"):
            names.append(sampler.split("(")[0])
    if entry.kind == "derivative" and entry.wrt.sample in SYMMETRIC_SAMPLES:
        names.append("random_symmetric")
    for e in entry.expressions():
        names += [node.helper for node in e.walk() if isinstance(node, Call) and node.helper]
    return list(dict.fromkeys(names))


def shape_code(var: Var) -> str:
    if var.kind == MATRIX:
        return f"({var.dims[0]}, {var.dims[1]})"
    return var.dims[0] if var.kind == VECTOR else ""


def sample_code(var: Var) -> str:
    template = SAMPLERS[var.sample]
    dims = var.dims + ("", "")
    return template.format(shape=shape_code(var), n=dims[0], p=dims[1])


def direction_code(var: Var) -> str:
    if var.sample in SYMMETRIC_SAMPLES:
        return f"random_symmetric(rng, {var.dims[0]})"
    return f"rng.standard_normal({shape_code(var)})"


def loop_header(entry: Identity) -> tuple[list[str], str]:
    """The loop over three random points of three sizes, and how its report names a point."""
    dims = entry.dims
    comment = "  # three random points of three sizes"
    if len(dims) == 1:
        values = ", ".join(str(case[0]) for case in entry.cases)
        return [f"for {dims[0]} in ({values}):" + comment], f"{dims[0]} = {{{dims[0]}}}"
    cases = ", ".join("(" + ", ".join(map(str, case)) + ")" for case in entry.cases)
    label = ", ".join(dims) + " = " + ", ".join("{" + d + "}" for d in dims)
    return [f"sizes = ({cases})" + comment, f"for {', '.join(dims)} in sizes:"], label


def copyable_check(entry: Identity) -> str:
    """A complete NumPy script that checks the entry and fails loudly if the entry is wrong."""
    params = [var.name for var in entry.inputs]
    args = ", ".join(params)
    parts = [f"# Catalogue identity {entry.number}: NumPy check\nimport numpy as np"]
    parts += [helper_source(name) for name in helpers_of(entry)]
    functions = []
    if entry.kind in ("derivative", "jacdet"):
        functions.append(function_source("f", params, entry.f))
    header, label = loop_header(entry)
    samples = [f"    {var.name} = {sample_code(var)}" for var in entry.inputs if var.sample != "int"]
    body: list[str] = []
    if entry.kind == "derivative":
        X = entry.wrt
        d = X.d().name
        rest = ", ".join(params[1:])
        call = (lambda point: f"f({point}, {rest})") if rest else (lambda point: f"f({point})")
        if entry.df is not None:
            functions.append(function_source("df", params + [d], entry.df))
        if entry.equation is not None:
            Y = entry.out
            functions.append(function_source("lhs", params + [Y.name, Y.d().name], entry.equation[0]))
            functions.append(function_source("rhs", params + [d], entry.equation[1]))
        if entry.grad is not None:
            functions.append(function_source("grad", params, entry.grad))
        if entry.vjp is not None:
            functions.append(function_source("pullback", params + ["ybar"], entry.vjp))
        body += samples
        body.append(f"    # three random directions, each as large as {X.name}")
        body.append(f"    {d}s = [{direction_code(X)} for _ in range(3)]")
        body.append(f"    {d}s = [{d} * np.linalg.norm({X.name}) / np.linalg.norm({d}) for {d} in {d}s]")
        body.append(f"    fd = [({call(f'{X.name} + h * {d}')} - {call(f'{X.name} - h * {d}')}) / (2 * h)"
                    f" for {d} in {d}s]")
        body.append("    errors = {}")
        if entry.df is not None:
            body.append(f'    errors["differential"] = relative_error(fd, [df({args}, {d}) for {d} in {d}s])')
        if entry.equation is not None:
            body.append(f"    {entry.out.name} = f({args})")
            dy = entry.out.d().name
            body.append(f'    errors["equation"] = relative_error([lhs({args}, {entry.out.name}, {dy}) for {dy} in fd],')
            body.append(f"                                        [rhs({args}, {d}) for {d} in {d}s])")
        if entry.grad is not None:
            body.append(f"    gradient = grad({args})  # <gradient, {d}> must equal the derivative")
            body.append(f'    errors["gradient"] = relative_error(fd, [np.sum(gradient * {d}) for {d} in {d}s])')
        if entry.vjp is not None:
            body.append("    ybar = rng.standard_normal(np.shape(fd[0]))  # a gradient with respect to the output")
            body.append(f"    back = pullback({args}, ybar)  # <ybar, df> must equal <back, {d}>")
            dy = entry.out.d().name
            body.append(f'    errors["pullback"] = relative_error([np.sum(ybar * {dy}) for {dy} in fd],')
            body.append(f"                                        [np.sum(back * {d}) for {d} in {d}s])")
        tolerance, method = CENTRAL_TOL, "central differences"
    elif entry.kind == "equality":
        functions.append(function_source("lhs", params, entry.lhs))
        functions.append(function_source("rhs", params, entry.rhs))
        body += samples
        body.append(f'    errors = {{"equality": relative_error(lhs({args}), rhs({args}))}}')
        tolerance, method = EXACT_TOL, "rounding errors"
    else:
        functions.append(function_source("det_jacobian", params, entry.rhs))
        rest = ", ".join(params[1:])
        body += samples
        body.append(f"    # the Jacobian by central differences, a column per entry of vec({entry.wrt.name})")
        body.append(f"    J = jacobian_fd(f, {entry.wrt.name}, h{', ' + rest if rest else ''})")
        body.append(f"    claimed = det_jacobian({args})")
        body.append('    errors = {"determinant": relative_error(np.linalg.det(J), claimed)}')
        tolerance, method = CENTRAL_TOL, "central differences"
    body.append('    report = ", ".join(f"{name} {err:.1e}" for name, err in errors.items())')
    body.append(f'    print(f"{label}: {{report}}")')
    body.append("    worst = max(worst, *errors.values())")
    parts += functions
    setup = ["rng = np.random.default_rng(0)"]
    if entry.kind != "equality":
        setup.append(f"h = {short(STEP)}  # central differences: truncation error ~h**2, rounding ~1e-16/h")
    setup.append("worst = 0.0")
    setup += header
    closing = [
        f'assert worst < {short(tolerance)}, f"relative error {{worst:.1e}}: the identity is wrong"',
        f'print(f"worst relative error {{worst:.1e}} (below {short(tolerance)}, as {method} allow)")',
    ]
    statements = [wrap_statement(line) for line in setup + body + closing]
    script = "\n\n\n".join(parts) + "\n\n\n" + "\n".join(statements) + "\n"
    too_long = [line for line in script.split("\n") if len(line) > 88]
    if too_long:
        raise ValueError(f"identity {entry.key}: generated lines too long: {too_long}")
    return script


def short(number: float) -> str:
    """1e-08 written as 1e-8."""
    return f"{number:.0e}".replace("e-0", "e-")


def run_check(source: str, name: str = "check") -> tuple[float, str]:
    """Run a generated check as a reader would: alone, as __main__, warnings as errors.

    Returns its worst relative error and what it printed; raises if it fails.
    """
    namespace = {"__name__": "__main__"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), warnings.catch_warnings():
        warnings.simplefilter("error")
        exec(compile(source, f"<{name}>", "exec"), namespace)
    return namespace["worst"], printed.getvalue()


def check_numerically(entry: Identity) -> float:
    try:
        worst, _ = run_check(copyable_check(entry), f"check of {entry.key}")
    except AssertionError as err:
        raise CheckFailed(f"identity {entry.number} ({entry.key}): {err}") from None
    return worst


# ---------------------------------------------------------------- the SymPy check


class NotExact(Exception):
    pass


def symbolic_input(var: Var, sizes: dict):
    if var.sample == "int":
        return sp.Integer(sizes[var.name])
    if var.kind == SCALAR:
        return sp.Symbol(var.name, positive=True) if var.sample in ("positive", "unit") else \
            sp.Symbol(var.name, real=True)
    if var.kind == VECTOR:
        n = sizes[var.dims[0]]
        entries = [sp.Symbol(f"{var.name}{i}", real=True) for i in range(n)]
        if var.sample == "probability":
            entries[-1] = 1 - sum(entries[:-1])
        return sp.Matrix(entries)
    rows, cols = sizes[var.dims[0]], sizes[var.dims[1]]
    if var.sample in SYMMETRIC_SAMPLES:
        def entry(i, j):
            i, j = min(i, j), max(i, j)
            return sp.Symbol(f"{var.name}{i}{j}", positive=True) if i == j and var.sample == "spd" \
                else sp.Symbol(f"{var.name}{i}{j}", real=True)
        return sp.Matrix(rows, cols, entry)
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{var.name}{i}{j}", real=True))


def coordinates(value) -> list[sp.Symbol]:
    """The free symbols of an input, in the order of vec (columns stacked)."""
    found = []
    for item in (list(value.vec()) if isinstance(value, sp.MatrixBase) else [value]):
        for symbol in sorted(item.free_symbols, key=str):
            if symbol not in found:
                found.append(symbol)
    return found


def vanishes(expr) -> bool:
    expr = sp.sympify(expr)
    if expr == 0:
        return True
    numerator = sp.expand(expr.as_numer_denom()[0])
    if numerator == 0:
        return True
    if expr.is_rational_function():
        return False  # a rational function is zero exactly when its numerator is
    return simplified(expr) == 0


@functools.lru_cache(maxsize=64)
def simplified(expr):
    """sp.simplify, once per expression: a failed check reports the difference it decided on."""
    return sp.simplify(expr)


def same(a, b, what: str) -> None:
    a, b = _plain(a), _plain(b)
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
        if not (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)) or a.shape != b.shape:
            raise CheckFailed(f"{what}: shapes differ")
        for index, (p, q) in enumerate(zip(a, b)):
            if not vanishes(p - q):
                raise CheckFailed(f"{what}: entry {index}", p - q)
    elif not vanishes(a - b):
        raise CheckFailed(f"{what}:", a - b)


def _plain(value):
    if isinstance(value, sp.MatrixBase) and value.shape == (1, 1):
        return value[0, 0]
    return value


def _inner(p, q):
    p, q = _plain(p), _plain(q)
    if isinstance(p, sp.MatrixBase):
        return sum(x * y for x, y in zip(p, q))
    return p * q


def check_symbolically(entry: Identity, case: tuple) -> None:
    """The exact check of one entry on matrices of symbols of the given sizes; raises CheckFailed."""
    sizes = dict(zip(entry.dims, case))
    env = {var.name: symbolic_input(var, sizes) for var in entry.inputs}
    where = f"identity {entry.number} ({entry.key}) with sizes {sizes}"

    def value(e):
        try:
            return sym_value(e, env)
        except NoSymbolicForm as err:
            raise NotExact(f"{entry.key} uses {err}, which has no exact form") from None

    if entry.kind == "equality":
        same(value(entry.lhs), value(entry.rhs), where)
        return
    point = env[entry.wrt.name]
    F = value(entry.f)
    symbols = coordinates(point)
    if entry.kind == "jacdet":
        outputs = F.vec() if F.shape[1] > 1 else F
        same(outputs.jacobian(sp.Matrix(symbols)).det(), value(entry.rhs), where)
        return
    d = entry.wrt.d().name
    env["__direction__"] = {d, entry.out.d().name}
    if entry.vjp is not None:
        env["ybar"] = symbolic_input(Var("ybar", entry.f.kind, ("r", "c")[: {VECTOR: 1, MATRIX: 2}[entry.f.kind]]),
                                     {"r": F.shape[0], "c": F.shape[1]})
    if entry.equation is not None:
        env[entry.out.name] = F
    for symbol in symbols:
        direction = point.diff(symbol) if isinstance(point, sp.MatrixBase) else sp.Integer(1)
        exact = F.diff(symbol)
        env[d] = direction
        along = f"{where}, along d{symbol}"
        if entry.df is not None:
            same(exact, value(entry.df), f"{along}: differential")
        if entry.grad is not None:
            same(exact, _inner(value(entry.grad), direction), f"{along}: gradient")
        if entry.vjp is not None:
            same(_inner(env["ybar"], exact), _inner(value(entry.vjp), direction), f"{along}: pullback")
        if entry.equation is not None:
            env[entry.out.d().name] = exact
            same(value(entry.equation[0]), value(entry.equation[1]), f"{along}: equation")


def case_name(case: tuple) -> str:
    """The sizes of a SymPy case as written in the report: (2, 3) -> "2x3"."""
    return "x".join(map(str, case))


def check_all(entries=None) -> dict:
    """Every check of every entry, each failure recorded (not raised), with CPU times.

    One record per identity: the worst relative error of its NumPy check (or the
    failure, as "Type: message"), its CPU time, and per SymPy case the failure
    (None when it holds) and its CPU time.
    """
    records = {}
    start, wall = time.process_time(), time.perf_counter()
    for entry in entries or CATALOGUE:
        began = time.process_time()
        try:
            worst, failure = check_numerically(entry), None
        except Exception as err:  # noqa: BLE001 - every failure is reported with the identity
            worst, failure = None, f"{type(err).__name__}: {err}"
        record = {"worst": worst, "failure": failure, "numeric_s": time.process_time() - began, "symbolic": {}}
        for case in entry.symbolic:
            began = time.process_time()
            try:
                check_symbolically(entry, case)
                failure = None
            except Exception as err:  # noqa: BLE001
                failure = f"{type(err).__name__}: {err}"
            record["symbolic"][case_name(case)] = {"failure": failure, "s": time.process_time() - began}
        records[entry.key] = record
    return {"identities": records, "cpu_s": time.process_time() - start, "wall_s": time.perf_counter() - wall}


def main(argv: list[str]) -> int:
    """Check the whole catalogue and print a line per identity; 1 if any check fails.

    With --report FILE, also write every outcome and time to FILE as JSON.
    """
    import json

    if argv and (len(argv) != 2 or argv[0] != "--report"):
        print("usage: python identities.py [--report FILE]", file=sys.stderr)
        return 2
    run = check_all()
    failed = 0
    for entry in CATALOGUE:
        record = run["identities"][entry.key]
        failures = [record["failure"]] * bool(record["failure"])
        failures += [f"SymPy {case}: {r['failure']}" for case, r in record["symbolic"].items() if r["failure"]]
        failed += bool(failures)
        symbolic_s = sum(r["s"] for r in record["symbolic"].values())
        exact = "SymPy " + ", ".join(record["symbolic"]) if record["symbolic"] else "-"
        worst = f"{record['worst']:8.1e}" if record["worst"] is not None else "  failed"
        print(f"{entry.number:3} {entry.key:24} {worst}  {record['numeric_s']:5.2f} s  {symbolic_s:5.2f} s  {exact}")
        for failure in failures:
            print(f"    FAILED: {failure}", file=sys.stderr)
    numeric = sum(r["numeric_s"] for r in run["identities"].values())
    symbolic = sum(r["s"] for record in run["identities"].values() for r in record["symbolic"].values())
    print(f"{len(CATALOGUE)} identities checked: numerically in {numeric:.1f} s, symbolically in {symbolic:.1f} s "
          f"(CPU), {run['wall_s']:.1f} s wall time; {failed} failed")
    if argv:
        Path(argv[-1]).write_text(json.dumps(run, indent=1), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
