"""`make serve` (`mkdocs serve --dirty`, hooks/serve.py): an edit renders again only what it changes,
and what the build gathers from every page stays whole.

A small site is built twice in one process, as `mkdocs serve` builds it (the second time after
an edit), and what the second build left is read: the pages, the search index, the labs' cache
of executed runs, the print page.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

import small_site

ROOT = Path(__file__).resolve().parent.parent

# Two builds in one process, as `mkdocs serve --dirty` makes them: the first, the edits (JSON,
# {path: text}, their files a second newer than anything built), the second.
TWO_BUILDS = """
import json, os, sys, time
from mkdocs.commands.build import build
from mkdocs.config import load_config

config_file, site_dir, edits = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])

def config():
    loaded = load_config(config_file, site_dir=site_dir)
    loaded.site_url = "http://127.0.0.1:8000/"
    return loaded

first = config()
first.plugins.on_startup(command="serve", dirty=True)
build(first, serve_url=first.site_url, dirty=True)
print(json.dumps({str(path): os.stat(path).st_mtime_ns for path in __import__("pathlib").Path(site_dir).rglob("*.*")}))
later = time.time() + 1
for path, text in edits.items():
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
    os.utime(path, (later, later))
second = config()
build(second, serve_url=second.site_url, dirty=True)
"""

PAGES = {
    "index.md": "# Home\n\nThe home page.\n",
    "lectures/shown.md": "# Shown\n\nA lecture that shows a snippet.\n\n```python\n--8<-- \"snippets/shown.py\"\n```\n",
    "lectures/other.md": "# Other\n\nA lecture that includes nothing, about eigenvalues.\n",
}
CATALOGUE = "reference/identities.md"  # a page a hook writes
LAB = "# %% [markdown]\n# # Lab {n}\n#\n# The lab numbered {n}.\n\n# %%\nx = {n}\n"


def site(tmp_path: Path, strict: bool, catalogue: bool = True) -> tuple[Path, Path]:
    """A small site of three pages, the identity catalogue and two labs (not run: execute off, the cache of their runs on);
    the config file and the folder it is built in. Built from tmp_path, where the labs' cache and
    the page's snippet are."""
    docs = tmp_path / "docs"
    for name, text in {**PAGES, "labs/one.py": LAB.format(n=1), "labs/two.py": LAB.format(n=2)}.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, encoding="utf-8")
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "shown.py").write_text('print("first version")\n', encoding="utf-8")
    lines = small_site.inheriting("mkdocs.yml", docs) + [f"strict: {str(strict).lower()}"]
    lines += yaml.safe_dump({"nav": [*PAGES, *[CATALOGUE] * catalogue, "labs/one.py", "labs/two.py"]}).splitlines()
    lines += ["plugins:", "  mkdocs-jupyter:", "    execute: false", "    cache: true"]
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config_file, tmp_path / "site"


def environment() -> dict[str, str]:
    """The environment of the builds: CI would turn the labs' cache off."""
    return {**{key: value for key, value in os.environ.items() if key != "CI"}, "NO_MKDOCS_2_WARNING": "1"}


def test_serve_renders_a_page_again_when_its_snippet_changes_and_keeps_the_rest(tmp_path: Path):
    config_file, site_dir = site(tmp_path, strict=True)  # strict: MkDocs' warning of a dirty build fails no build
    edits = {str(tmp_path / "snippets" / "shown.py"): 'print("second version")\n'}
    run = subprocess.run([sys.executable, "-c", TWO_BUILDS, str(config_file), str(site_dir), json.dumps(edits)],
                         cwd=tmp_path, capture_output=True, text=True, env=environment())
    assert run.returncode == 0, run.stderr[-3000:]
    first = json.loads(run.stdout.splitlines()[-1])
    # The page that includes the snippet shows its new text (MkDocs alone renders only a page whose
    # file changed), and so does its notebook.
    assert "second version" in (site_dir / "lectures" / "shown" / "index.html").read_text(encoding="utf-8")
    assert "second version" in (site_dir / "lectures" / "shown.ipynb").read_text(encoding="utf-8")
    # The rest is as the first build wrote it: the other pages, the catalogue page (a hook writes
    # its text on every build), the notebooks of the other lecture and of the labs.
    for kept in ["lectures/other/index.html", "reference/identities/index.html", "lectures/other.ipynb",
                 "labs/one/index.html", "labs/one.ipynb", "labs/two.ipynb"]:
        assert os.stat(site_dir / kept).st_mtime_ns == first[str(site_dir / kept)], f"{kept} was written again"
    # The search index holds every page once, the rendered one and those kept from the first build.
    index = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    pages = [doc["location"] for doc in index["docs"] if "#" not in doc["location"]]
    assert sorted(pages) == ["", "labs/one/", "labs/two/", "lectures/other/", "lectures/shown/", "reference/identities/"], pages
    # The labs' runs, cached by the first build, stay cached though the second rendered no lab.
    assert len(list((tmp_path / ".cache" / "mkdocs-jupyter").glob("*/*.json"))) == 2


