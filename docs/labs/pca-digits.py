# %% [markdown]
# # How stable are the principal components of the digits?
#
# A lab for the lecture
# [Eigenproblems and constraints](../../lectures/eigenproblems/), whose last
# section shows, on made-up normal data, that a principal direction is as
# stable as the gap between its eigenvalue and the next one is wide. Here the
# data are real: the 1797 handwritten digits that ship with scikit-learn, each
# an image of 8 × 8 pixels. The steps:
#
# 1. the principal component analysis of the images: the spectrum of their
#    covariance, the gaps between its eigenvalues, and the first principal
#    directions drawn as images;
# 2. the derivative of a principal direction with respect to the data,
#    checked against central differences of `eigh` on the digits;
# 3. the bootstrap: how far each of the first sixteen directions turns when
#    the images are resampled, against the first-order prediction of
#    Anderson (1963), which assumes normal data, and against the same
#    prediction with the digits' own fourth moments;
# 4. a pair of nearly equal eigenvalues: the two directions spin in their
#    plane from one resample to the next, while the plane itself moves as
#    little as the gaps to the other eigenvalues allow.

# %%
import os

# One BLAS thread: the bootstrap below multiplies many small matrices, which a
# pool of threads only slows down. It must be set before NumPy is imported.
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FixedLocator, NullLocator, ScalarFormatter
from sklearn.datasets import load_digits

plt.rcParams.update({"font.size": 11})

# %% [markdown]
# ## The spectrum of the digits
#
# <!-- math
# N = 20; Y: N×n; M: n×n separated; X := Y \exp(M / 2)   # the check's data: 20 random points, stretched so that the variances stay apart
# \mathbf{1}: N; \bar x := X^\T \mathbf{1} / N; X_c := X - \mathbf{1} \bar x^\T
# C := X_c^\T X_c / N; \lambda := -\operatorname{eigvals}(-C); q_k := \operatorname{eigvecs}(-C) e_k
# unchecked "\lambda_1 \ge \lambda_2 \ge \dots \ge \lambda_n": the order in which the eigenvalues are numbered
# -->
#
# Each image, its 64 pixel values (whole numbers from 0 to 16) read row by
# row, is a row of the data matrix $X$: $N = 1797$ rows and $n = 64$ columns.
# Subtracting the mean image from every row gives the centred $X_c$, and the
# covariance of the pixels is $C = X_c^\T X_c / N$. Its eigenvalues, numbered
# in decreasing order, $\lambda_1 \ge \lambda_2 \ge \dots \ge \lambda_n$, are the
# variances of the images along the unit eigenvectors $q_k$, the principal
# directions, with $C q_k = \lambda_k q_k$. Together they hold the total
# variance, the mean squared distance of an image from the mean image:
#
# $$
# \sum_{k=1}^{n} \lambda_k = \tr C = \frac{1}{N} \norm{X_c}_F^2 .
# $$
#
# How stable a direction is depends, by the lecture, on how far its eigenvalue
# is from the others. We measure it by the relative gap $g_k$: the distance
# from $\lambda_k$ to the nearer of its two neighbours $\lambda_{k-1}$ and
# $\lambda_{k+1}$, divided by $\lambda_k$ (for $k = 1$ only $\lambda_2$
# counts).

# %%
X = load_digits().data  # one image a row: 1797 x 64, whole numbers 0..16
N, n = X.shape


def pca(X):
    """Eigenvalues (decreasing), unit eigenvectors (columns) and the centred data."""
    Xc = X - X.mean(axis=0)
    lam, Q = np.linalg.eigh(Xc.T @ Xc / len(X))
    return lam[::-1], Q[:, ::-1], Xc


lam, Q, Xc = pca(X)
C = Xc.T @ Xc / N
total = np.trace(C)
assert abs(lam.sum() - total) < 1e-12 * total
assert abs(np.sum(Xc**2) / N - total) < 1e-12 * total
assert np.linalg.norm(C @ Q - Q * lam) < 1e-12 * lam[0]

blank = np.flatnonzero(X.std(axis=0) == 0)  # pixels that are 0 in every image
zero = lam < 1e-9 * lam[0]
print(f"{N} images of {n} pixels; {blank.size} pixels are blank in every image, "
      f"so {zero.sum()} eigenvalues are zero")
assert blank.size == zero.sum() == 3

K = 16  # the directions followed in this lab
below = lam[:K] - lam[1:K + 1]  # lambda_k - lambda_{k+1}
above = np.concatenate([[np.inf], below[:-1]])  # lambda_{k-1} - lambda_k
gap = np.minimum(below, above) / lam[:K]  # the relative gap g_k
share = np.cumsum(lam) / total
print(" k  lambda_k  lambda_k - lambda_k+1   g_k    variance in 1..k")
for k in range(K):
    print(f"{k + 1:2d}  {lam[k]:7.2f}  {below[k]:12.2f}  {gap[k]:15.3f}  {share[k]:8.0%}")

