"""The nocite option: ``*`` lists every entry; each listed key is checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from monograph.core.bibliography.loading import Bibliography, load_bibliography
from monograph.core.citations.nocite import resolve_nocite

BIB = """
@misc{Zeta2020, title = {Z}, year = {2020}}
@misc{alpha2001, title = {A}, year = {2001}}
@misc{beta2002, title = {B}, year = {2002}}
"""


@pytest.fixture
def bib(tmp_path: Path) -> Bibliography:
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    return load_bibliography(path, "refs.bib")


@pytest.mark.parametrize(
    ("nocite", "keys"),
    [
        ([], ()),
        (["*"], ("Zeta2020", "alpha2001", "beta2002")),  # file order, as spelled in the file
        (["beta2002", "zeta2020"], ("beta2002", "Zeta2020")),  # order listed, canonical spelling
        (["beta2002", "*", "beta2002"], ("beta2002", "Zeta2020", "alpha2001")),  # no duplicates
    ],
)
def test_listed_keys(bib: Bibliography, nocite: list[str], keys: tuple[str, ...]) -> None:
    assert resolve_nocite(bib, nocite) == (keys, [])


def test_unknown_key_is_a_located_problem_with_a_suggestion(bib: Bibliography) -> None:
    source = "plugins:\n  - monograph:\n      nocite: [alpha2001, betta2002]\n"
    keys, [problem] = resolve_nocite(
        bib, ["alpha2001", "betta2002"], path="mkdocs.yml", source=source
    )
    assert keys == ("alpha2001",)
    assert str(problem) == (
        "mkdocs.yml:3: nocite lists 'betta2002', which refs.bib does not define; "
        "did you mean 'beta2002'? [cite.unknown_nocite]"
    )


def test_unknown_key_without_a_near_match(bib: Bibliography) -> None:
    _, [problem] = resolve_nocite(bib, ["qqqqqqqq"])
    assert problem.message.endswith("does not define; remove it or add the entry")
    assert problem.line is None
