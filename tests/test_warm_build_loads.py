"""What a warm build (the cache folder from an earlier build of the same sources) never loads.

A warm build reads the .bib's snapshot instead of parsing it, and knows every page clean from
the last link check: neither the BibTeX parser nor lxml is imported (importing lxml alone is a
twentieth of what the engine adds to such a build).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import build_in_fresh_process


def _build(root: Path) -> list[str]:
    loaded: list[str] = build_in_fresh_process(root, modules=("lxml", "monograph"))["loaded"]
    return loaded


def test_a_warm_build_neither_parses_the_bib_nor_loads_lxml(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "docs").mkdir(parents=True)
    (root / "refs.bib").write_text(
        "@article{roe2020,\n  author = {Roe, Jane},\n  title = {Iron and legs},\n"
        "  journal = {Sleep},\n  year = {2020},\n  doi = {10.1000/x.1},\n}\n",
        encoding="utf-8",
    )
    (root / "docs" / "index.md").write_text(
        "# Home\n\nIron helps [@roe2020]. See [the journal](https://example.org/).\n",
        encoding="utf-8",
    )
    (root / "mkdocs.yml").write_text(
        "site_name: Warm\ntheme: {name: mkdocs}\n"
        "plugins:\n  - monograph:\n      bib_file: refs.bib\n      cache_dir: .cache\n",
        encoding="utf-8",
    )
    cold = _build(root)
    assert "lxml.etree" in cold and "monograph.core.bibliography.parsing" in cold
    page = (root / "site" / "index.html").read_text(encoding="utf-8").split("Build Date")[0]
    assert 'class="citation' in page and 'href="https://example.org/"' in page

    warm = _build(root)
    assert not any(name.startswith("lxml") for name in warm)
    assert "monograph.core.bibliography.parsing" not in warm
    assert (root / "site" / "index.html").read_text(encoding="utf-8").split("Build Date")[0] == page


_CSL_BIB = (
    "@article{roe2020,\n  author = {Roe, Jane},\n  title = {Iron and legs},\n"
    "  journal = {Sleep},\n  year = {2020},\n  doi = {10.1000/x.1},\n}\n"
    "@article{roe2020b,\n  author = {Roe, Jane},\n  title = {Iron again},\n"
    "  journal = {Sleep},\n  year = {2020},\n}\n"
    "@book{doe2019,\n  author = {Doe, John},\n  title = {Legs at night},\n"
    "  publisher = {Press},\n  year = {2019},\n}\n"
)


def _csl_site(root: Path, style: str) -> None:
    (root / "docs").mkdir(parents=True)
    (root / "refs.bib").write_text(_CSL_BIB, encoding="utf-8")
    (root / "docs" / "index.md").write_text(
        "# Home\n\nIron helps [@roe2020; @roe2020b]. As @doe2019 says [see @doe2019, p. 4].\n",
        encoding="utf-8",
    )
    (root / "docs" / "more.md").write_text("# More\n\nAgain [@roe2020b].\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        "site_name: Warm\ntheme: {name: mkdocs}\nnav: [index.md, more.md]\n"
        "plugins:\n  - monograph:\n      bib_file: refs.bib\n      cache_dir: .cache\n"
        f"      style: {style}\n",
        encoding="utf-8",
    )


def _pages(root: Path) -> dict[str, str]:
    return {
        name: (root / "site" / name / "index.html")
        .read_text(encoding="utf-8")
        .split("Build Date")[0]
        for name in ("", "more")
    }


def _csl_build(root: Path) -> list[str]:
    modules = ("lxml", "citeproc", "monograph")
    loaded: list[str] = build_in_fresh_process(root, modules=modules)["loaded"]
    return loaded


@pytest.mark.parametrize("style", ["nature", "apa"])
def test_a_warm_csl_build_loads_neither_the_processor_nor_lxml(style: str, tmp_path: Path) -> None:
    """Every reference and citation text kept: answered by the style, without citeproc-py.

    An edited page with a citation the caches lack loads the processor again (its kept
    decisions and the other texts reused) and shows what a build from scratch shows.
    """
    root = tmp_path / "site"
    _csl_site(root, style)
    cold = _csl_build(root)
    assert "citeproc" in cold and "lxml.etree" in cold
    assert "monograph.core.styles.csl_processor" in cold
    pages = _pages(root)
    assert pages[""].count('class="citation-group ') == 3 and "Iron again" in pages[""]

    warm = _csl_build(root)
    assert not any(name.startswith(("citeproc", "lxml")) for name in warm)
    assert "monograph.core.styles.csl" in warm
    assert "monograph.core.styles.csl_processor" not in warm
    assert _pages(root) == pages

    more = root / "docs" / "more.md"
    more.write_text("# More\n\nAgain [@roe2020b, p. 9] and [@doe2019; @roe2020].\n", "utf-8")
    edited = _csl_build(root)
    assert "monograph.core.styles.csl_processor" in edited
    fresh = tmp_path / "fresh"
    _csl_site(fresh, style)
    (fresh / "docs" / "more.md").write_text(more.read_text(encoding="utf-8"), "utf-8")
    _csl_build(fresh)
    assert _pages(root) == _pages(fresh)
