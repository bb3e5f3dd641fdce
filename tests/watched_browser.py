"""Chromium that refuses every request to another host and records what went wrong.

A context of the browser tests' Chromium (the `browser` fixture of
tests/browser/conftest.py) that lets through only the URLs it is told to (by
default local ones, for the offline edition read from file://); a `Watch`
collects the requests it refused, the files or pages that failed to load, and
script errors.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

LOCAL = ("file:", "data:", "blob:", "about:")


@dataclass
class Watch:
    refused: list[str] = field(default_factory=list)  # requests to another host
    failed: list[str] = field(default_factory=list)  # requests that found nothing
    errors: list[str] = field(default_factory=list)  # script errors and console errors

    def watch(self, page) -> None:
        page.on("requestfailed", self._failed)
        page.on("response", lambda response: response.status >= 400 and self.failed.append(
            f"{response.status} {response.url}"))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))

    def _failed(self, request) -> None:
        # A request cut short by the next navigation is no failure; a missing file is
        # (net::ERR_FILE_NOT_FOUND), and an HTTP error is recorded with its status.
        if request.url not in self.refused and "ERR_ABORTED" not in (request.failure or ""):
            self.failed.append(f"{request.url}: {request.failure}")

    def clear(self) -> None:
        for found in (self.refused, self.failed, self.errors):
            found.clear()

    def problems(self) -> list[str]:
        return [f"asked another host for {url}" for url in self.refused] + self.failed + self.errors


@contextlib.contextmanager
def watched_context(browser, allowed: tuple[str, ...] = LOCAL, **options) -> Iterator[tuple[object, Watch]]:
    """A new context of the session's browser in which requests outside `allowed` are refused and recorded."""
    watch = Watch()
    context = browser.new_context(**options)

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
