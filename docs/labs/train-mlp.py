# %% [markdown]
# # Training a classifier by hand
#
# A lab for the lectures [Backpropagation](../../lectures/backpropagation/) and
# [The cost of a gradient](../../lectures/gradient-cost/). We train a small
# neural network to read handwritten digits, and every derivative comes from
# the lecture's own reverse-mode engine, `snippets/backpropagation/engine.py`:
# no deep-learning library is involved. The steps:
#
# 1. load 1797 scanned digits of 8 x 8 pixels (they ship with scikit-learn; no
#    download);
# 2. check the engine's gradient against central differences on this data,
#    before trusting it with any training;
# 3. train a network with one hidden layer by stochastic gradient descent with
#    momentum, and plot the loss and the accuracy as training goes;
# 4. report the accuracy on test digits the network never saw, and look at a
#    few of them with the predicted labels;
# 5. time one loss, one gradient, and one gradient by central differences.
#
# ## The engine
#
# The engine is the file `snippets/backpropagation/engine.py` of the course's
# repository, shown in full in the
# [backpropagation lecture](../../lectures/backpropagation/#a-reverse-mode-engine).
# In the notebook you download from this page, a cell before the next one
# writes the engine into the notebook's folder as `engine.py`, so that it runs
# anywhere, Colab included. Inside a clone of the repository, the next cell
# finds the file itself (it looks in the current folder and in every folder
# above it).

# %%
import sys
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

ENGINE = Path("snippets", "backpropagation", "engine.py")
here = Path.cwd().resolve()
candidates = [here, *here.parents]
root = next((d for d in candidates if (d / ENGINE).is_file()), None)
if root is not None:
    sys.path.insert(0, str(root / ENGINE.parent))
elif (here / "engine.py").is_file():
    root, ENGINE = here, Path("engine.py")
    sys.path.insert(0, str(here))
else:
    raise FileNotFoundError(
        f"{ENGINE} not found in {here} or any folder above it, "
        "and no engine.py in this folder: run this lab inside a clone "
        "of the course repository, or save the engine as engine.py "
        "next to it"
    )
from engine import (  # noqa: E402
    central_difference_gradient,
    init_params,
    logits,
    loss,
    loss_and_gradient,
)

print(f"engine: {(root / ENGINE).relative_to(root)}")

# %% [markdown]
# ## The data
#
# Each image is a row of 64 pixel intensities from 0 to 16; we scale them to
# $[0, 1]$. The lectures store examples as **columns** (a layer computes
# $W x + b$ for a column $x$), so a batch is a $64 \times N$ matrix $X$, and
# the labels become one-hot columns of a $10 \times N$ matrix $Y$. A fixed
# random fifth of the images is set aside for testing.

# %%
digits = load_digits()
images, labels = digits.images, digits.target
pixels = digits.data / 16.0  # (1797, 64), one image per row

rng = np.random.default_rng(0)
order = rng.permutation(len(labels))
test, train = order[:360], order[360:]
# examples as columns
X_train, X_test = pixels[train].T, pixels[test].T
y_train, y_test = labels[train], labels[test]
Y_train = np.eye(10)[:, y_train]  # one-hot columns
print(f"training: X {X_train.shape}, Y {Y_train.shape}; "
      f"test: X {X_test.shape}")
print("training examples per digit:", np.bincount(y_train))

# %% [markdown]
# ## The network, and a gradient check before training
#
# The network is the one of the lecture: $x \mapsto W_2 \tanh(W_1 x + b_1) + b_2$
# with 32 hidden units, scored by the mean softmax cross-entropy over a batch.
# Its $P = 32 \cdot 64 + 32 + 10 \cdot 32 + 10 = 2410$ parameters start small and
# random (`init_params`), biases at zero.
#
# A gradient is only worth following if it is right. Central differences give
# every partial derivative independently of the engine, at the price of two
# loss evaluations each; on one training batch of 128 digits that is
# affordable once. We also move the biases away from zero first, so that the
# check covers a generic point and not only the special starting one.

