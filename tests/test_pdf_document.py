"""The print document (pure core): ids, links, reference lists, cover, contents, parts."""

from __future__ import annotations

from datetime import date

import pytest
from lxml import html
from monograph.core.model import CoreError
from monograph.core.printing.document import (
    PrintMeta,
    PrintPage,
    assemble_print_document,
    build_print_document,
)
from monograph.core.printing.links import LinkResolver, page_slug
from monograph.core.urls import page_key

META = PrintMeta(
    title="RLS monograph",
    edition_date=date(2026, 3, 1),
    subtitle="An evidence monograph",
    author="The authors",
    subject="Restless legs syndrome",
    language="en",
    version="1.2",
    disclaimer_html='Not medical advice. See the <a href="about/disclaimer/">disclaimer</a>.',
    rights="© 2026 The authors",
)

CITE_IRON = (
    '<span class="citation-group">[<a class="citation" id="cite-trotti2019-1" '
    'data-cite="trotti2019" href="../../references/#ref-trotti2019" title="Trotti LM. Iron.">'
    "5</a>]</span>"
)
HOME = PrintPage(
    "Overview",
    "",
    "index.md",
    '<h1 id="overview">Overview</h1><p>Home <span class="citation-group">[<a class="citation" '
    'id="cite-trotti2019-1" data-cite="trotti2019" href="references/#ref-trotti2019">5</a>]'
    "</span>.</p>",
)
INTERVENTIONS = PrintPage(
    "Interventions",
    "interventions/",
    "interventions/index.md",
    '<h1 id="interventions">Interventions</h1><p>See <a href="iron/#dosing">iron dosing</a>.</p>',
    depth=1,
    section=("Interventions",),
)
IRON = PrintPage(
    "Iron",
    "interventions/iron/",
    "interventions/iron.md",
    '<h1 id="iron">Iron<a class="headerlink" href="#iron" title="Permanent link">¶</a></h1>'
    f"<p>Iron helps {CITE_IRON}. Back to <a href='../../'>the overview</a>, "
    "<a href='#dosing'>dosing</a>, <a href='#references'>this page's list</a>.</p>"
    '<h2 id="dosing">Dosing</h2><img src="../../assets/pic.png" alt="pic">'
    '<table class="evidence-table"><thead><tr><th>Level</th></tr></thead>'
    "<tbody><tr><td>2</td></tr></tbody></table>"
    '<h2 id="references" class="page-references">References</h2>'
    '<ol class="references"><li id="ref-trotti2019" value="5">Trotti LM. Iron.</li></ol>',
    depth=1,
    section=("Interventions",),
)
REFERENCES = PrintPage(
    "References",
    "references/",
    "references.md",
    '<h1 id="references">References</h1><ol class="bibliography">'
    '<li id="ref-trotti2019" value="5" class="bibliography-entry">Trotti LM. Iron. '
    '<span class="citation-backrefs">Cited in: '
    '<a class="citation-backref" href="../interventions/iron/#cite-trotti2019-1">Iron</a> '
    '<a class="citation-backref" href="../interventions/iron/#cite-trotti2019-2">↩</a> '
    '<a class="citation-backref" href="../#cite-trotti2019-1">Overview</a></span></li></ol>',
    depth=1,
    section=("Reference",),
)
PAGES = [HOME, INTERVENTIONS, IRON, REFERENCES]


def assemble(pages: list[PrintPage] = PAGES, meta: PrintMeta = META) -> html.HtmlElement:
    return html.document_fromstring(build_print_document(pages, meta))


def chapter(doc: html.HtmlElement, slug: str) -> html.HtmlElement:
    (section,) = doc.xpath(f"//section[@id='p-{slug}']")
    return section


@pytest.mark.parametrize(
    ("url", "key", "slug"),
    [
        ("", "", "index"),
        ("index.html", "", "index"),
        ("interventions/iron/", "interventions/iron/", "interventions-iron"),
        ("interventions/iron.html", "interventions/iron/", "interventions-iron"),
        ("interventions/index.html", "interventions/", "interventions"),
        ("interventions", "interventions/", "interventions"),
        ("assets/pic.png", "assets/pic.png", "assets-pic-png"),
    ],
)
def test_page_key_and_slug_agree_for_both_url_styles(url: str, key: str, slug: str) -> None:
    assert page_key(url) == key
    assert page_slug(url) == slug


