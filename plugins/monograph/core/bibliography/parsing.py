"""pybtex's BibTeX parser, made to keep each entry's line and to collect every error.

pybtex keeps no line numbers and stops at the first error in strict mode; the subclassed parser
below records the line where each entry starts and collects every error instead, so one run
reports all of them with a location. Only a build that has no snapshot of the file's parse
(:mod:`.loading`) imports this module, and pybtex with it.

The parse is pybtex's, made quicker where a cold build spends its time (2,000 entries: 0.82 s
CPU before, 0.30 s after; 0.37 s when no name repeats), always with pybtex's result: names are
read once per distinct text (:mod:`.names`), the scanner reads a common ``name = {value}``
field in one step (:class:`_Scanner`), whitespace is normalized without a regex substitution,
and the cyclic garbage collector waits until the parse is done. Anything out of the common
case goes to pybtex's own code; ``tests/unit/test_parse_names*.py`` compare the two.
"""

from __future__ import annotations

import gc
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from pybtex.database import BibliographyData, Entry
from pybtex.database.input.bibtex import LowLevelParser, Parser
from pybtex.exceptions import PybtexError
from pybtex.scanner import PrematureEOF, PybtexSyntaxError, Token

from ..model import Problem
from .names import NameReader, split_names

#: The fields that hold names (``Last, First and Last, First``).
PERSON_FIELDS = ("author", "editor", "translator")


def normalize_whitespace(text: str) -> str:
    r"""Strip, and make each run of ``\s`` one space: pybtex's ``normalize_whitespace``.

    pybtex substitutes with a regular expression (5 µs a title); ``str.split`` splits at the
    same characters (``str.isspace`` is ``\s``), so joining its words with spaces is the same
    text (1 µs), compared in ``tests/unit/test_parse_names_scanner.py``.
    """
    return " ".join(text.split())


#: What ends or nests a braced value's text; in a quoted value, the quote too.
_BRACES = re.compile(r"[{}]")
_BRACES_OR_QUOTE = re.compile(r'["{}]')

#: A field's start up to its value's opening brace or quote: pybtex's NAME (its own pattern),
#: ``=`` and the whitespace pybtex's scanner skips around them.
_NAME = LowLevelParser.NAME.match.__self__.pattern  # a Pattern keeps its regex's methods
_FIELD = re.compile(r"\s*(" + _NAME + r")\s*=\s*([{\"])")


