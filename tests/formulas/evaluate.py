"""Give the course's notation its meaning: evaluate a formula's tree at a random point.

Names mean what the page declares (declarations.py): a random matrix of a
stated shape and kind, a value defined by an earlier formula, a generic smooth
function, a function the page defines. The notation is the course's own:

- juxtaposition is a matrix product (or scaling by a scalar), `A^\\T` a
  transpose, `A^{-1}` an inverse, `A^{-\\T}` both, `\\kron` a Kronecker product,
  `\\circ`/`\\odot` an entrywise product (`\\circ` between functions composes them);
- `\\dd E` is the differential of E: its derivative along the directions dX of
  the variables that vary (those whose differential the statement names, or
  those declared with `vary`), computed by the complex step
  Im E(X + ih dX) / h, which has no subtraction error; `\\dd X` of a variable
  is its direction;
- `\\nabla_X f`, `J_f(x)`, `J_{X^2}`, `\\frac{\\partial y}{\\partial x}`,
  `f'(x)[v]` and `\\frac{\\dd}{\\dd t}` are computed from the same directional
  derivatives, coordinate by coordinate (vec stacks columns);
- `\\sum`, `\\prod` and `\\int` are evaluated (integrals by Gauss-Legendre
  quadrature), indices written without bounds run over the array they index.

Where a derivative is taken inside another, or of a function with complex
values, the complex step would mix its imaginary parts with others, so the
derivative is taken by Cauchy's integral on a small circle instead
(Lyness and Moler 1967; accurate to about 1e-13 here).
"""

from __future__ import annotations

import cmath
import math
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np
import scipy.linalg

from .reader import (Accent, Binary, Call, Ellipsis_, EvalAt, Frac, Matrix, Node, Num, Paren, Prime, Product,
                     Relation, Signed, Sqrt, Sub, Sup, Sym, Text, tex)
from .values import (spectral_norm, Dual, EvalError, Function, Identity, Interval, LinearMap, Ones, Polygon, Unit, add, analytic_abs, analytic_max, analytic_min,
                     analytic_norm, array, as_matrix, divide, flat, hadamard, inverse, is_scalar, kron, magnitude,
                     multiply, negate, power, real_sign, scalar, shape_text, show, softmax, transpose, vec)

STEP = 1e-20  # the complex step: far below any rounding, and no subtraction to lose digits to
CIRCLE_POINTS, CIRCLE_RADIUS = 16, 0.05
# The fixed quadrature rules, worked out once (0.9 ms and 0.4 ms a time; an expectation or a matrix integral
# under a derivative is evaluated hundreds of times).
HERMITE = np.polynomial.hermite.hermgauss(80)  # expectations over a normal variable
LEGENDRE = np.polynomial.legendre.leggauss(30)  # integrals of a matrix


# ---------------------------------------------------------------- what a name can be bound to


@dataclass
class Variable:
    """A random input: its value at the point, and the direction of its differential."""

    name: str
    value: np.ndarray
    direction: np.ndarray
    kind: str = "real"  # "real": drawn at random (prose may fix its value); "fixed": a count or a value the page defines


@dataclass
class Defined:
    """A name defined by a formula on the page (`p = \\softmax(W x)`, `f(x) = x^\\T A x`)."""

    name: str
    node: Node
    params: tuple = ()  # a function's parameters, by canonical name
    where: str = ""  # page:line of the definition, for messages


@dataclass
class Root(Defined):
    """A name the page defines as the solution of an equation near a start (`x: solves x^3 + p x - 1 = 0
    near 0.7`): found by Newton's method at whatever values the other names have, so that a derivative
    of it (a complex step in p) is the implicit function's. `node` is the equation, `start` the start."""

    start: Node | None = None


@dataclass
class Generic:
    """A generic smooth function (declared `f: n -> m`, or `F(A): n x n` of a variable)."""

    name: str
    function: Function
    of: tuple = ()  # names of the variables it is a function of, if it is used bare (`F` for F(A))


class Bindings(dict):
    """A scope's names, counting its changes: what was worked out from them is kept for one version."""

    version = 0

    def __setitem__(self, key, value):
        self.version += 1
        super().__setitem__(key, value)

    def pop(self, *args):
        self.version += 1
        return super().pop(*args)


@dataclass
class Scope:
    """What the names of a part of a page mean."""

    bindings: dict = field(default_factory=Bindings)
    sizes: dict = field(default_factory=dict)
    vary: tuple = ()
    adjoint_of: str | None = None  # \bar u means the gradient of this name with respect to u
    identity_size: int | None = None
    imaginary: bool = False  # `i` is the imaginary unit
    approx_factor: float | None = None  # a \approx b between expressions: within this factor (rules of thumb)

    def memo(self, kind: str) -> dict:
        """A memo of things worked out from the names (their dependencies, the reading of a product), emptied
        whenever a name changes meaning."""
        bindings = self.bindings
        if not isinstance(bindings, Bindings):
            bindings = self.bindings = Bindings(bindings)
        store = self.__dict__.get("_memos")
        if store is None or store["version"] != bindings.version:
            store = self.__dict__["_memos"] = {"version": bindings.version}
        found = store.get(kind)
        if found is None:
            found = store[kind] = {}
        return found

    def child(self) -> Scope:
        return Scope(Bindings(self.bindings), dict(self.sizes), self.vary, self.adjoint_of, self.identity_size,
                     self.imaginary, self.approx_factor)


@dataclass
class Ctx:
    """One evaluation: the scope, values that replace names (a perturbed point), local names."""

    scope: Scope
    overrides: dict = field(default_factory=dict)
    locals: dict = field(default_factory=dict)
    perturbed: bool = False  # inside a complex step: derivatives below must use the circle
    cache: dict = field(default_factory=dict)
    record: dict = field(default_factory=lambda: {"scale": 0.0, "methods": set()})

    def but(self, overrides=None, locals_=None, perturbed=None) -> Ctx:
        return Ctx(self.scope, {**self.overrides, **(overrides or {})}, {**self.locals, **(locals_ or {})},
                   self.perturbed if perturbed is None else perturbed, self.cache, self.record)

    def aside(self) -> Ctx:
        """The same evaluation, but what it meets does not count towards the size of the numbers compared.

        For searches (a minimiser, a maximum over a sphere): the values they try
        on the way are not part of the formula.
        """
        return Ctx(self.scope, self.overrides, self.locals, self.perturbed, self.cache,
                   {"scale": 0.0, "methods": self.record["methods"]})

    def cached(self, key, compute, relevant: set | None = None):
        """A value computed once for each value of the names it depends on.

        `key` is a defined name (its dependencies are looked up) or a node of a
        formula with the set of names it reads. Values at the page's point are
        kept in the scope, for every formula; values at a moved point (a
        derivative's) only for this claim.
        """
        relevant = dependencies(key, self.scope) if relevant is None else relevant
        changed = [(k, v) for k, v in self.overrides.items() if k in relevant]
        changed += [(k, v) for k, v in self.locals.items() if k in relevant]
        ident = key if isinstance(key, str) else id(key)
        # What the names read are bound to stays the same until a name of the scope changes meaning, so it
        # is looked up once for each key (`relevant` is always the key's own set of names): every page's check
        # took 8.5 s of CPU looking it up at each call, 8.2 s so.
        read = self.scope.memo("bindings read")
        if ident not in read:
            bindings = [self.scope.bindings.get(k) for k in sorted(relevant, key=str)]
            read[ident] = (tuple(id(b) for b in bindings), bindings)
        ids, bindings = read[ident]
        full = (ident, tuple((k, id(v)) for k, v in changed), ids)
        store = self.cache if changed else self.scope.memo("values")
        if full not in store:
            # The bindings and changed values are kept with the entry, so that their ids are not reused.
            store[full] = (compute(), [v for _, v in changed], bindings, key)
        return store[full][0]

    def summed(self, *values, result=None) -> None:
        """Note the size of the terms of a sum whose terms cancelled: rounding in it is relative to them.

        A side that comes out near zero because its terms cancel (d(A A^{-1}) = 0)
        is compared with the size of those terms; a side that is small because it
        was multiplied by a small number is compared with itself. A sum whose
        result is not much smaller than its terms cancelled nothing and is not noted
        (else a large term met anywhere, 4x in h/(4x), would excuse any error).
        """
        scale = self.record["scale"]
        if scale:  # the scale noted already may cover these terms, whether they cancelled or not
            terms = max((magnitude(v) for v in values), default=0.0)
            if terms <= scale:
                return
        if result is not None and not _cancelled(values, result):
            return
        # While nothing is noted (most claims), the size of the terms is worked out only for a sum that
        # cancelled: every page's check took 8.3 s of CPU working it out for every sum first, 8.0 s so.
        self.record["scale"] = max(scale, max((magnitude(v) for v in values), default=0.0))


def _parts(value) -> tuple[float, float]:
    """The largest real and imaginary parts of a value (a number, an array, a stand-in)."""
    if isinstance(value, np.ndarray) and value.size:
        if value.size == 1:  # most values are numbers: no reduction needed
            number = complex(value.flat[0])
            return abs(number.real), abs(number.imag)
        return float(np.abs(value.real).max()), float(np.abs(value.imag).max())
    if isinstance(value, (int, float, complex, np.number)):
        return abs(complex(value).real), abs(complex(value).imag)
    return magnitude(value), 0.0


def _cancelled(terms, result) -> bool:
    """Whether a sum came out much smaller than its terms. Under a complex step (imaginary parts tiny
    against real ones) the real and the imaginary parts are two sums, and either may cancel: the
    imaginary part of d(A A^{-1}) is a sum of derivatives that cancel to 0."""
    parts = [_parts(t) for t in terms]
    re_terms, im_terms = max((p[0] for p in parts), default=0.0), max((p[1] for p in parts), default=0.0)
    step = im_terms <= 1e-6 * re_terms  # a complex step (or real numbers)
    if isinstance(result, np.ndarray) and result.size:
        # One entry bounds the largest from below: if it is not much smaller than the terms, nothing cancelled,
        # and the whole result need not be looked at (most sums and products: every page's check took 9.4 s of CPU
        # without this, 9.1 s with it).
        first = complex(result.flat[0])
        if step and abs(first.real) >= 1e-2 * re_terms and (not im_terms > 0 or abs(first.imag) >= 1e-2 * im_terms):
            return False
        if not step and abs(first) >= 1e-2 * max(re_terms, im_terms):
            return False
    re_result, im_result = _parts(result)
    if step:
        return re_result < 1e-2 * re_terms or (im_terms > 0 and im_result < 1e-2 * im_terms)
    return magnitude(result) < 1e-2 * max(re_terms, im_terms)


def node_dependencies(node: Node, scope: Scope) -> set:
    """Every name a part of a formula may read (and which variables vary, for its derivatives)."""
    memo = scope.memo("node dependencies")
    if id(node) in memo:
        return memo[id(node)][0]
    found = {"__vary__"}
    for sub in node.walk():
        for candidate in _names_read(sub):
            found |= dependencies(candidate, scope)
    memo[id(node)] = (found, node)  # the node is kept so that its id stays unique
    return found


def _names_read(node: Node) -> list[str]:
    """The names a node reads: its own, and for a member of a family (q_a), the family's (q_*)."""
    names = [name_of(node), getattr(node, "name", None)]
    if isinstance(node, Sub) and name_of(node.base):
        names.append(name_of(node.base) + "_*")
    return [name for name in names if name]


def dependencies(name: str, scope: Scope) -> set:
    """Every name a defined name's value may depend on (itself included); computed once per scope."""
    memo = scope.memo("dependencies")
    if name in memo:
        return memo[name]
    memo[name] = found = {name}
    binding = scope.bindings.get(name)
    body = binding.node if isinstance(binding, Defined) else getattr(binding, "rule", None)
    if body is not None:  # a defined name, or a family given by its rule (q_k := Q e_k)
        for node in body.walk():
            for candidate in _names_read(node):
                if candidate not in found:
                    found |= dependencies(candidate, scope)
    elif isinstance(binding, Generic):
        for param in binding.of:
            found |= dependencies(param, scope)
    return found


# ---------------------------------------------------------------- derivatives


class NonAnalytic(Exception):
    """A function computed through steps that are not analytic (an eigendecomposition) met a complex point."""


def _central(evaluate_at: Callable[[complex], object], order: int = 1, step: float = 0.005):
    """Central differences with two Richardson extrapolations (error of order h^6), for functions that a
    complex step or a circle cannot go through. Good to about 1e-10 for smooth functions of scale 1."""
    if order != 1:
        raise EvalError("a higher derivative through a function that is not analytic")

    def quotient(h):
        return (array(as_matrix(evaluate_at(h))) - array(as_matrix(evaluate_at(-h)))) / (2 * h)

    h = step
    evaluate_at(0)  # the point itself first: its eigenvectors are the ones the moved points' follow
    _EIGENVECTORS["moved"] = True
    try:
        d1, d2, d3 = quotient(h), quotient(h / 2), quotient(h / 4)
    finally:
        _EIGENVECTORS["moved"] = False
    r1, r2 = (4 * d2 - d1) / 3, (4 * d3 - d2) / 3
    return (16 * r2 - r1) / 15


# Eigenvectors have no sign of their own; the checker gives each the sign that makes its entries sum
# to a positive number. Where that sum is near zero, a point moved by a central difference's step may
# get the other sign, and the difference is nonsense. So the eigenvectors at moved points take the
# signs of those at the nearest point computed before (the point of the derivative, computed first).
_EIGENVECTORS: dict = {"moved": False, "recent": []}


def _follow_signs(s: np.ndarray, q: np.ndarray) -> np.ndarray:
    """q with the signs of the eigenvectors of the nearest recent matrix (recorded when not moved)."""
    _STATEFUL[0] += 1
    recent = _EIGENVECTORS["recent"]
    if not _EIGENVECTORS["moved"]:
        recent.append((s, q))
        del recent[:-32]
        return q
    near = [(np.linalg.norm(s - s0), q0) for s0, q0 in recent if s0.shape == s.shape and q0.shape == q.shape]
    if not near:
        return q
    distance, q0 = min(near, key=lambda pair: pair[0])
    if distance > 0.05 * max(np.linalg.norm(s), 1e-300):  # not the same matrix moved a little
        return q
    return q * np.sign(np.sum(q0.real * q.real, axis=0))


_depth = [0]  # how many derivatives are being taken around the current evaluation
_nested = [False]  # whether a derivative was taken inside the current one
# How many derivatives and eigendecompositions have been taken: each leaves state behind it (whether a
# derivative was nested in another, the signs the next eigenvectors follow), which a value taken from a
# memo instead of computed again would not leave (defined_function).
_STATEFUL = [0]


def real(*values) -> bool:
    """Whether every value is real (a point or a direction not moved by an enclosing derivative)."""
    return all(not np.iscomplexobj(v) or not np.any(np.imag(v)) for v in values if isinstance(v, np.ndarray))


