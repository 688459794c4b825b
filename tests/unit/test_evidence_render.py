"""HTML of the page evidence table and the claim audit, asserted on parsed rows."""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy as copy_element
from typing import Any

import lxml.html
import pytest
from lxml.html import HtmlElement
from monograph.core.evidence.render import render_claims_table, render_evidence_table
from monograph.core.evidence.validation import Claim, EvidenceRow, PageEvidence

YEARS = {"trotti2019": 2019, "cuellar2009": 2009, "kim2009": 2009, "bang2018": 2018}


class FakeCite:
    """Numbers keys by first use, as the citation engine does, and records every call."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.calls: list[tuple[str, ...]] = []

    def __call__(self, keys: Sequence[str]) -> str:
        self.calls.append(tuple(keys))
        links = ", ".join(
            f'<a class="citation" data-cite="{key}" href="#ref-{key}">'
            f"{self.numbers.setdefault(key, len(self.numbers) + 1)}</a>"
            for key in keys
        )
        return f'<span class="citation-group">[{links}]</span>'


def make_row(**changes: Any) -> EvidenceRow:
    fields: dict[str, Any] = {
        "cite": ["cuellar2009"],
        "design": "rct",
        "population": "Adults with RLS aged 36-65 (USA)",
        "participants": 37,
        "intervention": "Valerian 800 mg daily, oral",
        "comparator": "Placebo",
        "duration": "8 weeks",
        "outcomes": "PSQI; ESS; IRLS",
        "result": "no-difference",
        "finding": "Both groups improved; no difference was reported.",
        "applies_to": "condition",
        "question": "effect",
        "record": "verified",
    }
    fields.update(changes)
    return EvidenceRow.model_validate(fields)


IRON_REVIEW = make_row(
    cite=["trotti2019"],
    design="systematic-review",
    population="Adults with RLS in 10 trials",
    participants=428,
    result="benefit",
    certainty="moderate",
    certainty_source="Cochrane summary of findings",
)
MOUSE = make_row(
    cite=["kim2009"],
    design="animal",
    population="Mice",
    participants=None,
    comparator=None,
    duration=None,
    result="not-applicable",
    applies_to="animal",
    question="mechanism",
    record="partly",
)
PAGE = PageEvidence(
    rows=(make_row(), MOUSE, IRON_REVIEW),
    caveat="One small trial.",
    claims=(
        Claim(claim="Iron helps.", cite=("trotti2019",), verdict="supported", note="Cochrane."),
        Claim(claim="Valerian helps.", cite=("cuellar2009",), verdict="not-supported", note="No."),
    ),
)


def parse(html: str) -> HtmlElement:
    return lxml.html.fragment_fromstring(html, create_parent="div")


def _text(element: HtmlElement, *, without: str = "details") -> str:
    """The element's text, without the parts matched by ``without`` (a row's details)."""
    copy = copy_element(element)
    for part in copy.xpath(f".//{without}"):
        part.drop_tree()
    return " ".join(copy.text_content().split())


def cell_texts(tr: HtmlElement) -> list[str]:
    """The text a reader scans in each cell (the row's details left out)."""
    return [_text(cell) for cell in tr.xpath("./th|./td")]


def details_of(tr: HtmlElement) -> dict[str, str]:
    """The row's details (one click away): term -> value."""
    (details,) = tr.xpath(".//details[@class='evidence-details']")
    assert details.xpath("./summary")[0].text_content() == "Finding and methods"
    terms = [" ".join(dt.text_content().split()) for dt in details.xpath("./dl/dt")]
    values = [" ".join(dd.text_content().split()) for dd in details.xpath("./dl/dd")]
    return dict(zip(terms, values, strict=True))


def level_of(tr: HtmlElement) -> str:
    """The level (or what the row is) in the Design and level cell, without the design."""
    (cell,) = tr.xpath("./td[contains(@class, 'evidence-level')]")
    return _text(cell, without="span[@class='evidence-design']")


def test_page_table_columns_caption_and_rows_in_level_order() -> None:
    root = parse(render_evidence_table(PAGE, cite=FakeCite(), year_of=YEARS.get))
    (table,) = root.xpath("//table[@class='evidence-table']")
    assert [th.text_content() for th in table.xpath("./thead/tr/th[@scope='col']")] == [
        "Study",
        "Design and level",
        "Participants",
        "Result",
        "Certainty (GRADE)",
    ]
    # Stacked as cards on a narrow screen, each cell names its column.
    for tr in table.xpath("./tbody/tr"):
        assert [td.get("data-label") for td in tr.xpath("./td")] == [
            "Study",
            "Design and level",
            "Participants",
            "Result",
            "Certainty (GRADE)",
        ]
    assert table.xpath("./caption")[0].text_content().startswith("Evidence table:")
    rows = table.xpath("./tbody/tr")
    assert [
        (tr.get("data-level"), tr.get("data-design"), tr.get("data-result")) for tr in rows
    ] == [
        ("1", "systematic-review", "benefit"),
        ("2", "rct", "no-difference"),
        ("", "animal", "not-applicable"),
    ]


def test_page_table_cells() -> None:
    root = parse(render_evidence_table(PAGE, cite=FakeCite(), year_of=YEARS.get))
    review, trial, mouse = root.xpath("//table/tbody/tr")
    assert cell_texts(trial) == [
        "[2]",
        "Randomised controlled trial Level 2",
        "Adults with RLS aged 36-65 (USA) (n = 37)",
        "= No difference",
        "Not graded",
    ]
    assert details_of(trial) == {
        "Finding": "Both groups improved; no difference was reported.",
        "Intervention": "Valerian 800 mg daily, oral",
        "Comparator": "Placebo",
        "Duration": "8 weeks",
        "Outcomes": "PSQI; ESS; IRLS",
    }
    assert cell_texts(review)[3:5] == [
        "▲ Benefit",
        "⊕⊕⊕◯ Moderate (Cochrane summary of findings)",
    ]
    assert level_of(mouse) == "Mechanism only, not a test of the intervention in people"
    assert cell_texts(mouse)[1:3] == [
        "Animal study Mechanism only, not a test of the intervention in people",
        "Mice (n not reported) Indirect: animals",
    ]
    mouse_details = details_of(mouse)
    assert mouse_details["Intervention"] == "Valerian 800 mg daily, oral"
    assert (mouse_details["Comparator"], mouse_details["Duration"]) == (
        "Not applicable",
        "Not stated",
    )
    assert mouse.get("class") == "evidence-indirect-row"
    assert trial.get("class") is None


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"participants": 0}, "Adults (n = 0)"),
        ({"participants": None}, "Adults (n not reported)"),
        ({"participants": None, "design": "cohort"}, "Adults (n not reported)"),
        (
            {
                "participants": None,
                "design": "narrative-review",
                "applies_to": "mechanism",
                "result": "not-reported",
            },
            "Adults Indirect: mechanism only",
        ),
        (
            {
                "participants": None,
                "design": "in-vitro",
                "applies_to": "mechanism",
                "result": "not-applicable",
                "question": "mechanism",
            },
            "Adults Indirect: mechanism only",
        ),
        ({"participants": 20, "applies_to": "healthy"}, "Adults (n = 20) Indirect: healthy people"),
        ({"applies_to": "other-condition"}, "Adults (n = 37) Indirect: another condition"),
    ],
)
def test_population_cell(changes: dict[str, Any], text: str) -> None:
    page = PageEvidence(rows=(make_row(population="Adults", **changes),), caveat="c")
    root = parse(render_evidence_table(page, cite=FakeCite(), year_of=YEARS.get))
    assert cell_texts(root.xpath("//tbody/tr")[0])[2] == text


