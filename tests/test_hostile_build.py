"""Hostile and unusual input through a real MkDocs build: never a traceback, never an unsafe link.

Each case is a fixture site; the assertions read the produced HTML with lxml and the messages the
build logged.
"""

from __future__ import annotations

import json

from lxml import html as lxml_html
from monograph.core.bibliography.checks import check_bibliography
from monograph.core.bibliography.loading import load_bibliography

from .conftest import BuiltSite, SiteBuilder

UNSAFE_BIB = r"""
@misc{js2020, title = {Script link}, year = {2020}, url = {javascript:alert(document.cookie)}}
@online{data2021, title = {Data link}, year = {2021},
  url = {data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==}}
@misc{latex2022, title = {See \url{vbscript:msgbox(1)} and \href{file:///etc/passwd}{this}},
  year = {2022}}
@online{safe2023, title = {Safe page}, year = {2023}, url = {https://example.org/a?b=1&c=2}}
"""


def hrefs(site: BuiltSite, url: str = "") -> list[str]:
    page = site.page(url)
    return [str(v) for v in page.xpath("//@href | //@src | //@action | //@formaction")]


def assert_only_safe(site: BuiltSite, url: str = "") -> None:
    for value in hrefs(site, url):
        scheme = value.split(":", 1)[0].lower() if ":" in value.split("/", 1)[0] else ""
        assert scheme in ("", "http", "https", "mailto"), value


def test_unsafe_url_fields_never_become_links(build_site: SiteBuilder) -> None:
    site = build_site(
        {"index.md": "# Home\n\n[@js2020] [@data2021] [@latex2022] [@safe2023]\n"}, UNSAFE_BIB
    )
    assert_only_safe(site)
    page = site.page("")
    assert page.xpath("//ol[@class='references']//a[@href='https://example.org/a?b=1&c=2']")
    refused = [p for p in site.problems if p.code == "cite.unsafe_url"]
    assert [(p.path, p.line) for p in refused] == [("refs.bib", line) for line in (1, 2, 4, 4)]
    assert "javascript:alert(document.cookie)" in refused[0].message
    # the tooltip holds text only
    assert all("<" not in t for t in page.xpath("//a[@class='citation']/@title"))


def test_unsafe_url_fails_the_strict_build(build_site: SiteBuilder) -> None:
    site = build_site({"index.md": "# Home\n\n[@js2020]\n"}, UNSAFE_BIB, strict=True, nocite=["*"])
    assert site.aborted is not None
    assert any("[cite.unsafe_url]" in w for w in site.warnings)


def test_unsafe_links_written_in_pages_are_removed_and_reported(build_site: SiteBuilder) -> None:
    page = (
        "# Home\n\n"
        "A [script](javascript:alert(1)) link.\n\n"
        'Raw <a href="data:text/html,x">html</a> and <form action="javascript:x"></form>.\n\n'
        "[ok](https://example.org) [doi](doi:10.1000/182) [local](other.md)\n"
    )
    site = build_site({"index.md": page, "other.md": "# Other\n"}, "")
    assert_only_safe(site)
    body = site.page("")
    assert body.xpath("//a[@href='https://doi.org/10.1000/182']")
    assert body.xpath("//a[@href='other/']")
    refused = [(p.code, p.line) for p in site.problems if p.code == "link.unsafe_url"]
    assert refused == [("link.unsafe_url", 3), ("link.unsafe_url", 5), ("link.unsafe_url", 5)]


def test_references_heading_is_escaped_in_page_and_toc(build_site: SiteBuilder) -> None:
    heading = '<img src=x onerror="alert(1)">Works <b>cited</b>'
    site = build_site(
        {"index.md": "# Home\n\n[@safe2023]\n"},
        UNSAFE_BIB,
        references_heading=heading,
        nocite=["*"],
    )
    page = site.page("")
    assert not page.xpath("//img[@onerror]") and not page.xpath("//b")
    assert page.xpath("//h2[@class='page-references']")[0].text_content() == heading
    toc = [a.text_content() for a in page.xpath("//a[@href='#references']")]
    assert heading in toc


