"""Entries formatted ahead in a second process give what formatting in-process gives.

The second process (:mod:`monograph.core.styles.ahead`) only fills the formatter's memory, so
each test formats the same bibliography both ways and compares reference by reference, and the
problems a style reports, and what happens when the child dies before it sends anything.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from monograph.core import parallel
from monograph.core.bibliography.loading import Bibliography, load_bibliography
from monograph.core.model import Problem
from monograph.core.styles import ahead
from monograph.core.styles import formatter as references
from monograph.core.styles.base import FormattedReference
from monograph.core.styles.builtin import VancouverReferences
from monograph.core.styles.formatter import ReferenceFormatter

ENTRIES = 90  # more than ahead.MIN_ENTRIES


def _bib_text(count: int) -> str:
    """Entries of several kinds: articles with and without a DOI, books with editors, accents."""
    out = []
    for n in range(count):
        if n % 3 == 0:
            out.append(
                f'@article{{art{n},\n  author = {{M{{\\"u}}ller, Anna and Roe, R. and Doe, J.}},\n'
                f"  title = {{Trial number {n} of iron}},\n  journal = {{Sleep Med}},\n"
                f"  year = {{{2000 + n % 20}}},\n  volume = {{{n}}},\n  pages = {{{n}--{n + 9}}},\n"
                f"  doi = {{10.1000/test.{n}}},\n}}\n"
            )
        elif n % 3 == 1:
            out.append(
                f"@book{{book{n},\n  editor = {{Smith, Jane}},\n  title = {{Handbook {n}}},\n"
                f"  publisher = {{Press}},\n  address = {{Oxford}},\n  year = {{2010}},\n}}\n"
            )
        else:
            out.append(
                f"@misc{{web{n},\n  title = {{Page {n} \\emph{{online}}}},\n"
                f"  url = {{https://example.org/{n}}},\n  year = {{2021}},\n}}\n"
            )
    return "".join(out)


@pytest.fixture
def bib(tmp_path: Path) -> Bibliography:
    path = tmp_path / "refs.bib"
    path.write_text(_bib_text(ENTRIES), encoding="utf-8")
    return load_bibliography(path, "refs.bib")


@pytest.fixture(autouse=True)
def fresh_memory(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As in a new process; a fork is tried whatever this machine's CPU count."""
    references._MEMORY.clear()
    references._MEMORY_PROBLEMS.clear()
    monkeypatch.setattr(parallel, "cpus", lambda: 2)
    yield
    references._MEMORY.clear()
    references._MEMORY_PROBLEMS.clear()


def _in_process(bib: Bibliography, style: object) -> dict[str, FormattedReference]:
    formatter = ReferenceFormatter(bib, style=style)  # type: ignore[arg-type]
    result = {key: formatter.get(key) for key in bib}
    references._MEMORY.clear()
    references._MEMORY_PROBLEMS.clear()
    return result


def test_vancouver_references_formatted_ahead_equal_those_formatted_in_process(
    bib: Bibliography,
) -> None:
    expected = _in_process(bib, VancouverReferences())
    formatter = ReferenceFormatter(bib, style=VancouverReferences())
    assert formatter.format_ahead() is True
    got = {key: formatter.get(key) for key in bib}
    assert got == expected
    assert formatter.formatted == ENTRIES  # each entry formatted once, by one of the processes
    assert formatter.style.problems == []


class _Reporting(VancouverReferences):
    """Vancouver that reports a problem for every fifth entry, and can die in the child."""

    def __init__(self, die_in_child: str | None = None) -> None:
        super().__init__()
        self.parent = os.getpid()
        self.die_in_child = die_in_child

    def format_entry(self, bib: Bibliography, key: str) -> FormattedReference:
        if key == self.die_in_child and os.getpid() != self.parent:
            os._exit(3)  # the child ends without sending anything
        if int(key.lstrip("abcdefghijklmnopqrstuvwxyz")) % 5 == 0:
            self.problems.append(
                Problem("style.test", f"{key}: cannot print", bib.path_of(key), bib.line_of(key))
            )
        return super().format_entry(bib, key)


def _problems(style: VancouverReferences) -> list[tuple[str, str, int | None]]:
    return sorted((p.code, p.message, p.line) for p in style.problems)


def test_problems_come_back_for_cited_entries_only(bib: Bibliography) -> None:
    cited: Sequence[str] = ["art0", "book1", "web5", "art9", "book10"]
    style = _Reporting()
    formatter = ReferenceFormatter(bib, style=style)
    assert formatter.format_ahead() is True
    for key in cited:
        formatter.get(key)
    assert _problems(style) == [
        ("style.test", "art0: cannot print", bib.line_of("art0")),
        ("style.test", "book10: cannot print", bib.line_of("book10")),
        ("style.test", "web5: cannot print", bib.line_of("web5")),
    ]
    reference = _Reporting()
    plain = ReferenceFormatter(bib, style=reference)
    for key in cited:
        plain.get(key)
    assert _problems(style) == _problems(reference)


