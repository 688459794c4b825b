"""`python -m monograph.copy_assets`: the engine's stylesheet and script for a Zensical site."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from monograph.copy_assets import main


def test_copies_the_files_and_prints_the_config_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "docs").mkdir()
    assert main(["--docs-dir", str(tmp_path / "docs")]) == 0
    assets = resources.files("monograph") / "assets"
    for name in ("monograph.css", "evidence.js"):
        copied = tmp_path / "docs" / "assets" / "monograph" / name
        assert copied.read_bytes() == (assets / name).read_bytes()
    out = capsys.readouterr().out
    assert "extra_css:\n  - assets/monograph/monograph.css\n" in out
    assert "extra_javascript:\n  - assets/monograph/evidence.js\n" in out


def test_refuses_a_missing_docs_dir_and_a_target_outside_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--docs-dir", str(tmp_path / "nope")]) == 2
    assert "no such folder" in capsys.readouterr().err
    (tmp_path / "docs").mkdir()
    assert main(["--docs-dir", str(tmp_path / "docs"), "--to", "../out"]) == 2
    assert "inside docs_dir" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
