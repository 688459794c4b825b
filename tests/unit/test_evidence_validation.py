"""Validation of evidence front matter: every invalid case, its exact message and its line."""

from __future__ import annotations

import difflib
from typing import Any

import pytest
import yaml
from monograph.core.evidence.validation import PageEvidence, parse_page_evidence

PATH = "docs/interventions/valerian.md"
KNOWN = ("cuellar2009", "trotti2019", "Kim2009")

# Line numbers are part of the contract: the comments give each line's number in the file.
VALID = """\
---
title: Valerian
reviewed: 2026-11-24
evidence_caveat: "One small trial with a strong placebo response."
evidence:
  - cite: [cuellar2009]
    design: rct
    population: "Adults with RLS aged 36-65 (USA)"
    participants: 37
    intervention: "Valerian 800 mg daily, oral"
    comparator: "Placebo"
    duration: "8 weeks"
    outcomes: "PSQI; ESS; IRLS"
    result: no-difference
    finding: "Both groups improved; no difference between them was reported."
    applies_to: condition
    question: effect
    record: verified
claims:
  - claim: "Valerian relieves RLS symptoms."
    cite: [cuellar2009]
    verdict: not-supported
    note: "The trial found no difference from placebo."
---

# Valerian
"""
#  1 ---            7 design        13 outcomes      19 claims:
#  2 title          8 population    14 result        20 - claim
#  3 reviewed       9 participants  15 finding       21 cite
#  4 caveat        10 intervention  16 applies_to    22 verdict
#  5 evidence:     11 comparator    17 question      23 note
#  6 - cite        12 duration      18 record        24 ---


def edit(*changes: tuple[int, str | None]) -> str:
    """Replace whole lines (1-based) of VALID; ``None`` deletes a line, ``\\n`` adds lines."""
    lines = VALID.split("\n")
    for number, text in sorted(changes, reverse=True):
        if text is None:
            del lines[number - 1]
        else:
            lines[number - 1] = text
    return "\n".join(lines)


def meta_of(source: str) -> dict[str, Any]:
    front = source.split("---\n")[1]
    data = yaml.safe_load(front)
    assert isinstance(data, dict)
    return data


def suggest(key: str) -> str | None:
    matches = difflib.get_close_matches(key.lower(), [k.lower() for k in KNOWN], 1)
    return matches[0] if matches else None


def parse(source: str) -> tuple[PageEvidence | None, list[str]]:
    evidence, problems = parse_page_evidence(
        meta_of(source), path=PATH, source=source, known_keys=KNOWN, suggest=suggest
    )
    return evidence, [str(problem) for problem in problems]


DESIGNS = (
    "systematic-review, rct, controlled-trial, cohort, case-control, cross-sectional, "
    "case-series, case-report, animal, in-vitro, narrative-review, textbook"
)
RESULTS = (
    "benefit, no-difference, harm, mixed, uncontrolled-improvement, not-reported, not-applicable"
)
P = f"{PATH}:"