def derivative(evaluate_at: Callable[[complex], object], ctx: Ctx, order: int = 1, at_real: bool = False,
               scale: float = 1.0):
    """d^k/dt^k at t = 0 of evaluate_at(t), an analytic function of t.

    The complex step needs real values everywhere else; inside another
    derivative (whose point is complex) or with complex numbers on the page,
    Cauchy's integral is used, which only needs analyticity. Its rounding
    leaves an imaginary part of about 1e-14 even at a real point (`at_real`),
    where the derivative of a real function is real: there it is dropped, so
    that it cannot swamp an enclosing complex step.
    """
    # A first derivative inside a complex step is taken by central differences (see _derivative), whose
    # imaginary part is the outer step's, exactly: other names may carry it even where this one is real.
    inside_step = order == 1 and _depth[0] == 1 and not ctx.scope.imaginary
    try:
        value = _derivative(evaluate_at, ctx, order, scale)
    except NonAnalytic:
        if _depth[0] > 0:
            raise  # inside another derivative: the outermost one falls back
        ctx.record["methods"].add("central differences")
        value = _central(evaluate_at, order)
        # Their error (about 1e-10) is relative to the derivative as a whole, not to each of its entries: a
        # small entry of dQ (0.007 beside entries of 1) is compared with the scale of the whole.
        ctx.record["scale"] = max(ctx.record["scale"], magnitude(value))
    if at_real and not ctx.scope.imaginary and not inside_step:
        return array(value).real.astype(complex)
    return value


def _derivative(evaluate_at: Callable[[complex], object], ctx: Ctx, order: int = 1, scale: float = 1.0):
    _STATEFUL[0] += 1
    _depth[0] += 1
    try:
        if order == 1 and _depth[0] == 2 and not ctx.scope.imaginary:
            # Inside a complex step (a Hessian: the derivative of a gradient): central differences with real
            # steps, extrapolated twice. They are sums of values, so the outer step's imaginary part passes
            # through them exactly; a small step (truncation of order h^6, about 1e-17) leaves rounding of
            # about 1e-16 / h. A circle here would cost 16 evaluations a point and swamp the outer step.
            ctx.record["methods"].add("complex step over central differences")
            return _central(evaluate_at, order, step=2e-3 * scale)
        _nested[0] = _nested[0] or _depth[0] > 1
        if order == 1 and _depth[0] == 1 and not ctx.scope.imaginary:
            _nested[0] = False
            value = evaluate_at(1j * STEP)
            if not _nested[0]:
                ctx.record["methods"].add("complex step")
                return array(as_matrix(value)).imag / STEP
            # A derivative was taken inside: its complex values swamp the step's. Start again on a circle.
        ctx.record["methods"].add("Cauchy integral")
        # The circle grows with the point (f(x) = sqrt(x) at x = 3e6 is smooth over a much wider circle, and
        # on a small one rounding would swamp f''); it stays well inside the region where f is analytic.
        radius = CIRCLE_RADIUS * scale
        total = None
        for j in range(CIRCLE_POINTS):
            w = np.exp(2j * np.pi * j / CIRCLE_POINTS)
            term = array(as_matrix(evaluate_at(radius * w))) * w ** (-order)
            total = term if total is None else total + term
        return total * math.factorial(order) / (CIRCLE_POINTS * radius ** order)
    finally:
        _depth[0] -= 1


# ---------------------------------------------------------------- names


def name_of(node: Node) -> str | None:
    """The canonical name of a node that can be a name: x, A, \\alpha, w_{k}, \\bar{z}, E_{\\text{fwd}}.

    Kept on the node once found (nodes are frozen), as its TeX is: asked for 480 000 times over all pages,
    whose check took 8.4 s of CPU without this, 8.2 s with it."""
    attributes = getattr(node, "__dict__", None)
    if attributes is None:  # not a node
        return None
    found = attributes.get("_name", _UNREAD)
    if found is _UNREAD:
        found = _name_of(node)
        object.__setattr__(node, "_name", found)  # not a field: equality and hashing ignore it
    return found


_UNREAD = object()


def _name_of(node: Node) -> str | None:
    match node:
        case Sym(name) if not name.startswith("\\") or name in GREEK or name in NAMEABLE:
            return name
        case Sym(name) if name.startswith("\\operatorname{") and name not in BUILTINS and name not in OPERATORS:
            return name  # \operatorname{rel}: a function the page defines
        case Accent(_, arg) if name_of(arg):
            return tex(node)
        case Sub(base, items) if name_of(base):
            return tex(node)
        case Prime(base, _) if name_of(base):
            return tex(node)
    return None


GREEK = {"\\" + g for g in ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda "
                             "mu nu xi rho varrho sigma tau upsilon phi varphi chi psi omega Gamma Delta Theta "
                             "Lambda Xi Sigma Upsilon Phi Psi Omega ell").split()}
NAMEABLE = {"\\mathbf{1}", "\\pi"}


def lookup(name: str, ctx: Ctx):
    """The value a name has in this evaluation (None if it has none)."""
    if name in ctx.locals:
        return ctx.locals[name]
    if name in ctx.overrides:
        return ctx.overrides[name]
    binding = ctx.scope.bindings.get(name)
    if binding is None:
        return None
    if isinstance(binding, Variable):
        return binding.value
    if isinstance(binding, Root):
        return ctx.cached(name, lambda: solve_root(binding, ctx))
    if isinstance(binding, Defined):
        if binding.params:
            return defined_function(binding, ctx)
        return ctx.cached(name, lambda: evaluate(binding.node, ctx))
    if isinstance(binding, Generic):
        if binding.of:
            return binding.function(*[value_of_name(n, ctx) for n in binding.of])
        return binding.function
    return binding


def solve_root(root: Root, ctx: Ctx):
    """Newton's method on lhs - rhs = 0 in the root's name, from its start, in complex arithmetic (the
    root of a complex-stepped equation is the analytic continuation: its imaginary part is the
    derivative). The Jacobian is taken by differences: it only steers the steps, the root is exact."""
    lhs, rhs = root.node.exprs
    x = array(as_matrix(evaluate(root.start, ctx))).astype(complex)

    def residual(at):
        inner = ctx.but(overrides={root.name: at})
        return array(as_matrix(add(evaluate(lhs, inner), negate(evaluate(rhs, inner))))).reshape(-1, order="F")

    scale = max(1.0, float(np.max(np.abs(x))))
    settled = 0
    for _ in range(200):
        r = residual(x)
        if r.size != x.size:
            raise EvalError(f"{root.name} solves {tex(root.node)}: {r.size} equations for {x.size} unknowns")
        jac = np.empty((r.size, x.size), dtype=complex)
        for k in range(x.size):
            step = np.zeros(x.size, dtype=complex)
            step[k] = 1e-7 * scale
            jac[:, k] = (residual(x + step.reshape(x.shape, order="F")) - residual(x - step.reshape(x.shape, order="F"))) \
                / (2e-7 * scale)
        step = np.linalg.solve(jac, r).reshape(x.shape, order="F")
        # Damped: halve the step while it does not reduce the residual (Newton from a poor start can run off)
        norm, length = np.linalg.norm(r.real), 1.0
        while length > 1e-3 and np.linalg.norm(residual(x - length * step).real) > norm and norm > 1e-13 * scale:
            length /= 2
        x = x - (length if length > 1e-3 else 1.0) * step  # no shorter step helps: the full one
        if np.max(np.abs(r.real)) < 1e-13 * scale:
            settled += 1  # a few steps more: they settle the imaginary part a complex step put in
            if settled == 3:
                return x
    raise EvalError(f"{root.name} solves {tex(root.node)}: Newton's method from {tex(root.start)} did not converge")


def value_of_name(name: str, ctx: Ctx):
    value = lookup(name, ctx)
    if value is None:
        raise EvalError(f"{name} is not defined here")
    return value


def defined_function(binding: Defined, ctx: Ctx) -> Function:
    """A function the page defines (`f(x) := ...`), as a Function of values.

    A call is worked out once for each value of its arguments and of the names
    around it, within one evaluation: an integrand such as \\lambda(t) that
    calls x(t_j) for the same t_j at every quadrature node computes it once
    (labs/ode-fit.py took 0.84 s of CPU without this, 0.38 s with it; every page
    8.6 s, 8.1 s). Not kept: a value computed through a derivative or an
    eigendecomposition, which leave state behind them (see _STATEFUL).
    """
    def call(*args):
        local = dict(zip(binding.params, args))
        inner = ctx.but(locals_=local)
        key = _call_key(binding, args, inner)
        if key is None:
            return evaluate(binding.node, inner)
        found = ctx.cache.get(key)
        if found is not None:
            return found[0]
        before = _STATEFUL[0]
        value = evaluate(binding.node, inner)
        if _STATEFUL[0] == before:
            # what the key holds by identity is kept with the entry, so that no id is reused
            ctx.cache[key] = (value, binding, ctx.record, list(inner.overrides.values()), list(inner.locals.values()))
        return value

    return Function(binding.name, call, arity=len(binding.params), params=binding.params)


def _call_key(binding: Defined, args: tuple, ctx: Ctx):
    """What a call of a page's function depends on: its arguments and the values of the names around it (by
    value for local arrays, by identity for moved points and the rest), within one evaluation's record (what
    the call noted there the first time is noted already). None if an argument is not an array."""
    def value(v):
        return (v.shape, v.dtype.str, v.tobytes()) if type(v) is np.ndarray else id(v)

    if not all(type(a) is np.ndarray for a in args):
        return None
    return ("call", id(binding), tuple(value(a) for a in args),
            tuple((k, value(v)) for k, v in ctx.locals.items() if k not in binding.params),
            tuple((k, id(v)) for k, v in ctx.overrides.items()), id(ctx.record))


def is_bound(name: str, ctx: Ctx) -> bool:
    return name in ctx.locals or name in ctx.overrides or name in ctx.scope.bindings


# ---------------------------------------------------------------- builtin functions


def _entrywise(f):
    return lambda a: f(array(a))


def _matrix_or_entrywise(matrix_f, entry_f):
    def apply(a):
        a = array(a)
        if a.shape[0] == a.shape[1] and a.shape != (1, 1):
            return matrix_f(a)
        return entry_f(a)

    return apply


def _det(a):
    a = array(a)
    if a.shape[0] != a.shape[1]:
        raise EvalError(f"the determinant of a {shape_text(a)} array")
    return np.array([[np.linalg.det(a)]])


def _trace(a):
    a = array(a)
    if a.shape[0] != a.shape[1]:
        raise EvalError(f"the trace of a {shape_text(a)} array")
    return np.array([[np.trace(a)]])


def _diag(*entries):
    if len(entries) > 1:  # \diag(1, -1): the diagonal listed
        return np.diag([scalar(e) for e in entries])
    a = array(entries[0])
    if 1 in a.shape:
        return np.diag(a.reshape(-1))
    return np.diag(a).reshape(-1, 1)


def _sym(a):
    a = array(a)
    return (a + a.T) / 2


def _adj(a):
    """The adjugate, the transpose of the cofactor matrix: adj(A)_{ji} = (-1)^{i+j} det(A without row i
    and column j). From minors, so that it is defined (and analytic) for singular matrices too."""
    a = array(a)
    n = a.shape[0]
    if a.shape != (n, n):
        raise EvalError(f"the adjugate of a {shape_text(a)} array")
    if n == 1:
        return np.ones((1, 1), dtype=a.dtype)
    out = np.empty_like(a)
    for i in range(n):
        for j in range(n):
            minor = np.delete(np.delete(a, i, axis=0), j, axis=1)
            out[j, i] = (-1) ** (i + j) * np.linalg.det(minor)
    return out


def _log(a):
    """The logarithm of positive numbers (and of complex ones near them, for a complex step). A
    negative number has no real logarithm: a page takes \\log\\det A where det A > 0, \\log\\abs{\\det A}
    elsewhere, and the declarations say so (spd, positive)."""
    a = np.asarray(a)
    if np.any((np.real(a) <= 0) & (np.abs(np.imag(a)) <= 1e-6 * np.abs(np.real(a)))):
        raise EvalError(f"the logarithm of a number that is not positive ({show(array(a))}): declare what keeps it "
                        "positive (spd, positive), or take the logarithm of its absolute value")
    return np.log(a)


BUILTINS: dict[str, Function] = {
    "\\sin": Function("sin", _entrywise(np.sin), elementwise=True),
    "\\cos": Function("cos", _entrywise(np.cos), elementwise=True),
    "\\tan": Function("tan", _entrywise(np.tan), elementwise=True),
    "\\sinh": Function("sinh", _entrywise(np.sinh), elementwise=True),
    "\\cosh": Function("cosh", _entrywise(np.cosh), elementwise=True),
    "\\tanh": Function("tanh", _entrywise(np.tanh), elementwise=True),
    "\\arctan": Function("arctan", _entrywise(np.arctan), elementwise=True),
    "\\exp": Function("exp", _matrix_or_entrywise(scipy.linalg.expm, np.exp), elementwise=True),
    "\\log": Function("log", _entrywise(lambda a: _log(a)), elementwise=True),
    "\\ln": Function("ln", _entrywise(lambda a: _log(a)), elementwise=True),
    "\\tr": Function("tr", _trace),
    "\\det": Function("det", _det),
    "\\vec": Function("vec", vec),
    "\\diag": Function("diag", _diag, arity=None),
    "\\sym": Function("sym", _sym),
    "\\adj": Function("adj", _adj),
    "\\softmax": Function("softmax", softmax),
    "\\sign": Function("sign", _entrywise(real_sign), elementwise=True),
    "\\max": Function("max", analytic_max, arity=None),
    "\\min": Function("min", analytic_min, arity=None),
    "\\operatorname{Im}": Function("Im", _entrywise(np.imag)),
    "\\operatorname{Re}": Function("Re", _entrywise(np.real)),
    "\\operatorname{flat}": Function("flat", flat),
    "\\operatorname{relu}": Function("relu", _entrywise(lambda a: a * (np.real(a) > 0)), elementwise=True),
    "\\operatorname{size}": Function("size", lambda a: array(float(array(a).size))),
}
BUILTINS["\\mathrm{flat}"] = BUILTINS["\\operatorname{flat}"]
BUILTINS["\\operatorname{adj}"] = BUILTINS["\\adj"]


def _real_only(name, value):
    value = array(value)
    if np.any(np.imag(value)):
        raise NonAnalytic(name)
    return value.real


def _symmetric(name, value):
    """The symmetric part of a matrix: a function of a symmetric matrix (its eigenvalues, eigenvectors)
    read as a function of all its entries, so that its gradient is the symmetric one of the catalogue's
    convention (not the one-triangle gradient of a routine that reads the lower triangle)."""
    value = _real_only(name, value)
    return (value + value.T) / 2


