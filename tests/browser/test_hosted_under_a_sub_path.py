"""The hosted site works under a sub-path, as GitHub Pages serves a project: /<repository>/.

- No page of the built site links to a root-absolute address ("/..."), which
  would leave the sub-path: tests/test_site.py, which reads the built site once
  for all its scans.
- A small site built with SITE_URL under /course/ (the configuration, hooks
  and theme of the real one) is served under /course/ and read in Chromium:
  every page and the 404 page load all they ask for, and the search finds a
  page.
- site_url and repo_url are set in one place, the environment (SITE_URL,
  REPO_URL), which the deploy workflow fills in from its GitHub context.
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from site_scan import root_absolute
from small_site import build as small_site_build
from watched_browser import watched_context

ROOT = Path(__file__).resolve().parents[2]

SUB_PATH = "/course/"


def test_site_url_and_repo_url_are_read_from_the_environment_only():
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^site_url: !ENV \[SITE_URL, ", text, re.MULTILINE), "site_url must come from SITE_URL"
    assert re.search(r"^repo_url: !ENV \[REPO_URL, ", text, re.MULTILINE), "repo_url must come from REPO_URL"
    for other in ROOT.glob("mkdocs*.yml"):
        if other.name != "mkdocs.yml":  # the offline edition has neither, on purpose
            assert re.search(r'^site_url: ""$', other.read_text(encoding="utf-8"), re.MULTILINE), other.name


# A small site with the real configuration, built for a sub-path and served under it.
PAGES = {
    "index.md": "# Home\n\nInline $\\tr(A^\\T X)$ and [a lecture](lectures/demo.md).\n",
    "lectures/demo.md": (
        "# Demo lecture\n\nBack [home](../index.md). A formula:\n\n$$\n\\norm{x}^2 = x^\\T x\n$$\n\n"
        "```python\nprint(6 * 7)\n```\n\n<!--pytest-codeblocks:expected-output-->\n\n```text title=\"Output\"\n42\n```\n"
    ),
}


def small_site(tmp_path: Path, site_url: str) -> Path:
    """The small site built for site_url, in served/<sub-path>/; returns served/."""
    served = tmp_path / "served"
    result = small_site_build(tmp_path, PAGES, served / SUB_PATH.strip("/"), environment={"SITE_URL": site_url})
    assert result.returncode == 0, result.stderr[-3000:]
    return served


class SubPathHandler(SimpleHTTPRequestHandler):
    """A static host with the site under SUB_PATH; a missing address gets the site's 404 page."""

    def log_message(self, format, *args):  # noqa: A002
        pass

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / SUB_PATH.strip("/") / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a browser that closes a connection early
        pass


@contextlib.contextmanager
def serve(directory: Path):
    server = QuietServer(("127.0.0.1", 0), functools.partial(SubPathHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_site_under_a_sub_path_loads_everything_and_its_search_works(tmp_path: Path, browser):
    served = small_site(tmp_path, f"https://readers.example{SUB_PATH}")
    site = served / SUB_PATH.strip("/")
    assert not root_absolute(site, allowed_prefix=SUB_PATH)
    assert f'href="{SUB_PATH}assets/' in (site / "404.html").read_text(encoding="utf-8")
    with serve(served) as host, watched_context(browser, allowed=(host, "data:", "blob:", "about:")) as (context, watch):
        page = context.new_page()
        for address in ("", "lectures/demo/"):
            response = page.goto(host + SUB_PATH + address)
            assert response and response.ok, f"{SUB_PATH}{address}: {response and response.status}"
        notebook = page.locator("p.notebook-links a[download]").get_attribute("href")
        assert context.request.get(page.url.rsplit("/", 2)[0] + "/" + notebook.removeprefix("../")).ok
        page.goto(host + SUB_PATH + "lectures/demo/")
        assert page.locator(".katex").count() >= 1
        assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
        page.click(".md-search__input")
        page.keyboard.type("demo", delay=40)
        page.wait_for_selector(".md-search-result__item a", timeout=15000)
        assert page.locator(".md-search-result__item a").first.get_attribute("href").startswith(host + SUB_PATH)
        problems = watch.problems()

        # A missing address deep under the sub-path gets the 404 page, styled: its assets load.
        watch.clear()
        missing = page.goto(host + SUB_PATH + "no/such/page/")
        assert missing.status == 404
        assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
        problems += [p for p in watch.problems()
                     if f"{SUB_PATH}no/such/page/" not in p and "status of 404" not in p]
    assert not problems, "\n".join(problems)
