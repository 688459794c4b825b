"""Content rules of the monograph itself: own words, every page reviewed, every entry cited."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import REPO, SHARED

OVERLAP_TOOL = SHARED / "tools" / "source_overlap.py"


@pytest.mark.skipif(not OVERLAP_TOOL.is_file(), reason="../shared (the source article) is absent")
def test_monograph_is_in_its_own_words() -> None:
    """No run of 8+ words is shared with the source article."""
    result = subprocess.run(
        [sys.executable, str(OVERLAP_TOOL), str(REPO / "docs")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_page_has_front_matter_with_title_and_reviewed_date() -> None:
    for page in sorted((REPO / "docs").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        assert text.startswith("---\n"), page
        front = text.split("---\n", 2)[1]
        assert "\nreviewed: " in f"\n{front}", page
