# %% [markdown]
# # The same rules in JAX
#
# The lectures derived every derivative by hand: Jacobian-vector and
# vector-Jacobian products in [The chain rule](../../lectures/chain-rule/), the
# layer rules in [Backpropagation](../../lectures/backpropagation/), gradients
# of matrix functions in [Gradients and inner products](../../lectures/gradients/)
# and [The determinant and the inverse](../../lectures/determinant-inverse/),
# Hessian-vector products in
# [Second derivatives](../../lectures/second-derivatives/), and the adjoint of a
# linear solve in [The adjoint method](../../lectures/adjoint-method/). A
# library for automatic differentiation applies the same rules, operation by
# operation, to any program. This lab takes JAX, writes each hand formula of
# the course as a short NumPy function, recomputes it with one of JAX's
# transformations, and compares the two to the last digits. Each section names
# the transformation that does what the course built by hand; the table at the
# end collects them.
#
# ## Double precision first
#
# JAX computes in single precision unless told otherwise: an array made from
# Python or NumPy floats becomes `float32`, whose rounding unit is about
# $10^{-7}$. Two correct computations of the same derivative, by different
# sequences of operations, then agree to only about seven digits, and a
# comparison cannot tell a correct formula from one that is wrong in the
# eighth digit. The flag `jax_enable_x64` makes `float64` the default; it must
# be set before JAX creates its first array, so it comes right after the
# imports. In double precision the two sides agree to a few units of
# $2^{-52} \approx 2 \times 10^{-16}$ times the growth of rounding errors in
# these small, well-conditioned computations, so every comparison below asks
# for a relative difference below $10^{-12}$. (The last cell of section 1
# shows what single precision gives.)

# %%
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
from jax.scipy.special import logsumexp
from jax.test_util import check_grads
from sklearn.datasets import load_digits

jax.config.update("jax_enable_x64", True)

TOL = 1e-12


def rel(a, b):
    """Relative difference of two arrays, in the Frobenius norm."""
    a, b = np.asarray(a), np.asarray(b)
    return np.linalg.norm(a - b) / np.linalg.norm(b)


def agree(name, by_hand, by_jax, tol=TOL):
    """Print and assert that a hand formula and JAX agree to the digit."""
    by_hand, by_jax = np.asarray(by_hand), np.asarray(by_jax)
    assert by_hand.shape == by_jax.shape, (name, by_hand.shape, by_jax.shape)
    err = rel(by_hand, by_jax)
    print(f"{name:34s} {str(by_jax.shape):9s} "
          f"relative difference {err:.1e} < {tol:.0e}: {err < tol}")
    assert err < tol, name


def disagree(name, wrong, by_jax):
    """Print and assert that a wrong formula is far from JAX."""
    err = rel(wrong, by_jax)
    print(f"{name:34s} {'':9s} relative difference {err:.2f} (wrong)")
    assert err > 0.05, name


print("JAX", jax.__version__, "| default float:", jnp.zeros(1).dtype)
assert jnp.zeros(1).dtype == jnp.float64

# %% [markdown]
# ## 1. Jacobian-vector products and the Jacobian
#
# From [Jacobians of vector functions](../../lectures/jacobians/) and
# [The chain rule](../../lectures/chain-rule/#jacobian-vector-and-vector-jacobian-products).
#
# <!-- math: x, v: n; W: m×n; f(x) := \softmax(W x); p := \softmax(W x); vary: x -->
#
# The map is the softmax classifier of the Jacobians lecture,
# $f(x) = \softmax(W x)$, with $W$ of size $m \times n$ ($4 \times 3$ here,
# so that a transposed Jacobian has the wrong shape and cannot pass for the
# right one). With $p = \softmax(W x)$, the softmax Jacobian
# $\diag(p) - p p^\T$ and the chain rule give the directional derivative and
# the $m \times n$ Jacobian,
#
# $$
# \begin{aligned}
# f'(x)[v] &= p \odot (W v) - p\, (p^\T W v), \\
# J_f(x) &= \big(\diag(p) - p p^\T\big) W .
# \end{aligned}
# $$
#
# Three of JAX's transformations compute them:
#
# - `jax.jvp(f, (x,), (v,))` returns the pair $\big(f(x), f'(x)[v]\big)$ from
#   one pass that carries the tangent $v$ along with the values: the dual
#   numbers of the chain-rule lecture;
# - `jax.jacfwd(f)(x)` stacks the JVPs with the $n$ unit vectors as columns;
# - `jax.jacrev(f)(x)` stacks the VJPs (section 2) with the $m$ unit vectors
#   as rows.
#
# Both Jacobians come out with shape `(m, n)`: the output index first, one
# row per output, which is the course's [convention](../../conventions/#jacobian).

# %%
rng = np.random.default_rng(0)
m, n = 4, 3
W = rng.standard_normal((m, n))
x, v = rng.standard_normal(n), rng.standard_normal(n)


def softmax_np(z):
    e = np.exp(z - z.max())
    return e / e.sum()


# the hand formulas, in NumPy
def jvp_by_hand(x, v):
    p = softmax_np(W @ x)
    return p * (W @ v) - p * (p @ W @ v)


def jacobian_by_hand(x):
    p = softmax_np(W @ x)
    return (np.diag(p) - np.outer(p, p)) @ W


# the same function, written once in jax.numpy
def f(x):
    return jax.nn.softmax(W @ x)


