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
import json
import pickle
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import pybtex
import pybtex.errors
from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.input.bibtex import LowLevelParser, Parser, split_name_list
from pybtex.exceptions import PybtexError
from pybtex.scanner import PybtexSyntaxError
from pybtex.textutils import normalize_whitespace

from ..model import CoreError, Problem
from ..source.encoding import decode_utf8


@dataclass
class Bibliography:
    """The parsed bibliography: entries by key (case-insensitive), with lines and raw text.

    Attributes:
        path: The file as shown in messages (``refs.bib``).
        data: pybtex's bibliography data.
        lines: Lower-cased key to the 1-based line where the entry starts.
        digests: Lower-cased key to a hash of everything formatting reads from the entry: its
            type, fields and names after ``@string`` macros are expanded and ``crossref`` fields
            inherited (the cache key of its formatted reference).
        problems: Syntax errors and duplicate keys found while parsing.
        checked: The problems of every check that needs only the file (``check_bibliography``),
            or None before they have been computed.
        paths: Lower-cased key to the file that holds the entry, when the bibliography is read
            from several files (``bib_dir``); otherwise every entry is in ``path``.
    """

    path: str
    data: BibliographyData
    lines: dict[str, int] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    paths: dict[str, str] = field(default_factory=dict)
    #: What ``check_bibliography`` found, once it has run (kept in the snapshot with the rest,
    #: so a warm build checks nothing again: the result depends only on the file's text).
    checked: tuple[Problem, ...] | None = None

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

    def path_of(self, key: str) -> str:
        """Return the file that holds the entry (as shown in messages)."""
        return self.paths.get(key.lower(), self.path)

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
        self._scanner: LowLevelParser | None = None

    def _line_at(self, offset: int) -> int:
        return self._text.count("\n", 0, offset) + 1

    def handle_error(self, error: PybtexError) -> None:
        """Record an error, naming the entry it belongs to.

        An entry whose closing brace is missing is only noticed at the next ``@``: that is
        reported at the line where the unfinished entry starts. Any other error (a missing comma,
        a stray character) is reported where it is noticed.
        """
        found_at = getattr(error, "lineno", None) or self._current_line
        message = re.sub(r" in line \d+", "", str(error).split("\n")[0])
        scanner = self._scanner
        key = scanner.current_entry_key if scanner is not None else None
        line = found_at
        if "undefined string" in message:
            hint = (
                "a bare word is read as an @string macro; put the value in braces "
                "(journal = {Sleep}) or define the macro with @string"
            )
        elif isinstance(error, PybtexSyntaxError):
            hint = "check the braces, commas and quotes of this entry"
            rest = self._text[scanner.pos :] if scanner is not None else ""
            if (
                scanner is not None
                and scanner.command_start is not None
                and (rest.lstrip().startswith("@") or not rest.strip())
            ):
                line = self._line_at(scanner.command_start)
                hint = (
                    f"the entry's closing brace is missing (the next thing, at line {found_at}, "
                    "is already another entry or the end of the file)"
                )
            elif "entry key expected" in message:
                hint = "give the entry a key after its opening brace: @article{smith2020, ..."
            elif "expected" in message:
                hint = "a comma between two fields, or a brace or quote, is probably missing"
        else:
            hint = "fix or remove the offending field"
        where = f"entry '{key}': " if key else ""
        self.problems.append(
            Problem("bib.syntax", f"{where}{message}; {hint}", self.display_path, line)
        )

    def process_entry(self, entry_type: str, key: str, fields: list[tuple[str, Any]]) -> None:
        """Read one entry like pybtex's ``process_entry``; an unreadable name is reported.

        pybtex raises ``InvalidNameString`` (``Smith, John, Jr, Extra``) in strict mode; its
        lenient reading (extra parts joined to the first name) is kept and the name reported.
        """
        entry = Entry(entry_type)
        seen: set[str] = set()
        for name, value_list in fields:
            if name.lower() in seen:
                self.problems.append(
                    Problem(
                        "bib.syntax",
                        f"entry '{key}': field '{name}' appears twice; keep one of them",
                        self.display_path,
                        self._current_line,
                    )
                )
                continue
            seen.add(name.lower())
            value = normalize_whitespace(self.flatten_value_list(value_list))
            if name not in self.person_fields:
                entry.fields[name] = value
                continue
            for person_text in split_name_list(value):
                with pybtex.errors.capture() as errors:
                    person = Person(person_text)
                for error in errors:
                    self.problems.append(
                        Problem(
                            "bib.name",
                            f"entry '{key}': cannot read the {name} name '{person_text}' "
                            f"({error}); write each name as 'Last, First' or 'Last, Jr, First' "
                            "and separate names with ' and '",
                            self.display_path,
                            self._current_line,
                        )
                    )
                entry.add_person(person, name)
        self.data.add_entry(key, entry)

    def parse_string(self, text: str) -> BibliographyData:
        self._text = text
        self.unnamed_entry_counter = 1
        scanner = LowLevelParser(
            text, handle_error=self.handle_error, macros=self.macros, filename=self.filename
        )
        self._scanner = scanner
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
                self._add(command[0], command[1])
        return self.data

    def _add(self, entry_type: str, body: tuple[str, Any]) -> None:
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
        self.process_entry(entry_type, key, body[1])

    def finish(self) -> None:
        """Inherit ``crossref`` fields, read BibLaTeX's field names, compute the digests."""
        for entry in self.data.entries.values():
            biblatex_fields(entry)
        for key, entry in self.data.entries.items():
            parent_key = str(entry.fields.get("crossref", "")).strip()
            if not parent_key:
                continue
            parent = self.data.entries.get(parent_key)
            if parent is None:
                self.problems.append(
                    Problem(
                        "bib.crossref",
                        f"entry '{key}': crossref '{parent_key}' is not in {self.display_path}; "
                        "add that entry or remove the crossref field",
                        self.display_path,
                        self.lines.get(key.lower()),
                    )
                )
                continue
            inherit(entry, parent)
        for key, entry in self.data.entries.items():
            self.digests[key.lower()] = entry_digest(entry)


