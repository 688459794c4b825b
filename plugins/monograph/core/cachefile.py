"""Writing a cache file so that no reader ever sees half of it.

Caches (formatted references, bibliography snapshots, filled pages, pages found clean) are
written by builds that may run side by side on one project (two editions, parallel tests): each
writer puts its bytes in a temporary file of its own in the same folder, then renames it over
the cache file, which the operating system does in one step.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


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
