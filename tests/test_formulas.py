"""Every formula a reader sees is checked as written (tests/formulas; README: Formulas).

Each page's displays and inline formulas are read from the page and verified
at the page's random point; a page fails with the line, the formula and the two
sides' values. The tests below the page tests show that the checker catches
what it must: a typo, an unreadable formula, a display that checks nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from formulas import catalogue
from formulas.pages import ROOT, Page, check_page, pages
from formulas.report import problems_of, summarise

# Every Markdown page of the course; the identity catalogue, which a hook writes from
# snippets/catalogue/identities.py, is checked as its page shows it (test_the_catalogue_as_shown).
PAGES = [str(path.relative_to(ROOT)) for path in pages()]


@pytest.mark.parametrize("page", PAGES)
def test_every_formula_holds(page: str):
    summary = summarise(check_page(ROOT / page))
    if summary.problems:
        pytest.fail("\n".join(summary.problems), pytrace=False)
    if page.startswith("docs/lectures/"):
        assert summary.verified, f"{page}: a lecture with no display verified"


def test_the_catalogue_as_shown():
    summary = summarise(catalogue.check())
    if summary.problems:
        pytest.fail("\n".join(summary.problems), pytrace=False)
    assert summary.verified == summary.displays > 100


def test_a_typo_in_the_catalogue_page_is_caught():
    """The tree checks of tests/test_catalogue.py do not read the page; this does.

    Only the typo's row is read again: the other rows, as the page shows them, are
    test_the_catalogue_as_shown's. Their lines are left blank, not taken out, so that
    the row stands on its own line numbers and draws the values it draws on the page.
    """
    text = catalogue.page_text()
    right = "\\dd f = \\tr(X^{-1}\\,\\dd X)"
    assert right in text
    row = only_the_section_of(text, text.index(right))
    page = Page(catalogue.PAGE_PATH, row.replace(right, "\\dd f = \\tr(X^{-\\T}\\,\\dd X)", 1)).run()
    (problem,) = problems_of(page)
    assert "the two sides differ" in problem


def only_the_section_of(text: str, at: int) -> str:
    """The page with every line outside the `## ` section around position `at` left blank."""
    lines = text.splitlines()
    here = text.count("\n", 0, at)
    first = max(i for i in range(here + 1) if lines[i].startswith("## "))
    end = next((i for i in range(here + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join(line if first <= i < end else "" for i, line in enumerate(lines)) + "\n"


def page_from(text: str) -> Page:
    return Page(ROOT / "docs" / "example.md", text).run()


def test_a_typo_names_page_line_formula_and_values():
    page = page_from("# T\n\n<!-- math: A: n×n -->\n\nSome text.\n\n$$\n\\dd (A^2) = 2 A\\, \\dd A\n$$\n")
    (problem,) = problems_of(page)
    assert problem.startswith("docs/example.md:7: \\dd (A^2) = 2 A \\dd A")
    assert "the two sides differ" in problem and "3 x 3 [" in problem and "relative difference" in problem


def test_the_right_formula_passes_and_a_transpose_typo_fails():
    right = page_from("<!-- math: A: n×m; x: m -->\n$$\n\\nabla_x \\norm{A x}^2 = 2 A^\\T A x\n$$\n")
    wrong = page_from("<!-- math: A: n×m; x: m -->\n$$\n\\nabla_x \\norm{A x}^2 = 2 A A^\\T x\n$$\n")
    assert not problems_of(right)
    assert problems_of(wrong)


def test_an_unreadable_formula_and_an_unknown_macro_are_errors():
    page = page_from("$$\nA = \\frac{1}{\n$$\n\n<!-- math: A: n×n -->\n$$\n\\foo A = A\n$$\n")
    problems = problems_of(page)
    assert any("example.md:1" in p and "cannot read" in p for p in problems)
    assert any("example.md:6" in p and "\\foo" in p for p in problems)


def test_a_display_that_checks_nothing_must_be_marked():
    page = page_from("$$\nM = \\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}\n$$\n")
    assert any("checks nothing" in p for p in problems_of(page))
    marked = page_from("<!-- math: mark definition: the example's matrix -->\n"
                       "$$\nM = \\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}\n$$\n")
    assert not problems_of(marked)


def test_a_formula_shown_as_wrong_must_be_wrong():
    page = page_from('<!-- math: A: n×n; wrong "\\dd(A^2) = \\dd A\\, A + A\\, \\dd A" -->\n'
                     "Not $\\dd(A^2) = \\dd A\\, A + A\\, \\dd A$.\n")
    assert any("shows this formula as wrong, but it holds" in p for p in problems_of(page))
    # wrong by value, not by shape: a transposed layout on a non-square matrix proves nothing
    by_shape = page_from('<!-- math: W: m×n; x: n; z: m; wrong "W = x z^\\T" -->\nNot $W = x z^\\T$.\n')
    assert any("only by its shapes" in p for p in problems_of(by_shape))
    by_value = page_from('<!-- math: W: n×n; x, z: n; wrong "W = x z^\\T" -->\nNot $W = x z^\\T$.\n')
    assert not problems_of(by_value)


def test_a_remainder_of_the_wrong_order_fails():
    good = page_from("<!-- math: f: 1 -> 1; x, h: scalar -->\n$$\n"
                     "\\frac{f(x+h) - f(x)}{h} = f'(x) + \\frac{h}{2} f''(x) + O(h^2)\n$$\n")
    bad = page_from("<!-- math: f: 1 -> 1; x, h: scalar -->\n$$\n"
                    "\\frac{f(x+h) - f(x)}{h} = f'(x) + \\frac{h}{3} f''(x) + O(h^2)\n$$\n")
    assert not problems_of(good), problems_of(good)
    assert any("shrinks like order" in p for p in problems_of(bad))


def test_a_rewrite_that_keeps_the_meaning_passes():
    """Not a snapshot of the LaTeX: the sides swapped, the terms reordered, a product regrouped still hold."""
    shown = "\\dd (A B) = \\dd A\\, B + A\\, \\dd B"
    for rewrite in (shown, "A\\, \\dd B + \\dd A\\, B = \\dd (A B)", "\\dd(AB) = A \\dd B + (\\dd A) B"):
        page = page_from(f"<!-- math: A: n×m; B: m×p; vary: A, B -->\n\n$$\n{rewrite}\n$$\n")
        assert not problems_of(page), rewrite
    wrong = page_from("<!-- math: A: n×m; B: m×p; vary: A, B -->\n\n$$\n\\dd (A B) = B\\, \\dd A + A\\, \\dd B\n$$\n")
    assert problems_of(wrong)


def test_second_derivatives_and_implicit_functions():
    """The notation of the later lectures: Hessians, f''(x)[u, v], \\adj, solutions of equations."""
    right = ("<!-- math: x, u, v: n; A: n×n; g(x) := x^\\T A x; B: n×n invertible; vary: B -->\n\n"
             "$$\n\\nabla^2 g(x) = A + A^\\T\n$$\n\n$$\ng''(x)[u, v] = u^\\T (A + A^\\T) v\n$$\n\n"
             "$$\n\\dd \\det B = \\tr(\\adj(B)\\, \\dd B)\n$$\n\n"
             "## Implicit\n\n<!-- math: p: scalar positive; x: solves x^3 + p x - 1 = 0 near 0.7 -->\n\n"
             "$$\n\\frac{\\dd x}{\\dd p} = -\\frac{x}{3 x^2 + p}\n$$\n")
    assert not problems_of(page_from(right))
    for typo in (("A + A^\\T\n", "2 A\n"), ("u^\\T (A + A^\\T) v", "u^\\T A v"), ("\\adj(B)", "\\adj(B)^\\T"),
                 ("3 x^2 + p", "3 x^2 - p")):
        assert problems_of(page_from(right.replace(*typo))), typo


def test_the_logarithm_of_a_negative_number_is_an_error():
    page = page_from("<!-- math: A: n×n; vary: A -->\n\n$$\n\\dd (\\log \\det (-A A^\\T)) = 2 \\tr(A^{-1} \\dd A)\n$$\n")
    (problem,) = problems_of(page)
    assert "not positive" in problem


def test_a_large_term_elsewhere_does_not_excuse_a_small_difference():
    """Only terms that cancelled set the scale of rounding: h/(4x) with x = 10^7 is not 0."""
    page = page_from("<!-- math: h: scalar positive -->\n\n$x = 10^7$ and $h / (4 x) = 0$.\n")
    (problem,) = problems_of(page)
    assert "the two sides differ" in problem
    cancels = page_from("<!-- math: A: n×n invertible; vary: A -->\n\n$$\n\\dd (A A^{-1}) = 0\n$$\n")
    assert not problems_of(cancels)


def test_entry_partials_gradients_at_a_point_and_the_adjugate_of_a_singular_matrix():
    page = page_from(
        "<!-- math: A: n×n; C := \\adj(A)^\\T; g: n×n -> 1; h(A) := g(A^{-1}); vary: A -->\n\n"
        "$$\n\\frac{\\partial \\det A}{\\partial A_{ij}} = C_{ij}\n$$\n\n"
        "$$\n\\nabla h(A) = -A^{-\\T} \\nabla g(A^{-1}) A^{-\\T}\n$$\n\n"
        "## Singular\n\n<!-- math: M := \\begin{pmatrix} 1 & 2 \\\\ 2 & 4 \\end{pmatrix} -->\n\n"
        "$$\n\\adj(M) = \\begin{pmatrix} 4 & -2 \\\\ -2 & 1 \\end{pmatrix}\n$$\n")
    assert not problems_of(page)


def test_partials_of_a_function_hold_its_other_arguments_and_a_matrix_moves_with_a_number():
    """\\partial r / \\partial p at a solution x(p) holds x; \\partial A / \\partial t has the shape of A."""
    page = page_from('# t\n\n<!-- math\nA: n×n invertible; p: n positive; b: n; f: n -> 1\nr(x, p) := A x + p \\odot x \\odot x \\odot x - b\nx: solves A x + p \\odot x \\odot x \\odot x = b near A^{-1} b\ng := f(x); v := (A + 3 \\diag(p \\odot x \\odot x))^{-\\T} \\nabla f(x)\n-->\n\n$$\n\\frac{\\partial r}{\\partial p} = \\diag(x \\odot x \\odot x), \\qquad\n\\frac{\\partial r}{\\partial x} = A + 3 \\diag(p \\odot x \\odot x), \\qquad\n\\nabla_p g = -\\left(\\frac{\\partial r}{\\partial p}\\right)^\\T v\n$$\n\n## s\n\n<!-- math: t: scalar; M, N: n×n; c, e: n; A := M + \\exp(t) N; b := c + t^2 e; x := A^{-1} b -->\n\n$$\nA \\frac{\\partial x}{\\partial t} = \\frac{\\partial b}{\\partial t} - \\frac{\\partial A}{\\partial t} x\n$$\n')
    assert not problems_of(page)


def test_nested_derivatives_keep_the_outer_step():
    """d/ds of d/dt f(x + s u + t v), and d/dalpha of a gradient: the inner derivative moves with the outer."""
    page = page_from("# t\n\n## A\n\n<!-- math: x, u, v: n; f: n -> 1; \\alpha: scalar -->\n\n$$\n\\nabla^2 f(x) v = \\left.\\frac{\\dd}{\\dd \\alpha} \\nabla_x f(x + \\alpha v)\\right|_{\\alpha = 0}\n$$\n\n## B\n\n<!-- math: x, u, v: n; f: n -> 1; s, t: scalar -->\n\n$$\nf''(x)[u, v] = \\left.\\frac{\\dd}{\\dd s} \\left(\\left.\\frac{\\dd}{\\dd t} f(x + s u + t v)\\right|_{t = 0}\\right)\\right|_{s = 0}\n$$\n")
    assert not problems_of(page)


def test_a_derivative_passes_through_an_integral_and_a_cancelled_integral_is_zero():
    """d/dmu of an integral is not 0 (the complex step survives the quadrature); the score has mean 0."""
    density = "q(x) := \\frac{1}{\\sigma \\sqrt{2 \\pi}} e^{-(x - \\mu)^2 / (2 \\sigma^2)}"
    head = f"# t\n\n<!-- math: \\mu: scalar; \\sigma: scalar positive; x: scalar; {density} -->\n\n"
    derivative = "\\frac{\\partial}{\\partial \\mu} \\int_{-\\infty}^{\\infty} x^4 q(x) \\, \\dd x"
    right = page_from(head + f"$$\n{derivative} = 4 \\mu^3 + 12 \\mu \\sigma^2\n$$\n\n"
                      "$$\n\\int_{-\\infty}^{\\infty} \\frac{x - \\mu}{\\sigma^2} q(x) \\, \\dd x = 0\n$$\n")
    assert not problems_of(right)
    for wrong in ("0", "4 \\mu^3 + 12 \\mu \\sigma"):
        assert problems_of(page_from(head + f"$$\n{derivative} = {wrong}\n$$\n"))


def test_expectations_over_a_normal_variable():
    """\\mathbb{E}_{x \\sim \\mathcal{N}(m, v)}[...] by Gauss-Hermite: the pathwise and score forms of a derivative."""
    head = "# t\n\n<!-- math: \\mu: scalar; \\sigma: scalar positive; x, \\varepsilon: scalar -->\n\n"
    mean = "\\mathbb{E}_{x \\sim \\mathcal{N}(\\mu, \\sigma^2)}"
    right = page_from(head + f"$$\n\\frac{{\\partial}}{{\\partial \\mu}} {mean}[x^4] = 4 \\mu^3 + 12 \\mu \\sigma^2"
                      f" = \\mathbb{{E}}_{{\\varepsilon \\sim \\mathcal{{N}}(0, 1)}}[4 (\\mu + \\sigma \\varepsilon)^3]"
                      f" = {mean}\\Big[x^4 \\frac{{x - \\mu}}{{\\sigma^2}}\\Big]\n$$\n\n"
                      f"$$\n{mean}[x^2] - {mean}[x]^2 = \\sigma^2\n$$\n")
    assert not problems_of(right)
    assert problems_of(page_from(head + f"$$\n\\frac{{\\partial}}{{\\partial \\mu}} {mean}[x^4] = "
                                        f"{mean}\\Big[x^4 \\frac{{x - \\mu}}{{\\sigma}}\\Big]\n$$\n"))
    (problem,) = problems_of(page_from(head + "$$\n\\mathbb{E}[x] = \\mu\n$$\n"))
    assert "needs its variable and distribution" in problem


def test_the_boundary_term_of_an_integration_by_parts():
    """[g(x)]_a^b, \\left. g \\right|_a^b and [g]_{x=a}^{x=b} are g(b) - g(a); without it the formula fails."""
    head = "# t\n\n<!-- math: x, t: scalar; u(x) := x^2 (1 - x); v(x) := \\sin(\\pi x) + x -->\n\n"
    parts = "\\int_0^1 u'(x) v'(x) \\, \\dd x = -\\int_0^1 u''(x) v(x) \\, \\dd x"
    for term in ("\\Big[ u'(x) v(x) \\Big]_0^1", "\\left. u'(x) v(x) \\right|_0^1", "[ u'(x) v(x) ]_{x=0}^{x=1}"):
        assert not problems_of(page_from(head + f"$$\n{parts} + {term}\n$$\n"))
    assert problems_of(page_from(head + f"$$\n{parts}\n$$\n"))
    (problem,) = problems_of(page_from(head + "$$\n\\Big[ t u(x) \\Big]_0^1 = 0\n$$\n"))
    assert "which variable runs from a to b" in problem


def test_the_differential_of_a_member_of_a_family_with_a_free_index():
    """\\dd q_i of eigenvectors, for every i; in \\sum_{j \\ne i} only j is bound."""
    head = ("# t\n\n<!-- math: S: n×n separated; vary: S; \\lambda := -\\operatorname{eigvals}(-S); "
            "Q := \\operatorname{eigvecs}(-S); q_k := Q e_k -->\n\n")
    formula = "\\dd q_i = \\sum_{j \\ne i} q_j \\frac{q_j^\\T \\dd S\\, q_i}{\\lambda_i - \\lambda_j}"
    assert not problems_of(page_from(head + f"$$\n{formula}\n$$\n"))
    swapped = "\\dd q_i = \\sum_{j \\ne i} q_j \\frac{q_j^\\T \\dd S\\, q_i}{\\lambda_j - \\lambda_i}"
    assert problems_of(page_from(head + f"$$\n{swapped}\n$$\n"))


def test_the_spectral_norm_of_a_matrix_is_its_largest_singular_value():
    """\\norm{A}_2 of a matrix is sigma_1 (its gradient u_1 v_1^T), not the Frobenius norm."""
    head = "# t\n\n<!-- math: A: m×n; vary: A -->\n\n"
    assert not problems_of(page_from(head + "$$\n\\norm{A}_2^2 = \\max \\operatorname{eigvals}(A^\\T A)\n$$\n"))
    assert problems_of(page_from(head + "$$\n\\norm{A}_2 = \\norm{A}_F\n$$\n"))


def test_the_inverse_of_a_singular_matrix_is_an_error():
    """A 5 x 5 D^T D of rank 4: every claim through its inverse would hold by rounding."""
    page = page_from("# t\n\n<!-- math: D: m×p; K := D^\\T D -->\n\n$$\nK^{-1} K = I\n$$\n")
    (problem,) = problems_of(page)
    assert "singular to working precision" in problem


def test_a_derivative_in_a_limit_of_an_integral():
    """d/dt of \\int_t^T g is -g(t), not 0: the limit's complex step is integrated along a straight path."""
    head = "# t\n\n<!-- math: t, T, \\tau, p: scalar positive; g(\\tau) := \\exp(p \\tau) \\sin \\tau -->\n\n"
    left = "\\frac{\\dd}{\\dd t} \\int_t^T g(\\tau) \\, \\dd \\tau"
    assert not problems_of(page_from(head + f"$$\n{left} = -g(t)\n$$\n"))
    for wrong in ("0", "g(t)", "-1.001 g(t)"):
        assert problems_of(page_from(head + f"$$\n{left} = {wrong}\n$$\n"))


