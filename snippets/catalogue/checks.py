"""Checks of the identity catalogue, generated from its entries (docs page: Identity catalogue).

For each entry of snippets/catalogue/identities.py this file writes a
self-contained NumPy script, the copyable check shown under the entry's row,
and runs it; and, where an exact form exists, it checks the entry with SymPy
on explicit 2 x 2 and 3 x 3 matrices of symbols:

- a differential: against the exact derivative along every coordinate
  direction (each entry of X, or each free entry of a symmetric X), which
  together make the whole Jacobian;
- a gradient: <grad f, E> against the exact derivative along each direction E;
- a pullback: <ybar, f'(X)[E]> against <pullback(ybar), E>, with ybar symbolic;
- an equality: both sides; a Jacobian determinant: against the determinant of
  SymPy's own Jacobian.

Run this file to check the whole catalogue; it prints the time taken.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import sys
import time
import warnings
from pathlib import Path

import sympy as sp

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the sibling modules, also when the site build imports this file
    sys.path.insert(0, str(HERE))

import expressions as ex  # noqa: E402
import identities  # noqa: E402
import numerics  # noqa: E402
from expressions import MATRIX, SCALAR, VECTOR  # noqa: E402

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
    """An identity that its check refutes."""


# ---------------------------------------------------------------- the copyable NumPy check


def named_values(exprs) -> list[ex.Named]:
    """The named values (s = softmax(z), ...) the expressions use, each before its first use."""
    found: list[ex.Named] = []
    for e in exprs:
        for node in e.walk():
            if isinstance(node, ex.Named) and all(node is not seen for seen in found):
                if any(seen.name == node.name for seen in found):
                    raise ValueError(f"two different values are both called {node.name!r}")
                found.append(node)
    return found


def function_source(name: str, params: list[str], expr: ex.Expr) -> str:
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


def helpers_of(entry: identities.Identity) -> list[str]:
    names = ["relative_error"]
    if entry.kind == "jacdet":
        names.append("jacobian_fd")
    for var in entry.inputs:
        sampler = SAMPLERS.get(var.sample, "")
        if sampler.startswith("random_"):
            names.append(sampler.split("(")[0])
    if entry.kind == "derivative" and entry.wrt.sample in identities.SYMMETRIC_SAMPLES:
        names.append("random_symmetric")
    for e in entry.expressions():
        names += [node.helper for node in e.walk() if isinstance(node, ex.Call) and node.helper]
    return list(dict.fromkeys(names))


def shape_code(var: ex.Var) -> str:
    if var.kind == MATRIX:
        return f"({var.dims[0]}, {var.dims[1]})"
    return var.dims[0] if var.kind == VECTOR else ""


def sample_code(var: ex.Var) -> str:
    template = SAMPLERS[var.sample]
    dims = var.dims + ("", "")
    return template.format(shape=shape_code(var), n=dims[0], p=dims[1])


def direction_code(var: ex.Var) -> str:
    if var.sample in identities.SYMMETRIC_SAMPLES:
        return f"random_symmetric(rng, {var.dims[0]})"
    return f"rng.standard_normal({shape_code(var)})"


def loop_header(entry: identities.Identity) -> tuple[list[str], str]:
    """The loop over three random points of three sizes, and how its report names a point."""
    dims = entry.dims
    comment = "  # three random points of three sizes"
    if len(dims) == 1:
        values = ", ".join(str(case[0]) for case in entry.cases)
        return [f"for {dims[0]} in ({values}):" + comment], f"{dims[0]} = {{{dims[0]}}}"
    cases = ", ".join("(" + ", ".join(map(str, case)) + ")" for case in entry.cases)
    label = "sizes " + ", ".join("{" + d + "}" for d in dims)
    return [f"sizes = ({cases})" + comment, f"for {', '.join(dims)} in sizes:"], label


def copyable_check(entry: identities.Identity) -> str:
    """A complete NumPy script that checks the entry and fails loudly if the entry is wrong."""
    params = [var.name for var in entry.inputs]
    args = ", ".join(params)
    parts = [f"# Identity {entry.number} of the catalogue, checked with NumPy alone.\nimport numpy as np"]
    parts += [inspect.getsource(getattr(numerics, name)).rstrip() for name in helpers_of(entry)]
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
            body.append(f'    errors["equation"] = relative_error([lhs({args}, {entry.out.name}, dY) for dY in fd],')
            body.append(f"                                        [rhs({args}, {d}) for {d} in {d}s])")
        if entry.grad is not None:
            body.append(f"    gradient = grad({args})  # <gradient, {d}> must equal the derivative")
            body.append(f'    errors["gradient"] = relative_error(fd, [np.sum(gradient * {d}) for {d} in {d}s])')
        if entry.vjp is not None:
            body.append("    ybar = rng.standard_normal(np.shape(fd[0]))  # a gradient with respect to the output")
            body.append(f"    back = pullback({args}, ybar)  # <ybar, df> must equal <back, {d}>")
            body.append('    errors["pullback"] = relative_error([np.sum(ybar * dY) for dY in fd],')
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
        setup.append(f"h = {STEP:.0e}  # central differences: truncation error ~h**2, rounding ~1e-16/h")
    setup.append("worst = 0.0")
    setup += header
    closing = [
        f'assert worst < {tolerance}, f"relative error {{worst:.1e}}: the identity is wrong"',
        f'print(f"worst relative error {{worst:.1e}} (below {tolerance:.0e}, as {method} allow)")',
    ]
    statements = [wrap_statement(line) for line in setup + body + closing]
    script = "\n\n\n".join(parts) + "\n\n\n" + "\n".join(statements) + "\n"
    too_long = [line for line in script.split("\n") if len(line) > 88]
    if too_long:
        raise ValueError(f"identity {entry.key}: generated lines too long: {too_long}")
    return script


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


def check_numerically(entry: identities.Identity) -> float:
    try:
        worst, _ = run_check(copyable_check(entry), f"check of {entry.key}")
    except AssertionError as err:
        raise CheckFailed(f"identity {entry.number} ({entry.key}): {err}") from None
    return worst


# ---------------------------------------------------------------- the SymPy check


class NotExact(Exception):
    pass


def symbolic_input(var: ex.Var, sizes: dict):
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
    if var.sample in identities.SYMMETRIC_SAMPLES:
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
    return sp.simplify(expr) == 0


def same(a, b, what: str) -> None:
    a, b = _plain(a), _plain(b)
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
        if not (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)) or a.shape != b.shape:
            raise CheckFailed(f"{what}: shapes differ")
        for index, (p, q) in enumerate(zip(a, b)):
            if not vanishes(p - q):
                raise CheckFailed(f"{what}: entry {index} differs by {sp.simplify(p - q)}")
    elif not vanishes(a - b):
        raise CheckFailed(f"{what}: differs by {sp.simplify(a - b)}")


def _plain(value):
    if isinstance(value, sp.MatrixBase) and value.shape == (1, 1):
        return value[0, 0]
    return value


def _inner(p, q):
    p, q = _plain(p), _plain(q)
    if isinstance(p, sp.MatrixBase):
        return sum(x * y for x, y in zip(p, q))
    return p * q


def check_symbolically(entry: identities.Identity, case: tuple) -> None:
    """The exact check of one entry on matrices of symbols of the given sizes; raises CheckFailed."""
    sizes = dict(zip(entry.dims, case))
    env = {var.name: symbolic_input(var, sizes) for var in entry.inputs}
    where = f"identity {entry.number} ({entry.key}) with sizes {sizes}"

    def value(e):
        try:
            return ex.sym_value(e, env)
        except ex.NoSymbolicForm as err:
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
        env["ybar"] = symbolic_input(ex.Var("ybar", entry.f.kind, ("r", "c")[: {VECTOR: 1, MATRIX: 2}[entry.f.kind]]),
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


def check_entry(entry: identities.Identity) -> dict:
    """Both checks of one entry, with their times."""
    start = time.process_time()
    worst = check_numerically(entry)
    middle = time.process_time()
    for case in entry.symbolic:
        check_symbolically(entry, case)
    end = time.process_time()
    return {"worst": worst, "numeric_s": middle - start, "symbolic_s": end - middle}


def check_catalogue(entries=None) -> dict[str, dict]:
    return {entry.key: check_entry(entry) for entry in (entries or identities.CATALOGUE)}


if __name__ == "__main__":
    wall = time.perf_counter()
    results = check_catalogue()
    wall = time.perf_counter() - wall
    for entry in identities.CATALOGUE:
        r = results[entry.key]
        exact = "SymPy " + ", ".join("x".join(map(str, c)) for c in entry.symbolic) if entry.symbolic else "-"
        print(f"{entry.number:3} {entry.key:24} {r['worst']:8.1e}  {r['numeric_s']:5.2f} s"
              f"  {r['symbolic_s']:5.2f} s  {exact}")
    numeric = sum(r["numeric_s"] for r in results.values())
    symbolic = sum(r["symbolic_s"] for r in results.values())
    print(f"{len(results)} identities checked: numerically in {numeric:.1f} s, symbolically in {symbolic:.1f} s "
          f"(CPU), {wall:.1f} s wall time")