# %%
N_HIDDEN, BATCH = 32, 128
params = init_params(rng, 64, N_HIDDEN, 10)
probe = [p + 0.1 * rng.standard_normal(p.shape) for p in params]
Xb, Yb = X_train[:, :BATCH], Y_train[:, :BATCH]

_, grads = loss_and_gradient(probe, Xb, Yb)
start = time.perf_counter()
numeric = central_difference_gradient(
    lambda ps: loss(ps, Xb, Yb), probe)
differences_time = time.perf_counter() - start
for name, g, n in zip(["W1", "b1", "W2", "b2"], grads, numeric):
    err = np.linalg.norm(g - n) / np.linalg.norm(n)
    print(f"{name} {str(g.shape):9s} relative error {err:.1e}")
    assert err < 1e-8, f"{name}: engine and differences disagree"

# %% [markdown]
# Relative errors around $10^{-10}$ are what central differences can reach
# (see [Checking derivatives with finite
# differences](../../lectures/finite-differences/)); a wrong rule anywhere in
# the engine would give errors near 1.
#
# ## Training
#
# Stochastic gradient descent with momentum: each epoch shuffles the training
# set and walks through it in batches of 128. For every batch the engine returns
# the loss and its gradient $g$, and each parameter $\theta$ moves with a
# velocity $v$:
#
# <!-- math: mark definition: the update rule of the method -->
#
# $$v \leftarrow \mu v - \eta g, \qquad \theta \leftarrow \theta + v,$$
#
# with learning rate $\eta = 0.1$ and momentum $\mu = 0.9$. After every epoch we
# record the loss on the whole training set and the accuracy on the training
# and test sets, with the same functions on plain arrays (no tape).

# %%
LEARNING_RATE, MOMENTUM, EPOCHS = 0.1, 0.9, 30


def accuracy(params, X, labels):
    return np.mean(logits(params, X).argmax(axis=0) == labels)


velocity = [np.zeros_like(p) for p in params]
history = {"loss": [], "train": [], "test": []}
start = time.perf_counter()
for epoch in range(EPOCHS):
    shuffled = rng.permutation(X_train.shape[1])
    for first in range(0, len(shuffled), BATCH):
        batch = shuffled[first:first + BATCH]
        Xs, Ys = X_train[:, batch], Y_train[:, batch]
        _, grads = loss_and_gradient(params, Xs, Ys)
        for p, v, g in zip(params, velocity, grads):
            v *= MOMENTUM
            v -= LEARNING_RATE * g
            p += v
    history["loss"].append(float(loss(params, X_train, Y_train)))
    history["train"].append(accuracy(params, X_train, y_train))
    history["test"].append(accuracy(params, X_test, y_test))
training_time = time.perf_counter() - start
steps = EPOCHS * -(-X_train.shape[1] // BATCH)
print(f"{EPOCHS} epochs, {steps} gradient steps "
      f"in {training_time:.2f} s")
print(f"training loss {history['loss'][-1]:.4f}, "
      f"training accuracy {history['train'][-1]:.1%}")

# %%
# alt: Two panels over the 30 training epochs. Above, the mean cross-entropy on the training set on a log scale, falling fast from about 1.5 after the first epoch to 0.1 by epoch 10, then more slowly to 0.036 at epoch 30. Below, the accuracy in percent: training and test both climb from about 60% after the first epoch to about 96% by epoch 5; then the training accuracy creeps up to 99.7% while the test accuracy levels off near 97%.
epochs = np.arange(1, EPOCHS + 1)
fig, (ax_loss, ax_acc) = plt.subplots(2, 1, figsize=(4, 6), sharex=True,
                                      layout="constrained")
ax_loss.semilogy(epochs, history["loss"], "C0.-")
ax_loss.set_title("Training loss")
ax_loss.set_ylabel("mean cross-entropy")
ax_loss.grid(True, which="both", alpha=0.3)
curves = [("train", "C0.-", "training"), ("test", "C1.-", "test")]
for key, style, label in curves:
    percent = np.array(history[key]) * 100
    ax_acc.plot(epochs, percent, style, label=label)
ax_acc.set_xlabel("epoch")
ax_acc.set_title("Accuracy")
ax_acc.set_ylabel("accuracy (%)")
lowest = min(history["train"] + history["test"]) * 100
ax_acc.set_ylim(min(90, 5 * np.floor(lowest / 5)), 100.5)
ax_acc.grid(True, alpha=0.3)
ax_acc.legend(loc="lower right")
plt.show()

# %% [markdown]
# The training loss keeps falling, roughly geometrically at first, while the
# test accuracy levels off after a few epochs: the network has learned what
# generalises from 1437 examples, and further progress on the training set is
# mostly memorisation.
#
# ## Test accuracy

# %%
predicted = logits(params, X_test).argmax(axis=0)
test_accuracy = np.mean(predicted == y_test)
print(f"test accuracy: {test_accuracy:.1%} "
      f"({np.sum(predicted == y_test)} of {len(y_test)} digits "
      "never seen in training)")
assert test_accuracy > 0.9, "training failed: test accuracy <= 90%"

confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (y_test, predicted), 1)
print("confusion matrix (rows: true digit, columns: predicted):")
print(confusion)

