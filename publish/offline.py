"""`make offline`: the offline edition, built with mkdocs-offline.yml and packed as one zip.

Unpacked anywhere, `matrix-calculus-notes/index.html` opens the course from
file:// with no network: navigation, rendered math, search, code copy and the
lecture notebooks all work.

    .venv/bin/python publish/offline.py [--output dist/matrix-calculus-notes-offline.zip]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "mkdocs-offline.yml"
FOLDER = "matrix-calculus-notes"
DEFAULT_OUTPUT = ROOT / "dist" / f"{FOLDER}-offline.zip"
README = """Matrix Calculus for Machine Learning: the offline edition.

Open index.html in this folder with a web browser. Everything the pages need
is in this folder; no network connection is used. Each lecture page links to
its notebook (.ipynb), which opens in Jupyter.
"""
# Zip entries get one fixed time, so the same site gives the same zip.
TIMESTAMP = (2020, 1, 1, 0, 0, 0)


def build(site_dir: Path) -> None:
    """`mkdocs build --strict` of the offline edition into site_dir."""
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(CONFIG), "-d", str(site_dir)],
        cwd=ROOT,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"the offline edition did not build:\n{result.stdout}\n{result.stderr}")


def pack(site_dir: Path, output: Path) -> None:
    """Zip site_dir as FOLDER/..., with a README beside index.html."""
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_suffix(".partial")
    # zlib's default level: level 9 took 2.5 times the CPU (1.4 s against 0.55 s) for a zip 2% smaller.
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr(zipfile.ZipInfo(f"{FOLDER}/README.txt", TIMESTAMP), README)
        for path in sorted(p for p in site_dir.rglob("*") if p.is_file()):
            if path.suffix == ".map":  # source maps of the theme's bundles: no use to a reader
                continue
            entry = zipfile.ZipInfo(f"{FOLDER}/{path.relative_to(site_dir).as_posix()}", TIMESTAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, path.read_bytes())
    partial.replace(output)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temporary:
        site_dir = Path(temporary) / FOLDER
        build(site_dir)
        pack(site_dir, args.output.resolve())
    size = args.output.stat().st_size
    print(f"{args.output}: {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
