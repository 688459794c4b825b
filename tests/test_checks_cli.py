"""``python -m monograph.checks`` on fixture sites: one of each defect, and a clean site."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from monograph.checks.cli import CHECK_SITE_DIR, main

SITES = Path(__file__).resolve().parent / "sites"

# (code, file, line) of every defect planted in tests/sites/checks-defects.
EXPECTED_DEFECTS = {
    ("cite.unknown_key", "docs/index.md", 5),
    ("link.not_found", "docs/index.md", 7),
    ("link.anchor_missing", "docs/index.md", 9),
    ("link.anchor_missing", "docs/other.md", 5),
    ("cite.duplicate_doi", "refs.bib", 11),
    ("cite.unused_entry", "refs.bib", 21),
}


def _copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(SITES / name, target)
    return target / "mkdocs.yml"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def defects(tmp_path: Path) -> Path:
    return _copy("checks-defects", tmp_path)


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    return _copy("checks-clean", tmp_path)


def test_every_defect_is_listed_with_file_and_line(
    defects: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _run(capsys, "--config", str(defects), "--format", "json")
    assert status == 1
    document = json.loads(out)
    found = {(p["code"], p["path"], p["line"]) for p in document["problems"]}
    assert found == EXPECTED_DEFECTS
    assert document["counts"]["error"] + document["counts"]["warning"] == len(EXPECTED_DEFECTS)
    assert document["summary"]["pages"] == 3


def test_text_report_is_grouped_by_file_with_a_total(
    defects: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _run(capsys, "--config", str(defects))
    assert status == 1
    assert err == ""
    lines = out.splitlines()
    assert lines[0] == "docs/index.md"
    assert "  docs/index.md:5: unknown citation key 'nokey2020'" in out
    assert lines.index("docs/other.md") < lines.index("refs.bib")
    problem_lines = [line for line in lines if line.startswith("  ")]
    assert all(line.rstrip().endswith("]") for line in problem_lines)
    assert lines[-1].startswith("Found 6 problems (")
    assert "in 3 files" in lines[-1]
    assert "Traceback" not in out


def test_generated_link_is_traced_to_its_source_line(
    defects: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = _run(capsys, "internal", "--config", str(defects), "--format", "json")
    problems = json.loads(out)["problems"]
    raw = [p for p in problems if p["path"] == "docs/other.md"]
    assert len(raw) == 1
    assert raw[0]["code"] == "link.anchor_missing"
    assert "'ref-nokey2020'" in raw[0]["message"]
    assert "references/index.html" in raw[0]["message"]


def test_github_format_annotates_each_line(
    defects: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _run(capsys, "--config", str(defects), "--format", "github")
    assert status == 1
    annotations = [line for line in out.splitlines() if line.startswith("::")]
    assert len(annotations) == len(EXPECTED_DEFECTS)
    assert (
        "::error file=docs/index.md,line=5,title=cite.unknown_key::unknown citation key 'nokey2020'"
        in out
    )
    assert any(
        a.startswith("::warning file=refs.bib,line=21,title=cite.unused_entry::")
        for a in annotations
    )


def test_clean_site_passes(clean: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(capsys, "all", "--config", str(clean))
    assert status == 0, out
    assert out.startswith("No problems found.")
    assert (clean.parent / CHECK_SITE_DIR / "other" / "index.html").is_file()
    assert not (clean.parent / "site").exists()  # site/ is `make build`'s, never the check's


def test_report_file_is_json(
    defects: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "out" / "report.json"
    _run(capsys, "citations", "--config", str(defects), "--report", str(report))
    codes = {p["code"] for p in json.loads(report.read_text(encoding="utf-8"))["problems"]}
    assert {"cite.unknown_key", "cite.unused_entry", "cite.duplicate_doi"} <= codes


def test_citations_command_reports_the_build_only(
    defects: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = _run(capsys, "citations", "--config", str(defects), "--format", "json")
    found = {(p["code"], p["path"], p["line"]) for p in json.loads(out)["problems"]}
    # The raw-HTML link is invisible to MkDocs' validation: only the HTML check sees it.
    assert found == EXPECTED_DEFECTS - {("link.anchor_missing", "docs/other.md", 5)}


def test_exclude_skips_matching_links(defects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["internal", "--config", str(defects), "--format", "json", "--exclude", "ref-nokey"]
    status, out, _ = _run(capsys, *argv)
    paths = {p["path"] for p in json.loads(out)["problems"]}
    assert "docs/other.md" not in paths
    assert status == 1  # the two Markdown links are still broken


def test_no_build_reads_a_fresh_site_in_place_and_builds_its_own_copy_when_stale(
    clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = clean.parent
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=root, check=True)
    page = root / "site" / "other" / "index.html"
    built_at = page.stat().st_mtime
    time.sleep(0.05)
    assert _run(capsys, "internal", "--config", str(clean), "--no-build")[0] == 0
    assert page.stat().st_mtime == built_at  # fresh: read in place, not rebuilt
    assert not (root / CHECK_SITE_DIR).exists()
    source = root / "docs" / "other.md"
    source.write_text(source.read_text(encoding="utf-8") + "\n[gone](gone.md)\n", "utf-8")
    future = time.time() + 5
    os.utime(source, (future, future))
    status, out, _ = _run(capsys, "internal", "--config", str(clean), "--no-build")
    assert status == 1
    assert "docs/other.md:11: link 'gone.md' is broken" in out
    assert page.stat().st_mtime == built_at  # stale: its own copy was built and checked
    assert (root / CHECK_SITE_DIR / "other" / "index.html").is_file()


def test_missing_config_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _run(capsys, "--config", str(tmp_path / "nope.yml"))
    assert status == 2
    assert out == ""
    assert "nope.yml: no such file" in err


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _run(capsys, "everything")
    assert status == 2
    assert "invalid choice" in err


def test_bad_exclude_pattern_is_a_usage_error(
    clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = _run(capsys, "--config", str(clean), "--exclude", "(")
    assert status == 2
    assert "is not a regular expression" in err


def test_invalid_configuration_is_reported_without_a_traceback(
    clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean.write_text(clean.read_text(encoding="utf-8") + "theme: 42\n", encoding="utf-8")
    status, out, _ = _run(capsys, "--config", str(clean))
    assert status == 1
    assert "mkdocs.yml" in out
    assert "[config.invalid]" in out
    assert "Traceback" not in out


def test_broken_bibliography_is_reported_without_a_traceback(
    clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bib = clean.parent / "refs.bib"
    bib.write_text("@article{broken,\n  title = {no closing brace\n", encoding="utf-8")
    status, out, _ = _run(capsys, "--config", str(clean))
    assert status == 1
    assert "Traceback" not in out
    assert "refs.bib" in out


def test_module_entry_point_runs(clean: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "monograph.checks", "citations", "--config", str(clean)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("No problems found.")


def test_paths_are_relative_to_the_working_directory(
    defects: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(defects.parent.parent)
    status, out, _ = _run(capsys, "--config", "checks-defects/mkdocs.yml", "--format", "github")
    assert status == 1
    assert "::error file=checks-defects/docs/index.md,line=5,title=cite.unknown_key::" in out
    assert "file=checks-defects/refs.bib,line=21," in out


def test_citations_command_leaves_out_the_pdf(
    clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = clean.read_text(encoding="utf-8")
    clean.write_text(text.replace('cache_dir: ""', 'cache_dir: ""\n      pdf_file: x.pdf'), "utf-8")
    assert "pdf_file: x.pdf" in clean.read_text(encoding="utf-8")
    status, out, _ = _run(capsys, "citations", "--config", str(clean))
    assert status == 0, out
    assert (clean.parent / CHECK_SITE_DIR / "index.html").is_file()
    assert not (clean.parent / CHECK_SITE_DIR / "x.pdf").exists()