# jax.jit compiles a transformed function as a whole, once: faster here than
# running it operation by operation (JAX compiles each operation on first
# use), and it computes the same derivatives
value, tangent = jax.jit(lambda x, v: jax.jvp(f, (x,), (v,)))(x, v)
J_fwd, J_rev = jax.jit(jax.jacfwd(f))(x), jax.jit(jax.jacrev(f))(x)
agree("f(x), the value from jax.jvp", softmax_np(W @ x), value)
agree("f'(x)[v] vs jax.jvp", jvp_by_hand(x, v), tangent)
agree("J_f(x) vs jax.jacfwd", jacobian_by_hand(x), J_fwd)
agree("J_f(x) vs jax.jacrev", jacobian_by_hand(x), J_rev)
assert J_fwd.shape == J_rev.shape == (m, n)  # rows are outputs

# the hand formula itself, against central differences (all NumPy)
h = 1e-5
numeric = np.column_stack([
    (softmax_np(W @ (x + h * e)) - softmax_np(W @ (x - h * e))) / (2 * h)
    for e in np.eye(n)])
agree("J_f(x) vs central differences", jacobian_by_hand(x), numeric, tol=1e-9)

# softmax treated as elementwise, diag(p (1 - p)) W: a wrong Jacobian
p = softmax_np(W @ x)
disagree("diag(p(1-p)) W vs jax.jacfwd", np.diag(p * (1 - p)) @ W, J_fwd)

# %% [markdown]
# The central differences check the hand formula on its own, to the $10^{-9}$
# or so that they can reach; JAX confirms it to the last digits. Treating
# softmax as if it acted entry by entry keeps only the diagonal of its
# Jacobian and is far off.
#
# The same JVP in single precision (the inputs cast to `float32`, which JAX
# then keeps) agrees with the double-precision hand formula only to about
# seven digits: the reason for the flag at the top.

# %%
W32, x32, v32 = (a.astype(np.float32) for a in (W, x, v))


def f32(x):
    return jax.nn.softmax(W32 @ x)


_, tangent32 = jax.jit(lambda x, v: jax.jvp(f32, (x,), (v,)))(x32, v32)
err32 = rel(tangent32, jvp_by_hand(x, v))
print(f"float32 JVP: dtype {tangent32.dtype}, "
      f"relative difference {err32:.1e} (about 1e-7)")
assert tangent32.dtype == jnp.float32 and 1e-10 < err32 < 1e-5

# %% [markdown]
# ## 2. Vector-Jacobian products, and what each mode costs
#
# From [The chain rule](../../lectures/chain-rule/#jacobian-vector-and-vector-jacobian-products)
# and [Backpropagation](../../lectures/backpropagation/).
#
# <!-- math: x, v: n; u: m; W: m×n; f(x) := \softmax(W x); p := \softmax(W x); vary: x -->
#
# The vector-Jacobian product pulls a vector $u$ of the output space back to
# the input space. The first factor of the softmax Jacobian,
# $\diag(p) - p p^\T$, is symmetric, so transposing the Jacobian moves only
# $W$:
#
# $$
# J_f(x)^\T u = W^\T \big(p \odot u - p\, (p^\T u)\big) ,
# $$
#
# the transpose of the row $u^\T J_f(x)$. In JAX, `y, pullback = jax.vjp(f, x)`
# runs $f$ once, keeps what the backward pass will need, and returns a
# function; `pullback(u)` is the VJP, a tuple with one entry per argument of
# $f$, each shaped like that argument. The dot-product test of the chain-rule
# lecture, $u^\T \big(J_f(x)\, v\big) = \big(J_f(x)^\T u\big)^\T v$ for every
# $u$ and $v$, ties JAX's JVP to its VJP, and it is also how a pullback
# written by hand is tested against a JVP one trusts.

# %%
u = rng.standard_normal(m)


def vjp_by_hand(x, u):
    p = softmax_np(W @ x)
    return W.T @ (p * u - p * (p @ u))


y, pullback = jax.vjp(f, x)
pullback = jax.jit(pullback)  # compiled once, called m + 1 times below
jvp_at_x = jax.jit(lambda v: jax.jvp(f, (x,), (v,))[1])
(x_bar,) = pullback(u)
agree("J^T u vs jax.vjp", vjp_by_hand(x, u), x_bar)
agree("u^T (J v) vs (J^T u)^T v (JAX)", u @ jvp_at_x(v), x_bar @ v)
# a Jacobian from m VJPs (rows) and from n JVPs (columns)
rows = np.vstack([pullback(e)[0] for e in np.eye(m)])
columns = np.column_stack([jvp_at_x(e) for e in np.eye(n)])
agree("m VJPs as rows vs jacobian", rows, jacobian_by_hand(x))
agree("n JVPs as columns vs jacobian", columns, jacobian_by_hand(x))

# a pullback that forgets the term -p (p^T u) fails the dot-product test
p = softmax_np(W @ x)
wrong_vjp = W.T @ (p * u)
disagree("dot-product test, W^T (p * u)", wrong_vjp @ v, u @ jvp_at_x(v))

