"""The built site: strict build, nothing loaded from another host, every formula rendered,
links that resolve, and no address that would leave a sub-path (/<repository>/, as GitHub
Pages serves a project; tests/browser/test_hosted_under_a_sub_path.py serves a site there).
The scans share one read of each page (site_scan.read_page)."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import yaml

from site_scan import broken_internal_links, external_resources, math_problems, read_page, root_absolute

ROOT = Path(__file__).resolve().parent.parent


def test_strict_build_succeeds(site: Path):
    assert (site / "index.html").is_file()


def test_nothing_is_loaded_from_another_host(site: Path):
    problems = external_resources(site)
    assert not problems, "the built site loads from other hosts:\n" + "\n".join(problems)


def test_links_between_pages_resolve(site: Path):
    problems = broken_internal_links(site)
    assert not problems, "links to missing pages or anchors:\n" + "\n".join(problems)


def test_every_formula_is_rendered(site: Path):
    problems = []
    for page in sorted(site.rglob("*.html")):
        problems += [f"{page.relative_to(site)}: {p}" for p in math_problems(page.read_text(encoding="utf-8"))]
    assert not problems, "\n".join(problems)


def test_pages_load_no_math_javascript(site: Path):
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        scripts = [url for _, element, url in read_page(page).found if element.startswith("<script")]
        math_scripts = [url for url in scripts if "katex" in url.lower() or "mathjax" in url.lower()]
        assert not math_scripts, f"{page.relative_to(site)} loads {math_scripts}"
        assert "text/x-mathjax-config" not in text and "window.MathJax" not in text, page.relative_to(site)


def test_no_script_runs_before_the_header_is_read(site: Path):
    """A script inside the header is a point where a phone may paint the header half read: the theme's
    palette script stood between the light/dark toggle and the search button, and the toggle moved
    48 px when the button came (overrides/partials/javascripts/palette.html)."""
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        header = re.search(r"<header\b.*?</header>", text, re.DOTALL)
        if header is None:
            continue
        assert "<script" not in header[0], f"{page.relative_to(site)}: a script inside the page's <header>"


def test_font_preloads_open_the_body_and_hold_up_no_first_paint(site: Path):
    """A font preload in <head> may hold up a page's first paint in Chromium, which ran to 1.3 s in a
    third of Lighthouse's loads (13 of 38; hooks/render_math.py, font_preloads); in <body> it holds up nothing.
    The pages whose first formulas draw with KaTeX's fonts still preload them."""
    preload = re.compile(r'<link rel="preload" href="[^"]+" as="font"[^>]*>')
    preloading = []
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        head = text[: text.find("</head>")]
        assert not preload.search(head), f"{page.relative_to(site)}: a font preload in <head>"
        body = re.search(r"<body\b[^>]*>", text)
        links = preload.findall(text)
        if links:
            assert text[body.end() :].startswith("".join(links)), f"{page.relative_to(site)}: font preloads " \
                "elsewhere than at the start of <body>"
            preloading.append(page.relative_to(site).as_posix())
    assert "lectures/derivatives/index.html" in preloading, preloading


def test_katex_assets_are_served_by_the_site(site: Path):
    css = site / "assets" / "katex" / "katex.min.css"
    assert css.is_file()
    fonts = list((site / "assets" / "katex" / "fonts").glob("*.woff2"))
    assert len(fonts) >= 15, fonts


def test_labs_link_to_their_notebooks(site: Path):
    import json

    for lab in (Path(__file__).resolve().parent.parent / "docs" / "labs").glob("*.py"):
        page = site / "labs" / lab.stem / "index.html"
        notebook = site / "labs" / f"{lab.stem}.ipynb"
        text = page.read_text(encoding="utf-8")
        assert f'href="../{lab.stem}.ipynb"' in text, page
        # Under the lab's title, as on a lecture: the download and the Colab link.
        links = text.find('<p class="notebook-links">')
        assert 0 <= text.find("</h1>") < links, f"{page}: no notebook links under the title"
        assert f"/blob/notebooks/labs/{lab.stem}.ipynb" in text[links:text.find("</p>", links)], page
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        assert any(cell["cell_type"] == "code" for cell in cells), notebook
        # The same lab gives the same notebook file in every build.
        assert [cell["id"] for cell in cells] == [f"cell-{n}" for n in range(1, len(cells) + 1)], notebook


def test_no_page_links_to_the_root_of_the_host(site: Path):
    config = yaml.safe_load(re.sub(r"!ENV \[(\w+), (\"[^\"]*\")\]", r"\2", (ROOT / "mkdocs.yml").read_text()))
    site_path = urlsplit(config["site_url"]).path or "/"
    problems = root_absolute(site, allowed_prefix=site_path)
    assert not problems, "root-absolute addresses break the site under /<repository>/:\n" + "\n".join(problems[:40])


