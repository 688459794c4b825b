"""A warm build asks the reference cache nothing it does not need.

The build that writes ``references.json`` notes there the bibliography every entry of which it
holds (``complete``: the .bib snapshot's name, for a style whose references each depend on their
entry alone). A later build of that very bibliography then hashes no entry to find that nothing is
missing, and, when every page is looked up among the kept pages, reads no reference before the
fork: the process that needs one takes it from the file. An edited entry, a reference with a
problem of the style, or a file without the note brings the old way back.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from monograph.core import parallel
from monograph.core.bibliography.loading import load_bibliography
from monograph.core.styles import formatter as references
from monograph.core.styles.builtin import VancouverReferences
from monograph.core.styles.formatter import ReferenceFormatter

from .conftest import build_project
from .test_build_parallel import _as_new_process, _write_pages_site
from .test_build_reuse import _differences


def _hashes_in_build(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys the build's own process hashes for the reference cache from now on."""
    parent, hashed = os.getpid(), []
    original = ReferenceFormatter._digest

    def spy(self: ReferenceFormatter, key: str) -> str:
        if os.getpid() == parent:
            hashed.append(key)
        return original(self, key)

    monkeypatch.setattr(ReferenceFormatter, "_digest", spy)
    return hashed


def test_a_warm_build_hashes_no_entry_and_an_edit_formats_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "cpus", lambda: 2)
    _as_new_process()
    root = tmp_path / "site"
    _write_pages_site(root)  # 40 pages, a bibliography, three unsafe links (not strict)
    build_project(root, strict=False)
    stored = json.loads((root / ".cache" / "references.json").read_text(encoding="utf-8"))
    (snapshot,) = (root / ".cache").glob("bibliography-*.json")
    assert stored["complete"] == snapshot.stem
    shutil.copytree(root / "site", tmp_path / "cold")

    _as_new_process()
    hashed = _hashes_in_build(monkeypatch)
    build_project(root, strict=False)
    assert hashed == []  # nothing hashed to find nothing missing, nothing read before the fork
    assert _differences(tmp_path / "cold", root / "site") == []

    # An edited entry: another bibliography, so the note no longer holds; the edit shows.
    bib = root / "refs.bib"
    bib.write_text(
        bib.read_text(encoding="utf-8").replace("title = {Report 7}", "title = {Report seven}"),
        encoding="utf-8",
    )
    _as_new_process()
    hashed.clear()
    build_project(root, strict=False)
    assert hashed  # the entries were hashed again, to find the one to format
    page = (root / "site" / "bibliography" / "index.html").read_text(encoding="utf-8")
    assert "Report seven" in page and "Report 7." not in page
    _as_new_process()
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".cache", "site"))
    build_project(fresh, strict=False)
    assert _differences(fresh / "site", root / "site") == []
    stored = json.loads((root / ".cache" / "references.json").read_text(encoding="utf-8"))
    (snapshot,) = (root / ".cache").glob("bibliography-*.json")
    assert stored["complete"] == snapshot.stem  # noted again for the edited file


def test_a_stored_problem_or_a_missing_entry_keeps_the_cache_asked(tmp_path: Path) -> None:
    (tmp_path / "refs.bib").write_text(
        "".join(
            f"@article{{a{n}, author = {{A, B}}, title = {{T{n}}}, journal = {{J}}, "
            f"year = {{2001}}}}\n"
            for n in range(3)
        ),
        encoding="utf-8",
    )
    cache = tmp_path / "cache"
    bib = load_bibliography(tmp_path / "refs.bib", "refs.bib", cache)
    assert bib.content_key is not None
    file = cache / "references.json"
    references._MEMORY.clear()
    first = ReferenceFormatter(bib, file, style=VancouverReferences())
    for key in ("a0", "a1"):
        first.get(key)
    first.save()  # one entry never asked for: the file does not hold every entry
    assert "complete" not in json.loads(file.read_text(encoding="utf-8"))
    assert not ReferenceFormatter(bib, file).holds_every_entry()

    second = ReferenceFormatter(bib, file)
    second.get("a2")
    second.save()
    stored = json.loads(file.read_text(encoding="utf-8"))
    assert stored["complete"] == bib.content_key
    assert ReferenceFormatter(bib, file).asks_nothing()

    # A reference stored with a problem of the style must be asked for, to be said again.
    digest = next(iter(stored["entries"]))
    stored["problems"] = {digest: [["style.field", "a field is missing", "warning"]]}
    file.write_text(json.dumps(stored), encoding="utf-8")
    again = ReferenceFormatter(bib, file)
    assert again.holds_every_entry() and not again.asks_nothing()