#: Fields a ``crossref`` child never takes from its parent: a chapter's DOI, PMID or URL is not
#: the book's (inheriting them would also report the child and parent as duplicates).
_NOT_INHERITED = frozenset(
    {"crossref", "xref", "ids", "doi", "pmid", "pubmed", "pmcid", "url", "eprint", "urldate"}
)


def inherit(child: Entry, parent: Entry) -> None:
    """Copy to ``child`` the fields and names of ``parent`` it lacks (BibTeX/BibLaTeX crossref).

    As in BibLaTeX, the parent's ``title`` becomes the child's ``booktitle`` (a chapter's book),
    and a parent's ``author`` also serves as the child's ``bookauthor``.
    """
    fields = child.fields
    for name, value in parent.fields.items():
        lowered = name.lower()
        if lowered in _NOT_INHERITED:
            continue
        if lowered == "title":
            if "booktitle" not in fields:
                fields["booktitle"] = value
            continue
        if name not in fields:
            fields[name] = value
    for role, persons in parent.persons.items():
        if role not in child.persons:
            for person in persons:
                child.add_person(person, role)


#: BibLaTeX field -> the BibTeX field the styles and checks read (Zotero's and JabRef's BibLaTeX
#: exports write the former).
_BIBLATEX_NAMES = {
    "journaltitle": "journal",
    "location": "address",
    "institution": "school",
    "eventtitle": "booktitle",
}


def biblatex_fields(entry: Entry) -> None:
    """Give a BibLaTeX entry the BibTeX field names (``date`` gives ``year``) it lacks."""
    fields = entry.fields
    for biblatex, bibtex in _BIBLATEX_NAMES.items():
        if biblatex in fields and bibtex not in fields:
            if bibtex == "school" and entry.type.lower() not in ("thesis", "phdthesis"):
                continue
            fields[bibtex] = fields[biblatex]
    if "year" not in fields and "date" in fields:
        year = re.match(r"\s*(\d{4})", str(fields["date"]))
        if year:
            fields["year"] = year.group(1)


def entry_digest(entry: Entry) -> str:
    """A hash of what formatting reads: type, fields and names, after macros and crossref."""
    payload = [
        entry.type.lower(),
        sorted((name.lower(), str(value)) for name, value in entry.fields.items()),
        sorted(
            (role.lower(), [str(p) for p in persons]) for role, persons in entry.persons.items()
        ),
    ]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()