def test_a_function_defined_through_other_names_and_a_mean_of_zero():
    """G(\\mu) := \\int_c^\\infty p(x) dx reaches \\mu through p; the score's mean is 0 to rounding."""
    head = ("# t\n\n<!-- math: \\mu, c: scalar; \\sigma: scalar positive; x: scalar; "
            "p(x) := \\frac{1}{\\sigma \\sqrt{2 \\pi}} e^{-(x - \\mu)^2 / (2 \\sigma^2)}; "
            "G(\\mu) := \\int_c^{\\infty} p(x) \\, \\dd x -->\n\n")
    right = page_from(head + "$$\n\\frac{\\partial G}{\\partial \\mu} = p(c)\n$$\n\n$$\n\\mathbb{E}_{x \\sim "
                      "\\mathcal{N}(\\mu, \\sigma^2)}\\Big[\\frac{x - \\mu}{\\sigma^2}\\Big] = 0\n$$\n")
    assert not problems_of(right)
    assert problems_of(page_from(head + "$$\n\\frac{\\partial G}{\\partial \\mu} = -p(c)\n$$\n"))
    assert problems_of(page_from(head + "$$\n\\mathbb{E}_{x \\sim \\mathcal{N}(\\mu, \\sigma^2)}[x - \\mu] = 0.001\n$$\n"))


