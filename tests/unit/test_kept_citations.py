"""Citations read by one build, kept in the cache folder and taken by the next."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import markdown
import pytest
from monograph import extension
from monograph.core.citations.kept import KeptCitations
from monograph.core.model import CitationGroup
from monograph.extension import CitationExtension

PAGES = [
    "A [@a] and [see *also* @b, p. `12`] and @c [ch. 2]; not [x@y] nor [@d](https://e.org).",
    "Again [@a], @e, and [-@f; @g, pp. 3-4].",
]


class Sink:
    def __init__(self) -> None:
        self.groups: list[CitationGroup] = []

    def cite(self, group: CitationGroup) -> str:
        self.groups.append(group)
        return f"{{CITE {len(self.groups) - 1}}}"

    def marker(self, name: str, source: str) -> str:
        return ""

    def misplaced_marker(self, name: str, source: str) -> None:
        pass


def build(path: Path | None, pages: list[str], engine: str = "e1") -> list[object]:
    """Convert the pages as a build does (one extension, a Markdown per page); keep citations."""
    ext = CitationExtension()
    ext.keep_in(path, engine)
    results: list[object] = []
    for page in pages:
        ext.sink = sink = Sink()
        results.append((markdown.Markdown(extensions=[ext]).convert(page), sink.groups))
    ext.save_kept()
    return results


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsing refused, but for a text holding the page's own placeholders (a code span)."""

    def refusing(parse: Any) -> Any:
        def refuse(*args: str | None, source: str = "") -> CitationGroup | None:
            assert "\x02" in source, f"{source!r} was kept, yet read again"
            return parse(*args, source=source)  # type: ignore[no-any-return]

        return refuse

    monkeypatch.setattr(extension, "parse_bracketed", refusing(extension.parse_bracketed))
    monkeypatch.setattr(extension, "parse_narrative", refusing(extension.parse_narrative))


def test_a_build_takes_the_citations_the_last_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "citations" / "site.pickle"
    first = build(path, PAGES)
    assert path.is_file()
    with monkeypatch.context() as patched:
        no_parsing(patched)
        assert build(path, PAGES) == first  # the same pages and citations, none parsed
    assert build(None, PAGES) == first  # and the same as without any file


def test_only_what_a_build_used_is_written_and_only_when_it_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "site.pickle"
    build(path, PAGES)
    written = path.read_bytes()
    build(path, PAGES)
    assert path.read_bytes() == written  # nothing new: not written again
    build(path, PAGES[1:])  # a page removed: its citations are no longer kept
    kept = KeptCitations(path, f"e1/markdown-{markdown.__version__}").read()
    assert set(kept["_BracketCitation"]) == {"[@a]", "[-@f; @g, pp. 3-4]"}
    assert set(kept["_NarrativeCitation"]) == {"@e"}
    with monkeypatch.context() as patched:
        no_parsing(patched)
        build(path, PAGES[1:])


@pytest.mark.parametrize("content", [b"", b"not a pickle", None])
def test_a_file_of_another_engine_or_unreadable_is_not_taken(
    tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "site.pickle"
    first = build(path, PAGES, engine="old")
    if content is not None:
        path.write_bytes(content)
    calls = []
    original = extension.parse_bracketed

    def counting(body: str, *, source: str = "") -> CitationGroup | None:
        calls.append(body)
        return original.__wrapped__(body, source=source)  # type: ignore[attr-defined]

    extension.parse_bracketed = counting  # type: ignore[assignment]
    try:
        assert build(path, PAGES, engine="new") == first
    finally:
        extension.parse_bracketed = original
    assert len(calls) >= 4  # read again from the pages
    assert build(path, PAGES, engine="new") == first  # and kept for the new engine


def test_kept_narrative_citations_are_not_taken_when_they_are_switched_off(
    tmp_path: Path,
) -> None:
    path = tmp_path / "site.pickle"
    build(path, PAGES)
    ext = CitationExtension()
    ext.keep_in(path, "e1")
    ext.narrative = False
    ext.sink = sink = Sink()
    markdown.Markdown(extensions=[ext]).convert(PAGES[0])
    assert [g.keys for g in sink.groups] == [("a",), ("b",)]
