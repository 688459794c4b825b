"""Formatted references, each formatted once and cached by the content hash of its entry.

Formatting is the expensive part of a citation build (about 1 ms an entry with pybtex), so an
entry is formatted only when cited, only once per process, and, with a cache file, only once ever
for a given BibTeX source and style version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from ..bibliography.loading import Bibliography
from ..cachefile import PACKAGE, code_digest, versions, write_atomically
from ..model import Problem
from ..parallel import First, can_fork
from .ahead import MIN_ENTRIES, AheadFormatting, ParsedAhead, Result
from .base import FormattedReference, ReferenceStyle
from .builtin import VancouverReferences

__all__ = ["FormattedReference", "ReferenceFormatter"]

_MEMORY: dict[str, FormattedReference] = {}
#: What the style found wrong while formatting an entry, by the same digest: ``(code, message,
#: severity)``. Said again on every build that uses the reference, formatted or not.
_MEMORY_PROBLEMS: dict[str, tuple[tuple[str, str, str], ...]] = {}
_FIELD_NAMES = tuple(f.name for f in fields(FormattedReference))
_FIELDS = frozenset(_FIELD_NAMES)


#: What decides how an entry is formatted: the styles' modules (read by path: the CSL modules and
#: citeproc load only for a CSL style), pybtex and latexcodec (accents and symbols of every field).
_ENGINE = code_digest(
    [
        PACKAGE / "core" / "styles" / f"{name}.py"
        for name in (
            "base",
            "builtin",
            "csl",
            "csl_info",
            "csl_processor",
            "csl_data",
            "latex",
            "vancouver",
            "formatter",
        )
    ]
    + [PACKAGE / "core" / "links.py"],
    extra=versions("pybtex", "latexcodec"),
)


class ReferenceFormatter:
    """Formats cited entries on demand, backed by memory and an optional JSON cache file."""

    def __init__(
        self,
        bib: Bibliography,
        cache_file: Path | None = None,
        debug: Callable[[str], None] | None = None,
        style: ReferenceStyle | None = None,
    ) -> None:
        self.bib = bib
        self.style: ReferenceStyle = style or VancouverReferences()
        self.version = f"{self.style.version}/{_ENGINE}"
        self.cache_file = cache_file
        self._debug = debug or (lambda message: None)
        self._dirty = False
        stored = self._read_file()  # one read and one parse of the file for all three tables
        #: The bibliography (its ``content_key``) every entry of which the file holds.
        complete = stored.get("complete")
        self._complete_for = complete if isinstance(complete, str) else None
        self._disk: dict[str, dict[str, str]] = self._read_disk(stored)
        self._disk_problems: dict[str, list[list[str]]] = self._read_problems(stored)
        self._known: dict[str, FormattedReference] = {}  # resolved in this build
        # A style that keeps its citation texts (CSL) gets them from, and into, the same file.
        self._citations: dict[str, str] | None = getattr(self.style, "citation_cache", None)
        if self._citations is not None:
            self._citations.update(self._read_citations(stored))
        self._citations_seen = len(self._citations or {})
        self.formatted = 0  # entries actually formatted by pybtex in this run (for benchmarks)
        self._ahead: AheadFormatting | ParsedAhead | None = None
        self._checking: ParsedAhead | None = None  # a parse whose checks are still to come
        #: The second process formatting ahead also finishes the bibliography's parse (its
        #: checks and snapshot, :meth:`Bibliography.finish_parse`), before the entries.
        self.finishes_parse = False
        self._digests: dict[str, tuple[str, str]] = {}  # key -> (entry context, digest)

    def format_ahead(self, keys: Sequence[str] | None = None) -> bool:
        """Start formatting, in a second process, the entries that are in no cache yet.

        ``keys`` None: every entry of the bibliography, before the pages are read; only for a
        style that formats each entry on its own (``formats_alone``); another style may
        convert its entries ahead instead (``convert_ahead``: a CSL style's CSL-JSON items).
        ``keys`` given: these works, once the style has met them (after
        :meth:`ReferenceStyle.prepare`), for any style; the first is formatted here, so that
        what a style makes on first use (a CSL processor) is made once, before the fork.

        Only when a fork can help (:func:`~monograph.core.parallel.can_fork`) and enough
        entries are missing; see :mod:`.ahead`. The results arrive with the first :meth:`get`.
        Returns whether a process was started.
        """
        if self._ahead is not None:
            return False
        if keys is None and not self.bib.arrived:
            return self._parse_ahead()
        if self.holds_every_entry():
            return False  # a warm build: nothing to format (no key hashed to find that out)
        if keys is None and not getattr(self.style, "formats_alone", False):
            # A style whose references wait for the works may still prepare each entry now
            # (CSL: its CSL-JSON item), on a cold build: nothing formatted in the cache yet.
            convert = getattr(self.style, "convert_ahead", None)
            if convert is None or self._disk:
                return False
            first = self._first_job()
            started = bool(convert(self.bib, first))
            self.finishes_parse = started and first is not None
            return started
        missing = [key for key in (self.bib if keys is None else keys) if self._missing(key)]
        if len(missing) < MIN_ENTRIES or not can_fork():
            return False
        if keys is not None:
            self._remember([self._format_one(missing.pop(0))])
        first = self._first_job()
        self._ahead = AheadFormatting(missing, self._format_one, first)  # type: ignore[arg-type]
        self.finishes_parse = first is not None
        self._debug(f"formatting {len(missing)} entries in a second process")
        return True

    def _parse_ahead(self) -> bool:
        """A bibliography left to parse: parsed, formatted and checked by a second process.

        Only for a style that formats each entry on its own, when a fork can help; otherwise
        (False) it is parsed when first read, here.
        """
        if not getattr(self.style, "formats_alone", False) or not can_fork():
            return False
        self._ahead = ParsedAhead(self.bib, self._missing, self._format_one)
        self.finishes_parse = True
        self._debug("parsing and formatting the bibliography in a second process")
        return True

    def _first_job(self) -> First | None:
        """What a deferred parse left (its checks and snapshot): the second process's first job."""
        return (self.bib.finish_parse, self.bib.took_checks) if self.bib.pending else None

    def holds_every_entry(self) -> bool:
        """The cache file holds every entry of this very bibliography, formatted by this style.

        Said by the build that wrote the file (see :meth:`save`), for a style whose references
        each depend on their entry alone: nothing is missing, and no entry needs hashing to
        find that out.
        """
        key = self.bib.content_key
        return key is not None and key == self._complete_for

    def asks_nothing(self) -> bool:
        """:meth:`holds_every_entry`, and no stored reference comes with a problem of the style.

        Then a process may take references from the file when it needs them, without this one
        asking for each first: none is formatted, and none has a problem to say (said only
        when asked for, see :meth:`get`).
        """
        return self.holds_every_entry() and not self._disk_problems

    def _missing(self, key: str) -> bool:
        """The entry's reference is in no cache yet (memory or file)."""
        digest = self._digest(key)
        return digest not in _MEMORY and digest not in self._disk

    def _format_one(self, key: str) -> Result:
        """Format one entry: its digest, fields and the style's problems (taken off the style).

        The problems come back through :meth:`get`, only for the entries a page cites, as they
        do from the cache file.
        """
        before = len(self.style.problems)
        ref = self.style.format_entry(self.bib, key)
        problems = tuple((p.code, p.message, p.severity) for p in self.style.problems[before:])
        del self.style.problems[before:]
        return self._digest(key), tuple(getattr(ref, name) for name in _FIELD_NAMES), problems

    def take_ahead(self) -> None:
        """Put what was formatted ahead into memory (waiting for the second process)."""
        if self._ahead is None:
            take = getattr(self.style, "take_converted", None)  # a CSL style's conversion
            if take is not None:
                take()
            return
        ahead, self._ahead = self._ahead, None
        results = ahead.collect()
        if isinstance(ahead, ParsedAhead):
            self._checking = ahead  # its checks come last: finish_ahead
        self._remember(results)

    @property
    def checks_last(self) -> bool:
        """A second process parses the bibliography: its checks come at :meth:`finish_ahead`."""
        return self._checking is not None or isinstance(self._ahead, ParsedAhead)

    def finish_ahead(self) -> None:
        """Take everything the second process sends, the bibliography's checks last."""
        self.take_ahead()
        checking, self._checking = self._checking, None
        if checking is not None:
            checking.finish()

    def _complete(self) -> str | None:
        """The bibliography's ``content_key`` when the file about to be written holds every entry.

        Only for a style that formats each entry alone (its cache keys do not change with the
        works cited), and a bibliography kept in the cache folder.
        """
        key = self.bib.content_key
        if key is None or not getattr(self.style, "formats_alone", False) or self.bib.pending:
            return None
        if all(self._digest(entry) in self._disk for entry in self.bib):
            return key
        return None

    def stop_ahead(self) -> None:
        """Stop a second process that parses ahead (the build failed); nothing is taken."""
        for ahead in (self._ahead, self._checking):
            if isinstance(ahead, ParsedAhead):
                ahead.stop()
        self._ahead = self._checking = None

    def _remember(self, results: list[Result]) -> None:
        """Put formatted entries in memory, where :meth:`get` finds them, and in the cache file.

        Uncited entries are kept too: the next build then finds nothing missing and starts no
        second process for them (their problems are said only when a page cites them).
        """
        for digest, values, problems in results:
            if digest not in _MEMORY:
                _MEMORY[digest] = FormattedReference(*values)
                _MEMORY_PROBLEMS[digest] = problems
            if digest not in self._disk:
                self._disk[digest] = dict(zip(_FIELD_NAMES, values, strict=True))
                self._dirty = True
            if problems and digest not in self._disk_problems:
                self._disk_problems[digest] = [list(row) for row in problems]
                self._dirty = True
        self.formatted += len(results)

    def _read_file(self) -> dict[str, Any]:
        """The cache file's content, read and parsed once.

        Empty when the file is absent, unreadable, of another version or not a table.
        """
        if self.cache_file is None or not self.cache_file.is_file():
            return {}
        try:
            data = json.loads(self.cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            self._debug(f"reference cache {self.cache_file} unreadable ({exc}); rebuilding it")
            return {}
        if not isinstance(data, dict) or data.get("version") != self.version:
            self._debug(f"reference cache {self.cache_file} is from another version; rebuilding it")
            return {}
        return data

    def _read_disk(self, data: dict[str, Any]) -> dict[str, dict[str, str]]:
        """The cache file's entries; anything of the wrong shape is discarded."""
        if not data:
            return {}
        entries = data.get("entries")
        if not isinstance(entries, dict):
            self._debug(f"reference cache {self.cache_file} has no entries table; rebuilding it")
            return {}
        kept = {
            digest: stored
            for digest, stored in entries.items()
            if isinstance(stored, dict)
            and set(stored) == _FIELDS
            and all(isinstance(value, str) for value in stored.values())
        }
        if len(kept) != len(entries):
            self._debug(
                f"reference cache {self.cache_file}: {len(entries) - len(kept)} ill-shaped "
                "entries discarded"
            )
            self._dirty = True
        return kept

    @staticmethod
    def _read_problems(data: dict[str, Any]) -> dict[str, list[list[str]]]:
        """The problems table of the cache file, or none."""
        stored = data.get("problems")
        if not isinstance(stored, dict):
            return {}
        return {
            digest: rows
            for digest, rows in stored.items()
            if isinstance(rows, list)
            and all(
                isinstance(row, list) and len(row) == 3 and all(isinstance(v, str) for v in row)
                for row in rows
            )
        }

    @staticmethod
    def _read_citations(data: dict[str, Any]) -> dict[str, str]:
        """The citation texts of the cache file, or none."""
        stored = data.get("citations")
        if not isinstance(stored, dict):
            return {}
        return {k: v for k, v in stored.items() if isinstance(k, str) and isinstance(v, str)}

    def _digest(self, key: str) -> str:
        """The cache key: the entry's digest (fields after macros and crossref) and versions.

        Hashed once per key and context in a build (a page asks for each of its works, and
        fingerprints ask again): the bibliography and the versions do not change within it.
        """
        context = self.style.entry_context(key)
        known = self._digests.get(key)
        if known is not None and known[0] == context:
            return known[1]
        entry = self.bib.digests.get(key.lower(), key)
        text = f"{self.version}\n{key}\n{entry}" + (f"\n{context}" if context else "")
        digest = hashlib.sha256(text.encode()).hexdigest()
        self._digests[key] = (context, digest)
        return digest

    def get(self, key: str) -> FormattedReference:
        """Return the formatted reference for ``key`` (which must exist).

        The problems the style found when it formatted the entry (a CSL style that cannot
        print it) come back with it, into the style's problems, on every build: a reference
        taken from the cache must fail ``--strict`` as the first build did.
        """
        digest = self._digest(key)
        known = self._known.get(digest)
        if known is not None:
            return known
        if self._ahead is not None:
            self.take_ahead()
        if digest not in _MEMORY:
            stored = self._disk.get(digest)
            if stored is None:
                self._remember([self._format_one(key)])
            else:
                _MEMORY[digest] = FormattedReference(**stored)
                _MEMORY_PROBLEMS[digest] = tuple(
                    (code, message, severity)
                    for code, message, severity in self._disk_problems.get(digest, [])
                )
        ref, problems = _MEMORY[digest], _MEMORY_PROBLEMS.get(digest, ())
        if digest not in self._disk:  # formatted now, or earlier in this process for another file
            self._disk[digest] = asdict(ref)
            self._dirty = True
        if problems and digest not in self._disk_problems:
            self._disk_problems[digest] = [list(row) for row in problems]
            self._dirty = True
        for code, message, severity in problems:
            problem = Problem(
                code,
                message,
                self.bib.path_of(key),
                self.bib.line_of(key),
                severity,  # type: ignore[arg-type]
            )
            if problem not in self.style.problems:
                self.style.problems.append(problem)
        self._known[digest] = ref
        return ref

    def save(self) -> None:
        """Write the cache file if anything new was formatted (never fails the build).

        Entries still being formatted ahead (a build that asked for no reference) are waited
        for and kept, so no second process outlives the build.
        """
        self.finish_ahead()
        grown = self._citations is not None and len(self._citations) != self._citations_seen
        if self.cache_file is None or not (self._dirty or grown):
            return
        used = set(self._disk)
        problems = {d: rows for d, rows in self._disk_problems.items() if d in used}
        payload: dict[str, Any] = {"version": self.version, "entries": self._disk}
        if problems:
            payload["problems"] = problems
        if self._citations:
            payload["citations"] = self._citations
        complete = self._complete()
        if complete is not None:
            payload["complete"] = complete
        try:
            write_atomically(self.cache_file, json.dumps(payload, sort_keys=True))
        except OSError:
            return  # a read-only checkout still builds; it just formats again next time
        self._dirty = False
        self._citations_seen = len(self._citations or {})