INVALID = [
    pytest.param(
        edit((7, '    design: "RCT "')),
        [
            f"{P}7: evidence[0].design: 'RCT ' is not one of {DESIGNS}; did you mean 'rct'? "
            "[evidence.invalid]"
        ],
        id="design-enum-with-hint",
    ),
    pytest.param(
        edit((7, "    design: meta-analysis")),
        [f"{P}7: evidence[0].design: 'meta-analysis' is not one of {DESIGNS} [evidence.invalid]"],
        id="design-enum-no-hint",
    ),
    pytest.param(
        edit((14, "    result: no difference")),
        [
            f"{P}14: evidence[0].result: 'no difference' is not one of {RESULTS}; "
            "did you mean 'no-difference'? [evidence.invalid]"
        ],
        id="result-enum",
    ),
    pytest.param(
        edit((16, "    applies_to: RLS")),
        [
            f"{P}16: evidence[0].applies_to: 'RLS' is not one of condition, other-condition, "
            "healthy, animal, mechanism [evidence.invalid]"
        ],
        id="applies-to-enum",
    ),
    pytest.param(
        edit((9, '    participants: "37"')),
        [
            f"{P}9: evidence[0].participants: expected an integer or null, got '37'; "
            "write the number without quotes [evidence.invalid]"
        ],
        id="participants-quoted",
    ),
    pytest.param(
        edit((9, "    participants: 37.5")),
        [
            f"{P}9: evidence[0].participants: expected an integer or null, got 37.5 "
            "[evidence.invalid]"
        ],
        id="participants-float",
    ),
    pytest.param(
        edit((9, "    participants: yes")),
        [
            f"{P}9: evidence[0].participants: expected an integer or null, got True "
            "[evidence.invalid]"
        ],
        id="participants-bool",
    ),
    pytest.param(
        edit((9, "    participants: -1")),
        [f"{P}9: evidence[0].participants: must be 0 or more, got -1 [evidence.invalid]"],
        id="participants-negative",
    ),
    pytest.param(
        edit((12, "    duration: 8")),
        [f"{P}12: evidence[0].duration: expected text, got 8; put it in quotes [evidence.invalid]"],
        id="duration-number",
    ),
    pytest.param(
        edit((16, "    applies_to: condition\n    dose: 800")),
        [
            f"{P}17: evidence[0].dose: unknown field; remove it or see CONTRIBUTING.md for the "
            "allowed fields [evidence.invalid]"
        ],
        id="unknown-field",
    ),
    pytest.param(
        edit((9, "    particpants: 37")),
        [
            f"{P}9: evidence[0].particpants: unknown field; did you mean 'participants'? "
            "see CONTRIBUTING.md for the allowed fields [evidence.invalid]"
        ],
        id="misspelt-field",
    ),
    pytest.param(
        edit((8, None)),
        [f"{P}6: evidence[0].population: missing; this field is required [evidence.invalid]"],
        id="missing-field-points-at-row",
    ),
    pytest.param(
        edit((8, "    population: null")),
        [f"{P}8: evidence[0].population: has no value; fill it in [evidence.invalid]"],
        id="required-null",
    ),
    pytest.param(
        edit((15, '    finding: "  "')),
        [f"{P}15: evidence[0].finding: is blank; fill it in [evidence.invalid]"],
        id="required-blank",
    ),
    pytest.param(
        edit((11, '    comparator: ""')),
        [f"{P}11: evidence[0].comparator: is blank; fill it in or remove it [evidence.invalid]"],
        id="optional-blank",
    ),
    pytest.param(
        edit((6, "  - cite: [cuellar2090]")),
        [
            f"{P}6: evidence[0].cite[0]: unknown citation key 'cuellar2090'; "
            "did you mean 'cuellar2009'? [evidence.unknown_key]"
        ],
        id="unknown-key-with-hint",
    ),
    pytest.param(
        edit((6, "  - cite: [nobody1900]")),
        [
            f"{P}6: evidence[0].cite[0]: unknown citation key 'nobody1900'; "
            "add it to refs.bib or fix the key [evidence.unknown_key]"
        ],
        id="unknown-key-no-hint",
    ),
    pytest.param(
        edit((6, "  - cite:\n      - cuellar2009\n      - trotti2091")),
        [
            f"{P}8: evidence[0].cite[1]: unknown citation key 'trotti2091'; "
            "did you mean 'trotti2019'? [evidence.unknown_key]"
        ],
        id="unknown-key-block-list",
    ),
    pytest.param(
        edit((6, "  - cite: []")),
        [f"{P}6: evidence[0].cite: is empty; list at least one refs.bib key [evidence.invalid]"],
        id="cite-empty",
    ),
    pytest.param(
        edit((6, "  - cite: 2009")),
        [
            f"{P}6: evidence[0].cite: expected a refs.bib key or a list of keys, got 2009 "
            "[evidence.invalid]"
        ],
        id="cite-number",
    ),
    pytest.param(
        edit((16, "    applies_to: condition\n    certainty: moderate")),
        [
            f"{P}17: evidence[0].certainty: given without certainty_source; add the source that "
            "grades it (e.g. 'Cochrane summary of findings') or remove certainty "
            "[evidence.invalid]"
        ],
        id="certainty-without-source",
    ),
    pytest.param(
        edit((16, '    applies_to: condition\n    certainty_source: "Cochrane"')),
        [
            f"{P}17: evidence[0].certainty_source: given without certainty; add certainty or "
            "remove the source [evidence.invalid]"
        ],
        id="source-without-certainty",
    ),
    pytest.param(
        edit((16, "    applies_to: condition\n    certainty: medium\n    certainty_source: GRADE")),
        [
            f"{P}17: evidence[0].certainty: 'medium' is not one of high, moderate, low, very-low "
            "[evidence.invalid]"
        ],
        id="certainty-enum",
    ),
    pytest.param(
        edit((7, "    design: animal")),
        [
            f"{P}16: evidence[0].applies_to: 'condition' for an animal study; use 'animal' "
            "[evidence.invalid]"
        ],
        id="animal-study-about-rls",
    ),
    pytest.param(
        edit((16, "    applies_to: animal")),
        [
            f"{P}7: evidence[0].design: 'rct' for a study in animals; use 'animal' "
            "[evidence.invalid]"
        ],
        id="rct-in-animals",
    ),
    pytest.param(
        edit((17, None)),
        [
            f"{P}6: evidence[0].question: missing; this field is required: one of effect, "
            "association, mechanism, background [evidence.invalid]"
        ],
        id="question-missing-lists-the-choices",
    ),
    pytest.param(
        edit((18, "    record: verifed")),
        [
            f"{P}18: evidence[0].record: 'verifed' is not one of verified, partly, unverified, "
            "secondary-only; did you mean 'verified'? [evidence.invalid]"
        ],
        id="record-enum",
    ),
    pytest.param(
        edit((17, "    question: association")),
        [
            f"{P}14: evidence[0].result: 'no-difference' on a row that answers 'association': "
            "only a row that tests the intervention (question 'effect') has a result; use "
            "'not-applicable' and say what was found in 'finding' [evidence.invalid]",
            f"{P}17: evidence[0].question: 'association' for a 'rct', which tests an "
            "intervention; use 'effect' [evidence.invalid]",
        ],
        id="rct-must-answer-effect-and-association-has-no-result",
    ),
    pytest.param(
        edit(
            (7, "    design: cohort"),
            (14, "    result: not-applicable"),
            (17, "    question: background"),
        ),
        [
            f"{P}17: evidence[0].question: 'background' is for a narrative review or textbook, "
            "not a 'cohort'; use 'effect', 'association' or 'mechanism' [evidence.invalid]"
        ],
        id="background-only-for-reviews",
    ),
    pytest.param(
        edit((7, "    design: case-series"), (14, "    result: benefit")),
        [
            f"{P}14: evidence[0].result: 'benefit' needs a comparison, but a 'case-series' has "
            "no comparison group; use 'uncontrolled-improvement' when people improved without "
            "one, or 'not-reported' [evidence.invalid]"
        ],
        id="uncontrolled-is-never-benefit",
    ),
    pytest.param(
        edit((11, "    comparator: null"), (14, "    result: benefit")),
        [
            f"{P}14: evidence[0].result: 'benefit' needs a comparison, but the row has no "
            "comparator; use 'uncontrolled-improvement' when people improved without one, or "
            "'not-reported' [evidence.invalid]"
        ],
        id="benefit-needs-a-comparator",
    ),
    pytest.param(
        edit((7, "    design: narrative-review"), (14, "    result: mixed")),
        [
            f"{P}14: evidence[0].result: 'mixed' needs a comparison, but a 'narrative-review' "
            "has no comparison group; use 'uncontrolled-improvement' when people improved "
            "without one, or 'not-reported' [evidence.invalid]"
        ],
        id="review-has-no-direction",
    ),
    pytest.param(
        edit((14, "    result: benefit"), (18, "    record: secondary-only")),
        [
            f"{P}14: evidence[0].result: 'benefit' rests on a record that is 'secondary-only'; "
            "a direction needs a verified or partly verified record, so use 'not-reported' and "
            "say why in 'finding' [evidence.invalid]"
        ],
        id="benefit-needs-a-checked-record",
    ),
    pytest.param(
        edit((14, "    result: uncontrolled-improvement")),
        [
            f"{P}14: evidence[0].result: 'uncontrolled-improvement' on a row with a comparator "
            "('Placebo'); give the result against the comparator ('benefit', 'no-difference', "
            "'harm', 'mixed') [evidence.invalid]"
        ],
        id="controlled-row-gives-its-comparison",
    ),
    pytest.param(
        edit(*((n, None) for n in range(6, 19)), (5, "evidence: []")),
        [
            f"{P}5: evidence: the list is empty; add at least one study row or remove the "
            "'evidence' key [evidence.empty]"
        ],
        id="evidence-empty",
    ),
    pytest.param(
        edit(*((n, None) for n in range(6, 19)), (5, "evidence:")),
        [
            f"{P}5: evidence: the list is empty; add at least one study row or remove the "
            "'evidence' key [evidence.empty]"
        ],
        id="evidence-null",
    ),
    pytest.param(
        edit(*((n, None) for n in range(20, 24)), (19, "claims: []")),
        [
            f"{P}19: claims: the list is empty; add at least one claim or remove the 'claims' "
            "key [evidence.empty]"
        ],
        id="claims-empty",
    ),
    pytest.param(
        edit(*((n, None) for n in range(6, 19)), (5, "evidence: valerian rct")),
        [f"{P}5: evidence: expected a list ('- ' items), got 'valerian rct' [evidence.invalid]"],
        id="evidence-not-a-list",
    ),
    pytest.param(
        edit(*((n, None) for n in range(7, 19)), (6, "  - cuellar2009 rct")),
        [
            f"{P}6: evidence[0]: expected 'field: value' lines, got 'cuellar2009 rct' "
            "[evidence.invalid]"
        ],
        id="row-not-a-mapping",
    ),
    pytest.param(
        edit((4, None)),
        [
            f"{P}4: evidence_caveat: missing; add one sentence on the main limitation of this "
            "evidence (required with 'evidence') [evidence.invalid]"
        ],
        id="caveat-missing-points-at-evidence",
    ),
    pytest.param(
        edit((4, 'evidence_caveat: ""')),
        [f"{P}4: evidence_caveat: is blank; fill it in [evidence.invalid]"],
        id="caveat-blank",
    ),
    pytest.param(
        edit(*((n, None) for n in range(5, 19))),
        [f"{P}4: evidence_caveat: given without 'evidence'; remove it [evidence.invalid]"],
        id="caveat-without-evidence",
    ),
    pytest.param(
        edit((22, "    verdict: false")),
        [
            f"{P}22: claims[0].verdict: False is not one of supported, partly, not-supported, "
            "not-testable [evidence.invalid]"
        ],
        id="verdict-enum",
    ),
    pytest.param(
        edit((23, '    note: "x"\n    source: article')),
        [
            f"{P}24: claims[0].source: unknown field; remove it or see CONTRIBUTING.md for the "
            "allowed fields [evidence.invalid]"
        ],
        id="claim-unknown-field",
    ),
    pytest.param(
        edit((21, "    cite: trotti2091")),
        [
            f"{P}21: claims[0].cite[0]: unknown citation key 'trotti2091'; "
            "did you mean 'trotti2019'? [evidence.unknown_key]"
        ],
        id="claim-unknown-key",
    ),
    pytest.param(
        edit((23, None)),
        [f"{P}20: claims[0].note: missing; this field is required [evidence.invalid]"],
        id="claim-missing-note",
    ),
]


