"""What a page says its names mean: the `<!-- math ... -->` comments.

A comment holds one statement a line (or several, separated by `;`):

    A, B, dA: n×n            random matrices (non-symmetric, well conditioned)
    x, v: n                  random column vectors; `1×n` is a row
    t, r: scalar positive    random numbers; `integer 3` gives a whole number, `probability` one in (0, 1)
    S: n×n symmetric         also: spd, orthogonal, antisymmetric, diagonal, positive, unit, probability,
                             positive-spectrum (not symmetric, real positive eigenvalues),
                             separated (symmetric, eigenvalues at least 1 apart)
    n = 4                    a size (defaults: each size letter its own, all different)
    f: n -> m                a generic smooth function from R^n to R^m (`1` or `scalar`: numbers);
                             `1 -> 1 monotone`, `n -> 1 positive`; `f_*: n -> n` one for each index
    S: polygon; U: interval  a region of the plane (area, A S), of the line (\\int_U, f(U))
    \\varepsilon: dual        the unit of the dual numbers, \\varepsilon^2 = 0
    family: x                x_0, x_1, ... given by a rule x_k = ... written on the page
    q_k := Q e_k             a family given by its rule here
    F(A), G(A): n×n          generic smooth functions of the variable A, written bare (\\dd F)
    x: solves x^3 + p x = 1 near 0.7   the solution of an equation (Newton's method from the start, which
                             gives the shape): it moves with the names in it, as an implicit function
    p := \\softmax(W x)       a definition in the course's notation
    vary: X                  what \\dd of an expression and \\nabla without subscript move
    forget: A                A has no meaning until a formula defines it
    keep: f, x               these names mean what they meant at the end of the section before
    approx: within a factor of 2   what a \\approx b means between expressions (rules of thumb)
    adjoint: E               \\bar u means \\nabla_u E, the gradient backpropagation computes
    I: n×n                   the size of I where a Kronecker product leaves it open
    \\mathbf{1}: n             the length of the vector of ones where a product leaves it open
    i: imaginary             i is the imaginary unit
    \\lambda_i: eigenvalues of X     the eigenvalues, by decreasing real part; `\\lambda, v: eigenpair of X`
    K: commutation m×n       the commutation matrix: K vec(X) = vec(X^T) for X m×n
    \\bar y: like y          a random value of the shape y has
    wrong "<tex>"            the section shows this formula as a mistake: it must not hold
    unchecked "<tex>": why   no finite check settles this formula (a condition, an equation to solve)
    mark definition: why     (just before a display) the display is not checked, and why

The comment is read before the formulas below it; every name keeps its meaning
until the next heading (names declared above the first `##` heading keep it
for the whole page). A statement this module cannot read is an error that
names the page and line.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np

from .evaluate import Defined, Family, Generic, Scope, Variable
from .reader import ReadError, parse, tex
from .values import Function, Interval, Polygon, array

# Each size letter has its own default, all different, so that a transposed
# product of the wrong shape cannot pass by accident.
# n = 3 is odd, and so are n^2 and n(n-1)/2: a sign (-1)^{n^2} or (-1)^{n(n-1)/2} shows.
DEFAULT_SIZES = {"n": 3, "m": 4, "k": 5, "p": 6, "q": 2, "c": 7, "d": 3, "r": 5, "s": 6, "N": 8, "B": 5,
                 "K": 3, "L": 4}
# The mutation benchmark's second point draws every value afresh and takes other sizes.
ALTERNATE_SIZES = {"n": 4, "m": 5, "k": 3, "p": 2, "q": 6, "c": 5, "d": 4, "r": 6, "s": 3, "N": 7, "B": 4,
                   "K": 4, "L": 3}
FUNCTION_PROPERTIES = {"monotone", "positive"}
PROPERTIES = {"positive-spectrum", "separated", "symmetric", "spd", "invertible", "orthogonal", "antisymmetric", "diagonal", "positive", "unit",
              "probability", "angle", "integer", "lower", "nonzero", "negative", "onehot"}
MARK_KINDS = {"definition", "notation", "unverifiable"}
NAME_LIST = re.compile(r"^\s*(?P<names>[^:=]+?)\s*:\s*(?P<type>.+?)\s*$")


class DeclarationError(ValueError):
    """A math comment that cannot be read."""


@dataclass
class Mark:
    kind: str
    reason: str


def canonical(name: str) -> str:
    """A name as the evaluator looks it up: `\\bar z` and `\\bar{z}` are the same name."""
    try:
        return tex(parse(name.strip()))
    except ReadError:
        raise DeclarationError(f"cannot read the name {name!r}") from None


def _split_names(text: str) -> list[str]:
    """Names separated by commas at the top level (F(A), G(A) are two names)."""
    names, depth, current = [], 0, ""
    for char in text:
        if char in "({[":
            depth += 1
        elif char in ")}]":
            depth -= 1
        if char == "," and depth == 0:
            names.append(current.strip())
            current = ""
        else:
            current += char
    names.append(current.strip())
    return [n for n in names if n]


def _dims(text: str, scope: Scope) -> tuple[int, int] | None:
    """`n×n`, `4x3`, `n` (a column), `1×n` (a row), `scalar` or `1`."""
    text = text.replace("×", "x").replace(" ", "")
    if text in ("scalar", "1", "number"):
        return (1, 1)
    parts = text.split("x") if re.fullmatch(r"[A-Za-z0-9]+x[A-Za-z0-9]+", text) else [text]
    sizes = []
    for part in parts:
        if part.isdigit():
            sizes.append(int(part))
        elif re.fullmatch(r"[A-Za-z]", part):
            sizes.append(size_of(part, scope))
        else:
            return None
    return (sizes[0], 1) if len(sizes) == 1 else (sizes[0], sizes[1])


def size_of(letter: str, scope: Scope) -> int:
    if letter in scope.sizes:
        return scope.sizes[letter]
    defaults = ALTERNATE_SIZES if SALT else DEFAULT_SIZES
    if letter not in defaults:
        raise DeclarationError(f"the size {letter} has no default: give it (`{letter} = 3`)")
    scope.sizes[letter] = defaults[letter]
    return scope.sizes[letter]


# The mutation benchmark draws every value afresh by setting a salt (bench/mutate_formulas.py).
SALT = ""


def _rng(page: str, name: str, line: int) -> np.random.Generator:
    digest = hashlib.sha256(f"{SALT}{page}:{line}:{name}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def sample(shape: tuple[int, int], props: set[str], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A random value with the stated properties, and a random direction that keeps them."""
    rows, cols = shape
    square = rows == cols and rows > 1

    def normal():
        return rng.standard_normal(shape)

    if "integer" in props:
        return np.array([[float(rng.integers(2, 5))]]), np.zeros((1, 1))
    if shape == (1, 1):
        if "angle" in props:
            value = rng.uniform(0.3, 1.2)
        elif "positive" in props:
            value = rng.uniform(0.5, 2.0)
        elif "negative" in props:
            value = -rng.uniform(0.5, 2.0)
        elif "probability" in props:
            value = rng.uniform(0.1, 0.9)
        else:
            value = rng.choice([-1, 1]) * rng.uniform(0.5, 1.5)
        return np.array([[value]]), np.array([[rng.choice([-1, 1]) * rng.uniform(0.5, 1.5)]])
    if "unit" in props and not square and cols != 1:
        raise DeclarationError("unit is for vectors and square matrices")
    if "unit" in props and (rows > 1 and cols > 1):
        # a matrix of unit Frobenius norm, with whatever else it is declared to be
        value, direction = sample(shape, props - {"unit"}, rng)
        return value / np.linalg.norm(value), direction
    if "probability" in props:
        e = np.exp(rng.standard_normal(shape))
        value = e / e.sum()
        direction = normal()
        return value, direction - direction.mean()
    if "onehot" in props:  # a one in each column: labels of a batch
        value = np.zeros(shape)
        value[rng.integers(rows, size=cols), np.arange(cols)] = 1
        return value, np.zeros(shape)
    if "unit" in props:
        value = normal()
        return value / np.linalg.norm(value), normal()
    if "orthogonal" in props:
        q, _ = np.linalg.qr(rng.standard_normal((rows, rows)))
        a = rng.standard_normal((rows, rows))
        return q, q @ (a - a.T)
    if "positive-spectrum" in props:  # not symmetric, with real positive eigenvalues: V diag(d) V^-1
        V = rng.standard_normal((rows, rows))
        while np.linalg.cond(V) > 10:
            V = rng.standard_normal((rows, rows))
        return V @ np.diag(rng.uniform(0.5, 2.0, rows)) @ np.linalg.inv(V), normal()
    if "spd" in props:
        g = rng.standard_normal((rows, rows))
        d = normal()
        return g @ g.T / rows + np.eye(rows), (d + d.T) / 2
    if "separated" in props:  # symmetric, eigenvalues at least 1 apart: eigenvectors move smoothly
        q, _ = np.linalg.qr(rng.standard_normal((rows, rows)))
        values = np.arange(rows) * 1.5 + rng.uniform(-0.25, 0.25, rows) - 0.75 * (rows - 1)
        d = normal()
        return q @ np.diag(values) @ q.T, (d + d.T) / 2
    if "symmetric" in props:
        g, d = normal(), normal()
        return (g + g.T) / 2, (d + d.T) / 2
    if "antisymmetric" in props:
        g, d = normal(), normal()
        return (g - g.T) / 2, (d - d.T) / 2
    if "diagonal" in props:
        return np.diag(rng.uniform(0.5, 2.0, rows) * rng.choice([-1, 1], rows)), np.diag(rng.standard_normal(rows))
    if "lower" in props:
        return np.tril(normal()) + 2 * np.eye(rows), np.tril(normal())
    if "positive" in props:
        return rng.uniform(0.5, 2.0, shape), normal()
    value = normal()
    if square:
        # Well conditioned, so that an inverse in the formula is computed to full accuracy.
        while np.linalg.cond(value) > 30:
            value = normal()
    return value, normal()


