"""The unsafe-link check remembers clean pages between builds, and only clean pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from monograph.core.rendering import page_links
from monograph.core.rendering.page_links import CheckedPages

CLEAN = '<p>See <a href="#ref-1">1</a> and <a href="https://example.org/">this</a>.</p>'
UNSAFE = '<p><a href="javascript:alert(1)">x</a></p>'


def test_a_clean_page_is_parsed_once_across_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "checked-pages.json"
    first = CheckedPages(path)
    assert first.refuse(CLEAN) == (CLEAN, [])
    first.save()
    assert len(json.loads(path.read_text("utf-8"))["clean"]) == 1

    def must_not_parse(html: str) -> tuple[str, list[str]]:
        raise AssertionError("parsed again")

    monkeypatch.setattr(page_links, "refuse_unsafe_links", must_not_parse)
    assert CheckedPages(path).refuse(CLEAN) == (CLEAN, [])


def test_a_page_with_an_unsafe_link_is_checked_and_reported_every_time(tmp_path: Path) -> None:
    path = tmp_path / "checked-pages.json"
    for _ in range(2):
        pages = CheckedPages(path)
        assert pages.refuse(UNSAFE) == ("<p><a>x</a></p>", ["javascript:alert(1)"])
        assert pages.refuse(UNSAFE)[1] == ["javascript:alert(1)"]
        pages.save()
    assert not path.exists() or json.loads(path.read_text("utf-8"))["clean"] == []


def test_another_checker_ignores_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "checked-pages.json"
    pages = CheckedPages(path)
    pages.refuse(CLEAN)
    pages.save()
    monkeypatch.setattr(page_links, "_CHECKER", "changed-code")
    assert CheckedPages(path).known == frozenset()
    path.write_text("not json", "utf-8")
    assert CheckedPages(path).refuse(CLEAN) == (CLEAN, [])


def test_a_page_hashed_already_is_looked_up_by_that_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kept page's digest, hashed from its bytes as read, is the digest of its text."""
    path = tmp_path / "checked-pages.json"
    first = CheckedPages(path)
    first.refuse(CLEAN)
    first.save()
    digest = page_links.content_digest(CLEAN.encode("utf-8"))

    def must_not_parse(html: str) -> tuple[str, list[str]]:
        raise AssertionError("parsed again")

    monkeypatch.setattr(page_links, "refuse_unsafe_links", must_not_parse)
    assert CheckedPages(path).refuse(CLEAN, digest) == (CLEAN, [])
    monkeypatch.undo()
    # A digest of other bytes is not taken for the page's: the page is checked.
    other = page_links.content_digest(b"<p>other</p>")
    assert CheckedPages(path).refuse(UNSAFE, other)[1] == ["javascript:alert(1)"]
