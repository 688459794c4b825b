"""HTML for evidence tables, claim audits and the summary across interventions.

Plain tables with ``<caption>``, ``<thead>`` and ``<th scope>``: readable without JavaScript, in
print (the header repeats on each PDF page) and by screen readers. A result is always a symbol and
a word, never a colour alone. Every data field is escaped; citations come ready-made from the
citation engine (``cite``) so they are numbered and back-linked like any other citation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from html import escape
from types import MappingProxyType

from .model import EVIDENCE_TYPES, EvidenceRow, PageEvidence, sort_rows
from .summary import InterventionSummary, Overview, TypeCount, overview, type_counts
from .wording import comparator_words, kind_words, level_words, record_words

__all__ = [
    "CiteFn",
    "InterventionSummary",
    "render_claims_table",
    "render_evidence_summary",
    "render_evidence_table",
]

CiteFn = Callable[[Sequence[str]], str]
"""Returns ready HTML for a site-numbered citation of the given refs.bib keys."""

DESIGN_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "systematic-review": "Systematic review",
        "rct": "Randomised controlled trial",
        "controlled-trial": "Non-randomised controlled trial",
        "cohort": "Cohort study",
        "case-control": "Case-control study",
        "cross-sectional": "Cross-sectional study",
        "case-series": "Case series",
        "case-report": "Case report",
        "animal": "Animal study",
        "in-vitro": "Laboratory (in vitro) study",
        "narrative-review": "Narrative review",
        "textbook": "Textbook",
    }
)
LEVEL_MEANINGS: Mapping[int, str] = MappingProxyType(
    {
        1: "systematic review of randomised trials",
        2: "randomised trial",
        3: "non-randomised controlled study",
        4: "case series, case-control or cross-sectional study, or case report",
        5: "mechanism-based reasoning (animal or laboratory work, review, textbook)",
    }
)
#: Symbol and word for each result; the symbol is decoration, the word carries the meaning.
RESULT_LABELS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "benefit": ("▲", "Benefit"),
        "no-difference": ("=", "No difference"),
        "harm": ("▼", "Harm"),
        "mixed": ("◆", "Mixed"),
        "uncontrolled-improvement": ("△", "Improved, no control group"),
        "not-reported": ("—", "Not reported"),
        "not-applicable": ("○", "Not applicable"),
    }
)
VERDICT_LABELS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "supported": ("✓", "Supported"),
        "partly": ("◐", "Partly supported"),
        "not-supported": ("✗", "Not supported"),
        "not-testable": ("?", "Not testable"),
    }
)
#: GRADE certainty as the usual circles, its word, and a rank for sorting (higher is surer).
CERTAINTY_LABELS: Mapping[str, tuple[str, str, int]] = MappingProxyType(
    {
        "high": ("⊕⊕⊕⊕", "High", 4),
        "moderate": ("⊕⊕⊕◯", "Moderate", 3),
        "low": ("⊕⊕◯◯", "Low", 2),
        "very-low": ("⊕◯◯◯", "Very low", 1),
    }
)
APPLIES_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "other-condition": "another condition",
        "healthy": "healthy people",
        "animal": "animals",
        "mechanism": "mechanism only",
    }
)

#: The columns a reader scans first (as in Cochrane and MAGICapp summary-of-findings tables);
#: the rest of each row (finding, intervention, comparator, duration, outcomes) is one click away
#: in a ``<details>`` of the Result cell, open in print.
_PAGE_COLUMNS = (
    "Study",
    "Design and level",
    "Participants",
    "Result",
    "Certainty (GRADE)",
)
#: The terms of a row's details, in order.
_DETAIL_TERMS = ("Finding", "Intervention", "Comparator", "Duration", "Outcomes")
_NOT_STATED = "Not stated"


def _e(text: object) -> str:
    """Escape any value for HTML text and attributes."""
    return escape(str(text), quote=True)


def _thead(columns: Iterable[str]) -> str:
    cells = "".join(f'<th scope="col">{_e(name)}</th>' for name in columns)
    return f"<thead><tr>{cells}</tr></thead>"


def _td(label: str, body: str, css: str = "", extra: str = "") -> str:
    """A cell that names its column (``data-label``), shown when a narrow screen stacks rows."""
    klass = f' class="{css}"' if css else ""
    return f'<td{klass} data-label="{_e(label)}"{extra}>{body}</td>'


def _labelled(symbol: str, word: str) -> str:
    """A symbol hidden from screen readers (the word says it) followed by the word."""
    return f'<span class="evidence-symbol" aria-hidden="true">{_e(symbol)}</span> {_e(word)}'


def level_html(level: int) -> str:
    """``Level 2`` with an explanation of the OCEBM level on hover."""
    title = f"Oxford CEBM 2011 level {level} of 5 (1 strongest): {LEVEL_MEANINGS[level]}"
    return f'<abbr title="{_e(title)}">Level {level}</abbr>'


def result_html(result: str) -> str:
    """The result as a symbol plus a word, e.g. ``▲ Benefit``."""
    return _labelled(*RESULT_LABELS[result])


def _row_level(row: EvidenceRow) -> str:
    """The treatment level of a row that tests the intervention; the row's kind otherwise."""
    words = level_words(row)
    if words is None and row.level is not None:
        return level_html(row.level)
    return f'<span class="evidence-kind">{_e(words)}</span>'


