"""Reverse-mode automatic differentiation for NumPy arrays, on one page.

Each operation computes its value and writes on a tape, for each of its inputs,
a vector-Jacobian product (VJP): a function that takes the gradient of the
final scalar with respect to the operation's output and returns the gradient
with respect to that input. `Tape.gradient` walks the tape once, backwards,
and adds up the contributions of every path. Called on plain arrays, the same
operations just compute values and record nothing.
"""

# --8<-- [start:engine]
import numpy as np


class Tape:
    """The operations of one evaluation, in the order they ran."""

    def __init__(self):
        # entry i: a pair (input index, vjp) for each input of value i
        self.entries = []

    def variable(self, value):
        """An input we want the gradient with respect to."""
        return Var(self, value, ())

    def gradient(self, output, inputs):
        """Gradients of the scalar `output` with respect to each of `inputs`."""
        if output.value.shape != ():
            shape = output.value.shape
            raise ValueError(f"gradient needs a scalar output, got {shape}")
        grads = [None] * len(self.entries)
        grads[output.index] = np.ones(())
        for index in range(output.index, -1, -1):  # the tape, backwards
            g = grads[index]
            if g is None:  # this value does not reach the output
                continue
            for parent, vjp in self.entries[index]:
                contribution = vjp(g)
                # A value used more than once receives the sum of its gradients.
                if grads[parent] is None:
                    grads[parent] = contribution
                else:
                    grads[parent] = grads[parent] + contribution
        return [np.zeros_like(x.value) if grads[x.index] is None
                else grads[x.index] for x in inputs]


class Var:
    """A value recorded on a tape."""

    __array_ufunc__ = None  # makes `array @ var` call Var.__rmatmul__

    def __init__(self, tape, value, parents):
        self.tape, self.value = tape, np.asarray(value, dtype=float)
        self.index = len(tape.entries)
        tape.entries.append(parents)

    def __add__(self, other):
        return add(self, other)

    def __mul__(self, other):
        return mul(self, other)

    def __matmul__(self, other):
        return matmul(self, other)

    __radd__ = __add__
    __rmul__ = __mul__

    def __rmatmul__(self, other):
        return matmul(other, self)


def value_of(x):
    return x.value if isinstance(x, Var) else np.asarray(x, dtype=float)


def record(value, *links):
    """The result of an operation; `links` pairs each input with its VJP."""
    links = [(x, vjp) for x, vjp in links if isinstance(x, Var)]
    if not links:  # no input is on a tape: a plain evaluation
        return value
    tape = links[0][0].tape
    if any(x.tape is not tape for x, _ in links):
        raise ValueError("an operation mixes values from two different tapes")
    return Var(tape, value, tuple((x.index, vjp) for x, vjp in links))


