"""One page's front matter as both page contexts read it (``core/page.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml
from monograph.core.bibliography.loading import Bibliography, load_bibliography
from monograph.core.markers import MARKERS
from monograph.core.page import read_page_front_matter, render_page_table, unplaced_data

PAGE = """\
---
title: Valerian
reviewed: 2026-11-24
evidence_caveat: "One small trial."
evidence:
  - cite: [cuellar2009]
    design: rct
    population: "Adults with RLS"
    participants: 37
    intervention: "Valerian 800 mg daily"
    comparator: "Placebo"
    duration: "8 weeks"
    outcomes: "IRLS"
    result: no-difference
    finding: "No difference from placebo was reported."
    applies_to: condition
    question: effect
    record: verified
---

# Valerian
"""


@pytest.fixture
def bib(tmp_path: Path) -> Bibliography:
    path = tmp_path / "refs.bib"
    path.write_text(
        "@article{cuellar2009, author = {Cuellar, N}, title = {T}, journal = {J}, year = {2009}}",
        encoding="utf-8",
    )
    return load_bibliography(path, "refs.bib")


def _meta(source: str) -> dict[str, object]:
    return dict(yaml.safe_load(source.split("---\n")[1]))


def test_a_valid_page_gives_its_evidence_and_date(bib: Bibliography) -> None:
    front = read_page_front_matter(
        _meta(PAGE), source=PAGE, path="docs/v.md", bib=bib, require_reviewed=True
    )
    assert front.problems == []
    assert front.reviewed == dt.date(2026, 11, 24)
    assert front.evidence is not None and len(front.evidence.rows) == 1
    # The data has no marker on the page: one problem at the line of its key.
    [problem] = unplaced_data(front.evidence, source=PAGE, path="docs/v.md", markers_seen=())
    assert (problem.code, problem.path, problem.line) == ("evidence.unplaced", "docs/v.md", 5)
    assert unplaced_data(front.evidence, source=PAGE, path=None, markers_seen={"evidence"}) == []


def test_problems_in_order_and_without_a_path_when_the_page_has_no_file(
    bib: Bibliography,
) -> None:
    source = (
        PAGE.replace("title: Valerian\n", "title: Valerian\ntitle: Twice\n")
        .replace("reviewed: 2026-11-24", "reviewed: 24 November")
        .replace("[cuellar2009]", "[cuellar2090]")
    )
    meta = _meta(source)
    with_file = read_page_front_matter(
        meta, source=source, path="docs/v.md", bib=bib, require_reviewed=False
    )
    assert [(p.code, p.path, p.line) for p in with_file.problems] == [
        ("page.front_matter", "docs/v.md", 3),  # title twice,
        ("evidence.unknown_key", "docs/v.md", 7),
        ("page.reviewed", "docs/v.md", 4),
    ]
    # Plain Python-Markdown: no file, no comparison of the YAML text (the caller read it).
    alone = read_page_front_matter(meta, source=source, path=None, bib=bib, require_reviewed=False)
    assert [(p.code, p.path, p.line) for p in alone.problems] == [
        ("evidence.unknown_key", None, 7),
        ("page.reviewed", None, 4),
    ]
    assert alone.reviewed is None


def test_a_missing_date_is_a_problem_only_when_required(bib: Bibliography) -> None:
    source = PAGE.replace("reviewed: 2026-11-24\n", "")
    for require, codes in ((False, []), (True, ["page.reviewed"])):
        front = read_page_front_matter(
            _meta(source), source=source, path="docs/v.md", bib=bib, require_reviewed=require
        )
        assert [p.code for p in front.problems] == codes


def test_a_page_table_renders_says_missing_or_stays_silent_on_broken_data(
    bib: Bibliography,
) -> None:
    front = read_page_front_matter(
        _meta(PAGE), source=PAGE, path="docs/v.md", bib=bib, require_reviewed=False
    )
    cited: list[tuple[str, ...]] = []

    def cite(keys: Sequence[str]) -> str:
        cited.append(tuple(keys))
        return "[1]"

    table = render_page_table(
        MARKERS["evidence"], front.evidence, broken=False, cite=cite, year_of=bib.year_of
    )
    assert table is not None and "<table" in table and cited == [("cuellar2009",)]
    claims = MARKERS["claims"]
    assert (
        render_page_table(claims, front.evidence, broken=False, cite=cite, year_of=bib.year_of)
        is None
    )
    assert render_page_table(claims, None, broken=False, cite=cite, year_of=bib.year_of) is None
    assert render_page_table(claims, None, broken=True, cite=cite, year_of=bib.year_of) == ""
