"""The real monograph, built strictly into a temp dir: citations, bibliography, evidence tables."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from lxml import html as lxml_html
from mkdocs.commands.build import build
from mkdocs.config import load_config

from .conftest import REPO

INTERVENTIONS = [
    "valerian",
    "lavender",
    "iron",
    "tyrosine",
    "magnesium",
    "supporting-nutrients",
    "lifestyle",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("monograph") / "site"
    cfg = load_config(str(REPO / "mkdocs.yml"), site_dir=str(out), strict=True)
    for name in list(cfg.plugins):  # the PDF is tested on its own; keep this build fast
        plugin = cfg.plugins[name]
        if name == "monograph" and "pdf_file" in plugin.config:
            plugin.config.pdf_file = None
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    build(cfg)
    return out


def page(site: Path, url: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring((site / url / "index.html").read_text(encoding="utf-8"))


def test_all_22_references_resolve_are_cited_and_link_back(site: Path) -> None:
    bibliography = page(site, "references")
    entries = bibliography.cssselect("ol.bibliography > li")
    assert len(entries) == 22
    assert [int(li.get("value")) for li in entries] == list(range(1, 23))
    for entry in entries:
        backrefs = entry.cssselect("a.citation-backref")
        assert backrefs, entry.get("id")
        for link in backrefs:
            target = urljoin("http://site/references/", link.get("href"))
            path, fragment = target[len("http://site/") :].split("#")
            assert page(site, path.rstrip("/")).get_element_by_id(fragment) is not None


def test_same_number_for_a_work_on_every_page(site: Path) -> None:
    numbers: dict[str, set[str]] = {}
    for html_file in site.rglob("index.html"):
        tree = lxml_html.fromstring(html_file.read_text(encoding="utf-8"))
        for link in tree.cssselect("a.citation"):
            text = link.text_content() or link.get("aria-label")
            numbers.setdefault(link.get("data-cite"), set()).add(text)
    assert len(numbers) == 22
    assert all(len(found) == 1 for found in numbers.values()), numbers


@pytest.mark.parametrize("name", INTERVENTIONS)
def test_intervention_pages_have_evidence_tables(site: Path, name: str) -> None:
    tree = page(site, f"interventions/{name}")
    rows = tree.cssselect("table.evidence-table tbody tr")
    assert rows, name
    levels = [int(row.get("data-level") or 6) for row in rows]  # no level (not a test): last
    assert levels == sorted(levels)
    assert tree.cssselect("p.page-reviewed time")


def test_key_findings_from_the_verified_records(site: Path) -> None:
    valerian = page(site, "interventions/valerian")
    rct = [
        r
        for r in valerian.cssselect("table.evidence-table tbody tr")
        if r.get("data-design") == "rct"
    ]
    assert any(r.get("data-result") == "no-difference" for r in rct)
    iron = page(site, "interventions/iron").cssselect("table.evidence-table")[0].text_content()
    assert re.search(r"Moderate", iron)
    tyrosine = page(site, "interventions/tyrosine").cssselect("table.evidence-table tbody tr")
    assert {r.get("data-level") for r in tyrosine} == {""}  # no study tests tyrosine


def test_summary_grades_only_checked_studies_of_the_intervention_in_rls(site: Path) -> None:
    rows = page(site, "evidence").cssselect("table.evidence-summary tbody tr")
    cells = {
        row.cssselect("th")[0].text_content().strip(): [
            " ".join(td.text_content().split()) for td in row.cssselect("td")
        ]
        for row in rows
    }
    assert cells["Iron"][0] == "Level 1" and cells["Iron"][2].startswith("▲ Benefit")
    assert cells["Valerian"][0] == "Level 2" and cells["Valerian"][2].startswith("= No differ")
    magnesium = cells["Magnesium"]
    assert magnesium[0] == "Level 4" and "Benefit" not in magnesium[2]
    assert magnesium[2].startswith("△ Uncontrolled, 10 patients")
    assert "secondary report only" in magnesium[2]
    for name in ("Lavender oil", "Tyrosine", "Supporting nutrients", "Lifestyle measures"):
        assert cells[name][0] == "None", name
        assert cells[name][2].startswith("No study of it in RLS"), name


def test_summary_compares_every_intervention(site: Path) -> None:
    tree = page(site, "evidence")
    rows = tree.cssselect("table.evidence-summary tbody tr")
    assert len(rows) == len(INTERVENTIONS)
    for link in tree.cssselect("table.evidence-summary tbody a[href]"):
        if "citation" in (link.get("class") or ""):
            continue
        assert (site / "evidence" / link.get("href") / "index.html").resolve().is_file()


def test_disclaimer_is_linked_from_every_page(site: Path) -> None:
    for html_file in site.rglob("index.html"):
        tree = lxml_html.fromstring(html_file.read_text(encoding="utf-8"))
        links = tree.cssselect(".monograph-disclaimer a")
        assert links, html_file
        target = (html_file.parent / links[0].get("href") / "index.html").resolve()
        assert target == (site / "about" / "disclaimer" / "index.html").resolve()


def test_repository_link_fetches_nothing_from_the_github_api(site: Path) -> None:
    # Material's script asks api.github.com for stars and forks of the element marked
    # data-md-component="source"; overrides/partials/source.html leaves the mark out.
    for html_file in (site / "index.html", site / "interventions" / "iron" / "index.html"):
        tree = lxml_html.fromstring(html_file.read_text(encoding="utf-8"))
        links = tree.cssselect("a.md-source")
        assert links and all(a.get("href", "").startswith("https://") for a in links)
        assert tree.cssselect("[data-md-component=source]") == []
        assert "api.github.com" not in html_file.read_text(encoding="utf-8")
        dialog = tree.cssselect(".md-search[role=dialog]")[0]
        assert dialog.get("aria-label") == "Search"
