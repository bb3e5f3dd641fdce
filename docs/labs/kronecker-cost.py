# %% [markdown]
# # Kronecker matrix versus operator
#
# The lecture
# [vec and Kronecker products](../../lectures/vec-kronecker/#what-the-kronecker-form-costs)
# writes the derivative of $X \mapsto X^2$ in two ways that give the same vector:
#
# <!-- math: X: n×n; vary: X; I: n×n -->
#
# $$
# \begin{aligned}
# &\left(X^\T \kron I + I \kron X\right) \vec \dd X \\
# &\qquad = \vec\left(\dd X\, X + X\, \dd X\right).
# \end{aligned}
# $$
#
# The left side is an $n^2 \times n^2$ matrix: $n^4$ numbers to store, and about
# $2n^4$ operations to apply. The right side is two $n \times n$ matrix products:
# about $4n^3$ operations and nothing stored but $X$ and $\dd X$. This lab
# measures both, in time and in memory, as $n$ grows, and fits the exponents.
#
# Three things are timed for each $n$:
#
# - **build + apply**: form the Kronecker matrix with `np.kron` and multiply it by
#   $\vec \dd X$, which is what code that "builds the Jacobian" does;
# - **apply only**: multiply an already formed Kronecker matrix by $\vec \dd X$;
# - **operator**: compute $\dd X\, X + X\, \dd X$.
#
# Times are CPU times of the computing thread, the best of several repeats (the
# minimum is the least disturbed by other work on the machine); memory is the
# peak that Python's `tracemalloc` sees while the computation runs, which
# includes NumPy's arrays.

# %%
import os

# One BLAS thread: the comparison is about work, not about how many cores share
# it, and threads that wait for busy cores make timings jump. It must be set
# before NumPy is imported.
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"

import time
import tracemalloc

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML, display


def vec(M):
    return M.reshape(-1, order="F")  # stack the columns


def kronecker_matrix(X):
    n = X.shape[0]
    J = np.kron(X.T, np.eye(n))
    J += np.kron(np.eye(n), X)  # in place: one n^2 x n^2 temporary, not two
    return J


def build_and_apply(X, dX):
    return kronecker_matrix(X) @ vec(dX)


def operator(X, dX):
    return vec(dX @ X + X @ dX)


def best_time(f, budget=0.02, repeats=3):
    """Best CPU time of one call, over `repeats` rounds of about `budget` seconds.

    CPU time of this thread (user + system), not wall-clock time: other programs
    running at the same moment do not count, and with one BLAS thread all the
    work happens in this thread.
    """
    start = time.thread_time()
    f()
    once = time.thread_time() - start
    number = max(1, int(budget / repeats / max(once, 1e-6)))
    rounds = []
    for _ in range(repeats):
        start = time.thread_time()
        for _ in range(number):
            f()
        rounds.append((time.thread_time() - start) / number)
    return min(rounds)


def peak_bytes(f):
    """Peak memory allocated while f runs, as tracemalloc sees it."""
    tracemalloc.start()
    f()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


# Both forms give the same vector (the lecture checks the identity; here it
# guards the measurements: timing a wrong computation would prove nothing).
rng = np.random.default_rng(0)
for n in [2, 5, 12]:
    X, dX = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    exact = operator(X, dX)
    err = np.linalg.norm(build_and_apply(X, dX) - exact) / np.linalg.norm(exact)
    print(f"n = {n:2d}: relative difference {err:.1e}")
    assert err < 1e-13

# %% [markdown]
# ## Measurements
#
# The Kronecker form stops at $n = 56$: its matrix then has
# $56^4 \approx 9.8 \times 10^6$ entries (79 MB), and building it needs room for
# two of them. The operator form goes on to $n = 512$ in a fraction of the
# time. The last column of the memory table gives what the Kronecker matrix
# alone *would* need, $8 n^4$ bytes.

# %%
kron_sizes = [4, 8, 12, 16, 24, 32, 40, 48, 56]
operator_sizes = kron_sizes + [96, 128, 192, 256, 384, 512]
rows = []
started = time.perf_counter()
for n in operator_sizes:
    X, dX = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    row = {"n": n, "operator": best_time(lambda: operator(X, dX)),
           "operator peak": peak_bytes(lambda: operator(X, dX))}
    if n in kron_sizes:
        J, v = kronecker_matrix(X), vec(dX)
        row["build + apply"] = best_time(lambda: build_and_apply(X, dX))
        row["apply only"] = best_time(lambda: J @ v)
        row["kron peak"] = peak_bytes(lambda: build_and_apply(X, dX))
        del J
    rows.append(row)
print(f"measured in {time.perf_counter() - started:.1f} s (wall clock)\n")


def cell(row, key, fmt, scale=1.0):
    return fmt.format(row[key] * scale) if key in row else "-"


def table(caption, columns, lines):
    """An HTML table: unlike printed text, it scrolls sideways on a phone."""
    head = "".join(f"<th>{name}</th>" for name in columns)
    body = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in line) + "</tr>"
                   for line in lines)
    display(HTML(f"<p><strong>{caption}</strong></p><table><thead><tr>{head}</tr>"
                 f"</thead><tbody>{body}</tbody></table>"))


