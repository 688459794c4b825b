"""The engine as another team installs it: ``pip install ./plugins`` into a clean venv.

A copy of ``plugins/`` is installed (not editable, no extras) with Material for MkDocs into a new
virtual environment that sees nothing of this project, and ``tests/sites/foreign-material`` (four
entries, only ``bib_file`` and ``nocite: ["*"]``) is built strictly by that venv's ``mkdocs``.
Versions are held to ``requirements/lock.txt``, so pip reuses what ``make install`` fetched.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import html as lxml_html

from .conftest import REPO, SITES

#: What would betray this monograph inside the engine's package.
MONOGRAPH_NAMES = re.compile(r"\brls\b|restless|willis|ekbom|rls-monograph", re.IGNORECASE)


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A new venv holding ``pip install ./plugins mkdocs-material`` and nothing else."""
    root = tmp_path_factory.mktemp("fresh")
    plugins = root / "plugins"
    shutil.copytree(
        REPO / "plugins",
        plugins,
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"),
    )
    made = _run(sys.executable, "-m", "venv", root / "venv")
    assert made.returncode == 0, made.stderr
    python = root / "venv" / "bin" / "python"
    installed = _run(
        python,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--constraint",
        REPO / "requirements" / "lock.txt",
        plugins,
        "mkdocs-material",
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    yield root / "venv"


def _site(tmp_path: Path, extra_options: str = "") -> Path:
    site = tmp_path / "foreign-material"
    shutil.copytree(SITES / "foreign-material", site)
    if extra_options:
        config = site / "mkdocs.yml"
        config.write_text(config.read_text(encoding="utf-8") + extra_options, encoding="utf-8")
    return site


def test_foreign_material_site_builds_strictly(venv: Path, tmp_path: Path) -> None:
    site = _site(tmp_path)
    built = _run(venv / "bin" / "mkdocs", "build", "--strict", cwd=site)
    assert built.returncode == 0, built.stderr
    assert [line for line in built.stderr.splitlines() if line.startswith("WARNING")] == []
    history = lxml_html.parse(str(site / "site" / "history" / "index.html")).getroot()
    entries = history.cssselect("ol.bibliography > li")
    assert [li.get("id") for li in entries] == [
        "ref-hopper1952",
        "ref-knuth1997",
        "ref-lovelace1843",
        "ref-turing1950",  # uncited, listed by nocite: ["*"]
    ]
    home = lxml_html.parse(str(site / "site" / "index.html")).getroot()
    links = home.cssselect("a.citation")
    assert [a.get("href") for a in links][:1] == ["history/#ref-hopper1952"]
    stylesheets = [link.get("href") for link in home.cssselect("link[rel=stylesheet]")]
    assert "assets/monograph/monograph.css" in stylesheets
    assert (site / "site" / "assets" / "monograph" / "monograph.css").is_file()


def test_installed_package_holds_no_monograph_name(venv: Path) -> None:
    [package] = venv.glob("lib/python*/site-packages/monograph")
    found = []
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix != ".pyc":
            text = path.read_text(encoding="utf-8", errors="replace")
            found += [
                f"{path.relative_to(package)}:{n}: {line.strip()}"
                for n, line in enumerate(text.splitlines(), 1)
                if MONOGRAPH_NAMES.search(line)
            ]
    assert found == []


def test_pdf_file_without_the_pdf_extra_is_one_line(venv: Path, tmp_path: Path) -> None:
    site = _site(tmp_path, "      pdf_file: downloads/notes.pdf\n")
    built = _run(venv / "bin" / "mkdocs", "build", "--strict", cwd=site)
    assert built.returncode != 0
    assert "Traceback" not in built.stderr
    errors = [line for line in built.stderr.splitlines() if line.startswith("ERROR")]
    assert errors == [
        "ERROR   -  the PDF edition (pdf_file) needs weasyprint, which is not installed; "
        'install it with: pip install "mkdocs-monograph[pdf]"'
    ]


def test_external_check_without_the_checks_extra_is_one_line(venv: Path, tmp_path: Path) -> None:
    site = _site(tmp_path)
    checked = _run(venv / "bin" / "monograph-check", "external", cwd=site)
    assert checked.returncode == 2
    assert checked.stdout == ""
    assert checked.stderr == (
        "monograph.checks: error: monograph-check external needs httpx, which is not "
        'installed; install it with: pip install "mkdocs-monograph[checks]"\n'
    )
