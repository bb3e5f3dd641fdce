"""The built site: strict build, nothing loaded from another host, every formula rendered,
links that resolve, and no address that would leave a sub-path (/<repository>/, as GitHub
Pages serves a project; tests/browser/test_hosted_under_a_sub_path.py serves a site there).
The scans share one read of each page (site_scan.read_page)."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import urlsplit

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
