"""Load ``refs.bib``: each entry's key, line and digest at once, its pybtex data when needed.

A build needs the whole parse only when something is formatted or checked for the first time.
Everything else (which keys exist and how they are spelled, where each entry starts, the hash of
what formatting reads, the year, the problems of the file) is a small index. So a parse is kept
in the cache folder as two files, both named by a hash of the .bib text and of the core's code:
the index (JSON, read by every build) and the pybtex data (a pickle, read only when an entry's
fields are asked for). A warm build reads the index and neither parses nor imports pybtex; the
parser (:mod:`.parsing`) runs only when the file changed.
"""

from __future__ import annotations

import difflib
import functools
import gc
import hashlib
import json
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pybtex  # the package alone (its version): the parser and database load on demand

from ..cachefile import code_digest, package_files, write_atomically
from ..model import CoreError, Problem
from ..source.encoding import decode_utf8

if TYPE_CHECKING:
    from pybtex.database import BibliographyData, Entry


@dataclass
class _Later:
    """A fresh parse left to later (see :meth:`Bibliography.arrive`).

    How to parse here, the checks and snapshot to do after the parse, the pybtex data on
    demand, and (once set) where another process's index comes from.
    """

    parse: Callable[[], Bibliography]
    finish: Callable[[], None]
    data: Callable[[], BibliographyData]
    receive: Callable[[], dict[str, Any] | None] | None = None