# %% [markdown]
# JAX's VJP passes the dot-product test to rounding; a pullback that drops
# the term $-p\, (p^\T u)$ fails it by far more.
#
# **What each mode costs.** A JVP costs a small multiple of one evaluation of
# $f : \R^n \to \R^m$, and so does a VJP, so the full Jacobian costs about
# $n$ evaluations by forward mode (`jacfwd`) and about $m$ by reverse mode
# (`jacrev`). For the gradient of a loss, $m = 1$: one VJP, which is what
# `jax.grad` computes, against $n$ JVPs. Timings would depend on the machine,
# so we count instead: `jax.make_jaxpr` shows the program JAX builds for a
# transformed function, and we add up the floating-point operations of its
# matrix products, the operations that dominate here, as the second-derivatives
# lecture counts products with $W$. Two maps, each of growing size:
#
# - a loss $x \mapsto \mathbf{1}^\T \tanh(W x)$ from $\R^n$ to $\R$, with
#   $W$ of size $n \times n$;
# - a layer $x \mapsto \tanh(W x)$ from $\R^4$ to $\R^m$, with $W$ of size
#   $m \times 4$.

# %%
def matmul_flops(jaxpr):
    """Flops of the matrix products in a jaxpr, its inner jaxprs included."""
    total = 0
    for eqn in jaxpr.eqns:
        if eqn.primitive.name == "dot_general":
            (contracted, _), _ = eqn.params["dimension_numbers"]
            lhs = eqn.invars[0].aval.shape
            out = eqn.outvars[0].aval.shape
            total += 2 * np.prod(out) * np.prod([lhs[i] for i in contracted])
        for param in eqn.params.values():
            for sub in param if isinstance(param, (tuple, list)) else [param]:
                inner = getattr(sub, "jaxpr", sub)
                if hasattr(inner, "eqns"):
                    total += matmul_flops(inner)
    return int(total)


def flops(fn, x):
    return matmul_flops(jax.make_jaxpr(fn)(x).jaxpr)


sizes = [10, 30, 100, 300, 1000]
loss_ratios = {"jacfwd": [], "grad": []}
layer_ratios = {"jacfwd": [], "jacrev": []}
for size in sizes:
    W_loss = rng.standard_normal((size, size)) / np.sqrt(size)

    def loss_fn(x, W_loss=W_loss):
        return jnp.sum(jnp.tanh(W_loss @ x))

    x0 = rng.standard_normal(size)
    base = flops(loss_fn, x0)
    loss_ratios["jacfwd"].append(flops(jax.jacfwd(loss_fn), x0) / base)
    loss_ratios["grad"].append(flops(jax.grad(loss_fn), x0) / base)

    W_layer = rng.standard_normal((size, 4))

    def layer(x, W_layer=W_layer):
        return jnp.tanh(W_layer @ x)

    x0 = rng.standard_normal(4)
    base = flops(layer, x0)
    layer_ratios["jacfwd"].append(flops(jax.jacfwd(layer), x0) / base)
    layer_ratios["jacrev"].append(flops(jax.jacrev(layer), x0) / base)

print("matrix-product flops, as multiples of one evaluation")
print(f"{'size':>6} {'loss: jacfwd':>13} {'loss: grad':>11} "
      f"{'layer: jacfwd':>14} {'layer: jacrev':>14}")
for i, size in enumerate(sizes):
    print(f"{size:6d} {loss_ratios['jacfwd'][i]:13.1f} "
          f"{loss_ratios['grad'][i]:11.1f} {layer_ratios['jacfwd'][i]:14.1f} "
          f"{layer_ratios['jacrev'][i]:14.1f}")
for i, size in enumerate(sizes):
    # one VJP (grad) and 4 JVPs cost a few evaluations at every size ...
    assert loss_ratios["grad"][i] < 4 and layer_ratios["jacfwd"][i] < 4 * 3
    # ... n JVPs and m VJPs cost about n and m evaluations
    assert size / 2 < loss_ratios["jacfwd"][i] < 3 * size
    assert size / 2 < layer_ratios["jacrev"][i] < 3 * size

# %%
# alt: Two log-log panels, one above the other, of the cost in matrix-product flops, as a multiple of one evaluation, against the size from 10 to 1000. Above, the gradient of a loss from ℝⁿ to ℝ: jax.jacfwd, with n JVPs, costs n + 1 evaluations, from 11 to 1001, along the dashed line of the size, while jax.grad, with one VJP, stays at 2 for every n. Below, the Jacobian of a layer from ℝ⁴ to ℝᵐ: the roles swap, jax.jacfwd, with 4 JVPs, stays at 5 for every m, while jax.jacrev, with m VJPs, grows as m + 1, from 11 to 1001.
fig, (ax_loss, ax_layer) = plt.subplots(2, 1, figsize=(4, 6.8), sharey=True,
                                        layout="constrained")
ax_loss.loglog(sizes, loss_ratios["jacfwd"], "C0o-",
               label="jax.jacfwd: n JVPs")
ax_loss.loglog(sizes, loss_ratios["grad"], "C1s-",
               label="jax.grad: one VJP")
ax_loss.set_xlabel("inputs n")
ax_loss.set_ylabel("flops / flops of one evaluation")
ax_loss.set_title("gradient of a loss, ℝⁿ → ℝ")
ax_layer.loglog(sizes, layer_ratios["jacfwd"], "C0o-",
                label="jax.jacfwd: 4 JVPs")
ax_layer.loglog(sizes, layer_ratios["jacrev"], "C1s-",
                label="jax.jacrev: m VJPs")
ax_layer.set_xlabel("outputs m")
ax_layer.set_ylabel("flops / flops of one evaluation")
ax_layer.set_title("Jacobian of a layer, ℝ⁴ → ℝᵐ")
for ax in (ax_loss, ax_layer):
    ax.loglog(sizes, sizes, color="gray", ls="--", lw=1, label="size")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# The lines are the two columns of the chain-rule lecture's