def test_own_references_heading_does_not_duplicate_the_id(build_site: SiteBuilder) -> None:
    page = "# Home\n\nCited [@safe2023].\n\n## References\n\nMy own notes.\n"
    site = build_site({"index.md": page}, UNSAFE_BIB, nocite=["*"])
    html = site.page("")
    ids = html.xpath("//@id")
    assert len(ids) == len(set(ids))
    generated = html.xpath("//h2[@class='page-references']")[0]
    assert generated.get("id") == "references_1"
    assert html.xpath("//a[@href='#references_1']") and html.xpath("//a[@href='#references']")


EVERY_TYPE = r"""
@article{article1, author = {Ames, A.}, title = {Article}, journal = {J}, year = {2001},
  doi = {10.1000/a1}}
@book{book1, author = {Bell, B.}, title = {Book}, publisher = {Pub}, address = {Oslo},
  year = {2002}}
@inbook{inbook1, author = {Cole, C.}, title = {Whole book}, chapter = {3}, pages = {10--20},
  publisher = {Pub}, year = {2003}}
@incollection{incoll1, author = {Dunn, D.}, title = {Chapter}, booktitle = {Collected},
  editor = {Eve, E.}, publisher = {Pub}, year = {2004}, pages = {1--9}}
@inproceedings{inproc1, author = {Fox, F.}, title = {Talk}, booktitle = {Proc. Conf.},
  year = {2005}}
@conference{conf1, author = {Gale, G.}, title = {Old-style talk}, booktitle = {Conf}, year = {2006}}
@proceedings{proc1, editor = {Hale, H.}, title = {Proceedings}, year = {2007}, publisher = {Pub}}
@phdthesis{phd1, author = {Ince, I.}, title = {Doctoral work}, school = {Univ}, year = {2008}}
@mastersthesis{msc1, author = {Jones, J.}, title = {Masters work}, school = {Univ}, year = {2009}}
@thesis{thesis1, author = {King, K.}, title = {BibLaTeX thesis}, institution = {Univ},
  type = {phdthesis}, date = {2010-05-01}}
@techreport{tech1, author = {Lane, L.}, title = {Report}, institution = {Inst}, year = {2011},
  number = {42}}
@report{report1, author = {Moss, M.}, title = {BibLaTeX report}, institution = {Inst},
  date = {2012}}
@manual{manual1, title = {Manual}, organization = {Org}, year = {2013}}
@misc{misc1, title = {Misc without author}, year = {2014}}
@online{online1, title = {Online}, url = {https://example.org/online}, year = {2015}}
@electronic{electronic1, title = {Electronic}, url = {https://example.org/e}, year = {2016}}
@www{www1, title = {WWW}, url = {https://example.org/w}, year = {2017}}
@unpublished{unpub1, author = {Nash, N.}, title = {Draft}, note = {Manuscript}, year = {2018}}
@booklet{booklet1, title = {Booklet}, howpublished = {Leaflet}, year = {2019}}
@patent{patent1, author = {Owen, O.}, title = {Device}, number = {US 123}, year = {2020}}
@dataset{dataset1, author = {Park, P.}, title = {Data}, publisher = {Zenodo}, year = {2021}}
@software{software1, author = {Quinn, Q.}, title = {Tool}, version = {2.1}, year = {2022}}
@weirdtype{weird1, author = {Ross, R.}, title = {Unknown type}, year = {2023}}
"""


