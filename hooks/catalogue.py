"""The identity catalogue page, reference/identities.md, generated at build time.

The catalogue lives in snippets/catalogue/identities.py, one entry per
identity, with the code that turns each entry into a copyable NumPy check
(copying helpers from snippets/catalogue/numerics.py) and checks it with SymPy;
tests/test_catalogue.py runs both. This hook writes the page from the same
entries: grouped tables, notes, and each row's check in a collapsed block.

Formulas are left as $...$ for hooks/render_math.py, so a formula KaTeX cannot
render fails the build like any page's. A row links to the lecture that derives
it only once that page is part of the build; until then it names the lecture.
"""

from __future__ import annotations

import html
import importlib
import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_DIR = ROOT / "snippets" / "catalogue"
MODULE = "identities"
PAGE_URI = "reference/identities.md"
SOURCE_URI = "snippets/catalogue/identities.py"
CONVENTIONS_LINK = re.compile(r"\[([^\]]+)\]\(\.\./conventions\.md(?:#[\w-]+)?\)")


def load():
    """The catalogue module, imported afresh (so that `mkdocs serve` sees edits)."""
    sys.modules.pop(MODULE, None)
    if str(CATALOGUE_DIR) not in sys.path:
        sys.path.insert(0, str(CATALOGUE_DIR))
    try:
        return importlib.import_module(MODULE)
    except Exception as err:  # noqa: BLE001 - any error in the catalogue stops the build, named
        raise PluginError(f"{SOURCE_URI}: the catalogue cannot be loaded: {type(err).__name__}: {err}") from err


# ---------------------------------------------------------------- cells of a row


def math(tex: str) -> str:
    return f"${tex}$"


def shapes(entry) -> list[str]:
    """`$X, A \\in \\R^{n \\times n}$`-style statements, inputs of one shape grouped."""
    by_shape: dict[tuple, list[str]] = {}
    for var in entry.inputs:
        if var.dims:
            by_shape.setdefault(var.dims, []).append(var.tex())
    found = []
    for dims, names in by_shape.items():
        space = r"\R^{" + r" \times ".join(dims) + "}" if len(dims) == 2 else rf"\R^{{{dims[0]}}}"
        found.append(math(", ".join(names) + r" \in " + space))
    for var in entry.inputs:
        if var.sample == "positive":
            found.append(math(var.tex() + " > 0"))
    return found


def definitions(entry) -> list[str]:
    """What the names in a row stand for: named values and functions with a definition."""
    found = []
    exprs = entry.expressions()
    shown = entry.out.tex() if entry.out is not None else None
    for named in catalogue.named_values(exprs):
        if named.tex() != shown:  # y = tanh(x) is already the row's function
            found.append(math(named.definition_tex()))
    for e in exprs:
        for node in e.walk():
            where = getattr(node, "where", None)
            if where and where not in found:
                found.append(where)
    return found


def function_cell(entry) -> str:
    if entry.kind == "derivative":
        return math(f"{entry.out.tex()} = {entry.f.tex()}")
    if entry.kind == "jacdet":
        return math(rf"{entry.wrt.tex()} \mapsto {entry.f.tex()}")
    return "&ndash;"


def identity_cell(entry) -> str:
    if entry.kind == "equality":
        return math(f"{entry.lhs.tex()} = {entry.rhs.tex()}")
    if entry.kind == "jacdet":
        return math(rf"\det J = {entry.rhs.tex()}")
    if entry.equation is not None:
        return math(f"{entry.equation[0].tex()} = {entry.equation[1].tex()}")
    return math(rf"\dd {entry.out.tex()} = {entry.df.tex()}")


def gradient_cell(entry) -> str:
    if entry.grad is not None:
        return math(rf"\nabla_{{{entry.wrt.tex()}}} f = {entry.grad.tex()}")
    if entry.vjp is not None:
        return math(rf"\bar{{{entry.wrt.tex()}}} = {entry.vjp.tex()}")
    return "&ndash;"