# [table](../../lectures/chain-rule/#which-mode-when). For the loss, $n$ JVPs
# grow with $n$ while one VJP stays at a fixed small multiple of one
# evaluation of the loss: the cheap gradient principle of
# [The cost of a gradient](../../lectures/gradient-cost/). For the layer the
# roles swap: with four inputs and $m$ outputs, forward mode stays flat and
# reverse mode needs one VJP per output. JAX does not choose for you:
# `jacfwd` and `jacrev` give the same matrix, and picking the one whose count
# ($n$ or $m$) is smaller is the user's job.
#
# ## 3. Gradients of matrix functions
#
# From [Gradients and inner products](../../lectures/gradients/#a-catalogue-of-gradients)
# and [The determinant and the inverse](../../lectures/determinant-inverse/#the-derivative-of-the-inverse-revisited).
# For a scalar function of a matrix, the course's gradient has the shape of
# the matrix, and so does the result of `jax.grad`: JAX returns the cotangent
# of each argument shaped like the argument, entry $(i, j)$ being the partial
# derivative with respect to $X_{ij}$.
#
# <!-- math: A: n×m; X: m×n; vary: X -->
#
# For $X$ of size $m \times n$ and $A$ of size $n \times m$ (a non-square
# $X$, so the shapes alone tell $A$ from $A^\T$),
#
# $$
# \nabla \tr(A X) = A^\T .
# $$
#
# <!-- math: forget: X; X: n×n positive-spectrum; vary: X -->
#
# For a square $X$ with a positive determinant (the check draws one whose
# eigenvalues are real and positive),
#
# $$
# \nabla \log \det X = X^{-\T} .
# $$
#
# <!-- math: forget: X; X: n×n; u, v: n; vary: X -->
#
# And for a square invertible $X$ and vectors $u, v$, the quantity behind a
# linear solve,
#
# $$
# \nabla (u^\T X^{-1} v) = -X^{-\T} u v^\T X^{-\T} .
# $$

# %%
A = rng.standard_normal((3, 5))  # n x m
X_rect = rng.standard_normal((5, 3))  # m x n
grad_trace = jax.jit(jax.grad(lambda X: jnp.trace(A @ X)))(X_rect)
agree("grad tr(AX) vs A^T", A.T, grad_trace)

n = 4
X = np.eye(n) + 0.3 * rng.standard_normal((n, n))
if np.linalg.det(X) < 0:
    X[0] = -X[0]  # a matrix with det X > 0, so log det X is defined
u, v = rng.standard_normal(n), rng.standard_normal(n)
X_inv = np.linalg.inv(X)

grad_logdet = jax.jit(jax.grad(lambda X: jnp.log(jnp.linalg.det(X))))(X)
agree("grad log det X vs X^{-T}", X_inv.T, grad_logdet)
disagree("X^{-1} (transpose forgotten)", X_inv, grad_logdet)

grad_bilinear = jax.jit(jax.grad(lambda X: u @ jnp.linalg.solve(X, v)))(X)
agree("grad u^T X^{-1} v vs hand", -X_inv.T @ np.outer(u, v) @ X_inv.T,
      grad_bilinear)
disagree("-X^{-1} u v^T X^{-1} (wrong)", -X_inv @ np.outer(u, v) @ X_inv,
         grad_bilinear)

# %% [markdown]
# `jax.grad` reaches these closed forms the way the course does, by the chain
# rule through operations whose derivatives someone wrote down once. JAX does
# not differentiate the LU factorisation inside `det` and `solve` line by
# line: `jnp.linalg.det` (of a matrix larger than $3 \times 3$, as here)
# carries its own rule,
# [Jacobi's formula](../../lectures/determinant-inverse/#jacobis-formula)
# $\dd \det X = \det X \tr(X^{-1} \dd X)$ evaluated with a solve, and
# `jnp.linalg.solve` carries the adjoint rule of section 6 (the cell below
# finds both rules in the programs JAX builds). The chain rule through $\log$
# and through the inner product with $u$ does the rest, and the transposes
# come out where the course put them; the same formulas with the transposes
# forgotten are far off.

# %%
# the derivative rules JAX attaches to det and to solve (this JAX version):
# the programs JAX builds for them wrap the computation in a rule of its own
det_program = str(jax.make_jaxpr(jnp.linalg.det)(X))
solve_program = str(jax.make_jaxpr(jnp.linalg.solve)(X, v))
print("det has a custom JVP rule:", "custom_jvp_call" in det_program)
print("solve is a custom linear solve:", "custom_linear_solve" in solve_program)
assert "custom_jvp_call" in det_program
assert "custom_linear_solve" in solve_program

# %% [markdown]
# <!-- math: forget: X, u, v; X: n×n; I: n×n; vary: X -->
#
# A Jacobian of a matrix-valued function is a different matter. For
# $F(X) = X^2$, `jax.jacfwd(F)(X)` returns an array with four indices,
# `J[i, j, k, l]` $= \partial (X^2)_{ij} / \partial X_{kl}$: output indices
# first, as for vectors, but not flattened. The course writes the derivative
# with [vec](../../conventions/#vec), which stacks columns,
#
# $$
# \vec \dd (X^2) = \left(X^\T \kron I + I \kron X\right) \vec \dd X ,
# $$
#
# and JAX's array becomes that $n^2 \times n^2$ matrix when both pairs of
# indices are flattened column by column, `J.reshape(n * n, n * n, order="F")`.
# NumPy's default row-major `reshape` gives a matrix that is also a valid
# Jacobian, of the row-major flattening, but not the course's.

