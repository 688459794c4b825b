"""Load ``refs.bib`` with pybtex, keeping each entry's line, and report what is wrong with it.

pybtex keeps no line numbers and stops at the first error in strict mode; the subclassed parser
below records the line where each entry starts and collects every error instead, so one run
reports all of them with a location.
"""

from __future__ import annotations

import difflib
import functools
import gc
import hashlib
import pickle
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pybtex
from pybtex.database import BibliographyData, Entry
from pybtex.database.input.bibtex import LowLevelParser, Parser
from pybtex.exceptions import PybtexError
from pybtex.scanner import PybtexSyntaxError

from ..model import CoreError, Problem


@dataclass
class Bibliography:
    """The parsed bibliography: entries by key (case-insensitive), with lines and raw text.

    Attributes:
        path: The file as shown in messages (``refs.bib``).
        data: pybtex's bibliography data.
        lines: Lower-cased key to the 1-based line where the entry starts.
        digests: Lower-cased key to a hash of the entry's BibTeX source (the cache key).
        problems: Syntax errors and duplicate keys found while parsing.
    """

    path: str
    data: BibliographyData
    lines: dict[str, int] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self.data.entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.data.entries.keys())

    def __len__(self) -> int:
        return len(self.data.entries)

    @functools.cached_property
    def lower_keys(self) -> frozenset[str]:
        """Every key in lower case, built once (pages check their evidence keys against it)."""
        return frozenset(self.lines)

    def entry(self, key: str) -> Entry:
        """Return the entry for ``key`` (case-insensitive, like BibTeX)."""
        return self.data.entries[key]

    def canonical_key(self, key: str) -> str:
        """Return the key as spelled in ``refs.bib`` (an unknown key is returned as written)."""
        return str(self.data.entries[key].key) if key in self else key

    def line_of(self, key: str) -> int | None:
        """Return the line of the entry in ``refs.bib``."""
        return self.lines.get(key.lower())

    def suggest(self, key: str) -> str | None:
        """Return the closest existing key, for a "did you mean" hint."""
        keys = [str(k) for k in self.data.entries]
        lowered = {k.lower(): k for k in keys}
        close = difflib.get_close_matches(key.lower(), list(lowered), n=1, cutoff=0.6)
        return lowered[close[0]] if close else None

    def year_of(self, key: str) -> int | None:
        """Return the entry's year as an integer, when it has one."""
        if key not in self:
            return None
        year = str(self.entry(key).fields.get("year", ""))
        digits = "".join(ch for ch in year if ch.isdigit())[:4]
        return int(digits) if len(digits) == 4 else None


class _LocatingParser(Parser):  # type: ignore[misc]
    """pybtex's BibTeX parser that records entry lines and collects errors instead of raising."""

    def __init__(self, display_path: str) -> None:
        super().__init__()
        self.display_path = display_path
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}
        self.digests: dict[str, str] = {}
        self._text = ""
        self._current_line = 1

    def handle_error(self, error: PybtexError) -> None:
        line = getattr(error, "lineno", None) or self._current_line
        message = re.sub(r" in line \d+", "", str(error).split("\n")[0])
        if isinstance(error, PybtexSyntaxError):
            hint = "check the braces, commas and quotes of this entry"
        else:
            hint = "fix or remove the offending field"
        self.problems.append(Problem("bib.syntax", f"{message}; {hint}", self.display_path, line))

    def parse_string(self, text: str) -> BibliographyData:
        self._text = text
        self.unnamed_entry_counter = 1
        scanner = LowLevelParser(
            text, handle_error=self.handle_error, macros=self.macros, filename=self.filename
        )
        self._current_line = 1
        counted = 0  # lines are counted incrementally: counting from 0 each time is quadratic
        for command in scanner:
            start = scanner.command_start or 0
            self._current_line += text.count("\n", counted, start)
            counted = start
            kind = command[0].lower()
            if kind == "preamble":
                self.process_preamble(*command[1])
            elif kind not in ("string", "comment"):
                self._add(command[0], command[1], text[start : scanner.pos])
        return self.data

    def _add(self, entry_type: str, body: tuple[str, Any], raw: str) -> None:
        key = body[0]
        if key is None:
            return
        previous = self.lines.get(key.lower())
        if previous is not None:
            self.problems.append(
                Problem(
                    "cite.duplicate_key",
                    f"duplicate entry key '{key}' (keys are case-insensitive; first defined at "
                    f"line {previous}); rename or remove one of them",
                    self.display_path,
                    self._current_line,
                )
            )
            return
        self.lines[key.lower()] = self._current_line
        self.digests[key.lower()] = hashlib.sha256(raw.encode("utf-8")).hexdigest()
        self.process_entry(entry_type, key, body[1])


_CACHE: dict[tuple[str, int, int], Bibliography] = {}
_SNAPSHOT_VERSION = "1"


def _snapshot_path(cache_dir: Path, shown: str, text: str) -> Path:
    seed = f"{_SNAPSHOT_VERSION}/{pybtex.__version__}/{shown}\n{text}"
    return cache_dir / f"bibliography-{hashlib.sha256(seed.encode()).hexdigest()[:24]}.pickle"


def _read_snapshot(snapshot: Path) -> Bibliography | None:
    """Load a parsed bibliography saved by an earlier build (None if absent or unreadable).

    The snapshot is pickled: it is written by this code into the project's own cache
    directory, which is as trusted as the code itself, and it is keyed by the hash of the
    .bib text, so a changed file never loads a stale snapshot.
    """
    if not snapshot.is_file():
        return None
    gc.disable()  # thousands of small long-lived objects: collection passes only cost time
    try:
        loaded = pickle.loads(snapshot.read_bytes())
    except Exception:  # any unreadable snapshot is simply rebuilt
        return None
    finally:
        gc.enable()
    return loaded if isinstance(loaded, Bibliography) else None


def _write_snapshot(snapshot: Path, bib: Bibliography) -> None:
    try:
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        for old in snapshot.parent.glob("bibliography-*.pickle"):
            old.unlink()
        tmp = snapshot.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(bib, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(snapshot)
    except OSError:
        return  # a read-only checkout still builds; it just parses again next time


def load_bibliography(
    path: Path, display_path: str | None = None, cache_dir: Path | None = None
) -> Bibliography:
    """Parse ``path`` once per content version; later calls with an unchanged file are free.

    ``mkdocs serve`` re-creates the plugin on every rebuild, so the cache lives at module level,
    keyed by the file's resolved path, modification time and size. With ``cache_dir``, the
    parsed result is also kept on disk between builds, keyed by the file's content.

    Raises:
        CoreError: The file cannot be read.
    """
    shown = display_path or path.name
    try:
        stat = path.stat()
        cache_key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        if cache_key in _CACHE:
            return _CACHE[cache_key]
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CoreError(f"cannot read bibliography '{shown}': {exc}") from exc
    snapshot = _snapshot_path(cache_dir, shown, text) if cache_dir else None
    bib = _read_snapshot(snapshot) if snapshot else None
    if bib is None:
        parser = _LocatingParser(shown)
        data = parser.parse_string(text)
        bib = Bibliography(shown, data, parser.lines, parser.digests, parser.problems)
        if snapshot:
            _write_snapshot(snapshot, bib)
    _CACHE.clear()  # one bibliography per project: keep only the newest version
    _CACHE[cache_key] = bib
    return bib
