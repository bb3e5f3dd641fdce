"""Debian's headless Chromium for the browser tests, driven by Playwright.

Playwright never downloads a browser here (`playwright install` is not run):
it drives /usr/bin/chromium. A `Watch` records what a page asked for that it
should not have: a request to another host (which the context refuses), a
file or page that failed to load, a script error.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


@dataclass
class Watch:
    refused: list[str] = field(default_factory=list)  # requests to another host
    failed: list[str] = field(default_factory=list)  # requests that found nothing
    errors: list[str] = field(default_factory=list)  # script errors and console errors

    def watch(self, page) -> None:
        page.on("requestfailed", lambda request: self._failed(request))
        page.on("response", lambda response: response.status >= 400 and self.failed.append(
            f"{response.status} {response.url}"))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))

    def _failed(self, request) -> None:
        if request.url not in self.refused:
            self.failed.append(f"{request.url}: {request.failure}")

    def problems(self) -> list[str]:
        return [f"asked another host for {url}" for url in self.refused] + self.failed + self.errors


@contextlib.contextmanager
def browser(allowed: tuple[str, ...] = LOCAL_SCHEMES, **options) -> Iterator[tuple[object, Watch]]:
    """A fresh headless Chromium profile; requests to URLs outside `allowed` are refused and recorded."""
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):
        raise RuntimeError(f"{CHROMIUM} is missing: `apt-get install chromium` (.ci/run does it)")
    watch = Watch()
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS, **options
        )

        def route(route_request) -> None:
            url = route_request.request.url
            if url.startswith(allowed):
                route_request.continue_()
            else:
                watch.refused.append(url)
                route_request.abort()

        context.route("**/*", route)
        context.on("page", watch.watch)
        try:
            yield context, watch
        finally:
            context.close()