def test_a_long_sum_continues_on_the_next_row_of_an_aligned_display():
    """A row of `aligned` that starts with + or - continues the sum of the row before (for narrow screens)."""
    head = "# t\n\n<!-- math: A: n×n; vary: A -->\n\n"
    display = "$$\n\\begin{{aligned}}\n\\dd (A^3) = {{}}& \\dd A\\, A^2 + A\\, \\dd A\\, A \\\\\n&{} A^2 \\dd A\n\\end{{aligned}}\n$$\n"
    assert not problems_of(page_from(head + display.format("+")))
    assert problems_of(page_from(head + display.format("-")))
    # After a row that ends with a comma, a row that starts with - is a statement of its own.
    two = "$$\n\\begin{aligned}\n\\dd (A^2) &= \\dd A\\, A + A\\, \\dd A, \\\\\n-A &= (-1) A\n\\end{aligned}\n$$\n"
    page = page_from(head + two)
    assert not problems_of(page) and [len(f.results) for f in page.formulas] == [2], page.formulas


def test_a_derivative_in_a_limit_of_an_integral_of_a_vector():
    """The same for a vector integrand (Gauss-Legendre along the straight path between complex limits)."""
    head = "# t\n\n<!-- math: t, T, \\tau: scalar positive; A: n×n; b: n; g(\\tau) := \\exp(\\tau A) b -->\n\n"
    left = "\\frac{\\dd}{\\dd t} \\int_t^T g(\\tau) \\, \\dd \\tau"
    assert not problems_of(page_from(head + f"$$\n{left} = -g(t)\n$$\n"))
    assert problems_of(page_from(head + f"$$\n{left} = 0\n$$\n"))