def test_level_abbreviation_explains_ocebm() -> None:
    root = parse(render_evidence_table(PAGE, cite=FakeCite(), year_of=YEARS.get))
    titles = [abbr.get("title") for abbr in root.xpath("//td[@class='evidence-level']/abbr")]
    assert titles[1] == "Oxford CEBM 2011 level 2 of 5 (1 strongest): randomised trial"


def test_result_is_symbol_and_word_with_class_and_hidden_symbol() -> None:
    root = parse(render_evidence_table(PAGE, cite=FakeCite(), year_of=YEARS.get))
    (cell,) = root.xpath("//tr[@data-design='rct']/td[contains(@class, 'result')]")
    assert cell.get("class") == "result result-no-difference"
    (symbol,) = cell.xpath("./span[@aria-hidden='true']")
    assert symbol.text == "="
    assert _text(cell) == "= No difference"


def test_source_cell_holds_the_engine_citation_in_table_order() -> None:
    cite = FakeCite()
    root = parse(render_evidence_table(PAGE, cite=cite, year_of=YEARS.get))
    assert cite.calls == [("trotti2019",), ("cuellar2009",), ("kim2009",)]
    sources = root.xpath("//td[@class='evidence-source']/span[@class='citation-group']/a")
    assert [(a.get("data-cite"), a.get("href")) for a in sources] == [
        ("trotti2019", "#ref-trotti2019"),
        ("cuellar2009", "#ref-cuellar2009"),
        ("kim2009", "#ref-kim2009"),
    ]


