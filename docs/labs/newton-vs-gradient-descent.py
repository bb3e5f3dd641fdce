# %% [markdown]
# # Newton versus gradient descent
#
# A lab for the lectures
# [Newton's method and implicit functions](../../lectures/newton-implicit/) and
# [Second derivatives](../../lectures/second-derivatives/). Both lectures fit a
# logistic regression by Newton's method on made-up data; here the data are
# real, the 1797 scanned digits that ship with scikit-learn, and Newton's
# method races plain gradient descent to the same minimum. The steps:
#
# 1. write down the regularised loss, its gradient and its Hessian;
# 2. check the code for the gradient and the Hessian against central
#    differences on the real data, before using it;
# 3. run Newton's method (a linear solve per step, with a backtracking line
#    search) and gradient descent (a fixed step $1/\beta$) from zero to the
#    same accuracy, recording the suboptimality and the wall time of every
#    iteration;
# 4. plot both runs against the iteration count and against the time;
# 5. predict the rate of gradient descent from the condition of the Hessian
#    and compare with the measured one.
#
# <!-- math
# X: N×d; y: N; w: d; \lambda: scalar positive; \mathbf{1}: N; I: d×d; z: scalar
# \sigma(z) := \frac{1}{1 + \exp(-z)}; p := \sigma(X w)
# L(w) := -\frac{1}{N} \big(y^\T \log p + (\mathbf{1} - y)^\T \log(\mathbf{1} - p)\big) + \frac{\lambda}{2} \norm{w}^2
# \beta := \frac{1}{4 N} \lambda_{\max}(X^\T X) + \lambda
# vary: w
# -->

# %%
import os

# One BLAS thread: the race is about work, not about how many cores share it,
# and threads that wait for a busy core make short timings jump. It must be
# set before NumPy is imported.
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"

import time

import matplotlib.pyplot as plt
import numpy as np
from scipy.linalg import cho_factor, cho_solve
from scipy.special import expit  # the logistic function, without overflow
from sklearn.datasets import load_digits

# %% [markdown]
# ## The data: even against odd
#
# Each image has 64 pixel intensities from 0 to 16; we scale them to $[0, 1]$.
# The task is to tell even digits (label 0) from odd ones (label 1) with a
# linear classifier. Unlike a pair such as 0 against 1, the classes cannot be
# separated by a hyperplane in pixel space, so the loss has a proper minimum
# even without a regulariser, and the curvature at it is uneven, which is what
# makes gradient descent slow. Three pixels are blank in every image; they
# carry no information, and we drop them. A column of ones gives the bias, so
# each example is a row of $d = 62$ numbers, and the $N = 1797$ rows form the
# matrix $X$.

# %%
digits = load_digits()
pixels = digits.data / 16.0  # (1797, 64), one image per row
used = pixels.any(axis=0)  # the pixels that are not blank in every image
X = np.hstack([pixels[:, used], np.ones((len(pixels), 1))])
y = (digits.target % 2).astype(float)  # 1 for an odd digit, 0 for an even one
N, d = X.shape
print(f"X: {N} x {d} ({np.count_nonzero(~used)} blank pixels dropped, "
      "one column of ones added)")
print(f"odd digits: {int(y.sum())} of {N}")
assert (N, d) == (1797, 62)