@dataclass
class Bibliography:
    """The parsed bibliography: entries by key (case-insensitive), with lines and raw text.

    Attributes:
        path: The file as shown in messages (``refs.bib``).
        spelled: Lower-cased key to the key as spelled in the file, in file order.
        lines: Lower-cased key to the 1-based line where the entry starts.
        digests: Lower-cased key to a hash of everything formatting reads from the entry: its
            type, fields and names after ``@string`` macros are expanded and ``crossref`` fields
            inherited (the cache key of its formatted reference).
        years: Lower-cased key to the entry's year, for entries that have one.
        problems: Syntax errors and duplicate keys found while parsing.
        paths: Lower-cased key to the file that holds the entry, when the bibliography is read
            from several files (``bib_dir``); otherwise every entry is in ``path``.
        checked: The problems of every check that needs only the file (``check_bibliography``),
            or None before they have been computed.
    """

    path: str
    spelled: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)
    years: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    paths: dict[str, str] = field(default_factory=dict)
    #: What ``check_bibliography`` found, once it has run (kept in the snapshot with the rest,
    #: so a warm build checks nothing again: the result depends only on the file's text).
    checked: tuple[Problem, ...] | None = None
    #: The pybtex data, or how to get it (read on first use).
    _data: BibliographyData | None = field(default=None, repr=False, compare=False)
    _load: Callable[[], BibliographyData] | None = field(default=None, repr=False, compare=False)
    #: What ``load_bibliography(..., defer=True)`` left to do after a fresh parse: ``prepare``
    #: (the checks) and writing the snapshot (see :meth:`finish_parse`).
    _pending: Callable[[], None] | None = field(default=None, repr=False, compare=False)
    #: A parse left to later (``load_bibliography(..., later=True)``): see :meth:`arrive`.
    _later: _Later | None = field(default=None, repr=False, compare=False)
    #: Names the file's content and everything its parse depends on (its snapshot's name), when
    #: it is kept in a cache folder; None otherwise (no folder, or several files merged).
    content_key: str | None = field(default=None, compare=False)

    @property
    def pending(self) -> bool:
        """A deferred load left work to do (:meth:`finish_parse`), or the parse itself."""
        return self._pending is not None or self._later is not None

    @property
    def arrived(self) -> bool:
        """The index is here (no parse is left to :meth:`arrive`)."""
        return self._later is None

    def parse_elsewhere(self, receive: Callable[[], dict[str, Any] | None]) -> None:
        """Let another process parse: :meth:`arrive` takes its index from ``receive``.

        ``receive`` returns the other process's :meth:`index_message`, or None if it sent
        none (it failed or died): the file is then parsed here.
        """
        assert self._later is not None, "only a parse left to later is done elsewhere"
        self._later.receive = receive

    def arrive(self) -> None:
        """Make a parse left to later (``load_bibliography(..., later=True)``) available.

        In the process that parses (a forked child, or this one when no other parses), the
        file is parsed now; else the other process's index is taken (waiting for it), and the
        pybtex data stays on demand (the snapshot that process writes, or a parse here). Either
        way the checks and the snapshot are left to :meth:`finish_parse`, as a deferred load's.
        Every reader of the keys calls this first; a bibliography not left to later has
        nothing to do.
        """
        later, self._later = self._later, None
        if later is None:
            return
        index = later.receive() if later.receive is not None else None
        if index is None:
            self._take(later.parse())
        else:
            self._take(_from_index(index))
            self._load = later.data
        self._pending = later.finish

    def _take(self, other: Bibliography) -> None:
        """Take ``other``'s index and data (this object stays the build's bibliography)."""
        self.spelled, self.lines, self.digests = other.spelled, other.lines, other.digests
        self.years, self.problems, self.paths = other.years, other.problems, other.paths
        self._data, self._load = other._data, other._load
        self.__dict__.pop("lower_keys", None)  # a cached_property: made again from the keys

    def index_message(self) -> dict[str, Any]:
        """The index, as :meth:`arrive` in another process takes it (keys, lines, digests...)."""
        return _index(self)

    def finish_parse(self) -> tuple[Problem, ...] | None:
        """Do what a deferred load left (the checks, the snapshot), once; return ``checked``.

        In a forked process (formatting ahead) too: the snapshot is then written there, and
        ``checked`` is what the build takes back (:meth:`took_checks`).
        """
        self.arrive()
        pending, self._pending = self._pending, None
        if pending is not None:
            pending()
        return self.checked

    def took_checks(self, checked: object) -> None:
        """Take the result of :meth:`finish_parse` run in another process (nothing left here)."""
        self._pending = None
        if self.checked is None and isinstance(checked, tuple):
            self.checked = checked

    @classmethod
    def from_data(
        cls,
        path: str,
        data: BibliographyData,
        lines: dict[str, int],
        digests: dict[str, str],
        problems: list[Problem],
    ) -> Bibliography:
        """The bibliography of freshly parsed pybtex data."""
        from .parsing import year_digits

        spelled: dict[str, str] = {}
        years: dict[str, int] = {}
        for key, entry in data.entries.items():
            lower = str(key).lower()
            spelled[lower] = str(entry.key)
            year = year_digits(entry)
            if year is not None:
                years[lower] = year
        return cls(path, spelled, lines, digests, years, problems, _data=data)

    @property
    def data(self) -> BibliographyData:
        """Pybtex's bibliography data (read from the snapshot, or parsed, on first use)."""
        if self._later is not None:
            self.arrive()
        if self._data is None:
            if self._load is None:
                raise CoreError(f"the entries of '{self.path}' are not available")
            self._data = self._load()
            self._load = None
        return self._data

    def __contains__(self, key: object) -> bool:
        if self._later is not None:
            self.arrive()
        return isinstance(key, str) and key.lower() in self.spelled

    def __iter__(self) -> Iterator[str]:
        if self._later is not None:
            self.arrive()
        return iter(self.spelled.values())

    def __len__(self) -> int:
        if self._later is not None:
            self.arrive()
        return len(self.spelled)

    @functools.cached_property
    def lower_keys(self) -> frozenset[str]:
        """Every key in lower case, built once (pages check their evidence keys against it)."""
        if self._later is not None:
            self.arrive()
        return frozenset(self.spelled)

    def entry(self, key: str) -> Entry:
        """Return the entry for ``key`` (case-insensitive, like BibTeX)."""
        return self.data.entries[key]

    def canonical_key(self, key: str) -> str:
        """Return the key as spelled in ``refs.bib`` (an unknown key is returned as written)."""
        if self._later is not None:
            self.arrive()
        return self.spelled.get(key.lower(), key)

    def line_of(self, key: str) -> int | None:
        """Return the line of the entry in ``refs.bib``."""
        if self._later is not None:
            self.arrive()
        return self.lines.get(key.lower())

    def path_of(self, key: str) -> str:
        """Return the file that holds the entry (as shown in messages)."""
        return self.paths.get(key.lower(), self.path)

    def suggest(self, key: str) -> str | None:
        """Return the closest existing key, for a "did you mean" hint."""
        if self._later is not None:
            self.arrive()
        close = difflib.get_close_matches(key.lower(), list(self.spelled), n=1, cutoff=0.6)
        return self.spelled[close[0]] if close else None

    def year_of(self, key: str) -> int | None:
        """Return the entry's year as an integer, when it has one."""
        if self._later is not None:
            self.arrive()
        return self.years.get(key.lower())


_CACHE: dict[tuple[str, int, int], Bibliography] = {}

#: A smaller file is parsed at once (``later`` is ignored): a second process costs more than its
#: parse (about 0.15 ms an entry of a few hundred characters) and the formatting of its entries.
LATER_MIN_CHARS = 20_000