def test_the_check_finds_root_absolute_links(tmp_path: Path):
    (tmp_path / "a.html").write_text('<a href="/x/">x</a><img src="ok.png"><div style="background: url(/bg.png)">')
    (tmp_path / "404.html").write_text('<link rel="stylesheet" href="/course/assets/main.css"><a href="/other/">')
    (tmp_path / "s.css").write_text("body { background: url('/i.png') }")
    problems = root_absolute(tmp_path, allowed_prefix="/course/")
    assert sorted(p.split(":")[0] for p in problems) == ["404.html", "a.html", "a.html", "s.css"], problems


def test_every_page_links_to_an_erratum_form_filled_in_with_its_address(site: Path):
    """"Report an error on this page" opens the repository's erratum form with the page's address
    and title (the section is added by the link's script, tests/browser); the form asks for them."""
    from urllib.parse import parse_qs

    form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "erratum.yml").read_text(encoding="utf-8"))
    ids = {field.get("id") for field in form["body"]}
    assert {"page", "section", "wrong"} <= ids, ids
    config = yaml.safe_load(re.sub(r"!ENV \[(\w+), (\"[^\"]*\")\]", r"\2", (ROOT / "mkdocs.yml").read_text()))
    pages = [p for p in site.glob("lectures/*/index.html")] + [site / "index.html", site / "labs" / "train-mlp" / "index.html"]
    for page in pages:
        found = re.search(r'<p class="report-error">\s*<a href="([^"]+)"', page.read_text(encoding="utf-8"))
        assert found, f"{page}: no link to report an error"
        url = html.unescape(found.group(1))
        assert url.startswith(config["repo_url"].rstrip("/") + "/issues/new?"), url
        query = parse_qs(urlsplit(url).query)
        address = config["site_url"] + page.parent.relative_to(site).as_posix() + "/"
        assert query["template"] == ["erratum.yml"] and query["page"] == [address.replace("/./", "/")], query
        assert query["title"][0].startswith("Erratum: "), query


def test_pages_link_the_pdf_and_the_offline_edition(site: Path):
    """Under each page, the whole course to keep (published at downloads/ by the deploy workflow)."""
    for page in (site / "index.html", site / "lectures" / "derivatives" / "index.html"):
        text = page.read_text(encoding="utf-8")
        depth = "" if page.parent == site else "../../"
        for name in ("matrix-calculus-notes.pdf", "matrix-calculus-notes-offline.zip"):
            assert f'href="{depth}downloads/{name}"' in text, (page, name)


def test_a_broken_link_of_a_lab_is_named_with_the_line_of_the_lab(tmp_path: Path):
    """MkDocs does not see the links of a lab's cells; the scan of the built site names the lab's line."""
    docs, site = tmp_path / "docs", tmp_path / "site"
    (docs / "labs").mkdir(parents=True)
    (docs / "labs" / "lab.py").write_text("# %% [markdown]\n# # Lab\n#\n# See [a lecture](../../lectures/gone/).\n")
    (site / "labs" / "lab").mkdir(parents=True)
    (site / "labs" / "lab" / "index.html").write_text('<p>\n<a href="../../lectures/gone/">a lecture</a></p>\n')
    problems = broken_internal_links(site, docs)
    assert problems == ["labs/lab/index.html:2: ../../lectures/gone/: no such file (docs/labs/lab.py:4)"], problems


def nav_pages(section: str) -> list[tuple[str, str]]:
    nav = yaml.safe_load(re.sub(r"!ENV \[(\w+), (\"[^\"]*\")\]", r"\2", (ROOT / "mkdocs.yml").read_text()))["nav"]
    entries = next(entry[section] for entry in nav if isinstance(entry, dict) and section in entry)
    return [next(iter(entry.items())) for entry in entries]


def test_the_home_page_lists_every_lecture_and_lab_of_the_navigation(site: Path):
    """In the navigation's order, with its titles (hooks/page_links.py), each with what it is about."""
    text = (site / "index.html").read_text(encoding="utf-8")
    listed = re.findall(r'<li><a href="((?:lectures|labs)/[\w-]+/)">([^<]+)</a>:\s*\S', text)
    expected = [(Path(path).with_suffix("").as_posix() + "/", html.escape(title, quote=False))
                for section in ("Lectures", "Labs") for title, path in nav_pages(section)]
    assert listed == expected


def test_serve_rebuilds_when_a_file_a_page_includes_changes():
    """`mkdocs serve` watches docs/ and mkdocs.yml, and the `watch:` paths of mkdocs.yml: every file
    that pages include or name (snippets, figure scripts, the macros) must be under one of them."""
    config = yaml.safe_load(re.sub(r"!ENV \[(\w+), (\"[^\"]*\")\]", r"\2", (ROOT / "mkdocs.yml").read_text()))
    watched = [ROOT / "docs", ROOT / "mkdocs.yml"] + [ROOT / path for path in config.get("watch", [])]
    read = {ROOT / "hooks" / "katex_macros.yml", ROOT / "figures" / "figure_kit.py"}
    for page in [*(ROOT / "docs").rglob("*.md"), *(ROOT / "docs" / "labs").glob("*.py")]:
        text = page.read_text(encoding="utf-8")
        read |= {ROOT / path for path in re.findall(r'--8<--\s+"([^":]+)', text)}
        read |= {ROOT / path for path in re.findall(r"snippets/[\w/-]+\.py", text)}
        read |= {ROOT / "figures" / f"{name}.py" for name in re.findall(r"\]\(figure:([\w/-]+)", text)}
    assert len(read) > 20, read
    unwatched = [path for path in read if not any(path == w or w in path.parents for w in watched)]
    assert not unwatched, f"mkdocs serve does not rebuild when these change: {unwatched}"