def lecture_cell(entry, files: Files) -> str:
    title = catalogue.LECTURES[entry.lecture]
    uri = f"lectures/{entry.lecture}.md"
    if files.get_file_from_path(uri) is None:
        return title  # the lecture is not written yet: name it; the link appears once it exists
    return f"[{title}](../{uri})"


def size_words(var, case: dict) -> str:
    """How large a matrix input is in one SymPy case: `3 &times; 2`."""
    return f"{case[var.dims[0]]} &times; {case[var.dims[1]]}"


def check_title(entry) -> str:
    var = entry.inputs[0]
    cases = [dict(zip(entry.dims, case)) for case in entry.symbolic]
    if var.kind == "vector":
        sizes = "vectors of length " + " and ".join(str(case[var.dims[0]]) for case in cases)
    else:
        sizes = " and ".join(size_words(var, case) for case in cases)
    exact = f"SymPy on {sizes}" if entry.symbolic else "no SymPy check"
    method = "random points" if entry.kind == "equality" else "central differences"
    return f"Check {entry.number}: {entry.title} ({method}; {exact})"


def check_block(entry) -> str:
    code = catalogue.copyable_check(entry)
    sizes = ", ".join("(" + ", ".join(map(str, case)) + ")" for case in entry.cases) \
        if len(entry.dims) > 1 else ", ".join(str(case[0]) for case in entry.cases)
    lines = [f'??? example "{check_title(entry)}"', ""]
    what = {
        "derivative": "central differences along three random directions",
        "equality": "both sides",
        "jacdet": "the determinant of a Jacobian made by central differences",
    }[entry.kind]
    text = (f"Runs on its own, with NumPy only: {what}, at three random points of sizes "
            f"{sizes} ({', '.join(entry.dims)}).")
    if entry.symbolic_limit:
        text += f" The SymPy check {'stops at 2 &times; 2' if entry.symbolic else 'is left out'}: " \
                f"{entry.symbolic_limit}."
    # The id inside the block: Material opens a closed block that holds the target of a link.
    lines += ["    " + text, f"    {{: #check-{entry.number} }}", "", "    ```python"]
    lines += [("    " + line) if line else "" for line in code.rstrip("\n").split("\n")]
    lines += ["    ```", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------- the page

INTRO = r"""---
hide:
  - navigation
---

# Identity catalogue

{count} identities of matrix calculus, in the conventions of this course
([Conventions](../conventions.md)), grouped as the lectures use them. Each
row is checked on every change to the site: numerically, by central
differences along random directions at random points of several sizes, and,
where an exact form exists, symbolically with SymPy on explicit $2 \times 2$
and $3 \times 3$ matrices of symbols. The formula shown, the numerical check
and the symbolic check are generated from one definition
(`{source}`), so they cannot drift apart. The number of a row
opens its check: a script you can copy and run with NumPy alone.

## Conventions {{#conventions}}

- All matrices and vectors are real; $x, a, b, u, w, z$ are column vectors,
  and a square matrix is $n \times n$ unless its row says otherwise.
- A row states the differential: $\dd Y = f'(X)[\dd X]$ is the part of
  $f(X + \dd X) - f(X)$ that is linear in $\dd X$
  ([the derivative](../conventions.md#derivative)). $\dd X^\T$ means
  $(\dd X)^\T$.
- The gradient of a scalar $f$ has the shape of its variable and is defined
  by $\dd f = \inner{{\nabla f}}{{\dd X}} = \tr(\nabla f^\T \dd X)$
  ([gradients](../conventions.md#gradient), [the Frobenius
  product](../conventions.md#frobenius)).
- The Jacobian of a map from $\R^n$ to $\R^m$ is $m \times n$: rows are
  outputs ([Jacobians](../conventions.md#jacobian)). $\vec$ stacks columns
  ([vec](../conventions.md#vec)); $\kron$ is the Kronecker product
  ([Kronecker products](../conventions.md#kronecker)).
- In a network, $\bar y$ is the gradient of the loss with respect to a
  layer's output $y$, and the pullback $\bar x = J^\T \bar y$ is the
  gradient with respect to its input $x$.

### Translating a row into another layout

Other tables use other layouts ([layout](../conventions.md#layout)); mixing
results from two of them gives wrong formulas. To translate a row:

| Quantity | This catalogue | Numerator layout | Denominator layout |
|---|---|---|---|
| scalar $f$, matrix $X$ | $\nabla f$, shape of $X$ | $\partial f / \partial X = (\nabla f)^\T$ | $\nabla f$ |
| scalar $f$, vector $x$ | $\nabla f$, a column | $(\nabla f)^\T$, a row | $\nabla f$ |
| vector $y$, vector $x$ | $J$, $m \times n$ | $J$ | $J^\T$, $n \times m$ |

- **From the differential**, any layout can be read off: if
  $\dd f = \tr(M\,\dd X)$ then $\nabla f = M^\T$ here and
  $\partial f / \partial X = M$ in numerator layout; if $\dd y = J\,\dd x$
  then the Jacobian is $J$. For example $\nabla \det X = \det(X) X^{{-\T}}$
  here is $\det(X) X^{{-1}}$ in numerator layout.
- **Row-major flattening** (NumPy's default `reshape(-1)`) stacks rows:
  $\operatorname{{flat}}(X) = \vec(X^\T)$. Replace each $B^\T \kron A$ by
  $A \kron B^\T$ (rows [{vec_row}](#check-{vec_row}) and
  [{flat_row}](#check-{flat_row})).
- **Symmetric matrices**: the gradient of $f$ on symmetric matrices is
  $\sym(G) = (G + G^\T)/2$, where $G$ is the unconstrained gradient.
  Formulas of the form $2G - G \odot I$ are partial derivatives with respect
  to the distinct entries, not gradients.

### How a row is checked

The numerical check compares central differences
$(f(X + h V) - f(X - h V)) / 2h$, with $h = 10^{{-5}}$ and $V$ as large as
$X$, with the claimed differential along three random directions $V$ at three
random points, and fails unless the relative error is below $10^{{-8}}$
(truncation error $\sim h^2$, rounding error $\sim 10^{{-16}}/h$). A gradient
is checked through $\inner{{\nabla f}}{{V}}$ and a pullback through
$\inner{{\bar y}}{{\dd y}} = \inner{{\bar x}}{{V}}$; an equality must hold to
$10^{{-12}}$. The SymPy check compares with the exact derivative along every
coordinate direction, which together make the whole Jacobian. The tests make
every single wrong version of every row that a dropped transpose, a flipped
sign or a missing factor gives, and each one fails the numerical check.
"""


def render(files: Files) -> str:
    every = catalogue.CATALOGUE
    parts = [INTRO.format(count=len(every), source=SOURCE_URI,
                          vec_row=catalogue.by_key("vec-product").number,
                          flat_row=catalogue.by_key("flat-product").number)]
    for group, (title, intro) in catalogue.GROUPS.items():
        entries = [e for e in every if e.group == group]
        if not entries:
            continue
        parts.append(f"## {title}\n\n{intro}\n")
        gradient = [e for e in entries if e.grad is not None or e.vjp is not None]
        columns = ["No.", "Function" if group != "jacdet" else "Map", "Identity"]
        if gradient:
            kinds = {"Gradient" if e.grad is not None else "Pullback" for e in gradient}
            columns.append(kinds.pop() if len(kinds) == 1 else "Gradient or pullback")
        columns += ["Assumptions and definitions", "Derived in"]
        rows = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        for entry in entries:
            cells = [f"[{entry.number}](#check-{entry.number})", function_cell(entry), identity_cell(entry)]
            if gradient:
                cells.append(gradient_cell(entry))
            notes = shapes(entry) + entry.assumed() + definitions(entry)
            cells += ["; ".join(notes) or "&ndash;", lecture_cell(entry, files)]
            for cell in cells:
                if "|" in cell:
                    raise PluginError(f"{SOURCE_URI}: identity {entry.key!r}: a '|' would split its table row: "
                                      f"{cell!r} (use \\abs or \\norm)")
            rows.append("| " + " | ".join(cells) + " |")
        # The wrapper's class keeps each formula on one line (extra.css); the table scrolls instead.
        # --rows: the room a group not yet laid out keeps is its number of rows times the tallest
        # row's height (extra.css).
        parts.append(f'<div class="identity-table" style="--rows: {len(entries)}" markdown>\n\n'
                     + "\n".join(rows) + "\n\n</div>\n")
        noted = [e for e in entries if e.note]
        if noted:
            parts.append("**Where other references differ.**\n")
            parts.append("\n".join(f"- **{e.number}. {e.title}.** {e.note}" for e in noted) + "\n")
        # Out of the search index: 76 scripts with their helpers would bury the lectures' results.
        # A <section>, because Material's search parser loses an exclusion when a nested
        # element of the same tag (the code blocks' <div>s) closes. Not printed (extra.css).
        parts.append(f'<section class="identity-checks" style="--rows: {len(entries)}" data-search-exclude="true" '
                     'markdown>\n\n**Checks.**\n\n'
                     + "\n".join(check_block(e) for e in entries) + "\n</section>\n")
    page = "\n".join(parts)
    if files.get_file_from_path("conventions.md") is None:  # a build without it: name, do not link
        page = CONVENTIONS_LINK.sub(r"\1", page)
    return page


catalogue = None  # the module snippets/catalogue/identities.py, loaded by on_files


def on_config(config):
    # `mkdocs serve` rebuilds when the catalogue's source changes.
    config.watch.append(str(CATALOGUE_DIR))
    return config


def named_in_nav(nav) -> bool:
    """True if the navigation lists the catalogue page (or there is no navigation: every page is in it)."""
    if nav is None:
        return True
    stack = list(nav)
    while stack:
        entry = stack.pop()
        values = entry.values() if isinstance(entry, dict) else [entry]
        for value in values:
            if isinstance(value, list):
                stack.extend(value)
            elif value == PAGE_URI:
                return True
    return False


def on_files(files: Files, config) -> Files:
    global catalogue
    # A site whose navigation leaves the catalogue out (a small site built by a
    # test) does not get the page: writing it takes a second of every build.
    if not named_in_nav(config.nav):
        return files
    catalogue = load()
    try:
        content = render(files)
    except PluginError:
        raise
    except Exception as err:  # noqa: BLE001
        raise PluginError(f"{SOURCE_URI}: the catalogue page cannot be written: {type(err).__name__}: {err}") from err
    files.append(File.generated(config, PAGE_URI, content=content))
    return files


IDENTITY_TABLE = re.compile(r'(<div class="identity-table"[^>]*>\s*<table>)(.*?)(</table>)', re.DOTALL)
HEADER_CELL = re.compile(r"<th[^>]*>(.*?)</th>", re.DOTALL)
TABLE_ROW = re.compile(r"<tr>.*?</tr>", re.DOTALL)


def with_cell_labels(match: re.Match) -> str:
    """Each cell labelled with its column's heading (data-label): on a phone a row is shown as a card,
    each cell under its label (extra.css), since six columns of formulas do not fit a phone's width."""
    body = match[2]
    headings = [html.escape(html.unescape(re.sub(r"<[^>]+>", "", heading)).strip())
                for heading in HEADER_CELL.findall(body)]

    def row(found: re.Match) -> str:
        labels = iter(headings)
        return re.sub(r"<td>", lambda _: f'<td data-label="{next(labels, "")}">', found[0])

    return match[1] + TABLE_ROW.sub(row, body) + match[3]


def on_page_content(html_text: str, page, config, files) -> str:
    if page.file.src_uri != PAGE_URI:
        return html_text
    return IDENTITY_TABLE.sub(with_cell_labels, html_text)


def on_page_context(context, page, config, nav):
    """The page's "edit" button opens the catalogue's source, not a page that does not exist."""
    # MkDocs gives a generated page no edit_url.
    if page.file.src_uri == PAGE_URI and config.repo_url and config.edit_uri:
        edit_uri = config.edit_uri
        base = edit_uri[: -len("docs/")] if edit_uri.endswith("docs/") else edit_uri
        page.edit_url = config.repo_url.rstrip("/") + "/" + base.lstrip("/") + SOURCE_URI
    return context
