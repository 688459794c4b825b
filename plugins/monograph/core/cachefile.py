"""Cache files: what their keys are made of, and writing them so no reader sees half of one.

Every cache of the engine (bibliography snapshots, formatted references, filled pages, pages
found clean, CSL records, the PDF) is keyed by the code that made it (:func:`code_digest`) and
the versions of the libraries that shape it (:func:`versions`), so a changed engine or library
never reuses a stale file. Caches are written by builds that may run side by side on one project
(two editions, parallel tests): each writer puts its bytes in a temporary file of its own in the
same folder, then renames it over the cache file, which the operating system does in one step.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

#: The engine's package folder (``monograph/``); code digests name files relative to it.
PACKAGE = Path(__file__).resolve().parents[1]


def code_digest(files: Iterable[Path], *, extra: Iterable[str] = ()) -> str:
    """A hash of source files (each by its path in the package and its bytes) and of ``extra``.

    Files are read by path, not imported: a module that loads heavy libraries (citeproc) is
    hashed without loading them.
    """
    digest = hashlib.sha256()
    for text in extra:
        digest.update(text.encode() + b"\0")
    for source in files:
        digest.update(_named_bytes(source))
    return digest.hexdigest()[:20]


@functools.cache
def _named_bytes(source: Path) -> bytes:
    """A file's name in the package, a NUL, and its bytes: read once per process.

    The engine's caches hash overlapping sets of its files (most of them several times) when
    their modules load; a file is read and its path resolved once. The code does not change
    while a process runs (a changed engine is a new process, as under ``mkdocs serve``).
    A path spelled under :data:`PACKAGE` (as :func:`package_files` and ``PACKAGE / ...`` give
    them) is named without resolving it: ``Path.resolve`` asks the system about every folder
    of every path, a third of what the digests cost a build.
    """
    text = str(source)
    if text.startswith(_PACKAGE_PREFIX) and ".." not in source.parts:
        return text[len(_PACKAGE_PREFIX) :].encode() + b"\0" + source.read_bytes()
    path = source.resolve()
    name = path.relative_to(PACKAGE) if path.is_relative_to(PACKAGE) else path
    return name.as_posix().encode() + b"\0" + path.read_bytes()


_PACKAGE_PREFIX = f"{PACKAGE}{os.sep}"


def package_files(folder: str, *suffixes: str) -> list[Path]:
    """The engine's files under ``folder`` (``""``: the whole package) ending with a suffix.

    The files of each suffix in turn, each lot sorted by path as ``sorted(Path.rglob(...))``
    sorts them (part by part), so a code digest of them is what it was. ``os.walk``, not
    ``rglob``: the package's files are listed when its modules load, on every build, and the
    walk takes a fifth of the time.
    """
    root = PACKAGE / folder if folder else PACKAGE
    found: list[tuple[tuple[str, ...], Path]] = []
    for directory, _subfolders, names in os.walk(root):
        base = Path(directory)
        found += [(base.joinpath(name).parts, base / name) for name in names]
    ordered = sorted(found, key=lambda item: item[0])
    return [path for suffix in suffixes for parts, path in ordered if parts[-1].endswith(suffix)]


def parts_digest(parts: Iterable[str]) -> str:
    """One SHA-256 of many strings, each after its length, so no two lists hash alike by joining.

    The key of every cache entry made of several texts (a filled page's fingerprint, kept
    evidence); hashed as it goes, without joining the texts first.
    """
    digest = hashlib.sha256()
    for part in parts:
        digest.update(f"{len(part)}:".encode())
        digest.update(part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def versions(*names: str) -> list[str]:
    """``name-version`` of installed distributions (``name-none`` when absent), not imported."""
    from importlib import metadata  # only when a key is made

    found = []
    for name in names:
        try:
            found.append(f"{name}-{_version(metadata.distribution(name))}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}-none")
    return found


def _version(dist: Any) -> str:
    """What ``Distribution.version`` returns, read from the ``Version:`` line of the metadata.

    ``Distribution.version`` parses the whole metadata file with the ``email`` package (a long
    description and all) for one header: 0.4 ms a library, and every build reads the versions
    of half a dozen. The headers come first, one a line, up to the first empty line; a file
    without that line is left to ``Distribution.version``.
    """
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    for line in text.splitlines():
        if not line.strip():
            break
        if line.startswith("Version:"):
            return line[len("Version:") :].strip()
    return str(dist.version)


def write_atomically(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` in one step (text as UTF-8, lone surrogates kept).

    Raises:
        OSError: The folder cannot be made or written (callers that only cache ignore it).
    """
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
