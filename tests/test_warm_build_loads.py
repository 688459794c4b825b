"""What a warm build (the cache folder from an earlier build of the same sources) never loads.

A warm build reads the .bib's snapshot instead of parsing it, and knows every page clean from
the last link check: neither the BibTeX parser nor lxml is imported (importing lxml alone is a
twentieth of what the engine adds to such a build).
"""

from __future__ import annotations

from pathlib import Path

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
