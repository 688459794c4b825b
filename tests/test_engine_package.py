"""The engine as another team meets it: a foreign Material site, nocite, optional extras."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from .conftest import BuiltSite

Build = Callable[..., BuiltSite]


def test_foreign_site_builds_strictly_and_lists_every_entry(build_fixture: Build) -> None:
    site = build_fixture("foreign-material")
    assert site.aborted is None, site.warnings
    assert site.warnings == []
    history = site.page("history/")
    entries = history.cssselect("ol.bibliography > li")
    assert [li.get("id") for li in entries] == [
        "ref-hopper1952",
        "ref-knuth1997",
        "ref-lovelace1843",
        "ref-turing1950",  # never cited: listed through nocite: ["*"], numbered last
    ]
    assert [li.get("value") for li in entries] == ["1", "2", "3", "4"]
    [first, *_] = site.page("").cssselect("a.citation")
    assert first.get("href") == "history/#ref-hopper1952"
    assert first.text_content() == "1"


def test_foreign_site_gets_the_engine_stylesheet_and_script(build_fixture: Build) -> None:
    site = build_fixture("foreign-material")
    page = site.page("")
    stylesheets = [link.get("href") for link in page.cssselect("link[rel=stylesheet]")]
    scripts = [script.get("src") for script in page.cssselect("script[src]")]
    assert "assets/monograph/monograph.css" in stylesheets
    assert "assets/monograph/evidence.js" in scripts
    css = (site.site / "assets" / "monograph" / "monograph.css").read_text(encoding="utf-8")
    assert ".citation-group" in css
    assert (site.site / "assets" / "monograph" / "evidence.js").is_file()


def test_misspelt_nocite_key_is_reported_with_a_suggestion(build_fixture: Build) -> None:
    site = build_fixture("nocite-misspelt")
    assert site.aborted is not None
    assert site.warnings == [
        "monograph: mkdocs.yml:8: nocite lists 'turnig1950', which refs.bib does not define; "
        "did you mean 'turing1950'? [cite.unknown_nocite]",
        # lovelace1843, listed correctly, is not reported; the misspelt key lists nothing.
        "monograph: refs.bib:26: entry 'turing1950' is never cited; cite it, remove it, or "
        "list it under the plugin's nocite option [cite.unused_entry]",
    ]


def test_pdf_file_without_weasyprint_names_the_extra(
    build_fixture: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "weasyprint" else real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    site = build_fixture("pdf-without-weasyprint")
    assert site.aborted == "Aborted with a BuildError!"
    assert site.warnings == [
        "the PDF edition (pdf_file) needs weasyprint, which is not installed; "
        'install it with: pip install "mkdocs-monograph[pdf]"'
    ]


def test_external_check_without_httpx_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from monograph.checks.cli import main

    from .conftest import SITES

    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "httpx" else real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    config = SITES / "foreign-material" / "mkdocs.yml"
    assert main(["external", "--config", str(config)]) == 2
    assert capsys.readouterr().err == (
        "monograph.checks: error: monograph-check external needs httpx, which is not "
        'installed; install it with: pip install "mkdocs-monograph[checks]"\n'
    )


def test_a_site_overrides_the_entry_template_in_its_custom_dir(build_fixture: Build) -> None:
    site = build_fixture("template-override")
    assert site.aborted is None, site.warnings
    entries = site.page("").cssselect("ol.bibliography > li")
    assert [li.get("class") for li in entries] == ["house-entry"] * 4
    assert [li.cssselect(".house-number")[0].text for li in entries] == ["1", "2", "3", "4"]
    assert entries[0].text_content().startswith("1 Hopper GM. The education of a computer.")
    assert site.page("").cssselect(".citation-backrefs") == []


def test_a_site_overrides_citation_macros_in_its_custom_dir(build_fixture: Build) -> None:
    site = build_fixture("template-override")
    assert site.aborted is None, site.warnings
    page = site.page("")
    groups = page.cssselect("p sup.house-cite")
    assert [g.text_content() for g in groups] == ["1", "1–3", "see 4, p. 3"]
    # The site's link wraps the engine's own macro; the engine's range and item macros remain.
    links = groups[1].cssselect("span.house-link > a.citation")
    assert [a.get("href") for a in links] == [
        "#ref-hopper1952",
        "#ref-knuth1997",
        "#ref-lovelace1843",
    ]
    assert links[1].get("class") == "citation citation-in-range"
    assert links[0].get("title").startswith("Hopper GM. The education of a computer.")
    assert page.cssselect(".citation-group") == []


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("list.html", "<ol>\n{% for item in items %}{{ item }}\n</ol>\n", 2),
        ("citation.html", "{% macro group(parts) %}\n{{ parts }\n{% endmacro %}\n", 2),
    ],
)
def test_a_broken_template_override_stops_the_build_with_its_line(
    build_fixture: Build, tmp_path: Path, name: str, text: str, line: int
) -> None:
    from .conftest import SITES, build_project

    root = tmp_path / "broken"
    shutil.copytree(SITES / "template-override", root)
    (root / "overrides" / "monograph" / name).write_text(text, encoding="utf-8")
    site = build_project(root, strict=True)
    assert site.aborted == "Aborted with a BuildError!"
    [error] = site.warnings
    assert error.startswith(f"{root / 'overrides' / 'monograph' / name}:{line}: ")
    assert f"template monograph/{name} does not parse" in error


def test_a_citation_macro_that_fails_stops_the_build_naming_its_file(tmp_path: Path) -> None:
    from .conftest import SITES, build_project

    root = tmp_path / "failing"
    shutil.copytree(SITES / "template-override", root)
    (root / "overrides" / "monograph" / "citation.html").write_text(
        "{% macro group(parts, plain, narrative, names) %}{{ parts[7] }}{% endmacro %}\n",
        encoding="utf-8",
    )
    site = build_project(root, strict=True)
    assert site.aborted is not None
    [error] = site.warnings
    assert error.startswith(f"{root / 'overrides' / 'monograph' / 'citation.html'}: ")
    assert "template failed" in error