for row in rows:  # time per entry of the Kronecker matrix, in nanoseconds
    if "build + apply" in row:
        row["b+a per entry"] = row["build + apply"] / row["n"] ** 4 * 1e9
        row["apply per entry"] = row["apply only"] / row["n"] ** 4 * 1e9

table("Time: CPU seconds per call",
      ["n", "build + apply", "apply only", "operator"],
      [[row["n"], cell(row, "build + apply", "{:.2e}"),
        cell(row, "apply only", "{:.2e}"), cell(row, "operator", "{:.2e}")]
       for row in rows])
table("Kronecker times divided by n⁴: nanoseconds per entry of the matrix",
      ["n", "b+a / n⁴", "apply / n⁴"],
      [[row["n"], cell(row, "b+a per entry", "{:.2f}"),
        cell(row, "apply per entry", "{:.3f}")]
       for row in rows if "b+a per entry" in row])
table("Peak memory (MB); 8 n⁴ bytes is the Kronecker matrix alone",
      ["n", "Kronecker peak", "operator peak", "8 n⁴"],
      [[row["n"], cell(row, "kron peak", "{:.3g}", 1e-6),
        cell(row, "operator peak", "{:.3g}", 1e-6), f"{8 * row['n'] ** 4 / 1e6:.3g}"]
       for row in rows])

# The memory of the Kronecker form is no estimate: it holds at least its matrix.
assert all(row["kron peak"] >= 8 * row["n"] ** 4 for row in rows if "kron peak" in row)
largest = rows[len(kron_sizes) - 1]
print(f"\nat n = {largest['n']}: build + apply takes "
      f"{largest['build + apply'] / largest['operator']:.0f} times the operator's time "
      f"and {largest['kron peak'] / largest['operator peak']:.0f} times its memory")
assert largest["build + apply"] > 10 * largest["operator"]

# %% [markdown]
# ## Slopes on log-log axes
#
# <!-- math: c, p: scalar positive; \operatorname{cost} := c n^p -->
#
# If a cost grows like $c\, n^p$, then $\log(\operatorname{cost}) = \log c + p \log n$:
# a straight line of slope $p$ on log-log axes. A least-squares line through the
# larger sizes of each method estimates $p$. Small sizes are left out of the fit
# on purpose: there every call costs a few microseconds of fixed overhead
# (Python, argument checks, allocating the result) whatever $n$ is.

# %%
def slope(key, sizes):
    points = [(row["n"], row[key]) for row in rows if row["n"] in sizes]
    n, cost = np.array(points, dtype=float).T
    return np.polyfit(np.log(n), np.log(cost), 1)[0]


kron_fit = [24, 32, 40, 48, 56]
operator_fit = [128, 192, 256, 384, 512]
slopes = {
    "build + apply (time)": slope("build + apply", kron_fit),
    "apply only (time)": slope("apply only", kron_fit),
    "operator (time)": slope("operator", operator_fit),
    "operator, small n (time)": slope("operator", kron_fit),
    "kron peak (memory)": slope("kron peak", kron_fit),
    "operator peak (memory)": slope("operator peak", operator_fit),
}
for name, p in slopes.items():
    print(f"{name:26s} slope {p:4.1f}")
# Memory is counted, not timed, so its exponents are reliable.
assert abs(slopes["kron peak (memory)"] - 4) < 0.3
assert abs(slopes["operator peak (memory)"] - 2) < 0.3

# A Kronecker time's fitted slope is 4 plus the slope of its time per entry of
# the matrix (the second table): say which way that moved on this machine, and
# where it rose most between consecutive sizes (n, and the matrix in MB).
print()
for key in ["build + apply", "apply only"]:
    per_entry = [(row["n"], row[key] / row["n"] ** 4) for row in rows if key in row]
    excess = slopes[f"{key} (time)"] - 4
    trend = ("rises" if excess > 0.05 else "falls" if excess < -0.05
             else "stays nearly constant")
    print(f"{key}: from n = {kron_fit[0]} to {kron_fit[-1]} the time per entry "
          f"{trend} (like n^{excess:+.1f}): slope {4 + excess:.1f}")
    rise, n0, n1 = max((c1 / c0, n0, n1) for (n0, c0), (n1, c1)
                       in zip(per_entry, per_entry[1:]))
    if rise > 1.1:
        print(f"  largest rise: x{rise:.1f} from n = {n0} ({8 * n0**4 / 1e6:.2g} MB) "
              f"to n = {n1} ({8 * n1**4 / 1e6:.2g} MB)")
    else:
        print("  no rise of more than 10% between consecutive sizes")