#: The snapshot holds the parse and the checks' results: any change to the pure core (parser,
#: checks, identifier rules, LaTeX handling) makes a new one.
_PARSER_DIGEST = code_digest(package_files("core", ".py"))
_SNAPSHOT_VERSION = "5"


def _snapshot_path(cache_dir: Path, shown: str, text: str) -> Path:
    """Where the snapshot of one .bib file's parse goes (``.json`` index, ``.pickle`` data).

    ``bibliography-<file>-<content>``: one per .bib file (``bib_dir`` has several), named by
    the file and by everything its parse depends on.
    """
    seed = f"{_SNAPSHOT_VERSION}/{pybtex.__version__}/{_PARSER_DIGEST}/{shown}\n{text}"
    content = hashlib.sha256(seed.encode()).hexdigest()[:24]
    return cache_dir / f"bibliography-{_file_tag(shown)}-{content}"


def _file_tag(shown: str) -> str:
    return hashlib.sha256(shown.encode()).hexdigest()[:8]


def _index(bib: Bibliography) -> dict[str, Any]:
    return {
        "path": bib.path,
        "spelled": bib.spelled,
        "lines": bib.lines,
        "digests": bib.digests,
        "years": bib.years,
        "problems": [p.to_row() for p in bib.problems],
        "checked": None if bib.checked is None else [p.to_row() for p in bib.checked],
    }


def _from_index(index: dict[str, Any]) -> Bibliography:
    checked = index["checked"]
    return Bibliography(
        index["path"],
        dict(index["spelled"]),
        dict(index["lines"]),
        dict(index["digests"]),
        dict(index["years"]),
        [Problem.from_row(row) for row in index["problems"]],
        checked=None if checked is None else tuple(Problem.from_row(row) for row in checked),
    )