@pytest.mark.parametrize(
    ("href", "page_url", "expected"),
    [
        ("#dosing", "interventions/iron/", "#p-interventions-iron--dosing"),
        ("../magnesium/", "interventions/iron/", "#p-interventions-magnesium"),
        ("magnesium.html#dose", "interventions/iron.html", "#p-interventions-magnesium--dose"),
        ("../../references/#ref-a", "interventions/iron/", "#p-references--ref-a"),
        ("../references.html#ref-a", "interventions/iron.html", "#p-references--ref-a"),
        ("../../", "interventions/iron/", "#p-index"),
        ("/interventions/magnesium/", "", "#p-interventions-magnesium"),
        ("https://doi.org/10.1/x", "interventions/iron/", "https://doi.org/10.1/x"),
        ("mailto:a@b.org", "", "mailto:a@b.org"),
        (
            "../../downloads/x.zip",
            "interventions/iron/",
            "https://rls.example/docs/downloads/x.zip",
        ),
    ],
)
def test_link_resolver(href: str, page_url: str, expected: str) -> None:
    slugs = {
        page_key(u): page_slug(u)
        for u in ("", "interventions/iron/", "interventions/magnesium/", "references/")
    }
    resolver = LinkResolver(slugs, "https://rls.example/docs/")
    assert resolver.resolve(href, page_url) == expected


def test_link_to_a_file_outside_the_document_loses_its_href_without_site_url() -> None:
    assert LinkResolver({"": "index"}).resolve("downloads/x.zip", "") is None


def test_every_id_is_unique_and_every_fragment_link_has_a_target() -> None:
    doc = assemble()
    ids = [e.get("id") for e in doc.iter() if isinstance(e.tag, str) and e.get("id")]
    assert len(ids) == len(set(ids))
    for anchor in doc.iter("a"):
        href = anchor.get("href", "")
        if href.startswith("#"):
            assert href[1:] in ids, href


def test_links_between_pages_become_fragment_links() -> None:
    doc = assemble()
    hrefs = {a.text_content(): a.get("href") for a in chapter(doc, "interventions").iter("a")}
    assert hrefs["iron dosing"] == "#p-interventions-iron--dosing"
    iron = {a.text_content(): a.get("href") for a in chapter(doc, "interventions-iron").iter("a")}
    assert iron["the overview"] == "#p-index"
    assert iron["dosing"] == "#p-interventions-iron--dosing"
    # The page's own list is gone: its link now leads to the one bibliography.
    assert iron["this page's list"] == "#p-references"


def test_citations_link_to_the_bibliography_with_the_site_number() -> None:
    doc = assemble()
    (citation,) = chapter(doc, "interventions-iron").xpath(".//a[@data-cite='trotti2019']")
    assert citation.text_content() == "5"
    assert citation.get("href") == "#p-references--ref-trotti2019"
    assert citation.get("id") == "p-interventions-iron--cite-trotti2019-1"
    assert doc.xpath("//*[@id='p-references--ref-trotti2019']/@value") == ["5"]


def test_per_page_reference_lists_are_dropped_but_the_bibliography_stays() -> None:
    doc = assemble()
    iron = chapter(doc, "interventions-iron")
    assert not iron.xpath(".//h2[@id='p-interventions-iron--references']")
    assert not iron.xpath(".//ol[@class='references']")
    assert iron.xpath(".//table[@class='evidence-table']")
    assert len(doc.xpath("//ol[@class='bibliography']/li")) == 1


def test_without_a_bibliography_page_the_per_page_lists_stay() -> None:
    doc = assemble([HOME, IRON])
    assert doc.xpath("//h2[@id='p-interventions-iron--references']")
    citation = doc.xpath("//a[@data-cite='trotti2019']")[0]
    assert "href" not in citation.attrib  # its target page is not in the document


def test_back_links_keep_one_per_citing_chapter() -> None:
    doc = assemble()
    backrefs = chapter(doc, "references").xpath(".//a[@class='citation-backref']")
    assert [(a.text_content(), a.get("href")) for a in backrefs] == [
        ("Iron", "#p-interventions-iron--cite-trotti2019-1"),
        ("Overview", "#p-index--cite-trotti2019-1"),
    ]


def test_unresolved_fragment_links_are_reported_and_unlinked() -> None:
    broken = PrintPage("B", "b/", "b.md", '<h1>B</h1><a href="../#nowhere">gone</a>')
    result = assemble_print_document([*PAGES, broken], META)
    assert result.unresolved == ("b.md: #p-index--nowhere",)
    assert assemble_print_document(PAGES, META).unresolved == ()
    doc = html.document_fromstring(result.html)
    (gone,) = doc.xpath("//a[text()='gone']")
    assert "href" not in gone.attrib


def test_screen_only_elements_are_dropped() -> None:
    page = PrintPage(
        "P",
        "p/",
        "p.md",
        '<a class="md-content__button md-icon" href="https://x/edit">edit</a>'
        '<h1 id="p">P<a class="headerlink" href="#p">¶</a></h1>'
        '<script>alert(1)</script><div class="no-print">Download</div><p>Kept.</p>',
    )
    doc = assemble([page])
    text = chapter(doc, "p").text_content()
    assert "¶" not in text
    assert "edit" not in text
    assert "Download" not in text
    assert "Kept." in text
    assert not doc.xpath("//script")


