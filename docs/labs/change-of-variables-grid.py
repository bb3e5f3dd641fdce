# %% [markdown]
# # Change of variables on a grid
#
# A lab for the lecture
# [The Jacobian determinant and change of variables](../../lectures/jacobian-determinant/).
# A smooth map bends a square grid into curved cells. Near each point it acts
# like its Jacobian $J$, so a small cell is scaled in area by $\lvert \det J \rvert$.
# Here we draw a grid and its image under
#
# <!-- math: x, y: scalar -->
#
# $$f(x, y) = \big(x + 0.3 \sin 2y,\; y + 0.3 x^2\big), \qquad \det J_f = 1 - 0.36\, x \cos 2y,$$
#
# colour every cell by $\lvert \det J_f \rvert$ at its centre, and check that
# each image cell's area is that factor times the original cell's area.
# The second example is the polar map, whose grid of rectangles in
# $(r, \theta)$ becomes a disk cut into annular pieces of area $r\,dr\,d\theta$.

# %%
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import PolyCollection


def f(p):
    x, y = p[..., 0], p[..., 1]
    return np.stack([x + 0.3 * np.sin(2 * y), y + 0.3 * x**2], axis=-1)


def det_f(p):
    x, y = p[..., 0], p[..., 1]
    return 1 - 0.36 * x * np.cos(2 * y)


# The determinant formula against a central-difference Jacobian at random points.
rng = np.random.default_rng(0)
h = 1e-5
worst = 0.0
for p in rng.uniform(-1.5, 1.5, (20, 2)):
    J = np.column_stack([(f(p + h * e) - f(p - h * e)) / (2 * h) for e in np.eye(2)])
    worst = max(worst, abs(np.linalg.det(J) - det_f(p)) / abs(det_f(p)))
print(f"det J formula against differences: relative error below 1e-9: {worst < 1e-9}")
assert worst < 1e-9

# %% [markdown]
# Each cell of a $24 \times 24$ grid on $[-1.5, 1.5]^2$ is traced along its
# boundary with 10 points per side, so its image keeps its curved sides.
# The shoelace formula gives the area of each image cell.


# %%
def cell_boundaries(x_edges, y_edges, points_per_side=10):
    """The boundary of every grid cell, counterclockwise: (cells, 4 * points, 2)."""
    s = np.linspace(0, 1, points_per_side, endpoint=False)
    zero, one = np.zeros_like(s), np.ones_like(s)
    unit = np.vstack([np.column_stack([s, zero]), np.column_stack([one, s]),
                      np.column_stack([1 - s, one]), np.column_stack([zero, 1 - s])])
    x0, y0 = np.meshgrid(x_edges[:-1], y_edges[:-1], indexing="ij")
    dx, dy = np.meshgrid(np.diff(x_edges), np.diff(y_edges), indexing="ij")
    corner = np.stack([x0.ravel(), y0.ravel()], axis=-1)[:, None, :]
    size = np.stack([dx.ravel(), dy.ravel()], axis=-1)[:, None, :]
    return corner + unit[None, :, :] * size


def signed_areas(polygons):
    """Shoelace formula for each polygon of a (cells, points, 2) array."""
    x, y = polygons[..., 0], polygons[..., 1]
    return 0.5 * np.sum(x * np.roll(y, -1, axis=1) - np.roll(x, -1, axis=1) * y, axis=1)


edges = np.linspace(-1.5, 1.5, 25)
cells = cell_boundaries(edges, edges)
images = f(cells)
centers = cells.mean(axis=1)
factor = np.abs(det_f(centers))
ratio = np.abs(signed_areas(images)) / np.abs(signed_areas(cells))
cell_error = np.abs(ratio - factor) / factor
print(f"|det J| ranges over [{factor.min():.2f}, {factor.max():.2f}]")
print(f"area ratio against |det J| at the centre: worst error {cell_error.max():.1e}")
assert cell_error.max() < 5e-3  # O(h^2) for cells of side h = 0.125

# %% [markdown]
# The agreement is not exact because $\lvert \det J \rvert$ varies across a
# cell: the ratio is its average over the cell, which differs from the value
# at the centre by $O(h^2)$. Adding up image cells gives the area of the
# image of a whole region, which by the change of variables formula is the
# integral of $\lvert \det J \rvert$ over the region. For the quarter
# $[0, 1.5]^2$ of the grid, Gauss-Legendre quadrature computes that integral
# directly. (The two agree to rounding: tracing the curved sides by straight
# segments loses a sliver of area on one side of the region and gains the
# sliver back on the opposite side, because this map bends opposite sides
# of a rectangle into translated copies of the same curve.)

