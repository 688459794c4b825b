"""One mkdocs.yml for MkDocs and Zensical: the plugin and the `monograph` extension together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conftest import BuiltSite, SiteBuilder

BIB = """
@article{alpha2001, author = {Alpha, Ann}, title = {First work}, journal = {J A}, year = {2001},
  doi = {10.1000/alpha}}
@article{beta2002, author = {Beta, Bob}, title = {Second work}, journal = {J B}, year = {2002},
  pmid = {123}}
"""

PAGES = {
    "index.md": "# Home\n\nFirst [@beta2002].\n",
    "other.md": "# Other\n\nThen [@alpha2001] and [@beta2002].\n",
}
BOTH = {"markdown_extensions": [{"monograph": {"bib_file": "refs.bib", "cache_dir": ""}}]}


def alone(tmp_path: Path) -> dict[str, Any]:
    """Outside Zensical an extension is not told where mkdocs.yml is: an absolute bib_file
    (in mkdocs.yml: ``bib_file: !relative $config_dir/refs.bib``)."""
    bib = str(tmp_path / "project" / "refs.bib")
    return {"markdown_extensions": [{"monograph": {"bib_file": bib, "cache_dir": ""}}]}


def numbers(site: BuiltSite, url: str) -> list[tuple[str | None, str]]:
    return [(a.get("data-cite"), a.text_content()) for a in site.page(url).cssselect("a.citation")]


def test_with_the_plugin_the_extension_stands_aside(build_site: SiteBuilder) -> None:
    site = build_site(PAGES, BIB, nav=["index.md", "other.md"], strict=True, extra_config=BOTH)
    assert site.aborted is None, site.warnings
    # Site-wide numbers (the plugin's), not per page: beta is 1 on both pages.
    assert numbers(site, "") == [("beta2002", "1")]
    assert numbers(site, "other/") == [("alpha2001", "2"), ("beta2002", "1")]
    # Converted once: one group per citation, one reference list per page.
    assert len(site.page("other/").cssselect("span.citation-group")) == 2
    assert len(site.page("other/").cssselect("ol.references")) == 1


def test_without_the_plugin_mkdocs_numbers_each_page(
    build_site: SiteBuilder, tmp_path: Path
) -> None:
    site = build_site(
        PAGES, BIB, nav=["index.md", "other.md"], extra_config=alone(tmp_path), enabled=False
    )
    assert site.aborted is None, site.warnings
    assert numbers(site, "other/") == [("alpha2001", "1"), ("beta2002", "2")]
    items = site.page("other/").cssselect("ol.references > li")
    assert [li.get("id") for li in items] == ["ref-alpha2001", "ref-beta2002"]


def test_without_the_plugin_problems_fail_a_strict_mkdocs_build(
    build_site: SiteBuilder, tmp_path: Path
) -> None:
    pages = {"index.md": "# Home\n\nText [@alpa2001].\n"}
    site = build_site(pages, BIB, strict=True, extra_config=alone(tmp_path), enabled=False)
    assert site.aborted is not None
    assert any("did you mean 'alpha2001'" in w for w in site.warnings), site.warnings


def test_with_the_plugin_a_misspelt_extension_option_is_still_said(
    build_site: SiteBuilder,
) -> None:
    config = {"markdown_extensions": [{"monograph": {"bib_file": "refs.bib", "styel": "apa"}}]}
    site = build_site(PAGES, BIB, nav=["index.md", "other.md"], strict=True, extra_config=config)
    assert site.aborted is not None
    assert any("unknown option 'styel'" in w and "'style'" in w for w in site.warnings)


def test_the_zensical_lines_of_the_guide_change_nothing_under_mkdocs(
    build_site: SiteBuilder,
) -> None:
    """The whole configuration of plugins/ZENSICAL.md, with the copies in docs/, under MkDocs."""
    config = {
        **BOTH,
        "watch": ["refs.bib"],
        "extra_css": ["assets/monograph/monograph.css"],
        "extra_javascript": ["assets/monograph/evidence.js"],
    }
    pages = {
        **PAGES,
        "assets/monograph/monograph.css": "/* an older copy */\n",
        "assets/monograph/evidence.js": "/* an older copy */\n",
    }
    site = build_site(pages, BIB, nav=["index.md", "other.md"], strict=True, extra_config=config)
    assert site.aborted is None, site.warnings
    page = site.page("other/")
    css = [link.get("href") for link in page.cssselect('link[rel="stylesheet"]')]
    assert [h for h in css if h.endswith("monograph.css")] == ["../assets/monograph/monograph.css"]
    scripts = [s.get("src") for s in page.cssselect("script[src]")]
    assert [s for s in scripts if s.endswith("evidence.js")] == ["../assets/monograph/evidence.js"]
    served = (site.site / "assets" / "monograph" / "monograph.css").read_text(encoding="utf-8")
    assert "an older copy" not in served  # the engine's own, not the copy made for Zensical
    assert numbers(site, "other/") == [("alpha2001", "2"), ("beta2002", "1")]
