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
    """What went wrong, page by page. A page kept open for several tests (`keep`)
    has a record of its own: a test in another tab of the same context neither
    takes nor clears it."""

    found: list[tuple[object, str]] = field(default_factory=list)  # (page or None, problem), in order
    kept: list = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("requestfailed", lambda request: self._failed(page, request))
        page.on("response", lambda response: response.status >= 400 and self.found.append(
            (page, f"{response.status} {response.url}")))
        page.on("pageerror", lambda error: self.found.append((page, str(error))))
        page.on("console", lambda message: message.type == "error" and self.found.append((page, message.text)))

    def keep(self, page) -> None:
        self.kept.append(page)

    def refuse(self, request) -> None:
        try:
            page = request.frame.page
        except Exception:  # noqa: BLE001 - a request of no page (a worker's)
            page = None
        self.found.append((page, f"asked another host for {request.url}"))

    def _failed(self, page, request) -> None:
        # A request cut short by the next navigation is no failure; a missing file is
        # (net::ERR_FILE_NOT_FOUND), and an HTTP error is recorded with its status.
        refused = f"asked another host for {request.url}"
        if "ERR_ABORTED" not in (request.failure or "") and all(text != refused for _, text in self.found):
            self.found.append((page, f"{request.url}: {request.failure}"))

    def _selected(self, kept_page) -> list[tuple[object, str]]:
        if kept_page is None:
            return [entry for entry in self.found if entry[0] not in self.kept]
        return [entry for entry in self.found if entry[0] is kept_page]

    def problems(self, kept_page=None) -> list[str]:
        """What went wrong in the pages not kept (and in no page), or in one kept page."""
        return [text for _, text in self._selected(kept_page)]

    def clear(self, kept_page=None) -> None:
        """Forget what `problems` with the same argument returns."""
        taken = self._selected(kept_page)
        self.found = [entry for entry in self.found if entry not in taken]


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
            watch.refuse(route_request.request)
            route_request.abort()

    context.route("**/*", route)
    context.on("page", watch.watch)
    try:
        yield context, watch
    finally:
        context.close()
