"""Front-matter line lookup and detection of front matter that MkDocs dropped."""

from __future__ import annotations

import random

import pytest
from monograph.core.source import yaml_lines
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


_KEYS = ("a", "b", "cite", "design")
_PLAIN = ("1", "null", "plain text", "it's fine", "-5", "x # note", '"quoted: text"', "'it''s'")
_ODD = (
    "[k1, k2]", "[a: 1, a: 2]", "{a: 1, a: 2}", "{a: 1}", "&anchor x", "*anchor", "a: b",
    '"spans\nb: 2"', "'spans\n  a: 2'", "|\n  a: 1\n  a: 2", ">-\n  text", "plain\n  more",
    "[k1,\nb: 2]", "",
)  # fmt: skip


def _random_node(rng: random.Random, depth: int) -> tuple[str, object]:
    roll = rng.random()
    if depth > 0 and (depth > 2 or roll < 0.5):
        return "scalar", rng.choice(_ODD if rng.random() < 0.1 else _PLAIN)
    if depth == 0 or roll < 0.8:
        size = rng.randint(1, 3)
        keys = rng.choices(_KEYS, k=size) if rng.random() < 0.2 else rng.sample(_KEYS, size)
        return "map", [(key, _random_node(rng, depth + 1)) for key in keys]
    return "seq", [_random_node(rng, depth + 1) for _ in range(rng.randint(1, 3))]


def _block_lines(node: tuple[str, object], column: int, rng: random.Random) -> list[str]:
    """Block YAML for a mapping or sequence whose entries start at ``column``."""
    kind, body = node
    pad = " " * column
    lines: list[str] = []
    for entry in body:  # type: ignore[attr-defined]
        key, value = entry if kind == "map" else (None, entry)
        head = f"{pad}{key}:" if key is not None else f"{pad}-"
        if value[0] == "scalar":
            lines.append(f"{head} {value[1]}".rstrip())
        elif key is None and value[0] == "map":  # "- a: 1" then the mapping's other keys
            inner = _block_lines(value, column + 2, rng)
            lines += [f"{pad}- {inner[0].lstrip()}", *inner[1:]]
        else:  # a nested sequence may sit at its key's column ("compact")
            step = rng.choice([0, 2]) if value[0] == "seq" and key is not None else 2
            lines += [head, *_block_lines(value, column + step, rng)]
    if rng.random() < 0.1:
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(["", "# note", "  # note"]))
    return lines


def _random_front_matter(rng: random.Random) -> str:
    """Block YAML as front matter is written, keys often repeated, with the odd construct."""
    return "\n".join(_block_lines(_random_node(rng, 0), 0, rng)) + "\n"


def test_front_matter_read_without_composing_has_no_key_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The shortcut says "no key twice" only where composing the YAML finds none either."""
    rng = random.Random(15)
    texts = [_random_front_matter(rng) for _ in range(20_000)]
    texts += [
        "title: x\nreviewed: 2026-11-24\n",
        "evidence:\n  - cite: [a, b]\n    design: rct\n  - cite: [c]\n    design: rct\n",
        "evidence:\n- cite: a\n  n: 1\n- cite: b\n  n: 2\nclaims:\n- cite: a\n",
    ]
    shortcut = [yaml_lines._keys_differ(text) for text in texts]
    assert sum(shortcut) > 10_000  # taken often...
    assert len(shortcut) - sum(shortcut) > 3_000  # ...and often left to the composer
    assert all(shortcut[-3:])
    for text, skipped in zip(texts, shortcut, strict=True):
        if skipped:
            assert yaml_lines._repeated_keys(text) == (), text
    # And so what is reported is what composing every front matter reports.
    sources = [f"---\n{text}---\n# Page\n" for text in texts]
    found = [duplicate_keys(source, path="p.md") for source in sources]
    assert sum(bool(problems) for problems in found) > 2_000
    monkeypatch.setattr(yaml_lines, "_keys_differ", lambda text: False)
    assert [duplicate_keys(source, path="p.md") for source in sources] == found
