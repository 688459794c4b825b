"""Pages filled while MkDocs writes them: the second process starts with the site bibliography.

It fills the pages in the order MkDocs writes them (the order of their files), but the
bibliography first: its fill reads every work, by far the longest, and started first it is
ready before MkDocs asks for it, wherever its file sorts; the build's own process does not fill
it while it should be writing pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from monograph.adapter import fill
from monograph.core import parallel

from .conftest import build_project
from .test_build_parallel import PAGES, _as_new_process, _write_pages_site


def test_the_second_process_fills_the_bibliography_first_then_in_writing_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders: list[list[str]] = []
    original = parallel.StreamedWork.__init__

    def spy(self: parallel.StreamedWork[Any, Any], jobs: list[Any], *args: Any) -> None:
        if jobs and isinstance(jobs[0], fill.FillJob):
            orders.append([job.page.file.src_uri for job in jobs])
        original(self, jobs, *args)

    monkeypatch.setattr(parallel.StreamedWork, "__init__", spy)
    monkeypatch.setattr(parallel, "cpus", lambda: 2)
    _as_new_process()
    root = tmp_path / "site"
    _write_pages_site(root)
    # MkDocs writes the pages in file order: the bibliography last, after "p00.md"...
    (root / "docs" / "bibliography.md").rename(root / "docs" / "works.md")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("bibliography.md", "works.md"))
    built = build_project(root, strict=False)
    assert built.aborted is None
    assert orders == [["works.md"] + [f"p{n:02}.md" for n in range(PAGES)]]
    page = (root / "site" / "works" / "index.html").read_text(encoding="utf-8")
    assert page.count('<li id="ref-') == PAGES + 3  # every work, cited on some page