@pytest.mark.parametrize(("source", "expected"), INVALID)
def test_invalid_front_matter_gives_exact_message_and_line(
    source: str, expected: list[str]
) -> None:
    evidence, problems = parse(source)
    assert problems == expected
    assert evidence is None


def test_valid_page_parses() -> None:
    evidence, problems = parse(VALID)
    assert problems == []
    assert evidence is not None
    (row,) = evidence.rows
    assert (row.cite, row.design, row.participants, row.result) == (
        ("cuellar2009",),
        "rct",
        37,
        "no-difference",
    )
    assert evidence.caveat == "One small trial with a strong placebo response."
    assert [claim.verdict for claim in evidence.claims] == ["not-supported"]


def test_every_error_is_reported_in_line_order() -> None:
    source = edit(
        (6, "  - cite: [nobody1900]"),
        (7, "    design: RCT"),
        (9, "    participants: many"),
        (22, "    verdict: wrong"),
    )
    _, problems = parse(source)
    assert [p.split(": ")[0] for p in problems] == [f"{P}6", f"{P}7", f"{P}9", f"{P}22"]


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param(
            (
                (7, "    design: case-report"),
                (11, "    comparator: null"),
                (14, "    result: uncontrolled-improvement"),
                (18, "    record: secondary-only"),
            ),
            id="uncontrolled-secondary-report",
        ),
        pytest.param(
            (
                (7, "    design: case-control"),
                (14, "    result: not-applicable"),
                (17, "    question: association"),
            ),
            id="association-study",
        ),
        pytest.param(
            (
                (7, "    design: textbook"),
                (14, "    result: not-applicable"),
                (17, "    question: background"),
                (18, "    record: partly"),
            ),
            id="background-text",
        ),
        pytest.param(
            ((14, "    result: not-reported"), (18, "    record: unverified")),
            id="unverified-trial-without-a-result",
        ),
    ],
)
def test_rows_that_keep_the_rules_are_valid(changes: tuple[tuple[int, str], ...]) -> None:
    evidence, problems = parse(edit(*changes))
    assert problems == []
    assert evidence is not None