def test_a_name_defined_through_members_of_a_family_moves_with_them():
    """P := q_a q_a^T + q_b q_b^T, with q_k := Q e_k the eigenvectors of S: dP follows S through the
    family's rule (it was read as not depending on S, so that "dP = 0" passed)."""
    head = ("# t\n\n<!-- math: n = 4; a = 2; b = 3; S: n×n separated; vary: S; "
            "\\lambda := -\\operatorname{eigvals}(-S); Q := \\operatorname{eigvecs}(-S); q_k := Q e_k; "
            "P := q_a q_a^\\T + q_b q_b^\\T; E := \\begin{pmatrix} 0 & 0 & 0 & 0 \\\\ 0 & 1 & 0 & 0 \\\\ 0 & 0 & 1 & 0 \\\\ 0 & 0 & 0 & 0 \\end{pmatrix} -->\n\n")
    assert problems_of(page_from(head + "$$\n\\dd P = 0\n$$\n"))
    assert not problems_of(page_from(head + "$$\nP = Q E Q^\\T\n$$\n\n$$\n\\dd P = \\dd (Q E Q^\\T)\n$$\n"))


def test_eigenvectors_keep_their_signs_through_central_differences():
    """An eigenvector whose entries sum to almost zero (the checker's sign rule is a positive sum) keeps
    the sign it has at the point when a central difference moves the matrix: the derivative is the
    first-order formula's, not a jump of size 2 / step."""
    import numpy as np
    from formulas import evaluate

    M = np.array([[1.5, -0.5, 0.0], [-0.5, 1.5, 0.0], [0.0, 0.0, 4.0]])  # q_2 = (1, -1, 0) / sqrt 2
    E = np.array([[1.0, 2.0, 0.0], [2.0, -1.0, 1.0], [0.0, 1.0, 3.0]])
    t = 1e-5  # the sum of q_2's entries is about 1e-5: a step of 0.005 changes its sign

    def q(s):
        return evaluate._eigenvectors(M + (t + s) * E)

    Q = q(0).real
    lam = np.linalg.eigvalsh(M + t * E)
    exact = sum(Q[:, j] * (Q[:, j] @ E @ Q[:, 1]) / (lam[1] - lam[j]) for j in (0, 2))
    found = evaluate._central(q)[:, 1].real
    assert np.allclose(found, exact, atol=1e-8), (found, exact)