def _read_snapshot(snapshot: Path, debug: Callable[[str], None]) -> Bibliography | None:
    """The index saved by an earlier build (None if absent or unreadable); data on demand."""
    index_file = snapshot.with_suffix(".json")
    data_file = snapshot.with_suffix(".pickle")
    if not index_file.is_file() or not data_file.is_file():
        return None
    try:
        bib = _from_index(json.loads(index_file.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:  # rebuilt, never trusted
        debug(f"bibliography snapshot {index_file} unreadable ({exc!r}); parsing again")
        return None
    return bib


def _read_data(data_file: Path) -> BibliographyData | None:
    """The pickled pybtex data of a snapshot, or None.

    It is pickled: it is written by this code into the project's own cache directory, which is
    as trusted as the code itself, and named by the hash of the .bib text, so a changed file
    never loads stale data.
    """
    from pybtex.database import BibliographyData

    gc.disable()  # thousands of small long-lived objects: collection passes only cost time
    try:
        loaded = pickle.loads(data_file.read_bytes())
    except Exception:  # any unreadable snapshot is simply parsed again
        return None
    finally:
        gc.enable()
    return loaded if isinstance(loaded, BibliographyData) else None


def _write_snapshot(snapshot: Path, bib: Bibliography) -> None:
    try:
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        # The same file's older snapshots go; other files' (bib_dir) stay.
        for old in snapshot.parent.glob(f"{snapshot.name.rsplit('-', 1)[0]}-*"):
            if old.suffix in (".json", ".pickle"):
                old.unlink()
        data = pickle.dumps(bib.data, protocol=pickle.HIGHEST_PROTOCOL)
        write_atomically(snapshot.with_suffix(".pickle"), data)
        index = json.dumps(_index(bib), ensure_ascii=False)
        write_atomically(snapshot.with_suffix(".json"), index)  # last: an index has its data
    except OSError:
        return  # a read-only checkout still builds; it just parses again next time


def _name_entries(problems: list[Problem], lines: dict[str, int]) -> list[Problem]:
    """Prefix each problem with the entry its line falls in (``entry 'key': ...``)."""
    starts = sorted((line, key) for key, line in lines.items())
    named = []
    for problem in problems:
        owner = [key for line, key in starts if line <= (problem.line or 0)]
        message = f"entry '{owner[-1]}': {problem.message}" if owner else problem.message
        named.append(Problem(problem.code, message, problem.path, problem.line))
    return named


def _parse(
    text: str, shown: str, encoding_problems: list[Problem], *, parallel: bool = False
) -> Bibliography:
    from .parsing import parse_bib

    data, parser = parse_bib(text, shown, parallel=parallel)
    starts = {str(key): parser.lines[str(key).lower()] for key in data.entries}
    problems = _name_entries(encoding_problems, starts) + parser.problems
    return Bibliography.from_data(shown, data, parser.lines, parser.digests, problems)


def load_bibliography(
    path: Path,
    display_path: str | None = None,
    cache_dir: Path | None = None,
    debug: Callable[[str], None] | None = None,
    prepare: Callable[[Bibliography], object] | None = None,
    *,
    parallel: bool = False,
    defer: bool = False,
    later: bool = False,
) -> Bibliography:
    """Parse ``path`` once per content version; later calls with an unchanged file are free.

    ``mkdocs serve`` re-creates the plugin on every rebuild, so the cache lives at module level,
    keyed by the file's resolved path, modification time and size. With ``cache_dir``, the
    parsed result is also kept on disk between builds, keyed by the file's content and the
    core's source; ``prepare`` runs on a freshly parsed bibliography before it is saved. With
    ``parallel``, a large file may be parsed in two processes (the same result). With ``defer``,
    ``prepare`` and the snapshot's writing wait for :meth:`Bibliography.finish_parse`. With
    ``later``, a file to parse (of :data:`LATER_MIN_CHARS` or more) is not parsed yet: the result
    is an empty bibliography until :meth:`Bibliography.arrive` (which every reader of its keys
    calls), so that another process may parse it meanwhile (:meth:`Bibliography.parse_elsewhere`);
    the checks and snapshot wait as with ``defer``.

    Raises:
        CoreError: The file cannot be read.
    """
    shown = display_path or path.name
    try:
        stat = path.stat()
        cache_key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        if cache_key in _CACHE:
            return _CACHE[cache_key]
        text, encoding_problems = decode_utf8(path.read_bytes(), shown, "bib.encoding")
    except OSError as exc:
        raise CoreError(f"cannot read bibliography '{shown}': {exc}") from exc
    snapshot = _snapshot_path(cache_dir, shown, text) if cache_dir else None
    bib = _read_snapshot(snapshot, debug or (lambda message: None)) if snapshot else None
    if bib is not None and snapshot is not None:
        data_file = snapshot.with_suffix(".pickle")

        def load() -> BibliographyData:
            # The data of this very text; parsed again if its file went missing meanwhile.
            return _read_data(data_file) or _parse(text, shown, encoding_problems).data

        bib._load = load
    elif later and len(text) >= LATER_MIN_CHARS:
        bib = Bibliography(shown)
        placeholder = bib

        def parse() -> Bibliography:
            return _parse(text, shown, encoding_problems)

        def data() -> BibliographyData:
            # The other process's snapshot of this very text, once written; else parsed here.
            written = _read_data(snapshot.with_suffix(".pickle")) if snapshot else None
            return written or parse().data

        def finish_later() -> None:
            if prepare is not None:
                prepare(placeholder)
            if snapshot:
                _write_snapshot(snapshot, placeholder)

        bib._later = _Later(parse, finish_later, data)
    else:
        bib = _parse(text, shown, encoding_problems, parallel=parallel)
        fresh = bib

        def finish() -> None:
            if prepare is not None:
                prepare(fresh)  # e.g. the checks, whose results the snapshot then keeps
            if snapshot:
                _write_snapshot(snapshot, fresh)

        bib._pending = finish
        if not defer:
            bib.finish_parse()
    if snapshot is not None:
        bib.content_key = snapshot.name
    _CACHE.clear()  # one bibliography per project: keep only the newest version
    _CACHE[cache_key] = bib
    return bib


def merge_bibliographies(bibs: list[Bibliography], shown: str) -> Bibliography:
    """One bibliography from several files (``bib_dir``); each entry keeps its file and line.

    A key defined in two files is reported at the second (``cite.duplicate_key``); the first
    wins. The files' pybtex data is merged only when an entry's fields are asked for.
    """
    merged = Bibliography(shown)
    owner: dict[str, Bibliography] = {}
    for bib in bibs:
        merged.problems += bib.problems
        for lower, key in bib.spelled.items():
            if lower in merged.lines:
                merged.problems.append(
                    Problem(
                        "cite.duplicate_key",
                        f"entry '{key}' is also defined in {merged.path_of(lower)}:"
                        f"{merged.lines[lower]}; keep one of them (keys are case-insensitive)",
                        bib.path,
                        bib.line_of(lower),
                    )
                )
                continue
            owner[lower] = bib
            merged.spelled[lower] = key
            merged.lines[lower] = bib.lines.get(lower, 0)
            merged.paths[lower] = bib.path
            if lower in bib.digests:
                merged.digests[lower] = bib.digests[lower]
            if lower in bib.years:
                merged.years[lower] = bib.years[lower]

    def load() -> BibliographyData:
        from pybtex.database import BibliographyData

        data = BibliographyData()
        for lower, key in merged.spelled.items():
            data.entries[key] = owner[lower].data.entries[key]
        return data

    merged._load = load
    return merged
