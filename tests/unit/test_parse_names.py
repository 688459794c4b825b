"""Names read by ``core.bibliography.names`` are exactly pybtex's ``Person(text)``.

Property tests over many generated names (seeded, so a failure repeats): every part list, the
string form and the errors pybtex reports; then whole files parsed with the shortcut and with
pybtex's own name reading give the same entries, names, lines, digests and problems.
"""

from __future__ import annotations

import pickle
import random
from pathlib import Path

import pybtex.errors
import pytest
from monograph.core.bibliography import parsing
from monograph.core.bibliography.names import (
    _NOT_PLAIN,
    PART_NAMES,
    NameReader,
    _read_parts,
    _tex_words,
    person_from_parts,
    split_names,
)
from monograph.core.bibliography.parsing import PERSON_FIELDS, parse_bib
from pybtex.bibtex.utils import split_tex_string
from pybtex.database import Person
from pybtex.database.input.bibtex import Parser, split_name_list

ROOT = Path(__file__).resolve().parents[2]

#: Words a name is made of: capitalized and lowercase ("von") words, initials, lineage, words
#: starting with no letter or an uncased one, non-Latin scripts, and TeX: braces, accents,
#: commands, ``~`` and ``\ `` (pybtex's spaces), unbalanced braces.
PLAIN_WORDS = [
    "Smith", "Müller", "Ølsen", "Łukasz", "O'Brien", "Ben-David", "Jean-Pierre", "J.", "A.-M.",
    "J.H.", "Jr", "Jr.", "JR", "III", "Sr.", "von", "van", "der", "de", "la", "di", "da", "du",
    "y", "ter", "dos", "al-Rashid", "d'Artagnan", "Δημήτρης", "σοφία", "李", "明", "Иванов",
    "ǅemal", "ǆemal", "1st", "123", "-", ".", "'t", "-van", "1von", "ßtraße", "Ⓐbc", "others",
    "and", "AND", "e.", "a", "B", "_x", "étienne", "Émile", "ĳssel", "''", "x2",
]  # fmt: skip
TEX_WORDS = [
    "{Barnes and Noble}", '{\\"o}', 'M{\\"u}ller', '{\\"O}zt{\\"u}rk', "{\\AA}kesson",
    "{\\'E}mile", "{\\v{S}}imon", "{van} Gogh", "{von Neumann}", "{\\relax Ch}ristopher", "{}",
    "{a}", "{A", "B}", "\\'Emile", "\\c{C}elik", "{\\i}", "{\\ss}", "Michail~Markovitch",
    "a\\~b", "x\\ y", "{\\'\\i}", "{{\\l}}ukasz", "{\\o}rsted", "{de la} Cruz", "~", "\\",
    "Dvo{\\v{r}}{\\'a}k", "{\\aa}berg", "{\\'e}", "Qui\\~{n}onero-Candela", "}{", "{,}", "{and}",
]  # fmt: skip
SPACES = [" ", " ", " ", "  ", "\t", "\n", "\u00a0", "\x1c", "\u2009", "\u3000", " \n "]
COMMAS = [",", ", ", " ,", " , ", ",,", ",  "]


def _name(rng: random.Random, words: list[str]) -> str:
    """A name of 0 to 5 words with 0 to 4 commas (three or more: pybtex reports an error)."""
    pieces = [rng.choice(words) for _ in range(rng.randint(0, 5))]
    text = ""
    for index, piece in enumerate(pieces):
        if index:
            text += rng.choice(COMMAS) if rng.random() < 0.3 else rng.choice(SPACES)
        text += piece
    if rng.random() < 0.2:
        text = rng.choice(SPACES + COMMAS) + text
    if rng.random() < 0.2:
        text += rng.choice(SPACES + COMMAS)
    return text