def generic_function(name: str, in_shape: tuple, out_shape: tuple, rng: np.random.Generator,
                     props: frozenset = frozenset()) -> Function:
    """A random smooth (analytic) map: vec(out) = B tanh(C vec(in) + c) + D (vec(in) * vec(in)) + e.

    Neither linear nor symmetric in any way, so that a formula that holds for
    every function holds for it, and a wrong one fails.
    """
    n_in, n_out = in_shape[0] * in_shape[1], out_shape[0] * out_shape[1]
    hidden = 5
    C = rng.standard_normal((hidden, n_in)) / np.sqrt(n_in)
    c = rng.standard_normal((hidden, 1)) * 0.5
    B = rng.standard_normal((n_out, hidden))
    D = rng.standard_normal((n_out, n_in)) * 0.3
    e = rng.standard_normal((n_out, 1))

    if "monotone" in props:  # a x + b tanh(c x + d) with a > |b c|: increasing, or decreasing when negated
        if in_shape != (1, 1) or out_shape != (1, 1):
            raise DeclarationError("monotone is for functions of one number")
        slope, bend, rate, shift = rng.uniform(0.8, 1.5), rng.uniform(0.2, 0.5), rng.uniform(0.5, 1.2), rng.normal()
        sign = rng.choice([-1.0, 1.0])

        def call(x):
            x = array(x)
            return sign * (slope * x + bend * rate ** -1 * 0.9 * np.tanh(rate * x + shift))

        return Function(name, call, arity=1)

    def call(x):
        x = array(x)
        if x.shape != in_shape:
            from .values import EvalError
            raise EvalError(f"{name} takes a {in_shape[0]} x {in_shape[1]} argument, got {x.shape[0]} x {x.shape[1]}")
        v = x.reshape(-1, 1, order="F")
        y = B @ np.tanh(C @ v + c) + D @ (v * v) + e
        y = y.reshape(out_shape, order="F")
        return np.exp(y) if "positive" in props else y

    return Function(name, call, arity=1)