def _cholesky(a):
    """The lower-triangular L with positive diagonal and L L^T = A, by the Cholesky-Banachiewicz loop:
    only products, sums, divisions and square roots, so a complex step goes through it."""
    a = array(a)
    n = a.shape[0]
    low = np.zeros_like(a)
    for j in range(n):
        low[j, j] = np.sqrt(a[j, j] - np.sum(low[j, :j] * low[j, :j]))
        for i in range(j + 1, n):
            low[i, j] = (a[i, j] - np.sum(low[i, :j] * low[j, :j])) / low[j, j]
    return low


def _lower_half(a):
    a = array(a)
    return np.tril(a) - np.diag(np.diag(a)) / 2


def _eigenvectors(s):
    """Unit eigenvectors of a symmetric S, eigenvalues ascending, each column's entries summing to a
    positive number (a sign that moves smoothly with S)."""
    s = _symmetric("eigvecs", s)
    q = np.linalg.eigh(s)[1]
    return _follow_signs(s, q * np.sign(q.sum(axis=0))).astype(complex)


def _inverse_gaps(s):
    values = np.linalg.eigvalsh(_symmetric("invgaps", s))
    gaps = values[None, :] - values[:, None]
    with np.errstate(divide="ignore"):
        out = np.where(np.eye(len(values)) > 0, 0.0, 1.0 / np.where(gaps == 0, 1.0, gaps))
    return out.astype(complex)


def _eigenvalues(s):
    """The eigenvalues of a symmetric S, ascending (the order of eigvecs' columns), as a column."""
    return np.linalg.eigvalsh(_symmetric("eigvals", s)).reshape(-1, 1).astype(complex)


def _largest_eigenvalue(s):
    return array(np.linalg.eigvalsh(_symmetric("lambda_max", s))[-1])


def _top_eigenvector(s):
    s = _symmetric("topeigvec", s)
    q = np.linalg.eigh(s)[1][:, -1:]
    return _follow_signs(s, q * np.sign(q.sum())).astype(complex)


# The catalogue's primitives, for the declarations that say what its words mean.
BUILTINS["\\operatorname{chol}"] = Function("chol", _cholesky)
BUILTINS["\\operatorname{lowerhalf}"] = Function("lowerhalf", _lower_half)
BUILTINS["\\operatorname{eigvecs}"] = Function("eigvecs", _eigenvectors)
BUILTINS["\\operatorname{eigvals}"] = Function("eigvals", _eigenvalues)
BUILTINS["\\operatorname{invgaps}"] = Function("invgaps", _inverse_gaps)
BUILTINS["\\lambda_{\\max}"] = Function("lambda_max", _largest_eigenvalue)
BUILTINS["\\operatorname{topeigvec}"] = Function("topeigvec", _top_eigenvector)
BUILTINS["\\operatorname{step}"] = Function("step", _entrywise(lambda a: (np.real(a) > 0).astype(complex)),
                                              elementwise=True)


def _area(region):
    if not isinstance(region, Polygon):
        raise EvalError("area of something that is not a region of the plane")
    return np.array([[abs(region.signed_area().real)]], dtype=complex)


def _signed_area(region):
    if not isinstance(region, Polygon):
        raise EvalError("signed area of something that is not a region of the plane")
    return np.array([[region.signed_area()]])


BUILTINS["\\operatorname{area}"] = Function("area", _area)
BUILTINS["\\operatorname{area}_{\\pm}"] = Function("signed area", _signed_area)


@dataclass
class Family:
    """Members named by an index: f_k (generic functions, one per k), x_k (defined by a rule in k)."""

    name: str
    member: Callable  # index -> a binding (Generic, Variable, or a value)
    rule: Node | None = None  # q_k := Q e_k: what a member is computed from (the names it reads)
CONSTANTS = {"e": math.e, "\\pi": math.pi, "\\infty": math.inf}
BIG = {"\\sum", "\\prod", "\\int", "\\iint", "\\iiint", "\\lim", "\\operatorname{argmin}", "\\mathbb{E}"}
OPERATORS = {"\\operatorname{argmin}"}


# ---------------------------------------------------------------- structure of a product


@dataclass(frozen=True)
class Apply(Node):
    """An operator applied to its operand(s), found by reading a product (see `units`)."""

    op: Node
    args: tuple | None  # None: the operator written alone (f, \nabla f with no argument)
    posts: tuple = ()  # postfixes that act on the result: the square of \tanh^2(a), the ^T of \det(A)^T
    lifted: tuple = ()  # postfixes of an argument's bracket: f(x)^\T is (f(x))^T
    bracket: str = "("

    def children(self):
        return (self.op, *(self.args or ()))


def _postfix_chain(node: Node) -> tuple[Node, tuple]:
    """A node without its Sup and Prime wrappers, and those wrappers innermost first."""
    posts = []
    while isinstance(node, (Sup, Prime)):
        posts.append(node)
        node = node.base
    return node, tuple(reversed(posts))


def operator_kind(node: Node, ctx: Ctx) -> str | None:
    """'big', 'function' or 'derivative' if the node, followed by an operand, acts on it; else None."""
    core, posts = _postfix_chain(node)
    if any(isinstance(p, Prime) for p in posts):
        base_kind = operator_kind(core, ctx)
        if base_kind == "function":
            return "function"
    if isinstance(core, Sub) and name_of(core) and name_of(core) in ctx.scope.bindings:
        if not isinstance(ctx.scope.bindings[name_of(core)], (Function, Generic, Defined)) or \
                (isinstance(ctx.scope.bindings[name_of(core)], Defined) and not ctx.scope.bindings[name_of(core)].params):
            return None  # J_f declared as a matrix of its own is a value, not the Jacobian operator
    match core:
        case Sym(name) if name in BIG:
            return "big"
        case Sub(Sym(name), _) if name in BIG or name in ("\\max", "\\min"):
            return "big"
        case Sym("\\dd") | Sym("\\nabla") | Sym("\\partial"):
            return "derivative"
        case Sub(Sym("\\nabla"), _):
            return "derivative"
        case Frac(Sym("\\dd") | Sym("\\partial"), _):
            return "derivative"
        case Sym(name) if name in BUILTINS and not is_bound(name, ctx):
            return "function"
        case Sub(Sym(_), _) if tex(core) in BUILTINS:
            return "function"
        case Sub(Sym("J"), items) if is_jacobian(items, ctx):
            return "function"
        case Sym("J") if not is_bound("J", ctx):
            return "function"
        case Paren(items, "(") if len(items) == 1 and is_function_node(items[0], ctx):
            return "function"
    if isinstance(core, Sub) and isinstance(ctx.scope.bindings.get((name_of(core.base) or "") + "_*"), Family):
        try:
            member = _family_member(core, ctx)
        except EvalError:
            member = None
        if isinstance(member, Generic):
            return "function"
    name = name_of(core)
    if name is not None:
        value = _static_binding(name, ctx)
        if isinstance(value, (Function, Generic)) or (isinstance(value, Defined) and value.params):
            return "function"
        if isinstance(core, Sub) and value is None:
            base = name_of(core.base)
            base_value = _static_binding(base, ctx) if base else None
            if isinstance(base_value, Generic) or (isinstance(base_value, Defined) and base_value.params):
                return "function"  # f_i: a component of a vector function
    return None


def _has_point(op: Node, ctx: Ctx) -> bool:
    """A page's function whose parameters all have values: written bare, it means its value there."""
    name = name_of(op)
    binding = _static_binding(name, ctx) if name else None
    if isinstance(binding, Defined) and binding.params:
        return all(is_bound(p, ctx) for p in binding.params)
    if isinstance(binding, Generic) and binding.of:
        return all(is_bound(p, ctx) for p in binding.of)
    return False


def is_jacobian(items: tuple, ctx: Ctx) -> bool:
    """J_f, J_{X^2}, J_{f \\circ g} are Jacobians; J_{ij} and J_{2,3} are entries of a matrix J."""
    if not is_bound("J", ctx):
        return True
    for item in items:
        letters = item.factors if isinstance(item, Product) else (item,)
        for letter in letters:
            if isinstance(letter, Num) or (isinstance(letter, Sym) and letter.name in ctx.locals):
                continue
            return True
    return False


def _is_minus_one(item: Node) -> bool:
    return isinstance(item, Signed) and item.op == "-" and item.arg == Num("1")


def inverse_function(f: Function, ctx: Ctx) -> Function:
    """f^{-1}: solves f(x) = y by Newton's method, from the point where the page's f is taken."""

    def call(y):
        y = array(y)
        start = [value_of_name(p, ctx) for p in f.params if is_bound(p, ctx)]
        x = array(start[0]).copy() if start else np.zeros_like(y)
        for _ in range(60):
            residual = array(f(x)) - y
            if np.linalg.norm(residual) <= 1e-15 * max(1.0, np.linalg.norm(y)):
                break
            jac = _function_jacobian(f, [x], ctx)
            x = x - np.linalg.solve(jac, residual.reshape(-1, order="F")).reshape(x.shape, order="F")
        else:
            raise EvalError(f"{f.name}^{{-1}}: Newton's method did not converge")
        return x

    return Function(f.name + "^{-1}", call, arity=1)


def _family_member(node: Node, ctx: Ctx):
    """f_k or x_3 of a declared family (`f_*: n -> n`, `family: x`), if the node is one."""
    if not (isinstance(node, Sub) and name_of(node.base)):
        return None
    family = ctx.scope.bindings.get(name_of(node.base) + "_*")
    if not isinstance(family, Family):
        return None
    index = _indices(node.items, ctx)
    if len(index) != 1:
        raise EvalError(f"{tex(node)}: a member of a family has one index")
    exact = ctx.scope.bindings.get(f"{name_of(node.base)}_{{{index[0]}}}")
    return exact if exact is not None else family.member(index[0], ctx)


def _static_binding(name: str, ctx: Ctx):
    if name in ctx.locals:
        return ctx.locals[name]
    if name in ctx.overrides:
        return ctx.overrides[name]
    return ctx.scope.bindings.get(name)


def is_function_node(node: Node, ctx: Ctx) -> bool:
    if operator_kind(node, ctx) == "function":
        return True
    if isinstance(node, Binary) and node.op == "\\circ":
        return is_function_node(node.left, ctx) and is_function_node(node.right, ctx)
    return False


def _argument_bracket(node: Node) -> tuple[Paren | None, tuple]:
    """(x) or (x)^\\T as an argument list, and the postfixes the result takes."""
    core, posts = _postfix_chain(node)
    if isinstance(core, Paren) and core.bracket == "(":
        return core, posts
    return None, ()


def units(factors: tuple, ctx: Ctx) -> list[Node]:
    """Read a juxtaposition: which factors are operators and what each takes as its operand.

    Read once per product and scope (the reading depends on what the names
    are, not on their values), so that the same operator node comes back on
    every evaluation and values cached by node are found again.
    """
    memo = ctx.scope.memo("units")
    names = [k for k in ctx.locals if not k.startswith("__")]
    key = (id(factors), tuple(sorted(names)) if len(names) > 1 else tuple(names))
    if key not in memo:
        out, i = [], 0
        while i < len(factors):
            unit, i = _take_unit(factors, i, ctx)
            out.append(unit)
        memo[key] = (out, factors)  # the factors are kept so that their id stays unique
    return memo[key][0]


def _take_unit(factors: tuple, i: int, ctx: Ctx) -> tuple[Node, int]:
    node = factors[i]
    if i + 1 < len(factors) and isinstance(factors[i + 1], Paren):
        named = Product((node, factors[i + 1]))
        if tex(named) in ctx.scope.bindings:  # \operatorname{cost}(f) declared as written
            return named, i + 2
    if node == Sym("\\Delta") and i + 1 < len(factors) and tex(Product((node, factors[i + 1]))) in ctx.scope.bindings:
        return Product((node, factors[i + 1])), i + 2  # \Delta r: a step the page names, declared as written
    if node == Sym("J") and i + 1 < len(factors) and isinstance(factors[i + 1], Paren) and \
            isinstance(factors[i + 1].items[0], Relation) and factors[i + 1].items[0].rels == ("\\mapsto",):
        return Apply(node, factors[i + 1].items, (), (), "mapsto"), i + 2  # J(X \mapsto X^2), even if J names a matrix
    kind = operator_kind(node, ctx)
    if kind is None:
        if isinstance(node, Frac) and _leading(node.num) in ("\\partial", "\\dd") and i + 1 < len(factors):
            point, _ = _argument_bracket(factors[i + 1])
            if point is not None and all(name_of(a) and is_bound(name_of(a), ctx) for a in point.items):
                return node, i + 2  # \frac{\partial f_i}{\partial x_j}(x): at the point x, where it is taken anyway
        return node, i + 1
    if kind == "big":
        if _leading_big(node) == "\\mathbb{E}" and i + 1 < len(factors) and isinstance(factors[i + 1], Paren) \
                and factors[i + 1].bracket == "[":
            return Apply(node, (factors[i + 1],)), i + 2  # \mathbb{E}[...] takes its bracket, no more
        if _leading_big(node) == "\\mathbb{E}" and i + 1 < len(factors) and isinstance(factors[i + 1], Sup) \
                and isinstance(factors[i + 1].base, Paren) and factors[i + 1].base.bracket == "[":
            return Sup(Apply(node, (factors[i + 1].base,)), factors[i + 1].items), i + 2  # \mathbb{E}[x]^2
        return Apply(node, (Product(tuple(factors[i + 1:])),)), len(factors)
    op, posts = _postfix_chain(node)
    primes = tuple(p for p in posts if isinstance(p, Prime))
    powers = tuple(p for p in posts if not isinstance(p, Prime))
    if len(powers) == 1 and len(powers[0].items) == 1 and _is_minus_one(powers[0].items[0]) and \
            not (isinstance(op, Sym) and op.name in BUILTINS and BUILTINS[op.name].elementwise):
        op, powers = Sup(op, powers[0].items), ()  # f^{-1}(y): the inverse function, not 1 / f(y)
    if primes:
        op = Prime(op, sum(p.count for p in primes))
    j = i + 1
    bracket, lifted = _argument_bracket(factors[j]) if j < len(factors) else (None, ())
    jacobian_symbol = isinstance(op, Sub) and op.base == Sym("J") and is_jacobian(op.items, ctx)
    if j >= len(factors) or (bracket is None and kind == "function" and (_has_point(op, ctx) or jacobian_symbol)):
        # A function of the page's variables written bare (F for F(A)) is its value there.
        return Apply(op, None, powers), j
    if bracket is not None and kind == "function":
        unit = Apply(op, bracket.items, powers, lifted)
        j += 1
        while j < len(factors) and isinstance(factors[j], Paren) and factors[j].bracket == "[" and \
                not isinstance(factors[j].items[0], Relation):
            unit = Apply(unit, factors[j].items, (), (), "[")
            j += 1
        return unit, j
    if bracket is not None and kind == "derivative":
        operand = Paren(bracket.items, "(")
        return Apply(op, (operand,), powers, lifted), j + 1
    if isinstance(factors[j], Num) and isinstance(op, Sym) and op.name in BUILTINS and \
            BUILTINS[op.name].elementwise and j + 1 < len(factors) and name_of(factors[j + 1]) and \
            operator_kind(factors[j + 1], ctx) is None:
        # \cos 2y is cos(2y): a number and a name after a function without brackets are its argument
        return Apply(op, (Product((factors[j], factors[j + 1])),), powers), j + 2
    operand, k = _take_unit(factors, j, ctx)
    if kind == "derivative" and isinstance(operand, Apply) and operand.lifted:
        return Apply(op, (replace(operand, lifted=()),), powers, operand.lifted), k
    if kind == "derivative" and isinstance(operand, Apply) and operand.args is None and operand.posts:
        # \nabla f^\T: the transpose is of the gradient, not of the function's value
        return Apply(op, (replace(operand, posts=()),), powers, operand.posts), k
    return Apply(op, (operand,), powers), k