# %%
nodes, weights = np.polynomial.legendre.leggauss(40)
q = 0.75 * (nodes + 1)  # nodes on [0, 1.5]
points = np.stack(np.meshgrid(q, q, indexing="ij"), axis=-1)
integral = 0.75**2 * np.sum(np.outer(weights, weights) * np.abs(det_f(points)))
quarter = (centers[:, 0] > 0) & (centers[:, 1] > 0)
total = np.abs(signed_areas(images[quarter])).sum()
err = abs(total - integral) / integral
print(f"image of the quarter: area {total:.6f}, integral of |det J| {integral:.6f}")
print(f"relative error below 1e-12: {err < 1e-12}")
assert err < 1e-12

# %% [markdown]
# The picture: above the grid, below its image, with each cell
# in the colour of its area factor: blue cells shrink, red cells grow, and
# each cell keeps its colour when the map moves it.

# %%
# alt: Two panels, one above the other. Above, the square [-1.5, 1.5]² cut into a 24 by 24 grid of equal squares; below, its image under f, a curved shape whose top and bottom edges bend upward like parabolas and whose sides wave sideways. Each cell has the colour of |det J| at its centre, on a scale from 0.49 (blue, shrinking) to 1.51 (red, growing): red in a band across the middle of the left half and in the top and bottom corners of the right half, blue where the two are swapped, and pale along x = 0 and along y = ±0.79, where cos 2y = 0 and the area is kept. Each cell keeps its colour in the image, where the red cells are visibly larger than the blue ones.
fig, axes = plt.subplots(2, 1, figsize=(4, 7.2), layout="constrained")
norm = plt.Normalize(factor.min(), factor.max())
for ax, polygons, title in [(axes[0], cells, "grid"),
                            (axes[1], images, "image under f")]:
    # Drawn through every fifth boundary point: a cell is a few pixels wide on the
    # screen, and the figure is a fifth of the size it is with all forty.
    patches = PolyCollection(polygons[:, ::5], array=factor, cmap="coolwarm", norm=norm,
                             edgecolors="k", linewidths=0.3)
    ax.add_collection(patches)
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_title(title)
fig.colorbar(patches, ax=axes, label="|det J| at the cell centre", shrink=0.8,
             orientation="horizontal")
plt.show()

# %% [markdown]
# ## The polar map
#
# <!-- math
# r: scalar probability; \theta: scalar angle
# r_0, \Delta r, \Delta\theta: scalar positive; r_1 := r_0 + \Delta r
# J := J((r, \theta) \mapsto (r \cos\theta, r \sin\theta))
# -->
#
# A grid of rectangles in $(r, \theta)$ with $r \in [0, 1]$ and
# $\theta \in [0, 2\pi]$ becomes a disk. Every cell has the same size in
# $(r, \theta)$, but its image has area about $r\,\Delta r\,\Delta\theta$:
# cells near the centre are small, cells near the rim are large. A piece of
# annulus between the radii $r_0$ and $r_1$ has the area
# $\frac{1}{2}(r_1^2 - r_0^2)\,\Delta\theta = \frac{r_0 + r_1}{2}\,\Delta r\,\Delta\theta$,
# so its area factor is exactly $\lvert \det J \rvert = r$ at the middle radius;
# the small differences printed come from tracing the arcs by straight segments.

# %%
# alt: Two panels, one above the other. Above, the rectangle of r from 0 to 1 and θ from 0 to 2π cut into 8 by 32 equal cells; below, its image, the unit disk cut into 8 rings of 32 annular pieces, tiny at the centre and large at the rim. Each cell is coloured by |det J| = r at its centre, from dark purple near r = 0 to yellow near r = 1, so a ring's colour says how much the map stretches its cells.
r_edges = np.linspace(0, 1, 9)
theta_edges = np.linspace(0, 2 * np.pi, 33)
polar_cells = cell_boundaries(r_edges, theta_edges)
r, theta = polar_cells[..., 0], polar_cells[..., 1]
polar_images = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=-1)
polar_factor = polar_cells.mean(axis=1)[:, 0]  # det J = r at the cell centre
polar_ratio = np.abs(signed_areas(polar_images)) / np.abs(signed_areas(polar_cells))
polar_error = np.abs(polar_ratio - polar_factor) / polar_factor
print(f"polar cells: worst relative error {polar_error.max():.1e}")
assert polar_error.max() < 5e-3

fig, axes = plt.subplots(2, 1, figsize=(4, 7), layout="constrained",
                         gridspec_kw=dict(height_ratios=[1, 1.6]))
norm = plt.Normalize(0, 1)
for ax, polygons, title in [(axes[0], polar_cells, "grid in (r, θ)"),
                            (axes[1], polar_images, "image: the unit disk")]:
    patches = PolyCollection(polygons[:, ::5], array=polar_factor, cmap="viridis", norm=norm,
                             edgecolors="k", linewidths=0.3)
    ax.add_collection(patches)
    ax.autoscale_view()
    ax.set_title(title)
axes[0].set_xlabel("r")
axes[0].set_ylabel("θ")
axes[1].set_aspect("equal")
fig.colorbar(patches, ax=axes, label="|det J| = r at the cell centre", shrink=0.8,
             orientation="horizontal")
plt.show()
