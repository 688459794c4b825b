"""The CSL style behind the style seam: locators, CSL file checks, entries, order, cache."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from lxml import html as lxml_html
from monograph.core.bibliography.loading import load_bibliography
from monograph.core.citations.numbering import Numbering
from monograph.core.model import CitationGroup, CitationItem, CoreError
from monograph.core.rendering.citations import RenderContext, render_group
from monograph.core.rendering.templates import Templates
from monograph.core.styles.base import CitedItem
from monograph.core.styles.csl_processor import parse_locator, read_csl
from monograph.core.styles.formatter import ReferenceFormatter
from monograph.core.styles.registry import load_style

BIB = r"""
@article{lee2021b, author = {Lee, Ann}, title = {Later}, journal = {J}, year = {2021},
  url = {https://example.org/a?x=1&y=2}}
@article{lee2021a, author = {Lee, Ann}, title = {Earlier}, journal = {J}, year = {2021},
  pmid = {12345}}
@book{ok2000, author = {{World Health Organization}}, title = {Guide}, publisher = {WHO},
  year = {2000}}
"""

CSL_HEAD = '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="{v}">'


def bib(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    return load_bibliography(path, "refs.bib")


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("p. 12", ("page", "12", "")),
        ("pp. 100, 200", ("page", "100, 200", "")),
        ("chap. 3", ("chapter", "3", "")),
        ("§ 4", ("section", "4", "")),
        ("12-14", ("page", "12-14", "")),
        ("see pp. 100", ("", "", "see pp. 100")),
        ("", ("", "", "")),
    ],
)
def test_locators_are_read_as_csl_locator_types(text: str, parsed: tuple[str, str, str]) -> None:
    assert parse_locator(text) == parsed


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (CSL_HEAD.format(v="0.8") + "</style>", "x.csl:1: CSL version 0.8"),
        (
            CSL_HEAD.format(v="1.0") + '<info><title>Child</title><link rel="independent-parent" '
            'href="http://www.zotero.org/styles/apa"/></info></style>',
            "'Child' is a dependent style; use its parent style http://www.zotero.org/styles/apa",
        ),
        (
            CSL_HEAD.format(v="1.0")
            + "<info><title>No list</title></info><citation><layout/></citation></style>",
            "'No list' has no <bibliography>",
        ),
        ("<style>\n<citation></style>", "x.csl:2: not a valid CSL style"),
        (
            '<!DOCTYPE style [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
            + CSL_HEAD.format(v="1.0")
            + "<info><title>&e;</title></info></style>",
            "x.csl:1: a <!DOCTYPE> in a CSL style",
        ),
    ],
)
def test_unusable_csl_files_say_where_and_what(xml: str, message: str) -> None:
    with pytest.raises(CoreError, match=None) as info:
        read_csl(xml.encode(), "x.csl")
    assert message in str(info.value)


def test_unknown_style_name_suggests_the_closest(tmp_path: Path) -> None:
    with pytest.raises(CoreError) as info:
        load_style("apaa", base_dir=tmp_path)
    assert "unknown style 'apaa'; did you mean 'apa'?" in str(info.value)


def _cite(style, key, **item):  # type: ignore[no-untyped-def]
    """The style's text of a one-work citation, the work in ``<a>`` (the engine's link)."""
    cited = CitedItem(key, CitationItem(key, **item), 1)
    styled = style.render_citation(CitationGroup((cited.item,)), [cited])
    return "".join(
        part if isinstance(part, str) else f"<a>{part.html}</a>" for part in styled.parts
    )


def test_author_date_letters_sorts_and_links(tmp_path: Path) -> None:
    data = bib(tmp_path)
    style = load_style("chicago-author-date", base_dir=tmp_path)
    style.prepare(data, ["lee2021b", "lee2021a", "ok2000"])
    # Sorted as Chicago sorts: author, then title for the same year; letters in that order.
    assert style.order(["lee2021b", "lee2021a", "ok2000"], {}) == ["lee2021a", "lee2021b", "ok2000"]
    assert _cite(style, "lee2021a") == "(<a>Lee 2021a</a>)"
    assert _cite(style, "lee2021b", locator="p. 3") == "(<a>Lee 2021b, 3</a>)"
    formatter = ReferenceFormatter(data, style=style)
    later = formatter.get("lee2021b")
    # The URL the style prints is a link with its query intact; a PMID it omits is added.
    assert '<a href="https://example.org/a?x=1&amp;y=2">' in later.html
    assert 'PMID: <a href="https://pubmed.ncbi.nlm.nih.gov/12345/">12345</a>' in (
        formatter.get("lee2021a").html
    )
    # Chicago prints given names in full (initialize="false"; citeproc-py alone gave "Lee, A.").
    assert later.text == "Lee, Ann. 2021b. “Later”. J. https://example.org/a?x=1&y=2."


def test_csl_references_are_cached_by_style(tmp_path: Path) -> None:
    data = bib(tmp_path)
    cache = tmp_path / "cache" / "references.json"
    apa = load_style("apa", base_dir=tmp_path)
    apa.prepare(data, ["ok2000"])
    first = ReferenceFormatter(data, cache, style=apa)
    ref = first.get("ok2000")
    first.save()
    from monograph.core.styles import formatter as references

    references._MEMORY.clear()
    again = ReferenceFormatter(data, cache, style=apa)
    assert again.get("ok2000") == ref and again.formatted == 0
    references._MEMORY.clear()
    nature = load_style("nature", base_dir=tmp_path)
    nature.prepare(data, ["ok2000"])
    other = ReferenceFormatter(data, cache, style=nature)
    assert other.get("ok2000") != ref and other.formatted == 1


def test_csl_citation_texts_are_cached_with_the_references(tmp_path: Path) -> None:
    data = bib(tmp_path)
    cache = tmp_path / "cache" / "references.json"
    first = load_style("apa", base_dir=tmp_path)
    first.prepare(data, ["lee2021a", "lee2021b"])
    formatter = ReferenceFormatter(data, cache, style=first)
    text = _cite(first, "lee2021a", prefix="see", locator="p. 4")
    assert text == "(see <a>Lee, 2021a, p. 4</a>)"
    formatter.save()
    second = load_style("apa", base_dir=tmp_path)
    second.prepare(data, ["lee2021a", "lee2021b"])
    ReferenceFormatter(data, cache, style=second)
    assert len(second.citation_cache) == 1  # read back from the file

    def formatted_again(*args: object, **kwargs: object) -> str:
        raise AssertionError("the citation was formatted again")

    second._cite = formatted_again  # type: ignore[method-assign]
    assert _cite(second, "lee2021a", prefix="see", locator="p. 4") == text


def test_csl_file_encoding_reads_a_file_in_another_encoding(tmp_path: Path) -> None:
    shipped = Path(read_csl.__code__.co_filename).parent / "csl" / "nature.csl"
    text = shipped.read_text(encoding="utf-8").replace(
        "<title>Nature</title>", "<title>Nätur</title>"
    )
    path = tmp_path / "latin.csl"
    path.write_bytes(text.encode("latin-1", errors="replace"))
    with pytest.raises(CoreError) as info:  # as the file declares (UTF-8): not readable
        load_style(csl_file="latin.csl", base_dir=tmp_path)
    assert str(info.value).startswith("latin.csl:")
    style = load_style(csl_file="latin.csl", base_dir=tmp_path, encoding="latin-1")
    assert style.name == "latin" and style.kind == "numeric"
    assert style.info.title == "Nätur"  # type: ignore[attr-defined]


def test_an_entry_with_nothing_to_print_is_reported_on_every_build(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(BIB + "\n@misc{bare,\n  note = {Only a note.}\n}\n", encoding="utf-8")
    data = load_bibliography(path, "refs.bib")
    cache = tmp_path / "cache" / "references.json"
    for _build in range(2):  # cold, then warm (the reference comes from the cache)
        style = load_style("apa", base_dir=tmp_path)
        style.prepare(data, ["bare", "ok2000"])
        formatter = ReferenceFormatter(data, cache, style=style)
        formatter.get("bare")
        formatter.save()
        assert [(p.code, p.path, p.line) for p in style.problems] == [
            ("cite.style", "refs.bib", BIB.count("\n") + 2)
        ]
        assert "has none of the fields a CSL style prints" in style.problems[0].message


@pytest.mark.parametrize(
    ("pages", "shown"),
    [
        ("1--10", "1–10"),  # the last page has more digits: kept whole
        ("98--102", "98–102"),
        ("100--110", "100–10"),  # same length: the digits it repeats are left out
        ("123--129", "123–9"),
    ],
)
def test_minimal_page_ranges_never_drop_digits_of_a_longer_last_page(
    tmp_path: Path, pages: str, shown: str
) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(
        f"@article{{a2020, author = {{Ash, Al}}, title = {{T}}, journal = {{J}}, year = {{2020}},"
        f" volume = {{3}}, pages = {{{pages}}}}}\n",
        encoding="utf-8",
    )
    data = load_bibliography(path, "refs.bib")
    style = load_style("nlm", base_dir=tmp_path)  # page-range-format="minimal"
    style.prepare(data, ["a2020"])
    text = ReferenceFormatter(data, style=style).get("a2020").text
    assert f":{shown}." in text, text


def _numbered(tmp_path: Path, style: object, keys: list[str], group: CitationGroup) -> Any:
    """A citation through the engine's rendering, with the numbers ``keys`` order gives."""
    data = load_bibliography(tmp_path / "numbered.bib", "numbered.bib")
    style.prepare(data, keys)  # type: ignore[attr-defined]
    numbering = Numbering(numbers={key: n for n, key in enumerate(keys, start=1)})
    ctx = RenderContext(numbering, ReferenceFormatter(data, style=style), "p/", "p/")  # type: ignore[arg-type]
    anchors = tuple(f"cite-{item.key}-1" for item in group.items)
    element = lxml_html.fragment_fromstring(render_group(ctx, group, anchors), "div")
    shown = copy.deepcopy(element)
    for link in shown.cssselect(".citation-in-range"):
        link.drop_tree()
    return element, shown.text_content().strip()


NUMBERED_BIB = "\n".join(
    f"@article{{{key}, author = {{{key.upper()}, A}}, title = {{T}}, journal = {{J}}, "
    f"year = {{2000}}, volume = {{1}}}}"
    for key in "abcdefg"
)


@pytest.mark.parametrize(
    ("keys", "located", "shown"),
    [
        ("abce", "", "(1–3,5)"),
        ("ab", "", "(1,2)"),  # two in a row stay apart
        ("gfedcba", "", "(1–7)"),  # the style sorts by number, then collapses
        ("acdef", "", "(1,3–6)"),
        # A work with a locator is never hidden in a range (NLM does not print the locator).
        ("abcd", "b", "(1,2,3,4)"),
        ("azbc", "", "(1–3) ?z"),  # a key missing from the .bib follows the style's text
    ],
)
def test_numeric_csl_citations_collapse_runs_as_the_style_says(
    tmp_path: Path, keys: str, located: str, shown: str
) -> None:
    (tmp_path / "numbered.bib").write_text(NUMBERED_BIB, encoding="utf-8")
    style = load_style("nlm", base_dir=tmp_path)  # collapse="citation-number", "(1,2)"
    group = CitationGroup(
        tuple(CitationItem(k, locator="p. 4" if k in located else "") for k in keys)
    )
    element, text = _numbered(tmp_path, style, list("abcdefg"), group)
    assert text == shown
    # Every cited work keeps its link; one hidden in a range is read out as its number.
    links = element.cssselect("a.citation")
    assert sorted(a.get("data-cite") for a in links) == sorted(set(keys) - {"z"})
    numbers = {key: str(n) for n, key in enumerate("abcdefg", start=1)}
    for link in element.cssselect("a.citation-in-range"):
        assert link.get("aria-label") == numbers[link.get("data-cite")]


def test_a_style_range_delimiter_and_after_collapse_delimiter_are_used(tmp_path: Path) -> None:
    (tmp_path / "numbered.bib").write_text(NUMBERED_BIB, encoding="utf-8")
    (tmp_path / "own.csl").write_text(
        CSL_HEAD.format(v="1.0")
        + '<info><title>Own</title><category citation-format="numeric"/></info>'
        '<locale xml:lang="en"><terms><term name="citation-range-delimiter">-</term></terms>'
        '</locale><citation collapse="citation-number" after-collapse-delimiter="; ">'
        '<sort><key variable="citation-number"/></sort>'
        '<layout prefix="[" suffix="]" delimiter=", "><text variable="citation-number"/>'
        '</layout></citation><bibliography><layout><text variable="title"/></layout>'
        "</bibliography></style>",
        encoding="utf-8",
    )
    style = load_style(csl_file="own.csl", base_dir=tmp_path)
    group = CitationGroup(tuple(CitationItem(k) for k in "abcef"))
    element, text = _numbered(tmp_path, style, list("abcdefg"), group)
    assert text == "[1-3; 5, 6]"
    assert element.cssselect("span[aria-hidden='true']")[0].text == "-"


@pytest.mark.parametrize(
    ("latex", "csl"),
    [
        ("The {DNA} of {RLS}", "The <nc>DNA</nc> of <nc>RLS</nc>"),
        (
            "{DNA}-binding in {Willis Ekbom} disease",
            "<nc>DNA-binding</nc> in <nc>Willis Ekbom</nc> disease",
        ),
        ("No braces <b> & co", "No braces \ue000b\ue001 \ue002 co"),  # shielded, no markup
        ("  {The {RLS}} study ", "<nc>The RLS</nc> study"),
    ],
)
def test_braced_words_of_a_title_reach_the_processor_as_nocase(latex: str, csl: str) -> None:
    from monograph.core.styles.csl_data import cased_text

    expected = csl.replace("<nc>", '<span class="nocase">').replace("</nc>", "</span>")
    assert cased_text(latex) == expected


def test_a_style_that_changes_case_keeps_braced_words_as_written(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(
        "@article{a2020, author = {Ash, Al}, journal = {J}, year = {2020},\n"
        "  title = {Iron Therapy in {Willis-Ekbom} Disease, {Parkinson} Disease and {iron}"
        " Stores}}\n"
        "@report{anon2019, title = {the {pH} of {iron} stores in {RLS}}, institution = {I},"
        " year = {2019}}\n",
        encoding="utf-8",
    )
    data = load_bibliography(path, "refs.bib")
    (tmp_path / "sentence.csl").write_text(
        CSL_HEAD.format(v="1.0")
        + '<info><title>Sentence</title><category citation-format="numeric"/></info>'
        '<citation><layout><text variable="citation-number"/></layout></citation>'
        '<bibliography><layout><text variable="title" text-case="sentence"/></layout>'
        "</bibliography></style>",
        encoding="utf-8",
    )
    sentence = load_style(csl_file="sentence.csl", base_dir=tmp_path)
    sentence.prepare(data, ["a2020"])
    # Sentence case lowers every word but the braced ones (and the first letter).
    assert ReferenceFormatter(data, style=sentence).get("a2020").text == (
        "Iron therapy in Willis-Ekbom disease, Parkinson disease and iron stores"
    )
    # APA cites a work without author by its title in title case: "stores" is capitalised,
    # the braced "pH" and "iron" are not changed.
    apa = load_style("apa", base_dir=tmp_path)
    apa.prepare(data, ["anon2019"])
    assert _cite(apa, "anon2019") == "(<a>The pH of iron Stores in RLS, 2019</a>)"


def _own_style(tmp_path: Path, layout: str) -> Any:
    (tmp_path / "own.csl").write_text(
        CSL_HEAD.format(v="1.0")
        + '<info><title>Own</title><category citation-format="numeric"/></info>'
        '<citation><layout><text variable="citation-number"/></layout></citation>'
        f"<bibliography><layout>{layout}</layout></bibliography></style>",
        encoding="utf-8",
    )
    return load_style(csl_file="own.csl", base_dir=tmp_path)


@pytest.mark.parametrize(
    ("doi", "printed", "links"),
    [
        # However the style prints a DOI, each time it is the DOI's https://doi.org/ address.
        ("10.1000/a<b>", "T. http://dx.doi.org/10.1000/a<b> doi:10.1000/a<b>",
         [("https://doi.org/10.1000/a<b>", "http://dx.doi.org/10.1000/a<b>"),
          ("https://doi.org/10.1000/a<b>", "10.1000/a<b>")]),
        # A DOI written as its address in the .bib: the style's prefix is not doubled.
        ("https://doi.org/10.1000/x", "T. http://dx.doi.org/10.1000/x doi:10.1000/x",
         [("https://doi.org/10.1000/x", "http://dx.doi.org/10.1000/x"),
          ("https://doi.org/10.1000/x", "10.1000/x")]),
        # Malformed (reported by the bibliography check): printed as text, never a link.
        ("javascript:alert(1)", "T. http://dx.doi.org/javascript:alert(1) doi:javascript:alert(1)",
         []),
    ],
)  # fmt: skip
def test_every_doi_a_style_prints_is_a_safe_doi_org_link(
    tmp_path: Path, doi: str, printed: str, links: list[tuple[str, str]]
) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(f"@misc{{m, title = {{T}}, year = {{2020}}, doi = {{{doi}}}}}", "utf-8")
    data = load_bibliography(path, "refs.bib")
    style = _own_style(
        tmp_path,
        '<group delimiter=" "><text variable="title" suffix="."/>'
        '<text variable="DOI" prefix="http://dx.doi.org/"/><text variable="DOI" prefix="doi:"/>'
        "</group>",
    )
    style.prepare(data, ["m"])
    html = ReferenceFormatter(data, style=style).get("m").html
    element = lxml_html.fragment_fromstring(html, "span")
    assert element.text_content() == printed
    assert [(a.get("href"), a.text) for a in element.iter("a")] == links


def test_a_url_the_style_prints_is_linked_only_when_safe(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(
        "@online{ok, title = {Ok}, year = {2020}, url = {https://example.org/a?b=1&c=2}}\n"
        "@online{bad, title = {Bad}, year = {2020}, url = {javascript:alert(1)}}\n"
        "@online{doi, title = {Doi}, year = {2020}, url = {doi:10.1000/u}}\n",
        encoding="utf-8",
    )
    data = load_bibliography(path, "refs.bib")
    style = _own_style(
        tmp_path, '<group delimiter=" "><text variable="title"/><text variable="URL"/></group>'
    )
    style.prepare(data, ["ok", "bad", "doi"])
    formatter = ReferenceFormatter(data, style=style)
    assert formatter.get("ok").html == (
        'Ok <a href="https://example.org/a?b=1&amp;c=2">https://example.org/a?b=1&amp;c=2</a>'
    )
    assert formatter.get("bad").html == "Bad"  # never given to the style
    assert formatter.get("doi").html == (
        'Doi <a href="https://doi.org/10.1000/u">https://doi.org/10.1000/u</a>'
    )


def test_a_site_range_macro_without_the_delimiter_still_collapses_csl_runs(
    tmp_path: Path,
) -> None:
    (tmp_path / "numbered.bib").write_text(NUMBERED_BIB, encoding="utf-8")
    (tmp_path / "monograph").mkdir()
    (tmp_path / "monograph" / "citation.html").write_text(
        "{% macro range(first, hidden, last) -%}\n"
        '{{ first }}<i class="to"> to </i>{{ hidden }}{{ last }}\n'
        "{%- endmacro %}\n",
        encoding="utf-8",
    )
    data = load_bibliography(tmp_path / "numbered.bib", "numbered.bib")
    style = load_style("nlm", base_dir=tmp_path)
    style.prepare(data, list("abcdefg"))
    numbering = Numbering(numbers={key: n for n, key in enumerate("abcdefg", start=1)})
    ctx = RenderContext(
        numbering,
        ReferenceFormatter(data, style=style),
        "p/",
        "p/",
        templates=Templates([tmp_path]),
    )
    group = CitationGroup(tuple(CitationItem(k) for k in "abc"))
    html = render_group(ctx, group, ("x-a", "x-b", "x-c"))
    element = lxml_html.fragment_fromstring(html)
    for link in element.cssselect(".citation-in-range"):
        link.drop_tree()
    assert element.text_content() == "(1 to 3)"


GROUPED_BIB = r"""
@article{a2020, author = {Alpha, Ann}, title = {One}, journal = {J}, year = {2020}}
@article{a2021, author = {Alpha, Ann}, title = {Two}, journal = {J}, year = {2021}}
@article{b2019, author = {Beta, Bo}, title = {Three}, journal = {J}, year = {2019}}
@article{s1, author = {Smith, Jane}, title = {Aa}, journal = {J}, year = {2020}}
@article{s2, author = {Smith, Jane}, title = {Bb}, journal = {J}, year = {2020}}
@article{s3, author = {Smith, Jane}, title = {Cc}, journal = {J}, year = {2020}}
@article{s4, author = {Smith, Jane}, title = {Dd}, journal = {J}, year = {2020}}
"""
GROUPED_KEYS = ["a2020", "a2021", "b2019", "s1", "s2", "s3", "s4"]


def _apa_variant(tmp_path: Path, name: str, old: str, new: str) -> Any:
    """The shipped APA with ``old`` replaced by ``new`` in its file."""
    shipped = Path(read_csl.__code__.co_filename).parent / "csl" / "apa.csl"
    text = shipped.read_text(encoding="utf-8")
    assert old in text
    (tmp_path / f"{name}.csl").write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_style(csl_file=f"{name}.csl", base_dir=tmp_path)


def _grouped(
    tmp_path: Path, style: Any, cites: str, keys: list[str] = GROUPED_KEYS
) -> tuple[Any, str]:
    """``cites`` (``a2020,b2019@p. 4,-s1``) through the engine's rendering, and its text."""
    (tmp_path / "grouped.bib").write_text(GROUPED_BIB, encoding="utf-8")
    data = load_bibliography(tmp_path / "grouped.bib", "grouped.bib")
    style.prepare(data, keys)
    numbering = Numbering(numbers={key: n for n, key in enumerate(keys, start=1)})
    ctx = RenderContext(numbering, ReferenceFormatter(data, style=style), "p/", "p/")
    items = []
    for cite in cites.split(","):
        key, _, locator = cite.partition("@")
        items.append(
            CitationItem(key.lstrip("-"), locator=locator, suppress_author=key.startswith("-"))
        )
    group = CitationGroup(tuple(items))
    anchors = tuple(f"cite-{item.key}-{n}" for n, item in enumerate(items))
    element = lxml_html.fragment_fromstring(render_group(ctx, group, anchors), "div")
    shown = copy.deepcopy(element)
    for link in shown.cssselect(".citation-in-range"):
        link.drop_tree()
    return element, shown.text_content().strip()


def _links(element: Any) -> list[tuple[str, str]]:
    return [(a.get("data-cite"), a.text_content()) for a in element.cssselect("a.citation")]


@pytest.mark.parametrize(
    ("cites", "shown"),
    [
        ("s1,s2", "(Smith, 2020a, 2020b)"),
        ("a2020,b2019,a2021", "(Alpha, 2020, 2021; Beta, 2019)"),
        ("b2019,s1,s2,a2020", "(Alpha, 2020; Beta, 2019; Smith, 2020a, 2020b)"),
        # A cite with a locator, a prefix or its author suppressed is neither grouped nor
        # collapsed: it stays as written (the specification leaves it open).
        ("s1,s2@p. 4", "(Smith, 2020a; Smith, 2020b, p. 4)"),
        ("-s1,s2", "(2020a; Smith, 2020b)"),
        ("b2019", "(Beta, 2019)"),
    ],
)
def test_apa_groups_cites_by_author_and_writes_the_names_once(
    tmp_path: Path, cites: str, shown: str
) -> None:
    style = load_style("apa", base_dir=tmp_path)  # collapse="year"
    element, text = _grouped(tmp_path, style, cites)
    assert text == shown
    # Every work keeps its own link: the first of a group with the names, the others its year.
    keys = [cite.lstrip("-").partition("@")[0] for cite in cites.split(",")]
    assert sorted(key for key, _ in _links(element)) == sorted(keys)


def test_grouping_puts_later_cites_at_the_place_of_the_first(tmp_path: Path) -> None:
    # citeproc-py writes cites in list order; with APA's sorts taken out, the list is in number
    # order (Beta between Alpha's works here), and the engine's grouping alone brings Alpha's
    # second work next to the first.
    shipped = Path(read_csl.__code__.co_filename).parent / "csl" / "apa.csl"
    root = etree.fromstring(shipped.read_bytes())
    for sort in root.findall(".//{http://purl.org/net/xbiblio/csl}sort"):
        sort.getparent().remove(sort)
    (tmp_path / "unsorted.csl").write_bytes(etree.tostring(root))
    style = load_style(csl_file="unsorted.csl", base_dir=tmp_path)
    assert style.info.collapse == "year"
    keys = ["b2019", "a2020", "s1", "a2021"]
    element, text = _grouped(tmp_path, style, "b2019,a2020,s1,a2021", keys=keys)
    assert text == "(Beta, 2019; Alpha, 2020, 2021; Smith, 2020)"
    assert _links(element) == [
        ("b2019", "Beta, 2019"),
        ("a2020", "Alpha, 2020"),
        ("a2021", "2021"),
        ("s1", "Smith, 2020"),
    ]
    anchors = [a.get("id") for a in element.cssselect("a.citation")]
    assert anchors == ["cite-b2019-0", "cite-a2020-1", "cite-a2021-3", "cite-s1-2"]


def test_year_suffix_collapse_writes_a_repeated_year_once(tmp_path: Path) -> None:
    style = _apa_variant(
        tmp_path, "suffix", 'collapse="year"', 'collapse="year-suffix" year-suffix-delimiter=", "'
    )
    element, text = _grouped(tmp_path, style, "s1,s2,s4,a2020,a2021")
    assert text == "(Alpha, 2020, 2021; Smith, 2020a, b, d)"
    assert _links(element)[2:] == [("s1", "Smith, 2020a"), ("s2", "b"), ("s4", "d")]
    # Without year-suffix-delimiter, the layout's delimiter joins the letters (CSL 1.0.2).
    plain = _apa_variant(tmp_path, "suffix2", 'collapse="year"', 'collapse="year-suffix"')
    assert _grouped(tmp_path, plain, "s1,s2")[1] == "(Smith, 2020a; b)"


def test_year_suffix_ranged_collapse_makes_ranges_of_letters(tmp_path: Path) -> None:
    style = _apa_variant(
        tmp_path,
        "ranged",
        'collapse="year"',
        'collapse="year-suffix-ranged" year-suffix-delimiter="," after-collapse-delimiter=" | "',
    )
    element, text = _grouped(tmp_path, style, "s1,s2,s3,s4,b2019")
    assert text == "(Beta, 2019; Smith, 2020a–d)"
    # The works inside the range keep hidden links, read out as their years.
    hidden = element.cssselect("a.citation-in-range")
    assert [(a.get("data-cite"), a.get("aria-label")) for a in hidden] == [
        ("s2", "2020b"),
        ("s3", "2020c"),
    ]
    assert _grouped(tmp_path, style, "s1,s2,s4")[1] == "(Smith, 2020a,b,d)"  # two: no range
    # after-collapse-delimiter follows a group of two or more.
    assert _grouped(tmp_path, style, "a2020,a2021,b2019")[1] == "(Alpha, 2020, 2021 | Beta, 2019)"


def test_cite_group_delimiter_alone_groups_without_collapsing(tmp_path: Path) -> None:
    style = _apa_variant(
        tmp_path,
        "grouping",
        'collapse="year"',
        'cite-group-delimiter=" + "',
    )
    assert (
        _grouped(tmp_path, style, "a2020,b2019,a2021")[1]
        == "(Alpha, 2020 + Alpha, 2021; Beta, 2019)"
    )


def test_a_style_without_grouping_keeps_every_cite_as_written(tmp_path: Path) -> None:
    style = _apa_variant(tmp_path, "flat", 'collapse="year" ', "")
    assert _grouped(tmp_path, style, "s1,s2")[1] == "(Smith, 2020a; Smith, 2020b)"


def test_a_work_s_year_is_formatted_once_and_shared_with_its_narrative_citation(
    tmp_path: Path,
) -> None:
    style = load_style("apa", base_dir=tmp_path)
    _grouped(tmp_path, style, "s1,s2")
    assert len(style.citation_cache) == 3  # the citation, and each work alone (its year)
    cited = CitedItem("s1", CitationItem("s1"), 4)
    narrative = style.render_citation(CitationGroup((cited.item,), narrative=True), [cited])
    assert narrative is not None and narrative.narrative
    assert len(style.citation_cache) == 3  # "Smith (2020a)" took its text from there
    _grouped(tmp_path, style, "s2,s1")
    assert len(style.citation_cache) == 4  # another citation; the years were known


def test_chicago_author_date_collapses_years_too(tmp_path: Path) -> None:
    style = load_style("chicago-author-date", base_dir=tmp_path)  # collapse="year"
    element, text = _grouped(tmp_path, style, "a2020,b2019,a2021,s1,s2")
    assert text == "(Alpha 2020, 2021; Beta 2019; Smith 2020a, 2020b)"
    assert [key for key, _ in _links(element)] == ["a2020", "a2021", "b2019", "s1", "s2"]


def test_cites_keep_the_written_order_when_the_style_does_not_sort_them(tmp_path: Path) -> None:
    # Chicago author-date's cs:citation has no cs:sort: the cites stay as written (CSL 1.0.2);
    # citeproc-py alone put them in bibliography order.
    chicago = load_style("chicago-author-date", base_dir=tmp_path)
    element, text = _grouped(tmp_path, chicago, "s1,b2019")
    assert text == "(Smith 2020a; Beta 2019)"
    assert [key for key, _ in _links(element)] == ["s1", "b2019"]
    # APA sorts its cites (by author, then date): written order is not kept there.
    apa = load_style("apa", base_dir=tmp_path)
    element, text = _grouped(tmp_path, apa, "s1,b2019")
    assert text == "(Beta, 2019; Smith, 2020a)"
    assert [key for key, _ in _links(element)] == ["b2019", "s1"]


ANONYMOUS_BIB = r"""
@report{nice2020, title = {Iron and {RLS} care}, institution = {NICE}, year = {2020}}
@misc{who2019, title = {Guidelines on Restless Legs}, year = {2019}, publisher = {WHO Press}}
@book{ok2000, author = {{World Health Organization}}, title = {Guide}, publisher = {WHO},
  year = {2000}}
"""


@pytest.mark.parametrize(
    ("name", "entries", "citations"),
    [
        (
            "apa",
            {
                "nice2020": "Iron and RLS care. (2020). NICE.",
                "who2019": "Guidelines on Restless Legs. (2019). WHO Press.",
                "ok2000": "World Health Organization. (2000). Guide. WHO.",
            },
            {
                "nice2020": "(<a>Iron and RLS Care, 2020</a>)",
                "who2019": "(<a><i>Guidelines on Restless Legs</i>, 2019</a>)",
                "ok2000": "(<a>World Health Organization, 2000</a>)",
            },
        ),
        (
            "chicago-author-date",
            {
                "nice2020": "Iron and RLS Care. 2020. NICE.",
                "who2019": "“Guidelines on Restless Legs”. 2019. WHO Press.",
                "ok2000": "World Health Organization. 2000. Guide. WHO.",
            },
            {
                "nice2020": "(<a><i>Iron and RLS Care</i> 2020</a>)",
                "who2019": "(<a>“Guidelines on Restless Legs” 2019</a>)",
                "ok2000": "(<a>World Health Organization 2000</a>)",
            },
        ),
    ],
)
def test_a_work_without_author_shows_its_title_once(
    tmp_path: Path, name: str, entries: dict[str, str], citations: dict[str, str]
) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(ANONYMOUS_BIB, encoding="utf-8")
    data = load_bibliography(path, "refs.bib")
    style = load_style(name, base_dir=tmp_path)
    style.prepare(data, list(entries))
    formatter = ReferenceFormatter(data, style=style)
    # The title stands in for the missing author (CSL <substitute>) and is not printed again
    # where the style prints titles; a work with an author keeps its title in that place.
    assert {key: formatter.get(key).text for key in entries} == entries
    assert {key: _cite(style, key) for key in citations} == citations


def test_only_variables_a_substitute_printed_are_suppressed_and_only_in_that_entry(
    tmp_path: Path,
) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(
        "@article{anon, title = {Alone}, journal = {J}, year = {2020}}\n"
        "@article{named, author = {Ash, Al}, title = {Named}, journal = {J}, year = {2020}}\n",
        encoding="utf-8",
    )
    data = load_bibliography(path, "refs.bib")
    _own_style(
        tmp_path,
        '<group delimiter=". "><names variable="author"><substitute><text macro="stand-in"/>'
        '</substitute></names><text variable="title"/><text variable="container-title"/>'
        "</group>",
    )
    # The stand-in only tests container-title: that does not suppress it.
    (tmp_path / "own.csl").write_text(
        (tmp_path / "own.csl")
        .read_text(encoding="utf-8")
        .replace(
            "<citation>",
            '<macro name="stand-in"><choose><if variable="container-title">'
            '<text variable="title" prefix="[" suffix="]"/></if></choose></macro><citation>',
        ),
        encoding="utf-8",
    )
    style = load_style(csl_file="own.csl", base_dir=tmp_path)
    style.prepare(data, ["anon", "named"])
    formatter = ReferenceFormatter(data, style=style)
    assert formatter.get("anon").text == "[Alone]. J"
    assert formatter.get("named").text == "Al Ash. Named. J"


EDITED_BIB = r"""
@book{edited, editor = {Doe, Jane}, title = {Zebra Handbook}, publisher = {P}, year = {2018}}
@book{eds, editor = {Doe, Jane and Poe, Pat}, title = {Two Editors}, publisher = {P}, year = {2019}}
@book{authored, author = {Roe, Rick}, editor = {Doe, Jane}, title = {Authored}, publisher = {P},
  year = {2018}}
@book{ash, author = {Ash, Al}, title = {Plain}, publisher = {P}, year = {2010}}
"""


@pytest.mark.parametrize(
    ("name", "entries", "citations"),
    [
        (
            "apa",
            {
                # APA 7 capitalises the labels (its CSL: text-case="title"): "(Ed.)", "Trans.".
                "edited": "Doe, J. (Ed.). (2018). Zebra Handbook. P.",
                "eds": "Doe, J., & Poe, P. (Eds.). (2019). Two Editors. P.",
                "authored": "Roe, R. (2018). Authored (J. Doe, Ed.). P.",
            },
            {"edited": "(<a>Doe, 2018</a>)", "authored": "(<a>Roe, 2018</a>)"},
        ),
        (
            "chicago-author-date",
            {
                # The editors stand in for the author with the author's name form and a label.
                "edited": "Doe, Jane, ed. 2018. Zebra Handbook. P.",
                "eds": "Doe, Jane, and Pat Poe, eds. 2019. Two Editors. P.",
                "authored": "Roe, Rick. 2018. Authored. Edited by Jane Doe. P.",
            },
            {"edited": "(<a>Doe 2018</a>)", "authored": "(<a>Roe 2018</a>)"},
        ),
    ],
)
def test_an_edited_book_without_author_shows_its_editors_once(
    tmp_path: Path, name: str, entries: dict[str, str], citations: dict[str, str]
) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(EDITED_BIB, encoding="utf-8")
    data = load_bibliography(path, "refs.bib")
    style = load_style(name, base_dir=tmp_path)
    keys = ["authored", "edited", "ash", "eds"]
    style.prepare(data, keys)
    formatter = ReferenceFormatter(data, style=style)
    # The editors stand in for the missing author (CSL <substitute><names variable="editor"/>)
    # and are not printed again where the style prints editors; a book with an author keeps
    # its editors there.
    assert {key: formatter.get(key).text for key in entries} == entries
    assert {key: _cite(style, key) for key in citations} == citations
    # Sorting still goes by the editor standing in for the author (Doe), not by the title.
    assert style.order(keys, {}) == ["ash", "edited", "eds", "authored"]


@pytest.mark.parametrize(
    ("case", "text"),
    [
        ("lowercase", "the DNA of iron in restless legs, Whole Braced"),
        ("uppercase", "THE DNA OF iron IN RESTLESS LEGS, Whole Braced"),
        ("title", "The DNA of iron in Restless Legs, Whole Braced"),
        ("sentence", "The DNA of iron in restless legs, Whole Braced"),
    ],
)
def test_braced_words_keep_their_case_under_every_text_case(
    tmp_path: Path, case: str, text: str
) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(
        "@article{a, author = {Ash, Al}, journal = {J}, year = {2020},\n"
        "  title = {The {DNA} of {iron} in Restless Legs}}\n"
        "@article{b, author = {Bo, Bo}, journal = {J}, year = {2020}, title = {{Whole Braced}}}\n",
        encoding="utf-8",
    )
    data = load_bibliography(path, "refs.bib")
    style = _own_style(tmp_path, f'<text variable="title" text-case="{case}"/>')
    style.prepare(data, ["a", "b"])
    formatter = ReferenceFormatter(data, style=style)
    # CSL 1.0.2: nocase text "prevents case-changing", whatever the case asked for.
    assert f"{formatter.get('a').text}, {formatter.get('b').text}" == text


TRANSLATED = """@book{kafka2009,
  author = {Kafka, Franz},
  translator = {Roe, Richard},
  title = {The trial},
  publisher = {Pub},
  address = {City},
  year = {2009},
}
@book{badname2010,
  author = {Poe, Edgar},
  translator = {Smith, John, Jr, Extra},
  title = {Tales},
  publisher = {Pub},
  year = {2010},
}
"""


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("apa", "Kafka, F. (2009). The trial (R. Roe, Trans.). Pub."),
        ("chicago-author-date", "Kafka, Franz. 2009. The Trial. Translated by Richard Roe. Pub."),
    ],
)
def test_a_translator_is_a_name_a_csl_style_prints(
    tmp_path: Path, style: str, expected: str
) -> None:
    """BibTeX's ``translator`` holds names, as author and editor do (pybtex reads only those)."""
    from monograph.core.bibliography.checks import check_bibliography

    path = tmp_path / "refs.bib"
    path.write_text(TRANSLATED, encoding="utf-8")
    data = load_bibliography(path, "refs.bib")
    assert [str(p) for p in data.entry("kafka2009").persons["translator"]] == ["Roe, Richard"]
    loaded = load_style(style, base_dir=tmp_path)
    loaded.prepare(data, ["kafka2009"])
    assert ReferenceFormatter(data, None, style=loaded).get("kafka2009").text == expected
    [problem] = [p for p in check_bibliography(data) if p.code == "bib.name"]
    assert (problem.line, "translator name 'Smith, John, Jr, Extra'") == (
        9,
        problem.message.split("cannot read the ")[1].split(" (")[0],
    )
