"""The two orders of the product ℓ′ h′ g′ of the page's chain (n = 6), drawn to scale:
from the left (reverse mode) every intermediate result is a row, 1 × n; from the
right (forward mode) the first one is an n × n matrix. The multiply-adds of each
step are counted by the page's own `product`, on the page's Jacobians."""

import numpy as np
from matplotlib.patches import Rectangle
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/chain-rule.md"


def data():
    dl, Jh, Jg, product, numeric = page_functions(PAGE, "dl", "Jh", "Jg", "product", "numeric")
    scope = product.__globals__  # the block's namespace, where `product` keeps its count

    def counted(P, Q):
        before = scope["count"]
        result = product(P, Q)
        return result, scope["count"] - before

    reverse_1, cost_r1 = counted(dl, Jh)
    reverse_2, cost_r2 = counted(reverse_1, Jg)
    forward_1, cost_f1 = counted(Jh, Jg)
    forward_2, cost_f2 = counted(dl, forward_1)
    return {
        "n": Jh.shape[0], "factors": [dl.shape, Jh.shape, Jg.shape], "numeric": numeric,
        "reverse": {"shapes": [reverse_1.shape, reverse_2.shape], "costs": [cost_r1, cost_r2], "result": reverse_2},
        "forward": {"shapes": [forward_1.shape, forward_2.shape], "costs": [cost_f1, cost_f2], "result": forward_2},
    }


def check(d):
    n = d["n"]
    assert n == 6 and d["factors"] == [(1, n), (n, n), (n, n)]  # n = 6: the alt text's 36 and 216
    # Reverse mode carries a row; forward mode first forms an n x n matrix.
    assert d["reverse"]["shapes"] == [(1, n), (1, n)] and d["forward"]["shapes"] == [(n, n), (1, n)]
    # The page's counts: n^2 + n^2 = 2n^2 against n^3 + n^2 multiply-adds.
    assert d["reverse"]["costs"] == [n**2, n**2] and d["forward"]["costs"] == [n**3, n**2]
    # The same gradient either way (rounding), and it is the gradient (central differences).
    reverse, forward, numeric = d["reverse"]["result"].ravel(), d["forward"]["result"].ravel(), d["numeric"]
    assert np.linalg.norm(reverse - forward) < 1e-14 * np.linalg.norm(forward)
    assert np.linalg.norm(reverse - numeric) < 1e-9 * np.linalg.norm(numeric)


def _block(ax, left, top, shape, face, alpha=1.0):
    rows, columns = shape
    ax.add_patch(Rectangle((left, top - rows), columns, rows, facecolor=face, alpha=alpha, linewidth=0))
    for i in range(1, rows):
        ax.plot([left, left + columns], [top - i] * 2, color=COLORS["grid"], linewidth=0.5)
    for j in range(1, columns):
        ax.plot([left + j] * 2, [top, top - rows], color=COLORS["grid"], linewidth=0.5)
    ax.add_patch(Rectangle((left, top - rows), columns, rows, facecolor="none", edgecolor=COLORS["ink"],
                           linewidth=1.0))
    return left + columns


def _stage(ax, left, top, shapes, new, new_color):
    for index, shape in enumerate(shapes):
        face = new_color if index == new else COLORS["fill"]
        left = _block(ax, left, top, shape, face, alpha=0.45 if index == new else 1.0) + 0.8
    return left - 0.8


def draw(d):
    n = d["n"]
    fig, ax = figure(height=2.0)
    row, square = (1, n), (n, n)
    gap = 5.2
    modes = [("reverse", "reverse mode, from the left", COLORS["blue"], [[row, square], [row]], 0, 0),
             ("forward", "forward mode, from the right", COLORS["orange"], [[row, square], [row]], 1, 0)]
    for number, (key, title, color, later, new_2, new_3) in enumerate(modes):
        top = -number * (n + 5.0)
        costs = d[key]["costs"]
        ax.text(0, top + 2.3, f"{title}: {costs[0]} + {costs[1]} = {sum(costs)}", color=color, va="bottom")
        left = _stage(ax, 0, top, [row, square, square], None, color)
        for x, name in ((0.5 * n, "ℓ′"), (n + 0.8 + 0.5 * n, "h′"), (2 * n + 1.6 + 0.5 * n, "g′")):
            ax.text(x, top + 0.3, name, ha="center", va="bottom", color=COLORS["ink"])
        for stage, (shapes, new, cost) in enumerate(zip(later, (new_2, new_3), costs)):
            start = left + 0.6
            left = start + gap - 1.2
            ax.annotate("", xy=(left, top - n / 2), xytext=(start, top - n / 2),
                        arrowprops=dict(arrowstyle="-|>", color=COLORS["ink"], mutation_scale=10, linewidth=1.2))
            ax.text((start + left) / 2, top - n / 2 + 0.5, f"{cost}", color=color, ha="center", va="bottom")
            left = _stage(ax, left + 0.6, top, shapes, new, color)
    ax.set_xlim(-0.2, left + 0.2)
    ax.set_ylim(-2 * n - 5.2, 4.6)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig
