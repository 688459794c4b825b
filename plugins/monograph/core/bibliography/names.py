"""Reading the names of a ``.bib`` file's ``author``/``editor`` fields as pybtex does, faster.

pybtex's ``Person(text)`` is about a third of a cold parse of a large file (0.3 s of 0.8 s at
2,000 entries and 9,600 names): each name calls ``split_tex_string`` eight times (five of them on
empty strings), and each call looks its regular expression up again (``re.compile``). This
module keeps pybtex's reading and makes it cheaper in two ways:

- a file names the same people again and again (the same authors in many entries, ``others``):
  a :class:`NameReader` reads each distinct name text once, and gives every entry its own
  ``Person`` with copies of the part lists and the errors pybtex reported for it;
- a name is split by :func:`_read_parts`, a copy of what ``Person._parse_string`` does
  (justified: pybtex's steps, with pybtex's own ``split_tex_string`` called at most three
  times instead of eight, not at all on a text it could not split; for a plain name, without
  braces, backslashes or ``~``, that splitting is ``str.split``, used instead). Name lists
  are split likewise (:func:`split_names`). A name pybtex reports an error for (three commas
  or more) is read by ``Person(text)`` itself. ``tests/unit/test_parse_names.py`` compares the
  two over many generated names, part list by part list.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pybtex.errors
from pybtex.bibtex.utils import scan_bibtex_string, split_tex_string
from pybtex.database import Person

#: The five part lists of a ``Person``, in the order pybtex's ``Person.__init__`` makes them.
PART_NAMES = ("first_names", "middle_names", "prelast_names", "last_names", "lineage_names")

#: Characters that make pybtex's splitting differ from ``str.split``: braces group words,
#: ``\ `` and an unescaped ``~`` are spaces, a backslash starts a TeX command.
_NOT_PLAIN = re.compile(r"[{}\\~]")

#: What pybtex's splitting of a name into words can split at (``\\ ``, an unescaped ``~``,
#: whitespace): a text without any is one word.
_TEX_SPACE = re.compile(r"[\s~]")

#: pybtex's separator of a name's parts (``von Last, Jr, First``), compiled once.
_COMMA = re.compile(",")

#: pybtex's separator of names in a list (``split_name_list``), compiled once.
_AND = re.compile(" [Aa][Nn][Dd] ")

#: A name read once: its five part lists (as tuples) and the errors pybtex reported.
Parts = tuple[tuple[str, ...], ...]


def split_names(value: str) -> list[str]:
    """The names of a list (``A and B``), as pybtex's ``split_name_list`` gives them.

    pybtex's ``split_tex_string(value, " [Aa][Nn][Dd] ")`` splits outside braces only. Without
    a brace, or without any `` and `` at all (one name), that is a regular expression split
    whose pieces are stripped (and an empty value gives no name); otherwise pybtex's splitting
    is used, its pattern compiled once.
    """
    if not value:
        return []
    if "{" not in value or _AND.search(value) is None:
        return [part.strip() for part in _AND.split(value)]
    return list(split_tex_string(value, _AND))


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


def _is_von_tex(word: str) -> bool:
    r"""Whether ``word`` is a "von" particle, as pybtex's ``is_von_name`` (``{\'e}mile`` is).

    A copy: pybtex defines it inside ``Person._parse_string``, where it cannot be called.
    """
    if word[0].isupper():
        return False
    if word[0].islower():
        return True
    for char, brace_level in scan_bibtex_string(word):
        if brace_level == 0 and char.isalpha():
            return bool(char.islower())
        if brace_level == 1 and char.startswith("\\"):
            return _special_char_islower(char)
    return False


def _special_char_islower(special_char: str) -> bool:
    """Whether a special character's letter is lowercase: pybtex's ``special_char_islower``.

    A copy, as :func:`_is_von_tex` (it too is inside ``Person._parse_string``).
    """
    control_sequence = True
    for char in special_char[1:]:  # skip the backslash
        if control_sequence:
            if not char.isalpha():
                control_sequence = False
        elif char.isalpha():
            return char.islower()
    return False


def _von_last(
    words: list[str], prelast: list[str], last: list[str], is_von: Callable[[str], bool]
) -> None:
    """Add ``words`` (``von Last``) to ``prelast`` and ``last`` as pybtex's ``process_von_last``.

    The last word is a last name; before it, everything up to the last "von" word is
    ``prelast``, the rest ``last``.
    """
    if len(words) > 1:
        split = 0
        for index in range(len(words) - 2, -1, -1):
            if is_von(words[index]):
                split = index + 1
                break
        prelast.extend(words[:split])
        last.extend(words[split:-1])
    last.extend(words[-1:])


def _tex_words(text: str) -> list[str]:
    r"""The words of ``text``, as pybtex's ``split_tex_string(text)``.

    Without whitespace or ``~`` (pybtex's spaces, ``\ `` included) ``text`` is one word, as
    pybtex's splitting would find (``Dvo{\v{r}}{\'a}k``); with, it is pybtex's splitting.
    """
    if _TEX_SPACE.search(text) is None:
        return [text] if text else []
    return list(split_tex_string(text))


def _read_parts(name: str, *, plain: bool) -> Parts | None:
    """The part lists ``Person(name)`` makes, or None where pybtex reports an error.

    ``name`` is stripped. This is ``Person._parse_string`` (``von Last, Jr, First``,
    ``von Last, First``, ``First von Last``) without its costs: pybtex's splitting of the name
    (``split_tex_string``) is called three times instead of eight, with its patterns compiled
    once. For a ``plain`` name (no brace, backslash or ``~``) that splitting is ``str.split``,
    which is used instead. Three commas or more is an error pybtex reports: None.
    """
    split_words: Callable[[str], list[str]]
    if plain:
        if name.count(",") > 2:
            return None
        parts = [part.strip() for part in name.split(",")]
        split_words, is_von = str.split, _is_von_plain
    else:
        parts = split_tex_string(name, _COMMA) if "," in name else [name]
        if len(parts) > 3:
            return None
        split_words, is_von = _tex_words, _is_von_tex
    first: list[str] = []
    middle: list[str] = []
    prelast: list[str] = []
    last: list[str] = []
    lineage: list[str] = []
    if len(parts) == 1:  # First von Last
        words = split_words(name)
        split = len(words)
        for index, word in enumerate(words):
            if is_von(word):
                split = index
                break
        first_middle, von_last = words[:split], words[split:]
        if not von_last and first_middle:
            von_last.append(first_middle.pop())
        _von_last(von_last, prelast, last, is_von)
    else:  # von Last, First / von Last, Jr, First
        _von_last(split_words(parts[0]), prelast, last, is_von)
        if len(parts) == 3:
            lineage.extend(split_words(parts[1]))
        first_middle = split_words(parts[-1])
    if first_middle:
        first.append(first_middle[0])
        middle.extend(first_middle[1:])
    return (tuple(first), tuple(middle), tuple(prelast), tuple(last), tuple(lineage))


def person_from_parts(parts: Parts, *, copy: bool = True) -> Person:
    """A new ``Person`` holding ``parts``: what ``Person.__init__`` sets, in its order.

    ``Person.__new__``: calling ``Person()`` would split five empty strings for nothing.
    With ``copy``, each string is a new one, as splitting the name again would make it: the
    snapshot of a parse is a pickle, which writes a string object once and then refers to it,
    so Persons sharing the reader's strings would give a different (if equivalent) snapshot.
    ``Person(text)`` makes new strings by slicing, so does ``(name + " ")[:-1]``; a
    one-character Latin-1 string is then, in both, CPython's shared one.
    """
    person = Person.__new__(Person)
    first, middle, prelast, last, lineage = parts
    if copy:
        person.first_names = [(name + " ")[:-1] for name in first]
        person.middle_names = [(name + " ")[:-1] for name in middle]
        person.prelast_names = [(name + " ")[:-1] for name in prelast]
        person.last_names = [(name + " ")[:-1] for name in last]
        person.lineage_names = [(name + " ")[:-1] for name in lineage]
    else:
        person.first_names = list(first)
        person.middle_names = list(middle)
        person.prelast_names = list(prelast)
        person.last_names = list(last)
        person.lineage_names = list(lineage)
    return person


class NameReader:
    """Reads name texts as ``Person(text)`` does, each distinct text once (one per parse)."""

    def __init__(self) -> None:
        self._read: dict[str, tuple[Parts, list[Exception]]] = {}

    def read(self, text: str) -> tuple[Person, list[Exception]]:
        """A new ``Person`` for ``text`` and the errors pybtex reports reading it."""
        known = self._read.get(text)
        if known is not None:
            parts, errors = known
            return person_from_parts(parts), list(errors)
        name = text.strip()
        read: Parts | None
        if _NOT_PLAIN.search(name) is None:
            read = _read_parts(name, plain=True)
        else:
            try:
                read = _read_parts(name, plain=False)
            except Exception:  # (100 nested braces): Person(text) raises it, as before
                read = None
        if read is None:
            with pybtex.errors.capture() as captured:
                person = Person(text)
            errors = list(captured)
            read = tuple(tuple(getattr(person, attribute)) for attribute in PART_NAMES)
        else:
            errors = []
            # The first reading's strings are new (just split): the next ones are copied.
            person = person_from_parts(read, copy=False)
        self._read[text] = (read, errors)
        return person, list(errors)
