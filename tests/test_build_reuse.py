"""Filled pages reused between builds: a warm build shows exactly what a build from scratch shows.

Each case builds a small site with a cache folder, changes one thing a filled page depends on,
builds again with the same cache, and compares every file with a build of the changed site that
has no cache at all. A page whose inputs did not change is taken from the cache; one whose inputs
changed is filled again.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from monograph.adapter.plugin import MonographPlugin

SITES = Path(__file__).resolve().parent / "sites"

BIB = """
@article{alpha2019,
  author = {Alpha, Ann and Beta, Bob},
  title = {First study of legs},
  journal = {Leg J}, year = {2019}, volume = {1}, pages = {1--9}
}
@article{gamma2020,
  author = {Gamma, Carl},
  title = {Second study of legs},
  journal = {Leg J}, year = {2020}, volume = {2}, pages = {10--19}
}
@article{delta2021,
  author = {Delta, Dora},
  title = {Third study of legs},
  journal = {Leg J}, year = {2021}, volume = {3}, pages = {20--29}
}
@article{omega2022,
  author = {Omega, Olga},
  title = {Fourth study of legs},
  journal = {Leg J}, year = {2022}, volume = {4}, pages = {30--39}
}
"""

PAGES = {
    "index.md": "# Home\n\nIron helps [@alpha2019; @gamma2020].\n",
    "iron.md": "# Iron\n\nSee [@gamma2020, p. 12] and @delta2021 [table 2].\n\n"
    "More [@alpha2019; @gamma2020; @delta2021].\n",
    "other.md": "# Other\n\nNothing cited [@delta2021].\n",
    "bibliography.md": "# Bibliography\n\n<!-- monograph:bibliography -->\n",
}
NAV = [
    {"Home": "index.md"},
    {"Treatments": [{"Iron": "iron.md"}, {"Other": "other.md"}]},
    {"Bibliography": "bibliography.md"},
]


def _write_site(root: Path, **options: object) -> None:
    for name, text in PAGES.items():
        path = root / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "refs.bib").write_text(BIB, encoding="utf-8")
    config = {
        "site_name": "Reuse",
        "theme": {"name": "mkdocs"},
        "nav": NAV,
        "plugins": [{"monograph": {"bib_file": "refs.bib", "cache_dir": ".cache", **options}}],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")


def _build(root: Path, **overrides: object) -> int:
    """Build the site; return how many filled pages it took from the cache."""
    config = load_config(str(root / "mkdocs.yml"), **overrides)
    config.plugins.run_event("startup", command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.run_event("shutdown")
    plugin = config.plugins["monograph"]
    assert isinstance(plugin, MonographPlugin) and plugin.state is not None
    return plugin.state.filled_pages.reused  # read now: MkDocs reuses the plugin object


def _set_option(root: Path, **options: object) -> None:
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["plugins"][0]["monograph"].update(options)
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")


def _differences(left: Path, right: Path) -> list[str]:
    """Files that differ between two built sites (build dates and the sitemap's gzip aside)."""
    names = {p.relative_to(left).as_posix() for p in left.rglob("*") if p.is_file()}
    others = {p.relative_to(right).as_posix() for p in right.rglob("*") if p.is_file()}
    found = sorted(names ^ others)
    for name in sorted(names & others):
        if name.startswith("sitemap.xml"):
            continue
        a, b = (left / name).read_bytes(), (right / name).read_bytes()
        if name.endswith(".html"):
            a, b = _BUILD_DATE.sub(b"", a), _BUILD_DATE.sub(b"", b)
        if a != b:
            found.append(name)
    return found


#: The mkdocs theme writes the build's time into index.html.
_BUILD_DATE = re.compile(rb"Build Date UTC : [^\n]*")


def _same_as_fresh(root: Path, tmp_path: Path) -> int:
    """Build ``root`` with its cache; check it equals a build of a copy without one.

    Returns how many filled pages the build with the cache reused.
    """
    reused = _build(root)
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".cache", "site"))
    _set_option(fresh, cache_dir="")
    _build(fresh)
    assert _differences(root / "site", fresh / "site") == []
    return reused


