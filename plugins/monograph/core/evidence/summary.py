"""What the summary across interventions says about each one: plain data, no HTML.

The rules live here, apart from the markup, so that they can be read and tested on their own:
which row is the best evidence, what counts as a study, and how a direction is chosen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .model import EVIDENCE_TYPES, EvidenceRow, PageEvidence

#: Results that say nothing about direction; they are shown only when nothing else is known.
_SILENT_RESULTS = frozenset({"not-reported", "not-applicable"})


@dataclass(frozen=True)
class InterventionSummary:
    """One intervention page, for the summary across interventions.

    Attributes:
        title: The page title, e.g. ``Valerian``.
        url: Link to the page, relative to the summary page.
        evidence: The page's validated evidence.
    """

    title: str
    url: str
    evidence: PageEvidence


@dataclass(frozen=True)
class TypeCount:
    """Studies of one evidence type for one intervention.

    Attributes:
        studies: Distinct studies (distinct ``cite`` lists) of this type.
        indirect: How many of them are not studies of people with the condition.
    """

    studies: int
    indirect: int


@dataclass(frozen=True)
class Overview:
    """The summary-table facts about one intervention.

    Only rows that tested the intervention in people with the condition (``question: effect``)
    and rest on a verified or partly verified record are *counted*: they alone set the best
    level and the direction. Everything else is listed in words, never as a level or a direction.

    Attributes:
        best_level: The strongest OCEBM treatment level among the counted rows, or ``None``.
        condition_studies: Distinct studies (distinct ``cite`` lists) that tested it in the
            condition, counted or not.
        best_condition_rows: The counted rows at ``best_level`` (empty if none).
        direction: The result those rows show; ``mixed`` when they disagree; ``None`` if none.
        graded: The graded counted row with the strongest level, or ``None``.
        not_counted: Rows that tested it in the condition but rest on an unverified or
            secondary-only record, in the order written.
        other: Rows that did not test it in the condition (indirect, association, mechanism,
            background), in the order written.
    """

    best_level: int | None
    condition_studies: int
    best_condition_rows: tuple[EvidenceRow, ...]
    direction: str | None
    graded: EvidenceRow | None
    not_counted: tuple[EvidenceRow, ...] = ()
    other: tuple[EvidenceRow, ...] = ()


def _study(row: EvidenceRow) -> frozenset[str]:
    """Identify a study by its citation keys: rows for several outcomes of it count once."""
    return frozenset(key.lower() for key in row.cite)


def _strongest(rows: Iterable[EvidenceRow]) -> tuple[EvidenceRow, ...]:
    """The rows at the strongest (lowest) rank, in the order written."""
    listed = tuple(rows)
    if not listed:
        return ()
    best = min(row.rank for row in listed)
    return tuple(row for row in listed if row.rank == best)


def direction_of(rows: Iterable[EvidenceRow]) -> str | None:
    """The direction shown by rows of equal standing.

    Arguments:
        rows: The best counted rows of one intervention.

    Returns:
        Their shared result; ``mixed`` when rows that report a direction disagree; the first
        row's ``not-reported``/``not-applicable`` when none reports one; ``None`` without rows.
    """
    listed = tuple(rows)
    directions = {row.result for row in listed if row.result not in _SILENT_RESULTS}
    if len(directions) == 1:
        return directions.pop()
    if directions:
        return "mixed"
    return listed[0].result if listed else None


def counted(row: EvidenceRow) -> bool:
    """True for a row the summary may rest on.

    It tested the intervention in people with the condition, and its record was verified at
    least in part.
    """
    return row.tests_in_condition and row.trusted


def overview(evidence: PageEvidence) -> Overview:
    """Work out the summary-table facts for one intervention.

    Arguments:
        evidence: The intervention page's validated evidence.

    Returns:
        The best level and direction of the counted rows (see :class:`Overview`), their
        GRADE certainty, and the rows left out of both, for listing in words.
    """
    condition_rows = [row for row in evidence.rows if row.tests_in_condition]
    counted_rows = [row for row in condition_rows if counted(row)]
    best = _strongest(counted_rows)
    graded = sorted((row for row in counted_rows if row.certainty), key=lambda row: row.rank)
    return Overview(
        best_level=best[0].level if best else None,
        condition_studies=len({_study(row) for row in condition_rows}),
        best_condition_rows=best,
        direction=direction_of(best),
        graded=graded[0] if graded else None,
        not_counted=tuple(row for row in condition_rows if not counted(row)),
        other=tuple(row for row in evidence.rows if not row.tests_in_condition),
    )


def type_counts(evidence: PageEvidence) -> Mapping[str, TypeCount]:
    """Count distinct studies per evidence type (the matrix columns).

    Arguments:
        evidence: The intervention page's validated evidence.

    Returns:
        A count for every key of :data:`~monograph.core.evidence.model.EVIDENCE_TYPES`, in
        order.
    """
    counts: dict[str, TypeCount] = {}
    for name in EVIDENCE_TYPES:
        rows = [row for row in evidence.rows if row.evidence_type == name]
        studies = {_study(row) for row in rows}
        indirect = {_study(row) for row in rows if row.indirect}
        counts[name] = TypeCount(studies=len(studies), indirect=len(indirect))
    return counts