# %%
I = np.eye(n)
J4 = jax.jit(jax.jacfwd(lambda X: X @ X))(X)
print("jax.jacfwd of X -> X^2: shape", J4.shape)
kron_form = np.kron(X.T, I) + np.kron(I, X)
agree("J reshaped column by column", kron_form,
      np.asarray(J4).reshape(n * n, n * n, order="F"))
disagree("J reshaped row by row", np.asarray(J4).reshape(n * n, n * n),
         kron_form)

# %% [markdown]
# ## 4. The backward pass of a network
#
# From [Backpropagation](../../lectures/backpropagation/#exercises) (its second
# exercise) and the [training lab](../train-mlp/).
#
# <!-- math
# X: n×N; W_1: m×n; b_1: m; W_2: c×m; b_2: c; Y: c×N onehot; adjoint: L
# L := -\frac{1}{N} \sum (Y \odot \log(P))   # the mean cross-entropy: the sum runs over every entry
# P := \softmax(Z)
# -->
#
# The two-layer network of the course reads a batch $X$ of $N$ digits, one
# image of 64 pixels per column, and computes $A = W_1 X + b_1$,
# $H = \tanh(A)$, $Z = W_2 H + b_2$, the probabilities $P = \softmax(Z)$ of
# each column and the mean cross-entropy $L$ with the one-hot labels $Y$.
# Backpropagation, written as array formulas, is
#
# $$
# \begin{gathered}
# \bar Z = \frac{1}{N} (P - Y), \qquad \bar W_2 = \bar Z H^\T, \\
# \bar b_2 = \bar Z \mathbf{1}, \qquad \bar H = W_2^\T \bar Z ,
# \end{gathered}
# $$
#
# $$
# \begin{gathered}
# \bar A = (1 - H \odot H) \odot \bar H, \\
# \bar W_1 = \bar A X^\T, \qquad \bar b_1 = \bar A \mathbf{1} .
# \end{gathered}
# $$
#
# In JAX the whole backward pass is `jax.grad(loss)(params, X, Y)`. The
# parameters go in as a tuple, and the gradient comes back as a tuple of the
# same structure, each entry shaped like its parameter ($\bar b_1$ is a
# column, as $b_1$ is); `jax.grad` differentiates with respect to the first
# argument only, so no gradient is computed for the data.

# %%
digits = load_digits()
N = 32
X_batch = digits.data[:N].T / 16.0  # 64 x N, examples as columns
Y_batch = np.eye(10)[:, digits.target[:N]]  # 10 x N, one-hot columns
n_in, n_hidden, n_out = 64, 16, 10
params = (
    0.3 * rng.standard_normal((n_hidden, n_in)),
    0.1 * rng.standard_normal((n_hidden, 1)),
    0.3 * rng.standard_normal((n_out, n_hidden)),
    0.1 * rng.standard_normal((n_out, 1)),
)


def loss(params, X, Y):
    W1, b1, W2, b2 = params
    H = jnp.tanh(W1 @ X + b1)
    Z = W2 @ H + b2
    log_P = Z - logsumexp(Z, axis=0, keepdims=True)
    return -jnp.sum(Y * log_P) / X.shape[1]


def backward_by_hand(params, X, Y, tanh_rule=lambda H: 1 - H * H):
    W1, b1, W2, b2 = params
    N = X.shape[1]
    H = np.tanh(W1 @ X + b1)
    Z = W2 @ H + b2
    P = np.exp(Z - Z.max(axis=0))
    P /= P.sum(axis=0)
    Z_bar = (P - Y) / N
    W2_bar, b2_bar = Z_bar @ H.T, Z_bar.sum(axis=1, keepdims=True)
    H_bar = W2.T @ Z_bar
    A_bar = tanh_rule(H) * H_bar
    W1_bar, b1_bar = A_bar @ X.T, A_bar.sum(axis=1, keepdims=True)
    return W1_bar, b1_bar, W2_bar, b2_bar


print(f"batch: X {X_batch.shape}, Y {Y_batch.shape}; "
      f"loss {jax.jit(loss)(params, X_batch, Y_batch):.4f}")
by_jax = jax.jit(jax.grad(loss))(params, X_batch, Y_batch)  # compiled once
by_hand = backward_by_hand(params, X_batch, Y_batch)
for name, hand, auto in zip(["W1", "b1", "W2", "b2"], by_hand, by_jax):
    agree(f"{name}_bar vs jax.grad", hand, auto)

# the tanh rule with 1 - H instead of 1 - H * H
wrong = backward_by_hand(params, X_batch, Y_batch, tanh_rule=lambda H: 1 - H)
disagree("W1_bar with (1 - H) for (1 - H*H)", wrong[0], by_jax[0])
disagree("b1_bar with (1 - H) for (1 - H*H)", wrong[1], by_jax[1])
# the layer above the tanh does not see the mistake
agree("W2_bar with (1 - H), unchanged", wrong[2], by_jax[2])
agree("b2_bar with (1 - H), unchanged", wrong[3], by_jax[3])