def _edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


CHANGES: dict[str, Callable[[Path], None]] = {
    # A reference's text: every page citing it (title attributes, lists) and the bibliography.
    "reference text": lambda root: _edit(root, "refs.bib", "Third study", "Revised third study"),
    # A citation added on the first page renumbers the works of every later page.
    "numbering": lambda root: _edit(
        root, "docs/index.md", "@gamma2020]", "@gamma2020; @delta2021]"
    ),
    # A page title (here from the navigation) names the page in the bibliography's back-links.
    "page title": lambda root: _edit(root, "mkdocs.yml", "Other: other.md", "Others: other.md"),
    # A navigation part names it too.
    "part name": lambda root: _edit(root, "mkdocs.yml", "Treatments", "Therapies"),
    # The heading of the per-page reference lists.
    "heading": lambda root: _set_option(root, references_heading="Works cited"),
    # A locator, without any other change to the page's words.
    "locator": lambda root: _edit(root, "docs/iron.md", "p. 12", "p. 13"),
    # A narrative citation becomes a bracketed one (same key, same place).
    "narrative": lambda root: _edit(root, "docs/iron.md", "@delta2021 [table 2]", "[@delta2021]"),
    # An entry of the bibliography nobody cites, listed through nocite.
    "nocite": lambda root: _set_option(root, nocite=["omega2022"]),
    # A site's template override (a theme custom_dir) changes every list.
    "template override": lambda root: _override_entry(root),
}