def _row_result(row: EvidenceRow) -> str:
    """The result, followed by what its record is when that was not verified."""
    note = record_words(row)
    extra = f' <span class="evidence-record">({_e(note)})</span>' if note else ""
    return result_html(row.result) + extra


def certainty_html(certainty: str | None, source: str | None = None) -> str:
    """GRADE certainty as circles plus a word and its source, or ``Not graded``."""
    if certainty is None:
        return "Not graded"
    circles, word, _rank = CERTAINTY_LABELS[certainty]
    text = _labelled(circles, word)
    if source:
        text += f' <span class="evidence-certainty-source">({_e(source)})</span>'
    return text


#: Designs without participants: a missing count is no gap in reporting, so none is shown.
_NO_PARTICIPANTS = frozenset({"in-vitro", "narrative-review", "textbook"})


def _population(row: EvidenceRow) -> str:
    text = _e(row.population)
    if row.participants is not None:
        text += f' <span class="evidence-n">(n = {row.participants})</span>'
    elif row.design not in _NO_PARTICIPANTS:
        text += ' <span class="evidence-n">(n not reported)</span>'
    if row.indirect:
        badge = f"Indirect: {APPLIES_LABELS[row.applies_to]}"
        text += f' <span class="evidence-indirect">{_e(badge)}</span>'
    return text


def _details(row: EvidenceRow) -> str:
    """The rest of a row, one click away: finding, intervention, comparator, duration, outcomes."""
    values = (
        row.finding,
        row.intervention,
        row.comparator or comparator_words(row),
        row.duration or _NOT_STATED,
        row.outcomes,
    )
    items = "".join(
        f"<dt>{_e(term)}</dt><dd>{_e(value)}</dd>"
        for term, value in zip(_DETAIL_TERMS, values, strict=True)
    )
    return (
        '<details class="evidence-details"><summary>Finding and methods</summary>'
        f"<dl>{items}</dl></details>"
    )


def _evidence_row(row: EvidenceRow, cite: CiteFn) -> str:
    design = f'<span class="evidence-design">{_e(DESIGN_LABELS[row.design])}</span>'
    cells = (
        _td("Study", cite(row.cite), "evidence-source"),
        _td(
            "Design and level",
            f"{design} {_row_level(row)}",
            "evidence-level",
            f' data-sort="{row.rank}"',
        ),
        _td("Participants", _population(row), "evidence-participants"),
        _td("Result", _row_result(row) + _details(row), f"result result-{_e(row.result)}"),
        _td(
            "Certainty (GRADE)",
            certainty_html(row.certainty, row.certainty_source),
            "evidence-certainty",
        ),
    )
    attributes = (
        f'data-level="{row.level or ""}" data-design="{_e(row.design)}" '
        f'data-result="{_e(row.result)}" data-applies-to="{_e(row.applies_to)}" '
        f'data-question="{_e(row.question)}" data-record="{_e(row.record)}"'
    )
    css = ' class="evidence-indirect-row"' if row.indirect else ""
    return f"<tr{css} {attributes}>{''.join(cells)}</tr>"


def _caveat(text: str | None) -> str:
    if not text:
        return ""
    return f'<p class="evidence-caveat"><strong>Main limitation:</strong> {_e(text)}</p>'