# %% [markdown]
# Every gradient matches to the digit, the bias columns included. A tanh rule
# written as $1 - H$ instead of $1 - H \odot H$ changes $\bar W_1$ and
# $\bar b_1$ (not $\bar W_2$), and the comparison catches it.
#
# ## 5. A Hessian-vector product
#
# From [Second derivatives](../../lectures/second-derivatives/#hessian-vector-products).
#
# <!-- math: x, v: n; W: m×n; f(x) := \mathbf{1}^\T \tanh(W x); t := \tanh(W x); vary: x -->
#
# For the layer-and-sum $f(x) = \mathbf{1}^\T \tanh(W x)$ with
# $t = \tanh(W x)$, the lecture found the Hessian and its product with a
# vector $v$:
#
# $$
# \begin{aligned}
# \nabla^2 f(x) &= W^\T \diag\big(-2\, t \odot (\mathbf{1} - t \odot t)\big) W , \\
# \nabla^2 f(x)\, v &= W^\T \big(-2\, t \odot (\mathbf{1} - t \odot t) \odot (W v)\big) .
# \end{aligned}
# $$
#
# JAX composes its transformations, so the lecture's two exact methods, and
# the full Hessian, are one line each (the third method of the lecture,
# central differences of gradients, needs no JAX):
#
# - forward over reverse: `jax.jvp(jax.grad(f), (x,), (v,))[1]`, the
#   directional derivative of the gradient;
# - reverse over reverse: `jax.grad(lambda x: jnp.vdot(jax.grad(f)(x), v))(x)`;
# - the full Hessian, `jax.hessian(f)(x)`, which JAX defines as
#   `jax.jacfwd(jax.jacrev(f))`; for a scalar $f$, `jax.jacrev(f)` is the
#   gradient, so the Hessian is $n$ JVPs of the gradient, one per unit vector.

# %%
m, n = 6, 4
W = rng.standard_normal((m, n))
x, v = rng.standard_normal(n), rng.standard_normal(n)


def hvp_by_hand(x, v):
    t = np.tanh(W @ x)
    return W.T @ (-2 * t * (1 - t * t) * (W @ v))


def hessian_by_hand(x):
    t = np.tanh(W @ x)
    return W.T @ np.diag(-2 * t * (1 - t * t)) @ W


def f(x):
    return jnp.sum(jnp.tanh(W @ x))


hvp_fwd_rev = jax.jit(lambda x, v: jax.jvp(jax.grad(f), (x,), (v,))[1])(x, v)
hvp_rev_rev = jax.jit(jax.grad(lambda x: jnp.vdot(jax.grad(f)(x), v)))(x)
H_full = jax.jit(jax.hessian(f))(x)
agree("Hv vs forward over reverse", hvp_by_hand(x, v), hvp_fwd_rev)
agree("Hv vs reverse over reverse", hvp_by_hand(x, v), hvp_rev_rev)
agree("Hessian vs jax.hessian", hessian_by_hand(x), H_full)
agree("jax.hessian(f)(x) @ v vs Hv", hvp_by_hand(x, v), H_full @ v)
# the Hessian without the dependence of 1 - t*t on x: wrong
t = np.tanh(W @ x)
disagree("W^T diag(1 - t*t) W (wrong)", W.T @ np.diag(1 - t * t) @ W, H_full)

# %% [markdown]
# All three agree with the lecture's formula to rounding. The matrix
# $W^\T \diag(\mathbf{1} - t \odot t)\, W$, which keeps the derivative of
# tanh in the diagonal instead of differentiating it once more, is far off.
#
# Which is cheap? The same count of matrix-product flops as in section 2,
# now for a square $W$ of size $300 \times 300$: one HVP by forward over
# reverse costs a small multiple of one evaluation of $f$ (the lecture counts
# four products with $W$ or $W^\T$ against two for the gradient), while
# `jax.hessian` costs a multiple of $n$ evaluations and returns $n^2$
# numbers, which still have to be multiplied by $v$.

# %%
size = 300
W_big = rng.standard_normal((size, size)) / np.sqrt(size)
x_big, v_big = rng.standard_normal(size), rng.standard_normal(size)


def f_big(x):
    return jnp.sum(jnp.tanh(W_big @ x))


base = flops(f_big, x_big)
counts = {
    "gradient (jax.grad)": flops(jax.grad(f_big), x_big),
    "HVP, forward over reverse": flops(
        lambda x: jax.jvp(jax.grad(f_big), (x,), (v_big,))[1], x_big),
    "HVP, reverse over reverse": flops(
        jax.grad(lambda x: jnp.vdot(jax.grad(f_big)(x), v_big)), x_big),
    "full Hessian (jax.hessian)": flops(jax.hessian(f_big), x_big),
}
for name, count in counts.items():
    print(f"{name:28s} {count / base:8.1f} evaluations of f")
grad_count, hvp = counts["gradient (jax.grad)"], counts["HVP, forward over reverse"]
hessian_count = counts["full Hessian (jax.hessian)"]
print(f"HVPs below 3 gradients: "
      f"{max(hvp, counts['HVP, reverse over reverse']) < 3 * grad_count}; "
      f"Hessian between n and 3n evaluations: "
      f"{size < hessian_count / base < 3 * size}; "
      f"Hessian above n/3 HVPs: {hessian_count > size / 3 * hvp}")
assert hvp < 3 * grad_count
assert counts["HVP, reverse over reverse"] < 3 * grad_count
assert size < hessian_count / base < 3 * size
assert hessian_count > size / 3 * hvp

