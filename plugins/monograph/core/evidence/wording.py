"""What a row or a summary says in words where a level or a direction would overstate it.

Plain text, no HTML: the renderer escapes it. One place for this wording, so the page tables and
the summary across interventions describe the same evidence the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .model import UNCONTROLLED_DESIGNS, EvidenceRow

#: The kind of a row that does not test the intervention, shown instead of a treatment level.
QUESTION_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "association": "Association only, not a test of the intervention",
        "mechanism": "Mechanism only, not a test of the intervention in people",
        "background": "Background (review or textbook), not a test of the intervention",
    }
)
#: What a record short of verified means for the reader.
RECORD_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "unverified": "record not verified",
        "secondary-only": "secondary report only",
    }
)
#: Whom an indirect row is about, for "tested in ..." phrases.
INDIRECT_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "other-condition": "another condition",
        "healthy": "healthy people",
        "animal": "animals",
        "mechanism": "a mechanism",
    }
)

#: Designs of a controlled row, as named in a list of rows (the tables use their own labels).
DESIGN_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "systematic-review": "systematic review",
        "rct": "randomised trial",
        "controlled-trial": "controlled trial",
        "cohort": "cohort study",
        "case-control": "case-control study",
        "cross-sectional": "cross-sectional study",
        "animal": "animal study",
        "in-vitro": "laboratory study",
    }
)


def people(row: EvidenceRow) -> str:
    """``10 patients``, ``1 patient``, or ``number not reported``."""
    count = row.participants
    if count is None:
        return "number not reported"
    return f"{count} patient" if count == 1 else f"{count} patients"


def kind_words(row: EvidenceRow) -> str:
    """A short, lower-case description of what a row can carry, for lists in the summary.

    Examples: ``uncontrolled, 10 patients``; ``uncontrolled, 1 patient, secondary report
    only``; ``tested in another condition``; ``association only, not a test of the intervention``.
    """
    if row.question != "effect":
        text = QUESTION_WORDS[row.question].lower()
    elif row.indirect:
        text = f"tested in {INDIRECT_WORDS[row.applies_to]}"
    elif not row.controlled:
        text = f"uncontrolled, {people(row)}"
    else:
        text = DESIGN_WORDS.get(row.design, "controlled study")
    note = RECORD_WORDS.get(row.record)
    return f"{text}, {note}" if note else text


def level_words(row: EvidenceRow) -> str | None:
    """The kind of a row shown in place of a level (``None`` for a row that has a level)."""
    return QUESTION_WORDS[row.question] if row.level is None else None


def record_words(row: EvidenceRow) -> str | None:
    """``secondary report only`` or ``record not verified``; ``None`` for a checked record."""
    return RECORD_WORDS.get(row.record)


def comparator_words(row: EvidenceRow) -> str:
    """What an empty comparator means: none by design for a case series or report, else unstated."""
    if row.design in UNCONTROLLED_DESIGNS:
        return "None (uncontrolled)"
    return "Not applicable" if row.question != "effect" else "Not stated"
