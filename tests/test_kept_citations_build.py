"""A site's second build takes the citations its first one read (``citations/`` in the cache).

The plugin keeps, per configuration, what each citation text read as; a warm build converts its
pages without reading any citation again, and builds the same site as a build from scratch.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import build_project
from .test_build_reuse import _differences
from .unit.test_kept_citations import no_parsing

BIB = "".join(
    f"@article{{k{n}, author = {{Au{n}, A}}, title = {{T{n}}}, journal = {{J}}, year = {{2001}}}}\n"
    for n in range(8)
)
PAGES = {
    "index.md": "# Home\n\nOne [@k0] and [see *also* @k1, p. `12`], then @k2 [ch. 2].\n",
    "more.md": "# More\n\nAgain [@k0; @k3, pp. 3-4] and [-@k4]; code `[@k5]` is not one.\n\n"
    "Others [@k5; @k6; @k7].\n",
}


def _site(root: Path) -> None:
    (root / "docs").mkdir(parents=True)
    for name, text in PAGES.items():
        (root / "docs" / name).write_text(text, encoding="utf-8")
    (root / "refs.bib").write_text(BIB, encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        "site_name: Kept citations\ntheme: {name: mkdocs}\nnav: [index.md, more.md]\n"
        "plugins:\n  - monograph:\n      bib_file: refs.bib\n      cache_dir: .cache\n"
        "      bib_by_default: true\n",
        encoding="utf-8",
    )


def test_a_warm_build_reads_no_citation_again_and_builds_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "site"
    _site(root)
    first = build_project(root, strict=True)
    assert first.aborted is None
    kept = list((root / ".cache" / "citations").glob("*.pickle"))
    assert len(kept) == 1
    shutil.copytree(root / "site", tmp_path / "first")
    with monkeypatch.context() as patched:
        no_parsing(patched)  # a citation read again fails the build
        warm = build_project(root, strict=True)
    assert warm.aborted is None
    assert _differences(tmp_path / "first", root / "site") == []
    page = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert 'href="#ref-k1"' in page and "see <em>also</em>" in page