# %% [markdown]
# ## The loss, its gradient and its Hessian
#
# With $p = \sigma(X w)$ the predicted probabilities of "odd" (the logistic
# function $\sigma(z) = 1 / (1 + e^{-z})$ acts on each entry), the loss is the
# mean cross-entropy plus a ridge penalty with $\lambda$ of $10^{-2}$, which
# also covers the bias. The two forms below are the same function; the second
# is the one to compute, since it never takes the logarithm of a probability
# that has rounded to zero:
#
# $$
# \begin{aligned}
# L(w) &= -\frac{1}{N} \big(y^\T \log p + (\mathbf{1} - y)^\T \log(\mathbf{1} - p)\big) \\
# &\qquad + \frac{\lambda}{2} \norm{w}^2 \\
# &= \frac{1}{N} \big(\mathbf{1}^\T \log(\mathbf{1} + \exp(X w)) - y^\T X w\big) \\
# &\qquad + \frac{\lambda}{2} \norm{w}^2 .
# \end{aligned}
# $$
#
# The derivatives come from differentials, as in the lectures. Since
# $\sigma'(z) = \sigma(z) (1 - \sigma(z))$, the probabilities and the loss
# change by
#
# $$
# \begin{aligned}
# \dd p &= p \odot (\mathbf{1} - p) \odot (X \dd w), \\
# \dd L &= \frac{1}{N} (p - y)^\T X \dd w + \lambda w^\T \dd w ,
# \end{aligned}
# $$
#
# so the gradient, and the Jacobian of the gradient, are
#
# $$
# \begin{aligned}
# \nabla L(w) &= \frac{1}{N} X^\T (p - y) + \lambda w, \\
# \nabla^2 L(w) &= \frac{1}{N} X^\T \diag\big(p \odot (\mathbf{1} - p)\big) X \\
# &\qquad + \lambda I .
# \end{aligned}
# $$
#
# Each entry of $p \odot (\mathbf{1} - p)$ is positive, so the first term of the
# Hessian is positive semidefinite and every eigenvalue of $\nabla^2 L(w)$ is at
# least $\lambda$, at every $w$: the loss is strongly convex and has exactly one
# minimiser $w^*$. (The
# [logistic regression of the second-derivatives lecture](../../lectures/second-derivatives/#newton-cg-on-logistic-regression)
# is the same loss with a sum instead of a mean and no penalty.)

# %%
LAM = 1e-2


def loss_and_gradient(w):
    z = X @ w
    p = expit(z)
    loss = np.mean(np.logaddexp(0, z) - y * z) + LAM / 2 * (w @ w)
    return loss, X.T @ (p - y) / N + LAM * w


def loss(w):
    return loss_and_gradient(w)[0]


def gradient(w):
    return loss_and_gradient(w)[1]


def hessian(w):
    p = expit(X @ w)
    return X.T @ ((p * (1 - p))[:, None] * X) / N + LAM * np.eye(d)


# %% [markdown]
# ## Check before use
#
# Central differences give every partial derivative independently of the
# formulas: the gradient from differences of the loss, and the Hessian, column
# by column, from differences of the gradient (of the code just written, which
# the first check has vouched for). We check at a random point where the
# probabilities are spread over $(0, 1)$, not at the origin, where every $p_i$
# is one half and some wrong formulas happen to agree with right ones. The step
# $h = 10^{-5}$ is near the best one for central differences, about
# $\epsilon^{1/3}$ (see the lab on
# [finite-difference error](../finite-difference-error/)).
#
# To see what the check catches, it also runs on a Hessian with the penalty's
# $\lambda I$ forgotten, a term a hundred times smaller than the rest.

# %%
rng = np.random.default_rng(0)
w_probe = 0.5 * rng.standard_normal(d)
p_probe = expit(X @ w_probe)
print(f"probabilities at the probe point: from {p_probe.min():.2f} "
      f"to {p_probe.max():.2f}")

h = 1e-5
unit = np.eye(d)
numeric_gradient = np.array([(loss(w_probe + h * e) - loss(w_probe - h * e)) / (2 * h)
                             for e in unit])
numeric_hessian = np.column_stack([
    (gradient(w_probe + h * e) - gradient(w_probe - h * e)) / (2 * h) for e in unit])


