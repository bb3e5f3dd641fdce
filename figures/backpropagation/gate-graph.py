"""The graph of E = max(ab, a + c) · c from the page's gate rules, with the
forward value on each edge (above) and the gradient flowing back along it
(below): add distributes, multiply swaps, max routes, and where a and c fan out
their two gradients add. The numbers are the page's own forward and backward pass."""

import numpy as np
from matplotlib.patches import FancyBboxPatch
from figure_kit import COLORS, figure, page_functions

PAGE = "docs/lectures/backpropagation.md"


def data():
    E, numeric = page_functions(PAGE, "E", "numeric")
    # The block's values: a, b, c and the adjoints come from tuple assignments, which
    # page_functions does not look up by name; E's globals are the block's namespace.
    v = E.__globals__
    value = {name: float(v[name]) for name in ("a", "b", "c", "p", "s", "m", "e")}
    adjoint = {name: float(v[f"{name}_bar"]) for name in ("a", "b", "c", "p", "s", "m", "e")}
    # What flows back along each edge: the page's adjoints, split per edge by its gate rules.
    edge = {
        ("a", "p"): adjoint["p"] * value["b"], ("b", "p"): adjoint["p"] * value["a"],  # multiply swaps
        ("a", "s"): adjoint["s"], ("c", "s"): adjoint["s"],  # add distributes
        ("p", "m"): adjoint["p"], ("s", "m"): adjoint["s"],  # max routes
        ("m", "e"): adjoint["m"], ("c", "e"): adjoint["e"] * value["m"],  # multiply swaps
    }
    return {"value": value, "adjoint": adjoint, "edge": edge, "numeric": [float(x) for x in numeric],
            "E": float(E(value["a"], value["b"], value["c"]))}


def check(d):
    value, adjoint, edge = d["value"], d["adjoint"], d["edge"]
    # The forward pass is E, and the input adjoints are its partial derivatives (central differences).
    assert value["e"] == d["E"]
    assert np.allclose([adjoint[k] for k in "abc"], d["numeric"], rtol=1e-8, atol=1e-8)
    # Fan-out: a and c each receive the sum of what flows back along their two edges.
    assert adjoint["a"] == edge[("a", "p")] + edge[("a", "s")]
    assert adjoint["c"] == edge[("c", "s")] + edge[("c", "e")]
    assert adjoint["b"] == edge[("b", "p")]
    # Max routes: everything to the winner s, nothing to p (and so nothing to b).
    assert value["s"] > value["p"] and edge[("p", "m")] == 0 and edge[("s", "m")] == adjoint["m"]
    assert adjoint["b"] == 0 and adjoint["a"] != 0 and edge[("c", "e")] != edge[("c", "s")]
    # The numbers of the alt text.
    assert [value[k] for k in "abcpsme"] == [1.5, -2, 0.5, -3, 2, 2, 1]
    assert [adjoint[k] for k in "abc"] == [0.5, 0, 2.5]


NODES = {"a": (0.0, 2.0), "b": (0.0, 3.6), "c": (0.0, 0.0), "p": (2.1, 3.0), "s": (2.1, 1.0),
         "m": (3.65, 2.0), "e": (5.05, 1.0)}
SYMBOLS = {"p": "×", "s": "+", "m": "max", "e": "×"}
# Where along each edge its two numbers go (0 at the start, 1 at the end).
ALONG = {("a", "p"): 0.42, ("b", "p"): 0.42, ("a", "s"): 0.42, ("c", "s"): 0.42, ("p", "m"): 0.5,
         ("s", "m"): 0.5, ("m", "e"): 0.5, ("c", "e"): 0.5}
POINTS_PER_UNIT = 44  # about: 4 inches for 6.4 units


def _number(x):
    return f"{x + 0.0:g}".replace("-", "−")  # + 0.0: no "−0"


def _half(name):
    return 0.38 if name == "m" else 0.22


def _port(name, towards):
    """Where an edge leaves or enters a node: the side of its box facing `towards`."""
    x, y = NODES[name]
    if name not in SYMBOLS:
        return x + 0.12, y
    return (x + _half(name), y) if towards[0] > x else (x - _half(name), y)


def _label(ax, start, end, at, value, back):
    """The value on the left of an edge (seen along its direction) and the gradient on its right,
    each just clear of the line."""
    (x0, y0), (x1, y1) = start, end
    x, y = x0 + at * (x1 - x0), y0 + at * (y1 - y0)
    length = np.hypot(x1 - x0, y1 - y0)
    normal = np.array([-(y1 - y0), x1 - x0]) / length  # to the left of the direction of travel
    for text, color, sign in ((value, COLORS["ink"], 1), (back, COLORS["red"], -1)):
        half_width, half_height = 3.0 * len(text), 5.5  # points, at 10.5 pt
        distance = abs(normal[0]) * half_width + abs(normal[1]) * half_height + 2.5
        ax.annotate(text, xy=(x, y), xytext=tuple(sign * distance * normal), textcoords="offset points",
                    ha="center", va="center", color=color)


def draw(d):
    fig, ax = figure(height=3.0)
    value, edge, adjoint = d["value"], d["edge"], d["adjoint"]
    arrow = dict(arrowstyle="-|>", color=COLORS["muted"], mutation_scale=10, linewidth=1.1, shrinkA=0, shrinkB=0)
    for (start, end), back in edge.items():
        x0, y0 = _port(start, NODES[end])
        x1, y1 = _port(end, NODES[start])
        if (start, end) == ("c", "e"):  # along the bottom, then up into the last node
            corner = (x1 - 0.45, y0)
            ax.plot([x0, corner[0]], [y0, y0], color=COLORS["muted"], linewidth=1.1)
            ax.annotate("", xy=(x1, y1), xytext=corner, arrowprops=arrow)
            x1, y1 = corner
        else:
            ax.annotate("", xy=(x1, y1), xytext=(x0, y0), arrowprops=arrow)
        _label(ax, (x0, y0), (x1, y1), ALONG[(start, end)], _number(value[start]), _number(back))
    # The output edge: the value of E, and its own gradient, 1.
    x0, y0 = _port("e", (9, 0))
    ax.annotate("", xy=(x0 + 0.7, y0), xytext=(x0, y0), arrowprops=arrow)
    _label(ax, (x0, y0), (x0 + 0.7, y0), 0.45, _number(value["e"]), _number(adjoint["e"]))
    ax.text(x0 + 0.8, y0, "E", ha="left", va="center", color=COLORS["ink"])
    for name, (x, y) in NODES.items():
        if name in SYMBOLS:
            half = _half(name)
            ax.add_patch(FancyBboxPatch((x - half, y - 0.22), 2 * half, 0.44,
                                        boxstyle="round,pad=0,rounding_size=0.2", facecolor=COLORS["fill"],
                                        edgecolor=COLORS["ink"], linewidth=1))
            ax.text(x, y, SYMBOLS[name], ha="center", va="center", color=COLORS["ink"])
        else:  # an input: its name, and below it the sum of the gradients of its edges
            ax.text(x, y, name, ha="right", va="bottom", color=COLORS["ink"])
            ax.text(x, y, _number(adjoint[name]), ha="right", va="top", color=COLORS["red"])
    ax.text(5.95, 3.55, "value", color=COLORS["ink"], va="center", ha="right")
    ax.text(5.95, 3.15, "gradient flowing back", color=COLORS["red"], va="center", ha="right")
    ax.set_xlim(-0.45, 6.0)
    ax.set_ylim(-0.5, 3.95)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig
