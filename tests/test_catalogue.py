"""The identity catalogue (snippets/catalogue/, page reference/identities.md).

Every identity is checked by the copyable NumPy check generated from it, run
in a fresh namespace as a reader would run it (central differences along
three random directions at three random points of three sizes), and, where an
exact form exists, by SymPy on explicit 2 x 2 and 3 x 3 matrices of symbols.
Both checks of every identity run once, in the catalogue script itself, run
alone as every snippet is (fresh interpreter, empty folder, warnings as
errors); the tests below read its report.
Wrong identities (a dropped transpose, a flipped sign, a missing factor) must
fail both. The whole catalogue must check in under 10 s of CPU time.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
import warnings
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

import docblocks
from test_snippets import run_alone

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "snippets" / "catalogue" / "identities.py"
sys.path.insert(0, str(SCRIPT.parent))

import identities  # noqa: E402

# One module holds the expression language, the entries and the checks.
ex = checks = identities

CATALOGUE = identities.CATALOGUE
KEYS = [entry.key for entry in CATALOGUE]
SYMBOLIC = [(entry, case) for entry in CATALOGUE for case in entry.symbolic]
SYMBOLIC_IDS = [f"{entry.key}-{identities.case_name(case)}" for entry, case in SYMBOLIC]
BUDGET_S = 10.0


def load_hook(name: str):
    if str(ROOT / "hooks") not in sys.path:  # as MkDocs does while it loads a hook
        sys.path.insert(0, str(ROOT / "hooks"))
    spec = importlib.util.spec_from_file_location(f"hook_{name}", ROOT / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- the whole catalogue, once


@pytest.fixture(scope="module")
def standalone(tmp_path_factory) -> tuple:
    """snippets/catalogue/identities.py run alone, as every snippet is (tests/test_snippets.py),
    with --report: what it printed, and its report of every check (None if it wrote none)."""
    folder = tmp_path_factory.mktemp("catalogue")
    result = run_alone(SCRIPT, folder, "--report", "report.json", timeout=600)
    report = folder / "report.json"
    return result, json.loads(report.read_text(encoding="utf-8")) if report.is_file() else None


@pytest.fixture(scope="module")
def run(standalone) -> dict:
    """The report: per identity, its NumPy check's worst error or failure ("Type: message") and CPU
    time, and per SymPy case its failure (None if it holds) and CPU time; the whole run's times."""
    result, report = standalone
    assert report is not None, f"{SCRIPT.name} stopped before its report:\n{result.stderr[-3000:]}"
    return report


def test_catalogue_script_runs_alone_and_reports_every_identity(standalone):
    result, report = standalone
    assert result.returncode == 0, f"{SCRIPT.relative_to(ROOT)} failed when run alone:\n{result.stderr[-3000:]}"
    assert report is not None and list(report["identities"]) == KEYS
    assert f"{len(KEYS)} identities checked" in result.stdout and "; 0 failed" in result.stdout


@pytest.mark.parametrize("entry", CATALOGUE, ids=KEYS)
def test_identity_holds_numerically(entry, run):
    record = run["identities"][entry.key]
    if record["failure"]:
        pytest.fail(record["failure"], pytrace=False)
    tolerance = checks.EXACT_TOL if entry.kind == "equality" else checks.CENTRAL_TOL
    assert record["worst"] < tolerance


@pytest.mark.parametrize(("entry", "case"), SYMBOLIC, ids=SYMBOLIC_IDS)
def test_identity_holds_symbolically(entry, case, run):
    failure = run["identities"][entry.key]["symbolic"][identities.case_name(case)]["failure"]
    if failure is not None:
        pytest.fail(failure, pytrace=False)


def test_whole_catalogue_checks_in_under_10_seconds(run):
    def seconds(record):
        return record["numeric_s"] + sum(case["s"] for case in record["symbolic"].values())

    slowest = sorted(((seconds(record), key) for key, record in run["identities"].items()), reverse=True)[:3]
    report = (f"{len(CATALOGUE)} identities, {len(SYMBOLIC)} SymPy cases: {run['cpu_s']:.1f} s CPU "
              f"({run['wall_s']:.1f} s wall); slowest: " + ", ".join(f"{k} {t:.2f} s" for t, k in slowest))
    print(report)
    assert run["cpu_s"] < BUDGET_S, report


def by_key(key: str):
    return identities.by_key(key)


# ---------------------------------------------------------------- what the catalogue covers


def test_catalogue_is_large_and_covers_every_group():
    assert len(CATALOGUE) >= 40
    for group in identities.GROUPS:
        assert sum(e.group == group for e in CATALOGUE) >= 5, group
    required = {  # the identities the curriculum lists, and what readers of ML papers need
        "linear", "transpose", "square", "cube", "inverse", "gram", "solve", "exponential", "square-root",
        "trace", "trace-linear", "trace-quadratic", "bilinear", "frobenius-squared", "frobenius",
        "determinant", "log-abs-det", "trace-inverse", "inverse-bilinear", "trace-power",
        "trace-exponential", "largest-eigenvalue", "quadratic-form", "norm", "least-squares",
        "quadratic-map", "softmax", "logsumexp", "tanh-layer", "softmax-regression", "projection",
        "softmax-cross-entropy", "layer-norm", "cholesky", "eigenvectors", "vec-product",
        "kron-transpose", "kron-inverse", "kron-mixed-product", "kron-trace", "kron-det",
        "vec-square", "vec-cube", "vec-inverse", "jacdet-square", "jacdet-inverse", "jacdet-linear",
    }
    assert not required - set(KEYS), sorted(required - set(KEYS))


def test_every_row_names_a_lecture_and_gives_its_checks():
    for entry in CATALOGUE:
        assert entry.lecture in identities.LECTURES, entry.key
        assert entry.symbolic or entry.symbolic_limit, f"{entry.key}: no SymPy check and no reason"
        if entry.kind == "derivative" and entry.f.kind == ex.SCALAR:
            assert entry.grad is not None, f"{entry.key}: a scalar function needs its gradient"
        if entry.group == "nn" and entry.f.kind != ex.SCALAR:
            assert entry.vjp is not None, f"{entry.key}: a layer needs its pullback"


def test_symbolic_checks_use_2x2_and_3x3_where_they_can():
    both = [e for e in CATALOGUE if any(max(c) >= 3 for c in e.symbolic) and any(max(c) == 2 for c in e.symbolic)]
    assert len(both) >= 40, len(both)
    for entry in CATALOGUE:
        if not any(max(c) >= 3 for c in entry.symbolic):
            assert entry.symbolic_limit, f"{entry.key}: stops at 2 x 2 without saying why"


@pytest.mark.parametrize("entry", CATALOGUE, ids=KEYS)
def test_copyable_check_is_numpy_only_and_fits_a_page(entry):
    source = checks.copyable_check(entry)
    name = f"check of {entry.key}"
    lines = source.split("\n")
    block = docblocks.Block(page=name, lineno=0, code=source,
                            origins=[docblocks.Origin(name, n) for n in range(1, len(lines) + 1)])
    docblocks.lint(block)  # standard library and numpy only, a seeded generator
    assert "import numpy as np" in source and "sympy" not in source
    assert max(len(line) for line in lines) <= 88
    assert re.search(r"^assert worst < ", source, re.MULTILINE), "a check that asserts nothing"


