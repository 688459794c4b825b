"""The summary across interventions and the evidence-type matrix: facts and HTML."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest
from lxml.html import HtmlElement
from monograph.core.evidence.render import InterventionSummary, render_evidence_summary
from monograph.core.evidence.summary import direction_of, overview, type_counts
from monograph.core.evidence.validation import EvidenceRow, PageEvidence
from monograph.core.evidence.wording import kind_words


def cite(keys: Any) -> str:
    links = "".join(f'<a class="citation" data-cite="{key}">{key}</a>' for key in keys)
    return f'<span class="citation-group">[{links}]</span>'


def make_row(cite: str = "k", **changes: Any) -> EvidenceRow:
    fields: dict[str, Any] = {
        "cite": [cite],
        "design": "rct",
        "population": "p",
        "intervention": "i",
        "comparator": "Placebo",
        "outcomes": "o",
        "result": "benefit",
        "finding": "f",
        "applies_to": "condition",
        "question": "effect",
        "record": "verified",
    }
    fields.update(changes)
    return EvidenceRow.model_validate(fields)


def background(cite: str, **changes: Any) -> EvidenceRow:
    fields: dict[str, Any] = {
        "design": "narrative-review",
        "comparator": None,
        "result": "not-applicable",
        "applies_to": "mechanism",
        "question": "background",
    }
    return make_row(cite, **(fields | changes))


IRON = PageEvidence(
    rows=(
        make_row(
            "trotti2019",
            design="systematic-review",
            certainty="moderate",
            certainty_source="Cochrane",
        ),
        make_row(
            "bang2018",
            design="case-series",
            comparator=None,
            result="not-applicable",
            question="association",
        ),
        background("connor2017", record="unverified"),
    ),
    caveat="Short trials.",
)
VALERIAN = PageEvidence(
    rows=(
        make_row("cuellar2009", result="no-difference", outcomes="IRLS"),
        make_row("cuellar2009", result="no-difference", outcomes="PSQI"),
        make_row("other2010", design="rct", applies_to="healthy"),
        make_row("ziegler2002", result="not-reported", record="unverified"),
    ),
    caveat="One small trial.",
)
LAVENDER = PageEvidence(
    rows=(
        make_row(
            "malcolm2017",
            design="narrative-review",
            comparator=None,
            result="not-reported",
            applies_to="other-condition",
        ),
        make_row(
            "kim2009",
            design="animal",
            applies_to="animal",
            result="not-applicable",
            question="mechanism",
            record="partly",
        ),
    ),
    caveat="No RLS study.",
)
MAGNESIUM = PageEvidence(
    rows=(
        make_row(
            "hornyak1998",
            design="case-series",
            participants=10,
            result="uncontrolled-improvement",
        ),
        make_row(
            "bartell2006",
            design="case-report",
            participants=1,
            comparator=None,
            result="uncontrolled-improvement",
            record="secondary-only",
        ),
        background("debaaij2015"),
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
    ("evidence", "best_level", "condition_studies", "direction", "graded", "not_counted", "other"),
    [
        (IRON, 1, 1, "benefit", "trotti2019", [], ["bang2018", "connor2017"]),
        (VALERIAN, 2, 2, "no-difference", None, ["ziegler2002"], ["other2010"]),
        (LAVENDER, None, 0, None, None, [], ["malcolm2017", "kim2009"]),
        (
            MAGNESIUM,
            4,
            2,
            "uncontrolled-improvement",
            None,
            ["bartell2006"],
            ["debaaij2015"],
        ),
        (PageEvidence(), None, 0, None, None, [], []),
    ],
    ids=["iron", "valerian", "lavender", "magnesium", "no-rows"],
)
def test_overview_counts_only_checked_condition_studies_of_the_intervention(
    evidence: PageEvidence,
    best_level: int | None,
    condition_studies: int,
    direction: str | None,
    graded: str | None,
    not_counted: list[str],
    other: list[str],
) -> None:
    facts = overview(evidence)
    assert facts.best_level == best_level
    assert facts.condition_studies == condition_studies
    assert facts.direction == direction
    assert (facts.graded.cite[0] if facts.graded else None) == graded
    assert [row.cite[0] for row in facts.not_counted] == not_counted
    assert [row.cite[0] for row in facts.other] == other


def test_an_unchecked_trial_sets_neither_level_nor_direction() -> None:
    evidence = PageEvidence(
        rows=(
            make_row(
                "unchecked", design="systematic-review", result="not-reported", record="unverified"
            ),
            make_row("pilot", design="case-series", result="uncontrolled-improvement"),
        ),
        caveat="c",
    )
    facts = overview(evidence)
    assert (facts.best_level, facts.direction) == (4, "uncontrolled-improvement")
    assert [row.cite[0] for row in facts.not_counted] == ["unchecked"]


def test_indirect_and_association_rows_never_set_a_level() -> None:
    evidence = PageEvidence(
        rows=(
            make_row("anxiety", design="systematic-review", applies_to="other-condition"),
            make_row("mice", design="animal", applies_to="animal"),
            make_row(
                "survey",
                design="cross-sectional",
                result="not-applicable",
                question="association",
            ),
        ),
        caveat="c",
    )
    facts = overview(evidence)
    assert (facts.best_level, facts.direction, facts.condition_studies) == (None, None, 0)
    assert len(facts.other) == 3


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
        "RCT": (3, 1),
        "Other human study": (0, 0),
        "Case report/series": (0, 0),
        "Animal": (0, 0),
        "Mechanism/review": (0, 0),
    }


def test_summary_table_rows() -> None:
    root = parse(render_evidence_summary(ITEMS, cite=cite, condition="RLS"))
    (table,) = root.xpath("//table[@class='evidence-summary sortable']")
    assert [th.text_content() for th in table.xpath("./thead/tr/th[@scope='col']")] == [
        "Intervention",
        "Best level (studies in RLS)",
        "Studies in RLS",
        "What the best of them showed",
        "Certainty (GRADE)",
        "Main caveat",
    ]
    rows = table.xpath("./tbody/tr")
    assert [texts(tr)[:3] + texts(tr)[4:] for tr in rows] == [
        ["Iron", "Level 1", "1", "⊕⊕⊕◯ Moderate (Cochrane)", "Short trials."],
        ["Valerian", "Level 2", "2", "Not graded", "One small trial."],
        ["Lavender oil", "None", "0", "Not graded", "No RLS study."],
        ["Magnesium", "Level 4", "2", "Not graded", "Uncontrolled."],
    ]
    shown = [
        [" ".join(p.text_content().split()) for p in tr.xpath("./td")[2].xpath("./p")]
        for tr in rows
    ]
    assert shown == [
        ["▲ Benefit [trotti2019]"],
        [
            "= No difference [cuellar2009]",
            "Not counted: randomised trial, record not verified [ziegler2002]",
        ],
        [
            "No study of it in RLS",
            "Other evidence: tested in another condition [malcolm2017]; mechanism only, not a "
            "test of the intervention in people [kim2009]",
        ],
        [
            "△ Uncontrolled, 10 patients [hornyak1998]",
            "Not counted: uncontrolled, 1 patient, secondary report only [bartell2006]",
        ],
    ]
    assert [sort_keys(tr)[:5] for tr in rows] == [
        ["Iron", "1", "1", "benefit", "3"],
        ["Valerian", "2", "2", "no-difference", "0"],
        ["Lavender oil", "9", "0", "", "0"],
        ["Magnesium", "4", "2", "uncontrolled-improvement", "0"],
    ]


def test_the_default_condition_reads_naturally() -> None:
    root = parse(render_evidence_summary(ITEMS, cite=cite))
    (table,) = root.xpath("//table[@class='evidence-summary sortable']")
    heads = [th.text_content() for th in table.xpath("./thead/tr/th[@scope='col']")]
    assert heads[1:3] == ["Best level (studies in the condition)", "Studies in the condition"]
    caption = " ".join(table.xpath("./caption")[0].text_content().split())
    assert "tested the intervention in people with the condition and" in caption
    lavender = table.xpath("./tbody/tr")[2].xpath("./td")[2].xpath("./p")[0].text_content()
    assert lavender == "No study of it in the condition"
    # The cells name their column for narrow screens, in the same words.
    assert table.xpath("./tbody/tr")[0].xpath("./td")[1].get("data-label") == heads[2]


def test_no_benefit_is_shown_for_uncontrolled_or_unchecked_evidence() -> None:
    html = render_evidence_summary(ITEMS[2:], cite=cite)
    assert "Benefit" not in html and "Level 5" not in html


def test_summary_links_and_row_headers() -> None:
    root = parse(render_evidence_summary(ITEMS, cite=cite, condition="RLS"))
    headers = root.xpath("//table[contains(@class, 'evidence-summary')]/tbody/tr/th[@scope='row']")
    assert [th.xpath("./a/@href")[0] for th in headers] == [item.url for item in ITEMS]


def test_matrix_counts() -> None:
    root = parse(render_evidence_summary(ITEMS, cite=cite, condition="RLS"))
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
        ["Iron", "1", "–", "–", "1", "–", "1 (1 indirect)"],
        ["Valerian", "–", "3 (1 indirect)", "–", "–", "–", "–"],
        ["Lavender oil", "–", "–", "–", "–", "1 (1 indirect)", "1 (1 indirect)"],
        ["Magnesium", "–", "–", "–", "2", "–", "1 (1 indirect)"],
    ]
    assert sort_keys(rows[1]) == ["Valerian", "0", "3", "0", "0", "0", "0"]
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


@pytest.mark.parametrize(
    ("row", "words"),
    [
        (
            make_row(design="case-series", participants=10, result="uncontrolled-improvement"),
            "uncontrolled, 10 patients",
        ),
        (
            make_row(
                design="case-report",
                participants=1,
                result="uncontrolled-improvement",
                record="secondary-only",
            ),
            "uncontrolled, 1 patient, secondary report only",
        ),
        (
            make_row(design="case-series", participants=None, result="not-reported"),
            "uncontrolled, number not reported",
        ),
        (make_row(applies_to="healthy"), "tested in healthy people"),
        (
            make_row(result="not-reported", record="unverified"),
            "randomised trial, record not verified",
        ),
        (
            make_row(design="case-control", result="not-applicable", question="association"),
            "association only, not a test of the intervention",
        ),
        (background("text"), "background (review or textbook), not a test of the intervention"),
    ],
)
def test_kind_words(row: EvidenceRow, words: str) -> None:
    assert kind_words(row) == words