def render_evidence_table(
    ev: PageEvidence, *, cite: CiteFn, year_of: Callable[[str], int | None]
) -> str:
    """Render a page's evidence rows as a summary-of-findings table, then its main caveat.

    Arguments:
        ev: The page's validated evidence.
        cite: The citation engine's renderer for a group of keys.
        year_of: Publication year of a key, for ordering rows within a level.

    Returns:
        HTML without blank lines; an empty string when the page has no rows.
    """
    if not ev.rows:
        return ""
    body = "\n".join(_evidence_row(row, cite) for row in sort_rows(ev.rows, year_of))
    caption = (
        "<caption>Evidence table: the studies cited on this page. Rows that test the "
        "intervention come first, by Oxford CEBM 2011 treatment level (1 strongest), then by "
        "year; other rows say in words what they are. Certainty is the GRADE rating where a "
        "cited source gives one.</caption>"
    )
    return (
        f'<div class="evidence-table-wrap"><table class="evidence-table">{caption}\n'
        f"{_thead(_PAGE_COLUMNS)}\n<tbody>\n{body}\n</tbody></table></div>\n{_caveat(ev.caveat)}"
    ).rstrip("\n")


def render_claims_table(ev: PageEvidence, *, cite: CiteFn) -> str:
    """Render a page's claim audit: each claim of the source article and how it holds up.

    Arguments:
        ev: The page's validated evidence.
        cite: The citation engine's renderer for a group of keys.

    Returns:
        HTML without blank lines; an empty string when the page has no claims.
    """
    if not ev.claims:
        return ""
    rows = "\n".join(
        f'<tr data-verdict="{_e(claim.verdict)}">'
        + _td("Claim", _e(claim.claim), "claim")
        + _td("Source", cite(claim.cite), "evidence-source")
        + _td(
            "Verdict",
            _labelled(*VERDICT_LABELS[claim.verdict]),
            f"verdict verdict-{_e(claim.verdict)}",
        )
        + _td("Note", _e(claim.note), "claim-note")
        + "</tr>"
        for claim in ev.claims
    )
    caption = (
        "<caption>Claim audit: what the source article says, and whether the work it cites "
        "bears it out.</caption>"
    )
    return (
        f'<div class="evidence-table-wrap"><table class="claims-table">{caption}\n'
        f"{_thead(('Claim', 'Source', 'Verdict', 'Note'))}\n<tbody>\n{rows}\n</tbody></table></div>"
    )


#: Column names; ``{condition}`` is the ``condition`` option, a name (``asthma``) or a phrase (the
#: default ``the condition``), so it only ever follows "in": both read naturally.
_SUMMARY_COLUMNS = (
    "Intervention",
    "Best level (studies in {condition})",
    "Studies in {condition}",
    "What the best of them showed",
    "Certainty (GRADE)",
    "Main caveat",
)
_NO_LEVEL_SORT = 9  # sorts interventions without rows after level 5


def _in_words(rows: Sequence[EvidenceRow], cite: CiteFn) -> str:
    """Rows listed by kind, e.g. ``tested in another condition [15]; mechanism only [16]``."""
    groups: dict[str, list[str]] = {}
    for row in rows:
        groups.setdefault(kind_words(row), []).extend(row.cite)
    return "; ".join(
        f"{_e(words)} {cite(tuple(dict.fromkeys(keys)))}" for words, keys in groups.items()
    )


def _columns(condition: str) -> tuple[str, ...]:
    """The summary's column names, for the site's condition."""
    return tuple(name.format(condition=condition) for name in _SUMMARY_COLUMNS)


def _direction_cell(facts: Overview, cite: CiteFn, condition: str) -> str:
    parts: list[str] = []
    if facts.direction is None:
        sort = ""
        checked = " on a checked record" if facts.condition_studies else ""
        parts.append(f"No study of it in {_e(condition)}{checked}")
        if facts.other:
            parts.append(f"Other evidence: {_in_words(facts.other, cite)}")
    else:
        sort = facts.direction
        keys = tuple(dict.fromkeys(key for row in facts.best_condition_rows for key in row.cite))
        if facts.direction == "uncontrolled-improvement":
            words = "; ".join(dict.fromkeys(kind_words(row) for row in facts.best_condition_rows))
            shown = _labelled(RESULT_LABELS[facts.direction][0], words[:1].upper() + words[1:])
        else:
            shown = result_html(facts.direction)
        parts.append(f"{shown} {cite(keys)}")
    if facts.not_counted:
        parts.append(f"Not counted: {_in_words(facts.not_counted, cite)}")
    css = f"result result-{_e(facts.direction)}" if facts.direction else "result"
    body = "".join(f"<p>{part}</p>" for part in parts)
    return _td(_columns(condition)[3], body, css, f' data-sort="{_e(sort)}"')


