"""Fixture sites built through MkDocs with the plugin from its entry point."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from lxml import html as lxml_html

from .conftest import BuiltSite, SiteBuilder

BIB = """
@article{alpha2001, author = {Alpha, Ann}, title = {First work}, journal = {J A}, year = {2001},
  doi = {10.1000/alpha}}
@article{beta2002, author = {Beta, Bob and Gamma, Gil}, title = {Second work}, journal = {J B},
  year = {2002}, pmid = {123}}
@article{gamma2003, author = {Gamma, Gil}, title = {Third work}, journal = {J C}, year = {2003},
  doi = {10.1000/gamma}}
@article{delta2004, author = {Delta, Dee},
  title = {Fourth <script>alert(1)</script> " onmouseover="x}, journal = {J D}, year = {2004},
  doi = {10.1000/delta}}
@article{epsilon2005, author = {Epsilon, Eve}, title = {Fifth work}, journal = {J E},
  year = {2005}, doi = {10.1000/epsilon}}
"""

PAGES = {
    "index.md": """
        # Home

        First [@beta2002]. Then [@alpha2001; @gamma2003, p. 12].
        """,
    "zeta.md": """
        # Zeta

        Zeta cites [@gamma2003; @alpha2001; @beta2002; @delta2004] and [see @epsilon2005].

        Narrative: @beta2002 reported it.

        ```
        [@alpha2001] stays code
        ```
        """,
    "references.md": """
        # Bibliography

        <!-- monograph:bibliography -->
        """,
}
NAV = ["index.md", "zeta.md", "references.md"]


def citations(site: BuiltSite, url: str) -> list[tuple[str, str]]:
    page = site.page(url)
    return [
        (a.get("data-cite"), a.text_content() or a.get("aria-label"))
        for a in page.cssselect("a.citation")
    ]


def test_numbers_follow_nav_order_and_are_the_same_on_every_page(build_site: SiteBuilder) -> None:
    site = build_site(PAGES, BIB, nav=["zeta.md", "index.md", "references.md"], strict=True)
    assert site.aborted is None, site.warnings
    assert citations(site, "zeta/")[:4] == [
        ("gamma2003", "1"),
        ("alpha2001", "2"),
        ("beta2002", "3"),
        ("delta2004", "4"),
    ]
    assert citations(site, "") == [("beta2002", "3"), ("alpha2001", "2"), ("gamma2003", "1")]
    bibliography = site.page("references/")
    order = [li.get("id") for li in bibliography.cssselect("ol.bibliography > li")]
    assert order == [
        "ref-gamma2003",
        "ref-alpha2001",
        "ref-beta2002",
        "ref-delta2004",
        "ref-epsilon2005",
    ]


def test_group_rendering_ranges_locators_prefix_and_narrative(build_site: SiteBuilder) -> None:
    site = build_site(PAGES, BIB, nav=NAV, strict=True)
    zeta = site.page("zeta/")
    groups = [g.text_content() for g in zeta.cssselect("span.citation-group")]
    assert groups == ["[1–4]", "[see 5]", "Beta and Gamma [1]"]
    home = [g.text_content() for g in site.page("").cssselect("span.citation-group")]
    assert home == ["[1]", "[2; 3, p. 12]"]
    hidden = zeta.cssselect("a.citation-in-range")
    assert [(a.get("data-cite"), a.get("aria-label")) for a in hidden] == [
        ("alpha2001", "2"),
        ("gamma2003", "3"),
    ]


def test_every_citation_links_to_its_entry_with_a_tooltip(build_site: SiteBuilder) -> None:
    site = build_site(PAGES, BIB, nav=NAV, strict=True)
    bibliography = site.page("references/")
    for url in ("", "zeta/"):
        for link in site.page(url).cssselect("a.citation"):
            key = link.get("data-cite")
            assert link.get("href").endswith(f"#ref-{key}")
            target = urljoin(f"http://x/{url}", link.get("href"))
            assert target == f"http://x/references/#ref-{key}"
            entry = bibliography.get_element_by_id(f"ref-{key}")
            assert link.get("title") == entry.cssselect(".reference")[0].text_content()


def test_backlinks_land_on_every_citing_place(build_site: SiteBuilder) -> None:
    site = build_site(PAGES, BIB, nav=NAV, strict=True)
    entry = site.page("references/").get_element_by_id("ref-alpha2001")
    hrefs = [a.get("href") for a in entry.cssselect("a.citation-backref")]
    assert hrefs == ["../#cite-alpha2001-1", "../zeta/#cite-alpha2001-1"]
    for href in hrefs:
        page_url, fragment = urljoin("http://x/references/", href)[len("http://x/") :].split("#")
        element = site.page(page_url).get_element_by_id(fragment)
        assert element.get("data-cite") == "alpha2001"


def test_bibliography_back_links_are_grouped_by_page_with_part_and_count(
    build_site: SiteBuilder,
) -> None:
    nav = ["index.md", {"Part Z": ["zeta.md"]}, "references.md"]
    site = build_site(PAGES, BIB, nav=nav, strict=True)
    entry = site.page("references/").get_element_by_id("ref-beta2002")
    links = entry.cssselect("a.citation-backref")
    assert [(a.text_content(), a.get("href")) for a in links] == [
        ("Home", "../#cite-beta2002-1"),
        ("Part Z › Zeta ×2", "../zeta/#cite-beta2002-1"),
    ]
    assert "↩" not in entry.text_content()
    assert entry.cssselect(".citation-backrefs")[0].text_content() == (
        "Cited in: Home; Part Z › Zeta ×2"
    )
    # A page's own list keeps one back-link per citation, each a 24 px target (monograph.css).
    own = site.page("zeta/").get_element_by_id("ref-beta2002").cssselect("a.citation-backref")
    assert [a.get("href") for a in own] == ["#cite-beta2002-1", "#cite-beta2002-2"]


def test_per_page_reference_list(build_site: SiteBuilder) -> None:
    site = build_site(PAGES, BIB, nav=NAV, strict=True)
    home = site.page("")
    assert home.get_element_by_id("references").text_content() == "References"
    items = home.cssselect("ol.references > li")
    assert [(li.get("id"), li.get("value")) for li in items] == [
        ("ref-beta2002", "1"),
        ("ref-alpha2001", "2"),
        ("ref-gamma2003", "3"),
    ]
    assert site.page("references/").cssselect("ol.references") == []


def test_code_blocks_untouched_and_titles_escaped(build_site: SiteBuilder) -> None:
    site = build_site(PAGES, BIB, nav=NAV, strict=True)
    zeta = site.page("zeta/")
    assert zeta.cssselect("pre code")[0].text_content().strip() == "[@alpha2001] stays code"
    raw = (site.site / "zeta" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in raw
    [delta] = [a for a in zeta.cssselect("a.citation") if a.get("data-cite") == "delta2004"]
    assert delta.get("onmouseover") is None
    assert '" onmouseover="x' in delta.get("title")


def test_material_theme_and_tooltips(build_site: SiteBuilder) -> None:
    site = build_site(PAGES, BIB, nav=NAV, strict=True, theme="material")
    assert site.aborted is None, site.warnings
    assert len(site.page("zeta/").cssselect("a.citation")) == 6


@pytest.mark.parametrize(
    ("pages", "bib", "expected"),
    [
        (
            {"index.md": "# H\n\nSee [@alpha2001].\n\nAnd [@alpah2001].\n"},
            "@article{alpha2001, author={A, B}, title={T}, journal={J}, year={2001}, pmid={1}}",
            "monograph: docs/index.md:5: unknown citation key 'alpah2001'; did you mean "
            "'alpha2001'? [cite.unknown_key]",
        ),
        (
            {"index.md": "# H\n\nSee [@alpha2001].\n"},
            "@article{alpha2001, author={A, B}, title={T}, journal={J}, year={2001}, pmid={1}}\n"
            "@article{unused1, author={A, B}, title={T}, journal={J}, year={2001}, pmid={2}}",
            "monograph: refs.bib:2: entry 'unused1' is never cited; cite it, remove it, or list it "
            "under the plugin's nocite option [cite.unused_entry]",
        ),
        (
            {"index.md": "# H\n\nSee [@alpha2001].\n"},
            "@article{alpha2001, author={A, B}, title={T}, journal={J}, year={2001}, pmid={1}\n",
            "monograph: refs.bib:1: entry 'alpha2001': syntax error: premature end of file; "
            "the entry's closing brace is missing (the next thing, at line 2, is already "
            "another entry or the end of the file) [bib.syntax]",
        ),
        (
            {"index.md": "# H\n\nSee [@alpha2001].\n"},
            "@article{alpha2001, author={A, B}, title={T}, year={2001}, pmid={1}}",
            "monograph: refs.bib:1: entry 'alpha2001' (@article) lacks journal; add it from the "
            "source record [cite.missing_field]",
        ),
        (
            {"index.md": "# H\n\n<!-- monograph:bibliografy -->\n"},
            "@article{alpha2001, author={A, B}, title={T}, journal={J}, year={2001}, pmid={1}}",
            "monograph: docs/index.md:3: unknown marker 'monograph:bibliografy'; did you mean "
            "'monograph:bibliography'? [marker.unknown]",
        ),
    ],
)
def test_strict_build_fails_with_a_located_message(
    build_site: SiteBuilder, pages: dict[str, str], bib: str, expected: str
) -> None:
    site = build_site(pages, bib, strict=True)
    assert site.aborted is not None
    assert expected in site.warnings, site.warnings


def test_unknown_key_is_visible_not_silently_dropped(build_site: SiteBuilder) -> None:
    site = build_site({"index.md": "# H\n\nSee [@nokey].\n"}, BIB, nocite=list(BIB_KEYS))
    [marker] = site.page("").cssselect(".citation-unknown")
    assert marker.text_content() == "?nokey"


BIB_KEYS = ("alpha2001", "beta2002", "gamma2003", "delta2004", "epsilon2005")


def test_nocite_silences_unused_and_lists_entry(build_site: SiteBuilder) -> None:
    pages = {
        "index.md": "# H\n\n[@alpha2001]\n",
        "refs.md": "# R\n\n<!-- monograph:bibliography -->\n",
    }
    site = build_site(pages, BIB, strict=True, nocite=[k for k in BIB_KEYS if k != "alpha2001"])
    assert site.aborted is None, site.warnings
    assert len(site.page("refs/").cssselect("ol.bibliography > li")) == 5


def test_all_problems_reported_not_only_the_first(build_site: SiteBuilder) -> None:
    pages = {"index.md": "# H\n\n[@nope1] and [@nope2]\n\n[@alpha2001]\n"}
    site = build_site(pages, BIB, strict=True)
    codes = sorted(p.code for p in site.problems if p.severity != "info")
    assert codes == ["cite.unknown_key"] * 2 + ["cite.unused_entry"] * 4


def test_parse_with_lxml_roundtrip_is_valid(build_site: SiteBuilder) -> None:
    site = build_site(PAGES, BIB, nav=NAV)
    tree = lxml_html.fromstring((site.site / "zeta" / "index.html").read_bytes())
    ids = [el.get("id") for el in tree.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