def test_a_build_that_leaves_a_lab_out_keeps_its_cached_run(tmp_path: Path):
    """`make test PAGE=docs/labs/one.py` builds that lab without the others (`exclude_docs`,
    tests/conftest.py): the run of lab two, cached by a full build, stays cached (hooks/labs.py;
    mkdocs-jupyter deletes the runs a build did not use, and the next full build would run every
    lab left out again)."""
    config_file, site_dir = site(tmp_path, strict=False, catalogue=False)
    cached = tmp_path / ".cache" / "mkdocs-jupyter"
    for left_out in ([], ["/labs/two.py"]):  # the whole site, then the site of lab one's checks
        if left_out:
            config_file.write_text(config_file.read_text(encoding="utf-8") + "exclude_docs: |\n"
                                   + "".join(f"  {uri}\n" for uri in left_out), encoding="utf-8")
        run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(config_file), "-d", str(site_dir)],
                             cwd=tmp_path, capture_output=True, text=True, env=environment())
        assert run.returncode == 0, run.stderr[-3000:]
        assert len(list(cached.glob("*/*.json"))) == 2, (left_out, list(cached.rglob("*")))
    assert not (site_dir / "labs" / "two").exists()  # left out indeed


def test_a_dirty_build_writes_no_print_page_of_the_pages_it_renders(tmp_path: Path):
    config_file, site_dir = site(tmp_path, strict=False, catalogue=False)
    for dirty in ([], ["--dirty"]):  # a full build, an edit, a dirty build
        if dirty:
            (tmp_path / "docs" / "index.md").write_text(PAGES["index.md"] + "\nAn edit.\n", encoding="utf-8")
        run = subprocess.run([sys.executable, "-m", "mkdocs", "build", *dirty, "-f", str(config_file), "-d", str(site_dir)],
                             cwd=tmp_path, capture_output=True, text=True, env=environment())
        assert run.returncode == 0, run.stderr[-3000:]
    assert "An edit." in (site_dir / "index.html").read_text(encoding="utf-8")
    print_page = (site_dir / "print.html").read_text(encoding="utf-8")
    assert "about eigenvalues" in print_page and "An edit." not in print_page  # the full build's


def test_a_figure_is_drawn_again_when_the_code_of_its_page_changes_not_its_prose(tmp_path: Path, monkeypatch):
    sys.path.insert(0, str(ROOT / "hooks"))
    import figure_markup

    monkeypatch.setattr(figure_markup, "ROOT", tmp_path)
    monkeypatch.setenv("FIGURES_DIR", str(tmp_path / "figures"))
    (tmp_path / "figures" / "demo").mkdir(parents=True)
    (tmp_path / "figures" / "demo" / "plot.py").write_text('PAGE = "docs/lectures/demo.md"\n', encoding="utf-8")
    page = tmp_path / "docs" / "lectures" / "demo.md"
    page.parent.mkdir(parents=True)
    text = "# Demo\n\nThe prose.\n\n!!! note\n\n    ```python\n    def f(x):\n        return x\n    ```\n"
    page.write_text(text, encoding="utf-8")
    key = figure_markup._key("demo/plot")
    page.write_text(text.replace("The prose.", "The prose, edited."), encoding="utf-8")
    assert figure_markup._key("demo/plot") == key
    page.write_text(text.replace("return x", "return 2 * x"), encoding="utf-8")
    assert figure_markup._key("demo/plot") != key


def test_serve_renders_every_page_again_when_the_configuration_changes(tmp_path: Path):
    config_file, site_dir = site(tmp_path, strict=True, catalogue=False)
    edits = {str(config_file): config_file.read_text(encoding="utf-8") + "site_description: An edited description.\n"}
    run = subprocess.run([sys.executable, "-c", TWO_BUILDS, str(config_file), str(site_dir), json.dumps(edits)],
                         cwd=tmp_path, capture_output=True, text=True, env=environment())
    assert run.returncode == 0, run.stderr[-3000:]
    for page in ["index.html", "lectures/other/index.html", "labs/two/index.html"]:
        assert "An edited description." in (site_dir / page).read_text(encoding="utf-8"), page


