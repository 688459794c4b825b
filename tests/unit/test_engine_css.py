"""The engine's stylesheet selects the markup the documentation writes (no dead rules for it)."""

from __future__ import annotations

from pathlib import Path

import monograph
import tinycss2
from lxml import html

CSS = Path(monograph.__file__).parent / "assets" / "monograph.css"
ROOT = Path(__file__).resolve().parents[2]


def _selectors_of(css: str, needle: str) -> list[str]:
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    selectors = []
    for rule in rules:
        if rule.type == "qualified-rule":
            prelude = tinycss2.serialize(rule.prelude).strip()
            selectors += [s.strip() for s in prelude.split(",") if needle in s]
    return selectors


def test_the_diagram_rule_matches_the_figures_the_docs_write() -> None:
    selectors = _selectors_of(CSS.read_text(encoding="utf-8"), "diagram")
    assert selectors == ["figure.monograph-diagram svg"]
    for page in (
        ROOT / "docs" / "pathophysiology" / "dopamine.md",
        ROOT / "tests" / "sites" / "print-basic" / "docs" / "interventions" / "iron.md",
    ):
        text = page.read_text(encoding="utf-8")
        start = text.index("<figure")
        figure = html.fragment_fromstring(text[start : text.index("</figure>", start) + 9])
        assert figure.cssselect(selectors[0]), page  # "descendant-or-self": the figure counts
