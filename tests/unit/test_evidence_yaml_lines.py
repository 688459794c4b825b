"""Front-matter line lookup and detection of front matter that MkDocs dropped."""

from __future__ import annotations

import pytest
from monograph.core.source.yaml_lines import (
    dotted_path,
    duplicate_keys,
    front_matter_lines,
    front_matter_problem,
    has_dropped_front_matter,
    line_of,
)

SOURCE = """\
---
title: Iron
evidence_caveat: >-
  Ten short trials,
  marked heterogeneity.
evidence:
  - cite: [trotti2019, bang2018]
    design: systematic-review
  - cite:
      - connor2017
    design: narrative-review
claims:
- claim: "x"
---

# Iron
"""


def test_every_path_maps_to_its_line() -> None:
    assert front_matter_lines(SOURCE) == {
        (): 1,
        ("title",): 2,
        ("evidence_caveat",): 3,
        ("evidence",): 6,
        ("evidence", 0): 7,
        ("evidence", 0, "cite"): 7,
        ("evidence", 0, "cite", 0): 7,
        ("evidence", 0, "cite", 1): 7,
        ("evidence", 0, "design"): 8,
        ("evidence", 1): 9,
        ("evidence", 1, "cite"): 9,
        ("evidence", 1, "cite", 0): 10,
        ("evidence", 1, "design"): 11,
        ("claims",): 12,
        ("claims", 0): 13,
        ("claims", 0, "claim"): 13,
    }


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("# No front matter\n", id="none"),
        pytest.param("---\ntitle: [unclosed\n---\n", id="bad-yaml"),
        pytest.param("---\ntitle: x\n", id="never-closed"),
        pytest.param("", id="empty-file"),
    ],
)
def test_no_lines_without_valid_front_matter(source: str) -> None:
    assert front_matter_lines(source) == {}


def test_empty_front_matter_has_only_the_opening_line() -> None:
    assert front_matter_lines("---\n\n---\nText\n") == {(): 1}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("evidence", 1, "design"), 11),
        (("evidence", 1, "population"), 9),  # missing field: its row
        (("evidence", 5, "design"), 6),  # missing row: the list
        (("absent",), 1),
    ],
)
def test_line_of_falls_back_to_the_nearest_ancestor(
    path: tuple[str | int, ...], expected: int
) -> None:
    assert line_of(front_matter_lines(SOURCE), path) == expected


def test_line_of_unknown_without_front_matter() -> None:
    assert line_of({}, ("evidence",)) is None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("evidence", 0, "design"), "evidence[0].design"),
        (("evidence", 2, "cite", 0), "evidence[2].cite[0]"),
        (("evidence_caveat",), "evidence_caveat"),
        ((), ""),
    ],
)
def test_dotted_path(path: tuple[str | int, ...], expected: str) -> None:
    assert dotted_path(path) == expected


@pytest.mark.parametrize(
    ("source", "meta", "dropped"),
    [
        pytest.param("---\ntitle: a: b\n---\nText\n", {}, True, id="invalid-yaml"),
        pytest.param("---\ntitle: x\nText\n", {}, True, id="never-closed"),
        pytest.param("---\n- a list\n---\nText\n", {}, True, id="not-a-mapping"),
        pytest.param("---\ntitle: x\n---\nText\n", {"title": "x"}, False, id="parsed"),
        pytest.param("---\n# only a comment\n---\nText\n", {}, False, id="empty-block"),
        pytest.param("# Title\n\n---\n", {}, False, id="rule-later-on"),
        pytest.param("Text\n", None, False, id="no-front-matter"),
    ],
)
def test_has_dropped_front_matter(source: str, meta: dict[str, str] | None, dropped: bool) -> None:
    assert has_dropped_front_matter(source, meta) is dropped


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "---\ntitle: Iron\nevidence_caveat: Short: trials\n---\n",
            "docs/x.md:3: front matter is not valid YAML (mapping values are not allowed here), "
            "so MkDocs ignored all of it; fix the YAML (quote values that contain ': ' or start "
            "with '@', '[' or '*') [page.front_matter]",
            id="invalid-yaml",
        ),
        pytest.param(
            "---\ntitle: Iron\n",
            "docs/x.md:1: front matter opens with '---' but is never closed; add a '---' line "
            "after it [page.front_matter]",
            id="never-closed",
        ),
        pytest.param(
            "---\n---\n# Iron\n",
            "docs/x.md:1: front matter is empty, so MkDocs shows both '---' lines as rules; "
            "remove them [page.front_matter]",
            id="empty-without-a-line",
        ),
        pytest.param(
            "---\n- Iron\n---\n",
            "docs/x.md:1: front matter must be a mapping of 'key: value' lines, not a list; "
            "MkDocs ignored it [page.front_matter]",
            id="not-a-mapping",
        ),
    ],
)
def test_front_matter_problem(source: str, expected: str) -> None:
    assert str(front_matter_problem(source, {}, path="docs/x.md")) == expected


def test_no_front_matter_problem_when_parsed() -> None:
    assert front_matter_problem(SOURCE, {"title": "Iron"}, path="docs/x.md") is None


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("a: 1\nb: 2\na: 3\n", [("a", 2, 4)]),  # block mapping: one key per line
        ("title: é\nmeta: {a: 1, b: 2, a: 3}\n", [("a", 3, 3)]),  # flow mapping: on one line
        ("rows:\n  - {k: 1, k: 2}\n  - k: 1\n", [("k", 3, 3)]),  # nested; separate mappings
        ("a: {x: 1}\nb: {x: 1}\n", []),  # the same key in two mappings is no repetition
    ],
)
def test_a_key_written_twice_in_one_mapping_is_found(
    front: str, expected: list[tuple[str, int, int]]
) -> None:
    found = duplicate_keys(f"---\n{front}---\n# Page\n", path="docs/p.md")
    assert [
        (p.message.split("'")[1], int(p.message.split("first at line ")[1].split(")")[0]), p.line)
        for p in found
    ] == expected
