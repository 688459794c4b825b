"""pybtex's BibTeX parser, made to keep each entry's line and to collect every error.

pybtex keeps no line numbers and stops at the first error in strict mode; the subclassed parser
below records the line where each entry starts and collects every error instead, so one run
reports all of them with a location. Only a build that has no snapshot of the file's parse
(:mod:`.loading`) imports this module, and pybtex with it.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pybtex.errors
from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.input.bibtex import LowLevelParser, Parser, split_name_list
from pybtex.exceptions import PybtexError
from pybtex.scanner import PybtexSyntaxError
from pybtex.textutils import normalize_whitespace

from ..model import Problem

#: The fields that hold names (``Last, First and Last, First``).
PERSON_FIELDS = ("author", "editor", "translator")


class LocatingParser(Parser):  # type: ignore[misc]
    """pybtex's BibTeX parser that records entry lines and collects errors instead of raising."""

    def __init__(self, display_path: str) -> None:
        # Translators are names as authors and editors are (pybtex reads only those two): a
        # CSL style prints them ("(J. Roe, Trans.)"), and a name that cannot be read is reported.
        super().__init__(person_fields=PERSON_FIELDS)
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
        """Parse a whole file, counting lines as it goes."""
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


def parse_bib(text: str, shown: str) -> tuple[BibliographyData, LocatingParser]:
    """Parse ``text`` (the file ``shown`` in messages): the data, and the parser's findings."""
    parser = LocatingParser(shown)
    data = parser.parse_string(text)
    parser.finish()
    return data, parser


def year_digits(entry: Entry) -> int | None:
    """The entry's year as an integer (the first four digits of ``year``), when it has one."""
    year = str(entry.fields.get("year", ""))
    digits = "".join(ch for ch in year if ch.isdigit())[:4]
    return int(digits) if len(digits) == 4 else None