@pytest.mark.parametrize("entry", CATALOGUE, ids=KEYS)
def test_copyable_check_runs_alone_in_a_fresh_namespace(entry):
    """Each check the page offers to copy needs nothing but what it contains (exec with an empty
    namespace, warnings as errors), and passes. (The page checks compare the copy button's text
    with this code; they do not run it.)"""
    namespace = {"__name__": "__main__"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exec(compile(checks.copyable_check(entry), f"<check of {entry.key}>", "exec"), namespace)
    assert namespace["worst"] < checks.CENTRAL_TOL, entry.key


# ---------------------------------------------------------------- wrong identities fail


def sites(expr, path=()):
    """Every place a mutation can go: each node, except inside a named value (shared by name)."""
    yield path, expr
    if isinstance(expr, (ex.Named, ex.Eye, ex.Ones, ex.Dim)):
        return
    for index, child in enumerate(expr.children):
        yield from sites(child, path + (index,))


def rebuilt(expr, path, node):
    if not path:
        return node
    children = list(expr.children)
    children[path[0]] = rebuilt(children[path[0]], path[1:], node)
    return expr.replace(tuple(children))


def mutations(expr):
    """(kind, where, mutated tree) for each single change of the three kinds readers meet."""
    parents = {path: node for path, node in sites(expr)}
    for path, node in sites(expr):
        parent = parents.get(path[:-1]) if path else None
        if isinstance(node, ex.Transpose):
            yield "dropped transpose", node.tex(), path, node.children[0]
        if not path or isinstance(parent, ex.Add):
            flipped = node.children[0] if isinstance(node, ex.Neg) else ex.Neg(node)
            yield "flipped sign", node.tex(), path, flipped
        if isinstance(node, ex.Const) and abs(node.value) not in (0, 1):
            yield "missing factor", node.tex(), path, ex.Const(1 if node.value > 0 else -1)
        if isinstance(node, ex.Mul):
            for keep in node.children:
                yield "missing factor", node.tex(), path, keep


def mutants(entry):
    """Copies of the entry with one claim changed in one place; ill-formed ones (shape errors) left out."""
    for field, claim in entry.claims().items():
        for kind, where, path, node in mutations(claim):
            try:
                changed = rebuilt(claim, path, node)
            except ex.ShapeError:
                continue
            if field.startswith("equation"):
                lhs, rhs = entry.equation
                value = (changed, rhs) if field == "equation_lhs" else (lhs, changed)
                yield kind, f"{field} at {where}", dataclasses.replace(entry, equation=value)
            else:
                yield kind, f"{field} at {where}", dataclasses.replace(entry, **{field: changed})


def numeric_error(entry) -> float | None:
    """The worst relative error of the generated check, or None if it fails for another reason."""
    try:
        worst, _ = checks.run_check(checks.copyable_check(entry))
    except AssertionError as err:
        found = re.search(r"relative error ([0-9.e+-]+)", str(err))
        return float(found.group(1)) if found else None
    return worst


# A few wrong identities that readers meet in other tables, each with the error it gives.
WRONG = [
    ("determinant", "dropped transpose", lambda e: {"grad": ex.det(e.wrt) * ex.Inv(e.wrt)}),
    ("trace-quadratic", "dropped transpose", lambda e: {"grad": (e.inputs[1] + e.inputs[1]) @ e.wrt}),
    ("inverse", "flipped sign", lambda e: {"df": ex.Inv(e.wrt) @ e.wrt.d() @ ex.Inv(e.wrt)}),
    ("square", "2 X dX", lambda e: {"df": 2 * e.wrt @ e.wrt.d()}),
    ("norm-squared", "missing factor", lambda e: {"grad": e.wrt}),
    ("least-squares", "missing factor",
     lambda e: {"grad": e.inputs[1].T @ (e.inputs[1] @ e.wrt - e.inputs[2])}),
    ("vec-product", "row-major flattening", lambda e: {"rhs": ex.kron(e.inputs[2].T, e.inputs[0]) @ ex.flat(e.inputs[1])}),
    ("log-det-spd", "2 S^-1 - S^-1 o I",
     lambda e: {"grad": 2 * ex.Inv(e.wrt) - ex.had(ex.Inv(e.wrt), ex.Eye(e.wrt))}),
]


@pytest.mark.parametrize(("key", "what", "change"), WRONG, ids=[f"{k}-{w}" for k, w, _ in WRONG])
def test_a_wrong_identity_fails_both_checks(key, what, change):
    entry = by_key(key)
    wrong = dataclasses.replace(entry, **change(entry))
    error = numeric_error(wrong)
    assert error is not None and error > 1e-2, f"{key} with {what}: relative error {error}"
    with pytest.raises(checks.CheckFailed):
        checks.check_numerically(wrong)
    with pytest.raises(checks.CheckFailed):
        checks.check_symbolically(wrong, wrong.symbolic[0])


def test_every_single_mutation_of_every_identity_fails():
    """Each dropped transpose, flipped sign and missing factor, anywhere in any claim, is caught."""
    survivors, counts = [], {}
    for entry in CATALOGUE:
        for kind, where, mutant in mutants(entry):
            counts[kind] = counts.get(kind, 0) + 1
            try:
                checks.check_numerically(mutant)
            except Exception:  # noqa: BLE001 - a failed assertion, or the numbers do not even fit
                continue
            survivors.append(f"{entry.key}: {kind} in {where}")
    print(f"mutants: {counts}")
    assert min(counts.values()) >= 30, counts  # the sweep is not vacuous
    assert not survivors, "wrong identities that the checks let through:\n" + "\n".join(survivors)


def fails_symbolically(entry) -> bool:
    """True if SymPy refutes the entry at one of its sizes (or the formula does not even fit)."""
    for case in entry.symbolic:
        try:
            checks.check_symbolically(entry, case)
        except (checks.CheckFailed, ex.ShapeError, ValueError, TypeError):
            return True
    return False


@pytest.mark.parametrize("key", ["gram", "inverse", "softmax", "determinant", "kron-det", "jacdet-transpose"])
def test_mutations_fail_the_symbolic_check_too(key):
    found = list(mutants(by_key(key)))
    assert found
    survivors = [f"{kind} in {where}" for kind, where, mutant in found if not fails_symbolically(mutant)]
    assert not survivors, survivors


def test_the_two_checks_complement_each_other():
    """det J of X -> X^-1 without its sign (-1)^n agrees at n = 2, the only size SymPy can afford
    there; the numerical check, at n = 2, 3 and 4, refutes it."""
    entry = by_key("jacdet-inverse")
    unsigned = dataclasses.replace(entry, rhs=entry.rhs.children[1])
    assert unsigned.rhs.tex() == r"\det(X)^{-2 n}"
    assert not fails_symbolically(unsigned)
    with pytest.raises(checks.CheckFailed):
        checks.check_numerically(unsigned)


# ---------------------------------------------------------------- the page


@pytest.fixture(scope="module")
def hook():
    return load_hook("catalogue")


def files_with(*uris: str) -> Files:
    return Files([File(uri, "/nowhere", "/nowhere", use_directory_urls=True) for uri in uris])


def test_notes_show_no_escaped_quotes():
    """A note is Markdown a reader sees: a quote escaped inside a raw string would show its backslash."""
    escaped = [entry.key for entry in CATALOGUE if re.search(r"\\[\"']", entry.note or "")]
    assert not escaped, f"notes with a backslash before a quote: {escaped}"


def test_page_lists_every_identity_with_its_check(hook):
    hook.catalogue = hook.load()
    page = hook.render(files_with("conventions.md"))
    for entry in CATALOGUE:
        assert f"[{entry.number}](#check-{entry.number})" in page, entry.key
        assert f"{{: #check-{entry.number} }}" in page, entry.key
    assert page.count('??? example "Check ') == len(CATALOGUE)
    assert page.count("    ```python") == len(CATALOGUE)
    for title, _ in identities.GROUPS.values():
        assert f"\n## {title}\n" in page


def test_conventions_are_linked_only_when_the_build_has_them(hook):
    hook.catalogue = hook.load()
    assert "](../conventions.md#gradient)" in hook.render(files_with("conventions.md"))
    assert "../conventions.md" not in hook.render(files_with())


def test_rows_link_to_lectures_only_once_they_exist(hook):
    hook.catalogue = hook.load()
    entry = by_key("inverse")
    assert hook.lecture_cell(entry, files_with()) == identities.LECTURES["matrix-functions"]
    linked = hook.lecture_cell(entry, files_with("lectures/matrix-functions.md"))
    assert linked == f"[{identities.LECTURES['matrix-functions']}](../lectures/matrix-functions.md)"


def test_a_formula_that_would_split_a_table_row_stops_the_build(hook):
    hook.catalogue = hook.load()
    broken = dataclasses.replace(by_key("norm"), assumptions=(r"$|x| > 0$",))
    original = list(hook.catalogue.CATALOGUE)
    hook.catalogue.CATALOGUE[:] = [broken if e.key == "norm" else e for e in original]
    try:
        with pytest.raises(PluginError, match="'norm'.*split its table row"):
            hook.render(files_with())
    finally:
        hook.catalogue.CATALOGUE[:] = original


def test_every_formula_on_the_page_renders_with_katex(hook):
    hook.catalogue = hook.load()
    page = hook.render(files_with())
    prose = re.sub(r"```python.*?```", "", page, flags=re.DOTALL)
    prose = re.sub(r"`[^`\n]*`", "", prose)
    formulas = re.findall(r"\$([^$\n]+)\$", prose)
    assert len(formulas) > 3 * len(CATALOGUE)
    katex = load_hook("katex_render").katex()
    failures = []
    for tex in dict.fromkeys(formulas):
        try:
            katex.render(tex, False)
        except Exception as err:  # noqa: BLE001
            failures.append(f"{tex!r}: {err}")
    assert not failures, "\n".join(failures)


def test_the_built_page(site: Path):
    html = (site / "reference" / "identities" / "index.html").read_text(encoding="utf-8")
    assert html.count('class="identity-table"') == len(identities.GROUPS)
    assert html.count('<details class="example"') == len(CATALOGUE)
    for entry in CATALOGUE:  # the id is inside its block, which a link to it opens
        assert re.search(rf'<details class="example">\s*<summary>Check {entry.number}:.*?</summary>\s*'
                         rf'<p id="check-{entry.number}">', html, re.DOTALL), entry.key
    for lecture in {e.lecture for e in CATALOGUE}:
        if (ROOT / "docs" / "lectures" / f"{lecture}.md").is_file():
            assert f'href="../../lectures/{lecture}/"' in html, lecture
    assert "edit/main/snippets/catalogue/identities.py" in html  # the edit button opens the source
    # The search finds the rows, not the 76 scripts of the checks (which would bury the lectures).
    import json

    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    ours = " ".join(doc["text"] for doc in index["docs"] if doc["location"].startswith("reference/identities/"))
    assert "Derivatives of matrix functions" in ours or "Matrix functions" in ours
    assert "relative_error" not in ours and "np.linalg" not in ours


def test_constants_render_as_written():
    assert ex.Const(Fraction(1, 2)).tex() == r"\tfrac{1}{2}" and ex.Const(Fraction(1, 2)).code() == "0.5"
    assert ex.Const(Fraction(1, 3)).code() == "1 / 3"


def test_punctuation_after_a_short_formula_stays_with_it():
    """`$x$.` is drawn inside a span that does not break, so no line starts with the full stop;
    a long formula is left free to break where KaTeX allows."""
    render = load_hook("katex_render").render_arithmatex
    short = render('<p>the size of <span class="arithmatex">\\(x\\)</span>. For</p>', None)
    assert re.search(r'<span class="formula-punct"><span class="arithmatex">.*</span>\.</span> For', short), short
    long_tex = "f(x) = x^\\top A x + b^\\top x + c + d + e"
    long = render(f'<p>so <span class="arithmatex">\\({long_tex}\\)</span>, and</p>', None)
    assert "formula-punct" not in long and "</span>, and" in long, long