def test_caveat_follows_the_table() -> None:
    root = parse(render_evidence_table(PAGE, cite=FakeCite(), year_of=YEARS.get))
    (caveat,) = root.xpath("./p[@class='evidence-caveat']")
    assert caveat.text_content() == "Main limitation: One small trial."


@pytest.mark.parametrize(
    "render",
    [
        lambda ev: render_evidence_table(ev, cite=FakeCite(), year_of=YEARS.get),
        lambda ev: render_claims_table(ev, cite=FakeCite()),
    ],
    ids=["evidence", "claims"],
)
def test_output_has_no_blank_lines(render: Any) -> None:
    # A blank line would end a raw HTML block if the HTML went through Markdown.
    assert "\n\n" not in render(PAGE)


def test_nothing_to_render_gives_an_empty_string() -> None:
    empty = PageEvidence()
    assert render_evidence_table(empty, cite=FakeCite(), year_of=YEARS.get) == ""
    assert render_claims_table(empty, cite=FakeCite()) == ""


HOSTILE = '<script>alert("x")</script> & "quotes"'


def test_every_data_field_is_escaped() -> None:
    row = make_row(
        population=HOSTILE,
        intervention=HOSTILE,
        comparator=HOSTILE,
        duration=HOSTILE,
        outcomes=HOSTILE,
        finding=HOSTILE,
        certainty="low",
        certainty_source=HOSTILE,
    )
    page = PageEvidence(
        rows=(row,),
        caveat=HOSTILE,
        claims=(Claim(claim=HOSTILE, cite=("a",), verdict="partly", note=HOSTILE),),
    )
    html = render_evidence_table(page, cite=FakeCite(), year_of=YEARS.get)
    html += render_claims_table(page, cite=FakeCite())
    root = parse(html)
    assert root.xpath("//script") == []
    (tr,) = root.xpath("//table[@class='evidence-table']/tbody/tr")
    texts = cell_texts(tr)
    assert list(details_of(tr).values()) == [HOSTILE] * 5
    assert texts[2] == f"{HOSTILE} (n = 37)"
    assert texts[4] == f"⊕⊕◯◯ Low ({HOSTILE})"
    (claim_row,) = root.xpath("//table[@class='claims-table']/tbody/tr")
    assert cell_texts(claim_row)[0] == HOSTILE
    assert cell_texts(claim_row)[3] == HOSTILE
    assert HOSTILE in root.xpath("string(//p[@class='evidence-caveat'])")


