"""Benchmark of the course's backpropagation engine (`make bench`); a report, not a test.

Prints, for the network of the training lab (docs/labs/train-mlp.py: 64 inputs,
32 tanh hidden units, 10 classes) on its training batch of 128 examples and on
the whole training set at once:
- the time of one loss evaluation (the engine's functions on plain arrays),
- the time of one loss and gradient by the engine (tape and backward pass),
- their ratio (floor: at most 4 on a 2-core machine),
- the time of the same gradient by central differences (one run, so it also
  measures whatever else the machine does; "2P losses" is the time it would
  take undisturbed), and its agreement with the engine,
- the page faults of each call (fresh memory the tape asks for).
Then the ratio for growing input sizes (the lecture "The cost of a gradient"),
and the two multiplication orders of a 1 x n times n x n times n x n chain
(the lecture "The chain rule") for growing n.

Every time is the fastest of repeated runs: the run least disturbed by other
work on the machine. NumPy's matrix products run on one thread here (set
OPENBLAS_NUM_THREADS to change that): on a 2-core machine shared with other
processes, a multithreaded product of small matrices waits for a second core
to become free, and the times would measure the neighbours, not the code.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads OpenBLAS

import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "snippets" / "backpropagation"))
from engine import central_difference_gradient, init_params, loss, loss_and_gradient  # noqa: E402

# The lab's sizes (docs/labs/train-mlp.py).
N_IN, N_HIDDEN, N_OUT, BATCH, TRAINING_SET = 64, 32, 10, 128, 1437
FLOOR_RATIO = 4.0


def best_time(compute, repeats: int = 5, budget: float = 0.3) -> float:
    """The fastest of at least `repeats` runs, repeating for `budget` seconds."""
    best, spent = float("inf"), 0.0
    while repeats > 0 or spent < budget:
        start = time.perf_counter()
        compute()
        elapsed = time.perf_counter() - start
        best, spent, repeats = min(best, elapsed), spent + elapsed, repeats - 1
    return best


def faults_per_call(compute, calls: int = 50) -> float:
    compute()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(calls):
        compute()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / calls


def problem(rng, n_in: int, batch: int):
    params = init_params(rng, n_in, N_HIDDEN, N_OUT)
    x = rng.random((n_in, batch))  # pixel intensities in [0, 1], one column per image
    y = np.eye(N_OUT)[:, rng.integers(0, N_OUT, size=batch)]
    return params, x, y


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:9.3f}"


def lab_network(rng) -> bool:
    print(f"The lab's network, {N_IN}-{N_HIDDEN}-{N_OUT}, times in ms:")
    header = (f"{'examples':>8s} {'loss':>9s} {'gradient':>9s} {'ratio':>6s} "
              f"{'differences':>11s} {'2P losses':>9s} {'rel. error':>10s} "
              f"{'page faults loss/grad':>21s}")
    print(header)
    print("-" * len(header))
    ok = True
    for batch, label in [(BATCH, "batch"), (TRAINING_SET, "full set")]:
        params, x, y = problem(rng, N_IN, batch)
        loss_time = best_time(lambda: loss(params, x, y))
        gradient_time = best_time(lambda: loss_and_gradient(params, x, y))
        differences, err = "not run", "-"
        if batch == BATCH:  # on the full set, 2P losses is the estimate
            start = time.perf_counter()
            numeric = central_difference_gradient(lambda ps: loss(ps, x, y), params)
            differences = ms(time.perf_counter() - start)
            _, grads = loss_and_gradient(params, x, y)
            err = f"{max(np.linalg.norm(g - d) / np.linalg.norm(g) for g, d in zip(grads, numeric)):.1e}"
        faults = (faults_per_call(lambda: loss(params, x, y)),
                  faults_per_call(lambda: loss_and_gradient(params, x, y)))
        ratio = gradient_time / loss_time
        count = sum(p.size for p in params)
        print(f"{batch:8d} {ms(loss_time)} {ms(gradient_time)} {ratio:6.2f} "
              f"{differences:>11s} {ms(2 * count * loss_time)} "
              f"{err:>10s} {faults[0]:10.0f}/{faults[1]:<10.0f} ({label})")
        if batch == BATCH:
            ok = ratio <= FLOOR_RATIO
            verdict = "met" if ok else "NOT MET"
            floor_line = (f"gradient / loss at the training batch: {ratio:.2f} "
                          f"(floor <= {FLOOR_RATIO:.0f}): {verdict}")
    print(floor_line)
    return ok


def growing_inputs(rng) -> None:
    print(f"\nGrowing input size, {N_HIDDEN} hidden units, {N_OUT} classes, batch {BATCH}; "
          "times in ms:")
    header = (f"{'inputs':>6s} {'P':>7s} {'loss':>9s} {'gradient':>9s} {'ratio':>6s} "
              f"{'differences':>11s} {'2P losses':>9s}")
    print(header)
    print("-" * len(header))
    for n_in in [16, 64, 256, 1024]:
        params, x, y = problem(rng, n_in, BATCH)
        count = sum(p.size for p in params)
        loss_time = best_time(lambda: loss(params, x, y))
        gradient_time = best_time(lambda: loss_and_gradient(params, x, y))
        differences = "not run"
        if n_in <= 64:  # above, minutes on a busy machine; 2P losses is the estimate
            start = time.perf_counter()
            central_difference_gradient(lambda ps: loss(ps, x, y), params)
            differences = ms(time.perf_counter() - start)
        print(f"{n_in:6d} {count:7d} {ms(loss_time)} {ms(gradient_time)} "
              f"{gradient_time / loss_time:6.2f} {differences:>11s} {ms(2 * count * loss_time)}")


def chain_orders(rng) -> None:
    print("\nThe chain 1 x n times n x n times n x n, times in ms:")
    header = f"{'n':>6s} {'left to right':>13s} {'right to left':>13s} {'ratio':>7s} {'count ratio':>11s}"
    print(header)
    print("-" * len(header))
    for n in [125, 250, 500, 1000, 2000]:
        row = rng.standard_normal((1, n))
        H, G = rng.standard_normal((n, n)), rng.standard_normal((n, n))
        reverse = best_time(lambda: (row @ H) @ G, budget=0.1)
        forward = best_time(lambda: row @ (H @ G), repeats=3, budget=0.0)
        print(f"{n:6d} {ms(reverse):>13s} {ms(forward):>13s} {forward / reverse:7.1f} "
              f"{(n**3 + n**2) / (2 * n**2):11.1f}")


def main() -> int:
    rng = np.random.default_rng(0)
    lab_network(rng)
    growing_inputs(rng)
    chain_orders(rng)
    return 0


if __name__ == "__main__":
    sys.exit(main())
