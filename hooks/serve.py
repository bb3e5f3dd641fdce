"""`make serve` runs `mkdocs serve --dirty`: an edit renders again only the pages it changes.

An edit of a lecture's prose is in the served page 0.5-0.75 s after it is saved (0.4-0.5 s of
CPU a rebuild), as MkDocs looks for changes every 0.1 s here (POLL_SECONDS), not every 0.5 s.
Before that change, with MkDocs' half second: 0.4-1.07 s; without what hooks/search_index.py
keeps (the formulas it made readable) and the theme's compiled templates kept below, 0.9-1.2 s
and 0.4-0.6 s of CPU; with the whole site built on each edit, 5.6-6.9 s and 5.5-6.6 s of CPU.
(Measured on 2 cores, a sentence of the Jacobian determinant lecture and of the derivatives
lecture, bench/author_loop.py.)

MkDocs' dirty build renders a page again only when its own file is newer than
the page it wrote. A page shows more than its file, so this hook also marks a
page's output stale (older than anything) when what it shows changed after it:
- the snippets it includes (`--8<-- "snippets/..."`);
- the figures it shows: their scripts and what those read (hooks/figure_markup.py);
- for a lab, the snippets it names (hooks/labs.py);
- for every page, mkdocs.yml, the course's macros and the theme's overrides.

MkDocs warns that a dirty build is being performed, and `strict: true` turns any
warning into a failed build: under `mkdocs serve --dirty` that one warning is
dropped, every other one still fails the build.

The pages it does not render keep the HTML they had, so the search index keeps
their entries (the search plugin's own merge keeps the entries of one rendered
page only) and the labs' cached runs stay cached (hooks/labs.py); no print page
is written (hooks/print_page.py). A link to an anchor of a page is checked only
when the page with the link is rendered: `make build` and `make test` check them all.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from jinja2 import BytecodeCache
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files

import figure_markup
import labs

ROOT = Path(__file__).resolve().parent.parent
MACROS = ROOT / "hooks" / "katex_macros.yml"
DIRTY_WARNING = "A 'dirty' build is being performed"

_dirty = False


class DirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (_dirty and record.getMessage().startswith(DIRTY_WARNING))


def on_startup(*, command, dirty) -> None:
    global _dirty
    _dirty = dirty
    if command == "serve":
        logging.getLogger("mkdocs.commands.build").addFilter(DirtyWarning())


# How often `make serve` looks for changed files. MkDocs polls (which works in a container and
# on a network drive too) every 0.5 s: a prose edit was served 0.90-1.07 s after it was saved
# (the serve part of bench/author_loop.py, 2 cores), up to half a second of it waiting for the
# next look. Every 0.1 s: 0.50-0.73 s. The looks cost an idle server 3.6% of a core (0.9%).
POLL_SECONDS = 0.1


def on_serve(server: LiveReloadServer, config, builder) -> LiveReloadServer:
    """The server MkDocs made, again, looking for changes every POLL_SECONDS. (MkDocs takes the
    server this event returns; its constructor takes the interval, its command line does not.)"""
    host, port = server.server_address[:2]
    quicker = LiveReloadServer(builder=builder, host=host, port=port, root=server.root,
                               mount_path=server.mount_path, polling_interval=POLL_SECONDS)
    quicker.error_handler = server.error_handler
    for emitter in server.observer.emitters:  # what MkDocs watches so far: docs/, mkdocs.yml
        quicker.watch(emitter.watch.raw_path)
    server.server_close()  # its socket, made but never bound
    return quicker


def _mtime(path: Path) -> float:
    """When a file last changed; for a folder, the newest file in it; 0 if there is none."""
    if path.is_dir():
        return max((_mtime(child) for child in path.iterdir()), default=0.0)
    return path.stat().st_mtime if path.exists() else 0.0


def site_changed(config) -> float:
    """When mkdocs.yml, the course's macros or the theme's overrides last changed: every page shows them."""
    return max(_mtime(Path(path)) for path in (config.config_file_path, MACROS, config.theme.custom_dir) if path)


def shown_files(file, config) -> list[Path]:
    """The files besides its own that the page of `file` (a page of docs/) shows."""
    text = Path(file.abs_src_path).read_text(encoding="utf-8-sig")
    if labs.is_lab(file.src_uri):
        return [ROOT / name for name in labs.SNIPPET_PATH.findall(text)]
    # Where pymdownx.snippets looks for an include (relative to the working directory, as for the site).
    bases = config.mdx_configs.get("pymdownx.snippets", {}).get("base_path", ["."])
    bases = [bases] if isinstance(bases, str) else bases
    shown = [Path(base) / include for include in figure_markup.INCLUDE.findall(text) for base in bases]
    for match in figure_markup.REFERENCE.finditer(text):
        if (figure_markup.figures_dir() / f"{match['name']}.py").exists():  # else the build names the line
            shown += figure_markup._sources(match["name"])
    return shown


# The text of each page a hook writes (the identity catalogue), as the last build had it.
_generated: dict[str, str] = {}


def on_files(files: Files, config) -> Files:
    if not _dirty:
        return files
    site_wide = site_changed(config)
    for file in files.documentation_pages():
        if file.generated_by or not os.path.isfile(file.abs_dest_path):
            continue  # a page never written, MkDocs renders; a page a hook writes, see on_nav
        written = os.path.getmtime(file.abs_dest_path)
        if site_wide > written or any(_mtime(path) > written for path in shown_files(file, config)):
            os.utime(file.abs_dest_path, (0, 0))  # MkDocs renders a page whose output is older than its file
    return files


def on_nav(nav, config, files: Files):
    """MkDocs renders a page a hook writes on every build: the catalogue's, 0.33 s of CPU a rebuild
    (measured on 2 cores). A dirty build renders it when its text changed, or the site's settings.
    (After every hook's on_files: the catalogue's page is added by one.)"""
    if not _dirty:
        return nav
    site_wide = site_changed(config)
    for file in files.documentation_pages():
        if file.generated_by:
            text, _generated[file.src_uri] = _generated.get(file.src_uri), file.content_string
            if (text == file.content_string and os.path.isfile(file.abs_dest_path)
                    and site_wide <= os.path.getmtime(file.abs_dest_path)):
                file.is_modified = lambda: False
    return nav


class CompiledTemplates(BytecodeCache):
    """The theme's templates as Jinja compiled them, kept while `make serve` runs: MkDocs makes a
    new template environment for every build, which compiled the 46 templates again on each edit.
    Jinja checks each against its template's source, so an edited template is compiled again."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_templates = CompiledTemplates()


def on_env(env, config, files):
    if _dirty:
        env.bytecode_cache = _templates
    return env


# The pages this build renders, by URL.
_rendered: set[str] = set()


def on_pre_build(config) -> None:
    _rendered.clear()


def on_page_context(context, page, config, nav):
    _rendered.add(page.url)
    return context


@event_priority(50)  # before the search plugin writes the index
def on_post_build(config) -> None:
    """The search index of a dirty build: the entries of the pages rendered now, and the earlier
    entries of the others. (The search plugin keeps all earlier entries but those of the first page
    rendered: a second page's would be there twice, and the home page's URL, "", matched them all.)"""
    search = config.plugins.get("material/search")
    if not _dirty or search is None or search.search_index_prev is None:
        return
    kept = [entry for entry in search.search_index_prev.entries
            if entry["location"].split("#")[0] not in _rendered]
    search.search_index.entries = kept + search.search_index.entries
    search.search_index_prev = None  # merged here