# %% [markdown]
# The first sixteen eigenvalues fall from 179 to 17 and hold 85% of the
# variance (the first eight, two thirds). The gaps between neighbours are
# uneven: the first two eigenvalues are only 9% apart, the fourth is more
# than 30% away from both its neighbours, and further down some neighbours
# nearly touch, such as $\lambda_{13}$ and $\lambda_{14}$, 2.6% apart. The
# figure shows the whole spectrum on a log scale (the three zero eigenvalues
# left out) and the relative gaps of the first sixteen.

# %%
# alt: Two panels. Above, the eigenvalues λₖ of the pixel covariance of the digit images on a log scale against k from 1 to 61 (the three zero eigenvalues left out): they fall from 179 at k = 1, steeply at first, to about 17 at k = 16 and 1 near k = 45, then plunge to about 4e-4. Below, bars of the relative gap gₖ to the nearer neighbour for k = 1 to 16, on a log scale: 0.085 and 0.093 for the first two, the highest, 0.31, at k = 4, between 0.08 and 0.16 up to k = 10, about 0.04 for k = 11, 12, 15 and 16, and the lowest, 0.026 and 0.027, for the orange pair λ₁₃ and λ₁₄.
nonzero = np.flatnonzero(~zero)
pair = [12, 13]  # q_13 and q_14, numbered from 0
assert np.argmin(gap[:K - 1] + gap[1:K]) == pair[0]  # the closest pair of neighbours
assert np.argmax(gap) == 3 and gap[3] > 0.3 and gap[pair].max() < 0.03
assert round(lam[0]) == 179 and round(lam[K - 1]) == 17
assert round(share[K - 1], 2) == 0.85 and 0.65 < share[7] < 0.68
assert 0.085 < (lam[0] - lam[1]) / lam[1] < 0.095 and 0.025 < gap[pair[0]] < 0.027

fig, (ax_lam, ax_gap) = plt.subplots(2, 1, figsize=(4, 6.5), layout="constrained")
ax_lam.semilogy(nonzero + 1, lam[nonzero], "o", ms=4, color="C0")
ax_lam.set_xlabel("k")
ax_lam.set_ylabel("eigenvalue λₖ")
ax_lam.set_title("Spectrum of the pixel covariance")
ax_lam.grid(True, which="both", alpha=0.3)
colors = ["C1" if k in pair else "C0" for k in range(K)]
ax_gap.bar(np.arange(1, K + 1), gap, color=colors)
ax_gap.set_yscale("log")
ax_gap.yaxis.set_major_locator(FixedLocator([0.03, 0.05, 0.1, 0.2, 0.3]))
ax_gap.yaxis.set_major_formatter(ScalarFormatter())
ax_gap.yaxis.set_minor_locator(NullLocator())
ax_gap.set_xticks([1, 4, 8, 12, 16])
ax_gap.set_xlabel("k")
ax_gap.set_ylabel("relative gap gₖ")
ax_gap.set_title("Gap to the nearer neighbour\n(orange: λ₁₃ and λ₁₄)")
ax_gap.grid(True, which="both", axis="y", alpha=0.3)
plt.show()

# %% [markdown]
# The first eight principal directions, drawn as images: red pixels are
# positive, blue ones negative (the sign of each direction is arbitrary;
# here the largest entry is made positive).