def _names(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    plain = [_name(rng, PLAIN_WORDS) for _ in range(count)]
    mixed = [_name(rng, PLAIN_WORDS + TEX_WORDS) for _ in range(count)]
    fixed = ["", " ", "Smith", "Smith, John", "Smith, Jr, John", "Smith, Jr, John, Extra"]
    return fixed + plain + mixed


def _pybtex(text: str) -> tuple[object, ...]:
    """What pybtex reads: the part lists, the string form and the errors it reports."""
    with pybtex.errors.capture() as errors:
        person = Person(text)
    parts = tuple(getattr(person, attribute) for attribute in PART_NAMES)
    return parts, str(person), [(type(e), str(e)) for e in errors], list(vars(person))


def _ours(reader: NameReader, text: str) -> tuple[object, ...]:
    person, errors = reader.read(text)
    parts = tuple(getattr(person, attribute) for attribute in PART_NAMES)
    return parts, str(person), [(type(e), str(e)) for e in errors], list(vars(person))


def test_person_sets_the_five_part_lists_only() -> None:
    """``person_from_parts`` makes what ``Person.__init__`` makes (pybtex's version may change)."""
    person = Person("van der Berg, Jr, Jan Hendrik")
    assert list(vars(person)) == list(PART_NAMES)
    copy = person_from_parts(tuple(tuple(getattr(person, a)) for a in PART_NAMES))
    assert vars(copy) == vars(person)
    assert copy == person
    assert pickle.loads(pickle.dumps(copy)) == person


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_names_read_as_pybtex_reads_them(seed: int) -> None:
    reader = NameReader()
    names = _names(4000, seed)
    plain = tex = 0
    for text in names:
        expected = _pybtex(text)
        assert _ours(reader, text) == expected, text
        assert _ours(reader, text) == expected, text  # the second time, from the memo
        name = text.strip()
        is_plain = _NOT_PLAIN.search(name) is None
        parts = _read_parts(name, plain=is_plain)
        if parts is not None:
            plain += is_plain
            tex += not is_plain
            assert tuple(list(p) for p in parts) == expected[0], text
    # Both readings are exercised, not only pybtex's
    assert plain > len(names) // 3 and tex > len(names) // 5


def test_words_split_as_pybtex_splits_them() -> None:
    rng = random.Random(12)
    pieces = [*TEX_WORDS, *PLAIN_WORDS, *SPACES, "~", "\\ ", "\\~", "{", "}", "\\", ","]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 4)))
        assert _tex_words(text) == split_tex_string(text), repr(text)


def test_names_with_errors_are_left_to_pybtex() -> None:
    assert _read_parts("Smith, Jr, John, Extra", plain=True) is None  # pybtex reports it
    assert _read_parts("Smith, Jr, {John, Extra}", plain=False) is not None
    assert _read_parts("Smith, Jr, {John}, Extra", plain=False) is None
    assert _read_parts("van der Berg, Jan", plain=True) == (
        ("Jan",), (), ("van", "der"), ("Berg",), ()
    )  # fmt: skip
    # A special character decides as its letter does: {\\'E} is upper, {\\'e} lower ("von").
    for text in ("{\\'E}mile {d}e la Cruz", "{\\'e}mile {d}e la Cruz"):
        person = Person(text)
        expected = tuple(tuple(getattr(person, a)) for a in PART_NAMES)
        assert _read_parts(text, plain=False) == expected


def test_too_many_nested_braces_raise_as_in_pybtex() -> None:
    text = "{" * 102 + "x" + "}" * 102 + " van Gogh"
    with pytest.raises(Exception) as theirs:
        Person(text)
    with pytest.raises(Exception) as ours:
        NameReader().read(text)
    assert type(ours.value) is type(theirs.value) and str(ours.value) == str(theirs.value)


def test_each_reading_is_a_new_person_with_its_own_lists() -> None:
    reader = NameReader()
    first, errors = reader.read("Smith, John, Jr, Extra")
    second, again = reader.read("Smith, John, Jr, Extra")
    assert first is not second and first == second
    first.first_names.append("Changed")
    assert second.first_names != first.first_names
    assert [str(e) for e in errors] == [str(e) for e in again] and len(errors) == 1


