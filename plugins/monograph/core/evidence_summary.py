"""What the summary across interventions says about each one: plain data, no HTML.

The rules live here, apart from the markup, so that they can be read and tested on their own:
which row is the best evidence, what counts as a study, and how a direction is chosen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .evidence_model import EVIDENCE_TYPES, EvidenceRow, PageEvidence

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
        indirect: How many of them are not studies of people with RLS.
    """

    studies: int
    indirect: int


@dataclass(frozen=True)
class Overview:
    """The summary-table facts about one intervention.

    Attributes:
        best_level: The strongest OCEBM level among all rows, or ``None`` without rows.
        best_level_indirect: True when every row at ``best_level`` is indirect evidence.
        rls_studies: Distinct human RLS studies (distinct ``cite`` lists).
        best_rls_rows: The human RLS rows at the strongest level among them (empty if none).
        direction: The result those rows show; ``mixed`` when they disagree; ``None`` if none.
        graded: The graded human RLS row with the strongest level, or ``None``.
    """

    best_level: int | None
    best_level_indirect: bool
    rls_studies: int
    best_rls_rows: tuple[EvidenceRow, ...]
    direction: str | None
    graded: EvidenceRow | None


def _study(row: EvidenceRow) -> frozenset[str]:
    """Identify a study by its citation keys: rows for several outcomes of it count once."""
    return frozenset(key.lower() for key in row.cite)


def _strongest(rows: Iterable[EvidenceRow]) -> tuple[EvidenceRow, ...]:
    """The rows at the strongest (lowest) level, in the order written."""
    listed = tuple(rows)
    if not listed:
        return ()
    best = min(row.level for row in listed)
    return tuple(row for row in listed if row.level == best)


def direction_of(rows: Iterable[EvidenceRow]) -> str | None:
    """The direction shown by rows of equal standing.

    Arguments:
        rows: The best human RLS rows of one intervention.

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


def overview(evidence: PageEvidence) -> Overview:
    """Work out the summary-table facts for one intervention.

    Arguments:
        evidence: The intervention page's validated evidence.

    Returns:
        The best level over all rows, the human RLS studies and the direction and GRADE
        certainty of the strongest of them.
    """
    best = _strongest(evidence.rows)
    rls_rows = [row for row in evidence.rows if row.human_rls]
    best_rls = _strongest(rls_rows)
    graded = sorted((row for row in rls_rows if row.certainty), key=lambda row: row.level)
    return Overview(
        best_level=best[0].level if best else None,
        best_level_indirect=bool(best) and all(row.indirect for row in best),
        rls_studies=len({_study(row) for row in rls_rows}),
        best_rls_rows=best_rls,
        direction=direction_of(best_rls),
        graded=graded[0] if graded else None,
    )


def type_counts(evidence: PageEvidence) -> Mapping[str, TypeCount]:
    """Count distinct studies per evidence type (the matrix columns).

    Arguments:
        evidence: The intervention page's validated evidence.

    Returns:
        A count for every key of :data:`~monograph.core.evidence.EVIDENCE_TYPES`, in order.
    """
    counts: dict[str, TypeCount] = {}
    for name in EVIDENCE_TYPES:
        rows = [row for row in evidence.rows if row.evidence_type == name]
        studies = {_study(row) for row in rows}
        indirect = {_study(row) for row in rows if row.indirect}
        counts[name] = TypeCount(studies=len(studies), indirect=len(indirect))
    return counts