_CACHE: dict[tuple[str, int, int], Bibliography] = {}


def _core_digest() -> str:
    # The snapshot holds the parse and the checks' results: any change to the pure core (parser,
    # checks, identifier rules, LaTeX handling) must make a new one. Read by path, not imported.
    digest = hashlib.sha256()
    core = Path(__file__).resolve().parents[1]
    for source in sorted(core.rglob("*.py")):
        digest.update(source.relative_to(core).as_posix().encode() + b"\0")
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


#: The core's source: a changed parser or check never loads a snapshot made by the previous one.
_PARSER_DIGEST = _core_digest()
_SNAPSHOT_VERSION = "4"


def _snapshot_path(cache_dir: Path, shown: str, text: str) -> Path:
    """Where the snapshot of one .bib file's parse goes.

    ``bibliography-<file>-<content>.pickle``: one per .bib file (``bib_dir`` has several),
    named by the file and by everything its parse depends on.
    """
    seed = f"{_SNAPSHOT_VERSION}/{pybtex.__version__}/{_PARSER_DIGEST}/{shown}\n{text}"
    content = hashlib.sha256(seed.encode()).hexdigest()[:24]
    return cache_dir / f"bibliography-{_file_tag(shown)}-{content}.pickle"


def _file_tag(shown: str) -> str:
    return hashlib.sha256(shown.encode()).hexdigest()[:8]


def _read_snapshot(snapshot: Path, debug: Callable[[str], None]) -> Bibliography | None:
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
    except Exception as exc:  # any unreadable snapshot is simply rebuilt
        debug(f"bibliography snapshot {snapshot} unreadable ({exc!r}); parsing again")
        return None
    finally:
        gc.enable()
    expected = {f.name for f in fields(Bibliography)}
    if not isinstance(loaded, Bibliography) or not expected <= set(vars(loaded)):
        debug(f"bibliography snapshot {snapshot} has the wrong shape; parsing again")
        return None
    return loaded


def _write_snapshot(snapshot: Path, bib: Bibliography) -> None:
    try:
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        # The same file's older snapshots go; other files' (bib_dir) stay.
        for old in snapshot.parent.glob(f"{snapshot.name.rsplit('-', 1)[0]}-*.pickle"):
            old.unlink()
        tmp = snapshot.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(bib, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(snapshot)
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


def load_bibliography(
    path: Path,
    display_path: str | None = None,
    cache_dir: Path | None = None,
    debug: Callable[[str], None] | None = None,
    prepare: Callable[[Bibliography], object] | None = None,
) -> Bibliography:
    """Parse ``path`` once per content version; later calls with an unchanged file are free.

    ``mkdocs serve`` re-creates the plugin on every rebuild, so the cache lives at module level,
    keyed by the file's resolved path, modification time and size. With ``cache_dir``, the
    parsed result is also kept on disk between builds, keyed by the file's content and the
    core's source; ``prepare`` runs on a freshly parsed bibliography before it is saved.

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
    if bib is None:
        parser = _LocatingParser(shown)
        data = parser.parse_string(text)
        parser.finish()
        starts = {str(key): parser.lines[str(key).lower()] for key in data.entries}
        problems = _name_entries(encoding_problems, starts) + parser.problems
        bib = Bibliography(shown, data, parser.lines, parser.digests, problems)
        if prepare is not None:
            prepare(bib)  # e.g. the checks, whose results the snapshot then keeps
        if snapshot:
            _write_snapshot(snapshot, bib)
    _CACHE.clear()  # one bibliography per project: keep only the newest version
    _CACHE[cache_key] = bib
    return bib


def merge_bibliographies(bibs: list[Bibliography], shown: str) -> Bibliography:
    """One bibliography from several files (``bib_dir``); each entry keeps its file and line.

    A key defined in two files is reported at the second (``cite.duplicate_key``); the first wins.
    """
    data = BibliographyData()
    merged = Bibliography(shown, data)
    for bib in bibs:
        merged.problems += bib.problems
        for key, entry in bib.data.entries.items():
            lower = str(key).lower()
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
            data.entries[key] = entry
            merged.lines[lower] = bib.lines.get(lower, 0)
            merged.paths[lower] = bib.path
            if lower in bib.digests:
                merged.digests[lower] = bib.digests[lower]
    return merged
