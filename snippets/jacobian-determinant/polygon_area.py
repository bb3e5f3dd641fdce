"""Signed areas of polygons (the shoelace formula) and of the image of a small square.

Run alone, it checks that a linear map scales areas by |det A| and that a
nonlinear map scales a small square by |det J|.
"""

# --8<-- [start:signed_area]
import numpy as np


def signed_area(points):
    """Area enclosed by the polygon through `points` (k x 2), positive when the
    points go counterclockwise and negative when they go clockwise."""
    x, y = points[:, 0], points[:, 1]
    return 0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)
# --8<-- [end:signed_area]
# --8<-- [start:square_image]


def square_boundary(center, side, points_per_side=50):
    """Points around the square with the given center and side, counterclockwise."""
    s = np.linspace(-0.5, 0.5, points_per_side, endpoint=False) * side
    half = 0.5 * side
    edges = [np.column_stack([s, np.full_like(s, -half)]),    # bottom, left to right
             np.column_stack([np.full_like(s, half), s]),     # right, upwards
             np.column_stack([-s, np.full_like(s, half)]),    # top, right to left
             np.column_stack([np.full_like(s, -half), -s])]   # left, downwards
    return np.asarray(center, dtype=float) + np.vstack(edges)
# --8<-- [end:square_image]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    A = rng.standard_normal((2, 2))
    square = square_boundary([0.0, 0.0], 1.0, points_per_side=1)
    linear = abs(signed_area(square @ A.T)) / abs(signed_area(square))
    assert abs(linear - abs(np.linalg.det(A))) < 1e-14 * abs(np.linalg.det(A))

    def f(p):  # the map drawn in the lab
        x, y = p[..., 0], p[..., 1]
        return np.stack([x + 0.3 * np.sin(2 * y), y + 0.3 * x**2], axis=-1)

    center, h = np.array([0.7, -0.4]), 1e-3
    det = 1 - 0.36 * center[0] * np.cos(2 * center[1])
    ratio = signed_area(f(square_boundary(center, h))) / h**2
    print(f"linear map: |det A| = {abs(np.linalg.det(A)):.6f}; "
          f"small square: area ratio {ratio:.6f}, det J = {det:.6f}")
    assert abs(ratio - det) < 1e-5 * abs(det)