class _Scanner(LowLevelParser):  # type: ignore[misc]
    """pybtex's scanner, reading a field (``name = {value}``) and a value in one step.

    pybtex's scanner was about a quarter of a parse: five ``get_token`` calls a field, and a
    value in braces or quotes read piece by piece (a regex search for each brace, a token for
    each piece, one generator per nesting level). Here a field is one regex match
    (:meth:`parse_field`) and a value the text up to its matching closing brace or quote, found
    in one pass over the braces (:meth:`_delimited`), lines counted as pybtex counts them
    (justified: the same reading in fewer steps). What pybtex would report (no closing brace
    before the end of the file, a ``}`` inside a quoted value closing nothing, 100 nested
    braces), and any field out of the common case, is left to pybtex's own reading from the
    same place, so errors, their lines and positions are pybtex's;
    ``tests/unit/test_parse_names_scanner.py`` compares the two over generated and damaged files.
    """

    # pybtex's attributes (annotations only, for the type checker).
    text: str
    pos: int
    lineno: int
    end_pos: int

    def __init__(self, text: str, **options: Any) -> None:
        super().__init__(text, **options)
        self._returns = "\r" in text  # without, a line ends at each "\n" only

    def update_lineno(self, value: str) -> None:
        """Count the lines ``value`` ends, as pybtex's ``update_lineno`` (LF, CRLF and CR)."""
        lines = value.count("\n")
        if self._returns:
            lines += value.count("\r") - value.count("\r\n")
        self.lineno += lines

    def get_token(self, patterns: list[Any], allow_eof: bool = False) -> Any:
        """The next token, as pybtex's ``get_token`` (with its ``eat_whitespace``, ``eof``).

        The most frequent call of a parse (five a field): the same steps, without three
        method calls each time.
        """
        text = self.text
        pos = self.pos
        space = self.WHITESPACE.match(text, pos)
        if space is not None:
            pos = self.pos = space.end()
            self.update_lineno(space.group())
        if pos == self.end_pos:
            if allow_eof:
                raise EOFError
            raise PrematureEOF(self)
        for pattern in patterns:
            match = pattern.match(text, pos)
            if match:
                self.pos = match.end()
                return Token(match.group(), pattern)
        return None

    def parse_field(self) -> None:
        """One field, as pybtex's ``parse_field`` reads it; ``name = {value}`` in one step.

        A field whose value is one braced or quoted text followed by neither ``#`` nor the end
        of the file (the common case) is read by :data:`_FIELD` and :meth:`_delimited`, with the
        whitespace pybtex's next ``optional`` call eats; any other field, from the same place,
        by pybtex.
        """
        text = self.text
        start = self.pos
        lineno = self.lineno
        field = _FIELD.match(text, start)
        if field is not None:
            self.pos = field.end()
            self.update_lineno(text[start : self.pos])  # no line ends inside the name or "="
            value = self._delimited(field.group(2) == '"')
            if value is not None:
                space = self.WHITESPACE.match(text, self.pos)
                end = space.end() if space is not None else self.pos
                if end != self.end_pos and text[end] != "#":
                    if space is not None:
                        self.pos = end
                        self.update_lineno(space.group())
                    self.current_field_name = field.group(1)
                    self.current_value = [value]
                    return
            self.pos = start
            self.lineno = lineno
        super().parse_field()

    def parse_value_part(self) -> Any:
        """One part of a value, as pybtex reads it; braced and quoted text by :meth:`_delimited`."""
        token = self.required(
            [self.QUOTE, self.LBRACE, self.NUMBER, self.NAME], description="field value"
        )
        pattern = token.pattern
        if pattern is self.LBRACE or pattern is self.QUOTE:
            quoted = pattern is self.QUOTE
            value = self._delimited(quoted)
            if value is not None:
                return value
            end = self.QUOTE if quoted else self.RBRACE
            return self.flatten_string(self.parse_string(string_end=end))
        if pattern is self.NUMBER:
            return token.value
        return self.substitute_macro(token.value)

    def _delimited(self, quoted: bool) -> str | None:
        """The text up to the brace (quote) closing the value, or None for pybtex to read."""
        text = self.text
        start = self.pos
        depth = 0
        for match in (_BRACES_OR_QUOTE if quoted else _BRACES).finditer(text, start):
            char = match.group()
            if char == "{":
                depth += 1
                if depth >= 100:
                    return None  # pybtex stops at 101: its reading reports it
            elif depth:
                if char == "}":
                    depth -= 1  # a quote inside braces is text
            elif char == "}" and quoted:
                return None  # unbalanced braces: pybtex reports it
            else:
                end = match.end()
                self.pos = end
                self.update_lineno(text[start:end])
                return text[start : end - 1]
        return None  # the end of the file: pybtex reports it


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
        self._names = NameReader()

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
            lowered = name.lower()
            if lowered in seen:
                self.problems.append(
                    Problem(
                        "bib.syntax",
                        f"entry '{key}': field '{name}' appears twice; keep one of them",
                        self.display_path,
                        self._current_line,
                    )
                )
                continue
            seen.add(lowered)
            value = normalize_whitespace(self.flatten_value_list(value_list))
            if name not in self.person_fields:
                entry.fields[name] = value
                continue
            for person_text in split_names(value):
                # As pybtex's Person(person_text), each distinct name read once (.names).
                person, errors = self._names.read(person_text)
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
        """Parse a whole file, counting lines as it goes.

        Without the cyclic garbage collector: a parse makes hundreds of thousands of small
        objects that live on (entries, names, fields), and each collection pass scanned them
        again, for nothing to free (0.23 s of pybtex's 0.8 s parse of 2,000 entries). Its
        garbage goes by reference counting; the rare cycle is collected later.
        """
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._parse_string(text)
        finally:
            if enabled:
                gc.enable()

    def _parse_string(self, text: str) -> BibliographyData:
        self._text = text
        self.unnamed_entry_counter = 1
        scanner = _Scanner(
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

    def finish(self, known: Mapping[str, str] | None = None) -> None:
        """Inherit ``crossref`` fields, read BibLaTeX's field names, compute the digests.

        ``known``: digests already computed (by lower-cased key) for entries without a
        ``crossref``, after :func:`biblatex_fields` (a half parsed in another process): such an
        entry is not changed here, so its digest is not computed again.
        """
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
        known = known or {}
        for key, entry in self.data.entries.items():
            lowered = key.lower()
            digest = known.get(lowered) if "crossref" not in entry.fields else None
            self.digests[lowered] = digest or entry_digest(entry)


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


def parse_bib(
    text: str, shown: str, *, parallel: bool = False
) -> tuple[BibliographyData, LocatingParser]:
    """Parse ``text`` (the file ``shown`` in messages): the data, and the parser's findings.

    With ``parallel``, a large file is parsed in two halves at once (:func:`_parse_in_halves`);
    the result is the same.
    """
    if parallel and len(text) >= SPLIT_MIN_CHARS:
        halves = _parse_in_halves(text, shown)
        if halves is not None:
            return halves
    parser = LocatingParser(shown)
    data = parser.parse_string(text)
    parser.finish()
    return data, parser


#: A smaller file is parsed in one piece: a fork and sending half the entries back cost more
#: than half a parse. (The parse is now about 0.15 ms CPU an entry of a few hundred characters,
#: and sending one back 0.06-0.1 ms, pickled and unpickled: at 2,000 entries the split saves
#: about 0.03 s when the second CPU is idle, and costs 0.1-0.2 s when it is busy.)
SPLIT_MIN_CHARS = 250_000

#: An ``@string`` macro defined in one half may be used in the other: such a file is parsed
#: whole. (A ``crossref`` between halves is no reason: crossrefs are resolved after the merge,
#: by :meth:`LocatingParser.finish`, over every entry.)
_STRING_COMMAND = re.compile(r"@\s*string\b", re.IGNORECASE)

#: One half to parse: its text, the file line it starts on, the file's name in messages.
Half = tuple[str, int, str]


#: What one half's parse gives: its entries, their file lines, its problems, and the digests of
#: its entries without a ``crossref`` (the others wait for the merge: a parent may be in the
#: other half).
HalfParse = tuple[BibliographyData, dict[str, int], list[Problem], dict[str, str]]


def _parse_half(half: Half) -> HalfParse:
    """One half's entries, lines, problems and the digests that need no other entry."""
    text, first_line, shown = half
    parser = LocatingParser(shown)
    data = parser.parse_string(text)
    lines = {key: line + first_line - 1 for key, line in parser.lines.items()}
    digests = {}
    for key, entry in data.entries.items():
        biblatex_fields(entry)  # as finish() does first; done again there, it changes nothing
        if "crossref" not in entry.fields:
            digests[key.lower()] = entry_digest(entry)
    return data, lines, parser.problems, digests


def _parse_in_halves(text: str, shown: str) -> tuple[BibliographyData, LocatingParser] | None:
    """Parse the two halves of a large file in two processes, or None to parse it whole.

    pybtex's parse is one pass over the file, a second of a cold build at 2,000 entries, before
    any page can be converted; a forked process (:class:`~monograph.core.parallel.SharedWork`)
    parses one half while this one parses the other. The halves meet at a line that starts
    with ``@`` after the middle of the file. The result is the whole file's parse only when
    both halves parse cleanly: a half that ends inside an unclosed entry (a line starting with
    ``@`` inside a field) has a syntax error; so does any other error, whose message names lines
    of its half. So: no problem in either half, no key in both halves and no ``@string`` macro
    (a half could use the other's); otherwise None, and the caller parses the whole file (the
    same answer, later). Entries (and ``@preamble`` texts) are merged in file order, then
    crossrefs are inherited and digests computed over all of them, as for one parse.
    """
    from ..parallel import SharedWork, can_fork

    start = text.find("\n@", len(text) // 2) + 1
    if start <= 0 or not can_fork() or _STRING_COMMAND.search(text):
        return None
    halves: list[Half] = [
        (text[:start], 1, shown),
        (text[start:], text.count("\n", 0, start) + 1, shown),
    ]
    done = dict(SharedWork(halves, _parse_half).collect())
    # A half the other process did not send back (it died) is parsed here.
    (data, lines, problems, digests), (second, second_lines, second_problems, more) = (
        done[index] if index in done else _parse_half(halves[index]) for index in (0, 1)
    )
    if problems or second_problems or lines.keys() & second_lines.keys():
        return None
    for key, entry in second.entries.items():
        data.add_entry(key, entry)
    data.add_to_preamble(*second.preamble_list)
    parser = LocatingParser(shown)
    parser.data = data
    parser._text = text
    parser.lines = {**lines, **second_lines}
    parser.finish({**digests, **more})
    return data, parser


def year_digits(entry: Entry) -> int | None:
    """The entry's year as an integer (the first four digits of ``year``), when it has one."""
    year = str(entry.fields.get("year", ""))
    digits = "".join(ch for ch in year if ch.isdigit())[:4]
    return int(digits) if len(digits) == 4 else None