# %%
# alt: The first eight principal directions of the digit images, in two rows of four, each drawn as an 8 by 8 image with positive pixels red and negative ones blue, and titled with its eigenvalue: q₁ 179, q₂ 164, q₃ 142, q₄ 101, q₅ 69, q₆ 59, q₇ 52, q₈ 44. Each is a pattern of light and dark strokes over the middle of the image, none of them a digit; the later ones are more scattered.
subscript = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
fig, axes = plt.subplots(2, 4, figsize=(4, 3), layout="constrained")
for k, ax in enumerate(axes.flat):
    q = Q[:, k] * np.sign(Q[np.argmax(abs(Q[:, k])), k])
    limit = abs(q).max()
    ax.imshow(q.reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set_title(f"q{str(k + 1).translate(subscript)}\nλ = {lam[k]:.0f}", fontsize="medium")
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()

# %% [markdown]
# ## The derivative of a principal direction
#
# <!-- math
# N = 20; Y: N×n; M: n×n separated; X := Y \exp(M / 2); vary: Y; a: n
# \mathbf{1}: N; \bar x := X^\T \mathbf{1} / N; X_c := X - \mathbf{1} \bar x^\T
# C := X_c^\T X_c / N; \lambda := -\operatorname{eigvals}(-C); q_k := \operatorname{eigvecs}(-C) e_k
# wrong "\dd C = \frac{1}{N} (X^\T \dd X + \dd X^\T X)"
# unchecked "\dd X = \mathbf{1} v^\T": the shift, a direction of the data chosen for the test (v a pattern of n pixels)
# -->
#
# When the data move by $\dd X$, the mean image moves too, but its share of
# $\dd C$ cancels because the columns of $X_c$ sum to zero:
#
# $$
# \dd C = \frac{1}{N} (X_c^\T \dd X + \dd X^\T X_c) .
# $$
#
# A direction whose eigenvalue is simple then moves by the lecture's
# eigenvector formula,
#
# $$
# \dd q_k = \sum_{j \ne k} q_j \frac{q_j^\T \dd C\, q_k}{\lambda_k - \lambda_j} ,
# $$
#
# and the loading $a^\T q_k$ on a fixed vector $a$ (for the $i$-th unit
# vector $a$, the weight of pixel $i$ in $q_k$) has, after substituting
# $\dd C$ and moving $\dd X$ out of the inner products, a gradient with
# respect to all the data at once:
#
# $$
# \begin{aligned}
# &\nabla_X (a^\T q_k) \\
# &\quad = \frac{1}{N} \sum_{j \ne k} \frac{q_j^\T a}{\lambda_k - \lambda_j} X_c (q_k q_j^\T + q_j q_k^\T) ,
# \end{aligned}
# $$
#
# an $N \times n$ matrix whose row $i$ says how much image $i$ pulls on the
# loading. The code computes it as $(X_c q_k w^\T + X_c w q_k^\T) / N$, with
# $w$ the sum of $q_j (q_j^\T a) / (\lambda_k - \lambda_j)$ over $j \ne k$, in
# $O(N n)$ operations once the eigenvectors are known.
#
# The check, for each of the first eight directions: a random direction
# $\dd X$ of the whole data matrix, and central differences of `eigh` along
# it, with the sign of each perturbed $q_k$ aligned with the unperturbed one
# (the lecture's warning box says why). The gradients of the 64 pixel weights
# of $q_k$, each in its inner product with $\dd X$, must give the 64 entries
# of the difference quotient; the relative error is that of the whole vector.
# The step $h = 10^{-4}$ (in pixel units) balances the truncation error, of
# order $h^2$, against the rounding error of `eigh` divided by $h$; the two
# meet near $10^{-9}$.
#
# The cell also tries the gradient with the uncentred $X$ in place of $X_c$,
# which is what forgetting that the mean moves,
# $\dd C = \frac{1}{N} (X^\T \dd X + \dd X^\T X)$, would give. The two
# gradients differ by terms that see only the mean of $\dd X$ over the
# images, so the test that exposes the mistake cleanly is a shift of every
# image by the same random pattern $v$, $\dd X = \mathbf{1} v^\T$. It moves
# the mean image and nothing else: $C$ and every $q_k$ stay as they are, and
# the correct gradient gives exactly zero because the columns of $X_c$ sum to
# zero, $X_c^\T \mathbf{1} = 0$.

# %%
def loading_gradient(lam, Q, Xc, k, a):
    """The gradient of a^T q_k with respect to the data (N x n)."""
    others = np.arange(len(lam)) != k
    w = Q[:, others] @ ((Q[:, others].T @ a) / (lam[k] - lam[others]))
    return (np.outer(Xc @ Q[:, k], w) + np.outer(Xc @ w, Q[:, k])) / len(Xc)


def direction(X, k, reference):
    """q_k of the data X, with the sign that agrees with the reference."""
    q = pca(X)[1][:, k]
    return q * np.sign(q @ reference)


def rates(data, k, dX):
    """<gradient of e_i^T q_k, dX> for every pixel i: the predicted dq_k."""
    return np.array([np.sum(loading_gradient(lam, Q, data, k, a) * dX) for a in np.eye(n)])


def central(k, dX, h=1e-4):
    """dq_k along dX by central differences of eigh, signs aligned with q_k."""
    return (direction(X + h * dX, k, Q[:, k]) - direction(X - h * dX, k, Q[:, k])) / (2 * h)


rng = np.random.default_rng(1)
norm = np.linalg.norm
sizes, predicted_shift = [], []
print("      random dX: |dq_k|, relative error | shift 1 v^T: |dq_k|, with X for X_c")
for k in range(8):
    dX, v, a = rng.standard_normal((N, n)), rng.standard_normal(n), rng.standard_normal(n)
    exact = central(k, dX)
    error = norm(rates(Xc, k, dX) - exact) / norm(exact)
    shift = np.outer(np.ones(N), v)
    still, uncentred = norm(central(k, shift)), norm(rates(X, k, shift))
    zero = abs(np.sum(loading_gradient(lam, Q, Xc, k, a) * shift))  # centred: exactly 0
    print(f"q_{k + 1}:  {norm(exact):.4f}  {error:.0e}  |  {still:.0e}  {uncentred:5.2f}")
    assert error < 1e-8 and still < 1e-8 and zero < 1e-12 * norm(a)
    sizes.append(norm(exact))
    predicted_shift.append(uncentred)
print(f"mean pixel value {X.mean():.1f}")
assert 4.5 < X.mean() < 5.5 and np.mean(np.greater(predicted_shift, sizes)) > 0.5

# %% [markdown]
# The gradients agree with the differences to about $10^{-9}$ for every
# direction. Along the shift, which changes no principal direction, the
# uncentred version predicts changes that are, for most of the eight
# directions, larger than the genuine ones along the random $\dd X$: the terms
# it adds are proportional to the mean image, whose pixels average about 5.
#
# ## Resampling the images
#
# <!-- math
# N = 20; Y: N×n; M: n×n separated; X := Y \exp(M / 2); vary: Y
# \mathbf{1}: N; \bar x := X^\T \mathbf{1} / N; X_c := X - \mathbf{1} \bar x^\T
# C := X_c^\T X_c / N; \lambda := -\operatorname{eigvals}(-C); Q := \operatorname{eigvecs}(-C); q_k := Q e_k
# -->
#
# The derivative says how a direction responds to a small change of the
# data. A statistician asks a different question: how much would $q_k$ differ
# if the 1797 images were another sample of the same handwriting? The
# bootstrap imitates such a sample by drawing 1797 images from the data with
# replacement. Its covariance $C^*$ differs from $C$ by a random matrix that
# plays the part of $\dd C$, and to first order the angle between the
# resampled $q_k^*$ and $q_k$ is the length of $\dd q_k$; since the $q_j$ are
# orthonormal,
#
# $$
# \norm{\dd q_k}^2 = \sum_{j \ne k} \frac{(q_j^\T \dd C\, q_k)^2}{(\lambda_k - \lambda_j)^2} .
# $$
#
# <!-- math
# unchecked "z_{ij} = (x_i - \bar x)^\T q_j": the score of image i along q_j, with x_i the image as a column
# unchecked "m_{jk} = \lambda_j \lambda_k": what normal data would give, on average
# unchecked "Q = (q_1, \dots, q_n)": Q has the eigenvectors as its columns
# -->
#
# Write $z_{ij} = (x_i - \bar x)^\T q_j$ for the score of image $i$ along
# $q_j$. For $j \ne k$ the coupling $q_j^\T C^* q_k$ is, up to the shift of
# the mean (a second-order effect), the average of $z_{ij} z_{ik}$ over the
# resampled images. Over all the images that average is entry $(j, k)$ of
# $Q^\T C Q = \diag(\lambda)$, where $Q = (q_1, \dots, q_n)$: zero. So over
# resamples the coupling has mean zero and variance $m_{jk} / N$, where
# $m_{jk}$ is the average of $z_{ij}^2 z_{ik}^2$ over the images, a
# fourth moment of the data. The root-mean-square angle is then, to first
# order, $\theta_k$ below; for normal data $m_{jk} = \lambda_j \lambda_k$ on
# average, which gives Anderson's $\theta_k^{\mathrm{normal}}$, the formula
# of the lecture:
#
# <!-- math: mark unverifiable: the spread of a random estimate to first order, which the cell below compares with the bootstrap -->
#
# $$
# \begin{gathered}
# \theta_k \approx \sqrt{\frac{1}{N} \sum_{j \ne k} \frac{m_{jk}}{(\lambda_k - \lambda_j)^2}} , \\
# \theta_k^{\mathrm{normal}} = \sqrt{\frac{1}{N} \sum_{j \ne k} \frac{\lambda_k \lambda_j}{(\lambda_k - \lambda_j)^2}} .
# \end{gathered}
# $$
#
# Both come from a linearisation, which needs every coupling to be small
# against its gap: the typical coupling with a neighbour is about
# $\lambda_k / \sqrt{N}$, so $g_k$ must be large against $1 / \sqrt{N}$,
# which is 0.024 here.
#
# The cell draws 300 resamples (with a seeded generator) and computes the
# principal directions of each. For the first sixteen it records the angle
# between the resampled $q_k^*$ and $q_k$, and also the linearised angle: the
# length of $\dd q_k$ from the formula above, with $C^* - C$ for $\dd C$, on
# the same resamples. Comparing the two tells the failure of the
# linearisation apart from the failure of the normal assumptions. It also
# keeps the principal angles between two planes, for the last section.

# %%
Z = Xc @ Q  # the scores z_ij
m = (Z**2).T @ (Z**2) / N  # the fourth moments m_jk
others = np.arange(n) != np.arange(K)[:, None]  # j != k, for k = 1..K
inverse_gaps = np.divide(1.0, (lam[:K, None] - lam) ** 2, out=np.zeros((K, n)), where=others)
theta_fourth = np.sqrt(np.sum(m[:K] * inverse_gaps, axis=1) / N)
theta_normal = np.sqrt(np.sum(np.outer(lam[:K], lam) * inverse_gaps, axis=1) / N)

rng = np.random.default_rng(2)
B = 300
angles = np.empty((B, K))  # between q_k of a resample and q_k, radians
linear = np.empty((B, K))  # the same to first order: the length of dq_k
plane_angles = np.empty((B, 2))  # principal angles between the planes of q_13, q_14
for b in range(B):
    lam_b, Q_b, Xc_b = pca(X[rng.integers(N, size=N)])
    cosines = np.abs(np.sum(Q_b[:, :K] * Q[:, :K], axis=0))
    angles[b] = np.arccos(np.minimum(cosines, 1))
    coupling = Q.T @ (Xc_b.T @ Xc_b / N - C) @ Q[:, :K]  # q_j^T (C* - C) q_k
    linear[b] = np.sqrt(np.sum(coupling.T**2 * inverse_gaps, axis=1))
    s = np.linalg.svd(Q[:, pair].T @ Q_b[:, pair], compute_uv=False)
    plane_angles[b] = np.arccos(np.minimum(s, 1))

deg = np.degrees
rms = np.sqrt(np.mean(angles**2, axis=0))
rms_linear = np.sqrt(np.mean(linear**2, axis=0))
print("rms angle between q_k* and q_k, degrees")
print(" k   g_k   bootstrap  linearised  fourth moments  normal (Anderson)")
for k in range(K):
    print(f"{k + 1:2d}  {gap[k]:.3f}  {deg(rms[k]):7.1f}  {deg(rms_linear[k]):10.1f}"
          f"  {deg(theta_fourth[k]):12.1f}  {deg(theta_normal[k]):14.1f}")

# %% [markdown]
# The figure puts the bootstrap and the two formulas against the relative
# gap, on log axes (the linearised column is left out: it lies on the
# fourth-moment squares). The dotted line is the angle that one neighbour
# alone would cause with normal data, $1 / (g_k \sqrt{N})$ radians, and the
# grey band marks the gaps below $5 / \sqrt{N}$, where a typical coupling is
# more than a fifth of the gap.

# %%
# alt: Log-log scatter of the rms angle, in degrees, by which each of the first 16 principal directions qₖ turns when the 1797 images are resampled, against its relative gap gₖ from 0.026 to 0.31: 300 bootstrap resamples (dots), the first-order formula with fourth moments (squares) and for normal data (Anderson, crosses), and the dotted line 1 / (gₖ √N). All three fall as the gap grows, along the dotted line: 8 degrees at the largest gap, 0.31 (k = 4), where they agree; 16 to 25 degrees near gaps of 0.085 (k = 1, 2 and 8), where the bootstrap is up to a quarter above the formulas; and 42 degrees for the closest pair, k = 13 and 14, where the formulas give 48 to 53. A grey band marks the gaps below 5/√N ≈ 0.12.
threshold = 5 / np.sqrt(N)
span = np.array([0.022, 0.4])
fig, ax = plt.subplots(figsize=(4, 5), layout="constrained")
ax.axvspan(span[0], threshold, color="0.5", alpha=0.15, lw=0)
ax.text(0.024, 5.2, "gₖ < 5/√N", color="0.35")
ax.loglog(gap, deg(rms), "o", color="C0", label="bootstrap, 300 resamples")
ax.loglog(gap, deg(theta_fourth), "s", mfc="none", mew=1.5, color="C2",
          label="first order, fourth moments")
ax.loglog(gap, deg(theta_normal), "x", mew=1.5, color="C1",
          label="first order, normal (Anderson)")
ax.loglog(span, deg(1 / (span * np.sqrt(N))), ":", color="0.4", label="1 / (gₖ √N)")
for k, text, offset in [(0, "1", (-12, -4)), (1, "2", (6, 2)), (3, "4", (6, 2)), (7, "8", (6, 2)),
                        (12, "13, 14", (-4, -16))]:
    ax.annotate(text, (gap[k], deg(rms[k])), textcoords="offset points", xytext=offset)
ax.set_xlim(span)
ax.set_ylim(4, 90)
for axis, ticks in [(ax.xaxis, [0.03, 0.05, 0.1, 0.2, 0.3]), (ax.yaxis, [5, 10, 20, 40, 80])]:
    axis.set_major_locator(FixedLocator(ticks))
    axis.set_major_formatter(ScalarFormatter())
    axis.set_minor_locator(NullLocator())
ax.set_xlabel("relative gap gₖ")
ax.set_ylabel("rms angle from qₖ* to qₖ (degrees)")
ax.set_title("How far qₖ turns on resampling", fontsize="medium")
ax.grid(True, alpha=0.3)
fig.legend(loc="outside lower center")
plt.show()

# %% [markdown]
# What the bootstrap says, and which parts hold for every seed (the cell below
# asserts them):
#
# - **The direction with the widest gap is the most stable, and it is not
#   $q_1$.** $q_4$, whose eigenvalue stands more than 30% away from both
#   neighbours, turns by about 8 degrees; $q_1$ and $q_2$, whose eigenvalues
#   are 9% apart, by 15 to 20 degrees each. The first principal direction of
#   the digits is not pinned down by 1797 images: another sample of the same
#   handwriting would tilt it noticeably, mostly towards $q_2$ (three
#   quarters of its first-order squared angle lies along $q_2$).
# - **The linearisation is right on average.** On the same resamples, the
#   linearised angle agrees with the fourth-moment formula within the
#   sampling noise of 300 resamples (10 to 15%) for all sixteen directions,
#   gaps wide or narrow: the algebra behind the formula holds.
# - **First order is the whole story only where the gap is wide.** For $q_4$
#   the bootstrap, the linearised angle and both formulas agree within 5%. As
#   the gaps narrow, the bootstrap pulls away above the linearisation, which
#   leaves out the higher-order terms of the perturbation: for $q_1$, $q_2$
#   and $q_6$ to $q_9$ it is higher with every seed, by up to about two
#   thirds.
# - **Anderson's formula is close for the wrong reasons.** The digits are not
#   normal. Pixel values are bounded and the images form clusters; the scores
#   on the first two directions have light tails (their kurtosis, 3 for
#   normal data, is 2.2 to 2.4), and $m_{12}$ is only 0.6 times
#   $\lambda_1 \lambda_2$. With the digits' own fourth moments, the
#   first-order angle of $q_1$ and $q_2$ is a fifth below Anderson's, and the
#   higher-order terms then raise the bootstrap angle above the linearised
#   one. Anderson's formula, wrong in both of its assumptions there, still
#   lands within 30% of the bootstrap for the first seven directions: the two
#   errors partly cancel.
# - **Where neighbours nearly touch, the first-order angle means nothing.**
#   For $q_{13}$ and $q_{14}$ both formulas predict about 50 degrees. The
#   linearised angle grows without bound as a gap closes, while a real angle
#   cannot exceed 90 degrees; at 50 degrees the bootstrap is already below
#   the prediction. The next section looks at that pair.

# %%
kurtosis = np.mean(Z[:, :2] ** 4, axis=0) / lam[:2] ** 2
ratio_m = m[0, 1] / (lam[0] * lam[1])
ratio_linear = rms_linear / theta_fourth  # sampling noise only
beyond = rms / rms_linear  # the higher-order terms
ratio_normal = rms / theta_normal
toward = m[0, 1] * inverse_gaps[0, 1] / np.sum(m[0] * inverse_gaps[0])  # share of q_2
print(f"q_1: share of the first-order squared angle along q_2 {toward:.2f}")
print(f"kurtosis of the scores on q_1, q_2: {kurtosis.round(2)}; "
      f"m_12 / (lambda_1 lambda_2) = {ratio_m:.2f}")
print(f"linearised / fourth moments, k = 1..{K}: from {ratio_linear.min():.2f} "
      f"to {ratio_linear.max():.2f}")
print(f"q_4: bootstrap / linearised {beyond[3]:.2f}, / fourth moments "
      f"{rms[3] / theta_fourth[3]:.2f}, / Anderson {ratio_normal[3]:.2f}")
print(f"bootstrap / linearised for q_1, q_2, q_6..q_9: {beyond[[0, 1, 5, 6, 7, 8]].round(2)}")
print(f"fourth moments / Anderson for q_1, q_2: {(theta_fourth / theta_normal)[:2].round(2)}")
print(f"bootstrap / Anderson for q_1..q_7: {ratio_normal[:7].round(2)}")

assert np.argmin(rms[:8]) == 3 and rms[3] < 0.85 * np.delete(rms[:8], 3).min()
assert 7 < deg(rms[3]) < 9.5 and np.all((deg(rms[:2]) > 13) & (deg(rms[:2]) < 22))
assert 0.7 < toward < 0.85
assert np.all(abs(ratio_linear - 1) < 0.15)
assert max(abs(beyond[3] - 1), abs(rms[3] / theta_fourth[3] - 1), abs(ratio_normal[3] - 1)) < 0.08
assert np.all(beyond[[0, 1, 5, 6, 7, 8]] > 1.03) and beyond.max() < 1.8
assert 2.1 < kurtosis.min() and kurtosis.max() < 2.45 and 0.55 < ratio_m < 0.65
assert np.all(abs(theta_fourth[:2] / theta_normal[:2] - 0.8) < 0.05)
assert np.all(abs(ratio_normal[:7] - 1) < 0.3)
assert np.all(deg(theta_normal[pair]) > 45) and np.all(ratio_normal[pair] < 0.95)

# %% [markdown]
# ## Where two eigenvalues nearly meet
#
# <!-- math
# n = 4; a = 2; b = 3
# N = 20; Y: N×n; M: n×n separated; X := Y \exp(M / 2); vary: Y
# \mathbf{1}: N; \bar x := X^\T \mathbf{1} / N; X_c := X - \mathbf{1} \bar x^\T
# C := X_c^\T X_c / N; \lambda := -\operatorname{eigvals}(-C); Q := \operatorname{eigvecs}(-C); q_k := Q e_k
# P := Q \begin{pmatrix} 0 & 0 & 0 & 0 \\ 0 & 1 & 0 & 0 \\ 0 & 0 & 1 & 0 \\ 0 & 0 & 0 & 0 \end{pmatrix} Q^\T   # the projection onto the plane of q_a, q_b
# -->
#
# $\lambda_{13}$ and $\lambda_{14}$ are 0.58 apart, while their other
# neighbours are 5.4 and 3.7 away. The lecture's section on eigenvalues that
# meet predicts what the bootstrap should see: the two directions are
# ill-determined, but the plane they span is not, because the derivative of
# the projection $P = q_a q_a^\T + q_b q_b^\T$ onto the plane of two
# neighbours $q_a$ and $q_b$, $b = a + 1$, has only the gaps to the *other*
# eigenvalues in its denominators. In the product rule for $\dd P$ the terms
# that couple $q_a$ with $q_b$ come with $1 / (\lambda_a - \lambda_b)$ and
# $1 / (\lambda_b - \lambda_a)$ and cancel, which leaves
#
# $$
# \begin{aligned}
# \dd P &= \sum_{i=a}^{b} \sum_{j < a} \frac{q_j^\T \dd C q_i}{\lambda_i - \lambda_j} (q_j q_i^\T + q_i q_j^\T) \\
# &\quad + \sum_{i=a}^{b} \sum_{j > b} \frac{q_j^\T \dd C q_i}{\lambda_i - \lambda_j} (q_j q_i^\T + q_i q_j^\T) .
# \end{aligned}
# $$
#
# The distance between two planes is measured by their principal angles: if
# the columns of $U$ and $U^*$ are orthonormal bases of the two planes, the
# singular values of $U^\T U^*$ are the cosines of the two principal angles.
# To first order the squared sines of the principal angles add up to half the
# squared Frobenius norm of $\dd P$, and the same reasoning as for one
# direction gives their mean over resamples: the sum of
# $m_{ij} / (N (\lambda_i - \lambda_j)^2)$ over $i$ in the pair and $j$
# outside it. The cell compares the root of that sum with the bootstrap, and
# the angle of $q_{13}$ alone with the larger principal angle of the plane.

# %%
# alt: Histograms over 300 bootstrap resamples of two angles, in degrees from 0 to 90. The larger principal angle between the resampled plane of q₁₃ and q₁₄ and the full-data plane (filled) is narrow: between about 8 and 30 degrees, median 17, never above 45. The angle of q₁₃ alone to its full-data direction (outline) peaks near 20 degrees but has a long, flat tail all the way to 90: median 27 degrees, and 26% of the resamples above 45.
outside = np.setdiff1d(np.arange(n), pair)
predicted = np.sqrt(np.sum(m[np.ix_(pair, outside)] * inverse_gaps[np.ix_(pair, outside)]) / N)
measured = np.sqrt(np.mean(np.sum(np.sin(plane_angles) ** 2, axis=1)))
single = deg(angles[:, pair[0]])  # q_13 alone
tilt = deg(plane_angles[:, 1])  # the larger principal angle of the plane
print(f"lambda_13 - lambda_14 = {below[pair[0]]:.2f}; gaps to the other neighbours "
      f"{below[pair[0] - 1]:.2f} and {below[pair[1]]:.2f}")
print(f"rms angle: q_13 {deg(rms[pair[0]]):.1f} deg, q_14 {deg(rms[pair[1]]):.1f} deg, "
      f"plane (larger principal angle) {np.sqrt(np.mean(tilt**2)):.1f} deg")
print(f"median angle: q_13 {np.median(single):.1f} deg, plane {np.median(tilt):.1f} deg")
print(f"share of resamples above 45 degrees: q_13 {np.mean(single > 45):.0%}, "
      f"plane {np.mean(tilt > 45):.0%}")
print(f"rms of the root of the sum of squared sines: bootstrap {measured:.3f}, "
      f"first order {predicted:.3f}")
assert np.sqrt(np.mean(tilt**2)) < 0.5 * deg(rms[pair]).min() and 15 < np.median(tilt) < 20
assert abs(rms[pair[1]] / rms[pair[0]] - 1) < 0.1
assert np.mean(single > 45) > 0.15 and np.mean(tilt > 45) < 0.01
assert abs(measured / predicted - 1) < 0.1
assert 10_000 < 25 / gap[pair[0]] ** 2 < 100_000

fig, ax = plt.subplots(figsize=(4, 3.8), layout="constrained")
bins = np.linspace(0, 90, 31)
ax.hist(tilt, bins, color="C2", alpha=0.5,
        label="plane of q₁₃ and q₁₄\n(larger principal angle)")
ax.hist(single, bins, histtype="step", lw=2, color="C0", label="q₁₃ alone")
ax.set_xlabel("angle to the full-data fit (degrees)")
ax.set_ylabel("resamples")
ax.set_title("q₁₃ wanders, its plane much less", fontsize="medium")
ax.legend(loc="upper right")
ax.grid(True, alpha=0.3)
plt.show()

# %% [markdown]
# The angle of $q_{13}$ has a peak where the tilt of the plane puts it, and a
# long flat tail out to 90 degrees: in a quarter or more of the resamples
# $q_{13}^*$ is more than 45 degrees away from $q_{13}$, the two directions
# having swapped or mixed within their plane ($q_{14}$ behaves the same way).
# The plane's larger principal angle stays in a narrow band around 17 degrees
# and hardly ever passes 45; its rms is under half that of either direction,
# and for it the first-order prediction, which involves only the wider gaps
# to $\lambda_{12}$, $\lambda_{15}$ and beyond, agrees with the bootstrap
# within 10%. The plane still tilts by some 18 degrees because the gaps
# around it are narrow in absolute terms too: with more images it would
# settle like $1 / \sqrt{N}$. The directions inside it would need $g_{13}$ to
# clear $5 / \sqrt{N}$, that is, $N$ above $25 / g_{13}^2$: tens of thousands
# of images instead of 1797.
#
# The practical reading: a principal direction is worth interpreting only if
# its eigenvalue stands apart from both neighbours by much more than
# $1 / \sqrt{N}$ of its size. When two eigenvalues are close, report the plane
# they span (or the projection onto it), not the two directions.
#
# ## Things to try
#
# - Scale each pixel to unit variance first (PCA of the correlation matrix)
#   and compare the gaps and the bootstrap angles; the three blank pixels must
#   then be dropped.
# - Use only half of the images: does the angle of $q_4$ grow by $\sqrt 2$, as
#   the first-order formula says, and what happens to $q_1$?
# - Repeat the bootstrap for the plane of $q_1$ and $q_2$, which is what a
#   scatter plot of the digits on their first two principal components shows.
# - Replace the digits by normal data with the same covariance (each score
#   $z_{ij}$ replaced by a normal number of variance $\lambda_j$): do the
#   fourth-moment and the normal predictions then agree, and does the
#   bootstrap still pull away from them for $q_1$ and $q_2$?
#
# ## References
#
# - T. W. Anderson, "Asymptotic Theory for Principal Component Analysis",
#   *Annals of Mathematical Statistics* 34(1), 122–148 (1963): the asymptotic
#   distribution of the eigenvectors of a sample covariance matrix, for normal
#   data.
# - R. Beran, M. S. Srivastava, "Bootstrap Tests and Confidence Regions for
#   Functions of a Covariance Matrix", *Annals of Statistics* 13(1), 95–115
#   (1985): the bootstrap for eigenvalues and eigenvectors of a covariance
#   matrix, and its failure where eigenvalues are repeated.
# - B. Efron, R. J. Tibshirani, *An Introduction to the Bootstrap*, Chapman &
#   Hall (1993), chapter 7: the bootstrap of principal components.
# - C. Davis, W. M. Kahan, "The Rotation of Eigenvectors by a Perturbation.
#   III", *SIAM Journal on Numerical Analysis* 7(1), 1–46 (1970): invariant
#   subspaces are as stable as the gap that separates them from the rest of
#   the spectrum.
# - Å. Björck, G. H. Golub, "Numerical Methods for Computing Angles Between
#   Linear Subspaces", *Mathematics of Computation* 27(123), 579–594 (1973):
#   principal angles from the singular values of $U^\T U^*$.
# - E. Alpaydin, C. Kaynak, "Optical Recognition of Handwritten Digits", UCI
#   Machine Learning Repository (1998); scikit-learn's `load_digits` is a copy
#   of its test set.