def test_every_entry_type_builds_strictly(build_site: SiteBuilder) -> None:
    keys = [line.split("{", 1)[1].split(",", 1)[0] for line in EVERY_TYPE.split("\n@")[1:]]
    keys.insert(0, EVERY_TYPE.split("{", 1)[1].split(",", 1)[0])
    keys = sorted(set(keys), key=keys.index)
    page = "# Home\n\n" + "".join(f"[@{key}] " for key in keys) + "\n"
    site = build_site({"index.md": page}, EVERY_TYPE, strict=True)
    assert site.aborted is None, site.warnings
    refs = {
        li.get("id"): li.xpath("string(span[@class='reference'])")
        for li in site.page("").xpath("//ol[@class='references']/li")
    }
    assert len(refs) == len(keys) == 23
    assert refs["ref-misc1"] == "Misc without author. 2014."
    assert refs["ref-inbook1"] == "Cole C. Whole book. Pub; 2003. Chapter 3. p. 10-20."
    assert (
        refs["ref-incoll1"] == "Dunn D. Chapter. In: Eve E, editor. Collected. Pub; 2004. p. 1-9."
    )
    assert refs["ref-phd1"] == "Ince I. Doctoral work [dissertation]. Univ; 2008."
    assert refs["ref-msc1"] == "Jones J. Masters work [master's thesis]. Univ; 2009."
    assert refs["ref-thesis1"] == "King K. BibLaTeX thesis [dissertation]. Univ; 2010."
    assert refs["ref-unpub1"] == "Nash N. Draft. Unpublished; 2018."
    assert refs["ref-software1"] == "Quinn Q. Tool [software]. Version 2.1. 2022."
    assert refs["ref-online1"].startswith("Online [Internet]. 2015. Available from: https://")
    assert refs["ref-weird1"] == "Ross R. Unknown type. 2023."
    assert not any("editors" in text for key, text in refs.items() if key != "ref-incoll1")
    bib = load_bibliography(site.root / "refs.bib", "refs.bib")
    unknown = [p for p in check_bibliography(bib) if p.code == "cite.unknown_type"]
    weird_line = (
        EVERY_TYPE.lstrip("\n")
        .split("\n")
        .index("@weirdtype{weird1, author = {Ross, R.}, title = {Unknown type}, year = {2023}}")
    )
    assert [(p.line, p.severity) for p in unknown] == [(weird_line + 1, "info")]


NAMES_BIB = r"""
@article{names2020, author = {Smith, John, Jr, Extra, Parts and {World Health Organization}},
  title = {Odd names}, journal = {J}, year = {2020}, pmid = {1}}
"""


def test_unparseable_name_is_a_located_problem(build_site: SiteBuilder) -> None:
    site = build_site({"index.md": "# Home\n\n[@names2020]\n"}, NAMES_BIB)
    assert site.aborted is None
    [problem] = [p for p in site.problems if p.code == "bib.name"]
    assert (problem.path, problem.line) == ("refs.bib", 1)
    assert problem.message.startswith("entry 'names2020': cannot read the author name")
    assert "World Health Organization" in site.page("").xpath("string(//ol)")


def test_non_utf8_bib_gives_the_line(build_site: SiteBuilder) -> None:
    site = build_site({"index.md": "# Home\n\n[@enc2020]\n"}, "")
    (site.root / "refs.bib").write_bytes(
        b"@article{ok2019, title = {Fine}, journal = {J}, year = {2019}, author = {A, B}}\n"
        b"@article{enc2020, author = {M\xfcller, K}, title = {Bad}, journal = {J}, year = {2020}}\n"
    )
    site = build_site({"index.md": "# Home\n\n[@enc2020] [@ok2019]\n"}, None)
    [problem] = [p for p in site.problems if p.code == "bib.encoding"]
    assert (problem.path, problem.line) == ("refs.bib", 2)
    assert problem.message.startswith("entry 'enc2020': byte 0xfc")


def test_missing_brace_names_the_entry_at_its_line(build_site: SiteBuilder) -> None:
    bib = (
        "@article{open2020, author = {A, B}, title = {T}, journal = {J}, year = {2020}\n"
        "\n"
        "@article{next2021, author = {C, D}, title = {U}, journal = {J}, year = {2021}}\n"
    )
    site = build_site({"index.md": "# Home\n\n[@open2020] [@next2021]\n"}, bib)
    [problem] = [p for p in site.problems if p.code == "bib.syntax"]
    assert (problem.line, problem.message.split(":")[0]) == (1, "entry 'open2020'")
    assert "closing brace is missing" in problem.message


