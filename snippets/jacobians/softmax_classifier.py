"""A linear softmax classifier: 64 pixels of an 8 x 8 image in, 10 probabilities out.

Run alone, it checks the classifier's Jacobian (diag(p) - p p^T) W along one
random direction and that its columns sum to zero.
"""

# --8<-- [start:classifier]
import numpy as np

# A hand-drawn 7 with intensities 0..16 (the scale of the classic 8 x 8 digits).
SEVEN = np.array([
    [0, 2, 12, 16, 16, 16, 10, 0],
    [0, 1, 8, 8, 8, 14, 12, 0],
    [0, 0, 0, 0, 3, 15, 4, 0],
    [0, 0, 0, 0, 11, 10, 0, 0],
    [0, 0, 0, 4, 16, 3, 0, 0],
    [0, 0, 0, 12, 9, 0, 0, 0],
    [0, 0, 3, 16, 4, 0, 0, 0],
    [0, 0, 6, 13, 0, 0, 0, 0],
])
x = SEVEN.reshape(-1) / 16  # 64 pixels, row after row (NumPy's default order)

# Untrained weights: the Jacobian formula holds for every W and b.
rng = np.random.default_rng(0)
W = 0.5 * rng.standard_normal((10, 64))
b = 0.5 * rng.standard_normal(10)


def softmax(z):
    e = np.exp(z - z.max())  # the same probabilities, and no overflow
    return e / e.sum()


def classifier(x):
    return softmax(W @ x + b)
# --8<-- [end:classifier]


if __name__ == "__main__":
    p = classifier(x)
    J = (np.diag(p) - np.outer(p, p)) @ W
    v = rng.standard_normal(64)
    h = 1e-6
    jvp = (classifier(x + h * v) - classifier(x - h * v)) / (2 * h)
    err = np.linalg.norm(J @ v - jvp) / np.linalg.norm(jvp)
    worst_sum = np.abs(J.sum(axis=0)).max() / np.abs(J).max()
    print(f"p sums to {p.sum():.12f}; J v relative error {err:.1e}; "
          f"largest column sum / largest entry {worst_sum:.1e}")
    assert J.shape == (10, 64) and err < 1e-8 and worst_sum < 1e-14
