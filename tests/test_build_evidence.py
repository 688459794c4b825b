"""Evidence tables through a real MkDocs build: page table, claims, summary, and failures."""

from __future__ import annotations

from .conftest import SiteBuilder

BIB = """
@article{rct2009, author = {Rct, Ann}, title = {A trial}, journal = {J}, year = {2009}, pmid = {1}}
@article{rev2019, author = {Rev, Bob}, title = {A review}, journal = {J}, year = {2019}, pmid = {2}}
@article{mouse2009, author = {Mouse, Mo}, title = {Mice}, journal = {J}, year = {2009}, pmid = {3}}
"""

VALERIAN = """---
title: Valerian
evidence_caveat: "One small trial."
evidence:
  - cite: [mouse2009]
    design: animal
    population: "Mice"
    participants: null
    intervention: "Oil <b>injected</b>"
    comparator: "Vehicle"
    duration: "5 days"
    outcomes: "Rotarod"
    result: benefit
    finding: "Mice did better <script>x</script>."
    applies_to: animal
    question: effect
    record: partly
  - cite: [rct2009]
    design: rct
    population: "Adults with RLS"
    participants: 37
    intervention: "Valerian 800 mg"
    comparator: "Placebo"
    duration: "8 weeks"
    outcomes: "PSQI"
    result: no-difference
    finding: "Both arms improved."
    applies_to: condition
    question: effect
    record: verified
claims:
  - claim: "Valerian beats placebo."
    cite: [rct2009]
    verdict: not-supported
    note: "No between-group difference."
---

# Valerian

Intro [@rev2019].

<!-- monograph:evidence -->

<!-- monograph:claims -->
"""

SUMMARY = """# Evidence

<!-- monograph:evidence-summary -->
"""


def test_page_table_rows_are_ordered_escaped_and_cited(build_site: SiteBuilder) -> None:
    site = build_site(
        {"valerian.md": VALERIAN, "summary.md": SUMMARY},
        BIB,
        nav=["valerian.md", "summary.md"],
        strict=True,
    )
    assert site.aborted is None, site.warnings
    tree = site.page("valerian/")
    rows = tree.cssselect("table.evidence-table tbody tr")
    assert [(r.get("data-level"), r.get("data-result")) for r in rows] == [
        ("2", "no-difference"),
        ("5", "benefit"),
    ]
    assert "<script>" in rows[1].text_content()
    assert rows[1].cssselect("script") == [] and rows[1].cssselect("b") == []
    numbers = {a.get("data-cite"): a.text_content() for a in tree.cssselect("a.citation")}
    assert numbers == {"rev2019": "1", "rct2009": "2", "mouse2009": "3"}
    claims = tree.cssselect("table.claims-table tbody tr")
    assert len(claims) == 1 and "Valerian beats placebo." in claims[0].text_content()
    cited_on_page = [li.get("id") for li in tree.cssselect("ol.references > li")]
    assert cited_on_page == ["ref-rev2019", "ref-rct2009", "ref-mouse2009"]


def test_summary_row_per_intervention(build_site: SiteBuilder) -> None:
    site = build_site(
        {"valerian.md": VALERIAN, "summary.md": SUMMARY},
        BIB,
        nav=["valerian.md", "summary.md"],
        strict=True,
    )
    summary = site.page("summary/")
    [row] = summary.cssselect("table.evidence-summary tbody tr")
    assert "Valerian" in row.text_content()
    assert row.cssselect("a")[0].get("href") == "../valerian/"
    assert summary.cssselect("table.evidence-matrix tbody tr")


def test_bad_evidence_fails_strict_with_file_and_line(build_site: SiteBuilder) -> None:
    broken = VALERIAN.replace("design: rct", "design: 'RCT '").replace("[mouse2009]", "[mose2009]")
    site = build_site({"valerian.md": broken}, BIB, strict=True)
    assert site.aborted is not None
    messages = [m for m in site.warnings if "evidence" in m]
    assert any(
        m.startswith("monograph: docs/valerian.md:19: evidence[1].design: 'RCT ' is not one of")
        and m.endswith("[evidence.invalid]")
        for m in messages
    ), messages
    assert any("evidence[0].cite[0]: unknown citation key 'mose2009'" in m for m in messages)
    assert not (site.site / "valerian" / "index.html").exists() or not site.page(
        "valerian/"
    ).cssselect("table.evidence-table")


def test_marker_without_data_and_dropped_front_matter(build_site: SiteBuilder) -> None:
    pages = {
        "a.md": "# A\n\n[@rct2009] [@rev2019] [@mouse2009]\n\n<!-- monograph:evidence -->\n",
        "b.md": "---\ntitle: [unclosed\n---\n\n# B\n",
    }
    site = build_site(pages, BIB, strict=True)
    codes = {p.code for p in site.problems}
    assert {"evidence.missing", "page.front_matter"} <= codes, site.warnings


PILOT = """---
title: Magnesium
evidence_caveat: "Uncontrolled."
evidence:
  - cite: [rct2009]
    design: case-series
    population: "Adults with RLS"
    participants: 10
    intervention: "Magnesium"
    outcomes: "Leg movements"
    result: benefit
    finding: "Fewer leg movements after treatment."
    applies_to: condition
    question: effect
    record: verified
  - cite: [rev2019]
    design: case-report
    population: "One woman with RLS"
    participants: 1
    intervention: "Magnesium"
    outcomes: "Symptoms"
    result: uncontrolled-improvement
    finding: "Known from a secondary source only."
    applies_to: condition
    question: effect
    record: secondary-only
---

# Magnesium

<!-- monograph:evidence -->
"""


def test_uncontrolled_benefit_fails_the_strict_build_with_its_line(
    build_site: SiteBuilder,
) -> None:
    site = build_site({"magnesium.md": PILOT}, BIB, strict=True)
    assert site.aborted is not None
    assert any(
        m.startswith("monograph: docs/magnesium.md:11: evidence[0].result: 'benefit' needs a ")
        and "use 'uncontrolled-improvement'" in m
        for m in site.warnings
    ), site.warnings


def test_summary_describes_uncontrolled_and_secondary_evidence_in_words(
    build_site: SiteBuilder,
) -> None:
    pilot = PILOT.replace("result: benefit", "result: uncontrolled-improvement")
    site = build_site(
        {"magnesium.md": pilot, "summary.md": SUMMARY + "\n[@mouse2009]\n"},
        BIB,
        nav=["magnesium.md", "summary.md"],
        strict=True,
    )
    assert site.aborted is None, site.warnings
    [row] = site.page("summary/").cssselect("table.evidence-summary tbody tr")
    cells = [" ".join(cell.text_content().split()) for cell in row.cssselect("th, td")]
    assert cells[1:3] == ["Level 4", "2"]
    assert cells[3].startswith("△ Uncontrolled, 10 patients [")
    assert "Not counted: uncontrolled, 1 patient, secondary report only [" in cells[3]
    assert "Benefit" not in cells[3]
    page_rows = site.page("magnesium/").cssselect("table.evidence-table tbody tr")
    assert "(secondary report only)" in page_rows[1].text_content()
