"""Serve a built site on 127.0.0.1 the way a static host does: gzip, keep-alive, a 404 page.

The browser tests and `make audit` both read the site through this server, so
what they measure is what a reader of a static host gets (compressed text,
directory URLs, the site's own 404.html). Run alone to look at a build:

    .venv/bin/python tests/static_server.py /tmp/site [port]
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import mimetypes
import socket
import sys
import threading
from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".ipynb": "application/x-ipynb+json",
    ".svg": "image/svg+xml",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
# Text is compressed; fonts and images are compressed already.
COMPRESSED = {".html", ".css", ".js", ".mjs", ".json", ".ipynb", ".svg", ".xml", ".txt", ".map"}


class SiteHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as every real host does
    server: SiteServer

    def do_GET(self) -> None:
        self._respond(body=True)

    def do_HEAD(self) -> None:
        self._respond(body=False)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass

    def _respond(self, body: bool) -> None:
        root = self.server.root
        url_path = unquote(urlsplit(self.path).path)
        target = (root / url_path.lstrip("/")).resolve()
        if not target.is_relative_to(root):
            return self._send(HTTPStatus.NOT_FOUND, root / "404.html", body)
        if target.is_dir():
            if not url_path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", url_path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            target = target / "index.html"
        if not target.is_file():
            return self._send(HTTPStatus.NOT_FOUND, root / "404.html", body)
        return self._send(HTTPStatus.OK, target, body)

    def _send(self, status: HTTPStatus, path: Path, body: bool) -> None:
        if not path.is_file():  # a site without a 404 page
            path = Path("404.txt")
            data = b"Not found\n"
        else:
            data = path.read_bytes()
        kind = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        encoded = path.suffix in COMPRESSED and "gzip" in self.headers.get("Accept-Encoding", "")
        if encoded:
            data = self.server.compressed(data)
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        # What GitHub Pages sends: ten minutes.
        self.send_header("Cache-Control", "max-age=600")
        if path.suffix in COMPRESSED:
            self.send_header("Vary", "Accept-Encoding")
        if encoded:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        if body:
            self.wfile.write(data)


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path, port: int = 0) -> None:
        self.root = Path(root).resolve()
        self._gzip: dict[bytes, bytes] = {}
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", port), SiteHandler)

    def handle_error(self, request, client_address) -> None:
        # A browser that closes a tab mid-transfer is no error of the site.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def compressed(self, data: bytes) -> bytes:
        """gzip, as a host would serve it; computed once per distinct file content."""
        key = hashlib.sha1(data).digest()
        with self._lock:
            if key not in self._gzip:
                self._gzip[key] = gzip.compress(data, compresslevel=9, mtime=0)
            return self._gzip[key]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


def free_port() -> int:
    """A port nothing listens on now (for a build that must know its URL before serving)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serve(root: Path, port: int = 0) -> Iterator[str]:
    """Serve `root` in a background thread; yields the base URL, ending in '/'."""
    if not (Path(root) / "index.html").is_file():
        raise FileNotFoundError(f"{root} has no index.html: build the site first")
    server = SiteServer(root, port)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield server.url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


if __name__ == "__main__":
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("site")
    with serve(directory, int(sys.argv[2]) if len(sys.argv) > 2 else 0) as base:
        print(f"serving {directory} at {base} (Ctrl-C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
