"""Evidence kept across builds: a warm build loads no pydantic and changes nothing it shows.

Each build runs in a process of its own (what it imports is the point). A warm build (the cache
folder of an earlier build) of unchanged evidence must not import pydantic nor the evidence
model, and must give the pages and problems of a build from scratch; so must a build after each
input of the evidence changes in turn: a front-matter value, a key removed from the .bib, a year
in the .bib, the ``condition`` option, the order of pages in the navigation, the engine.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from monograph.core.evidence.kept import KeptTable

from .conftest import build_in_fresh_process

BIB = """
@article{rct2009, author = {Rct, Ann}, title = {A trial}, journal = {J}, year = {2009}, pmid = {1}}
@article{rct2015, author = {Two, Tia}, title = {Two}, journal = {J}, year = {2015}, pmid = {4}}
@article{rev2019, author = {Rev, Bob}, title = {A review}, journal = {J}, year = {2019}, pmid = {2}}
@article{mouse2009, author = {Mouse, Mo}, title = {Mice}, journal = {J}, year = {2009}, pmid = {3}}
"""


def _row(key: str, design: str, result: str, applies_to: str, participants: str) -> str:
    return f"""  - cite: [{key}]
    design: {design}
    population: "People"
    participants: {participants}
    intervention: "It"
    comparator: "Placebo"
    duration: "8 weeks"
    outcomes: "IRLS"
    result: {result}
    finding: "Found <b>this</b>."
    applies_to: {applies_to}
    question: effect
    record: verified
"""


VALERIAN = (
    '---\ntitle: Valerian\nevidence_caveat: "Small trials."\nevidence:\n'
    + _row("rct2015", "rct", "no-difference", "condition", "37")
    + _row("rct2009", "rct", "benefit", "condition", "20")
    + _row("mouse2009", "animal", "benefit", "animal", "null")
    + """claims:
  - claim: "Valerian beats placebo."
    cite: [rct2009]
    verdict: not-supported
    note: "No difference."
---

# Valerian

Intro [@rev2019].

<!-- monograph:evidence -->

<!-- monograph:claims -->
"""
)

IRON = (
    '---\ntitle: Iron\nevidence_caveat: "One trial."\nevidence:\n'
    + _row("rev2019", "systematic-review", "benefit", "condition", "300")
    + "---\n\n# Iron\n\nIron [@rct2009].\n\n<!-- monograph:evidence -->\n"
)

SUMMARY = "# Evidence\n\nAll of it [@mouse2009].\n\n<!-- monograph:evidence-summary -->\n"

CONFIG = """site_name: Kept
theme: {{name: mkdocs}}
nav: [{nav}]
plugins:
  - monograph:
      bib_file: refs.bib
      cache_dir: .cache
      condition: {condition}