# ---------------------------------------------------------------- evaluation


def evaluate(node: Node, ctx: Ctx):
    if type(node) is Sym:  # a third of the nodes evaluated: a name, or a symbol such as \pi or I
        name = name_of(node)
        return name_value(node, name, ctx) if name is not None else symbol_value(node.name, ctx)
    return _evaluate(node, ctx)


def _evaluate(node: Node, ctx: Ctx):
    if isinstance(node, (Sub, Accent, Prime)):
        name = name_of(node)
        if name is not None and is_bound(name, ctx):  # w_k, x_{11}, \bar z declared as names of their own
            return name_value(node, name, ctx)
    match node:
        case Num(text):
            return array(float(text))
        case Product(factors) if tex(node) in ctx.scope.bindings:
            # \operatorname{cost}(f, \nabla f): a quantity the page names in words, declared as written
            return value_of_name(tex(node), ctx)
        case Product(factors):
            result = None
            for unit in units(factors, ctx):
                value = evaluate(unit, ctx)
                if result is None:
                    result = value
                    continue
                product = multiply(result, value)
                # |a| |b| bounds the terms of each entry of a product (noted if they cancelled), by parts:
                # under a complex step Re a Im b + Im a Re b bounds the imaginary parts' terms
                (ra, ia), (rb, ib) = _parts(result), _parts(value)
                ctx.summed(complex(ra * rb, ra * ib + ia * rb), result=product)
                result = product
            return result
        case Apply():
            kind = operator_kind(node.op, ctx)
            if kind == "derivative" or isinstance(node.op, Prime):
                # A derivative inside a formula is taken once for each value of what it reads: f''(x) in a
                # function of h is not taken again for every h (nor inside that function's own derivative).
                return ctx.cached(node, lambda: apply(node, ctx, kind), node_dependencies(node, ctx.scope))
            return apply(node, ctx, kind)
        case Binary(op, left, right):
            return binary(op, left, right, ctx)
        case Signed(op, arg):
            value = evaluate(arg, ctx)
            return negate(value) if op == "-" else value
        case Paren(items, "[") if len(items) == 2 and not any(isinstance(i, Relation) for i in items):
            low, high = (scalar(evaluate(i, ctx)).real for i in items)  # [a, b]: an interval
            if not low < high:
                raise EvalError(f"the interval [{low:.3g}, {high:.3g}] is empty")
            return Interval(low, high)
        case Paren(items, bracket):
            if len(items) == 1:
                item = items[0]
                if bracket == "[" and isinstance(item, Relation):
                    return iverson(item, ctx)
                return evaluate(item, ctx)
            values = [array(evaluate(item, ctx)) for item in items]
            if all(is_scalar(v) for v in values):
                return np.array([[v[0, 0]] for v in values])  # (a, b, c): a column
            raise EvalError(f"a list of arrays, {tex(node)}, is not a value")
        case Sup(Sub(Paren((body,), "["), (lower,)), (upper,)):
            return _boundary_term(body, lower, upper, ctx)
        case Sup(EvalAt(body, lower), (upper,)):
            return _boundary_term(body, lower, upper, ctx)
        case Sup(base, items):
            return superscript(base, items, ctx)
        case Sub():
            return subscript(node, ctx)
        case Prime():
            f = function_value(node, ctx)
            if f.params and all(is_bound(p, ctx) for p in f.params):  # f'' written bare: f''(x) at the point
                return ctx.cached(node, lambda: f(*[value_of_name(p, ctx) for p in f.params]),
                                  node_dependencies(node, ctx.scope))
            return f
        case Frac(num, den):
            if isinstance(num, (Sym, Product)) and _leading(num) in ("\\dd", "\\partial"):
                return partial(num, den, ctx)
            return divide(evaluate(num, ctx), evaluate(den, ctx))
        case Sqrt(arg, index):
            value = array(evaluate(arg, ctx))
            if index is None:
                if is_scalar(value) or 1 in value.shape:
                    return np.sqrt(value)
                raise EvalError("the square root of a matrix")
            return value ** (1 / scalar(evaluate(index, ctx)))
        case Call("\\norm", (arg,)):
            return analytic_norm(evaluate(arg, ctx))
        case Call("\\abs", (arg,)):
            return analytic_abs(array(evaluate(arg, ctx)))
        case Call("\\inner", (a, b)):
            left, right = array(evaluate(a, ctx)), array(evaluate(b, ctx))
            if left.shape != right.shape:
                raise EvalError(f"inner product of a {shape_text(left)} and a {shape_text(right)} array")
            value = np.array([[np.sum(left * right)]])
            ctx.summed(np.abs(left) * np.abs(right), result=value)
            return value
        case Call("\\underbrace", (arg,)):
            return evaluate(arg, ctx)
        case Matrix(rows):
            return matrix_literal(rows, ctx)
        case EvalAt(body, at):
            if not (isinstance(at, Relation) and at.rels == ("=",)):
                raise EvalError(f"cannot evaluate at {tex(at)}")
            name = name_of(at.exprs[0])
            return evaluate(body, ctx.but(locals_={name: array(evaluate(at.exprs[1], ctx))}))
        case Relation():
            raise EvalError(f"a relation, {tex(node)}, used as a value")
        case Text(text):
            raise EvalError(f"text, {text!r}, used as a value")
        case Ellipsis_():
            raise EvalError("an ellipsis (\\dots) has no value")
    name = name_of(node)
    if name is not None:
        return name_value(node, name, ctx)
    if isinstance(node, Sym):
        return symbol_value(node.name, ctx)
    if isinstance(node, Accent):
        raise EvalError(f"{tex(node)} is not defined here")
    raise EvalError(f"cannot evaluate {tex(node)}")


def _leading(node: Node) -> str | None:
    if isinstance(node, Sym):
        return node.name
    if isinstance(node, Product) and isinstance(node.factors[0], Sym):
        return node.factors[0].name
    return None


def name_value(node: Node, name: str, ctx: Ctx):
    value = lookup(name, ctx)
    if isinstance(value, Function) and value.params and all(is_bound(p, ctx) for p in value.params):
        # f(x) = x^T x defines f; written bare as a value, f means f(x) at the point.
        return value(*[value_of_name(p, ctx) for p in value.params])
    if value is not None:
        return value
    if isinstance(node, Accent) and node.accent == "bar" and ctx.scope.adjoint_of:
        return adjoint(name_of(node.arg), ctx)
    if isinstance(node, Sym):
        return symbol_value(node.name, ctx)
    if isinstance(node, Sub):
        return subscript(node, ctx)
    if isinstance(node, Prime):
        return function_value(node, ctx)
    raise EvalError(f"{name} is not defined here")


def symbol_value(name: str, ctx: Ctx):
    if name in CONSTANTS:
        return array(CONSTANTS[name])
    if name == "i" and ctx.scope.imaginary:
        return array(1j)
    if name == "I":
        return Identity() if ctx.scope.identity_size is None else Identity()
    if name == "\\mathbf{1}":
        return Ones()
    if name in BUILTINS:
        return BUILTINS[name]
    if name in ctx.scope.sizes:
        return array(ctx.scope.sizes[name])
    if name.startswith("\\") and name not in GREEK:
        raise EvalError(f"{name} is an unknown macro: not one of the course's (hooks/katex_macros.yml) "
                        "that the checker reads, nor a name declared here")
    raise EvalError(f"{name} is not defined here (declare it, or define it in an earlier formula)")


def _template(first: Node, last: Node):
    """k -> the entry with index k, from the first entry (index 1) and the last (index n); (None, None) if
    the two differ by more than one index."""
    import dataclasses

    index = []

    def diff(a, b):
        if a == b:
            return lambda k: a
        if isinstance(a, Num) and a.text == "1" and isinstance(b, Node):
            index.append(b)
            return lambda k: Num(str(k))
        if type(a) is not type(b) or not dataclasses.is_dataclass(a):
            raise ValueError
        parts = {}
        for field in dataclasses.fields(a):
            x, y = getattr(a, field.name), getattr(b, field.name)
            if isinstance(x, Node):
                parts[field.name] = diff(x, y)
            elif isinstance(x, tuple) and isinstance(y, tuple) and len(x) == len(y) and \
                    all(isinstance(p, Node) for p in x):
                pieces = [diff(p, q) for p, q in zip(x, y)]
                parts[field.name] = (lambda pieces: lambda k: tuple(piece(k) for piece in pieces))(pieces)
            elif x == y:
                parts[field.name] = (lambda x: lambda k: x)(x)
            else:
                raise ValueError
        return lambda k: dataclasses.replace(a, **{name: make(k) for name, make in parts.items()})

    try:
        make = diff(first, last)
    except ValueError:
        return None, None
    if not index or any(i != index[0] for i in index):
        return None, None
    return make, index[0]


def _expand_pattern(rows, ctx: Ctx):
    """Rows written with \\cdots, \\vdots and \\ddots, such as (J e_1 \\cdots J e_n), written out."""
    def is_dots(entry, kind):
        return isinstance(entry, Ellipsis_) and entry.name in kind

    rows = [list(row) for row in rows]
    if len(rows) == 3 and all(is_dots(e, ("\\vdots", "\\ddots", "\\cdots", "\\dots")) for e in rows[1]):
        first, last = rows[0], rows[2]
        columns = []
        for top, bottom in zip(first, last):
            if is_dots(top, ("\\cdots", "\\dots", "\\ldots")):
                columns.append(None)
                continue
            make, count = _template(top, bottom)
            if make is None:
                raise EvalError("a column written with \\vdots whose first and last entries differ by more than an index")
            columns.append((make, count))
        count_node = next(c[1] for c in columns if c is not None)
        size = int(scalar(evaluate(count_node, ctx)).real)
        rows = [[c[0](i) if c is not None else Ellipsis_("\\cdots") for c in columns] for i in range(1, size + 1)]
    out = []
    for row in rows:
        if len(row) == 3 and is_dots(row[1], ("\\cdots", "\\dots", "\\ldots")):
            make, count = _template(row[0], row[2])
            if make is None:
                raise EvalError("a row written with \\cdots whose first and last entries differ by more than an index")
            size = int(scalar(evaluate(count, ctx)).real)
            row = [make(j) for j in range(1, size + 1)]
        out.append(row)
    return out


def matrix_literal(rows, ctx: Ctx):
    if any(isinstance(entry, Ellipsis_) for row in rows for entry in row):
        rows = _expand_pattern(rows, ctx)
    blocks = [[array(as_matrix(evaluate(entry, ctx))) for entry in row] for row in rows]
    if len({len(row) for row in blocks}) != 1:
        raise EvalError("a matrix with rows of different lengths")
    try:
        return np.block(blocks)
    except ValueError as err:
        raise EvalError(f"a block matrix whose blocks do not fit: {err}") from None


# ---------------------------------------------------------------- binary operators, scripts


def binary(op: str, left: Node, right: Node, ctx: Ctx):
    if op == "/" and _leading(left) in ("\\partial", "\\dd") and _leading(right) == _leading(left):
        return partial(left, right, ctx)  # \partial f / \partial x, written on one line
    if op == "\\circ" and is_function_node(left, ctx) and is_function_node(right, ctx):
        f, g = function_value(left, ctx), function_value(right, ctx)
        return Function(f"{f.name} o {g.name}", lambda *args: f(g(*args)), arity=g.arity, params=g.params)
    a, b = evaluate(left, ctx), evaluate(right, ctx)
    match op:
        case "+":
            value = add(a, b)
            ctx.summed(a, b, result=value)
            return value
        case "-":
            value = add(a, b, -1)
            ctx.summed(a, b, result=value)
            return value
        case "\\kron" | "\\otimes":
            return kron(a, b, ctx.scope.identity_size)
        case "\\circ" | "\\odot":
            return hadamard(a, b)
        case "\\cdot" | "\\times":
            return multiply(a, b)
        case "/":
            return divide(a, b)
    raise EvalError(f"unknown operator {op}")


def _is_transpose(item: Node) -> bool:
    return isinstance(item, Sym) and item.name == "\\T"


def apply_postfix(value, post: Node, ctx: Ctx):
    """The result of a Sup or Prime wrapper applied to a value already computed."""
    if isinstance(post, Prime):
        raise EvalError("a prime on a value")
    items = post.items
    if len(items) != 1:
        raise EvalError(f"a superscript of {len(items)} items")
    item = items[0]
    if _is_transpose(item):
        return transpose(value)
    if isinstance(item, Signed) and item.op == "-" and _is_transpose(item.arg):
        return transpose(inverse(value))
    if isinstance(item, Sym) and item.name == "*":
        raise EvalError("^* is not used in the course")
    exponent = array(evaluate(item, ctx))
    if isinstance(value, Function):
        raise EvalError("a power of a function")
    if is_scalar(exponent) and exponent[0, 0] == -1 and not is_scalar(array(value) if not isinstance(value, Identity) else array(0)):
        return inverse(value)
    return power(value, exponent)


def superscript(base: Node, items: tuple, ctx: Ctx):
    if isinstance(base, Sym) and base.name == "\\R":
        raise EvalError("\\R^n is a set, not a value (use it after \\in)")
    if isinstance(base, Sym) and base.name == "e" and not is_bound("e", ctx) and len(items) == 1:
        return exp_of(evaluate(items[0], ctx))
    if isinstance(base, Paren) and len(base.items) > 1 and len(items) == 1 and _is_transpose(items[0]):
        return evaluate(base, ctx)  # (a, b, c)^T: a list written in a row, made a column
    value = evaluate(base, ctx)
    return apply_postfix(value, Sup(base, items), ctx)


def exp_of(value):
    value = array(value)
    if is_scalar(value) or 1 in value.shape:
        return np.exp(value)
    raise EvalError("e to the power of a matrix: write \\exp")