def test_compiled_templates_are_kept_and_a_changed_template_is_compiled_again():
    """`make serve` keeps the theme's compiled templates from one build to the next
    (hooks/serve.py, CompiledTemplates); a template whose source changed is compiled again."""
    from jinja2 import DictLoader, Environment

    sys.path.insert(0, str(ROOT / "hooks"))
    import serve

    kept = serve.CompiledTemplates()
    sources = {"page.html": "first {{ x }}"}
    compiled = []

    class Counting(Environment):
        def compile(self, *args, **kwargs):
            compiled.append(args[1] if len(args) > 1 else kwargs.get("name"))
            return super().compile(*args, **kwargs)

    for _ in range(2):  # two builds, each with its own environment, as MkDocs makes them
        assert Counting(loader=DictLoader(sources), bytecode_cache=kept).get_template("page.html").render(x=1) == "first 1"
    assert compiled == ["page.html"], compiled  # compiled by the first build only
    sources["page.html"] = "second {{ x }}"
    assert Counting(loader=DictLoader(sources), bytecode_cache=kept).get_template("page.html").render(x=1) == "second 1"
    assert compiled == ["page.html", "page.html"], compiled


def test_the_served_site_is_looked_at_every_poll_seconds_with_the_same_paths_watched(tmp_path: Path):
    """hooks/serve.py's on_serve makes MkDocs' server again with a shorter polling interval: the
    same builder, folder and watched paths; the first server's socket closed."""
    from mkdocs.livereload import LiveReloadServer

    from hook_module import hook_module

    serve = hook_module("serve")

    def builder():
        pass

    made = LiveReloadServer(builder=builder, host="127.0.0.1", port=0, root=str(tmp_path))
    made.watch(str(tmp_path))
    made.watch(__file__)  # a file: watchdog watches its folder
    quicker = serve.on_serve(made, config=None, builder=builder)
    try:
        assert made.observer.timeout == 0.5 and quicker.observer.timeout == serve.POLL_SECONDS < 0.5
        assert quicker.builder is builder and quicker.root == made.root
        assert ({emitter.watch.raw_path for emitter in quicker.observer.emitters}
                == {emitter.watch.raw_path for emitter in made.observer.emitters} == {str(tmp_path), __file__})
        assert made.socket.fileno() == -1  # closed
    finally:
        quicker.server_close()


def test_mkdocs_serve_looks_for_changes_often_and_still_watches_what_mkdocs_watches(tmp_path: Path):
    """`mkdocs serve` takes the server that hooks/serve.py's on_serve returns, which looks for
    changed files every POLL_SECONDS: a page, mkdocs.yml and a watched snippet edited while it
    runs are all served as they are now."""
    from static_server import free_port

    config_file, _ = site(tmp_path, strict=True)
    # Its own snippets are watched (the course's config watches the course's); MkDocs adds the
    # paths under `watch:` after on_serve, to the server it returned.
    config_file.write_text(config_file.read_text(encoding="utf-8") + "watch:\n  - snippets\n", encoding="utf-8")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dirty", "--livereload", "-f", str(config_file),
                               "--dev-addr", f"127.0.0.1:{port}"], cwd=tmp_path, env=environment(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)

    def page(url: str) -> str:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/{url}", timeout=5) as response:
                return response.read().decode("utf-8")
        except OSError:
            return ""

    def served(url: str, text: str) -> bool:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            if text in page(url):
                return True
            time.sleep(0.05)
        return False

    try:
        assert served("lectures/other/", "about eigenvalues")
        other = tmp_path / "docs" / "lectures" / "other.md"
        other.write_text(other.read_text(encoding="utf-8") + "\nA sentence added while serving.\n", encoding="utf-8")
        assert served("lectures/other/", "A sentence added while serving.")
        config_file.write_text(config_file.read_text(encoding="utf-8") + "site_description: Served now.\n",
                               encoding="utf-8")
        assert served("lectures/other/", "Served now.")
        (tmp_path / "snippets" / "shown.py").write_text('print("third version")\n', encoding="utf-8")
        assert served("lectures/shown/", "third version")
    finally:
        os.killpg(server.pid, 15)
        log = server.communicate(timeout=30)[0]
    watching = next(line for line in log.splitlines() if "Watching paths for changes" in line)
    assert all(f"'{path}'" in watching for path in ["docs", "mkdocs.yml", "snippets"]), watching