def relative_error(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


err_gradient = relative_error(gradient(w_probe), numeric_gradient)
err_hessian = relative_error(hessian(w_probe), numeric_hessian)
err_wrong = relative_error(hessian(w_probe) - LAM * np.eye(d), numeric_hessian)
print(f"gradient: relative error below 1e-8: {err_gradient < 1e-8}")
print(f"Hessian:  relative error below 1e-8: {err_hessian < 1e-8}")
print(f"Hessian without lambda I: relative error {err_wrong:.1e}, "
      f"above 1e-3: {err_wrong > 1e-3}")
assert err_gradient < 1e-8 and err_hessian < 1e-8
assert err_wrong > 1e-3

# %% [markdown]
# The right formulas agree with the differences to about ten digits, the limit
# of central differences; the forgotten $\lambda I$ shows up at the level of
# $10^{-2}$, millions of times above that limit.
#
# ## The two methods
#
# <!-- math: w_k, \Delta w: d; t, \alpha: scalar positive; unchecked "\nabla^2 L(w_k)\, \Delta w = -\nabla L(w_k)": the linear system the Newton step solves; unchecked "L(w_k + t \Delta w) \le L(w_k) + \alpha t \nabla L(w_k)^\T \Delta w": the test the line search applies -->
#
# **Newton's method**
# ([Minimisation: Newton on the gradient](../../lectures/newton-implicit/#minimisation-newton-on-the-gradient))
# solves $\nabla^2 L(w_k)\, \Delta w = -\nabla L(w_k)$ for the step, by a
# Cholesky factorisation (the Hessian is symmetric positive definite; as the
# lecture warns, the inverse is never formed). A backtracking line search
# halves $t$, starting from 1, until the sufficient-decrease test
# $L(w_k + t \Delta w) \le L(w_k) + \alpha t \nabla L(w_k)^\T \Delta w$ holds,
# with $\alpha$ of $10^{-4}$; it is the minimisation version of the
# [damping of the lecture](../../lectures/newton-implicit/#damping-a-line-search-on-the-residual),
# with the loss as the merit function.
#
# **Gradient descent** moves by $-\nabla L(w_k) / \beta$, where $\beta$ bounds
# the eigenvalues of every Hessian of the loss. Since $p_i (1 - p_i)$ is at
# most $1/4$ for every example, the data term of the Hessian is at most
# $X^\T X / (4N)$ in every direction, which gives
# $\lambda_{\max}(\nabla^2 L(w)) \le \beta$ with
# $\beta = \frac{1}{4N} \lambda_{\max}(X^\T X) + \lambda$ (the square of the
# largest singular value of $X$, over $4N$, plus $\lambda$). The step $1/\beta$ is the standard
# safe step: with it, every step decreases the loss by at least
# $\norm{\nabla L(w_k)}^2 / (2\beta)$, and any fixed step above $2/\beta$ can
# diverge where the curvature reaches $\beta$. It does reach it: at the origin
# every $p_i$ is one half, so there the bound is attained.

# %%
beta = np.linalg.eigvalsh(X.T @ X)[-1] / (4 * N) + LAM
at_zero = np.linalg.eigvalsh(hessian(np.zeros(d)))[-1]
elsewhere = max(np.linalg.eigvalsh(hessian(s * rng.standard_normal(d)))[-1]
                for s in [0.1, 0.5, 2.0])
print(f"largest Hessian eigenvalue at w = 0 equals beta to 1e-12: "
      f"{abs(at_zero - beta) < 1e-12 * beta}")
print(f"largest Hessian eigenvalue at random points below beta: {elsewhere < beta}")
assert abs(at_zero - beta) < 1e-12 * beta and elsewhere < beta

# %% [markdown]
# Both methods start from the origin and stop as soon as the suboptimality
# $L(w_k) - L^*$ is at most $10^{-10}$. The minimum $L^*$ comes from a long
# Newton run, twelve steps, far past the point where the iterates stop
# changing; the loss is computed to about $10^{-16}$, so a target of
# $10^{-10}$ is well above its rounding. Every iteration records the
# suboptimality and the wall time since the start; each method runs three
# times, and we keep its fastest run (the least disturbed by other work on the
# machine).

# %%
TARGET = 1e-10
ALPHA = 1e-4


def newton(stop, max_iter=50):
    """Newton's method with backtracking, from zero; the loss after each step."""
    start = time.perf_counter()
    w = np.zeros(d)
    value, g = loss_and_gradient(w)
    losses, times, iterates, steps = [value], [time.perf_counter() - start], [w], []
    while not stop(value) and len(losses) <= max_iter:
        step = cho_solve(cho_factor(hessian(w)), -g)  # solve H step = -g
        t = 1.0
        new_value, new_g = loss_and_gradient(w + step)
        while new_value > value + ALPHA * t * (g @ step):
            t /= 2
            new_value, new_g = loss_and_gradient(w + t * step)
        w, value, g = w + t * step, new_value, new_g
        losses.append(value)
        times.append(time.perf_counter() - start)
        iterates.append(w)
        steps.append(t)
    return np.array(losses), np.array(times), iterates, steps


def gradient_descent(stop, max_iter=20000):
    """Gradient descent with the step 1/beta, from zero; the loss after each step."""
    start = time.perf_counter()
    w = np.zeros(d)
    value, g = loss_and_gradient(w)
    losses, times = [value], [time.perf_counter() - start]
    while not stop(value) and len(losses) <= max_iter:
        w = w - g / beta
        value, g = loss_and_gradient(w)
        losses.append(value)
        times.append(time.perf_counter() - start)
    return np.array(losses), np.array(times), w


# The minimum: twelve Newton steps, whatever the loss does.
long_losses, _, long_iterates, long_steps = newton(lambda value: False, max_iter=12)
L_star, w_star = long_losses.min(), long_iterates[-1]
print(f"L* = {L_star:.12f}")
print(f"gradient norm at the last iterate below 1e-14: "
      f"{np.linalg.norm(gradient(w_star)) < 1e-14}")
print(f"training accuracy of the minimiser: {np.mean((X @ w_star > 0) == y):.1%}")
assert np.linalg.norm(gradient(w_star)) < 1e-14


def reached(value):
    return value - L_star <= TARGET


def fastest(run, repeats=3):
    return min((run() for _ in range(repeats)), key=lambda r: r[1][-1])


nt_losses, nt_times, _, nt_steps = fastest(lambda: newton(reached))
gd_losses, gd_times, _ = fastest(lambda: gradient_descent(reached))
nt_iterations, gd_iterations = len(nt_losses) - 1, len(gd_losses) - 1
print(f"Newton:           {nt_iterations} iterations to L - L* <= {TARGET:.0e}, "
      f"step lengths t = {nt_steps}")
print(f"gradient descent: {gd_iterations} iterations to L - L* <= {TARGET:.0e}")
assert reached(nt_losses[-1]) and reached(gd_losses[-1])
assert nt_iterations <= 15 and gd_iterations > 100 * nt_iterations

speedup = gd_times[-1] / nt_times[-1]
per_iteration = (nt_times[-1] / nt_iterations) / (gd_times[-1] / gd_iterations)
print(f"one Newton iteration takes longer than one gradient iteration: "
      f"{per_iteration > 1}")
print(f"Newton reaches the target at least 3 times sooner in wall time: {speedup >= 3}")
assert per_iteration > 1 and speedup >= 3

# %% [markdown]
# From zero, the line search accepts the full Newton step every time
# ($t = 1$), as it does near any minimum with a positive definite Hessian; on
# this convex loss it is a safeguard that is never needed. A Newton iteration
# costs more than a gradient iteration, and still Newton needs a few
# iterations where gradient descent needs thousands, and wins by a wide margin
# in time too.

# %%
# alt: Three panels, one above the other, of the suboptimality L(w_k) − L* on a log scale from 1e-16 to 1, for Newton's method (blue dots) and gradient descent (orange line), with the target 1e-10 as a dashed line. Top, iterations 0 to 8 enlarged: Newton falls ever faster, from about 0.4 through 0.03, 1e-3, 5e-6 and 1.5e-10 to L* itself, drawn at 1e-16, at iteration 5, while gradient descent has not yet gained a single digit and is still near 0.25. Middle, all iterations: gradient descent is a straight line, a fixed factor per iteration, that reaches the target only after 2097 iterations, while Newton's points are crowded against the left edge. Bottom, the same runs against wall time in milliseconds on a log scale: each Newton iteration takes longer, but Newton still reaches the target many times sooner.
FLOOR = 1e-16  # a suboptimality of 0 (the loss rounded to L*) is drawn here
runs = [("Newton", nt_losses, nt_times, "C0", "o-"),
        ("gradient descent", gd_losses, gd_times, "C1", "-")]
fig, (ax_0, ax_k, ax_t) = plt.subplots(3, 1, figsize=(4, 9.6), layout="constrained")
for name, losses, times, colour, style in runs:
    shown = np.maximum(losses - L_star, FLOOR)
    first = shown[:9]  # the first iterations, enlarged
    ax_0.semilogy(np.arange(len(first)), first, "o-", color=colour, ms=4, label=name)
    ax_k.semilogy(np.arange(len(shown)), shown, style, color=colour, ms=4, label=name)
    ax_t.loglog(times * 1e3, shown, style, color=colour, ms=4, label=name)
for ax in (ax_0, ax_k, ax_t):
    ax.axhline(TARGET, color="gray", ls="--", lw=1)
    ax.set_ylabel("L(w_k) − L*")
    ax.set_ylim(FLOOR / 3, 3)
    ax.grid(True, which="major", alpha=0.3)
ax_0.set_xlabel("iteration k")
ax_0.set_title("Iterations 0 to 8")
ax_0.legend(loc="lower left")
ax_k.text(gd_iterations / 2, TARGET * 3, "target", color="gray")
ax_k.set_xlabel("iteration k")
ax_k.set_title("All iterations")
ax_t.set_xlabel("wall time since the start (ms)")
ax_t.set_title("Against wall time")
plt.show()

# %% [markdown]
# In the middle panel, the straight line of gradient descent on the log scale is
# *linear* convergence: a fixed factor per iteration. The Newton curve falls
# ever faster, and its last step lands on $L^*$ to rounding (drawn at
# $10^{-16}$). The top panel enlarges the first iterations: Newton has converged
# before gradient descent has gained a single digit. At the bottom, the same runs
# against the time: a Newton iteration is slower, which moves its points to the
# right, but not nearly enough to matter.
#
# ## Quadratic convergence
#
# <!-- math: unchecked "e_k = \norm{w_k - w^*} / \norm{w^*}": the relative error of the k-th iterate -->
#
# The [quadratic-convergence section](../../lectures/newton-implicit/#quadratic-convergence)
# of the Newton lecture predicts that, near the minimiser, each error is about
# a constant times the square of the previous one: the number of correct digits
# doubles at each step. The long run measures the relative error
# $e_k = \norm{w_k - w^*} / \norm{w^*}$, its digits $-\log_{10} e_k$, and the
# ratio $e_{k+1} / e_k^2$, which should settle near a constant.

# %%
errors = [np.linalg.norm(w - w_star) / np.linalg.norm(w_star) for w in long_iterates]
digits_correct = -np.log10(errors[:6]) + 0.0  # + 0.0: no -0.00
print(" k | error e_k | digits | e_(k+1)/e_k^2")
for k in range(6):
    ratio = f"{errors[k + 1] / errors[k] ** 2:.2f}" if k < 5 else ""
    print(f"{k:2d} | {errors[k]:.2e}  | {digits_correct[k]:6.2f} | {ratio}")
at_rounding = max(errors[6:-1]) < 1e-14
print(f" 6 and on: error at rounding (below 1e-14): {at_rounding}")
assert all(1.7 < digits_correct[k + 1] / digits_correct[k] < 2.5 for k in range(2, 5))
assert all(0.3 < errors[k + 1] / errors[k] ** 2 < 3 for k in range(2, 5))
assert at_rounding

# %% [markdown]
# The digits roughly double, $2.4$, $4.7$, $9.2$, and the next step reaches
# the sixteen digits of a double. The ratio $e_{k+1}/e_k^2$ stays near 1: the
# constant of the quadratic convergence is of order one here.
#
# ## The rate of gradient descent
#
# <!-- math
# k: integer; H: d×d spd; e_k: d; e_{k+1} := e_k - \frac{1}{\beta} H e_k
# unchecked "e_k = w_k - w^*": the error of the k-th iterate
# unchecked "\mu = \lambda_{\min}(H)": the smallest eigenvalue of the Hessian at the minimiser
# unchecked "L(w_k) - L^* \approx \frac{1}{2} e_k^\T H e_k": the quadratic model of the loss near the minimiser
# -->
#
# Near the minimiser the gradient is about $H (w - w^*)$, with $H$ the Hessian
# at $w^*$, so the error $e_k = w_k - w^*$ of gradient descent obeys
#
# $$
# e_{k+1} = \Big(I - \frac{1}{\beta} H\Big) e_k .
# $$
#
# Along an eigenvector of $H$ with eigenvalue $\mu_j$ the error shrinks by the
# factor $1 - \mu_j / \beta$ per step; the slowest direction is that of the
# smallest eigenvalue $\mu = \lambda_{\min}(H)$. The suboptimality is quadratic in
# the error, $L(w_k) - L^* \approx \frac{1}{2} e_k^\T H e_k$, so in the end it
# shrinks by
#
# <!-- math: \mu: scalar positive; \rho := \Big(1 - \frac{\mu}{\beta}\Big)^2 -->
#
# $$
# \rho = \Big(1 - \frac{\mu}{\beta}\Big)^2 = 1 - \frac{2 \mu}{\beta} + \frac{\mu^2}{\beta^2}
# $$
#
# per step. The ratio $\beta / \mu$ is the condition number that matters for
# this step; it is not quite the condition number
# $\kappa = \lambda_{\max}(H) / \lambda_{\min}(H)$ of the Hessian at the
# minimiser, because $\beta$ is the largest curvature anywhere (attained at
# the origin), and at the minimiser the curvature is smaller. With the step
# $1/\lambda_{\max}(H)$ the factor would be $1 - 1/\kappa$ for the error.
# Globally, since every Hessian lies between $\lambda I$ and $\beta I$, the
# standard bound for strongly convex functions guarantees a factor of at most
# $1 - \lambda/\beta$ per step for the suboptimality from the very first step
# (Boyd and Vandenberghe, section 9.3).
#
# We measure the rate as the geometric mean of the factor per step over the
# tail of the run, from the first iterate with a suboptimality below
# $10^{-6}$ to the last.

# %%
H_star = hessian(w_star)
eigenvalues = np.linalg.eigvalsh(H_star)
mu, top = eigenvalues[0], eigenvalues[-1]
kappa = top / mu
predicted = (1 - mu / beta) ** 2
guaranteed = 1 - LAM / beta
sub = gd_losses - L_star
first = np.argmax(sub < 1e-6)
measured = (sub[-1] / sub[first]) ** (1 / (len(sub) - 1 - first))


def per_decade(rate):  # iterations to gain one digit
    return np.log(10) / -np.log(rate)


print(f"Hessian at the minimiser: smallest eigenvalue {mu:.5f} "
      f"(lambda = {LAM}), largest {top:.3f}")
print(f"condition number kappa = {kappa:.0f}, beta / mu = {beta / mu:.0f} "
      f"(beta = {beta:.3f})")
print(f"rate of the suboptimality per step: predicted {predicted:.5f}, "
      f"measured {measured:.5f}, guaranteed at most {guaranteed:.5f}")
print(f"iterations per digit: predicted {per_decade(predicted):.0f}, "
      f"measured {per_decade(measured):.0f}, guaranteed at most "
      f"{per_decade(guaranteed):.0f}")
agreement = np.log(measured) / np.log(predicted)
print(f"measured and predicted rates agree within a factor 1.5 "
      f"(in iterations per digit): {1 / 1.5 < agreement < 1.5}")
assert 1 / 1.5 < agreement < 1.5
assert measured < guaranteed
assert mu < 1.01 * LAM and 50 < kappa < 500 and beta > 1.5 * top

# %% [markdown]
# Three observations.
#
# - The smallest eigenvalue of $H$ is barely above $\lambda$: some directions in
#   pixel space (nearly blank pixels at the edge of the images, and
#   combinations of pixels that hardly vary) are almost flat for the data
#   term, and only the penalty curves them. The regulariser sets the
#   condition number, and so the speed of gradient descent: a smaller
#   $\lambda$ makes it proportionally slower (try it below).
# - $\beta$ is about twice the largest eigenvalue at the minimiser: the safe
#   step, chosen for the steepest curvature on the way, is too short near the
#   end.
# - The measured rate is a little faster than the prediction, because a few
#   eigenvalues sit just above $\mu$ and their components are still decaying
#   in the tail; it is well inside the guarantee, which is a worst case over
#   all starting points.
#
# Newton's method does not care about any of this: the step
# $\nabla^2 L(w_k)^{-1} \nabla L(w_k)$ is unchanged if the coordinates are
# stretched or rotated (it is *affine invariant*), so the condition number of
# the Hessian does not enter its speed near the minimum.
#
# ## What an iteration costs, and when Newton stops paying
#
# <!-- math: v: d -->
#
# A gradient costs two products with $X$, about $4 N d$ operations. A Newton
# iteration adds the Hessian, about $N d^2$ operations for
# $X^\T \diag(p \odot (\mathbf{1} - p)) X$ (exploiting its symmetry), and a Cholesky
# factorisation, about $d^3 / 3$, and it stores $d^2$ numbers. With $d = 62$
# one Newton iteration is worth a few dozen gradients, and it replaces
# thousands of them. The trade turns as $d$ grows: at $d$ of $10^5$ (a
# bag-of-words model, or images at full resolution) the Hessian alone needs
# 80 GB, and the factorisation about $3 \times 10^{14}$ operations, per step.
#
# The way out keeps Newton's step but not the matrix. The Hessian enters the
# Newton equation only through products $\nabla^2 L(w)\, v$, and for this loss
# such a product is
# $\nabla^2 L(w)\, v = \frac{1}{N} X^\T \big(p \odot (\mathbf{1} - p) \odot (X v)\big) + \lambda v$:
# two products with $X$, the price of a gradient, with nothing of size
# $d \times d$. **Newton-CG** solves the Newton equation approximately by
# conjugate gradients, one Hessian-vector product per inner iteration, and
# stops the inner solve early when far from the minimum; see
# [Hessian-vector products](../../lectures/second-derivatives/#hessian-vector-products)
# and the
# [Newton-CG example](../../lectures/second-derivatives/#newton-cg-on-logistic-regression)
# of the second-derivatives lecture. Quasi-Newton methods such as L-BFGS go
# further and build a curvature model from the gradients alone (Nocedal and
# Wright, chapters 6 and 7). When $N$ is huge as well, even one exact gradient
# per step is too much, and stochastic gradients take over.
#
# The product, checked against the Hessian it avoids:

# %%
def hessian_vector_product(w, v):
    p = expit(X @ w)
    return X.T @ (p * (1 - p) * (X @ v)) / N + LAM * v


v = rng.standard_normal(d)
err = relative_error(hessian_vector_product(w_probe, v), hessian(w_probe) @ v)
print(f"Hessian-vector product equals the Hessian times v to 1e-12: {err < 1e-12}")
assert err < 1e-12

# %% [markdown]
# ## Things to try
#
# - Set `LAM = 1e-3`. How do the condition number, the number of gradient
#   iterations and the number of Newton iterations change?
# - Give gradient descent the step $1/\lambda_{\max}(H)$ with $H$ the Hessian at
#   the minimiser (it is still below $2/\beta$, so it is stable from zero).
#   Does the rate approach $(1 - 1/\kappa)^2$?
# - Replace the Cholesky solve by `np.linalg.inv(H) @ g` and time it, or
#   replace the exact Newton step by a few conjugate-gradient iterations with
#   `hessian_vector_product`.
# - Pick a pair of digits instead of even against odd, say 3 against 8, and
#   compare the curves.
#
# ## References
#
# - S. Boyd, L. Vandenberghe, *Convex Optimization*, Cambridge University Press
#   (2004), sections 9.3 (gradient descent on strongly convex functions, the
#   bound $1 - m/M$ per step) and 9.5 (Newton's method, its affine invariance
#   and quadratic convergence), and 9.2 (backtracking line search).
# - J. Nocedal, S. J. Wright, *Numerical Optimization*, 2nd ed., Springer
#   (2006): chapter 3 (line searches, the rates of steepest descent and of
#   Newton's method), chapter 7 (Newton-CG and L-BFGS for large problems).
# - Y. Nesterov, *Lectures on Convex Optimization*, 2nd ed., Springer (2018),
#   section 2.1: the step $1/L$ for functions with an $L$-Lipschitz gradient
#   and its rate on strongly convex functions.
# - E. Alpaydin, C. Kaynak, "Optical Recognition of Handwritten Digits", UCI
#   Machine Learning Repository (1998): the data set whose test part is
#   scikit-learn's `load_digits`.