def subscript(node: Sub, ctx: Ctx):
    base, items = node.base, node.items
    # J_f, J_{X^2}: Jacobians (J unbound); \nabla_X handled as an operator.
    if isinstance(base, Sym) and base.name == "J" and is_jacobian(items, ctx):
        return jacobian_operator(items, None, ctx)
    if isinstance(base, Sym) and base.name == "I" and not is_bound("I", ctx):
        return Identity().sized(int(scalar(evaluate(items[0], ctx)).real))
    if isinstance(base, Sym) and base.name == "e" and not is_bound("e", ctx):
        return Unit(_indices(items, ctx)[0])
    if isinstance(base, Call) and base.name == "\\underbrace":  # \underbrace{J_g(x)}_{k \times n}: says its shape
        value = array(as_matrix(evaluate(base.args[0], ctx)))
        (item,) = items
        if isinstance(item, Binary) and item.op == "\\times":
            expected = (int(scalar(evaluate(item.left, ctx)).real), int(scalar(evaluate(item.right, ctx)).real))
            if value.shape != expected:
                raise EvalError(f"{tex(base.args[0])} is {shape_text(value)}, but the brace below it says "
                                f"{expected[0]} x {expected[1]}")
        return value
    if isinstance(base, Call) and base.name == "\\inner" and len(items) == 1:  # <u, w>_M = u^T M w
        u, w = (array(as_matrix(evaluate(a, ctx))) for a in base.args)
        weight = array(as_matrix(evaluate(items[0], ctx)))
        return multiply(multiply(transpose(u), weight), w)
    if isinstance(base, Call) and base.name == "\\norm" and len(items) == 1 and items[0] == Num("2"):
        value = array(evaluate(base.args[0], ctx))
        if min(value.shape) > 1:  # \norm{A}_2 of a matrix: the spectral norm, the largest singular value
            return spectral_norm(value)
        return analytic_norm(value)  # \norm{x}_2 of a vector: the course's norm
    if isinstance(base, Call) and base.name == "\\norm" and len(items) == 1 and items[0] == Sym("F"):
        return evaluate(base, ctx)  # \norm{X}_F: the norm the course uses anyway
    if isinstance(base, Accent) and base.accent == "bar" and ctx.scope.adjoint_of and name_of(base.arg):
        return adjoint(tex(Sub(base.arg, items)), ctx)  # \bar W_2: the adjoint of W_2
    member = _family_member(node, ctx)
    if member is not None:
        if isinstance(member, Generic):
            return member.function
        if isinstance(member, Variable):
            return member.value
        if isinstance(member, Defined):
            return evaluate(member.node, ctx)
        return member
    family = name_of(base) and ctx.scope.bindings.get(name_of(base) + "_*")
    if isinstance(family, Variable):  # \lambda_i of a declared family (the eigenvalues of X), beside a scalar \lambda
        index = _indices(items, ctx)
        values = array(as_matrix(family.value if isinstance(family, Variable) else family)).reshape(-1)
        if len(index) != 1 or not 1 <= index[0] <= values.size:
            raise EvalError(f"{tex(node)}: index out of the range 1..{values.size}")
        return array(values[index[0] - 1])
    base_value = evaluate(base, ctx)
    if isinstance(base_value, Function):
        index = _indices(items, ctx)
        if len(index) != 1:
            raise EvalError(f"a component of {base_value.name} needs one index")
        f = base_value
        return Function(f"{f.name}_{index[0]}", lambda *args: _component(f(*args), index[0]), arity=f.arity,
                        params=f.params)
    array_value = array(as_matrix(base_value))
    index = _indices(items, ctx)
    try:
        if len(index) == 1:
            if 1 not in array_value.shape:
                raise EvalError(f"one index into a {shape_text(array_value)} array, {tex(node)}")
            return array(array_value.reshape(-1)[index[0] - 1])
        if len(index) == 2:
            return array(array_value[index[0] - 1, index[1] - 1])
    except IndexError:
        raise EvalError(f"{tex(node)}: index out of range for a {shape_text(array_value)} array") from None
    raise EvalError(f"{len(index)} indices in {tex(node)}")


def _component(value, index: int):
    value = array(value)
    return array(value.reshape(-1, order="F")[index - 1])


def _indices(items: tuple, ctx: Ctx) -> list[int]:
    """The 1-based integer indices of a subscript: A_{ij}, x_{k-1}, A_{2,3}."""
    nodes: list[Node] = []
    for item in items:
        if isinstance(item, Product) and all(isinstance(f, (Sym, Num)) for f in item.factors) and \
                len(items) == 1 and all(_is_index(f, ctx) for f in item.factors):
            nodes.extend(item.factors)
        else:
            nodes.append(item)
    out = []
    for item in nodes:
        value = scalar(evaluate(item, ctx))
        if value.imag != 0 or not float(value.real).is_integer():
            raise EvalError(f"the index {tex(item)} is not a whole number")
        out.append(int(value.real))
    return out


def _is_index(node: Node, ctx: Ctx) -> bool:
    if isinstance(node, Num):
        return True
    value = ctx.locals.get(node.name) if isinstance(node, Sym) else None
    return value is not None


# ---------------------------------------------------------------- operators


def function_value(node: Node, ctx: Ctx) -> Function:
    """The function a node names: \\sin, f, f', (f \\circ g), f_i, J_f ..."""
    if isinstance(node, Prime):
        f = function_value(node.base, ctx)
        return derivative_function(f, node.count, ctx)
    if isinstance(node, Paren) and len(node.items) == 1:
        return function_value(node.items[0], ctx)
    if isinstance(node, Binary) and node.op == "\\circ":
        value = binary(node.op, node.left, node.right, ctx)
        if isinstance(value, Function):
            return value
    if isinstance(node, Sym) and node.name in BUILTINS and not is_bound(node.name, ctx):
        return BUILTINS[node.name]
    if isinstance(node, Sub) and tex(node) in BUILTINS:
        return BUILTINS[tex(node)]
    if isinstance(node, Sup) and len(node.items) == 1 and _is_minus_one(node.items[0]):
        return inverse_function(function_value(node.base, ctx), ctx)
    family = _family_member(node, ctx)
    if isinstance(family, Generic):
        return family.function
    name = name_of(node)
    if name is not None:
        binding = _static_binding(name, ctx)
        if isinstance(binding, Generic):
            return binding.function
        value = lookup(name, ctx)
        if isinstance(value, Function):
            return value
        if value is None and isinstance(node, Sub) and is_function_node(node.base, ctx):
            f = function_value(node.base, ctx)  # f_i: the i-th component of the function f
            index = _indices(node.items, ctx)
            if len(index) != 1:
                raise EvalError(f"a component of {f.name} needs one index")
            return Function(f"{f.name}_{index[0]}", lambda *args: _component(f(*args), index[0]), arity=f.arity,
                            params=f.params)
    raise EvalError(f"{tex(node)} is not a function here")


def derivative_function(f: Function, order: int, ctx: Ctx) -> Function:
    """f', f'', f''': for a scalar function, numbers; f'(x) of a vector function, a linear map."""

    def call(*args):
        args = [array(a) for a in args]
        if len(args) == 1 and is_scalar(args[0]):
            x = args[0]
            return derivative(lambda t: f(x + t), ctx, order, at_real=real(x), scale=max(1.0, abs(x[0, 0])))
        if order == 2 and len(args) == 1:
            return bilinear_map(f, args[0], ctx)
        if order != 1:
            raise EvalError(f"{f.name} with {order} primes of a vector argument: write f''(x)[u, v]")
        return linear_map(f, args, ctx)

    return Function(f.name + "'" * order, call, arity=f.arity, params=f.params)


def linear_map(f: Function, args: list, ctx: Ctx) -> LinearMap:
    """f'(x) as a linear map of a direction (one argument, or all arguments stacked)."""
    if len(args) != 1:
        raise EvalError(f"the derivative of {f.name} of several arguments as one map")
    x = args[0]
    out = array(as_matrix(f(x)))

    def apply_to(v):
        v = array(v)
        if v.shape != x.shape:
            raise EvalError(f"{f.name}'(x) applied to a {shape_text(v)} direction at a {shape_text(x)} point")
        return derivative(lambda t: f(x + t * v), ctx, at_real=real(x, v))

    return LinearMap(f.name + "'", apply_to, x.shape, out.shape)


def bilinear_map(f: Function, x, ctx: Ctx) -> Function:
    """f''(x)[u, v] = d/ds d/dt f(x + s u + t v) at s = t = 0: the second derivative, a bilinear form."""
    x = array(x)

    def call(u, v):
        u, v = array(u), array(v)
        if u.shape != x.shape or v.shape != x.shape:
            raise EvalError(f"{f.name}''(x)[u, v] needs two directions of the point's shape, {shape_text(x)}")
        return derivative(lambda s: derivative(lambda t: f(x + s * u + t * v), ctx), ctx, at_real=real(x, u, v))

    return Function(f.name + "''", call, arity=2)


def hessian(operand: Node, name: str, ctx: Ctx) -> np.ndarray:
    """\\nabla^2 f: the Jacobian of the gradient, n x n for a variable of n entries (vec'd, column by column)."""
    point = base_point(name, ctx)
    local = name in ctx.locals
    columns = []
    for k in range(point.size):
        e = np.zeros(point.size, dtype=complex)
        e[k] = 1
        e = e.reshape(point.shape, order="F")

        def at(t, e=e):
            moved = {name: point + t * e}
            inner = ctx.but(locals_=moved if local else None, overrides=None if local else moved, perturbed=True)
            return gradient(operand, name, inner)

        columns.append(array(derivative(at, ctx, at_real=real(point))).reshape(-1, order="F"))
    return np.stack(columns, axis=1)


def _hessian_power(op: Node, posts: tuple) -> bool:
    """\\nabla^2 (a Hessian), not the square of a gradient."""
    return bool(posts) and (op == Sym("\\nabla") or isinstance(op, Sub) and op.base == Sym("\\nabla")) and \
        isinstance(posts[0], Sup) and len(posts[0].items) == 1 and tex(posts[0].items[0]) == "2"


def apply(node: Apply, ctx: Ctx, kind: str | None):
    """The value of an operator applied; `kind` is operator_kind(node.op, ctx), which the caller has."""
    op = node.op
    if isinstance(op, Apply):  # f'(x)[v]: a linear map applied to a direction
        target = evaluate(op, ctx)
        args = [array(evaluate(a, ctx)) for a in node.args]
        value = apply_linear(target, args)
    elif kind == "big" or (isinstance(op, Sub) and isinstance(op.base, Sym) and op.base.name in BIG):
        value = big_operator(op, node.args[0], ctx)
    elif kind == "derivative" and _hessian_power(op, node.posts):
        if node.args is None or len(node.args) != 1:
            raise EvalError("\\nabla^2 with nothing to act on")
        names = [n for item in op.items for n in _wrt_names(item, ctx)] if isinstance(op, Sub) else \
            list(_gradient_variable(node.args[0], ctx))
        if len(names) != 1:
            raise EvalError("a Hessian with respect to several variables: write \\nabla^2_x")
        value = hessian(node.args[0], names[0], ctx)
        node = Apply(node.op, node.args, node.posts[1:], node.lifted, node.bracket)
    elif kind == "derivative":
        value = derivative_operator(op, node.args, ctx)
    elif node.bracket == "mapsto":
        value = jacobian_operator(None, node.args, ctx)
    else:
        value = apply_function(op, node.args, ctx, node.bracket)
    for post in node.posts:
        value = _function_power(value, post, ctx)
    for post in node.lifted:
        value = apply_postfix(value, post, ctx)
    return value


def _function_power(value, post: Node, ctx: Ctx):
    """\\tanh^2(a) is tanh(a)^2, entrywise; \\det(A)^n is det(A)^n."""
    if isinstance(post, Sup) and len(post.items) == 1 and not _is_transpose(post.items[0]):
        exponent = array(evaluate(post.items[0], ctx))
        value = array(as_matrix(value))
        if not is_scalar(value):
            return value ** scalar(exponent)
    return apply_postfix(value, post, ctx)


def apply_linear(target, args: list):
    if isinstance(target, LinearMap):
        if len(args) != 1:
            raise EvalError(f"{target.name} applied to {len(args)} directions")
        return target.apply(args[0])
    if isinstance(target, Function):
        return target(*args)
    return multiply(target, args[0])


def apply_function(op: Node, args: tuple | None, ctx: Ctx, bracket: str = "("):
    if isinstance(op, (Sym, Sub)) and _jacobian_symbol(op, ctx):
        return jacobian_operator(op.items if isinstance(op, Sub) else None, args, ctx)
    f = function_value(op, ctx)
    if args is None:
        if f.params and all(is_bound(p, ctx) for p in f.params):
            return f(*[value_of_name(p, ctx) for p in f.params])
        return f
    values = [evaluate(a, ctx) for a in args]
    if len(values) == 1 and isinstance(values[0], Interval):
        return image_interval(f, values[0])
    if len(values) == 1 and isinstance(values[0], Dual) and not f.params:
        return dual_apply(f, values[0], ctx)
    if f.name == "vec" and len(values) == 1 and isinstance(values[0], LinearMap):
        values = [values[0].matrix()]
    summing = f.name in ("tr", "softmax", "sym", "max", "min")
    try:
        value = f(*values)
        if summing:
            ctx.summed(*[v for v in values if isinstance(v, np.ndarray)], result=value)
        return value
    except EvalError:
        # \sigma(a) = 1 / (1 + e^{-a}) defined on numbers, applied to a vector: entry by entry, as the
        # functions of a network are
        if len(values) == 1 and isinstance(values[0], np.ndarray) and values[0].size > 1 and f.params:
            out = np.array([array(f(array(entry)))[0, 0] for entry in values[0].reshape(-1)])
            return out.reshape(values[0].shape)
        raise


def dual_apply(f: Function, x: Dual, ctx: Ctx) -> Dual:
    """f(a + b epsilon) for a function given only on numbers: f(a) + f'(a) b epsilon, with f'(a) by the
    complex step (how a dual number extends a function; the page's formula for it is then checked)."""
    a, b = x.parts()
    if isinstance(a, Dual):
        raise EvalError(f"{f.name} of a dual number of dual numbers")
    a = array(a)
    slope = derivative(lambda t: f(a + t), ctx, at_real=real(a))
    return Dual(scalar(f(a)), multiply(array(slope), b) if not isinstance(b, Dual) else multiply(slope, b))


def image_interval(f: Function, interval: Interval) -> Interval:
    """f(U) for an interval U and a monotone f (checked on a grid): the interval between the end values."""
    grid = np.linspace(interval.a, interval.b, 65)
    values = np.array([scalar(f(array(t))).real for t in grid])
    steps = np.diff(values)
    if not (np.all(steps > 0) or np.all(steps < 0)):
        raise EvalError(f"{f.name} is not monotone on [{interval.a:.3g}, {interval.b:.3g}]: its image is not "
                        "the interval between its end values")
    return Interval(float(min(values[0], values[-1])), float(max(values[0], values[-1])))


