"""The identity catalogue under the formula checker: every row read as the page shows it.

The catalogue page is generated (hooks/catalogue.py) from snippets/catalogue/
identities.py, which prints each formula from a tree; its own tests check the
trees. This module checks what the reader sees: it writes, for each row, the
cells that the page shows (the function, the identity, the gradient or
pullback, the shapes, assumptions and definitions, the note), with the page's
own cell functions, and reads them with the formula checker, as a page of its
own. A typo in the LaTeX of a primitive (`\\det({0})` written `\\tr({0})`), in
a definition beside a formula or in a note then fails as on any page.

Each row gets a declaration comment from its inputs (shapes and how they are
drawn), the variable it differentiates (`vary`), and for a pullback the
cotangent \\bar y and the error <\\bar y, y> it is the gradient of. The few
primitives that the page defines in words (the Cholesky factor, the lower half,
eigenvectors, the largest eigenvalue) get the checker's own implementations.
"""

from __future__ import annotations

import importlib
import sys
from functools import cache
from pathlib import Path

from .pages import ROOT, Page

CATALOGUE_DIR = ROOT / "snippets" / "catalogue"
PAGE_NAME = "docs/reference/identities.md (generated from snippets/catalogue/identities.py)"
PAGE_PATH = ROOT / "docs" / "reference" / "identities.md"

# How the catalogue draws an input, as the checker's declarations say it.
SAMPLES = {"normal": "", "invertible": "invertible", "spd": "spd", "symmetric": "symmetric",
           "separated": "separated", "stable": "positive-spectrum", "probability": "probability",
           "full-rank": "", "unit": "unit", "positive": "positive"}
# What the catalogue's words define, in the checker's vocabulary (evaluate.py BUILTINS).
PRIMITIVES = {
    "cholesky": "",  # \operatorname{chol} is a builtin
    "lower_half": "\\Phi(A) := \\operatorname{lowerhalf}(A)",
    "eigenvectors": "",  # \operatorname{eigvecs} is a builtin
    "inverse_gaps": "F := \\operatorname{invgaps}(S)",
    "top_eigenvector": "q := \\operatorname{topeigvec}(S)",
}

# What a row's words say, for the checker: declarations that join the row's comment, and a comment
# just before its note (the note may speak of other names, or of a point where the formula fails).
ROW_DECLARATIONS = {
    "eigenvectors": ["\\lambda := \\operatorname{eigvals}(S)", "\\Lambda := \\diag(\\lambda)"],
    "jacdet-square": ["\\lambda_i: eigenvalues of X"],
    "jacdet-cube": ["\\lambda_i: eigenvalues of X"],
    "log-softmax": ["\\mathbf{1}: n"],
    "layer-norm": ["\\mathbf{1}: n"],
}
NOTE_DECLARATIONS = {
    "cholesky": ["U := \\operatorname{chol}(S)^\\T"],
    "largest-eigenvalue": ["\\lambda := \\operatorname{eigvals}(S)", "q_k := \\operatorname{eigvecs}(S) e_k"],
    "relu": ['unchecked "x_i = 0": the point the note speaks of, where ReLU has no derivative'],
    "kron-transpose": ["A: m×n", "B: n×p"],
    "kron-inverse": ["A: n×n invertible", "B: n×n invertible"],
    "logistic": ["s: scalar", "y := \\sign(s)", 'unchecked "y = \\pm 1": the two labels, of which y is one'],
}


@cache
def modules():
    """The catalogue (snippets/catalogue/identities.py) and the hook that renders its page."""
    for folder in (CATALOGUE_DIR, ROOT / "hooks"):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    identities = importlib.import_module("identities")
    hook = importlib.import_module("catalogue")
    hook.catalogue = identities
    return identities, hook


def declarations(entry) -> list[str]:
    """The math comment of a row: what its names are."""
    out = []
    for var in entry.inputs:
        if var.sample == "int":
            out.append(f"{var.tex()}: integer 3")
            continue
        shape = "scalar" if not var.dims else var.dims[0] if len(var.dims) == 1 else "×".join(var.dims)
        sample = "probability" if not var.dims and var.sample == "unit" else SAMPLES[var.sample]  # t in [0, 1]
        out.append(f"{var.tex()}: {shape} {sample}".rstrip())
    out.append(f"vary: {entry.wrt.tex()}")
    for node in (n for e in entry.expressions() for n in e.walk()):
        primitive = PRIMITIVES.get(getattr(node, "name", None))
        if primitive and primitive not in out:
            out.append(primitive)
    return out + ROW_DECLARATIONS.get(entry.key, [])


def row_text(entry, hook) -> str:
    """One row as a section of a page: its declarations, then its cells and its note."""
    lines = [f"## {entry.number}. {entry.title}", "", "<!-- math", *declarations(entry), "-->", ""]
    function = hook.function_cell(entry)
    if function != "&ndash;" and entry.kind == "derivative":
        lines += [function, ""]
    notes = hook.shapes(entry) + entry.assumed() + hook.definitions(entry)
    if notes:
        lines += ["; ".join(notes), ""]
    if entry.kind == "jacdet":
        lines += [f"<!-- math: J := J({entry.wrt.tex()} \\mapsto {entry.f.tex()}) -->", ""]
    if entry.vjp is not None:
        out = entry.out.tex()
        lines += [f"<!-- math: {entry.cotangent.tex()}: like {out}; E := \\inner{{{entry.cotangent.tex()}}}{{{out}}};"
                  " adjoint: E -->", ""]
    lines += ["$$", hook.identity_cell(entry).strip("$"), "$$", ""]
    gradient = hook.gradient_cell(entry)
    if gradient != "&ndash;":
        lines += ["$$", gradient.strip("$"), "$$", ""]
    if entry.note:
        if entry.key in NOTE_DECLARATIONS:
            lines += ["<!-- math", *NOTE_DECLARATIONS[entry.key], "-->", ""]
        lines += [entry.note, ""]
    return "\n".join(lines)


def page_text() -> str:
    identities, hook = modules()
    return "# Identity catalogue\n\n" + "\n".join(row_text(e, hook) for e in identities.CATALOGUE)


def check() -> Page:
    page = Page(PAGE_PATH, page_text())
    page.name = PAGE_NAME
    return page.run()