def test_a_child_that_dies_leaves_the_formatting_to_the_build(bib: Bibliography) -> None:
    expected = _in_process(bib, VancouverReferences())
    formatter = ReferenceFormatter(bib, style=_Reporting(die_in_child="art3"))
    assert formatter.format_ahead() is True
    got = {key: formatter.get(key) for key in bib}
    assert got == expected


def test_no_second_process_when_it_cannot_help(
    bib: Bibliography, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A style whose references depend on the other works (CSL) formats after numbering.
    style = VancouverReferences()
    monkeypatch.setattr(style, "formats_alone", False)
    assert ReferenceFormatter(bib, style=style).format_ahead() is False
    # Everything already in the cache file: nothing to format.
    cache = tmp_path / "references.json"
    warm = ReferenceFormatter(bib, cache, style=VancouverReferences())
    for key in bib:
        warm.get(key)
    warm.save()
    references._MEMORY.clear()
    assert ReferenceFormatter(bib, cache, style=VancouverReferences()).format_ahead() is False
    # One CPU, or a second thread running (mkdocs serve): in-process.
    references._MEMORY.clear()
    monkeypatch.setattr(parallel, "cpus", lambda: 1)
    assert ReferenceFormatter(bib, style=VancouverReferences()).format_ahead() is False
    monkeypatch.setattr(parallel, "cpus", lambda: 2)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 2)
    assert ReferenceFormatter(bib, style=VancouverReferences()).format_ahead() is False


def test_a_small_bibliography_is_formatted_in_process(tmp_path: Path) -> None:
    path = tmp_path / "small.bib"
    path.write_text(_bib_text(ahead.MIN_ENTRIES - 1), encoding="utf-8")
    small = load_bibliography(path, "small.bib")
    assert ReferenceFormatter(small, style=VancouverReferences()).format_ahead() is False


def test_entries_formatted_ahead_are_kept_so_the_next_build_starts_no_process(
    bib: Bibliography, tmp_path: Path
) -> None:
    cache = tmp_path / "references.json"
    first = ReferenceFormatter(bib, cache, style=VancouverReferences())
    assert first.format_ahead() is True
    cited = ["art0", "book1", "web2"]
    expected = {key: first.get(key) for key in cited}
    first.save()
    references._MEMORY.clear()  # a new process: only the cache file is left
    references._MEMORY_PROBLEMS.clear()
    second = ReferenceFormatter(bib, cache, style=VancouverReferences())
    assert second.format_ahead() is False  # uncited entries too are in the file
    assert {key: second.get(key) for key in cited} == expected
    assert second.get("art87") == _in_process(bib, VancouverReferences())["art87"]
    assert second.formatted == 0


def test_a_build_that_asks_for_no_reference_still_ends_the_second_process(
    bib: Bibliography, tmp_path: Path
) -> None:
    formatter = ReferenceFormatter(bib, tmp_path / "references.json", style=VancouverReferences())
    assert formatter.format_ahead() is True
    formatter.save()  # no get(): the entries are taken, kept and the child is gone
    assert formatter._ahead is None
    assert formatter.formatted == ENTRIES
    references._MEMORY.clear()
    assert ReferenceFormatter(bib, tmp_path / "references.json").format_ahead() is False


@pytest.mark.parametrize("child_dies", [False, True])
def test_a_deferred_parse_is_finished_once_by_either_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, child_dies: bool
) -> None:
    """A deferred load's checks and snapshot are the child's first job; done by the build when
    the child sends nothing back."""
    from monograph.core.bibliography.checks import check_bibliography

    path = tmp_path / "refs.bib"
    path.write_text(_bib_text(ENTRIES) + "@article{bare, title = {T}}\n", encoding="utf-8")
    cache = tmp_path / "cache"
    bib = load_bibliography(path, "refs.bib", cache, prepare=check_bibliography, defer=True)
    assert bib.pending and bib.checked is None and not list(cache.glob("*.json"))
    if child_dies:  # it ends before it does or sends anything
        monkeypatch.setattr(parallel.SharedWork, "_child", lambda self, sender: os._exit(1))
    formatter = ReferenceFormatter(bib)
    assert formatter.format_ahead() is True and formatter.finishes_parse
    formatter.take_ahead()
    assert not bib.pending
    assert bib.checked is not None
    assert any(p.code == "cite.missing_field" and "'bare'" in p.message for p in bib.checked)
    assert len(list(cache.glob("bibliography-*.json"))) == 1  # written by one of the two
    assert bib.finish_parse() == bib.checked  # nothing left to do