def _jacobian_symbol(op: Node, ctx: Ctx) -> bool:
    base = op.base if isinstance(op, Sub) else op
    if not (isinstance(base, Sym) and base.name == "J"):
        return False
    return is_jacobian(op.items, ctx) if isinstance(op, Sub) else not is_bound("J", ctx)


# ---------------------------------------------------------------- derivative operators


def varying(ctx: Ctx) -> tuple:
    names = ctx.locals.get("__vary__") or ctx.scope.vary
    if not names:
        raise EvalError("a differential of an expression, but no variable varies: name one with "
                        "`vary` in the page's math comment, or write its differential (\\dd X) in the formula")
    return names


def base_point(name: str, ctx: Ctx):
    value = lookup(name, ctx)
    if value is None:
        raise EvalError(f"{name} is not defined here")
    return array(as_matrix(value))


def direction_of(name: str, ctx: Ctx):
    binding = ctx.scope.bindings.get(name)
    if isinstance(binding, Variable):
        return binding.direction
    if name in ctx.locals and "__directions__" in ctx.locals and name in ctx.locals["__directions__"]:
        return ctx.locals["__directions__"][name]
    raise EvalError(f"{name} has no direction: only a declared variable has a differential")


def differential(operand: Node, ctx: Ctx, names: tuple | None = None):
    """\\dd of an expression: its derivative along the directions of the varying variables."""
    names = names or varying(ctx)
    points = {n: base_point(n, ctx) for n in names}
    directions = {n: direction_of(n, ctx) for n in names}

    def at(t):
        moved = {n: points[n] + t * directions[n] for n in names}
        inner = ctx.but(overrides=moved, perturbed=True)
        value = evaluate(operand, inner)
        if isinstance(value, Function) and value.params and all(is_bound(p, inner) for p in value.params):
            value = value(*[value_of_name(p, inner) for p in value.params])  # \dd (f \circ g): of its value
        return value

    return derivative(at, ctx, at_real=real(*points.values(), *directions.values()))


def directional(operand: Node, name: str, direction, ctx: Ctx):
    """The derivative of an expression when one name (a variable or a defined value) moves along `direction`."""
    point = base_point(name, ctx)
    direction = array(direction)
    local = name in ctx.locals

    def at(t):
        moved = {name: point + t * direction}
        return evaluate(operand, ctx.but(locals_=moved if local else None, overrides=None if local else moved,
                                         perturbed=True))

    return derivative(at, ctx, at_real=real(point, direction))


def jacobian(operand: Node, names: tuple, ctx: Ctx) -> np.ndarray:
    """The Jacobian of vec(operand) with respect to the names, each vec'd, stacked in order."""
    columns = []
    for name in names:
        point = base_point(name, ctx)
        for k in range(point.size):
            e = np.zeros(point.size, dtype=complex)
            e[k] = 1
            column = directional(operand, name, e.reshape(point.shape, order="F"), ctx)
            columns.append(array(column).reshape(-1, order="F"))
    return np.stack(columns, axis=1)


def gradient(operand: Node, name: str, ctx: Ctx) -> np.ndarray:
    value = array(as_matrix(evaluate(operand, ctx)))
    if not is_scalar(value):
        raise EvalError(f"the gradient of a {shape_text(value)} array (a gradient is of a scalar)")
    point = base_point(name, ctx)
    return jacobian(operand, (name,), ctx).reshape(point.shape, order="F")


def adjoint(name: str, ctx: Ctx):
    """\\bar u: the gradient of the page's output (declared `adjoint E`) with respect to u."""
    output = ctx.scope.adjoint_of
    if name == output:
        return array(1.0)
    return gradient(Sym(output) if "\\" not in output and "_" not in output else _name_node(output), name, ctx)


def _name_node(name: str) -> Node:
    from .reader import parse
    return parse(name)


def _wrt_names(node: Node, ctx: Ctx) -> tuple:
    """The names a \\partial x, a \\nabla_X or a J_{...} subscript differentiates with respect to."""
    if isinstance(node, Paren):
        return tuple(n for item in node.items for n in _wrt_names(item, ctx))
    if isinstance(node, Product) and len(node.factors) == 2 and _leading(node) == "\\vec":
        return _wrt_names(node.factors[1], ctx)
    if isinstance(node, Apply) and isinstance(node.op, Sym) and node.op.name == "\\vec":
        return _wrt_names(node.args[0], ctx)
    name = name_of(node)
    if name is None:
        raise EvalError(f"cannot differentiate with respect to {tex(node)}")
    if not is_bound(name, ctx):
        # x_j: the j-th entry of a vector x
        if isinstance(node, Sub) and name_of(node.base) and is_bound(name_of(node.base), ctx):
            return (("__entry__", name_of(node.base), node.items),)
        raise EvalError(f"{name} is not defined here")
    return (name,)


def partial(num: Node, den: Node, ctx: Ctx):
    """\\frac{\\partial y}{\\partial x} (or with \\dd): the Jacobian of y with respect to x."""
    numerator = num.factors[1:] if isinstance(num, Product) else ()
    if not numerator:
        raise EvalError("\\frac{\\partial}{\\partial x} needs an operand after it")
    operand = Product(tuple(numerator)) if len(numerator) > 1 else numerator[0]
    wrt = den.factors[1:] if isinstance(den, Product) else ()
    if not wrt:
        raise EvalError(f"cannot read the denominator {tex(den)}")
    names = _wrt_names(wrt[0] if len(wrt) == 1 else Product(tuple(wrt)), ctx)
    if len(names) == 1 and isinstance(names[0], tuple):
        _, base, items = names[0]
        point = base_point(base, ctx)
        index = _indices(items, ctx)
        e = np.zeros(point.size, dtype=complex)
        if len(index) == 2 and min(point.shape) > 1:  # \partial / \partial A_{ij}: the entry (i, j)
            e[(index[0] - 1) + (index[1] - 1) * point.shape[0]] = 1
        else:
            e[index[0] - 1] = 1
        return directional(operand, base, e.reshape(point.shape, order="F"), ctx)
    if len(names) == 1 and isinstance(names[0], str):
        held = _partial_in_argument(operand, names[0], ctx)
        if held is not None:
            return held
        point = base_point(names[0], ctx)
        if point.size == 1:  # \partial A / \partial t of a matrix A and a number t: a matrix of A's shape
            return directional(operand, names[0], np.ones_like(point), ctx)
        if min(point.shape) > 1 and is_scalar(array(as_matrix(evaluate(operand, ctx)))):
            # \partial f / \partial X of a scalar f and a matrix X: \partial f / \partial X_{ij} in position (i, j)
            return gradient(operand, names[0], ctx)
    return jacobian(operand, names, ctx)


def _partial_in_argument(operand: Node, name: str, ctx: Ctx):
    """\\partial r / \\partial p of a function r(x, p) the page defines: its derivative in the argument p,
    the others held where they are (even when x is itself a function of p, as a solution x(p) is)."""
    if isinstance(operand, Apply) and operand.args and not operand.posts and \
            all(name_of(a) for a in operand.args):  # \partial g(x, p) / \partial p
        fname, arguments = name_of(operand.op), [name_of(a) for a in operand.args]
    else:
        fname, arguments = name_of(operand), None
    binding = _static_binding(fname, ctx) if fname else None
    if not isinstance(binding, Defined) or not binding.params:
        return None
    arguments = arguments or list(binding.params)
    if name not in arguments or len(arguments) != len(binding.params):
        return None
    f = defined_function(binding, ctx)
    values = [array(as_matrix(value_of_name(a, ctx))) for a in arguments]
    position = arguments.index(name)
    x = values[position]

    def along(e):
        def at(t):
            moved = list(values)
            moved[position] = x + t * e
            return f(*moved)
        return array(as_matrix(derivative(at, ctx, at_real=real(*values))))

    if x.size == 1:  # a number: the derivative has the shape of r
        return along(np.ones_like(x))
    columns = []
    for k in range(x.size):
        e = np.zeros(x.size, dtype=complex)
        e[k] = 1
        columns.append(along(e.reshape(x.shape, order="F")).reshape(-1, order="F"))
    return np.stack(columns, axis=1)


def derivative_operator(op: Node, args: tuple | None, ctx: Ctx):
    if args is None:
        raise EvalError(f"{tex(op)} with nothing to act on")
    (operand,) = args
    if isinstance(op, Sym) and op.name == "\\dd":
        name = name_of(operand)
        if name is not None:
            binding = ctx.scope.bindings.get(name)
            entry = isinstance(operand, Sub) and name_of(operand.base) and (
                is_bound(name_of(operand.base), ctx) or name_of(operand.base) + "_*" in ctx.scope.bindings)
            if binding is None and not is_bound(name, ctx) and not isinstance(operand, Accent) and not entry:
                raise EvalError(f"{name} is not defined here, so \\dd {name} has no meaning")
            if isinstance(binding, Variable) and name not in ctx.overrides and name not in ctx.locals:
                return binding.direction if name in varying(ctx) else np.zeros_like(binding.value)
        return differential(operand, ctx)
    if isinstance(op, Frac):  # \frac{\dd}{\dd t} operand
        den = op.den
        wrt = den.factors[1:] if isinstance(den, Product) else ()
        if len(wrt) != 1 or name_of(wrt[0]) is None:
            raise EvalError(f"cannot read {tex(op)}")
        name = name_of(wrt[0])
        return directional(operand, name, np.ones_like(base_point(name, ctx)), ctx)
    if isinstance(op, Sym) and op.name == "\\nabla" or isinstance(op, Sub) and op.base == Sym("\\nabla"):
        if isinstance(op, Sub):
            names = [n for item in op.items for n in _wrt_names(item, ctx)]
            point = list(_gradient_variable(operand, ctx, strict=False))
            if len(names) == 1 and point and names[0] not in point:
                # \nabla_M f(x): the gradient for the inner product <u, w>_M = u^T M w, defined by
                # f'(x)[v] = <g, v>_M for every v, so M^T g is the ordinary gradient.
                weight = array(as_matrix(value_of_name(names[0], ctx)))
                ordinary = gradient(operand, point[0], ctx)
                return np.linalg.solve(weight.T, ordinary)
        else:
            at_point = _function_at_point(operand, ctx)
            if at_point is not None:  # \nabla g(A^{-1}): the gradient of g, taken at the point A^{-1}
                f, point = at_point
                return _function_jacobian(f, [point], ctx).reshape(point.shape, order="F")
            names = list(_gradient_variable(operand, ctx))
        if len(names) != 1:
            raise EvalError("a gradient with respect to several variables: write \\nabla_X")
        return gradient(operand, names[0], ctx)
    raise EvalError(f"cannot read the derivative {tex(op)}")


def _function_at_point(operand: Node, ctx: Ctx):
    """(f, point) for \\nabla g(y) where g is a function of the page (declared or defined, not a builtin
    such as \\tr) of one argument y that is not a name: the gradient of g at y, as \\nabla g(x) is at x."""
    if not (isinstance(operand, Apply) and operand.args and len(operand.args) == 1 and not operand.posts):
        return None
    if name_of(operand.args[0]) is not None:
        return None
    op = operand.op
    binding = _static_binding(name_of(op), ctx) if name_of(op) else None
    if not isinstance(binding, (Generic, Defined)) or isinstance(binding, Defined) and not binding.params:
        return None
    f = function_value(op, ctx)
    point = array(as_matrix(evaluate(operand.args[0], ctx)))
    value = array(as_matrix(f(point)))
    if not is_scalar(value):
        return None
    return f, point


def _gradient_variable(operand: Node, ctx: Ctx, strict: bool = True) -> tuple:
    """\\nabla f(x) is with respect to x; \\nabla f with respect to f's parameter; else the varying variable."""
    if isinstance(operand, Apply) and operand.args:
        names = [name_of(a) for a in operand.args]
        if all(n is not None and is_bound(n, ctx) for n in names):
            return tuple(names)
    if isinstance(operand, Apply) and operand.args is None:
        f = function_value(operand.op, ctx)
        if f.params:
            return f.params
    name = name_of(operand)
    if name is not None:
        binding = _static_binding(name, ctx)
        if isinstance(binding, Defined) and binding.params:
            return binding.params
        if isinstance(binding, Generic) and binding.of:
            return binding.of
    if not strict:
        return ()
    return varying(ctx)


def jacobian_operator(items: tuple | None, args: tuple | None, ctx: Ctx):
    """J_f(x), J_{X^2}, J(X \\mapsto X^3), J_{f \\circ g}(x)."""
    if items is None:  # J(X \mapsto expr)
        if args and len(args) == 1 and isinstance(args[0], Relation) and args[0].rels == ("\\mapsto",):
            variable, image = args[0].exprs
            if isinstance(variable, Paren) and all(name_of(v) for v in variable.items):
                return jacobian(image, tuple(name_of(v) for v in variable.items), ctx)  # (r, \theta) \mapsto ...
            return jacobian(image, (name_of(variable),), ctx)
        raise EvalError("J needs a function: J_f(x), J_{X^2} or J(X \\mapsto ...)")
    (item,) = items
    if is_function_node(item, ctx):
        f = function_value(item, ctx)
        if args is None:
            if not f.params:
                raise EvalError(f"J_{{{tex(item)}}} needs the point: J_{{{tex(item)}}}(x)")
            point_names = f.params
            values = [value_of_name(p, ctx) for p in point_names]
        else:
            values = [array(evaluate(a, ctx)) for a in args]
        return _function_jacobian(f, values, ctx)
    # J_{X^2}, J_p(x): the Jacobian of an expression with respect to its variable
    names = tuple(name_of(a) for a in args) if args else ()
    if args and all(n is not None and is_bound(n, ctx) for n in names):
        return jacobian(item, names, ctx)
    matrix = jacobian(item, varying(ctx), ctx)
    if args:  # J_{X^2} (w \kron v): the Jacobian times a vector
        if len(args) != 1:
            raise EvalError(f"J_{{{tex(item)}}} followed by a list of {len(args)}")
        return multiply(matrix, evaluate(args[0], ctx))
    return matrix


def _function_jacobian(f: Function, values: list, ctx: Ctx) -> np.ndarray:
    values = [array(v) for v in values]
    columns = []
    for position, x in enumerate(values):
        for k in range(x.size):
            e = np.zeros(x.size, dtype=complex)
            e[k] = 1
            v = e.reshape(x.shape, order="F")

            def at(t, position=position, v=v):
                moved = list(values)
                moved[position] = values[position] + t * v
                return f(*moved)

            columns.append(array(derivative(at, ctx, at_real=real(*values))).reshape(-1, order="F"))
    return np.stack(columns, axis=1)