CACHE_SHAPES = ["null", "[]", '{"version": null}', '{"entries": []}', '{"entries": {"x": 1}}']


def test_ill_shaped_cache_files_are_discarded(build_site: SiteBuilder) -> None:
    bib = "@misc{only2020, title = {Only}, year = {2020}}\n"
    pages = {"index.md": "# Home\n\n[@only2020]\n"}
    first = build_site(pages, bib, cache_dir=".cache")
    cache = first.root / ".cache" / "references.json"
    stored = json.loads(cache.read_text(encoding="utf-8"))
    good_digest = next(iter(stored["entries"]))
    shapes = [*CACHE_SHAPES, json.dumps({**stored, "entries": {good_digest: {"html": 1}}})]
    for shape in shapes:
        cache.write_text(shape, encoding="utf-8")
        site = build_site(pages, bib, cache_dir=".cache")
        assert site.aborted is None, shape
        assert (
            site.page("")
            .xpath("string(//ol[@class='references'])")
            .strip()
            .startswith("Only. 2020.")
        ), shape


PAGE_BIB = "@misc{m2020, title = {Only}, year = {2020}}\n"


def codes(site: BuiltSite) -> list[tuple[str | None, int | None, str]]:
    return sorted((p.path, p.line, p.code) for p in site.problems if p.code != "cite.unused_entry")


def test_impossible_date_and_duplicate_keys_are_messages(build_site: SiteBuilder) -> None:
    pages = {
        "index.md": "---\ntitle: A\nreviewed: 2026-13-45\n---\n# A\n\n[@m2020]\n",
        "b.md": "---\ntitle: B\nreviewed: 2026-01-02\ntitle: C\n---\n# B\n",
    }
    site = build_site(pages, PAGE_BIB)
    assert site.aborted is None
    assert codes(site) == [
        ("docs/b.md", 4, "page.front_matter"),
        ("docs/index.md", 3, "page.front_matter"),
    ]
    [date] = [p for p in site.problems if p.path == "docs/index.md"]
    assert "'2026-13-45' looks like a date but is none" in date.message


def test_non_utf8_page_is_a_message(build_site: SiteBuilder) -> None:
    site = build_site({"index.md": "# A\n\n[@m2020]\n"}, PAGE_BIB)
    (site.root / "docs" / "index.md").write_bytes(b"# A\n\n[@m2020] caf\xe9\n")
    site = build_site({}, None)
    assert site.aborted is None
    assert codes(site) == [("docs/index.md", 3, "page.encoding")]
    assert site.page("").xpath("//a[@class='citation']")


def test_misplaced_and_second_bibliography_markers(build_site: SiteBuilder) -> None:
    pages = {
        "index.md": "# A\n\n[@m2020]\n\n<!-- monograph:bibliography -->\n\n"
        "<!-- monograph:bibliography -->\n",
        "b.md": "# B\n\n   <!-- monograph:bibliography -->\n\nText <!-- monograph:claims -->\n",
        "c.md": "# C\n\n<!-- monograph:bibliography -->\n",
    }
    site = build_site(pages, PAGE_BIB, nav=["index.md", "b.md", "c.md"])
    assert codes(site) == [
        ("docs/b.md", 3, "marker.misplaced"),
        ("docs/b.md", 5, "marker.misplaced"),
        ("docs/c.md", 3, "marker.duplicate"),
        ("docs/index.md", 7, "marker.duplicate"),
    ]
    assert len(site.page("").xpath("//ol[@class='bibliography']")) == 1