# %% [markdown]
# A few test digits with the network's answer: the first twelve of the test
# set, then the first six of its mistakes (in red, with the true digit).

# %%
# alt: Eighteen 8 by 8 test digits, in rows of four, each under the network's answer. The first twelve of the test set are all read right: 6, 6, 6, 2, 5, 6, 6, 2, 2, 1, 1, 9. Then six mistakes, in red with the true digit: 1 (true 9), 1 (true 2), 1 (true 8), 9 (true 1), 1 (true 8), 1 (true 6); most are thick or slanted strokes that the network takes for a 1.
wrong = np.flatnonzero(predicted != y_test)
shown = list(range(12)) + [i for i in wrong if i >= 12][:6]
columns = 4
rows = -(-len(shown) // columns)
fig, axes = plt.subplots(rows, columns, figsize=(4, 1.25 * rows),
                         layout="constrained")
for ax in axes.flat:
    ax.set_axis_off()
for ax, i in zip(axes.flat, shown):
    ax.imshow(images[test[i]], cmap="gray_r", interpolation="nearest")
    right = predicted[i] == y_test[i]
    title = f"{predicted[i]}"
    if not right:
        title += f" (true {y_test[i]})"
    ax.set_title(title, color="black" if right else "#b00000", fontsize="medium")
plt.show()

# %% [markdown]
# ## What a step costs
#
# The lecture [The cost of a gradient](../../lectures/gradient-cost/) predicts
# that a gradient by reverse mode costs a small multiple of one loss, and a
# gradient by central differences $2P$ losses. Here are the measured times on
# one training batch (the fastest of many runs for the two fast ones; the
# central differences are the single run of the gradient check above).

# %%
def best_time(compute, budget=0.2):
    best, spent = float("inf"), 0.0
    while spent < budget:
        start = time.perf_counter()
        compute()
        elapsed = time.perf_counter() - start
        best, spent = min(best, elapsed), spent + elapsed
    return best


loss_time = best_time(lambda: loss(params, Xb, Yb))
gradient_time = best_time(lambda: loss_and_gradient(params, Xb, Yb))
P = sum(p.size for p in params)
print(f"one loss                   {loss_time * 1e3:8.3f} ms")
print(f"loss and gradient, engine  {gradient_time * 1e3:8.3f} ms"
      f"  = {gradient_time / loss_time:.1f} losses")
print(f"central differences        {differences_time * 1e3:8.1f} ms"
      f"  = {differences_time / gradient_time:,.0f} engine gradients "
      f"({2 * P} losses)")

# %% [markdown]
# Reverse mode costs a small multiple of the loss, typically around 2 to 3
# (the lecture explains why the figure moves with the machine and the batch
# size), while central differences cost thousands of losses.
#
# ## Things to try
#
# - Change `N_HIDDEN` to 8 or to 128. How do the test accuracy and the time
#   per step change?
# - Replace `tanh` by `relu` in a copy of the network (`relu` is in the engine)
#   and compare the curves.
# - Set `MOMENTUM = 0`: plain stochastic gradient descent. How many more epochs
#   does it take to reach the same training loss?
