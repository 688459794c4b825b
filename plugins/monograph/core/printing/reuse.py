"""PDFs rendered by earlier builds, reused when the document and every file it read are the same.

Rendering the print edition is the slowest step of a build (WeasyPrint lays out every page), and
its output is a function of its input: the print document (one HTML string), the stylesheet, the
files the renderer fetched while laying it out (images, fonts named by the stylesheet) and the
renderer's version; the PDF's identifier is derived from the document, so the same input gives
the same bytes. Each rendered PDF is kept under a hash of the document, the stylesheet and the
versions, with a list of the files it fetched and their hashes; a later build reuses it only
when all of them match. The website, the offline edition and the test builds of one project then
render the PDF once between two changes.

Not seen: the system's fonts (fontconfig) - after installing or removing a font, delete the
cache folder. A render that gave warnings is never kept, so its warnings are given every build.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..cachefile import write_atomically


def _file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # removed meanwhile by another build
        return 0.0


class RenderedPdfs:
    """Kept PDFs in a cache folder: ``<key>.pdf`` and ``<key>.json`` (the files it read).

    Arguments:
        folder: The cache folder, or None to keep nothing (every build renders).
        version: The renderer's and the engine's versions.
    """

    #: PDFs kept at most (each edition's current one, and a few older).
    LIMIT = 4

    def __init__(self, folder: Path | None, version: str) -> None:
        self.folder = folder
        self.version = version

    def key(self, document: str, stylesheet: str) -> str:
        """The name of the PDF of ``document`` with ``stylesheet``."""
        digest = hashlib.sha256()
        for part in (self.version, stylesheet, document):
            digest.update(f"{len(part)}:".encode())
            digest.update(part.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()[:32]

    def get(self, key: str, base_dir: Path) -> bytes | None:
        """The PDF kept under ``key``, if every file it read is unchanged (None otherwise)."""
        if self.folder is None:
            return None
        try:
            manifest = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            files = dict(manifest["files"])
            pdf = (self.folder / f"{key}.pdf").read_bytes()
        except (OSError, ValueError, KeyError, TypeError):
            return None
        for name, digest in files.items():
            if not isinstance(name, str) or _file_hash(base_dir / name) != digest:
                return None
        return pdf

    def put(self, key: str, pdf: bytes, base_dir: Path, fetched: Iterable[str]) -> None:
        """Keep ``pdf`` with the hashes of the files (``file:`` URLs) it read."""
        if self.folder is None:
            return
        files: dict[str, str] = {}
        for url in fetched:
            parts = urlsplit(url)
            if parts.scheme != "file":
                continue  # data: URLs are part of the document itself
            path = Path(unquote(parts.path))
            digest = _file_hash(path)
            if digest is None:
                return  # a file that cannot be read now cannot be checked later: keep nothing
            with contextlib.suppress(ValueError):
                path = path.relative_to(base_dir)  # the same site built elsewhere matches too
            files[path.as_posix()] = digest
        try:
            write_atomically(self.folder / f"{key}.pdf", pdf)
            write_atomically(self.folder / f"{key}.json", json.dumps({"files": files}))
        except OSError:
            return  # a read-only checkout still builds; it renders again next time
        self._prune()

    def _prune(self) -> None:
        """Keep the newest :attr:`LIMIT` PDFs."""
        assert self.folder is not None
        kept = sorted(self.folder.glob("*.pdf"), key=_modified, reverse=True)
        for old in kept[self.LIMIT :]:
            for path in (old, old.with_suffix(".json")):
                with contextlib.suppress(OSError):
                    path.unlink()