def _boundary_term(body: Node, lower: Node, upper: Node, ctx: Ctx):
    """[g(x)]_a^b = g(b) - g(a), the boundary term of an integration by parts (also \\left. g \\right|_a^b).

    The variable is the one written in a limit (`_{x = a}^{x = b}`), or else the only
    declared scalar written in the bracket."""
    names = [name_of(side.exprs[0]) for side in (lower, upper) if isinstance(side, Relation) and side.rels == ("=",)]
    lower, upper = (side.exprs[1] if isinstance(side, Relation) and side.rels == ("=",) else side
                    for side in (lower, upper))
    if not names:
        names = sorted({name_of(sub) for sub in body.walk() if name_of(sub) and isinstance(
            ctx.scope.bindings.get(name_of(sub)), Variable) and ctx.scope.bindings[name_of(sub)].value.size == 1})
    if len(set(names)) != 1:
        raise EvalError(f"[{tex(body)}]_a^b: which variable runs from a to b? Write it in the limits, "
                        "[g(x)]_{x = a}^{x = b}")
    name = names[0]
    at_upper = evaluate(body, ctx.but(locals_={name: array(evaluate(upper, ctx))}))
    at_lower = evaluate(body, ctx.but(locals_={name: array(evaluate(lower, ctx))}))
    value = add(at_upper, at_lower, -1)
    ctx.summed(at_upper, at_lower, result=value)
    return value


# ---------------------------------------------------------------- sums, products, integrals


def big_operator(op: Node, body: Node, ctx: Ctx):
    base = op.base if isinstance(op, (Sub, Sup)) else op
    while isinstance(base, (Sub, Sup)):
        base = base.base
    name = base.name
    lower, upper = _limits(op)
    if name in ("\\sum", "\\prod"):
        return _sum_or_product(name, lower, upper, body, ctx)
    if name in ("\\int", "\\iint", "\\iiint"):
        return _integral(op, body, ctx)
    if name in ("\\max", "\\min"):
        return _extremum_on_sphere(name, lower, body, ctx)
    if name == "\\lim":
        return _limit(lower, body, ctx)
    if name == "\\operatorname{argmin}":
        return _argmin(lower, body, ctx)
    if name == "\\mathbb{E}":
        return _expectation(lower, body, ctx)
    raise EvalError(f"{name} is not evaluated")


def _expectation(lower, body: Node, ctx: Ctx):
    """\\mathbb{E}_{x \\sim \\mathcal{N}(m, v)}[f(x)]: the mean of f(x) for a normal x of mean m and variance v.

    By Gauss-Hermite quadrature with 80 nodes (exact for polynomials up to degree 159,
    and to rounding for smooth functions of moderate growth): the mean and variance may
    carry a complex step, so derivatives in them are taken as for any other formula. A
    body that jumps ([x > 0]) converges slowly under any fixed rule: such a page states
    the closed form instead.
    """
    usage = "\\mathbb{E}_{x \\sim \\mathcal{N}(\\mu, \\sigma^2)}[f(x)]"
    if not (lower and len(lower) == 1 and isinstance(lower[0], Relation) and lower[0].rels == ("\\sim",)):
        raise EvalError(f"an expectation needs its variable and distribution: {usage}")
    variable, law = lower[0].exprs
    name = name_of(variable)
    factors = law.factors if isinstance(law, Product) else (law,)
    if not (name and len(factors) == 2 and factors[0] == Sym("\\mathcal{N}") and isinstance(factors[1], Paren)
            and len(factors[1].items) == 2):
        raise EvalError(f"the only distribution read is the normal one, \\mathcal{{N}}(mean, variance): {usage}")
    mean, variance = (scalar(evaluate(item, ctx)) for item in factors[1].items)
    if isinstance(body, Paren) and body.bracket == "[" and len(body.items) == 1:
        body = body.items[0]
    fast = scalar_function(body, [name], ctx)
    total, size = 0, 0
    for t, w in zip(*HERMITE):
        point = mean + np.sqrt(2 * variance) * t
        value = _compiled(fast, {name: _real_if_real(point)}) if fast is not None else None
        if value is None:
            value = evaluate(body, ctx.but(locals_={name: array(point)}))
        term = w / np.sqrt(np.pi) * array(as_matrix(value))
        total, size = total + term, size + np.abs(term)
    ctx.summed(size, result=total)  # a mean of zero (the score's) is a sum that cancelled
    return total


def _argmin(lower, body: Node, ctx: Ctx):
    """\\operatorname{argmin}_{h} E(h): the positive number that minimises a smooth function of one variable.

    Brent's method finds the zero of the derivative (taken exactly, by a
    complex step or on a circle, in log h) on a logarithmic scale from 1e-30 to 1e3.
    """
    import scipy.optimize

    if not (lower and len(lower) == 1 and name_of(lower[0])):
        raise EvalError("\\operatorname{argmin} needs its variable: \\operatorname{argmin}_{h} E(h)")
    variable = name_of(lower[0])
    ctx = ctx.aside()

    def slope(u: float) -> float:
        """The derivative with respect to u = log h, which has the sign of the derivative in h."""
        value = derivative(lambda t: evaluate(body, ctx.but(locals_={variable: array(np.exp(u + t))})), ctx,
                           at_real=True)
        return float(np.real(value.reshape(-1)[0]))

    grid = np.log(10.0) * np.arange(-30, 4)  # one point a decade
    signs = [slope(u) for u in grid]
    for a, b, sa, sb in zip(grid, grid[1:], signs, signs[1:]):
        if sa < 0 <= sb:
            return array(np.exp(scipy.optimize.brentq(slope, a, b, xtol=1e-15, rtol=1e-15)))
    raise EvalError("no minimum between 1e-30 and 1e3")


def _limit(lower, body: Node, ctx: Ctx):
    """\\lim_{h \\to a} g(h) for g analytic near a except perhaps at a (a difference quotient).

    The mean of g over a small circle around a: by the mean value property it
    is the value g has at a once the removable singularity is filled in. A
    limit that does not exist (a pole) gives a number the other side of the
    claim will not match.
    """
    if not (lower and len(lower) == 1 and isinstance(lower[0], Relation) and lower[0].rels == ("\\to",)):
        raise EvalError("\\lim needs its variable and point: \\lim_{h \\to 0}")
    variable = name_of(lower[0].exprs[0])
    if variable is None:
        raise EvalError(f"\\lim over {tex(lower[0].exprs[0])}, which is not a name")
    point = scalar(evaluate(lower[0].exprs[1], ctx))
    ctx.record["methods"].add("Cauchy integral")
    total = None
    for j in range(CIRCLE_POINTS):
        w = np.exp(2j * np.pi * (j + 0.5) / CIRCLE_POINTS)  # no node on the real axis, where a quotient may be 0/0
        value = array(as_matrix(evaluate(body, ctx.but(locals_={variable: array(point + CIRCLE_RADIUS * w)}))))
        total = value if total is None else total + value
    return total / CIRCLE_POINTS


def _extremum_on_sphere(name: str, lower, body: Node, ctx: Ctx):
    """\\max_{\\norm{V}_F = c} of an expression in V, found numerically from several starts.

    Each step moves V to the point of the sphere along the gradient of the
    body at V (computed by complex steps), until V stays put: one step for a
    linear body, the power method for a quadratic one.
    """
    if not (lower and len(lower) == 1 and isinstance(lower[0], Relation) and lower[0].rels == ("=",)
            and isinstance(lower[0].exprs[0], (Call, Sub))):
        raise EvalError(f"{name} over a set other than a sphere (\\norm{{V}} = c) is not evaluated")
    norm = lower[0].exprs[0]
    norm = norm.base if isinstance(norm, Sub) else norm
    variable = name_of(norm.args[0]) if isinstance(norm, Call) and norm.name == "\\norm" else None
    if variable is None or not is_bound(variable, ctx):
        raise EvalError(f"{name} over a sphere of a name not declared here")
    radius = scalar(evaluate(lower[0].exprs[1], ctx)).real
    sign = 1.0 if name == "\\max" else -1.0
    ctx = ctx.aside()
    shape = array(as_matrix(lookup(variable, ctx))).shape
    rng = np.random.default_rng(0)
    best = None
    for _ in range(3):
        v = rng.standard_normal(shape)
        v *= radius / np.linalg.norm(v)
        for _ in range(100):  # v <- the unit vector along the gradient, until it stays (one step if linear)
            g = _search_direction(body, variable, v, ctx)
            new = sign * g * radius / (np.linalg.norm(g) + 1e-300)
            if np.linalg.norm(new - v) <= 1e-8 * radius:  # the direction is good to about 1e-10
                break
            v = new
        value = scalar(evaluate(body, ctx.but(overrides={variable: v.astype(complex)}))).real
        best = value if best is None else (max(best, value) if sign > 0 else min(best, value))
    return array(best)


def _search_direction(body: Node, variable: str, v: np.ndarray, ctx: Ctx) -> np.ndarray:
    """The gradient of the body at v by central differences: only a direction to move in.

    Its error (about 1e-10) moves the maximiser by as much and the maximum by
    its square; complex steps here would nest with those in the body, and the
    circle they then need costs a hundred times more.
    """
    h = 1e-5 * max(1.0, float(np.max(np.abs(v))))
    g = np.zeros(v.size)
    for k in range(v.size):
        e = np.zeros(v.size)
        e[k] = h
        e = e.reshape(v.shape, order="F")
        up = scalar(evaluate(body, ctx.but(overrides={variable: (v + e).astype(complex)}))).real
        down = scalar(evaluate(body, ctx.but(overrides={variable: (v - e).astype(complex)}))).real
        g[k] = (up - down) / (2 * h)
    return g.reshape(v.shape, order="F")


def _limits(op: Node) -> tuple:
    lower = upper = None
    node = op
    while isinstance(node, (Sub, Sup)):
        if isinstance(node, Sub):
            lower = node.items
        else:
            upper = node.items
        node = node.base
    return lower, upper


def _sum_or_product(name: str, lower, upper, body: Node, ctx: Ctx):
    combine = add if name == "\\sum" else multiply
    if lower is None:  # \sum x: the sum of the entries
        value = array(evaluate(body, ctx))
        return np.array([[np.sum(value) if name == "\\sum" else np.prod(value)]])
    # \sum_{i=1}^n, \sum_{i,j}, \sum_i, \sum_{j \ne i}
    indices: list[tuple[str, list[int]]] = []
    condition = None
    shared = len(lower) > 1 and isinstance(lower[-1], Relation) and lower[-1].rels == ("=",) and \
        all(name_of(item) for item in lower[:-1])  # \prod_{i,j=1}^{n}: i and j both run from 1 to n
    for item in lower:
        if isinstance(item, Relation) and item.rels == ("=",):
            index = name_of(item.exprs[0])
            start = int(scalar(evaluate(item.exprs[1], ctx)).real)
            if upper is None:
                raise EvalError(f"{name}_{{{tex(item)}}} without an upper limit")
            stop = int(scalar(evaluate(upper[0], ctx)).real)
            indices.append((index, list(range(start, stop + 1))))
            if shared:
                indices = [(i, list(range(start, stop + 1))) for i, _ in indices]
        elif shared:
            indices.append((name_of(item), []))
        elif isinstance(item, Relation):
            index = name_of(item.exprs[0])
            condition = item
            indices.append((index, _range_from(index, body, ctx)))
        elif isinstance(item, Product) and all(isinstance(f, Sym) for f in item.factors):
            for f in item.factors:
                indices.append((f.name, _range_from(f.name, body, ctx)))
        else:
            index = name_of(item)
            if index is None:
                raise EvalError(f"cannot read the index {tex(item)}")
            indices.append((index, _range_from(index, body, ctx)))
    total = None

    def run(position: int, local: dict):
        nonlocal total
        if position == len(indices):
            inner = ctx.but(locals_=local)
            if condition is not None and not holds(condition, inner):
                return
            value = evaluate(body, inner)
            if name == "\\sum":
                terms[0] = max(terms[0], magnitude(value))
            total = value if total is None else combine(total, value)
            return
        index, values = indices[position]
        for v in values:
            run(position + 1, {**local, index: array(v)})

    terms = [0.0]
    run(0, {})
    if name == "\\sum" and total is not None:
        ctx.summed(terms[0], result=total)
    if total is None:
        return array(0.0 if name == "\\sum" else 1.0)
    return total


def _range_from(index: str, body: Node, ctx: Ctx) -> list[int]:
    """1..n for an index written without bounds: n is the size of the array it indexes in the body."""
    for node in body.walk():
        family = isinstance(node, Sub) and name_of(node.base) and ctx.scope.bindings.get(name_of(node.base) + "_*")
        if isinstance(family, Variable) and any(isinstance(f, Sym) and f.name == index for item in node.items
                          for f in (item.factors if isinstance(item, Product) else (item,))):
            return list(range(1, family.value.size + 1))
        if isinstance(node, Sub) and name_of(node.base) and is_bound(name_of(node.base), ctx):
            positions = []
            for item in node.items:
                factors = item.factors if isinstance(item, Product) else (item,)
                positions.extend(factors)
            for axis, factor in enumerate(positions):
                if isinstance(factor, Sym) and factor.name == index:
                    value = lookup(name_of(node.base), ctx)
                    if isinstance(value, Function):
                        continue
                    shape = array(as_matrix(value)).shape
                    if len(positions) == 1:
                        return list(range(1, max(shape) + 1))
                    return list(range(1, shape[axis] + 1))
    raise EvalError(f"the range of the index {index} is not written and no array it indexes is known")


