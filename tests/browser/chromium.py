"""Where Chromium is on this machine and how it runs here (tests and `make audit` share this)."""

from __future__ import annotations

import os
import shutil

# What a headless Chromium needs here (no sandbox in containers, no GPU, no
# background traffic); every host but 127.0.0.1 fails to resolve, so a page
# that asks another host gets an error at once instead of reaching the network.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]

HOW_TO_INSTALL = (
    "Chromium is not installed. Install it with `sudo apt-get install chromium` "
    "(Debian/Ubuntu; `.ci/run` does this in CI) or point CHROME_PATH at a Chromium "
    "or Chrome binary. Playwright drives that browser; `playwright install` is never needed."
)


def executable() -> str | None:
    """The browser to drive: $CHROME_PATH, else chromium on the PATH."""
    candidates = [os.environ.get("CHROME_PATH"), shutil.which("chromium"), shutil.which("chromium-browser")]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
