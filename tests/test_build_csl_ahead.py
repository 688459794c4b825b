"""A CSL style's cold build: what the converting process does first and ahead.

The process that converts the entries to CSL-JSON (:meth:`CslStyle.convert_ahead`) also does
what a deferred parse of the .bib left (its checks and snapshot), first, as the process that
formats ahead does for the built-in style; and it makes what the style's processor says of
each work alone. The site and the problems are those of a build in one process.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from monograph.adapter import sources
from monograph.core import parallel

from .conftest import build_project
from .test_build_parallel import _as_new_process, _write_site
from .test_build_reuse import _differences


@pytest.mark.parametrize("style", ["nature", "apa"])
def test_the_bibliography_checks_run_in_the_converting_process(
    style: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent, log = os.getpid(), tmp_path / "checked-in.txt"
    check = sources.check_bibliography

    def traced(bib: object) -> object:
        with log.open("a", encoding="utf-8") as out:
            out.write("child\n" if os.getpid() != parent else "build\n")
        return check(bib)  # type: ignore[arg-type]

    monkeypatch.setattr(sources, "check_bibliography", traced)
    monkeypatch.setattr(parallel, "cpus", lambda: 2)
    _as_new_process()
    root = tmp_path / "two"
    _write_site(root, style)
    bib = root / "refs.bib"  # one article without its journal: a problem of the checks
    bib.write_text(
        bib.read_text(encoding="utf-8") + "@article{nojournal, title = {T}, year = {2000}}\n",
        encoding="utf-8",
    )
    two = build_project(root, strict=False)
    assert log.read_text(encoding="utf-8").split() == ["child"]
    missing = [p for p in two.problems if p.code == "cite.missing_field"]
    assert [(p.path, p.line) for p in missing] == [("refs.bib", bib.read_text().count("\n"))]

    _as_new_process()
    one_root = tmp_path / "one"
    shutil.copytree(root, one_root, ignore=shutil.ignore_patterns(".cache", "site"))
    monkeypatch.setattr(parallel, "cpus", lambda: 1)
    one = build_project(one_root, strict=False)
    assert log.read_text(encoding="utf-8").split() == ["child", "build"]
    assert _differences(root / "site", one_root / "site") == []
    assert sorted(map(str, two.problems)) == sorted(map(str, one.problems))
