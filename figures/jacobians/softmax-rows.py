"""The rows of the softmax classifier's Jacobian as images: row i of the page's
J = (diag(p) − p pᵀ) W, reshaped to 8 × 8 in the order the image was flattened, is how
the probability of class i reacts to each pixel. One colour scale, symmetric about 0,
for all ten; the outline of the 7 on top. The ten images add up to zero pixel by pixel
(every column of J sums to zero)."""

import numpy as np
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/jacobians.md"
SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"


def data():
    J, J_fd, p, SEVEN = page_functions(PAGE, "J", "J_fd", "p", "SEVEN")
    return {"J": J, "J_fd": J_fd, "p": p, "image": SEVEN,
            "rows": [J[i].reshape(8, 8) for i in range(10)]}  # row-major, as x was made


def check(d):
    J, p, rows = d["J"], d["p"], np.array(d["rows"])
    assert J.shape == (10, 64) and rows.shape == (10, 8, 8)
    assert np.linalg.norm(d["J_fd"] - J) / np.linalg.norm(J) < 1e-7
    largest = np.abs(J).max()
    # The ten images cancel pixel by pixel: the columns of J sum to zero.
    assert np.abs(rows.sum(axis=0)).max() < 1e-14 * largest
    # The rows do not: the probable class (8, p = 0.8) gains what the others lose.
    assert abs(p.sum() - 1) < 1e-12 and np.argmax(p) == 8 and np.abs(J.sum(axis=1)).max() > 0.1 * largest
    # Only the two probable classes show strong colours (the alt text: 8 with p = 0.80, 2 with 0.14).
    assert (round(p[8], 2), round(p[2], 2)) == (0.80, 0.14), p
    strong = np.abs(J).max(axis=1) > 0.5 * largest
    assert strong.tolist() == [i in (2, 8) for i in range(10)], np.abs(J).max(axis=1) / largest
    # The unflattening matches the flattening: pixel (r, c) is entry 8 r + c of a row.
    assert rows[7][2, 5] == J[7, 21]


def draw(d):
    fig, axes = figure(height=3.6, nrows=3, ncols=4, sharex=True, sharey=True)
    limit = np.abs(d["J"]).max()
    panels = ([("image", d["image"], "Greys", 0, 16)]
              + [(f"p{SUBSCRIPTS[i]} {d['p'][i]:.2f}", d["rows"][i], "RdBu_r", -limit, limit) for i in range(10)]
              + [("sum", np.sum(d["rows"], axis=0), "RdBu_r", -limit, limit)])
    for ax, (title, values, cmap, low, high) in zip(axes.flat, panels):
        # interpolation "none": the 8 x 8 pixels go into the SVG as they are, drawn sharp
        mesh = ax.imshow(values, cmap=cmap, vmin=low, vmax=high, interpolation="none")
        ax.set_title(title, pad=3)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        if cmap == "RdBu_r":
            sensitivity = mesh
    bar = fig.colorbar(sensitivity, ax=axes, shrink=0.6, aspect=18, pad=0.03)
    bar.set_ticks([-limit, 0, limit], labels=["−", "0", "+"])
    bar.outline.set_visible(False)
    return fig