def test_claims_table() -> None:
    cite = FakeCite()
    root = parse(render_claims_table(PAGE, cite=cite))
    (table,) = root.xpath("//table[@class='claims-table']")
    assert [th.text_content() for th in table.xpath("./thead/tr/th")] == [
        "Claim",
        "Source",
        "Verdict",
        "Note",
    ]
    assert table.xpath("./caption")[0].text_content().startswith("Claim audit:")
    rows = table.xpath("./tbody/tr")
    assert [cell_texts(tr) for tr in rows] == [
        ["Iron helps.", "[1]", "✓ Supported", "Cochrane."],
        ["Valerian helps.", "[2]", "✗ Not supported", "No."],
    ]
    assert [tr.get("data-verdict") for tr in rows] == ["supported", "not-supported"]
    assert rows[1].xpath("./td[3]")[0].get("class") == "verdict verdict-not-supported"
    assert cite.calls == [("trotti2019",), ("cuellar2009",)]


@pytest.mark.parametrize(
    ("verdict", "text"),
    [
        ("supported", "✓ Supported"),
        ("partly", "◐ Partly supported"),
        ("not-supported", "✗ Not supported"),
        ("not-testable", "? Not testable"),
    ],
)
def test_every_verdict_has_symbol_and_word(verdict: str, text: str) -> None:
    page = PageEvidence(claims=(Claim(claim="c", cite=("a",), verdict=verdict, note="n"),))
    root = parse(render_claims_table(page, cite=FakeCite()))
    assert root.xpath("string(//td[contains(@class, 'verdict')])") == text


@pytest.mark.parametrize(
    ("result", "text"),
    [
        ("benefit", "▲ Benefit"),
        ("no-difference", "= No difference"),
        ("harm", "▼ Harm"),
        ("mixed", "◆ Mixed"),
        ("not-reported", "— Not reported"),
        ("not-applicable", "○ Not applicable"),
        ("uncontrolled-improvement", "△ Improved, no control group"),
    ],
)
def test_every_result_has_symbol_and_word(result: str, text: str) -> None:
    design = "case-series" if result == "uncontrolled-improvement" else "rct"
    page = PageEvidence(rows=(make_row(result=result, design=design),), caveat="c")
    root = parse(render_evidence_table(page, cite=FakeCite(), year_of=YEARS.get))
    (cell,) = root.xpath("//td[contains(@class, 'result')]")
    assert _text(cell) == text


@pytest.mark.parametrize(
    ("changes", "level", "result"),
    [
        (
            {
                "design": "case-report",
                "comparator": None,
                "result": "uncontrolled-improvement",
                "record": "secondary-only",
                "participants": 1,
            },
            "Level 4",
            "△ Improved, no control group (secondary report only)",
        ),
        (
            {"result": "not-reported", "record": "unverified"},
            "Level 2",
            "— Not reported (record not verified)",
        ),
        (
            {"design": "case-control", "result": "not-applicable", "question": "association"},
            "Association only, not a test of the intervention",
            "○ Not applicable",
        ),
        (
            {
                "design": "textbook",
                "result": "not-applicable",
                "question": "background",
                "applies_to": "mechanism",
            },
            "Background (review or textbook), not a test of the intervention",
            "○ Not applicable",
        ),
    ],
)
def test_rows_that_do_not_carry_a_level_or_a_checked_result_say_so(
    changes: dict[str, Any], level: str, result: str
) -> None:
    page = PageEvidence(rows=(make_row(**changes),), caveat="c")
    root = parse(render_evidence_table(page, cite=FakeCite(), year_of=YEARS.get))
    (tr,) = root.xpath("//tbody/tr")
    assert (level_of(tr), cell_texts(tr)[3]) == (level, result)
    if changes.get("design") == "case-report":
        assert details_of(tr)["Comparator"] == "None (uncontrolled)"
    assert root.xpath("//tbody/tr")[0].get("data-question") == changes.get("question", "effect")