def test_a_page_without_h1_gets_its_title() -> None:
    doc = assemble([PrintPage("Glossary", "glossary/", "glossary.md", "Lead <p>Terms.</p>")])
    (section,) = doc.xpath("//section[@class='chapter level-1']")
    assert section[0].tag == "h1"
    assert section[0].text_content() == "Glossary"
    assert section.text_content().startswith("GlossaryLead")


def test_chapters_carry_title_and_bookmark_level() -> None:
    doc = assemble()
    sections = doc.xpath("//section[@data-title]")
    assert [(s.get("data-title"), s.get("class")) for s in sections] == [
        ("Overview", "chapter level-1"),
        ("Interventions", "chapter level-1"),  # the section's index page stands for it
        ("Iron", "chapter level-2"),
        ("Reference", "part level-1"),  # a section without index page gets a heading
        ("References", "chapter level-2"),
    ]


def test_table_of_contents_lists_every_chapter_and_part_in_order() -> None:
    doc = assemble()
    items = doc.xpath("//nav[@id='contents']//li")
    assert [(li.text_content(), li.get("class")) for li in items] == [
        ("Overview", "toc-entry toc-level-1"),
        ("Interventions", "toc-entry toc-level-1"),
        ("Iron", "toc-entry toc-level-2"),
        ("Reference", "toc-entry toc-level-1"),
        ("References", "toc-entry toc-level-2"),
    ]
    targets = [li.find("a").get("href")[1:] for li in items]
    assert all(doc.xpath(f"//*[@id='{t}']") for t in targets)


def test_cover_and_metadata() -> None:
    doc = assemble()
    assert doc.get("lang") == "en"
    assert doc.findtext(".//title") == "RLS monograph"
    metas = {m.get("name"): m.get("content") for m in doc.iter("meta") if m.get("name")}
    assert metas == {
        "author": "The authors",
        "description": "Restless legs syndrome",
        "dcterms.created": "2026-03-01",
        "dcterms.modified": "2026-03-01",
    }
    (cover,) = doc.xpath("//section[@id='cover']")
    facts = [e.text_content() for e in cover.xpath(".//dl/*")]
    assert facts == ["Edition", "2026-03-01", "Version", "1.2", "Authors", "The authors"]
    (disclaimer,) = cover.xpath(".//div[@class='cover-disclaimer']")
    assert disclaimer.text_content().startswith("DisclaimerNot medical advice.")
    # The disclaimer page is not in this document, and there is no site URL: plain text.
    assert "href" not in disclaimer.find(".//a").attrib
    assert cover.xpath(".//p[@class='cover-rights']")[0].text_content() == "© 2026 The authors"


def test_cover_link_to_a_printed_page_points_into_the_document() -> None:
    disclaimer = PrintPage("Disclaimer", "about/disclaimer/", "about/disclaimer.md", "<p>x</p>")
    doc = assemble([HOME, disclaimer])
    assert doc.xpath("//div[@class='cover-disclaimer']//a/@href") == ["#p-about-disclaimer"]


def test_resources_become_site_relative_and_svg_references_follow_their_ids() -> None:
    svg = (
        '<svg viewBox="0 0 10 5" width="10" height="5" style="max-width: 100%; height: auto" '
        'aria-labelledby="t d"><title id="t">T</title><desc id="d">D</desc>'
        '<defs><marker id="arrow"></marker></defs><line marker-end="url(#arrow)"></line></svg>'
    )
    page = PrintPage("D", "a/d/", "a/d.md", f'<h1>D</h1><img src="../../img/x.png">{svg}')
    doc = assemble([page])
    assert doc.xpath("//img/@src") == ["img/x.png"]
    (element,) = doc.xpath("//svg")
    assert element.get("aria-labelledby") == "p-a-d--t p-a-d--d"
    assert element.xpath(".//line/@marker-end") == ["url(#p-a-d--arrow)"]
    # WeasyPrint 70 draws an SVG with an inline ``height: auto`` as a square.
    assert element.get("style") == "max-width: 100%"


def test_colliding_slugs_are_numbered() -> None:
    pages = [
        PrintPage("A", "a-b/", "a-b.md", '<h1 id="t">A</h1>'),
        PrintPage("B", "a/b/", "a/b.md", '<h1 id="t">B</h1>'),
    ]
    doc = assemble(pages)
    assert doc.xpath("//section[@data-title]/@id") == ["p-a-b", "p-a-b-2"]
    assert doc.xpath("//h1[@id='p-a-b-2--t']")


def test_no_pages_is_an_error() -> None:
    with pytest.raises(CoreError, match="no pages"):
        build_print_document([], META)
