"""The two environments the benchmark builds with.

The project's ``.venv`` runs the plain build and our plugin; mkdocs-bibtex 4.4.0 lives only in
``benchmarks/.work/venv-bibtex``, created on first use from ``requirements-bench.txt`` (pinned),
so it never becomes a project dependency.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
REQUIREMENTS = HERE / "requirements-bench.txt"
BIBTEX_VENV = WORK / "venv-bibtex"


def project_bin(name: str) -> Path:
    """An executable of the project's virtual environment (the one running this script)."""
    return Path(sys.executable).parent / name


def bibtex_bin(name: str) -> Path:
    """An executable of the mkdocs-bibtex environment."""
    return BIBTEX_VENV / "bin" / name


def ensure_bibtex_venv() -> Path:
    """Create or update the mkdocs-bibtex environment when requirements-bench.txt changed.

    Returns:
        Its ``mkdocs`` executable.
    """
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    stamp = BIBTEX_VENV / ".requirements-sha256"
    if stamp.is_file() and stamp.read_text().strip() == digest and bibtex_bin("mkdocs").exists():
        return bibtex_bin("mkdocs")
    if not bibtex_bin("python").exists():
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", str(BIBTEX_VENV)], check=True)
    pip = [str(bibtex_bin("python")), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--disable-pip-version-check", "-r", str(REQUIREMENTS)], check=True)
    stamp.write_text(digest + "\n")
    return bibtex_bin("mkdocs")


def versions(python: Path, packages: tuple[str, ...]) -> dict[str, str]:
    """Installed versions of ``packages`` in the environment of ``python``."""
    code = (
        "import importlib.metadata as m, json, sys\n"
        "out = {}\n"
        "for name in sys.argv[1:]:\n"
        "    try:\n"
        "        out[name] = m.version(name)\n"
        "    except m.PackageNotFoundError:\n"
        "        out[name] = '-'\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run(
        [str(python), "-c", code, *packages], check=True, capture_output=True, text=True
    )
    result: dict[str, str] = json.loads(done.stdout)
    return result