EVIDENCE_WITHOUT_MARKER = """---
title: Iron
evidence_caveat: "Small."
evidence:
  - cite: [m2020]
    design: rct
    population: "Adults with RLS"
    participants: 20
    intervention: "Iron"
    comparator: "Placebo"
    duration: "8 weeks"
    outcomes: "IRLS"
    result: benefit
    finding: "Lower scores."
    applies_to: condition
    question: effect
    record: verified
---

# Iron

No marker here.
"""


def test_evidence_without_its_marker_is_reported(build_site: SiteBuilder) -> None:
    site = build_site({"iron.md": EVIDENCE_WITHOUT_MARKER}, PAGE_BIB)
    assert ("docs/iron.md", 4, "evidence.unplaced") in codes(site)


def test_string_macro_and_crossref_changes_reach_a_warm_build(build_site: SiteBuilder) -> None:
    bib = (
        '@string{jname = "Old Journal"}\n'
        "@book{parent2020, editor = {Ed, A}, title = {Old Book}, publisher = {P}, year = {2020}}\n"
        "@article{art2020, author = {A, B}, title = {T}, journal = jname, year = {2020},"
        " pmid = {1}}\n"
        "@incollection{child2020, author = {C, D}, title = {Ch}, crossref = {parent2020},"
        " pages = {1--2}}\n"
    )
    pages = {"index.md": "# A\n\n[@art2020] [@child2020]\n"}
    first = build_site(pages, bib, cache_dir=".cache", nocite=["parent2020"])
    text = first.page("").xpath("string(//ol[@class='references'])")
    assert "Old Journal" in text and "In: Ed A, editor. Old Book. P; 2020. p. 1-2." in text
    assert not [p for p in first.problems if p.code == "cite.missing_field"]
    changed = bib.replace("Old Journal", "New Journal").replace("Old Book", "New Book")
    warm = build_site(pages, changed, cache_dir=".cache", nocite=["parent2020"])
    text = warm.page("").xpath("string(//ol[@class='references'])")
    assert "New Journal" in text and "New Book" in text and "Old" not in text


CITE_BIB = "@misc{a2020, title = {A}, year = {2020}}\n@misc{b2021, title = {B}, year = {2021}}\n"
NOT_TEXT = """# Home

Image ![alt with [@a2020] cite](https://example.org/p.png "title [@b2021]") here.

Link [text with [@a2020] inside](https://example.org "t [@b2021]") and
[@a2020 narrative @b2021](https://example.org/y).

Raw <span title="[@a2020] @b2021">span</span> and <!-- [@b2021] --> comment.

Code `[@a2020]` stays.
"""


def test_citations_only_in_rendered_text(build_site: SiteBuilder) -> None:
    site = build_site({"index.md": NOT_TEXT}, CITE_BIB, nocite=["*"])
    page = site.page("")
    article = page.xpath("//h1/..")[0]
    assert not article.xpath(".//a[@class='citation']")
    assert not article.xpath(".//a//a")
    assert article.xpath("string(.//img/@alt)") == "alt with [@a2020] cite"
    assert article.xpath("string(.//img/@src)") == "https://example.org/p.png"
    assert article.xpath("string(.//img/@title)") == "title [@b2021]"
    assert article.xpath("string(.//a[@href='https://example.org']/@title)") == "t [@b2021]"
    assert article.xpath("string(.//a[@href='https://example.org'])") == "text with [@a2020] inside"
    assert article.xpath("string(.//span[@title]/@title)") == "[@a2020] @b2021"
    assert all("<" not in value for value in page.xpath("//@*"))
    html = (site.site / "index.html").read_text(encoding="utf-8")
    assert "<!-- [@b2021] -->" in html
    assert not page.xpath("//ol[@class='references']")


def test_malformed_group_is_a_problem(build_site: SiteBuilder) -> None:
    site = build_site({"index.md": "# A\n\nBad [@a2020 @b2021] and [@a2020, @b2021].\n"}, CITE_BIB)
    malformed = [p for p in site.problems if p.code == "cite.malformed_group"]
    assert [(p.path, p.line) for p in malformed] == [("docs/index.md", 3)] * 2
    assert "([@a2020; @b2021])" in malformed[0].message


