"""Fetch the iframe-worker shim that lets Material's search run from ``file://``.

Material's ``offline`` plugin points the page at ``https://unpkg.com/iframe-worker/shim`` unless
``extra.polyfills`` already lists a script whose path contains ``iframe-worker``; the offline
edition lists ``assets/vendor/iframe-worker/shim.js`` instead, and this script puts it there. The
tarball comes from the npm registry at a pinned version and must match a pinned SHA-256; it is
cached under ``.cache/vendor`` so later builds need no network. The shim is a build artefact
(ignored by git), not a vendored copy.

Usage: ``python scripts/fetch_iframe_worker.py [--dest docs/assets/vendor/iframe-worker]``
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

PACKAGE = "iframe-worker"
VERSION = "1.0.4"
TARBALL_URL = f"https://registry.npmjs.org/{PACKAGE}/-/{PACKAGE}-{VERSION}.tgz"
TARBALL_SHA256 = "e8c5d12d87829c503afba01d67772ea9f4aba5b7ae57a0c98e1917711030efbb"
#: Files taken from the tarball, and their names in the destination folder.
MEMBERS = {"package/shim/index.js": "shim.js", "package/LICENSE": "LICENSE"}

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEST = ROOT / "docs" / "assets" / "vendor" / PACKAGE
CACHE = ROOT / ".cache" / "vendor" / f"{PACKAGE}-{VERSION}.tgz"


class FetchError(Exception):
    """The tarball could not be fetched, or is not the one pinned."""


def tarball(cache: Path = CACHE, url: str = TARBALL_URL, timeout: float = 60) -> bytes:
    """Return the pinned tarball, from the cache or the registry, after checking its hash.

    Arguments:
        cache: Where a checked copy is kept.
        url: The registry URL of the tarball.
        timeout: Seconds to wait for the registry.

    Returns:
        The tarball's bytes.

    Raises:
        FetchError: When the download fails or the hash differs.
    """
    if cache.is_file():
        data = cache.read_bytes()
        if hashlib.sha256(data).hexdigest() == TARBALL_SHA256:
            return data
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = response.read()
    except OSError as exc:
        raise FetchError(f"cannot download {url}: {exc}") from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != TARBALL_SHA256:
        raise FetchError(f"{url} has SHA-256 {digest}, expected {TARBALL_SHA256}")
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(data)
    return data


def extract(data: bytes, dest: Path) -> list[Path]:
    """Write the shim and its licence from the tarball into ``dest``; return the paths written."""
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member, name in MEMBERS.items():
            handle = archive.extractfile(member)
            if handle is None:
                raise FetchError(f"{member} is missing from {PACKAGE}-{VERSION}.tgz")
            target = dest / name
            content = handle.read()
            if not target.is_file() or target.read_bytes() != content:
                target.write_bytes(content)
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """Fetch (or reuse) the pinned tarball and extract the shim; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST, help="destination folder")
    args = parser.parse_args(argv)
    try:
        paths = extract(tarball(), args.dest)
    except FetchError as exc:
        sys.stderr.write(f"fetch_iframe_worker: {exc}\n")
        return 1
    sys.stdout.write(f"{PACKAGE} {VERSION}: {', '.join(str(p) for p in paths)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
