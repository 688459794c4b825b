"""A CSL style's decisions about a build's works are kept, so a warm build starts no processor.

``CslStyle.prepare`` orders the works, letters them (``2019a``/``2019b``) and finds entries it
cannot print. With a cache folder, that is kept under a hash of the style and of the works in
number order with their entries' digests; an unchanged build reads it back and neither converts
an entry nor starts citeproc, until a reference or citation text is missing from the caches.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from monograph.core.bibliography import loading
from monograph.core.bibliography.loading import Bibliography, load_bibliography
from monograph.core.model import CitationGroup, CitationItem
from monograph.core.styles import formatter as references
from monograph.core.styles.base import CitedItem
from monograph.core.styles.csl import CslStyle
from monograph.core.styles.formatter import ReferenceFormatter
from monograph.core.styles.registry import load_style

BIB = r"""
@article{lee2021b, author = {Lee, Ann}, title = {Later}, journal = {J}, year = {2021}}
@article{lee2021a, author = {Lee, Ann}, title = {Earlier}, journal = {J}, year = {2021}}
@book{ok2000, author = {{World Health Organization}}, title = {Guide}, publisher = {WHO},
  year = {2000}}
@misc{bare,
  note = {Only a note.}
}
"""
KEYS = ["lee2021b", "ok2000", "bare", "lee2021a"]  # number order


@pytest.fixture(autouse=True)
def _no_formatted_references_left_behind() -> Iterator[None]:
    """The process-wide memory of formatted references, emptied after each test.

    A reference found there is not written to the cache file, so one left behind would make
    another test's cold build write less than it formats.
    """
    yield
    references._MEMORY.clear()


def _bib(tmp_path: Path, text: str = BIB) -> Bibliography:
    """The bibliography as a fresh process reads it: from the snapshot when there is one."""
    path = tmp_path / "refs.bib"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    loading._CACHE.clear()
    return load_bibliography(path, "refs.bib", tmp_path / "cache")


def _style(tmp_path: Path, name: str = "apa") -> CslStyle:
    style = load_style(name, base_dir=tmp_path, cache_dir=tmp_path / "cache")
    assert isinstance(style, CslStyle)
    return style


def _cite(style: CslStyle, key: str, number: int, **item: str) -> str:
    cited = CitedItem(key, CitationItem(key, **item), number)
    styled = style.render_citation(CitationGroup((cited.item,)), [cited])
    assert styled is not None
    return "".join(
        part if isinstance(part, str) else f"<a>{part.html}</a>" for part in styled.parts
    )  # type: ignore[union-attr]


def _build(tmp_path: Path, style: CslStyle, bib: Bibliography) -> dict[str, object]:
    """What a build shows of the style: list order, letters, texts, problems."""
    references._MEMORY.clear()  # as in a new process (other tests format the same entries)
    style.prepare(bib, KEYS)
    formatter = ReferenceFormatter(bib, tmp_path / "cache" / "references.json", style=style)
    shown = {
        "order": style.order(KEYS, {key: n for n, key in enumerate(KEYS, start=1)}),
        "letters": {key: style.entry_context(key) for key in KEYS},
        "references": {key: formatter.get(key).html for key in KEYS},
        "citations": [
            _cite(style, "lee2021a", 4, locator="p. 3"),
            _cite(style, "lee2021b", 1, prefix="see"),
        ],
        "problems": [(p.code, p.message, p.path, p.line) for p in style.problems],
    }
    formatter.save()
    return shown


def test_a_warm_prepare_starts_no_processor_and_reads_no_entry(tmp_path: Path) -> None:
    cold = _build(tmp_path, _style(tmp_path), _bib(tmp_path))
    assert cold["letters"] == {"lee2021a": "a", "lee2021b": "b", "ok2000": "", "bare": ""}
    assert cold["problems"][0][3] == BIB.count("\n", 0, BIB.index("@misc{bare")) + 1  # type: ignore[index]

    bib = _bib(tmp_path)
    assert bib._data is None  # read from the snapshot: no pybtex entry loaded yet
    style = _style(tmp_path)
    style.prepare(bib, KEYS)
    assert bib._data is None and style._back is None  # the processor is not even loaded
    warm = _build(tmp_path, style, bib)
    assert warm == cold
    assert bib._data is None and style._back is None  # every text came from the caches


def test_a_text_missing_from_the_caches_starts_the_processor_as_before(tmp_path: Path) -> None:
    cold = _build(tmp_path, _style(tmp_path), _bib(tmp_path))
    (tmp_path / "cache" / "references.json").unlink()  # references and citation texts lost
    bib = _bib(tmp_path)
    style = _style(tmp_path)
    assert _build(tmp_path, style, bib) == cold
    assert style._back is not None and style._back._engine is not None  # made on the first miss


def test_problems_are_reported_on_every_build_at_the_entrys_current_line(tmp_path: Path) -> None:
    _build(tmp_path, _style(tmp_path), _bib(tmp_path))
    # An uncited entry added above: the cited works and their digests are the same, so the
    # kept record is used, but the entry it reports has moved.
    moved = "@misc{unused, title = {Not cited}, year = {1999}}\n" + BIB
    warm = _build(tmp_path, style := _style(tmp_path), _bib(tmp_path, moved))
    assert style._back is None
    assert warm["problems"] == [
        (
            "cite.style",
            "entry 'bare' has none of the fields a CSL style prints (author or editor, title, "
            "date, publisher, DOI or URL); add them from the source record",
            "refs.bib",
            moved.count("\n", 0, moved.index("@misc{bare")) + 1,
        )
    ]


def test_changed_works_are_prepared_again(tmp_path: Path) -> None:
    _build(tmp_path, _style(tmp_path), _bib(tmp_path))
    # A changed entry (its digest) is prepared again, as a build without a cache would.
    changed = BIB.replace("{Later}", "{Later still}")
    shown = _build(tmp_path, _style(tmp_path), _bib(tmp_path, changed))
    fresh_dir = tmp_path / "fresh"
    fresh_dir.mkdir()
    fresh = _build(fresh_dir, _style(fresh_dir), _bib(fresh_dir, changed))
    assert shown == fresh
    assert len(list((tmp_path / "cache" / "csl-prepared").glob("*.json"))) == 2
    # Another style never takes this one's record.
    nature = _build(tmp_path, _style(tmp_path, "nature"), _bib(tmp_path, changed))
    assert nature["order"] == KEYS and nature["letters"] == dict.fromkeys(KEYS, "")
    assert len(list((tmp_path / "cache" / "csl-prepared").glob("*.json"))) == 3


def test_an_unreadable_record_is_decided_again(tmp_path: Path) -> None:
    cold = _build(tmp_path, _style(tmp_path), _bib(tmp_path))
    (record,) = (tmp_path / "cache" / "csl-prepared").glob("*.json")
    for broken in ("{not json", json.dumps({"order": "lee2021a"}), "[]"):
        record.write_text(broken, encoding="utf-8")
        style = _style(tmp_path)
        assert _build(tmp_path, style, _bib(tmp_path)) == cold
        assert style._built  # the decisions were made again (and kept again)
        assert json.loads(record.read_text(encoding="utf-8"))["suffix"] == {
            "lee2021a": "a",
            "lee2021b": "b",
        }


def test_what_was_read_of_a_style_is_kept_and_taken_without_the_processor(
    tmp_path: Path,
) -> None:
    """A warm build takes the style's file as read (lxml) and checked (citeproc) from the cache.

    Only a usable file is kept, under its bytes: an edited file is read again, and a kept
    record of the wrong shape is ignored.
    """
    from monograph.core.model import CoreError
    from monograph.core.styles.csl_processor import read_csl

    shipped = Path(read_csl.__code__.co_filename).parent / "csl" / "apa.csl"
    path = tmp_path / "mine.csl"
    path.write_bytes(shipped.read_bytes())

    def load() -> CslStyle:
        style = load_style(csl_file="mine.csl", base_dir=tmp_path, cache_dir=tmp_path / "cache")
        assert isinstance(style, CslStyle)
        return style

    read = load()
    assert read._back is not None  # read and checked by the processor
    (record,) = (tmp_path / "cache" / "csl-read").glob("*.json")
    kept = load()
    assert kept._back is None
    assert (kept.info, kept.version, kept.kind) == (read.info, read.version, read.kind)
    assert read.info.xml == read_csl(shipped.read_bytes(), "mine.csl").xml
    assert _build(tmp_path, kept, _bib(tmp_path)) == _build(tmp_path, read, _bib(tmp_path))

    for broken in ("{not json", json.dumps({"info": {}, "processor": "0"}), "[]"):
        record.write_text(broken, encoding="utf-8")
        again = load()
        assert again._back is not None and again.info == read.info
        assert json.loads(record.read_text(encoding="utf-8"))["info"]["title"] == read.info.title

    path.write_bytes(shipped.read_bytes().replace(b"disambiguate-add-year-suffix", b"x-none"))
    edited = load()
    assert edited._back is not None and not edited.info.year_suffix
    assert edited.version != read.version
    assert len(list((tmp_path / "cache" / "csl-read").glob("*.json"))) == 2

    path.write_bytes(b"<style>not CSL</style>")
    for _ in range(2):  # refused every time: nothing kept of it
        with pytest.raises(CoreError, match=r"mine\.csl:1: not a CSL style"):
            load()
    assert len(list((tmp_path / "cache" / "csl-read").glob("*.json"))) == 2