def test_single_key_is_normalised_to_a_tuple() -> None:
    evidence, problems = parse(edit((6, "  - cite: cuellar2009")))
    assert problems == []
    assert evidence is not None
    assert evidence.rows[0].cite == ("cuellar2009",)


def test_keys_are_compared_case_insensitively() -> None:
    evidence, problems = parse(edit((6, "  - cite: [CUELLAR2009, kim2009]")))
    assert problems == []
    assert evidence is not None
    assert evidence.rows[0].cite == ("CUELLAR2009", "kim2009")


def test_optional_fields_may_be_null() -> None:
    evidence, problems = parse(
        edit(
            (9, "    participants: null"),
            (11, "    comparator: null"),
            (12, "    duration:"),
            (14, "    result: not-reported"),
        )
    )
    assert problems == []
    assert evidence is not None
    row = evidence.rows[0]
    assert (row.participants, row.comparator, row.duration) == (None, None, None)


def test_graded_row_keeps_certainty_and_source() -> None:
    source = edit(
        (16, "    applies_to: condition\n    certainty: low\n    certainty_source: GRADE")
    )
    evidence, problems = parse(source)
    assert problems == []
    assert evidence is not None
    assert (evidence.rows[0].certainty, evidence.rows[0].certainty_source) == ("low", "GRADE")


def test_page_without_evidence_data_is_ignored() -> None:
    meta = {"title": "Overview", "reviewed": "2026-11-24"}
    result = parse_page_evidence(meta, path=PATH, source="", known_keys=KNOWN, suggest=suggest)
    assert result == (None, [])


def test_claims_without_evidence_are_allowed() -> None:
    source = edit(*((n, None) for n in range(4, 19)))
    evidence, problems = parse(source)
    assert problems == []
    assert evidence is not None
    assert (evidence.rows, evidence.caveat, len(evidence.claims)) == ((), None, 1)


def test_problem_fields() -> None:
    source = edit((7, "    design: rtc"))
    _, problems = parse_page_evidence(
        meta_of(source), path=PATH, source=source, known_keys=KNOWN, suggest=suggest
    )
    (problem,) = problems
    assert (problem.code, problem.path, problem.line, problem.severity) == (
        "evidence.invalid",
        PATH,
        7,
        "error",
    )
    assert problem.message.startswith("evidence[0].design: 'rtc' is not one of ")
    assert "pydantic" not in problem.message
    assert "Input should" not in problem.message
