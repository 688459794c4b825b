"""scripts/compare_pdf.py: what it reports on two small PDFs made with WeasyPrint."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "compare_pdf", REPO / "scripts" / "compare_pdf.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


compare_pdf = _script()

TEXT = (
    "Iron lowered severity scores in seven trials. The effect was moderate. "
    "Valerian showed no clear advantage over placebo in one small trial."
)


def _pdf(
    path: Path, body: str, *, width: str = "12cm", date: str = "2026-11-29", heading: str = "Safety"
) -> Path:
    weasyprint = pytest.importorskip("weasyprint")
    html = (
        f"<html lang='en'><style>@page {{ size: {width} 20cm }} p {{ hyphens: auto }}</style>"
        f"<h1>Evidence</h1><p>Edition {date}</p><p>{body}</p><h2>{heading}</h2><p>None.</p></html>"
    )
    weasyprint.HTML(string=html).write_pdf(path)
    return path


def test_dates_hashes_and_spacing_are_normalised() -> None:
    line = "Edition  29 November 2026, built 2026-11-29T10:00:00Z as 0123456789abcdef01"
    assert compare_pdf.normalise(line) == "Edition <DATE>, built <DATE> as <HEX>"


def test_reflow_joins_hyphenated_words_and_drops_footers_and_running_heads() -> None:
    pages = [
        ["Iron Monograph", "Iron lowered sever\u2010", "ity scores. It was", "1 / 2"],
        ["Iron Monograph", "moderate.", "• A bullet", "2 / 2"],
    ]
    assert compare_pdf.reflowed(pages) == [
        "Iron lowered severity scores.",
        "It was moderate.",
        "• A bullet",
    ]


def test_bookmarks_of_the_same_title_are_matched_by_occurrence() -> None:
    old = ["Iron (page 3)", "  Safety (page 4)", "Valerian (page 5)", "  Safety (page 6)"]
    new = ["Iron (page 3)", "  Safety (page 4)", "Valerian (page 6)", "  Safety (page 7)"]
    assert compare_pdf._moved(old, new) == [
        "Valerian: page 5 -> page 6",
        "Safety #2: page 6 -> page 7",
    ]


def test_a_change_of_line_breaks_alone_is_no_difference_when_reflowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _pdf(tmp_path / "old.pdf", TEXT)
    new = _pdf(tmp_path / "new.pdf", TEXT, width="9cm", date="2026-11-30")
    assert compare_pdf.main([str(old), str(new), "--reflow"]) == 0
    out = capsys.readouterr().out
    assert "## pages: 1 -> 1" in out and "## text: no difference" in out
    assert "## outline (titles and levels): no difference" in out
    assert compare_pdf.main([str(old), str(new)]) == 1  # line by line, the breaks differ


def test_a_changed_word_and_a_renamed_section_are_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _pdf(tmp_path / "old.pdf", TEXT)
    new = _pdf(tmp_path / "new.pdf", TEXT.replace("moderate", "small"), heading="Harms")
    assert compare_pdf.main([str(old), str(new), "--reflow"]) == 1
    out = capsys.readouterr().out
    assert "-The effect was moderate." in out and "+The effect was small." in out
    assert "-  Safety" in out and "+  Harms" in out  # the bookmark, one level down