def test_a_changed_file_an_override_includes_is_seen(tmp_path: Path) -> None:
    """An override may include any template of the folder: a change there is a change."""
    root = tmp_path / "site-src"
    _write_site(root)
    _override_entry(root)
    entry = root / "overrides" / "monograph" / "entry.html"
    entry.write_text(
        '{% include "partials/mark.html" %}\n' + entry.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    partial = root / "overrides" / "partials" / "mark.html"
    partial.parent.mkdir()
    partial.write_text("<!-- first -->", encoding="utf-8")
    _build(root)
    partial.write_text("<!-- second -->", encoding="utf-8")
    assert _same_as_fresh(root, tmp_path) == 0  # every page with a list is filled again
    assert "<!-- second -->" in (root / "site" / "index.html").read_text(encoding="utf-8")


def _override_entry(root: Path) -> None:
    folder = root / "overrides" / "monograph"
    folder.mkdir(parents=True)
    engine = Path(__file__).resolve().parents[1] / "plugins/monograph/templates/monograph"
    text = (engine / "entry.html").read_text(encoding="utf-8")
    (folder / "entry.html").write_text("<!-- site's own entry -->\n" + text, encoding="utf-8")
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["theme"]["custom_dir"] = "overrides"
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")


def test_an_unchanged_site_reuses_every_filled_page(tmp_path: Path) -> None:
    root = tmp_path / "site-src"
    _write_site(root)
    assert _build(root) == 0
    assert _same_as_fresh(root, tmp_path) == len(PAGES)


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_warm_build_after_a_change_equals_a_fresh_build(tmp_path: Path, change: str) -> None:
    root = tmp_path / "site-src"
    _write_site(root)
    _build(root)
    CHANGES[change](root)
    assert _same_as_fresh(root, tmp_path) < len(PAGES)  # something was filled again


def test_a_page_whose_inputs_did_not_change_is_reused(tmp_path: Path) -> None:
    # A new word on the last page changes nothing the other pages read.
    root = tmp_path / "site-src"
    _write_site(root)
    _build(root)
    _edit(root, "docs/other.md", "Nothing cited", "Nothing else cited")
    assert _same_as_fresh(root, tmp_path) == len(PAGES) - 1


def test_author_date_style_disambiguation_reaches_reused_pages(tmp_path: Path) -> None:
    """A CSL style reads the whole site: a new ``2020b`` elsewhere changes the first page too."""
    root = tmp_path / "site-src"
    shutil.copytree(SITES / "csl-author-date", root)
    _set_option(root, cache_dir=".cache")
    _build(root)
    bib = (root / "refs.bib").read_text(encoding="utf-8")
    twin = bib.split("@article{smith2020first,")[1].split("\n}\n")[0]
    (root / "refs.bib").write_text(
        bib
        + "\n@article{trotti2019b,"
        + twin.replace("Smith, Jane", "Trotti, Lynn Marie and Becker, Lorne A.")
        .replace("2020", "2019")
        .replace("first look", "third look")
        + "\n}\n",
        encoding="utf-8",
    )
    _edit(root, "docs/second.md", "\n", "\n\nA later review [@trotti2019b].\n")
    _same_as_fresh(root, tmp_path)


def test_a_field_only_a_csl_citation_prints_reaches_reused_pages(tmp_path: Path) -> None:
    """A work without authors is cited by its short title, which its reference does not print.

    Editing the short title changes no reference, only the citations: the citing pages are
    filled again (the entry's digest is part of each work's fingerprint), as from scratch.
    """
    root = tmp_path / "site-src"
    shutil.copytree(SITES / "csl-author-date", root)
    _set_option(root, cache_dir=".cache")
    with (root / "refs.bib").open("a", encoding="utf-8") as bib:
        bib.write(
            "\n@book{report2021,\n  title = {A Very Long Title of a Report on Legs},\n"
            "  shorttitle = {Long Report},\n  publisher = {Fixture Press},\n  year = {2021}\n}\n"
        )
    _edit(root, "docs/second.md", "\n", "\n\nAs reported [@report2021].\n")
    _build(root)
    page = (root / "site" / "second" / "index.html").read_text(encoding="utf-8")
    assert "<i>Long Report</i>, 2021" in page and "Long Report." not in page
    _edit(root, "refs.bib", "Long Report", "Leg Report")
    _same_as_fresh(root, tmp_path)
    assert "<i>Leg Report</i>, 2021" in (root / "site" / "second" / "index.html").read_text(
        encoding="utf-8"
    )


CSL_CHANGES: dict[str, Callable[[Path], None]] = {
    "nothing": lambda root: None,
    # A cited entry's text: a new record of the style's decisions, the processor started.
    "reference text": lambda root: _edit(root, "refs.bib", "A second look", "A second close look"),
    # The works' number order changes; the style's list order and letters must not.
    "numbering": lambda root: _edit(
        root, "docs/index.md", "@smith2020first; @smith2020second", "@smith2020second; @adams2010"
    ),
    # An uncited entry above the others: every line moves, the cited works are the same.
    "entry added above": lambda root: _edit(
        root,
        "refs.bib",
        "@article{trotti2019,",
        "@misc{zed1999, title = {Z}}\n@article{trotti2019,",
    ),
}


@pytest.mark.parametrize("change", list(CSL_CHANGES))
def test_a_warm_csl_author_date_build_equals_a_fresh_build(tmp_path: Path, change: str) -> None:
    """A warm CSL build takes the style's decisions from the cache; the pages are the same."""
    root = tmp_path / "site-src"
    shutil.copytree(SITES / "csl-author-date", root)
    _set_option(root, cache_dir=".cache")
    _build(root)
    CSL_CHANGES[change](root)
    reused = _same_as_fresh(root, tmp_path)
    unchanged = change in ("nothing", "entry added above")  # nothing a page shows differs
    assert (reused == len(list((root / "docs").glob("*.md")))) == unchanged
    assert list((root / ".cache" / "csl-prepared").glob("*.json"))


def test_the_cache_folder_keeps_only_the_pages_of_the_last_build(tmp_path: Path) -> None:
    root = tmp_path / "site-src"
    _write_site(root)
    _build(root)
    folders = list((root / ".cache" / "filled-pages").iterdir())
    assert len(folders) == 1
    assert len(list(folders[0].glob("*.html"))) == len(PAGES)
    _edit(root, "docs/other.md", "Nothing cited", "Nothing else cited")
    _build(root)
    assert len(list(folders[0].glob("*.html"))) == len(PAGES)
