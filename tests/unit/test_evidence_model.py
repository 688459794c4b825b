"""Derived values of evidence rows: OCEBM level, kind, indirect flag, human RLS study, order."""

from __future__ import annotations

from typing import Any

import pytest
from monograph.core.evidence.validation import (
    EVIDENCE_TYPES,
    LEVELS,
    EvidenceRow,
    PageEvidence,
    sort_rows,
)
from pydantic import ValidationError


def row(**changes: Any) -> EvidenceRow:
    fields: dict[str, Any] = {
        "cite": ["cuellar2009"],
        "design": "rct",
        "population": "Adults with RLS",
        "participants": 37,
        "intervention": "Valerian 800 mg",
        "comparator": "Placebo",
        "outcomes": "IRLS",
        "result": "no-difference",
        "finding": "No difference from placebo.",
        "applies_to": "condition",
        "question": "effect",
        "record": "verified",
    }
    fields.update(changes)
    return EvidenceRow.model_validate(fields)


@pytest.mark.parametrize(
    ("design", "level"),
    [
        ("systematic-review", 1),
        ("rct", 2),
        ("controlled-trial", 3),
        ("cohort", 3),
        ("case-control", 4),
        ("cross-sectional", 4),
        ("case-series", 4),
        ("case-report", 4),
        ("animal", 5),
        ("in-vitro", 5),
        ("narrative-review", 5),
        ("textbook", 5),
    ],
)
def test_level_is_derived_from_design(design: str, level: int) -> None:
    applies_to = "animal" if design == "animal" else "condition"
    assert row(design=design, applies_to=applies_to, result="not-reported").level == level


@pytest.mark.parametrize("question", ["association", "mechanism", "background"])
def test_only_rows_that_test_the_intervention_have_a_treatment_level(question: str) -> None:
    subject = row(
        design="narrative-review", question=question, result="not-applicable", comparator=None
    )
    assert subject.level is None
    assert subject.rank == 6  # after every level


@pytest.mark.parametrize(
    ("changes", "controlled"),
    [
        ({}, True),
        ({"comparator": None, "result": "uncontrolled-improvement"}, False),
        ({"design": "case-series", "result": "uncontrolled-improvement"}, False),
        ({"design": "narrative-review", "result": "not-reported"}, False),
    ],
)
def test_controlled_needs_a_comparator_and_a_comparative_design(
    changes: dict[str, Any], controlled: bool
) -> None:
    assert row(**changes).controlled is controlled


@pytest.mark.parametrize(
    ("record", "trusted"),
    [("verified", True), ("partly", True), ("unverified", False), ("secondary-only", False)],
)
def test_trusted_records(record: str, trusted: bool) -> None:
    result = "no-difference" if trusted else "not-reported"
    assert row(record=record, result=result).trusted is trusted


def test_tests_in_condition_needs_an_effect_question_in_people_with_rls() -> None:
    assert row().tests_in_condition
    assert not row(applies_to="other-condition").tests_in_condition
    assert not row(
        design="case-control", question="association", result="not-applicable"
    ).tests_in_condition


def test_every_design_has_a_level_and_a_matrix_column() -> None:
    designs = [design for column in EVIDENCE_TYPES.values() for design in column]
    assert sorted(designs) == sorted(LEVELS)


@pytest.mark.parametrize(
    ("design", "column"),
    [
        ("systematic-review", "Systematic review"),
        ("rct", "RCT"),
        ("cohort", "Other human study"),
        ("cross-sectional", "Other human study"),
        ("case-report", "Case report/series"),
        ("animal", "Animal"),
        ("in-vitro", "Mechanism/review"),
        ("textbook", "Mechanism/review"),
    ],
)
def test_evidence_type(design: str, column: str) -> None:
    applies_to = "animal" if design == "animal" else "mechanism"
    subject = row(design=design, applies_to=applies_to, result="not-reported")
    assert subject.evidence_type == column


@pytest.mark.parametrize(
    ("design", "applies_to", "indirect", "human_condition"),
    [
        ("rct", "condition", False, True),
        ("case-report", "condition", False, True),
        ("rct", "healthy", True, False),
        ("systematic-review", "other-condition", True, False),
        ("animal", "animal", True, False),
        ("in-vitro", "mechanism", True, False),
        ("narrative-review", "condition", False, False),
        ("textbook", "condition", False, False),
    ],
)
def test_indirect_and_human_condition_flags(
    design: str, applies_to: str, indirect: bool, human_condition: bool
) -> None:
    subject = row(design=design, applies_to=applies_to, result="not-reported")
    assert (subject.indirect, subject.human_condition) == (indirect, human_condition)


def test_rows_are_frozen() -> None:
    subject = row()
    with pytest.raises(ValidationError):
        subject.design = "cohort"  # type: ignore[misc]


def test_model_refuses_certainty_without_source() -> None:
    with pytest.raises(ValidationError):
        row(certainty="moderate")


def test_page_evidence_refuses_rows_without_caveat() -> None:
    with pytest.raises(ValidationError):
        PageEvidence(rows=(row(),), caveat=None)


YEARS = {"a2019": 2019, "b2009": 2009, "c2017": 2017, "d2011": 2011}


def test_sort_by_level_then_year_then_order_written() -> None:
    rows = [
        row(cite=["a2019"], design="case-report", result="uncontrolled-improvement"),
        row(cite=["c2017"], design="rct", finding="second 2017 trial"),
        row(cite=["nodate"], design="rct"),
        row(
            cite=["b2009"], design="narrative-review", applies_to="mechanism", result="not-reported"
        ),
        row(cite=["c2017"], design="rct", finding="first 2017 trial"),
        row(cite=["d2011", "a2019"], design="rct"),
        row(cite=["a2019"], design="systematic-review"),
    ]
    ordered = sort_rows(rows, YEARS.get)
    assert [(r.level, r.cite[0], r.finding) for r in ordered] == [
        (1, "a2019", rows[6].finding),
        (2, "d2011", rows[5].finding),
        (2, "c2017", "second 2017 trial"),
        (2, "c2017", "first 2017 trial"),
        (2, "nodate", rows[2].finding),
        (4, "a2019", rows[0].finding),
        (5, "b2009", rows[3].finding),
    ]


def test_rows_without_a_level_sort_after_level_5() -> None:
    rows = [
        row(cite=["a2019"], design="case-control", question="association", result="not-applicable"),
        row(cite=["b2009"], design="textbook", result="not-reported"),
    ]
    assert [r.cite[0] for r in sort_rows(rows, YEARS.get)] == ["b2009", "a2019"]


def test_sort_returns_a_new_list() -> None:
    rows = (row(design="case-report", result="uncontrolled-improvement"), row(design="rct"))
    assert sort_rows(rows, YEARS.get) == [rows[1], rows[0]]
    assert rows[0].design == "case-report"
