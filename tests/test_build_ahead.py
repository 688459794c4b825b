"""A cold build that formats its references in a second process writes the same site.

The fixture site has more entries than :data:`monograph.core.styles.ahead.MIN_ENTRIES`, so a cold
build forks a process that formats them while MkDocs converts the pages. Its site is compared,
file by file, with the same site built with every entry formatted in the build's own process.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from monograph.core import parallel
from monograph.core.styles import ahead
from monograph.core.styles import formatter as references
from monograph.core.styles.builtin import VancouverReferences

from .test_build_reuse import _build, _differences

ENTRIES = 120


def _write_site(root: Path) -> None:
    root.mkdir(parents=True)
    entries = [
        f"@article{{e{n},\n  author = {{Author{n}, Ann and Roe, R{{\\'e}}my}},\n"
        f"  title = {{Study {n} of restless legs}},\n  journal = {{Leg J}},\n"
        f"  year = {{{1990 + n % 30}}},\n  volume = {{{n}}},\n  pages = {{{n}--{n + 5}}},\n"
        f"  doi = {{10.1000/leg.{n}}},\n}}\n"
        for n in range(ENTRIES)
    ]
    (root / "refs.bib").write_text("".join(entries), encoding="utf-8")
    pages = {
        "index.md": "# Home\n\n" + "".join(f"Claim [@e{n}; @e{n + 1}].\n\n" for n in range(0, 40)),
        "more.md": "# More\n\n" + "".join(f"Claim @e{n} [p. {n}].\n\n" for n in range(30, 90)),
        "bibliography.md": "# Bibliography\n\n<!-- monograph:bibliography -->\n",
    }
    for name, text in pages.items():
        path = root / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    config = {
        "site_name": "Ahead",
        "theme": {"name": "mkdocs"},
        "nav": [{"Home": "index.md"}, {"More": "more.md"}, {"Bibliography": "bibliography.md"}],
        "plugins": [
            {"monograph": {"bib_file": "refs.bib", "cache_dir": ".cache", "nocite": ["*"]}}
        ],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")


def test_references_formatted_ahead_build_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[int] = []
    original = ahead.AheadFormatting.__init__

    def spy(self: ahead.AheadFormatting, work: list[tuple[str, str]], *args: object) -> None:
        started.append(len(work))
        original(self, work, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(ahead.AheadFormatting, "__init__", spy)
    monkeypatch.setattr(parallel, "cpus", lambda: 2)  # whatever this machine has
    references._MEMORY.clear()  # as in a new process: nothing formatted yet
    root = tmp_path / "ahead"
    _write_site(root)
    _build(root)
    assert started == [ENTRIES]

    references._MEMORY.clear()
    alone = tmp_path / "alone"
    shutil.copytree(root, alone, ignore=shutil.ignore_patterns(".cache", "site"))
    monkeypatch.setattr(VancouverReferences, "formats_alone", False)
    _build(alone)
    assert started == [ENTRIES]  # no second process this time
    assert _differences(root / "site", alone / "site") == []
    page = (root / "site" / "bibliography" / "index.html").read_text(encoding="utf-8")
    assert page.count('<li id="ref-') == ENTRIES
    assert "Author7 A, Roe R. Study 7 of restless legs. Leg J. 1997;7:7-12." in page

    # The cache file holds the cited entries, as after an in-process build: a warm build
    # formats nothing and starts no process.
    references._MEMORY.clear()
    _build(root)
    assert started == [ENTRIES]