def test_locators_keep_inline_markdown_without_placeholders(build_site: SiteBuilder) -> None:
    page = (
        "# A\n\nSee [@a2020, p. *12* and `x<y` and \\] too] and [see *this* @b2021, _pp._ 3]."
        "\n\nNarrative @a2020 [**p. 4**].\n"
    )
    site = build_site({"index.md": page}, CITE_BIB)
    html = (site.site / "index.html").read_text(encoding="utf-8")
    assert "\x02" not in html and "\x03" not in html and "klzzwxh" not in html
    assert "wzxhzdk" not in html
    groups = site.page("").xpath("//span[contains(@class, 'citation-group')]")
    rendered = [lxml_html.tostring(g, encoding="unicode") for g in groups]
    assert "p. <em>12</em> and <code>x&lt;y</code> and ] too]" in rendered[0]
    assert "[see <em>this</em> <a" in rendered[1] and ", <em>pp.</em> 3]" in rendered[1]
    assert "<strong>p. 4</strong>]" in rendered[2]


def test_placeholder_syntax_typed_by_an_author_is_text(build_site: SiteBuilder) -> None:
    page = (
        "# A\n\nTyped <!--monograph-cite:0--> and \x02wzxhzdk:0\x03 and MONOGRAPHKEPT0X [@a2020].\n"
    )
    site = build_site({"index.md": page}, CITE_BIB, nocite=["*"])
    assert site.aborted is None
    assert len(site.page("").xpath("//a[@class='citation']")) == 1


MALFORMED_IDS_BIB = r"""
@article{bad2020, author = {Bad, Ann}, title = {Malformed identifiers}, journal = {J},
  year = {2020}, doi = {https://doi.org/10.1000/x}, pmid = {PMID 123}, pmcid = {12345}}
@article{good2021, author = {Good, Gus}, title = {Well-formed identifiers}, journal = {J},
  year = {2021}, doi = {10.1000/y}, pmid = {123}, pmcid = {PMC12345}}
"""


def test_malformed_identifiers_are_reported_and_shown_as_text_never_linked(
    build_site: SiteBuilder,
) -> None:
    for style in ("vancouver", "apa"):
        site = build_site(
            {"index.md": "# Home\n\n[@bad2020; @good2021]\n"}, MALFORMED_IDS_BIB, style=style
        )
        codes = sorted(p.code for p in site.problems if p.code.startswith("cite.malformed_"))
        assert codes == ["cite.malformed_doi", "cite.malformed_pmcid", "cite.malformed_pmid"]
        links = hrefs(site)
        assert "https://doi.org/10.1000/y" in links, style
        assert "https://pubmed.ncbi.nlm.nih.gov/123/" in links, style
        assert not [h for h in links if "PMID 123" in h or "PMID%20123" in h], style
        assert not [h for h in links if h.endswith("/articles/12345/")], style
        assert not [h for h in links if "doi.org/https" in h], style
        entry = site.page("").xpath("//li[@id='ref-bad2020']")[0].text_content()
        assert "PMID 123" in entry, style


def test_pages_with_windows_or_old_mac_line_ends_give_the_line(build_site: SiteBuilder) -> None:
    """Page lines are counted as MkDocs reads the file ("\\r\\n" and "\\r" end a line)."""
    bib = "@article{ok2019, title = {Fine}, journal = {J}, year = {2019}, author = {A, B}}\n"
    for newline in ("\r\n", "\r"):
        lines = ["---", "title: Home", "---", "", "# Home", "", "Fine [@ok2019].", "", "[@nokey]"]
        site = build_site({"index.md": newline.join(lines) + newline}, bib)
        assert b"\r" in (site.root / "docs" / "index.md").read_bytes()
        [problem] = [p for p in site.problems if p.code == "cite.unknown_key"]
        assert (problem.path, problem.line) == ("docs/index.md", 9), newline
