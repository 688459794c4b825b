"""What a build loads: a warm build of a site without evidence data loads neither pybtex's parser
and formatter nor pydantic (the evidence model) nor WeasyPrint nor citeproc.

Each build runs in a fresh interpreter (what ``mkdocs build`` is), which then lists the heavy
modules it imported.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

SITES = Path(__file__).resolve().parent / "sites"

BUILD = """
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config

config = load_config("mkdocs.yml", strict=sys.argv[1] == "strict")
config.plugins.run_event("startup", command="build", dirty=False)
build(config)
config.plugins.run_event("shutdown")
heavy = ("pybtex.database", "pybtex.style", "latexcodec", "pydantic", "weasyprint", "citeproc")
print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] in {h.split(".")[0] for h in heavy}
                      and any(m == h or m.startswith(h + ".") for h in heavy))))
"""


def _loaded(root: Path, *, strict: bool = True) -> set[str]:
    run = subprocess.run(
        [sys.executable, "-c", BUILD, "strict" if strict else "lenient"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return set(run.stdout.split())


def test_a_warm_build_loads_no_parser_formatter_or_evidence_model(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(SITES / "foreign-material", root)
    cold = _loaded(root)
    assert {"pybtex.database", "latexcodec"} <= cold  # parsed and formatted once
    assert not any(m.startswith(("pydantic", "weasyprint", "citeproc")) for m in cold)
    assert (root / ".cache" / "monograph").is_dir()
    assert _loaded(root) == set()


def test_a_page_with_evidence_data_loads_the_evidence_model(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(SITES / "foreign-material", root)
    page = root / "docs" / "index.md"
    page.write_text("---\nclaims: []\n---\n" + page.read_text(encoding="utf-8"), encoding="utf-8")
    assert "pydantic" in _loaded(root, strict=False)  # an empty list is a warning


def test_a_warm_csl_build_loads_no_parser_or_latex_reader(tmp_path: Path) -> None:
    """A CSL style's decisions and texts come from the cache: no entry is converted again."""
    root = tmp_path / "site"
    shutil.copytree(SITES / "csl-author-date", root)
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace('cache_dir: ""', "cache_dir: .cache"),
        encoding="utf-8",
    )
    assert {"pybtex.database", "latexcodec", "citeproc"} <= _loaded(root)
    warm = _loaded(root)
    assert not any(m.startswith(("pybtex.database", "pybtex.style", "latexcodec")) for m in warm)
