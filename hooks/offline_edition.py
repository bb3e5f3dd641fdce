"""The offline edition (mkdocs-offline.yml, `make offline`): a site read from file://.

Material's `offline` plugin does most of it (page URLs ending in .html, the
search index as a script). This hook does the rest, and only when that plugin
is on, so the hosted site is untouched:
- the plugin loads an iframe-worker shim (search from file://) from a public
  CDN; the site ships its own copy, installed from npm (package-lock.json);
- nothing may point at another host: a link out of the site becomes its text,
  in the pages, in print.html and in the notebooks;
- a browser does not download a file:// link (it shows a notebook as text), so
  each download link (a notebook) carries its file in a data: URL;
- a font preload (hooks/render_math.py) is a CORS request, which a page read
  from file:// (origin "null") may not make: Chromium refuses it with an error
  in the console. The stylesheets' own @font-face rules load those fonts from
  file:// all the same, so the preloads go;
- the sitemap and the 404 page serve a web server, and name the host: they go.
"""

from __future__ import annotations

import base64
import json
import posixpath
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
SHIM = ROOT / "node_modules" / "iframe-worker" / "shim" / "index.js"
# The offline plugin recognises a polyfill as the shim by this name in its path.
SHIM_URI = "assets/javascripts/iframe-worker-shim.js"
EXTERNAL_LINK = re.compile(
    r"<a\b(?=[^>]*\bhref=\"(?:[a-z][a-z0-9+.-]*:)?//)[^>]*>(?P<inner>.*?)</a>", re.DOTALL | re.IGNORECASE
)
MARKDOWN_EXTERNAL_LINK = re.compile(r"!?\[(?P<text>[^\]]*)\]\(\s*<?(?:[a-z][a-z0-9+.-]*:)?//[^)]*\)", re.IGNORECASE)
DOWNLOAD_LINK = re.compile(r'(<a\b[^>]*?\bhref=")(?P<href>[^"#?:]+)("[^>]*\bdownload=)')
MEDIA_TYPES = {".ipynb": "application/x-ipynb+json"}
SERVER_FILES = ("sitemap.xml", "sitemap.xml.gz", "404.html")
FONT_PRELOAD = re.compile(r'<link rel="preload" href="[^"]+" as="font"[^>]*>')


def is_offline(config) -> bool:
    plugin = config.plugins.get("material/offline")
    return bool(plugin and plugin.config.enabled)


# After the offline plugin's own on_config, which adds the CDN address.
@event_priority(-100)
def on_config(config):
    if not is_offline(config):
        return config
    if not SHIM.is_file():
        raise PluginError(
            f"the offline edition needs the iframe-worker shim ({SHIM.relative_to(ROOT)} is missing): "
            "run `make offline`, which installs it from package-lock.json"
        )
    polyfills = [url for url in config.extra.get("polyfills", []) if "iframe-worker" not in str(url)]
    config.extra["polyfills"] = [*polyfills, SHIM_URI]
    return config


_files: Files | None = None


def notebook_without_external_links(text: str) -> str:
    notebook = json.loads(text)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = without_external_links(MARKDOWN_EXTERNAL_LINK.sub(lambda m: m["text"], source))
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


# After the hooks that make notebooks (labs, lectures) in their on_files.
@event_priority(-50)
def on_files(files: Files, config) -> Files:
    global _files
    if is_offline(config):
        files.append(File.generated(config, SHIM_URI, abs_src_path=str(SHIM)))
        for file in files:
            if file.src_uri.endswith(".ipynb"):
                file.content_string = notebook_without_external_links(file.content_string)
    _files = files
    return files


def embed_download(match: re.Match, page) -> str:
    url = posixpath.normpath(posixpath.join(posixpath.dirname(page.file.url), match["href"]))
    target = next((f for f in _files if f.url == url), None) if _files else None
    if target is None:
        raise PluginError(f"{page.file.src_uri}: the download link {match['href']!r} names no file of the site")
    media_type = MEDIA_TYPES.get(Path(url).suffix, "application/octet-stream")
    data = base64.b64encode(target.content_bytes).decode("ascii")
    return f"{match.group(1)}data:{media_type};base64,{data}{match.group(3)}"


def on_post_page(output: str, page, config) -> str:
    if not is_offline(config):
        return output
    output = FONT_PRELOAD.sub("", output)
    return DOWNLOAD_LINK.sub(lambda match: embed_download(match, page), output)


def without_external_links(html: str) -> str:
    return EXTERNAL_LINK.sub(lambda match: f'<span class="offline-link">{match["inner"]}</span>', html)


# After the other hooks' on_post_build, which may write documents of their own (print.html).
@event_priority(-50)
def on_post_build(config) -> None:
    if not is_offline(config):
        return
    site = Path(config.site_dir)
    for name in SERVER_FILES:
        (site / name).unlink(missing_ok=True)
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        changed = without_external_links(text)
        if changed != text:
            path.write_text(changed, encoding="utf-8")
