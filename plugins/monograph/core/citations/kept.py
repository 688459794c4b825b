"""Citations as one build read them, kept in the cache folder for the next build.

Reading a citation's text (parsing it, its prefix and locator as HTML) is what the Markdown
extension adds most to converting a page, and a warm build meets the same texts again. The
extension keeps, per kind of citation, what each text read as (``CitationExtension.finished``);
this file keeps that from one build to the next. Only what a build used is written back, and only
when it differs from what was read.

The file is a pickle: loading it is several times cheaper than reading the citations again. It is
written by this code into the project's own cache folder, which is as trusted as the code, and it
holds the key of what read the citations (the engine's digest, Python-Markdown's version): a file
of another key is ignored, never loaded into groups of another shape.
"""

from __future__ import annotations

import gc
import pickle
from collections.abc import Mapping
from pathlib import Path

from ..cachefile import write_atomically
from ..model import CitationGroup

#: What each matched text read as, per kind of citation (None: no citation after all).
Finished = dict[str, dict[str, CitationGroup | None]]

_FORMAT = 1


class KeptCitations:
    """The citations read by the last build, in one file (none without a path).

    Arguments:
        path: The pickle in the cache folder, or None (nothing is read or written).
        key: What read the citations (the engine's digest, the Markdown library's version): a
            file of another key is not read.
    """

    def __init__(self, path: Path | None, key: str) -> None:
        self.path = path
        self.key = key
        self._read: dict[str, frozenset[str]] = {}

    def read(self) -> Finished:
        """What the last build kept (empty if there is no file, or it is unreadable or foreign)."""
        if self.path is None or not self.path.is_file():
            return {}
        gc.disable()  # thousands of small long-lived objects: collection passes only cost time
        try:
            data = pickle.loads(self.path.read_bytes())
        except Exception:  # any unreadable file is read again from the pages
            return {}
        finally:
            gc.enable()
        if not isinstance(data, dict) or data.get("key") != (_FORMAT, self.key):
            return {}
        finished = data.get("finished")
        if not isinstance(finished, dict) or not all(
            isinstance(kind, dict) for kind in finished.values()
        ):
            return {}
        self._read = {name: frozenset(kind) for name, kind in finished.items()}
        return finished

    def save(self, used: Mapping[str, Mapping[str, CitationGroup | None]]) -> None:
        """Write what this build used, unless it is what was read (errors ignored)."""
        if self.path is None:
            return
        kinds = {name: frozenset(kind) for name, kind in used.items() if kind}
        if kinds == self._read:
            return
        data = {
            "key": (_FORMAT, self.key),
            "finished": {name: dict(kind) for name, kind in used.items() if kind},
        }
        try:
            write_atomically(self.path, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            return  # a cache only: the next build reads its citations again
        self._read = kinds
