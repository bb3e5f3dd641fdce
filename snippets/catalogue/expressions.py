"""The expression language of the identity catalogue (docs page: Identity catalogue).

A formula of the catalogue is written once, as a small tree built with ordinary
Python operators, and read three ways:

- `tex(e)`: LaTeX for the page (the course's macros: \\T, \\dd, \\tr, \\vec, ...);
- `code(e)`: NumPy source code, for the checks a reader can copy;
- `sym(e, env)`: a SymPy value on explicit small matrices of symbols.

So the formula a reader sees is the formula that is tested, with no second copy
to drift. Vectors are 1-D NumPy arrays and SymPy column matrices; a vector
times a transposed vector is an outer product. Run this file to see one
formula in its three readings.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

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
        return f"{self.of.name}.shape[{self.axis}]"

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
                out.append(("-" if index == 0 else " - ") + wrap_tex(term.children[0], MUL))
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

    tex_prec = code_prec = MUL

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
            if isinstance(e, Mul):
                collect(e.children[0])
                collect(e.children[1])
            else:
                factors.append(e)

        collect(self)
        out = wrap_tex(factors[0], MUL + 1)
        for previous, factor in zip(factors, factors[1:]):
            # A thin space on each side of a differential keeps "A dX B" readable.
            gap = r"\," if is_differential(previous) or is_differential(factor) else " "
            out += gap + wrap_tex(factor, MUL + 1)
        return out

    def code(self):
        a, b = self.children
        op = self.operator()
        if op == "outer":
            return f"np.outer({a.code()}, {b.code()})"
        if op == "@":
            first, *rest = self.factors()
            return " @ ".join([wrap_code(first, MUL)] + [wrap_code(f, MUL + 1) for f in rest])
        return f"{wrap_code(a, MUL)} * {wrap_code(b, MUL + 1)}"

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
        return f"{wrap_tex(a, MUL + 1)} \\odot {wrap_tex(b, MUL + 1)}"

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
                where=r"$\sigma(t) = 1/(1 + e^{-t})$ entrywise")


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


# ---------------------------------------------------------------- a demonstration


def readings(e: Expr, env: dict) -> tuple[str, str, object]:
    return e.tex(), e.code(), sym_value(e, env)


if __name__ == "__main__":
    X = Var("X", MATRIX, ("n", "n"), sample="invertible")
    dX = X.d()
    a, b = Var("a", VECTOR, ("n",)), Var("b", VECTOR, ("n",))
    claim = -Inv(X) @ dX @ Inv(X)
    grad = -Inv(X).T @ a @ b.T @ Inv(X).T
    for e in (claim, grad, (X.T @ X) ** 2, a.T @ X @ b, kron(Eye(X), X) + kron(X.T, Eye(X))):
        print(f"{e.tex():50} {e.code()}")
    assert claim.tex() == r"-X^{-1}\,\dd X\,X^{-1}", claim.tex()
    assert claim.code() == "-np.linalg.inv(X) @ dX @ np.linalg.inv(X)", claim.code()
    assert grad.tex() == r"-X^{-\T} a b^\T X^{-\T}", grad.tex()
    assert "np.outer" in grad.code(), grad.code()

    # The NumPy reading evaluates to the same numbers as the SymPy reading.
    rng = np.random.default_rng(0)
    values = {"X": rng.standard_normal((3, 3)) + 3 * np.eye(3), "dX": rng.standard_normal((3, 3)),
              "a": rng.standard_normal(3), "b": rng.standard_normal(3)}
    env = {name: sp.Matrix(value) for name, value in values.items()}
    for e in (claim, grad, a.T @ X @ b, kron(Eye(X), X)):
        numeric = eval(e.code(), {"np": np}, dict(values))
        exact = np.array(sp.N(sym_value(e, env)), dtype=float).reshape(np.shape(numeric))
        assert np.allclose(numeric, exact, rtol=1e-12, atol=1e-12), e
    try:
        a @ X  # a column vector cannot multiply a matrix from the left
    except ShapeError as err:
        print("refused:", err)
    else:
        raise AssertionError("a vector times a matrix was accepted")
    print("the NumPy and SymPy readings agree")
