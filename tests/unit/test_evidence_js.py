"""The engine's evidence.js sorts the summary tables in a real browser (Debian's chromium)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from monograph.core.evidence.render import InterventionSummary, render_evidence_summary
from monograph.core.evidence.validation import EvidenceRow, PageEvidence

SCRIPT = Path(__file__).resolve().parents[2] / "plugins" / "monograph" / "assets" / "evidence.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SUMMARY_NAMES = "table.evidence-summary tbody th"
# Material for MkDocs exposes an observable document$ that fires on every (instant) page load.
MATERIAL_STUB = "<script>window.document$ = {subscribe: function (fn) { fn(); }};</script>"


def summary(title: str, *designs: str) -> InterventionSummary:
    rows = tuple(
        EvidenceRow(
            cite=(f"{title.lower()}{index}",),
            design=design,  # type: ignore[arg-type]
            population="Adults with RLS",
            intervention=title,
            comparator="Placebo",
            outcomes="IRLS",
            result="uncontrolled-improvement" if design.startswith("case") else "benefit",
            finding="A finding.",
            applies_to="condition",
            question="effect",
            record="verified",
        )
        for index, design in enumerate(designs)
    )
    return InterventionSummary(title, f"{title.lower()}.md", PageEvidence(rows=rows, caveat="c"))


# Best levels 1, 2, 1, 4; human RLS studies 1, 1, 2, 2.
ITEMS = [
    summary("Iron", "systematic-review"),
    summary("Valerian", "rct"),
    summary("Lavender oil", "systematic-review", "rct"),
    summary("Magnesium", "case-series", "case-report"),
]


def cite(keys: object) -> str:
    return "[1]"


pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed"),
]


def write_page(directory: Path, head: str = "") -> str:
    body = render_evidence_summary(ITEMS, cite=cite)
    html = f'<!doctype html><html><head>{head}</head><body>{body}<script src="evidence.js">'
    (directory / "index.html").write_text(html + "</script></body></html>", encoding="utf-8")
    shutil.copy(SCRIPT, directory / "evidence.js")
    return (directory / "index.html").as_uri()


@pytest.mark.parametrize("head", ["", MATERIAL_STUB], ids=["plain", "material-document$"])
def test_headings_sort_by_click_and_keyboard(tmp_path: Path, head: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(write_page(tmp_path, head))

        def names() -> list[str]:
            result: list[str] = page.eval_on_selector_all(
                SUMMARY_NAMES, "cells => cells.map(cell => cell.textContent)"
            )
            return result

        level = "table.evidence-summary thead th:nth-child(2)"
        assert names() == ["Iron", "Valerian", "Lavender oil", "Magnesium"]
        page.click(level)
        assert names() == ["Iron", "Lavender oil", "Valerian", "Magnesium"]
        assert page.get_attribute(level, "aria-sort") == "ascending"
        page.click(level)
        assert names()[:2] == ["Magnesium", "Valerian"]
        assert page.get_attribute(level, "aria-sort") == "descending"
        page.focus("table.evidence-summary thead th:nth-child(1)")
        page.keyboard.press("Enter")
        assert names() == ["Iron", "Lavender oil", "Magnesium", "Valerian"]
        assert page.get_attribute(level, "aria-sort") is None
        page.keyboard.press(" ")
        assert names() == ["Valerian", "Magnesium", "Lavender oil", "Iron"]
        browser.close()
    assert errors == []