# %% [markdown]
# An HVP costs about two gradients, whatever $n$ is, by either method. The
# Hessian costs about $2n$ evaluations of $f$, half of what $n$ separate HVPs
# would: `jax.jacfwd` pushes all $n$ unit vectors through the gradient
# program at once (it batches its JVPs with `jax.vmap`), so the products that
# do not touch the tangent, $W x$ and the gradient itself, are done once, and
# each column adds one product with $W$ and one with $W^\T$. Half, but still
# growing with $n$. Algorithms that need curvature (conjugate gradients for a
# Newton step, the power iteration for the largest eigenvalue) need only
# products with it, so `jax.jvp` of `jax.grad` is the tool, and
# `jax.hessian` is for small problems and for checks like the one above.
#
# ## 6. The adjoint of a linear solve, as a custom VJP
#
# From [The adjoint method](../../lectures/adjoint-method/#the-adjoint-one-solve-for-all-parameters).
#
# <!-- math: A: n×n invertible; b: n; x := A^{-1} b; \bar x: like x; E := \inner{\bar x}{x}; adjoint: E -->
#
# When a program solves $A x = b$ and a loss $E$ depends on $x$, the
# pullback of the solve takes the adjoint $\bar x = \nabla_x E$ to the
# adjoints of the data with one solve with the transposed matrix:
#
# $$
# \bar b = A^{-\T} \bar x, \qquad \bar A = -\bar b\, x^\T .
# $$
#
# `jax.custom_vjp` attaches this rule to a function of our own, so that JAX
# uses it instead of differentiating whatever the function does inside. A
# custom VJP has three parts: the function; a forward pass, which returns the
# value and the *residuals* the backward pass will need (here $A$ and $x$);
# and a backward pass, which maps the residuals and $\bar x$ to one cotangent
# per argument, each shaped like its argument.
#
# <!-- math: forget: E, \bar x; E := \sum_i \sin x_i + \frac{1}{2} \norm{x}^2 -->
#
# Below, a loss $E = \sum_i \sin x_i + \tfrac12 \norm{x}^2$ of the solution
# (so $\bar x = \cos x + x$, entry by entry) is differentiated three ways:
# through the custom rule, through JAX's own `jnp.linalg.solve`, and by the
# hand formula in NumPy.

# %%
@jax.custom_vjp
def solve(A, b):
    return jnp.linalg.solve(A, b)


def solve_forward(A, b):
    x = jnp.linalg.solve(A, b)
    return x, (A, x)  # the value, and the residuals for the backward pass


def solve_backward(residuals, x_bar):
    A, x = residuals
    b_bar = jnp.linalg.solve(A.T, x_bar)  # the adjoint solve
    return -jnp.outer(b_bar, x), b_bar  # (A_bar, b_bar), shaped like (A, b)


solve.defvjp(solve_forward, solve_backward)


def loss_of(solver):
    def E(A, b):
        x = solver(A, b)
        return jnp.sum(jnp.sin(x)) + 0.5 * jnp.sum(x * x)
    return E


n = 5
A = np.eye(n) * 3 + rng.standard_normal((n, n))
b = rng.standard_normal(n)

# by hand, in NumPy
x = np.linalg.solve(A, b)
x_bar = np.cos(x) + x
b_bar = np.linalg.solve(A.T, x_bar)
A_bar = -np.outer(b_bar, x)

custom = jax.jit(jax.grad(loss_of(solve), argnums=(0, 1)))(A, b)
builtin = jax.jit(jax.grad(loss_of(jnp.linalg.solve), argnums=(0, 1)))(A, b)
agree("A_bar: custom_vjp vs hand", A_bar, custom[0])
agree("b_bar: custom_vjp vs hand", b_bar, custom[1])
agree("A_bar: custom_vjp vs jnp solve", builtin[0], custom[0])
agree("b_bar: custom_vjp vs jnp solve", builtin[1], custom[1])

# %% [markdown]
# <!-- math: wrong "\bar A = -x\, \bar b^\T" -->
#
# JAX trusts a custom rule: it never checks it against the function. A rule
# with the outer product the wrong way round, $\bar A = -x\, \bar b^\T$, has
# the right shape and is used without complaint; only a comparison shows
# the mistake. `jax.test_util.check_grads` does that comparison with finite
# differences along a random direction, and rejects the wrong rule while it
# accepts the right one.

# %%
@jax.custom_vjp
def solve_wrong(A, b):
    return jnp.linalg.solve(A, b)


def solve_wrong_backward(residuals, x_bar):
    A, x = residuals
    b_bar = jnp.linalg.solve(A.T, x_bar)
    return -jnp.outer(x, b_bar), b_bar  # the outer product transposed


solve_wrong.defvjp(solve_forward, solve_wrong_backward)
wrong = jax.jit(jax.grad(loss_of(solve_wrong), argnums=0))(A, b)
disagree("A_bar with -x b_bar^T", wrong, custom[0])

check_grads(jax.jit(loss_of(solve)), (A, b), order=1, modes=["rev"])
print("check_grads, right rule: passes")
try:
    check_grads(jax.jit(loss_of(solve_wrong)), (A, b), order=1, modes=["rev"])
    caught = False
except AssertionError:
    caught = True
print(f"check_grads, wrong rule: rejected: {caught}")
assert caught

# %% [markdown]
# Writing this rule by hand is what JAX itself does for `jnp.linalg.solve`:
# the version installed here defines it through `jax.lax.custom_linear_solve`
# and gives the transposed solve from the same LU factors (`lu_solve` with
# `trans=1`), so the backward pass costs two triangular solves and no new
# factorisation, as the
# [adjoint lecture](../../lectures/adjoint-method/#the-adjoint-one-solve-for-all-parameters)
# recommends. The rule above is less careful: its backward pass calls
# `jnp.linalg.solve(A.T, ...)`, which factorises $A^\T$ afresh. Both solve
# the same adjoint system, which is why the gradients agree to rounding; the
# difference is in the work, and the programs JAX builds for the two
# gradients show it.