def _special(match: re.Match, scope: Scope, page: str, line: int) -> None:
    """Values the page defines in words: eigenpairs, eigenvalues, the commutation matrix."""
    from .evaluate import Ctx, evaluate
    names = _split_names(match.group("names"))
    kind = match.group("kind")
    if kind == "commutation":
        shape = _dims(match.group("arg"), scope)
        if shape is None:
            raise DeclarationError("the commutation matrix of m×n matrices: `K: commutation m×n`")
        m, n = shape if shape[1] != 1 else (shape[0], shape[0])
        K = np.zeros((m * n, m * n))
        for i in range(m):
            for j in range(n):
                K[i * n + j, j * m + i] = 1  # vec(X^T)[i*n + j] = X[i, j] = vec(X)[j*m + i]
        scope.bindings[canonical(names[0])] = Variable(canonical(names[0]), K.astype(complex),
                                                       np.zeros_like(K, dtype=complex), "fixed")
        return None
    matrix = np.asarray(evaluate(parse(match.group("arg")), Ctx(scope)))
    values, vectors = np.linalg.eig(matrix)
    order = np.argsort(-values.real)
    values, vectors = values[order], vectors[:, order]
    if kind == "eigenvalues":
        key = canonical(names[0].replace("_i", "").replace("_*", "")) + "_*" if names[0].endswith(("_i", "_*")) \
            else canonical(names[0])
        scope.bindings[key] = Variable(key, values.reshape(-1, 1), np.zeros((values.size, 1), complex), "fixed")
        return None
    if len(names) != 2:
        raise DeclarationError("an eigenpair is two names: `\\lambda, v: eigenpair of X`")
    value, vector = values[0], vectors[:, :1]
    scope.bindings[canonical(names[0])] = Variable(canonical(names[0]), np.array([[value]]), np.zeros((1, 1), complex),
                                                   "fixed")
    scope.bindings[canonical(names[1])] = Variable(canonical(names[1]), vector.astype(complex),
                                                   np.zeros_like(vector, dtype=complex), "fixed")
    return None


