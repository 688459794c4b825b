"""The summary across interventions and the evidence-type matrix: facts and HTML."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest
from lxml.html import HtmlElement
from monograph.core.evidence import EvidenceRow, PageEvidence
from monograph.core.evidence_render import InterventionSummary, render_evidence_summary
from monograph.core.evidence_summary import direction_of, overview, type_counts


def cite(keys: Any) -> str:
    links = "".join(f'<a class="citation" data-cite="{key}">{key}</a>' for key in keys)
    return f'<span class="citation-group">[{links}]</span>'


def make_row(cite: str = "k", **changes: Any) -> EvidenceRow:
    fields: dict[str, Any] = {
        "cite": [cite],
        "design": "rct",
        "population": "p",
        "intervention": "i",
        "outcomes": "o",
        "result": "benefit",
        "finding": "f",
        "applies_to": "rls",
    }
    fields.update(changes)
    return EvidenceRow.model_validate(fields)


IRON = PageEvidence(
    rows=(
        make_row(
            "trotti2019",
            design="systematic-review",
            certainty="moderate",
            certainty_source="Cochrane",
        ),
        make_row("bang2018", design="cohort", result="not-applicable"),
        make_row("connor2017", design="narrative-review", applies_to="mechanism"),
    ),
    caveat="Short trials.",
)
VALERIAN = PageEvidence(
    rows=(
        make_row("cuellar2009", result="no-difference", outcomes="IRLS"),
        make_row("cuellar2009", result="no-difference", outcomes="PSQI"),
        make_row("other2010", design="rct", applies_to="healthy"),
    ),
    caveat="One small trial.",
)
LAVENDER = PageEvidence(
    rows=(
        make_row("malcolm2017", design="systematic-review", applies_to="other-condition"),
        make_row("kim2009", design="animal", applies_to="animal", result="not-applicable"),
    ),
    caveat="No RLS study.",
)
MAGNESIUM = PageEvidence(
    rows=(
        make_row("hornyak1998", design="case-series"),
        make_row("bartell2006", design="case-report", result="no-difference"),
    ),
    caveat="Uncontrolled.",
)
ITEMS = [
    InterventionSummary("Iron", "../interventions/iron.md", IRON),
    InterventionSummary("Valerian", "../interventions/valerian.md", VALERIAN),
    InterventionSummary("Lavender oil", "../interventions/lavender.md", LAVENDER),
    InterventionSummary("Magnesium", "../interventions/magnesium.md", MAGNESIUM),
]


def parse(html: str) -> HtmlElement:
    return lxml.html.fragment_fromstring(html, create_parent="div")


def texts(tr: HtmlElement) -> list[str]:
    return [" ".join(cell.text_content().split()) for cell in tr.xpath("./th|./td")]


def sort_keys(tr: HtmlElement) -> list[str | None]:
    return [cell.get("data-sort") for cell in tr.xpath("./th|./td")]


@pytest.mark.parametrize(
    ("evidence", "best_level", "indirect_only", "rls_studies", "direction", "graded"),
    [
        (IRON, 1, False, 2, "benefit", "trotti2019"),
        (VALERIAN, 2, False, 1, "no-difference", None),
        (LAVENDER, 1, True, 0, None, None),
        (MAGNESIUM, 4, False, 2, "mixed", None),
        (PageEvidence(), None, False, 0, None, None),
    ],
    ids=["iron", "valerian", "lavender", "magnesium", "no-rows"],
)
def test_overview(
    evidence: PageEvidence,
    best_level: int | None,
    indirect_only: bool,
    rls_studies: int,
    direction: str | None,
    graded: str | None,
) -> None:
    facts = overview(evidence)
    assert facts.best_level == best_level
    assert facts.best_level_indirect is indirect_only
    assert facts.rls_studies == rls_studies
    assert facts.direction == direction
    assert (facts.graded.cite[0] if facts.graded else None) == graded


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        (["benefit"], "benefit"),
        (["benefit", "benefit"], "benefit"),
        (["benefit", "not-reported"], "benefit"),
        (["benefit", "harm"], "mixed"),
        (["not-reported", "not-applicable"], "not-reported"),
        ([], None),
    ],
)
def test_direction_of_rows_of_equal_standing(results: list[str], expected: str | None) -> None:
    assert direction_of(make_row(result=result) for result in results) == expected


def test_type_counts_count_distinct_studies_and_indirect_ones() -> None:
    counts = {name: (c.studies, c.indirect) for name, c in type_counts(VALERIAN).items()}
    assert counts == {
        "Systematic review": (0, 0),
        "RCT": (2, 1),
        "Other human study": (0, 0),
        "Case report/series": (0, 0),
        "Animal": (0, 0),
        "Mechanism/review": (0, 0),
    }


def test_summary_table_rows() -> None:
    root = parse(render_evidence_summary(ITEMS, cite=cite))
    (table,) = root.xpath("//table[@class='evidence-summary sortable']")
    assert [th.text_content() for th in table.xpath("./thead/tr/th[@scope='col']")] == [
        "Intervention",
        "Best level of evidence",
        "Human RLS studies",
        "Direction of best RLS evidence",
        "Certainty (GRADE)",
        "Main caveat",
    ]
    rows = table.xpath("./tbody/tr")
    assert [texts(tr) for tr in rows] == [
        [
            "Iron",
            "Level 1",
            "2",
            "▲ Benefit (Level 1) [trotti2019]",
            "⊕⊕⊕◯ Moderate (Cochrane)",
            "Short trials.",
        ],
        [
            "Valerian",
            "Level 2",
            "1",
            "= No difference (Level 2) [cuellar2009]",
            "Not graded",
            "One small trial.",
        ],
        [
            "Lavender oil",
            "Level 1 (indirect only)",
            "0",
            "No RLS study",
            "Not graded",
            "No RLS study.",
        ],
        [
            "Magnesium",
            "Level 4",
            "2",
            "◆ Mixed (Level 4) [hornyak1998bartell2006]",
            "Not graded",
            "Uncontrolled.",
        ],
    ]
    assert [sort_keys(tr)[:5] for tr in rows] == [
        ["Iron", "1", "2", "benefit", "3"],
        ["Valerian", "2", "1", "no-difference", "0"],
        ["Lavender oil", "1", "0", "", "0"],
        ["Magnesium", "4", "2", "mixed", "0"],
    ]


def test_summary_links_and_row_headers() -> None:
    root = parse(render_evidence_summary(ITEMS, cite=cite))
    headers = root.xpath("//table[contains(@class, 'evidence-summary')]/tbody/tr/th[@scope='row']")
    assert [th.xpath("./a/@href")[0] for th in headers] == [item.url for item in ITEMS]


def test_matrix_counts() -> None:
    root = parse(render_evidence_summary(ITEMS, cite=cite))
    (table,) = root.xpath("//table[@class='evidence-matrix sortable']")
    assert [th.text_content() for th in table.xpath("./thead/tr/th")] == [
        "Intervention",
        "Systematic review",
        "RCT",
        "Other human study",
        "Case report/series",
        "Animal",
        "Mechanism/review",
    ]
    rows = table.xpath("./tbody/tr")
    assert [texts(tr) for tr in rows] == [
        ["Iron", "1", "–", "1", "–", "–", "1 (1 indirect)"],
        ["Valerian", "–", "2 (1 indirect)", "–", "–", "–", "–"],
        ["Lavender oil", "1 (1 indirect)", "–", "–", "–", "1 (1 indirect)", "–"],
        ["Magnesium", "–", "–", "–", "2", "–", "–"],
    ]
    assert sort_keys(rows[1]) == ["Valerian", "0", "2", "0", "0", "0", "0"]
    empty = rows[1].xpath("./td")[0]
    assert (empty.text, empty.get("aria-label")) == ("–", "none")


def test_summary_escapes_titles_urls_and_caveats() -> None:
    hostile = '"><script>x()</script>'
    page = PageEvidence(rows=(make_row(),), caveat=hostile)
    root = parse(render_evidence_summary([InterventionSummary(hostile, hostile, page)], cite=cite))
    assert root.xpath("//script") == []
    links = root.xpath("//tbody/tr/th/a")
    assert [(a.get("href"), a.text_content()) for a in links] == [(hostile, hostile)] * 2
    assert texts(root.xpath("//table[contains(@class, 'evidence-summary')]/tbody/tr")[0])[5] == (
        hostile
    )


def test_summary_of_no_interventions_keeps_both_tables() -> None:
    root = parse(render_evidence_summary([], cite=cite))
    assert len(root.xpath("//table[contains(@class, 'sortable')]")) == 2
    assert root.xpath("//tbody/tr") == []


def test_summary_has_no_blank_lines() -> None:
    assert "\n\n" not in render_evidence_summary(ITEMS, cite=cite)