def _summary_row(item: InterventionSummary, cite: CiteFn, condition: str) -> str:
    columns = _columns(condition)
    facts = overview(item.evidence)
    if facts.best_level is None:
        level = _td(columns[1], "None", extra=f' data-sort="{_NO_LEVEL_SORT}"')
    else:
        level = _td(
            columns[1],
            level_html(facts.best_level),
            extra=f' data-sort="{facts.best_level}"',
        )
    graded = facts.graded
    rank = CERTAINTY_LABELS[graded.certainty][2] if graded and graded.certainty else 0
    certainty = certainty_html(graded.certainty, graded.certainty_source) if graded else None
    cells = (
        f'<th scope="row" data-sort="{_e(item.title)}"><a href="{_e(item.url)}">'
        f"{_e(item.title)}</a></th>",
        level,
        _td(
            columns[2],
            str(facts.condition_studies),
            extra=f' data-sort="{facts.condition_studies}"',
        ),
        _direction_cell(facts, cite, condition),
        _td(columns[4], certainty or "Not graded", extra=f' data-sort="{rank}"'),
        _td(columns[5], _e(item.evidence.caveat or _NOT_STATED)),
    )
    return f"<tr>{''.join(cells)}</tr>"


def _matrix_cell(name: str, count: TypeCount) -> str:
    if not count.studies:
        return _td(name, "–", extra=' data-sort="0" aria-label="none"')
    note = f" ({count.indirect} indirect)" if count.indirect else ""
    return _td(name, f"{count.studies}{note}", extra=f' data-sort="{count.studies}"')


def _matrix_row(item: InterventionSummary) -> str:
    cells = "".join(_matrix_cell(name, count) for name, count in type_counts(item.evidence).items())
    link = f'<a href="{_e(item.url)}">{_e(item.title)}</a>'
    return f'<tr><th scope="row" data-sort="{_e(item.title)}">{link}</th>{cells}</tr>'


def render_evidence_summary(
    items: Sequence[InterventionSummary], *, cite: CiteFn, condition: str = "the condition"
) -> str:
    """Render the comparison of all interventions: a summary table, then the evidence matrix.

    The summary gives, per intervention, the best OCEBM treatment level and the direction of
    the rows that tested it in people with the site's condition (``applies_to: condition``) on
    a verified or partly verified record (``Mixed`` when rows of that level disagree; an
    uncontrolled best row is described, never called a benefit), the number of such studies,
    the GRADE certainty of the strongest graded counted row, and the page's main caveat. Rows
    left out are listed in words (see :mod:`~monograph.core.evidence.summary`). The matrix
    counts distinct studies per evidence type. Cells carry ``data-sort`` for ``evidence.js``.

    Arguments:
        items: One entry per intervention page, in the order to show.
        cite: The citation engine's renderer for a group of keys.
        condition: The condition the site is about, as the tables name it (``asthma``).

    Returns:
        Two sortable tables (``evidence-summary`` and ``evidence-matrix``) without blank lines.
    """
    summary_rows = "\n".join(_summary_row(item, cite, condition) for item in items)
    matrix_rows = "\n".join(_matrix_row(item) for item in items)
    summary_caption = (
        "<caption>Evidence across interventions. Level and result count only studies that "
        f"tested the intervention in people with {_e(condition)} and whose record was checked "
        "(Oxford CEBM 2011 treatment level, 1 strongest); other evidence is named in words."
        "</caption>"
    )
    matrix_caption = (
        "<caption>Number of cited studies by type of evidence; a study reported in several "
        "rows counts once.</caption>"
    )
    matrix_head = _thead(("Intervention", *EVIDENCE_TYPES))
    return (
        f'<div class="evidence-table-wrap"><table class="evidence-summary sortable">'
        f"{summary_caption}\n{_thead(_columns(condition))}\n<tbody>\n{summary_rows}\n</tbody>"
        f"</table></div>\n"
        f'<div class="evidence-table-wrap"><table class="evidence-matrix sortable">'
        f"{matrix_caption}\n{matrix_head}\n<tbody>\n{matrix_rows}\n</tbody></table></div>"
    )