"""


def _site(root: Path, *, nav: str = "valerian.md, iron.md, summary.md") -> Path:
    (root / "docs").mkdir(parents=True)
    (root / "refs.bib").write_text(BIB, encoding="utf-8")
    for name, text in (("valerian.md", VALERIAN), ("iron.md", IRON), ("summary.md", SUMMARY)):
        (root / "docs" / name).write_text(text, encoding="utf-8")
    (root / "mkdocs.yml").write_text(CONFIG.format(nav=nav, condition="RLS"), encoding="utf-8")
    return root


def _build(root: Path, engine: str = "") -> dict[str, Any]:
    """Build the site in a process of its own: its pages, problems and the modules it loaded."""
    result = build_in_fresh_process(
        root, modules=("pydantic", "monograph.core.evidence"), engine=engine
    )
    pages = {}
    for page in sorted((root / "site").rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        pages[str(page.relative_to(root))] = "\n".join(
            line for line in text.splitlines() if "Build Date" not in line
        )
    result["pages"] = pages
    return result


def _from_scratch(root: Path, elsewhere: Path) -> dict[str, Any]:
    """The same site built without any cache (a copy of its sources)."""
    shutil.copytree(root, elsewhere, ignore=shutil.ignore_patterns(".cache", "site"))
    return _build(elsewhere)


def _pydantic_loaded(result: dict[str, Any]) -> bool:
    loaded = result["loaded"]
    return "pydantic" in loaded or "monograph.core.evidence.validation" in loaded


def _same(warm: dict[str, Any], cold: dict[str, Any]) -> None:
    assert warm["messages"] == cold["messages"]
    assert warm["pages"].keys() == cold["pages"].keys()
    for name, page in cold["pages"].items():
        assert warm["pages"][name] == page, name


def test_a_warm_build_loads_no_pydantic_and_shows_the_same(tmp_path: Path) -> None:
    root = _site(tmp_path / "site")
    cold = _build(root)
    assert _pydantic_loaded(cold)
    summary = cold["pages"]["site/summary/index.html"]
    assert 'class="evidence-summary' in summary and "Valerian" in summary and "Iron" in summary
    assert 'class="claims-table"' in cold["pages"]["site/valerian/index.html"]
    warm = _build(root)
    assert not _pydantic_loaded(warm), warm["loaded"]
    assert "monograph.core.evidence.model" not in warm["loaded"]
    _same(warm, cold)
    _same(_build(root), cold)  # and again, from what the warm build kept


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CHANGES = {
    "front matter value": lambda root: _edit(
        root / "docs" / "valerian.md", "participants: 37", "participants: 38"
    ),
    "key removed from the bib": lambda root: _edit(
        root / "refs.bib", BIB.strip().splitlines()[1], ""
    ),
    "year changed in the bib": lambda root: _edit(
        root / "refs.bib", "year = {2015}", "year = {2001}"
    ),
    "condition option": lambda root: _edit(
        root / "mkdocs.yml", "condition: RLS", "condition: asthma"
    ),
    "page order in nav": lambda root: _edit(
        root / "mkdocs.yml", "valerian.md, iron.md", "iron.md, valerian.md"
    ),
}


@pytest.mark.parametrize("change", [*CHANGES, "engine"])
def test_each_changed_input_gives_what_a_build_from_scratch_gives(
    tmp_path: Path, change: str
) -> None:
    root = _site(tmp_path / "site")
    _build(root)
    before = _build(root)
    assert not _pydantic_loaded(before)
    engine = ""
    if change == "engine":
        engine = "another-engine"
    else:
        CHANGES[change](root)
    warm = _build(root, engine)
    assert _pydantic_loaded(warm)  # something the evidence read changed: validated again
    cold = _from_scratch(root, tmp_path / "scratch")
    _same(warm, cold)
    if change != "engine":
        assert (warm["pages"], warm["messages"]) != (before["pages"], before["messages"])
    again = _build(root, engine)
    assert not _pydantic_loaded(again)
    _same(again, cold)


def test_invalid_evidence_reports_the_same_problems_warm_and_cold(tmp_path: Path) -> None:
    root = _site(tmp_path / "site")
    _edit(root / "docs" / "valerian.md", "design: rct", "design: 'RCT '")
    _edit(root / "docs" / "iron.md", "[rev2019]", "[rev2091]")
    cold = _build(root)
    problems = [m for m in cold["messages"] if "evidence" in m]
    assert any("docs/valerian.md:" in m and "evidence[0].design" in m for m in problems), problems
    assert any("unknown citation key 'rev2091'" in m for m in problems), problems
    assert 'class="evidence-table"' not in cold["pages"]["site/valerian/index.html"]
    assert 'class="evidence-table"' not in cold["pages"]["site/iron/index.html"]
    for _ in range(2):
        warm = _build(root)
        assert not _pydantic_loaded(warm), warm["loaded"]
        _same(warm, cold)


def test_a_kept_table_registers_its_citations_again_in_their_order() -> None:
    made: list[tuple[str, ...]] = []

    def render(cite: Any) -> str:
        first = cite(["a"])
        second = cite(("b", "c"))
        return f"<p>{second} then {first} and {cite(['a'])}</p>"

    table = KeptTable.record(render)
    assert table is not None
    assert table.calls == (("a",), ("b", "c"), ("a",))

    def cite(keys: Any) -> str:
        made.append(tuple(keys))
        return f"[{len(made)}]"

    assert table.replay(cite) == "<p>[2] then [1] and [3]</p>"
    assert made == [("a",), ("b", "c"), ("a",)]
    assert KeptTable.from_json(json.loads(json.dumps(table.to_json()))) == table
    assert KeptTable.record(lambda cite: cite(["a"]) * 2) is None  # a token used twice