def _integral(op: Node, body: Node, ctx: Ctx):
    """\\int_a^b ... \\dd x, nested (the innermost integral goes with the first differential), over an
    interval (\\int_U, \\int_{f(U)}), or over a region of the plane (\\iint_{x^2 + y^2 \\le 1}).

    By SciPy's adaptive quadrature (QUADPACK), to about 1e-11: it copes with
    the square-root behaviour that a curved boundary gives the inner integral.
    """
    import scipy.integrate

    limits = [_limits(op)]
    double = _leading_big(op) == "\\iint"
    factors = list(body.factors) if isinstance(body, Product) else [body]
    while factors and operator_kind(factors[0], ctx) == "big" and _leading_big(factors[0]) == "\\int":
        limits.append(_limits(factors.pop(0)))
    variables = []
    while len(factors) >= 2 and isinstance(factors[-2], Sym) and factors[-2].name == "\\dd":
        variables.insert(0, name_of(factors[-1]))
        factors = factors[:-2]
    integrand = Product(tuple(factors)) if len(factors) != 1 else factors[0]
    fast = scalar_function(integrand, variables, ctx)

    def value_at(local: dict) -> complex:
        """The integrand where the variables have the values in `local` (numbers, as quadrature gives them):
        the compiled formula's value where it is the evaluator's (see _compiled), else the evaluator's."""
        if fast is not None and all(name in local for name in variables):
            value = _compiled(fast, {name: _real_if_real(local[name]) for name in variables})
            if value is not None:
                return value
        return scalar(evaluate(integrand, ctx.but(locals_=_as_arrays(local))))

    if len(variables) == 1 and not double:  # an integrand that is a matrix: Gauss-Legendre on its entries
        probe = {variables[0]: array(0.5)}
        lower, upper = limits[0]
        if lower is not None and upper is not None:
            sample = as_matrix(evaluate(integrand, ctx.but(locals_=probe)))
            if isinstance(sample, np.ndarray) and sample.shape != (1, 1):
                # complex limits (a derivative in a limit) follow the straight path from a to b
                a = _real_if_real(scalar(evaluate(lower[0], ctx)))
                b = _real_if_real(scalar(evaluate(upper[0], ctx)))
                total = 0
                for t, w in zip(*LEGENDRE):
                    point = array((a + b) / 2 + (b - a) / 2 * t)
                    total = total + w * (b - a) / 2 * array(as_matrix(
                        evaluate(integrand, ctx.but(locals_={variables[0]: point}))))
                return total

    def quad(function, a, b) -> complex:
        """The integral of a complex function: its imaginary part carries a complex step through the
        integral (d/dp of \\int ... is taken as for any other formula). A result much smaller than the
        integrand cancelled (the score has mean zero): it is compared with the integral of the absolute
        value, as a sum is with its terms."""
        largest = [0.0, 0.0]

        def part(index: int):
            def value(t: float) -> float:
                y = complex(function(t))
                largest[0], largest[1] = max(largest[0], abs(y.real)), max(largest[1], abs(y.imag))
                return y.imag if index else y.real
            return value

        options = dict(epsabs=1e-13, epsrel=1e-12, limit=200)
        re, _ = scipy.integrate.quad(part(0), a, b, **options)
        # the imaginary part of a complex step is tiny (1e-20 of the real one): its own absolute tolerance
        im = scipy.integrate.quad(part(1), a, b, **{**options, "epsabs": 1e-13 * largest[1]})[0] \
            if largest[1] > 0 else 0.0
        if abs(re) < 1e-6 * largest[0] or (largest[1] > 0 and abs(im) < 1e-6 * largest[1]):
            size = scipy.integrate.quad(lambda t: abs(complex(function(t))), a, b, epsrel=1e-4, limit=100)[0]
            ctx.summed(array(size), result=array(complex(re, im)))
        return complex(re, im)

    if double:
        if len(variables) != 2 or limits[0][0] is None or limits[0][1] is not None:
            raise EvalError("\\iint over a region needs the region below it and two differentials")
        return array(_region_integral(limits[0][0][0], variables, value_at, quad, ctx))
    if len(variables) != len(limits):
        raise EvalError("each integral needs its own \\dd x at the end of the integrand")
    pairs = list(zip(reversed(variables), limits))  # outermost variable with outermost limits

    def bounds(lower, upper, local: dict) -> tuple[float, float]:
        if upper is None and lower is not None:  # \int_U, \int_{f(U)}: over an interval
            region = evaluate(lower[0], ctx.but(locals_=_as_arrays(local)))
            if not isinstance(region, Interval):
                raise EvalError(f"an integral over {tex(lower[0])}, which is not an interval")
            return region.a, region.b
        if lower is None or upper is None:
            raise EvalError("an integral needs its limits, or the interval it is over")
        a = scalar(evaluate(lower[0], ctx.but(locals_=_as_arrays(local))))
        b = scalar(evaluate(upper[0], ctx.but(locals_=_as_arrays(local))))
        return a, b

    def integrate(level: int, local: dict) -> complex:
        name, (lower, upper) = pairs[level]
        a, b = bounds(lower, upper, local)
        if level + 1 == len(pairs) and fast is not None:  # the compiled integrand, given the numbers directly
            point = {variable: _real_if_real(value) for variable, value in local.items()}

            def inner(t):
                value = _compiled(fast, {**point, name: _real_if_real(t)})
                return value if value is not None else value_at({**local, name: t})
        elif level + 1 == len(pairs):
            inner = lambda t: value_at({**local, name: t})  # noqa: E731
        else:
            inner = lambda t: complex(integrate(level + 1, {**local, name: t}))  # noqa: E731
        if complex(a).imag or complex(b).imag:
            # A limit that carries a complex step (d/dt of \int_t^T): the integral of an analytic integrand
            # along the straight path from a to b, x = a + (b - a) s for s in [0, 1].
            return quad(lambda s: (b - a) * inner(a + (b - a) * s), 0.0, 1.0)
        return quad(inner, complex(a).real, complex(b).real)

    return array(integrate(0, {}))


# ---------------------------------------------------------------- scalar formulas as NumPy functions

def _log_or_nan(a):
    """The logarithm where the evaluator's \\log has one, and nan where it refuses (a number that is not
    positive, see _log), so that a compiled formula gives way to the evaluator there (see _compiled)."""
    a = np.asarray(a)
    refused = (np.real(a) <= 0) & (np.abs(np.imag(a)) <= 1e-6 * np.abs(np.real(a)))
    with np.errstate(all="ignore"):
        return np.where(refused, np.nan, np.log(a))


_SCALAR_FUNCTIONS = {"\\sin": np.sin, "\\cos": np.cos, "\\tan": np.tan, "\\sinh": np.sinh, "\\cosh": np.cosh,
                     "\\tanh": np.tanh, "\\exp": np.exp, "\\log": _log_or_nan, "\\ln": _log_or_nan,
                     "\\arctan": np.arctan}


class NotScalar(Exception):
    """A formula that the scalar compiler does not cover (the evaluator takes it instead)."""


def scalar_function(node: Node, variables: list, ctx: Ctx):
    """A scalar formula of the integration variables as a NumPy function of a dict of their values
    (numbers or arrays), or None.

    Quadrature evaluates an integrand thousands of times; evaluating the tree
    each time costs a hundred times more than one vectorised call. Names other
    than the variables take their values now (a name whose value depends on a
    variable is not covered); only numbers, + - * /, powers, square roots,
    e^..., the elementwise functions, generic functions of numbers and the page's
    scalar functions of them (p(x) := ..., written out in place) are covered.
    """
    def build(n: Node, bound: dict):
        """`bound`: what the variables, and the parameters of the page's functions being written out, are."""
        match n:
            case Num(text):
                value = float(text)
                return lambda env: value
            case Binary(op, left, right) if op in ("+", "-", "\\cdot", "\\times", "/"):
                a, b = build(left, bound), build(right, bound)
                return {"+": lambda env: a(env) + b(env), "-": lambda env: a(env) - b(env),
                        "/": lambda env: a(env) / b(env)}.get(op, lambda env: a(env) * b(env))
            case Signed(op, arg):
                a = build(arg, bound)
                return (lambda env: -a(env)) if op == "-" else a
            case Paren(items, _) if len(items) == 1:
                return build(items[0], bound)
            case Frac(num, den) if _leading(num) not in ("\\partial", "\\dd"):
                a, b = build(num, bound), build(den, bound)
                return lambda env: a(env) / b(env)
            case Sqrt(arg, None):
                a = build(arg, bound)
                return lambda env: np.sqrt(a(env))
            case Sup(Sym("e"), (item,)) if not is_bound("e", ctx):
                a = build(item, bound)
                return lambda env: np.exp(a(env))
            case Sup(base, (item,)) if not (isinstance(item, Sym) and item.name == "\\T"):
                a, k = build(base, bound), build(item, bound)
                return lambda env: a(env) ** k(env)
            case Product(factors):
                parts = [build(u, bound) for u in units(factors, ctx)]

                def product(env):
                    out = 1.0
                    for part in parts:
                        out = out * part(env)
                    return out

                return product
            case Apply(Sym(name), (arg,), posts, (), "(") if name in _SCALAR_FUNCTIONS and not is_bound(name, ctx):
                f, a = _SCALAR_FUNCTIONS[name], build(arg, bound)
                powers = [build(p.items[0], bound) for p in posts if isinstance(p, Sup) and len(p.items) == 1]
                if len(powers) != len(posts):
                    raise NotScalar
                if powers:
                    return lambda env: f(a(env)) ** powers[0](env)
                return lambda env: f(a(env))
            case Apply(op, args, (), (), "(") if args and isinstance(_static_binding(name_of(op) or "", ctx), Defined):
                # p(x) of p(x) := ...: its formula, with the arguments for its parameters (the names the
                # caller has stay visible in it, as in the evaluator)
                binding = _static_binding(name_of(op), ctx)
                if isinstance(binding, Root) or len(binding.params) != len(args):
                    raise NotScalar
                values = [build(a, bound) for a in args]
                return build(binding.node, {**bound, **dict(zip(binding.params, values))})
            case Apply(op, (arg,), (), (), "(") if isinstance(_static_binding(name_of(op) or "", ctx), Generic):
                return _generic_of_numbers(_static_binding(name_of(op), ctx).function, build(arg, bound))
        name = name_of(n)
        if name in bound:
            return bound[name]
        if name is not None or isinstance(n, Sym):
            if name is not None and dependencies(name, ctx.scope) & set(bound):
                raise NotScalar  # a value that moves with a variable, such as q := x^2 under \int ... \dd x
            value = evaluate(n, ctx)
            if not (isinstance(value, np.ndarray) and value.shape == (1, 1)):
                raise NotScalar
            constant = complex(value[0, 0])
            constant = constant.real if constant.imag == 0 else constant
            return lambda env: constant
        raise NotScalar

    try:
        return build(node, {name: (lambda env, name=name: env[name]) for name in variables})
    except (NotScalar, EvalError, RecursionError):
        return None


def _generic_of_numbers(f: Function, argument):
    """A generic function of numbers (`f: 1 -> 1`) in a scalar formula: called on 1 x 1 arrays, as the
    evaluator calls it, and entry by entry when the formula is given arrays of points."""
    try:
        if not is_scalar(array(f(array(0.5)))):
            raise NotScalar
    except EvalError:
        raise NotScalar from None

    def one(x):
        return complex(f(array(x))[0, 0])

    def call(env):
        x = argument(env)
        if isinstance(x, np.ndarray) and x.ndim:
            return np.vectorize(one, otypes=[complex])(x)
        return one(x)

    return call


def _compiled(fast, values: dict) -> complex | None:
    """A compiled formula's value at these numbers, or None where it is not the evaluator's, which then
    takes over: a real function of a number outside its domain (the square root of a negative number, a
    logarithm the evaluator refuses) is nan here, complex or an error there; a division by zero is an error
    here, infinite there."""
    try:
        value = complex(fast(values))
    except ArithmeticError:
        return None
    return value if cmath.isfinite(value) else None


def _as_arrays(local: dict) -> dict:
    """Numbers given to a formula's names, as the evaluator's values."""
    return {name: array(value) for name, value in local.items()}


def _real_if_real(value: complex):
    """A number as a float when it has no imaginary part (NumPy's real functions then stay real)."""
    return value.real if complex(value).imag == 0 else value


def _region_integral(region: Node, variables: list, value_at, quad, ctx: Ctx) -> float:
    """\\iint over {(x, y) : g(x, y) <= h(x, y)}: x over the region's shadow, y over each section.

    The region is found on a grid, then each section's ends by bisection on the
    inequality, so the inner integral is exact to the quadrature's accuracy.
    """
    if not (isinstance(region, Relation) and len(region.rels) == 1 and region.rels[0] in ("\\le", "<")):
        raise EvalError(f"a region written as {tex(region)}: write it as an inequality, g(x, y) \\le c")
    x, y = variables
    left, right = region.exprs
    fast_left, fast_right = scalar_function(left, variables, ctx), scalar_function(right, variables, ctx)

    def inside(a: float, b: float) -> bool:
        if fast_left is not None and fast_right is not None:
            return bool(np.real(fast_left({x: a, y: b})) <= np.real(fast_right({x: a, y: b})))
        local = {x: array(a), y: array(b)}
        return scalar(evaluate(left, ctx.but(locals_=local))).real <= \
            scalar(evaluate(right, ctx.but(locals_=local))).real

    def inside_all(a, b) -> np.ndarray:
        if fast_left is not None and fast_right is not None:
            return np.real(fast_left({x: a, y: b})) <= np.real(fast_right({x: a, y: b}))
        return np.vectorize(inside)(a, b)

    for size in (1.0, 10.0, 100.0):
        grid = np.linspace(-1.5 * size, 1.5 * size, 61)
        mask = inside_all(grid[:, None], grid[None, :])
        if mask.any() and not (mask[0].any() or mask[-1].any() or mask[:, 0].any() or mask[:, -1].any()):
            break
    else:
        raise EvalError(f"the region {tex(region)} is empty or unbounded")
    step = grid[1] - grid[0]
    rows = np.where(mask.any(axis=1))[0]
    x_low, x_high = grid[rows[0]] - step, grid[rows[-1]] + step

    def edge(a: float, inner: float, outer: float) -> float:
        if fast_left is not None and fast_right is not None:  # Brent's method on left - right along y
            import scipy.optimize

            def gap(b: float) -> float:
                return float(np.real(fast_left({x: a, y: b})) - np.real(fast_right({x: a, y: b})))

            if gap(outer) > 0 >= gap(inner):
                return scipy.optimize.brentq(gap, inner, outer, xtol=1e-14, rtol=1e-14)
        for _ in range(50):
            middle = (inner + outer) / 2
            inner, outer = (middle, outer) if inside(a, middle) else (inner, middle)
        return (inner + outer) / 2

    def section(a: float) -> float:
        ys = np.linspace(grid[0], grid[-1], 121)
        hits = ys[inside_all(a, ys)]
        if not len(hits):
            return 0.0
        low, high = edge(a, hits[0], grid[0]), edge(a, hits[-1], grid[-1])
        return quad(lambda t: value_at({x: a, y: t}), low, high)

    return quad(lambda a: complex(section(a)), x_low, x_high)


def _leading_big(node: Node) -> str | None:
    while isinstance(node, (Sub, Sup)):
        node = node.base
    return node.name if isinstance(node, Sym) else None


# ---------------------------------------------------------------- relations


def iverson(relation: Relation, ctx: Ctx):
    """[a > b]: 1 where the relation holds and 0 where it does not, entry by entry for arrays."""
    if len(relation.rels) != 1:
        return array(1.0 if holds(relation, ctx) else 0.0)
    a, b = (array(as_matrix(evaluate(e, ctx))) for e in relation.exprs)
    compare = {"<": np.less, ">": np.greater, "\\le": np.less_equal, "\\ge": np.greater_equal}.get(relation.rels[0])
    if compare is None:
        return array(1.0 if holds(relation, ctx) else 0.0)
    return compare(a.real, b.real).astype(complex)


def holds(relation: Relation, ctx: Ctx) -> bool:
    """A relation inside a formula (an Iverson bracket [a > b], a sum's condition j \\ne i)."""
    values = [evaluate(e, ctx) for e in relation.exprs]
    for rel, a, b in zip(relation.rels, values, values[1:]):
        a, b = scalar(a).real, scalar(b).real
        ok = {"<": a < b, ">": a > b, "\\le": a <= b, "\\ge": a >= b, "=": a == b, "\\ne": a != b}.get(rel)
        if ok is None:
            raise EvalError(f"cannot decide {rel} inside a formula")
        if not ok:
            return False
    return True