def test_make_serve_and_make_test_take_a_port_and_a_page():
    def command(*arguments: str) -> str:
        # As a reader types it: not as a sub-make of `make test`, which would add directory lines.
        outside = {name: value for name, value in os.environ.items() if name not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
        output = subprocess.run(["make", "--no-print-directory", "-n", *arguments], cwd=ROOT, env=outside,
                                capture_output=True, text=True, check=True)
        return output.stdout.strip().splitlines()[-1]

    assert command("serve").endswith("mkdocs serve --dirty --dev-addr 127.0.0.1:8000 --livereload")
    assert command("serve", "PORT=8001").endswith("mkdocs serve --dirty --dev-addr 127.0.0.1:8001 --livereload")
    assert command("test").endswith("pytest")
    assert command("test", "PAGE=docs/lectures/jacobians.md docs/conventions.md").endswith(
        "pytest --page=docs/lectures/jacobians.md --page=docs/conventions.md")


def test_the_checks_of_one_page_are_those_that_name_it():
    """`pytest --page=docs/lectures/x.md` keeps the tests whose parameters name the page (its blocks,
    formulas, notebook, browser checks, the snippets it includes, its figures, the search queries
    that lead to it) or whose module is about it, and the strict build."""
    page = "docs/lectures/jacobian-determinant.md"
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-n", "0", f"--page={page}"],
                            cwd=ROOT, capture_output=True, text=True)
    ids = [line for line in result.stdout.splitlines() if "::" in line]
    assert ids, result.stdout[-2000:] + result.stderr[-2000:]
    expected = [
        f"tests/test_pages.py::test_block[{page}:36]",
        f"tests/test_formulas.py::test_every_formula_holds[{page}]",
        f"tests/test_notebooks.py::test_notebook_runs_top_to_bottom_and_prints_what_the_page_shows[{page}]",
        "tests/browser/test_pages_in_browser.py::test_page_reads_well[lectures/jacobian-determinant]",
        "tests/browser/test_search.py::test_a_students_query_leads_first_to_its_page_and_section[change of variables]",
        "tests/browser/test_interactive_figure.py::test_arrow_keys_move_the_point",
        "tests/test_snippets.py::test_snippet_runs_standalone[snippets/jacobian-determinant/polygon_area.py]",
        "tests/test_figures.py::test_figure_svgs_read_on_a_phone_in_both_schemes[jacobian-determinant/polar-cells]",
        "tests/test_site.py::test_strict_build_succeeds",
        "tests/test_pages.py::test_pages_follow_the_block_rules",
    ]
    assert not [name for name in expected if name not in ids], ids
    others = [name for name in ids if "lectures/jacobians" in name or "docs/conventions.md" in name]
    assert not others and len(ids) < 60, ids
    import conftest

    asking = SimpleNamespace(getoption=lambda name: ["docs/no-such-page.md"] if name == "page" else None)
    with pytest.raises(pytest.UsageError, match="--page docs/no-such-page.md: no such file"):
        conftest.pytest_configure(asking)


def test_the_site_of_a_page_s_checks_is_built_without_the_other_lectures_and_labs(request, monkeypatch):
    import conftest

    for page, other in [("lectures/jacobians.md", "lectures/derivatives.md"), ("labs/train-mlp.py", "labs/pca-digits.py")]:
        monkeypatch.setattr(request.config.option, "page", [f"docs/{page}"])
        config = yaml.safe_load(conftest.site_config(request.config).read_text(encoding="utf-8"))
        left_out = config["exclude_docs"].split()
        assert f"/{other}" in left_out and f"/{page}" not in left_out and "/index.md" not in left_out, left_out
        assert "/labs/estimator-variance.py" in left_out and "/lectures/backpropagation.md" in left_out, left_out
    # The cost-of-a-gradient lecture folds the engine that the backpropagation lecture shows whole.
    monkeypatch.setattr(request.config.option, "page", ["docs/lectures/gradient-cost.md"])
    left_out = yaml.safe_load(conftest.site_config(request.config).read_text(encoding="utf-8"))["exclude_docs"].split()
    assert "/lectures/backpropagation.md" not in left_out and "/lectures/derivatives.md" in left_out, left_out
    monkeypatch.setattr(request.config.option, "page", ["docs/labs/train-mlp.py", "docs/index.md"])
    assert conftest.site_config(request.config) == ROOT / "mkdocs.yml"