@pytest.mark.parametrize("seed", [4, 5])
def test_name_lists_split_as_pybtex_splits_them(seed: int) -> None:
    rng = random.Random(seed)
    separators = [" and ", " AND ", " aNd ", " and", "and ", "  and  ", " {and} ", " and and "]
    names = _names(300, seed)
    for _ in range(3000):
        count = rng.randint(0, 4)
        value = "".join(
            (rng.choice(separators) if index else "") + rng.choice(names) for index in range(count)
        )
        assert split_names(value) == split_name_list(value), value


class _PybtexNames:
    """The reading the parser did before the shortcut: pybtex's ``Person`` for every name."""

    def read(self, text: str) -> tuple[Person, list[Exception]]:
        with pybtex.errors.capture() as errors:
            person = Person(text)
        return person, list(errors)


def _bib_files() -> list[Path]:
    files = [ROOT / "refs.bib", *sorted((ROOT / "tests").rglob("*.bib"))]
    return [path for path in files if path.is_file()]


def _generated_bib(seed: int) -> str:
    """Entries whose names are generated ones, some read with errors, some repeated."""
    names = [n.replace("}{", "") for n in _names(400, seed) if n.count("{") == n.count("}")]
    rng = random.Random(seed)
    entries = []
    for number in range(300):
        authors = " and ".join(rng.choice(names) or "Anon" for _ in range(rng.randint(1, 6)))
        editors = " and ".join(rng.choice(names) or "Anon" for _ in range(rng.randint(0, 2)))
        entries.append(
            f"@book{{key{number},\n  author = {{{authors}}},\n"
            + (f"  editor = {{{editors}}},\n" if editors else "")
            + f"  title = {{Title {number}}},\n  year = {{2001}}\n}}\n"
        )
    return "\n".join(entries)


def _parse_all(text: str) -> tuple[object, ...]:
    data, parser = parse_bib(text, "refs.bib")
    names = [
        (key, role, [tuple(getattr(p, a) for a in PART_NAMES) for p in persons])
        for key, entry in data.entries.items()
        for role, persons in entry.persons.items()
    ]
    fields = [(key, entry.type, list(entry.fields.items())) for key, entry in data.entries.items()]
    return (
        names,
        fields,
        [list(vars(p)) for e in data.entries.values() for ps in e.persons.values() for p in ps],
        # The snapshot's bytes: a pickle writes a shared string once, so this also checks
        # that no two Persons share the reader's strings.
        pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL),
        parser.lines,
        parser.digests,
        [(p.code, p.message, p.path, p.line) for p in parser.problems],
        data.preamble_list,
    )


def _texts() -> list[tuple[str, str]]:
    texts = [
        (str(path.relative_to(ROOT)), path.read_text(encoding="utf-8", errors="replace"))
        for path in _bib_files()
    ]
    return texts + [(f"generated-{seed}", _generated_bib(seed)) for seed in (6, 7)]


@pytest.mark.parametrize(("shown", "text"), _texts(), ids=lambda value: value[:40])
def test_whole_files_parse_as_with_pybtex_names(
    shown: str, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours = _parse_all(text)
    with monkeypatch.context() as patch:
        patch.setattr(parsing, "NameReader", _PybtexNames)
        patch.setattr(parsing, "split_names", split_name_list)
        theirs = _parse_all(text)
    assert ours == theirs


def test_generated_file_reports_names_and_matches_pybtex_parser() -> None:
    """The generated file has unreadable names, and pybtex's own parser reads the same names."""
    text = _generated_bib(8)
    data, parser = parse_bib(text, "refs.bib")
    assert any(p.code == "bib.name" for p in parser.problems)
    with pybtex.errors.capture():
        plain = Parser(person_fields=PERSON_FIELDS).parse_string(text)
    assert list(plain.entries) == list(data.entries)
    for key, entry in data.entries.items():
        theirs = plain.entries[key]
        assert list(entry.fields.items()) == list(theirs.fields.items())
        assert list(entry.persons) == list(theirs.persons)
        for role, persons in entry.persons.items():
            assert persons == theirs.persons[role]
            assert [str(p) for p in persons] == [str(p) for p in theirs.persons[role]]