# %%
# alt: Two log-log panels, one above the other, against the matrix size n. Above, the CPU time to apply the Jacobian of X²: building the Kronecker matrix and applying it (circles) and applying it alone (squares), for n up to 56, climb along a dashed reference line of slope 4, to thousands of times the time of the operator form (triangles), which is measured up to n = 512, stays nearly flat at a few microseconds for small n and then climbs along a dotted line of slope 3. Below, the peak memory in MB: the Kronecker peak runs parallel to the dashed line of the 8 n⁴ bytes of the matrix, slope 4, about twice as high, up to about 200 MB at n = 56, while the operator peak grows only like n², slope 2, from 1e-3 MB to 4 MB at n = 512, and is about 2000 times smaller at n = 56.
fig, (ax_time, ax_mem) = plt.subplots(2, 1, figsize=(4, 7.6), layout="constrained")
n_all = np.array([row["n"] for row in rows], dtype=float)
for key, marker in [("build + apply", "o"), ("apply only", "s"), ("operator", "^")]:
    n = [row["n"] for row in rows if key in row]
    ax_time.loglog(n, [row[key] for row in rows if key in row], marker + "-", label=key)
# Reference slopes, anchored at the last measured point of each method.
n4 = np.array(kron_fit, dtype=float)
ax_time.loglog(n4, largest["build + apply"] * (n4 / n4[-1]) ** 4, "k--", lw=1,
               label="slope 4")
n3 = np.array(operator_fit, dtype=float)
ax_time.loglog(n3, rows[-1]["operator"] * (n3 / n3[-1]) ** 3, "k:", lw=1,
               label="slope 3")
ax_time.set(xlabel="n", ylabel="time (s)", title="Time to apply the Jacobian of X²")
ax_time.set_ylim(top=100 * largest["build + apply"])  # room for the legend
ax_time.legend(loc="upper left", ncols=2)

for key, marker in [("kron peak", "o"), ("operator peak", "^")]:
    n = [row["n"] for row in rows if key in row]
    ax_mem.loglog(n, [row[key] / 1e6 for row in rows if key in row], marker + "-",
                  label=key)
ax_mem.loglog(n_all, 8 * n_all**4 / 1e6, "k--", lw=1, label="8 n⁴ bytes")
ax_mem.set(xlabel="n", ylabel="peak memory (MB)", title="Memory")
ax_mem.legend()
plt.show()

# %% [markdown]
# ## What the numbers say
#
# **Memory** behaves as counted: the peak of the Kronecker form follows
# $8n^4$ bytes (slope 4; the peak is about twice the matrix, because the second
# `np.kron` makes a temporary as large as the first), and the peak of the
# operator form grows like $n^2$ (slope about 2), the size of its result. At
# $n = 1000$ the Kronecker matrix alone would need 8 TB.
#
# **Time** is measured, and measured exponents differ from operation counts, by
# amounts that depend on the machine (its caches, its memory, its BLAS) and
# move by a few tenths from run to run: the slopes printed above come from one
# run on the machine that built this page. The second table, times divided by
# $n^4$, shows why the Kronecker slopes need not be 4: the fitted slope of a
# Kronecker time is 4 plus the slope of its time per entry, and the time per
# entry is not constant over this range (the lines printed under the slopes say
# which way it moved here).
#
# - *Build + apply* spends its time in `np.kron`, and two effects move its cost
#   per entry written in opposite directions (the column "b+a / n⁴"). It fills
#   the $n^2 \times n^2$ result with one broadcast multiplication whose
#   innermost loop runs over only $n$ entries, so a fixed cost per inner loop
#   adds a term growing like $n^3$: the cost per entry falls as $n$ grows,
#   which pulls the slope below 4. And writing is cheaper while the result
#   still fits in a cache: the cost per entry rises as the result outgrows one,
#   which pushes the slope above 4. Which effect wins from $n = 24$ to $56$
#   depends on the machine's caches; the $n^4$ count is what remains for large
#   $n$, not what a range of small sizes shows.
# - *Apply only* is a matrix-vector product whose speed is set by how fast the
#   $n^4$ entries reach the processor. While the matrix fits in a cache it is
#   fast; once it outgrows that cache, every entry comes from a slower cache or
#   from main memory, and the cost per entry steps up (the column
#   "apply / n⁴", and the largest rise printed under the slopes, with the sizes
#   of the matrix it lies between). Over a range that crosses such a step the
#   slope comes out *above* 4; beyond the last one, it settles at 4.
# - *Operator* is two matrix-matrix products. For large $n$ they run at a
#   nearly constant rate per operation, so the slope is close to 3. For small
#   $n$ a call costs a few microseconds whatever its size, and the slope is far
#   below 3.
#
# The exponents move from run to run and from machine to machine; the gap does
# not: at the largest common size the Kronecker form takes many times the time
# and the memory of the operator form (both ratios are printed under the
# tables), and the time ratio grows like $n$ (operations: $n^4$ against $n^3$),
# the memory ratio like $n^2$. Apply derivatives of matrix functions in operator
# form, and form the Kronecker matrix only for small $n$ when the whole matrix
# is needed.
#
# Back to the lecture:
# [What the Kronecker form costs](../../lectures/vec-kronecker/#what-the-kronecker-form-costs).
