"""The JSON cache of successful external checks: time-to-live, atomic save, corrupt files."""

from __future__ import annotations

import json
from pathlib import Path

from monograph.checks.cache import LinkCache


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_after_the_time_to_live(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "deep" / "links.json"
    cache = LinkCache(path, ttl_seconds=3600, now=clock)
    cache.put("url:https://a.example/", final="https://a.example/")
    cache.save()
    clock.now += 3599
    again = LinkCache(path, ttl_seconds=3600, now=clock)
    assert again.get("url:https://a.example/") == {
        "checked": 1_000_000.0,
        "final": "https://a.example/",
    }
    assert again.hits == 1
    clock.now += 2
    assert again.get("url:https://a.example/") is None
    again.save()  # expired entries are dropped
    assert json.loads(path.read_text("utf-8"))["entries"] == {}


def test_zero_ttl_reads_nothing(tmp_path: Path) -> None:
    cache = LinkCache(tmp_path / "c.json", ttl_seconds=0)
    cache.put("doi:10.1/x")
    assert cache.get("doi:10.1/x") is None


def test_corrupt_or_foreign_files_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "links.json"
    for text in ("{not json", '{"version": 99, "entries": {"a": {"checked": 1}}}', "[]"):
        path.write_text(text, encoding="utf-8")
        cache = LinkCache(path, ttl_seconds=10)
        assert cache.entries == {}
        cache.put("pmid:1")
        cache.save()
        assert set(json.loads(path.read_text("utf-8"))["entries"]) == {"pmid:1"}
    assert [p.name for p in tmp_path.iterdir()] == ["links.json"]  # no temporary files left
