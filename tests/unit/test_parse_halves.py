"""A large .bib parsed in two halves at once gives exactly the parse of the whole file."""

from __future__ import annotations

import pickle

import pytest
from monograph.core import parallel
from monograph.core.bibliography import parsing
from monograph.core.bibliography.parsing import parse_bib

ENTRIES = 120


def _entry(number: int) -> str:
    extra = ""
    if number == 100:  # in the second half, its parent in the first
        extra = "  crossref = {book5},\n"
    if number == 10:  # in the first half, its parent in the second (digests after the merge)
        extra = "  crossref = {paper110},\n"
    if number == 101:  # BibLaTeX's names of fields
        extra = "  journaltitle = {Sleep Med},\n  date = {2021-04},\n"
    return (
        f"@article{{paper{number},\n"
        f'  author  = {{M{{\\"u}}ller{number}, Anna and van der Berg, J. H. and others}},\n'
        f"  title   = {{Study {number} of {{RLS}} and iron: a trial}},\n"
        f"  journal = {{Leg J}},\n  year = {{{1990 + number % 30}}},\n"
        f"  volume  = {{{number}}},\n  pages = {{{number}--{number + 9}}},\n{extra}}}\n\n"
    )


def _books() -> str:
    return "".join(
        f"@book{{book{n},\n  editor = {{Roe, Ann}},\n  title = {{Book {n}}},\n"
        f"  publisher = {{P}},\n  year = {{2001}}\n}}\n\n"
        for n in range(10)
    )


def _text(*, middle: str = "", end: str = "") -> str:
    first = "".join(_entry(n) for n in range(ENTRIES // 2))
    second = "".join(_entry(n) for n in range(ENTRIES // 2, ENTRIES))
    return "% comment line\n" + _books() + first + middle + second + end


def _parse(text: str, *, parallel: bool) -> tuple[object, ...]:
    data, parser = parse_bib(text, "refs.bib", parallel=parallel)
    return (
        list(data.entries),
        pickle.dumps(data),  # every field, name and preamble, in order
        parser.lines,
        parser.digests,
        [str(p) for p in parser.problems],
    )


@pytest.fixture(autouse=True)
def forking(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Split whatever the size, fork whatever this machine has; count the halves' forks."""
    monkeypatch.setattr(parsing, "SPLIT_MIN_CHARS", 0)
    monkeypatch.setattr(parallel, "cpus", lambda: 2)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)
    forks: list[int] = []
    original = parallel.SharedWork.__init__

    def spy(self: object, jobs: list[object], *args: object) -> None:
        forks.append(len(jobs))
        original(self, jobs, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel.SharedWork, "__init__", spy)
    return forks


def test_a_clean_file_is_split_and_parsed_the_same(forking: list[int]) -> None:
    text = _text(end='@preamble{ "\\newcommand{\\noopsort}[1]{}" }\n')
    assert _parse(text, parallel=True) == _parse(text, parallel=False)
    assert parsing._parse_in_halves(text, "refs.bib") is not None
    assert forking == [2, 2]
    data, parser = parse_bib(text, "refs.bib", parallel=True)
    assert parser.lines["paper100"] > parser.lines["paper10"]  # lines of the file, not the half
    assert data.entries["paper100"].fields["booktitle"] == "Book 5"  # crossref across halves


@pytest.mark.parametrize(
    ("middle", "end"),
    [
        ("@string{lj = {Leg Journal}}\n\n", ""),  # a macro one half could use
        ("", "@article{broken, title = {No closing brace}\n"),  # an error: lines of its half
        ("", "@article{paper3, title = {Again}}\n"),  # a key in both halves
    ],
    ids=["string-macro", "syntax-error", "key-in-both-halves"],
)
def test_a_file_the_halves_cannot_read_alike_is_parsed_whole(middle: str, end: str) -> None:
    text = _text(middle=middle, end=end)
    assert parsing._parse_in_halves(text, "refs.bib") is None
    assert _parse(text, parallel=True) == _parse(text, parallel=False)


def test_an_at_sign_opening_a_line_inside_a_field_is_no_boundary() -> None:
    """The halves would meet at the first line starting with '@' after the middle: here it is
    inside an abstract, so the first half ends in an unfinished entry and the file is parsed
    whole."""
    inside = "@misc{quoted,\n  abstract = {" + "words " * 8000 + "\n@article{ in the text.}\n}\n\n"
    text = _text(middle=inside)
    start = text.find("\n@", len(text) // 2) + 1
    assert text[start:].startswith("@article{ in the text.}")
    assert parsing._parse_in_halves(text, "refs.bib") is None
    assert _parse(text, parallel=True) == _parse(text, parallel=False)


def test_a_half_the_other_process_did_not_send_is_parsed_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parallel.SharedWork, "collect", lambda self: [])
    text = _text()
    assert parsing._parse_in_halves(text, "refs.bib") is not None
    assert _parse(text, parallel=True) == _parse(text, parallel=False)


def test_no_split_without_a_fork(monkeypatch: pytest.MonkeyPatch, forking: list[int]) -> None:
    monkeypatch.setattr(parallel, "cpus", lambda: 1)
    text = _text()
    assert _parse(text, parallel=True) == _parse(text, parallel=False)
    assert forking == []
