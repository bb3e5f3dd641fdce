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
    "Chromium is not installed. Install it with `sudo apt-get install chromium-headless-shell chromium` "
    "(Debian/Ubuntu; `.ci/run` does this in CI) or point CHROME_PATH at a Chromium "
    "or Chrome binary. Playwright drives that browser; `playwright install` is never needed."
)


def executable(shell: bool = True) -> str | None:
    """The browser to drive: $CHROME_PATH; else Debian's chromium-headless-shell, unless
    `shell` is False; else chromium.

    The headless shell is the same Chromium (same version, same Blink and V8)
    without the desktop browser around it, and what Playwright itself runs for
    headless pages by default: the browser tests take about half the CPU time
    in it. Lighthouse (`make audit`) measures in the full browser, as a reader's.
    """
    candidates = [os.environ.get("CHROME_PATH")]
    if shell:
        candidates.append(shutil.which("chromium-headless-shell"))
    candidates += [shutil.which("chromium"), shutil.which("chromium-browser")]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