# %%
def count_primitive(jaxpr, name):
    """How many times a primitive occurs in a jaxpr, its inner jaxprs included."""
    total = 0
    for eqn in jaxpr.eqns:
        total += eqn.primitive.name == name
        for param in eqn.params.values():
            for sub in param if isinstance(param, (tuple, list)) else [param]:
                inner = getattr(sub, "jaxpr", sub)
                if hasattr(inner, "eqns"):
                    total += count_primitive(inner, name)
    return total


lu_counts = {
    name: count_primitive(jax.make_jaxpr(
        jax.grad(loss_of(solver), argnums=(0, 1)))(A, b).jaxpr, "lu")
    for name, solver in [("custom_vjp rule", solve),
                         ("jnp.linalg.solve", jnp.linalg.solve)]}
for name, count in lu_counts.items():
    print(f"gradient through {name:17s}: {count} LU factorisation(s)")
assert lu_counts == {"custom_vjp rule": 2, "jnp.linalg.solve": 1}

# %% [markdown]
# A custom VJP earns its keep where JAX cannot see the structure: an
# iterative solver, a call to outside code, or a fixed point whose
# [implicit derivative](../../lectures/newton-implicit/) is cheaper than
# differentiating every iteration. The second of the things to try below
# brings the custom rule down to one factorisation.
#
# ## 7. The course's tools and their JAX names
#
# | the course built by hand (lecture) | JAX |
# |---|---|
# | the gradient of a scalar, shaped like the variable ([Gradients and inner products](../../lectures/gradients/)) | `jax.grad` |
# | a JVP $f'(x)[v]$: forward mode, dual numbers ([The chain rule](../../lectures/chain-rule/)) | `jax.jvp` |
# | a VJP $J^\T u$: reverse mode, a pullback ([The chain rule](../../lectures/chain-rule/), [Backpropagation](../../lectures/backpropagation/)) | `jax.vjp` |
# | the Jacobian from $n$ JVPs, one column each ([Jacobians of vector functions](../../lectures/jacobians/)) | `jax.jacfwd` |
# | the Jacobian from $m$ VJPs, one row each ([The chain rule](../../lectures/chain-rule/)) | `jax.jacrev` |
# | the Hessian, the Jacobian of the gradient ([Second derivatives](../../lectures/second-derivatives/)) | `jax.hessian` |
# | a Hessian-vector product, forward over reverse ([Second derivatives](../../lectures/second-derivatives/)) | `jax.jvp` of `jax.grad` |
# | a pullback written by hand, the adjoint of a solve ([The adjoint method](../../lectures/adjoint-method/)) | `jax.custom_vjp` |
# | a backward pass through a whole network ([Backpropagation](../../lectures/backpropagation/)) | `jax.grad` of the loss |
#
# Two conventions carry over unchanged: JAX's Jacobians have one row per
# output, and its gradients have the shape of the variable. The one that does
# not is vec: a Jacobian between matrices comes back with four indices, and
# flattening it into the course's matrix needs column-major order.
#
# ## Things to try
#
# - Remove the `jax_enable_x64` line and run the lab again: which comparisons
#   fail, and by how much?
# - Keep an LU factorisation of $A$ as the residual of the custom solve
#   (`jax.scipy.linalg.lu_factor` in the forward pass, `lu_solve` with
#   `trans=1` in the backward pass), so that the backward pass factorises
#   nothing, and count the LU factorisations of its gradient again.
# - Compute the full Jacobian of the network's loss with respect to the input
#   pixels of the batch, with `jax.jacfwd` and with `jax.jacrev`, and count
#   their flops as in section 2: which mode should win, and does it?
#
# ## References
#
# - J. Bradbury, R. Frostig, P. Hawkins, M. J. Johnson, C. Leary,
#   D. Maclaurin, G. Necula, A. Paszke, J. VanderPlas, S. Wanderman-Milne,
#   Q. Zhang, *JAX: composable transformations of Python+NumPy programs*
#   (2018), software; its documentation pages "The autodiff cookbook"
#   (`jvp`, `vjp`, `jacfwd`, `jacrev`, `hessian`, Hessian-vector products by
#   forward over reverse), "Custom derivative rules for JAX-transformable
#   Python functions" (`custom_vjp`) and "JAX sharp bits" (double precision
#   and `jax_enable_x64`); in its source, the derivative rule of
#   `jnp.linalg.det` (`jax/_src/numpy/linalg.py`) and the definition of
#   `jnp.linalg.solve` through `custom_linear_solve`
#   (`jax/_src/lax/linalg.py`); `jax.vmap` in `jax.jacfwd` and the
#   definition of `jax.hessian` (`jax/_src/api.py`).
# - A. Griewank, A. Walther, *Evaluating Derivatives*, 2nd ed., SIAM (2008):
#   tangent and adjoint modes and their costs.
# - A. G. Baydin, B. A. Pearlmutter, A. A. Radul, J. M. Siskind, "Automatic
#   differentiation in machine learning: a survey", *JMLR* 18(153) (2018).
# - B. A. Pearlmutter, "Fast exact multiplication by the Hessian", *Neural
#   Computation* 6(1) (1994), 147–160.
# - M. B. Giles, "Collected matrix derivative results for forward and reverse
#   mode algorithmic differentiation", in *Advances in Automatic
#   Differentiation*, Springer (2008): the reverse-mode rules of the inverse,
#   the determinant and the linear solve.