def unbroadcast(g, shape):
    """Sum g down to `shape`: broadcasting copies a value; its gradients add."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def add(a, b):  # the add gate hands the gradient to both inputs
    av, bv = value_of(a), value_of(b)
    return record(av + bv, (a, lambda g: unbroadcast(g, av.shape)),
                  (b, lambda g: unbroadcast(g, bv.shape)))


def mul(a, b):  # elementwise; the multiply gate swaps its inputs
    av, bv = value_of(a), value_of(b)
    return record(av * bv, (a, lambda g: unbroadcast(g * bv, av.shape)),
                  (b, lambda g: unbroadcast(g * av, bv.shape)))


def matmul(a, b):  # C = A B: A_bar = C_bar B^T, B_bar = A^T C_bar
    av, bv = value_of(a), value_of(b)
    return record(av @ bv, (a, lambda g: g @ bv.T), (b, lambda g: av.T @ g))


def tanh(a):  # the derivative reuses the output: 1 - tanh^2
    y = np.tanh(value_of(a))
    return record(y, (a, lambda g: g * (1.0 - y * y)))


def relu(a):  # max(a, 0) routes the gradient to where a > 0
    av = value_of(a)
    return record(np.maximum(av, 0.0), (a, lambda g: g * (av > 0)))


def total(a):  # the sum of all entries
    av = value_of(a)
    return record(av.sum(), (a, lambda g: np.full(av.shape, g)))


def softmax_cross_entropy(z, y):
    """Mean over the columns of z (logits, one column per example) of
    -sum(y * log softmax(z)); y holds one-hot labels, not differentiated."""
    zv, y = value_of(z), np.asarray(y, dtype=float)
    shifted = zv - zv.max(axis=0)  # same softmax; exp cannot overflow
    log_p = shifted - np.log(np.exp(shifted).sum(axis=0))
    count = zv.shape[1]
    return record(-(y * log_p).sum() / count,
                  (z, lambda g: g * (np.exp(log_p) - y) / count))


# --8<-- [end:engine]
# --8<-- [start:network]


def init_params(rng, n_in, n_hidden, n_out):
    """W1, b1, W2, b2 of a network with one tanh hidden layer."""
    return [rng.standard_normal((n_hidden, n_in)) / np.sqrt(n_in),
            np.zeros((n_hidden, 1)),
            rng.standard_normal((n_out, n_hidden)) / np.sqrt(n_hidden),
            np.zeros((n_out, 1))]


def logits(params, x):
    """Class scores, one column per example (the columns of x)."""
    w1, b1, w2, b2 = params
    return w2 @ tanh(w1 @ x + b1) + b2


def loss(params, x, y):
    """Mean cross-entropy; a plain number for arrays, a Var for Vars."""
    return softmax_cross_entropy(logits(params, x), y)


def loss_and_gradient(params, x, y):
    tape = Tape()
    variables = [tape.variable(p) for p in params]
    out = loss(variables, x, y)
    return float(out.value), tape.gradient(out, variables)


def central_difference_gradient(f, params, h=1e-5):
    """The gradient of f(params), one entry at a time: 2 evaluations each."""
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            saved = p[i]
            p[i] = saved + h
            up = f(params)
            p[i] = saved - h
            down = f(params)
            p[i] = saved
            g[i] = (up - down) / (2 * h)
        grads.append(g)
    return grads


# --8<-- [end:network]
# --8<-- [start:fan_out]


def tied_loss(w, x):
    """A loss with fan-out: w is used by two layers, and h by both factors
    of h * h. The network above uses every value once."""
    h = tanh(w @ tanh(w @ x))
    return total(h * h)


def fan_out_error(rng, tape_class=Tape):
    """Relative error of the gradient of tied_loss against central differences:
    only a value used twice shows whether the tape adds its contributions."""
    w, x = 0.5 * rng.standard_normal((4, 4)), rng.standard_normal((4, 3))
    tape = tape_class()
    variable = tape.variable(w)
    (grad,) = tape.gradient(tied_loss(variable, x), [variable])
    (numeric,) = central_difference_gradient(lambda ps: tied_loss(ps[0], x), [w])
    return np.linalg.norm(grad - numeric) / np.linalg.norm(numeric)


# --8<-- [end:fan_out]

if __name__ == "__main__":
    # A two-layer network: 5 inputs, 4 hidden units, 3 classes, 6 examples.
    rng = np.random.default_rng(0)
    params = [p + 0.1 * rng.standard_normal(p.shape)  # nonzero biases too
              for p in init_params(rng, 5, 4, 3)]
    x = rng.standard_normal((5, 6))
    y = np.eye(3)[:, rng.integers(0, 3, size=6)]  # one-hot columns
    value, grads = loss_and_gradient(params, x, y)
    assert value == loss(params, x, y)  # taped or not, the same arithmetic
    numeric = central_difference_gradient(lambda ps: loss(ps, x, y), params)
    for name, g, n in zip(["W1", "b1", "W2", "b2"], grads, numeric):
        err = np.linalg.norm(g - n) / np.linalg.norm(n)
        print(f"{name}: shape {g.shape}, "
              f"relative error below 1e-8: {err < 1e-8}")
        assert err < 1e-8
    # Fan-out, which the network above does not have: a weight used twice.
    err = fan_out_error(rng)
    print(f"W used by two layers: relative error below 1e-8: {err < 1e-8}")
    assert err < 1e-8
