"""mkdocs-bibtex compatibility and bib_dir: fixture sites in tests/sites, asserted on HTML."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from pathlib import Path

from .conftest import SITES, BuiltSite, build_project

Build = Callable[..., BuiltSite]


def copy_site(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(SITES / name, root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_site_written_for_mkdocs_bibtex_builds_with_only_the_name_changed(
    build_fixture: Build,
) -> None:
    logger = logging.getLogger("mkdocs")
    level = logger.level
    logger.setLevel(logging.INFO)  # MkDocs' command line does this; notes are info
    try:
        site = build_fixture("mkdocs-bibtex")
    finally:
        logger.setLevel(level)
    assert site.aborted is None, site.warnings
    # footnote_format is said to have no effect, not silently ignored.
    [note] = [p for p in site.problems if p.code == "config.footnote_format"]
    assert note.path == "mkdocs.yml" and "'{key}' has no effect" in note.message
    home = site.page("")
    groups = [g.text_content() for g in home.cssselect(".citation-group")]
    # Nature (csl_file): superscript numbers; its citations print no locator, the prefix stays.
    assert groups == ["1", "1, see pp. 100", "see 1"]
    assert all(g.cssselect("sup > a.citation") for g in home.cssselect(".citation-group"))
    # \bibliography: the page's list where the command was, under the author's own heading.
    heading = home.cssselect("h2#bibliography")[0]
    listing = heading.getnext()
    assert listing.tag == "ol" and "references" in listing.get("class")
    assert [li.get("id") for li in listing] == ["ref-test"]
    assert "\\bibliography" not in home.text_content()
    assert not home.cssselect("h2.page-references")  # not a second list at the end
    assert listing[0].cssselect(".reference")[0].text_content() == (
        "Einstein, A. On the electrodynamics of moving bodies. Annalen der Physik 17, 891–921 "
        "(1905)."
    )
    # No command on the page and bib_by_default (true): the list is appended.
    methods = site.page("methods/")
    assert [li.get("id") for li in methods.cssselect("h2.page-references + ol > li")] == [
        "ref-test2"
    ]
    # \full_bibliography: every entry of the .bib file, cited or not; citations link to it.
    full = site.page("full_bib/")
    assert "\\full_bibliography" not in full.text_content()
    entries = full.cssselect("ol.bibliography > li")
    assert [(li.get("id"), li.get("value")) for li in entries] == [
        ("ref-test", "1"),
        ("ref-test2", "2"),
        ("ref-uncited", "3"),
    ]
    assert home.cssselect("a.citation")[0].get("href") == "full_bib/#ref-test"


def test_mkdocs_bibtex_site_with_an_unknown_key_fails_strict_naming_page_and_key(
    tmp_path: Path,
) -> None:
    root = copy_site("mkdocs-bibtex", tmp_path)
    edit(
        root / "docs" / "index.md", "## Bibliography", "Citation [@nonexistent]\n\n## Bibliography"
    )
    site = build_project(root, strict=True)
    assert site.aborted is not None
    assert any(
        w.startswith("monograph: docs/index.md:") and "'nonexistent'" in w for w in site.warnings
    ), site.warnings


def test_bib_by_default_off_and_inline_citations_off_are_honoured(tmp_path: Path) -> None:
    root = copy_site("mkdocs-bibtex", tmp_path)
    edit(
        root / "mkdocs.yml",
        "      footnote_format:",
        "      bib_by_default: false\n      enable_inline_citations: false\n      footnote_format:",
    )
    edit(root / "docs" / "methods.md", "[@test2];", "[@test2]; see also @test;")
    site = build_project(root, strict=True)
    assert site.aborted is None, site.warnings
    methods = site.page("methods/")
    assert not methods.cssselect("ol.references")  # no \bibliography, and not by default
    assert "see also @test;" in methods.text_content()  # @key stays text
    assert site.page("").cssselect("h2#bibliography + ol.references > li")  # the command works


def test_custom_bib_commands(tmp_path: Path) -> None:
    root = copy_site("mkdocs-bibtex", tmp_path)
    edit(
        root / "mkdocs.yml",
        "      footnote_format:",
        "      bib_command: '[[refs]]'\n      full_bib_command: '[[all refs]]'\n"
        "      footnote_format:",
    )
    edit(root / "docs" / "index.md", "\\bibliography", "[[refs]]")
    edit(root / "docs" / "full_bib.md", "\\full_bibliography", "[[all refs]]")
    site = build_project(root, strict=True)
    assert site.aborted is None, site.warnings
    assert site.page("").cssselect("h2#bibliography + ol.references > li#ref-test")
    assert len(site.page("full_bib/").cssselect("ol.bibliography > li")) == 3


def test_bib_dir_reads_nested_files(build_fixture: Build) -> None:
    site = build_fixture("bib-dir")
    assert site.aborted is None, site.warnings
    home = site.page("")
    entries = home.cssselect("ol.references > li")
    assert [li.get("id") for li in entries] == ["ref-adams2010", "ref-trotti2019"]
    assert entries[0].cssselect(".reference")[0].text_content() == (
        "Adams A, Brown B. A Fixture Handbook. London: Fixture Press; 2010."
    )


def test_bib_dir_messages_name_the_nested_file_and_line(tmp_path: Path) -> None:
    root = copy_site("bib-dir", tmp_path)
    # Files are read in path order: the nested copy comes first, the second one is reported.
    shutil.copy(root / "bib" / "trials.bib", root / "bib" / "nested" / "again.bib")
    site = build_project(root, strict=True)
    assert site.aborted is not None
    assert any(
        "bib/trials.bib:2: entry 'trotti2019' is also defined in bib/nested/again.bib:2" in w
        for w in site.warnings
    ), site.warnings


def test_options_that_cannot_work_say_what_to_write(tmp_path: Path) -> None:
    root = copy_site("bib-dir", tmp_path)
    edit(root / "mkdocs.yml", "bib_dir: bib", "bib_file: [bib/trials.bib, bib/x.bib]")
    site = build_project(root, strict=True)
    assert site.aborted is not None
    assert any("write 'bib_dir: FOLDER'" in w for w in site.warnings), site.warnings
    edit(root / "mkdocs.yml", "bib_file: [bib/trials.bib, bib/x.bib]", "cache_dir: ''")
    site = build_project(root, strict=True)
    assert site.aborted is not None
    assert any("add 'bib_file: refs.bib'" in w for w in site.warnings), site.warnings


def test_checks_read_every_bib_file_of_bib_dir() -> None:
    from monograph.checks.build import Project, source_paths

    root = SITES / "bib-dir"
    project = Project(root / "mkdocs.yml", root, root / "docs", root / "site", bib_dir=root / "bib")
    nested = root / "bib" / "nested" / "deeper" / "books.bib"
    assert project.bib_files == [nested, root / "bib" / "trials.bib"]
    assert nested in source_paths(project)  # an edit there makes the built site stale