def _rule_member(index, ctx):
    from .values import EvalError
    raise EvalError("no rule gives this member of the family (write x_k = ... on the page)")


def _is_parameter(node) -> bool:
    """A name a function's definition can take as its parameter: x, \\theta, w_k (not \\nabla f)."""
    from .evaluate import name_of
    return name_of(node) is not None


def read_comment(text: str, scope: Scope, page: str, line: int) -> Mark | None:
    """Apply a math comment's statements to the scope; return its mark, if it has one."""
    mark = None
    statements = [s.strip() for chunk in text.splitlines() for s in chunk.split(";")]
    for statement in statements:
        statement = re.sub(r"\s+#\s.*$", "", statement).strip()
        if not statement:
            continue
        try:
            found = _read_statement(statement, scope, page, line)
        except DeclarationError as err:
            raise DeclarationError(f"{page}:{line}: math comment, {statement!r}: {err}") from None
        if found is not None:
            mark = found
    return mark


def _read_statement(statement: str, scope: Scope, page: str, line: int) -> Mark | None:
    if statement.startswith("mark "):
        match = re.fullmatch(r"mark (\w+)\s*:\s*(.+)", statement)
        if not match or match.group(1) not in MARK_KINDS:
            raise DeclarationError(f"a mark is `mark <{'|'.join(sorted(MARK_KINDS))}>: <reason>`")
        return Mark(match.group(1), match.group(2).strip())
    if statement.startswith("vary:"):
        scope.vary = tuple(canonical(n) for n in _split_names(statement[len("vary:"):]))
        return None
    if statement.startswith("approx:"):
        match = re.fullmatch(r"approx:\s*within a factor of\s*([0-9.]+)", statement)
        if not match:
            raise DeclarationError("`approx: within a factor of 2` says what \\approx between two expressions means")
        scope.approx_factor = float(match.group(1))
        return None
    if statement.startswith("family:"):  # `family: x`: x_0, x_1, ... named by a rule x_k = ... on the page
        for name in _split_names(statement[len("family:"):]):
            scope.bindings[canonical(name) + "_*"] = Family(canonical(name), _rule_member)
        return None
    if statement.startswith("forget:"):
        for name in _split_names(statement[len("forget:"):]):
            key = canonical(name[:-2]) + "_*" if name.endswith("_*") else canonical(name)
            scope.bindings.pop(key, None)
        return None
    if statement.startswith("adjoint:"):
        scope.adjoint_of = canonical(statement[len("adjoint:"):])
        return None
    if ":=" in statement:
        name, body = statement.split(":=", 1)
        lhs = parse(name.strip())
        node = parse(body.strip())
        from .reader import Paren, Product, Sub, Sym
        if isinstance(lhs, Sub) and len(lhs.items) == 1 and isinstance(lhs.items[0], Sym) and \
                len(lhs.items[0].name) == 1 and _is_parameter(lhs.base) and \
                lhs.items[0].name in {n.name for n in node.walk() if isinstance(n, Sym)}:
            # q_k := Q e_k: a family, by its rule in k (G_s := \sym(G) is one name)
            from .evaluate import evaluate
            index = lhs.items[0].name

            def member(value, ctx, rule=node, index=index):
                return evaluate(rule, ctx.but(locals_={index: array(float(value))}))

            scope.bindings[canonical(tex(lhs.base)) + "_*"] = Family(canonical(tex(lhs.base)), member, node)
            return None
        used = {tex(n) for n in node.walk()}
        if isinstance(lhs, Product) and len(lhs.factors) == 2 and isinstance(lhs.factors[1], Paren) and \
                all(_is_parameter(p) for p in lhs.factors[1].items) and \
                any(tex(p) in used for p in lhs.factors[1].items):  # a function of its parameters
            params = tuple(canonical(tex(p)) for p in lhs.factors[1].items)
            fname = tex(lhs.factors[0])
            scope.bindings[fname] = Defined(fname, node, params, f"{page}:{line}")
        else:
            scope.bindings[tex(lhs)] = Defined(tex(lhs), node, (), f"{page}:{line}")
            if isinstance(lhs, Product) and len(lhs.factors) == 2 and isinstance(lhs.factors[1], Paren) and \
                    all(_is_parameter(p) for p in lhs.factors[1].items) and _is_parameter(lhs.factors[0]):
                # G(\mu) := \int_c^\infty p(x) \dd x: a function whose body reaches its parameter through
                # other names (p depends on \mu), or not at all (constant in t): G is a function too
                params = tuple(canonical(tex(p)) for p in lhs.factors[1].items)
                fname = tex(lhs.factors[0])
                scope.bindings[fname] = Defined(fname, node, params, f"{page}:{line}")
        return None
    size = re.fullmatch(r"([A-Za-z])\s*=\s*(\d+)", statement)
    if size:
        scope.sizes[size.group(1)] = int(size.group(2))
        return None
    solves = re.fullmatch(r"(?P<name>[^:]+?)\s*:\s*solves\s+(?P<equation>.+?)\s+near\s+(?P<start>.+)", statement)
    if solves:  # x: solves x^3 + p x - 1 = 0 near 0.7
        from .evaluate import Root
        from .reader import Relation
        equation = parse(solves.group("equation"))
        if not isinstance(equation, Relation) or equation.rels != ("=",):
            raise DeclarationError("`x: solves <left> = <right> near <start>`: one equation")
        key = canonical(solves.group("name"))
        scope.bindings[key] = Root(key, equation, (), f"{page}:{line}", parse(solves.group("start")))
        return None
    special = re.fullmatch(r"(?P<names>.+?)\s*:\s*(?P<kind>eigenpair|eigenvalues|commutation)\s+(?:of\s+)?"
                           r"(?P<arg>.+)", statement)
    if special:
        return _special(special, scope, page, line)
    match = NAME_LIST.match(statement)
    if not match:
        raise DeclarationError("expected `names: type`, `name := formula`, `n = 4`, `vary: X` or `mark ...`")
    names, kind = _split_names(match.group("names")), match.group("type").strip()
    if kind == "imaginary" and names == ["i"]:
        scope.imaginary = True
        return None
    if "->" in kind:
        source, target = (part.strip() for part in kind.split("->"))
        target_words = target.split()
        target, props = target_words[0], frozenset(target_words[1:])
        if props - FUNCTION_PROPERTIES:
            raise DeclarationError(f"unknown properties of a function: {', '.join(sorted(props - FUNCTION_PROPERTIES))}")
        in_shape, out_shape = _dims(source, scope), _dims(target, scope)
        if in_shape is None or out_shape is None:
            raise DeclarationError(f"cannot read the function type {kind!r}")
        for name in names:
            if name.endswith("_*"):  # f_*: one generic function for each index, f_1, f_2, ...
                key = canonical(name[:-2])
                members: dict = {}

                def member(index, ctx, key=key, members=members):
                    if index not in members:
                        function = generic_function(f"{key}_{index}", in_shape, out_shape,
                                                    _rng(page, f"{key}_{index}", 0), props)
                        members[index] = Generic(f"{key}_{index}", function)
                    return members[index]

                scope.bindings[key + "_*"] = Family(key, member)
                continue
            key = canonical(name)
            rng = _rng(page, key, 0)
            scope.bindings[key] = Generic(key, generic_function(key, in_shape, out_shape, rng, props))
        return None
    if kind.startswith("like "):  # \bar y: like y, a random value of the shape y has
        from .evaluate import Ctx, evaluate
        shape = array(evaluate(parse(kind[len("like "):]), Ctx(scope))).shape
        for name in names:
            key = canonical(name)
            value, direction = sample(shape, set(), _rng(page, key, line))
            scope.bindings[key] = Variable(key, value.astype(complex), direction.astype(complex))
        return None
    if kind == "dual":  # \varepsilon: dual, the unit of the dual numbers (epsilon^2 = 0)
        from .values import Dual
        for name in names:
            scope.bindings[canonical(name)] = Dual(0.0, 1.0)
        return None
    if kind in ("polygon", "interval"):
        for name in names:
            key = canonical(name)
            rng = _rng(page, key, line)
            if kind == "polygon":  # convex, counterclockwise, five corners
                angles = np.sort(rng.uniform(0, 2 * np.pi, 5))
                radii = rng.uniform(0.5, 1.5, 5)
                corners = np.array([radii * np.cos(angles), radii * np.sin(angles)]) + rng.normal(size=(2, 1))
                scope.bindings[key] = Polygon(corners.astype(complex))
            else:
                a = rng.uniform(0.2, 0.6)
                scope.bindings[key] = Interval(a, a + rng.uniform(0.5, 1.5))
        return None
    words = kind.split()
    shape_text, props = words[0], set(words[1:])
    unknown = props - PROPERTIES - {w for w in props if w.isdigit()}
    if unknown:
        raise DeclarationError(f"unknown propert{'y' if len(unknown) == 1 else 'ies'} {', '.join(sorted(unknown))}"
                               f" (known: {', '.join(sorted(PROPERTIES))})")
    if shape_text == "integer":
        value = [w for w in props if w.isdigit()]
        for name in names:
            key = canonical(name)
            number = int(value[0]) if value else 3
            scope.bindings[key] = Variable(key, np.array([[float(number)]]), np.zeros((1, 1)), "fixed")
        return None
    shape = _dims(shape_text, scope)
    if shape is None:
        raise DeclarationError(f"cannot read the type {shape_text!r} (n×n, n, 1×n, scalar, integer, a -> b)")
    for name in names:
        generic = re.fullmatch(r"(?P<f>.+?)\((?P<args>[^()]*)\)", name)
        if generic:  # F(A): a generic smooth function of declared variables, used bare
            key = canonical(generic.group("f"))
            args = tuple(canonical(a) for a in _split_names(generic.group("args")))
            missing = [a for a in args if not isinstance(scope.bindings.get(a), (Variable, Defined))]
            if missing:
                raise DeclarationError(f"{name}: declare {', '.join(missing)} first")
            from .evaluate import Ctx, evaluate
            in_shape = array(evaluate(parse(args[0]), Ctx(scope))).shape  # f(y) with y := g(x): at g(x)
            rng = _rng(page, key, 0)
            function = generic_function(key, in_shape, shape, rng)
            function.params = args
            scope.bindings[key] = Generic(key, function, args)
            continue
        key = canonical(name)
        if key == "I":
            scope.identity_size = shape[0]
            continue
        if key == "\\mathbf{1}":  # the length of the vector of ones where the formula leaves it open
            scope.bindings[key] = Variable(key, np.ones(shape, complex), np.zeros(shape, complex), "fixed")
            continue
        value, direction = sample(shape, props, _rng(page, key, line))
        scope.bindings[key] = Variable(key, value.astype(complex), direction.astype(complex))
    return None
