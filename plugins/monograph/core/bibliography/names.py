"""Reading the names of a ``.bib`` file's ``author``/``editor`` fields as pybtex does, faster.

pybtex's ``Person(text)`` is about a third of a cold parse of a large file (0.3 s of 0.8 s at
2,000 entries and 9,600 names): each name calls ``split_tex_string`` eight times (five of them on
empty strings), and each call looks its regular expression up again (``re.compile``). This
module keeps pybtex's reading and makes it cheaper in two ways:

- a file names the same people again and again (the same authors in many entries, ``others``):
  a :class:`NameReader` reads each distinct name text once, and gives every entry its own
  ``Person`` with copies of the part lists and the errors pybtex reported for it;
- a plain name (no braces, backslashes or ``~``, at most two commas, the common ``Last, First``
  and ``First Last``) is split by :func:`_read_plain`, a hand-written copy of what
  ``Person._parse_string`` does for such text (justified here: for text without braces,
  backslashes and ``~``, pybtex's TeX-aware splitting is a plain ``str.split``, and the copy
  avoids its per-call costs). Anything else, and any name pybtex could report an error for,
  is read by ``Person(text)`` itself. ``tests/unit/test_parse_names.py`` compares the two over
  many generated names, part list by part list.
"""

from __future__ import annotations

import re

import pybtex.errors
from pybtex.database import Person
from pybtex.database.input.bibtex import split_name_list

#: The five part lists of a ``Person``, in the order pybtex's ``Person.__init__`` makes them.
PART_NAMES = ("first_names", "middle_names", "prelast_names", "last_names", "lineage_names")

#: Characters that make pybtex's splitting differ from ``str.split``: braces group words,
#: ``\ `` and an unescaped ``~`` are spaces, a backslash starts a TeX command.
_NOT_PLAIN = re.compile(r"[{}\\~]")

#: pybtex's separator of names in a list (``split_name_list``), compiled once.
_AND = re.compile(" [Aa][Nn][Dd] ")

#: A name read once: its five part lists (as tuples) and the errors pybtex reported.
Parts = tuple[tuple[str, ...], ...]


def split_names(value: str) -> list[str]:
    """The names of a list (``A and B``), as pybtex's ``split_name_list`` gives them.

    Without a brace, pybtex's ``split_tex_string(value, " [Aa][Nn][Dd] ")`` is a regular
    expression split whose pieces are stripped (and an empty value gives no name); with one,
    pybtex's own function is used.
    """
    if "{" in value:
        return list(split_name_list(value))
    if not value:
        return []
    return [part.strip() for part in _AND.split(value)]


def _is_von_plain(word: str) -> bool:
    """Whether ``word`` is a "von" particle, as pybtex's ``is_von_name`` for plain words.

    A word starting with a lowercase letter is a "von" particle (``van``, ``de``), one starting
    with an uppercase letter is not; otherwise the first letter decides (no letter: not von).
    """
    first = word[0]
    if first.isupper():
        return False
    if first.islower():
        return True
    for char in word:
        if char.isalpha():
            return char.islower()
    return False


def _von_last(words: list[str], prelast: list[str], last: list[str]) -> None:
    """Add ``words`` (``von Last``) to ``prelast`` and ``last`` as pybtex's ``process_von_last``.

    The last word is a last name; before it, everything up to the last "von" word is
    ``prelast``, the rest ``last``.
    """
    if len(words) > 1:
        split = 0
        for index in range(len(words) - 2, -1, -1):
            if _is_von_plain(words[index]):
                split = index + 1
                break
        prelast.extend(words[:split])
        last.extend(words[split:-1])
    last.extend(words[-1:])


def _read_plain(name: str) -> Parts | None:
    """The part lists of a plain name, as ``Person(name)`` makes them, or None if not plain.

    ``name`` is stripped. Plain: no brace, backslash or ``~`` (so that pybtex's word and comma
    splitting is ``str.split``, as the property tests check) and at most two commas (three or
    more is an error pybtex reports).
    """
    if _NOT_PLAIN.search(name) is not None or name.count(",") > 2:
        return None
    first: list[str] = []
    middle: list[str] = []
    prelast: list[str] = []
    last: list[str] = []
    lineage: list[str] = []
    parts = [part.strip() for part in name.split(",")]
    if len(parts) == 1:  # First von Last
        words = name.split()
        split = len(words)
        for index, word in enumerate(words):
            if _is_von_plain(word):
                split = index
                break
        first_middle, von_last = words[:split], words[split:]
        if not von_last and first_middle:
            von_last.append(first_middle.pop())
        _von_last(von_last, prelast, last)
    else:  # von Last, First / von Last, Jr, First
        _von_last(parts[0].split(), prelast, last)
        if len(parts) == 3:
            lineage.extend(parts[1].split())
        first_middle = parts[-1].split()
    if first_middle:
        first.append(first_middle[0])
        middle.extend(first_middle[1:])
    return (tuple(first), tuple(middle), tuple(prelast), tuple(last), tuple(lineage))


def _fresh(text: str) -> str:
    """A new string equal to ``text``, as splitting a name again would make it.

    The snapshot of a parse is a pickle, which writes a string object once and then refers to
    it: Persons sharing the memo's strings would give a different (if equivalent) snapshot.
    ``Person(text)`` makes new strings by slicing, so does this; a one-character Latin-1
    string is then, in both, CPython's shared one.
    """
    return (text + " ")[:-1]


def person_from_parts(parts: Parts) -> Person:
    """A new ``Person`` holding new copies of ``parts``: what ``Person.__init__`` sets.

    ``Person.__new__``: calling ``Person()`` would split five empty strings for nothing.
    """
    person = Person.__new__(Person)
    for attribute, names in zip(PART_NAMES, parts, strict=True):
        setattr(person, attribute, [_fresh(name) for name in names])
    return person


class NameReader:
    """Reads name texts as ``Person(text)`` does, each distinct text once (one per parse)."""

    def __init__(self) -> None:
        self._read: dict[str, tuple[Parts, list[Exception]]] = {}

    def read(self, text: str) -> tuple[Person, list[Exception]]:
        """A new ``Person`` for ``text`` and the errors pybtex reports reading it."""
        known = self._read.get(text)
        if known is None:
            parts = _read_plain(text.strip())
            errors: list[Exception] = []
            if parts is None:
                with pybtex.errors.capture() as captured:
                    person = Person(text)
                errors = list(captured)
                parts = tuple(tuple(getattr(person, attribute)) for attribute in PART_NAMES)
            known = self._read[text] = (parts, errors)
        parts, errors = known
        return person_from_parts(parts), list(errors)
