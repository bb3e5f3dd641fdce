"""Values a formula evaluates to, and the arithmetic of the course's notation on them.

Every array is a 2-D complex NumPy array: a matrix is m x n, a vector a column
(n x 1), a covector a row (1 x n) and a scalar 1 x 1, so that a dropped
transpose is a shape error or a different value, never silently the same.
Complex, because derivatives are taken by the complex step (evaluate.py): every
operation here is the analytic one (a transpose does not conjugate, a norm is
sqrt(sum x_i^2)), which equals the real one at real points.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np


class EvalError(ValueError):
    """A formula that cannot be evaluated: a shape mismatch, an unknown name, ..."""


def array(value) -> np.ndarray:
    """A number or an array as a 2-D complex array."""
    if type(value) is np.ndarray and value.ndim == 2 and value.dtype == complex:
        return value  # already one: most calls (1.2 million over all pages)
    if isinstance(value, KronI):
        return value.default()
    if isinstance(value, np.ndarray):
        if value.ndim == 2:
            return value.astype(complex, copy=False)
        if value.ndim == 1:
            return value.astype(complex).reshape(-1, 1)
        if value.ndim == 0:
            return value.astype(complex).reshape(1, 1)
        raise EvalError(f"an array of {value.ndim} dimensions")
    if isinstance(value, (int, float, complex, np.number)):
        return np.array([[complex(value)]])
    raise EvalError(f"not a number or an array: {describe(value)}")


def is_scalar(value) -> bool:
    return isinstance(value, np.ndarray) and value.shape == (1, 1)


def scalar(value) -> complex:
    value = array(value)
    if value.shape != (1, 1):
        raise EvalError(f"expected a scalar, got a {shape_text(value)} array")
    return complex(value[0, 0])


def shape_text(value) -> str:
    if isinstance(value, np.ndarray):
        return f"{value.shape[0]} x {value.shape[1]}"
    return type(value).__name__


def describe(value) -> str:
    if isinstance(value, np.ndarray):
        if value.shape == (1, 1):
            return f"{short(value[0, 0])}"
        return f"a {shape_text(value)} array"
    if isinstance(value, Function):
        return f"the function {value.name}"
    if isinstance(value, LinearMap):
        return f"the linear map {value.name}"
    return repr(value)


def short(z: complex) -> str:
    z = complex(z)
    if abs(z.imag) <= 1e-12 * max(1.0, abs(z.real)):
        return f"{z.real:.6g}"
    return f"{z.real:.6g}{z.imag:+.6g}i"


def show(value, limit: int = 6) -> str:
    """A value as a reader would want it in an error message."""
    if isinstance(value, np.ndarray):
        if value.shape == (1, 1):
            return short(value[0, 0])
        flat = value.reshape(-1, order="F")
        entries = ", ".join(short(z) for z in flat[:limit])
        more = ", ..." if flat.size > limit else ""
        return f"{shape_text(value)} [{entries}{more}] (column by column)"
    return describe(value)


# ---------------------------------------------------------------- stand-ins whose size comes from their use


@dataclass(frozen=True)
class Identity:
    """I with no size written: it takes the size its neighbour in a product or sum needs."""

    scale: complex = 1.0

    def sized(self, n: int) -> np.ndarray:
        return self.scale * np.eye(n, dtype=complex)


@dataclass(frozen=True)
class Ones:
    """The vector of ones, \\mathbf{1}, of the length its use needs; `row` once transposed."""

    row: bool = False
    scale: complex = 1.0

    def sized(self, n: int) -> np.ndarray:
        return self.scale * np.ones((1, n) if self.row else (n, 1), dtype=complex)


@dataclass(frozen=True)
class Unit:
    """e_j, the j-th unit vector, of the length its use needs."""

    index: int
    row: bool = False
    scale: complex = 1.0

    def sized(self, n: int) -> np.ndarray:
        if not 1 <= self.index <= n:
            raise EvalError(f"e_{self.index} in a space of {n} dimensions")
        out = np.zeros((1, n) if self.row else (n, 1), dtype=complex)
        out[(0, self.index - 1) if self.row else (self.index - 1, 0)] = self.scale
        return out


@dataclass(frozen=True, eq=False)
class KronI:
    """I \\kron B or B \\kron I with no size written for I: the product or sum it stands in sizes it.

    Where nothing does (I \\kron X + X^\\T \\kron I alone), I takes the size of a square B.
    """

    other: np.ndarray
    identity_first: bool
    scale: complex = 1.0

    def sized(self, n: int) -> np.ndarray:
        eye = np.eye(n, dtype=complex)
        return self.scale * (np.kron(eye, self.other) if self.identity_first else np.kron(self.other, eye))

    def for_columns(self, columns: int) -> np.ndarray:
        if columns % self.other.shape[1]:
            raise EvalError(f"no I makes I \\kron B with {columns} columns for B of {self.other.shape[1]}")
        return self.sized(columns // self.other.shape[1])

    def for_rows(self, rows: int) -> np.ndarray:
        if rows % self.other.shape[0]:
            raise EvalError(f"no I makes I \\kron B with {rows} rows for B of {self.other.shape[0]}")
        return self.sized(rows // self.other.shape[0])

    def default(self) -> np.ndarray:
        if self.other.shape[0] != self.other.shape[1]:
            raise EvalError("the size of I in a Kronecker product is not given (write I_n, or declare I)")
        return self.sized(self.other.shape[0])


STAND_INS = (Identity, Ones, Unit)


@dataclass(frozen=True, eq=False)
class Polygon:
    """A region of the plane given by its corners in order (columns of a 2 x k array)."""

    corners: np.ndarray

    def signed_area(self) -> complex:
        x, y = self.corners[0], self.corners[1]
        return 0.5 * complex(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))  # the shoelace formula


@dataclass(frozen=True, eq=False)
class Dual:
    """A dual number a + b epsilon with epsilon^2 = 0 (a and b numbers, or dual numbers themselves)."""

    real: object
    dual: object

    def parts(self):
        return self.real, self.dual


def _dual(value) -> Dual:
    if isinstance(value, Dual):
        return value
    return Dual(value, 0.0)


def dual_add(a, b, sign: int = 1):
    a, b = _dual(a), _dual(b)
    return Dual(_plain_add(a.real, b.real, sign), _plain_add(a.dual, b.dual, sign))


def dual_multiply(a, b):
    a, b = _dual(a), _dual(b)
    return Dual(_plain_mul(a.real, b.real), _plain_add(_plain_mul(a.real, b.dual), _plain_mul(a.dual, b.real)))


def _plain_add(a, b, sign=1):
    if isinstance(a, Dual) or isinstance(b, Dual):
        return dual_add(a, b, sign)
    return _as_number(a) + sign * _as_number(b)


def _plain_mul(a, b):
    if isinstance(a, Dual) or isinstance(b, Dual):
        return dual_multiply(a, b)
    return _as_number(a) * _as_number(b)


def _as_number(value):
    if isinstance(value, np.ndarray):
        if value.shape != (1, 1):
            raise EvalError("a dual number with an array part")
        return complex(value[0, 0])
    return value


def dual_is_zero(value, tolerance: float) -> bool:
    if isinstance(value, Dual):
        return dual_is_zero(value.real, tolerance) and dual_is_zero(value.dual, tolerance)
    return abs(_as_number(value)) <= tolerance


@dataclass(frozen=True)
class Interval:
    """A region of the line, [a, b] with a < b."""

    a: float
    b: float


# ---------------------------------------------------------------- functions and linear maps


@dataclass
class Function:
    """A function of one or more values (a builtin, a generic smooth map, a page's definition)."""

    name: str
    call: Callable[..., object]
    arity: int | None = 1
    elementwise: bool = False  # sin, exp, tanh, ...: f^2(x) means f(x)^2 entrywise
    params: tuple = ()  # names of the parameters, for a function defined on the page or declared generic

    def __call__(self, *args):
        if self.arity is not None and len(args) != self.arity:
            raise EvalError(f"{self.name} takes {self.arity} argument(s), got {len(args)}")
        return self.call(*args)


@dataclass
class LinearMap:
    """A derivative f'(x): a linear map of a direction, applied by f'(x)[v] or as a matrix."""

    name: str
    apply: Callable[[np.ndarray], np.ndarray]
    in_shape: tuple
    out_shape: tuple

    def matrix(self) -> np.ndarray:
        """The Jacobian matrix: vec of the output against vec of the input (columns stacked)."""
        n = self.in_shape[0] * self.in_shape[1]
        columns = []
        for k in range(n):
            e = np.zeros(n, dtype=complex)
            e[k] = 1
            columns.append(array(self.apply(e.reshape(self.in_shape, order="F"))).reshape(-1, order="F"))
        return np.stack(columns, axis=1)


def as_matrix(value):
    if isinstance(value, LinearMap):
        return value.matrix()
    return value


# ---------------------------------------------------------------- arithmetic


def _sized_left(stand_in, right: np.ndarray) -> np.ndarray:
    """I or \\mathbf{1}^\\T to the left of an array: its length is the array's number of rows."""
    if isinstance(stand_in, Unit):
        if stand_in.row:
            return stand_in.sized(right.shape[0])
        raise EvalError("the length of e_j before a product is not given by its neighbour")
    if isinstance(stand_in, Identity):
        return stand_in.sized(right.shape[0])
    if stand_in.row:
        return stand_in.sized(right.shape[0])
    raise EvalError("the length of \\mathbf{1} before a product is not given by its neighbour")


def _sized_right(left: np.ndarray, stand_in) -> np.ndarray:
    """I or \\mathbf{1} to the right of an array: its length is the array's number of columns."""
    if isinstance(stand_in, Unit):
        if not stand_in.row:
            return stand_in.sized(left.shape[1])
        raise EvalError("the length of e_j^T after a product is not given by its neighbour")
    if isinstance(stand_in, Identity):
        return stand_in.sized(left.shape[1])
    if not stand_in.row:
        return stand_in.sized(left.shape[1])
    raise EvalError("the length of \\mathbf{1}^\\T after a product is not given by its neighbour")


def multiply(a, b):
    """Juxtaposition: a matrix product, or scaling when one side is a scalar."""
    if type(a) is np.ndarray and type(b) is np.ndarray:  # most products: none of the cases below
        return _multiply_arrays(array(a), array(b))
    if isinstance(a, Dual) or isinstance(b, Dual):
        return dual_multiply(a, b)
    if isinstance(a, LinearMap) and isinstance(b, LinearMap):
        return LinearMap(f"{a.name} {b.name}", lambda v: a.apply(b.apply(v)), b.in_shape, a.out_shape)
    if isinstance(a, LinearMap):
        a = a.matrix()
    if isinstance(b, LinearMap):
        b = b.matrix()
    if isinstance(a, Function) or isinstance(b, Function):
        raise EvalError(f"cannot multiply {describe(a)} by {describe(b)}")
    if isinstance(a, KronI) and not isinstance(b, (KronI, Identity)):
        b = array(b)
        a = a.for_columns(b.shape[0]) if not is_scalar(b) else KronI(a.other, a.identity_first, a.scale * b[0, 0])
        if isinstance(a, KronI):
            return a
    if isinstance(b, KronI) and not isinstance(a, (KronI, Identity)):
        a = array(a)
        b = b.for_rows(a.shape[1]) if not is_scalar(a) else KronI(b.other, b.identity_first, b.scale * a[0, 0])
        if isinstance(b, KronI):
            return b
    if isinstance(b, Polygon):  # A S: the image of a region under a linear map
        a = array(a)
        if a.shape != (2, 2):
            raise EvalError(f"a {shape_text(a)} matrix applied to a region of the plane")
        return Polygon(a @ b.corners)
    if isinstance(a, STAND_INS) and isinstance(b, STAND_INS):
        if isinstance(a, Identity) and isinstance(b, Identity):
            return Identity(a.scale * b.scale)
        if isinstance(a, Identity):
            return b
        if isinstance(b, Identity):
            return a
        raise EvalError("cannot size I, e_j or \\mathbf{1} from each other alone")
    if isinstance(a, STAND_INS) and is_scalar(array(b)):
        return replace(a, scale=a.scale * scalar(b))  # 2 I, h e_j, c \\mathbf{1}: still to be sized
    if isinstance(b, STAND_INS) and is_scalar(array(a)):
        return replace(b, scale=b.scale * scalar(a))
    if isinstance(a, STAND_INS):
        b = array(b)
        a = _sized_left(a, b)
    elif isinstance(b, STAND_INS):
        a = array(a)
        b = _sized_right(a, b)
    return _multiply_arrays(array(a), array(b))


def _multiply_arrays(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.shape[1] == b.shape[0]:
        return a @ b
    if is_scalar(a):
        return a[0, 0] * b
    if is_scalar(b):
        return a * b[0, 0]
    raise EvalError(f"cannot multiply a {shape_text(a)} array by a {shape_text(b)} array")


def add(a, b, sign: int = 1):
    if type(a) is np.ndarray and type(b) is np.ndarray:  # most sums: none of the cases below
        return _add_arrays(array(a), array(b), sign)
    if isinstance(a, Dual) or isinstance(b, Dual):
        return dual_add(a, b, sign)
    if isinstance(a, LinearMap):
        a = a.matrix()
    if isinstance(b, LinearMap):
        b = b.matrix()
    if isinstance(a, KronI) and not isinstance(b, KronI):
        a = a.for_rows(array(b).shape[0])
    if isinstance(b, KronI) and not isinstance(a, KronI):
        b = b.for_rows(array(a).shape[0])
    if isinstance(a, Identity) and isinstance(b, Identity):
        return Identity(a.scale + sign * b.scale)
    if isinstance(a, Identity):
        b = array(b)
        a = a.sized(b.shape[0])
    if isinstance(b, Identity):
        a = array(a)
        b = b.sized(a.shape[0])
    if isinstance(a, (Ones, Unit)):
        a = a.sized(array(b).shape[1] if a.row else array(b).shape[0])
    if isinstance(b, (Ones, Unit)):
        b = b.sized(array(a).shape[1] if b.row else array(a).shape[0])
    return _add_arrays(array(a), array(b), sign)


def _add_arrays(a: np.ndarray, b: np.ndarray, sign: int) -> np.ndarray:
    if a.shape == b.shape:
        return a + sign * b
    # A scalar added to an array is added to every entry, as in 1 - h \odot h.
    if is_scalar(a):
        return a[0, 0] + sign * b
    if is_scalar(b):
        return a + sign * b[0, 0]
    # W X + b: a column added to every column of a batch, as the layers of a network do
    if b.shape[1] == 1 and a.shape[0] == b.shape[0]:
        return a + sign * b
    if a.shape[1] == 1 and a.shape[0] == b.shape[0]:
        return a + sign * b
    raise EvalError(f"cannot add a {shape_text(a)} array and a {shape_text(b)} array")


def negate(a):
    if isinstance(a, Dual):
        return dual_multiply(a, -1.0)
    if isinstance(a, Identity):
        return Identity(-a.scale)
    if isinstance(a, KronI):
        return KronI(a.other, a.identity_first, -a.scale)
    if isinstance(a, (Ones, Unit)):
        return replace(a, scale=-a.scale)
    if isinstance(a, LinearMap):
        return LinearMap("-" + a.name, lambda v: -array(a.apply(v)), a.in_shape, a.out_shape)
    return -array(a)


def divide(a, b):
    if isinstance(b, Dual):  # 1 / (c + d e) = 1/c - d/c^2 e
        c, d = b.parts()
        inverse = Dual(1 / _as_number(c) if not isinstance(c, Dual) else divide(1.0, c),
                       _plain_mul(-1.0, _plain_mul(d, divide(1.0, _plain_mul(c, c)))))
        return multiply(a, inverse)
    if isinstance(a, Dual):
        return dual_multiply(a, 1 / _as_number(b))
    b = array(b)
    if not is_scalar(b):
        raise EvalError(f"can only divide by a scalar, not by a {shape_text(b)} array")
    if isinstance(a, Identity):
        return Identity(a.scale / b[0, 0])
    return array(a) / b[0, 0]


def transpose(a):
    if isinstance(a, Identity):
        return a
    if isinstance(a, KronI):
        return KronI(a.other.T, a.identity_first, a.scale)
    if isinstance(a, (Ones, Unit)):
        return replace(a, row=not a.row)
    if isinstance(a, LinearMap):
        return array(a.matrix()).T
    return array(a).T


def inverse(a):
    if isinstance(a, KronI):
        return KronI(np.linalg.inv(a.other), a.identity_first, 1 / a.scale)
    a = array(a)
    if a.shape[0] != a.shape[1]:
        raise EvalError(f"only a square matrix has an inverse, not a {shape_text(a)} one")
    # Every claim through the inverse of a (numerically) singular matrix holds or fails by rounding: K^{-1},
    # 3 K^{-1} and K^{-2} would all pass. A wrong size (a 5 x 5 D^T D of rank 4) is the usual cause.
    condition = np.linalg.cond(np.real(a)) if a.size > 1 else 1.0
    if not condition < 1e10:
        raise EvalError(f"the inverse of a {shape_text(a)} matrix that is singular to working precision "
                        f"(condition number {condition:.1e}): check its sizes, or declare it invertible")
    return np.linalg.inv(a)


def power(a, k):
    """a^k: a scalar power, or an integer power of a square matrix (negative: of its inverse)."""
    k = scalar(k)
    if isinstance(a, Dual):
        if k.imag != 0 or not float(k.real).is_integer() or k.real < 0:
            raise EvalError("only whole powers of a dual number")
        out = Dual(1.0, 0.0)
        for _ in range(int(k.real)):
            out = dual_multiply(out, a)
        return out
    if isinstance(a, Identity):
        return Identity(a.scale ** k)
    a = array(a)
    if is_scalar(a):
        base = a[0, 0]
        with np.errstate(all="ignore"):  # 0^{-1} is inf: the comparison reports it
            if k.imag == 0 and float(k.real).is_integer():
                return np.array([[base ** int(k.real)]])
            return np.array([[base ** k]])
    if a.shape[0] != a.shape[1]:
        raise EvalError(f"cannot raise a {shape_text(a)} array to a power")
    if k.imag != 0 or not float(k.real).is_integer():
        if k == 0.5:
            return square_root(a)
        raise EvalError("only whole powers of a matrix, and its square root")
    k = int(k.real)
    base = inverse(a) if k < 0 else a
    out = np.eye(a.shape[0], dtype=complex)
    for _ in range(abs(k)):
        out = out @ base
    return out


def square_root(a: np.ndarray) -> np.ndarray:
    """The principal square root by the Denman-Beavers iteration (Higham, Functions of Matrices, 6.3).

    Only products, sums and inverses: an analytic algorithm, so a complex step
    through it gives the derivative. SciPy's sqrtm goes through a Schur form,
    whose unitary factors conjugate, and a complex step through it is wrong.
    """
    y, z = a, np.eye(a.shape[0], dtype=complex)
    for _ in range(100):
        y, z = (y + np.linalg.inv(z)) / 2, (z + np.linalg.inv(y)) / 2
        if np.linalg.norm((y @ y - a).real) <= 1e-14 * np.linalg.norm(a.real):
            break
    else:
        raise EvalError("the square root iteration did not converge (an eigenvalue on the negative axis?)")
    for _ in range(3):  # a few more steps: the derivative (imaginary part) converges a little later
        y, z = (y + np.linalg.inv(z)) / 2, (z + np.linalg.inv(y)) / 2
    return y


def kron(a, b, default_size: int | None = None):
    if isinstance(a, Identity) and isinstance(b, Identity):
        return Identity(a.scale * b.scale)
    if default_size is not None:
        a = a.sized(default_size) if isinstance(a, Identity) else a
        b = b.sized(default_size) if isinstance(b, Identity) else b
    if isinstance(a, Identity):
        return KronI(array(b), True, a.scale)
    if isinstance(b, Identity):
        return KronI(array(a), False, b.scale)
    return np.kron(array(a), array(b))


def hadamard(a, b):
    if isinstance(a, Identity):
        a = a.sized(array(b).shape[0])
    if isinstance(b, Identity):
        b = b.sized(array(a).shape[0])
    if isinstance(a, Ones):
        a = a.sized(array(b).shape[1] if a.row else array(b).shape[0])
    if isinstance(b, Ones):
        b = b.sized(array(a).shape[1] if b.row else array(a).shape[0])
    a, b = array(a), array(b)
    if a.shape != b.shape and not (is_scalar(a) or is_scalar(b)):
        raise EvalError(f"entrywise product of a {shape_text(a)} and a {shape_text(b)} array")
    return a * b


def vec(a) -> np.ndarray:
    return array(a).reshape(-1, 1, order="F")


def flat(a) -> np.ndarray:
    return array(a).reshape(-1, 1, order="C")


# ---------------------------------------------------------------- analytic stand-ins for non-analytic functions


def real_sign(z):
    """The sign of the real part: constant under a complex step."""
    return np.where(np.real(z) >= 0, 1.0, -1.0)


def analytic_abs(z):
    """|x| extended analytically near x (x times its real sign)."""
    return z * real_sign(z)


def analytic_norm(a) -> np.ndarray:
    """The 2-norm (Frobenius for a matrix) as sqrt(sum a_ij^2): analytic, unlike sqrt(sum |a_ij|^2)."""
    a = array(a)
    return np.array([[np.sqrt(np.sum(a * a))]])


def spectral_norm(a) -> np.ndarray:
    """The largest singular value, as the square root of the largest eigenvalue of A^T A (a transpose, not a
    conjugate one): analytic in A where that eigenvalue is simple, so a complex step passes through it."""
    a = array(a)
    values = np.linalg.eigvals(a.T @ a if a.shape[0] >= a.shape[1] else a @ a.T)
    return np.array([[np.sqrt(values[np.argmax(values.real)])]])


def analytic_max(*values):
    """max by real part (a complex step leaves the choice unchanged); entrywise for arrays."""
    arrays = [array(v) for v in values]
    if len(arrays) == 1:
        a = arrays[0]
        return np.array([[a.reshape(-1)[np.argmax(np.real(a.reshape(-1)))]]])
    shapes = {x.shape for x in arrays if not is_scalar(x)}
    if len(shapes) > 1:
        raise EvalError("max of arrays of different shapes")
    shape = shapes.pop() if shapes else (1, 1)
    stacked = np.stack([np.broadcast_to(x, shape) for x in arrays])
    index = np.argmax(np.real(stacked), axis=0)
    return np.take_along_axis(stacked, index[None], axis=0)[0]


def analytic_min(*values):
    return -analytic_max(*[-array(v) for v in values])


def softmax(z):
    """The softmax of a vector; of a matrix, of each column (a batch of score vectors)."""
    z = array(z)
    e = np.exp(z - np.max(np.real(z), axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


def magnitude(value) -> float:
    """The largest entry in absolute value (0 for what is not a number or an array)."""
    if isinstance(value, (int, float, complex, np.number)):
        return abs(value)
    if isinstance(value, np.ndarray) and value.size:
        return float(abs(value.flat[0])) if value.size == 1 else float(np.abs(value).max())
    if isinstance(value, (Identity, Ones, Unit)):
        return abs(value.scale)
    if isinstance(value, KronI):
        return abs(value.scale) * float(np.max(np.abs(value.other)))
    return 0.0
