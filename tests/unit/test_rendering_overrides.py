"""Citations and reference lists through a site's templates that print every value they get.

The engine renders each work's link once, each entry in a context of its own and each citing
page's back-link values once per list: these tests hold it to what a site's template sees.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html as lxml_html
from monograph.core.bibliography.loading import Bibliography, load_bibliography
from monograph.core.citations.numbering import Numbering, PageInfo, Place
from monograph.core.model import CitationGroup, CitationItem, CoreError
from monograph.core.rendering.citations import (
    RenderContext,
    render_bibliography,
    render_group,
    render_page_references,
)
from monograph.core.rendering.templates import Templates
from monograph.core.styles.formatter import ReferenceFormatter

BIB = "\n".join(
    f"@article{{{key}, author = {{{name}, A}}, title = {{T {key}}}, journal = {{J}}, "
    f"year = {{2000}}, note = {{N {key}}}}}"
    for key, name in [("a", "Ames"), ("b", "Bell"), ("c", "Cole"), ("d", "Dunn"), ("e", "Eyre")]
)

#: A ``link`` macro that prints every argument, and the engine's other macros.
LINK = (
    "{% macro link(key, anchor, href, title, text, in_range) -%}\n"
    "<a data-key='{{ key }}' data-anchor='{{ anchor }}' data-href='{{ href }}' "
    "data-range='{{ in_range }}' data-title='{{ title }}'>{{ text }}</a>\n"
    "{%- endmacro %}\n"
)
#: An entry that prints every value, and tells whether a value of another entry leaked in.
ENTRY = (
    "{% if seen is defined %}LEAK{% endif %}{% set seen = entry.id %}"
    "{% set ns = namespace(n=0) %}"
    "<li id='{{ entry.id }}' data-value='{{ entry.value }}' class='{{ entry.css }}' "
    "data-titles='{{ entry.with_titles }}'>{{ entry.reference }}|{{ entry.note }}"
    "{% for ref in entry.backrefs %}{% set ns.n = ns.n + 1 %}"
    "<a href='{{ ref.href }}' data-label='{{ ref.label }}' data-title='{{ ref.title }}' "
    "data-count='{{ ref.count }}' data-n='{{ ns.n }}'>{{ ids.BACKREF }}</a>{% endfor %}</li>\n"
)


@pytest.fixture
def bib(tmp_path: Path) -> Bibliography:
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    return load_bibliography(path, "refs.bib")


def _templates(tmp_path: Path, **files: str) -> Templates:
    folder = tmp_path / "overrides"
    (folder / "monograph").mkdir(parents=True)
    for name, text in files.items():
        (folder / "monograph" / f"{name}.html").write_text(text, encoding="utf-8")
    return Templates([folder])


def _links(html: str) -> list[dict[str, str]]:
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    return [dict(a.attrib) | {"text": a.text or ""} for a in root.iter("a")]


def test_a_link_override_sees_each_work_once_with_its_own_anchor(
    bib: Bibliography, tmp_path: Path
) -> None:
    numbering = Numbering(numbers={"a": 1, "b": 2, "c": 3, "e": 5})
    ctx = RenderContext(
        numbering, ReferenceFormatter(bib), "x/p/", "refs/", _templates(tmp_path, citation=LINK)
    )
    group = CitationGroup(tuple(CitationItem(k) for k in ("e", "c", "zz", "a", "b", "c")))
    anchors = ("cite-e-1", "cite-c-1", "cite-zz-1", "cite-a-1", "cite-b-1", "cite-c-2")
    html = render_group(ctx, group, anchors)
    links = _links(html)
    # Sorted by number, a run of three in a range (the inner one hidden), every anchor once.
    assert [(a["data-anchor"], a["data-range"], a["text"]) for a in links] == [
        ("cite-a-1", "False", "1"),
        ("cite-b-1", "True", "2"),
        ("cite-c-1", "False", "3"),
        ("cite-c-2", "False", "3"),
        ("cite-e-1", "False", "5"),
    ]
    assert {a["data-href"] for a in links if a["data-key"] == "c"} == {"../../refs/#ref-c"}
    assert html.endswith('title="No entry &#39;zz&#39; in the bibliography">?zz</span>]</span>')
    two = render_group(ctx, CitationGroup((CitationItem("c"), CitationItem("a"))), ("y", "x"))
    assert [(a["data-anchor"], a["text"]) for a in _links(two)] == [("x", "1"), ("y", "3")]
    with_locator = CitationGroup(
        (CitationItem("zz", prefix="see"), CitationItem("b", locator="p. 2"))
    )
    html = render_group(ctx, with_locator, ("cite-zz-2", "cite-b-2"))
    assert [a["data-anchor"] for a in _links(html)] == ["cite-b-2"]
    assert html.startswith('<span class="citation-group">[see <span class="citation-unknown"')
    assert html.endswith(">2</a>, p. 2]</span>")


def _site() -> tuple[Numbering, list[PageInfo]]:
    pages = [
        PageInfo("one.md", "part/one/", "One", "", part="Part"),
        PageInfo("two.md", "two/", "Two & more", ""),
        PageInfo("refs.md", "refs/", "References", ""),
    ]
    one, two, refs = pages
    places = {
        "a": [Place(one, "cite-a-1"), Place(one, "cite-a-2"), Place(two, "cite-a-1")],
        "b": [Place(two, "cite-b-1"), Place(refs, "cite-b-1")],
        "c": [Place(one, "cite-c-1")],
    }
    return Numbering(numbers={"a": 1, "b": 2, "c": 3}, places=places), pages


def test_each_entry_of_a_page_list_is_rendered_on_its_own(
    bib: Bibliography, tmp_path: Path
) -> None:
    numbering, _ = _site()
    templates = _templates(tmp_path, entry=ENTRY)
    ctx = RenderContext(numbering, ReferenceFormatter(bib), "part/one/", "refs/", templates)
    html = render_page_references(ctx, ["c", "a"], "References")
    assert "LEAK" not in html
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    entries = root.cssselect("li")
    assert [li.get("id") for li in entries] == ["ref-a", "ref-c"]
    assert [li.get("data-value") for li in entries] == ["1", "3"]
    assert entries[0].text.startswith("Ames A. T a. J. 2000") and entries[0].text.endswith("|N a")
    assert [
        (a.get("href"), a.get("data-label"), a.get("data-count"), a.get("data-n"))
        for a in entries[0].iter("a")
    ] == [("#cite-a-1", "Part › One", "1", "1"), ("#cite-a-2", "Part › One", "1", "2")]


def test_the_bibliography_links_back_to_every_citing_page(
    bib: Bibliography, tmp_path: Path
) -> None:
    numbering, _ = _site()
    templates = _templates(tmp_path, entry=ENTRY)
    ctx = RenderContext(numbering, ReferenceFormatter(bib), "refs/", "refs/", templates)
    root = lxml_html.fragment_fromstring(render_bibliography(ctx), create_parent="div")
    assert "LEAK" not in root.text_content()
    backrefs = {
        li.get("id"): [
            (a.get("href"), a.get("data-label"), a.get("data-title"), a.get("data-count"))
            for a in li.iter("a")
        ]
        for li in root.cssselect("li")
    }
    assert backrefs == {
        "ref-a": [
            ("../part/one/#cite-a-1", "Part › One", "One", "2"),
            ("../two/#cite-a-1", "Two & more", "Two & more", "1"),
        ],
        "ref-b": [
            ("../two/#cite-b-1", "Two & more", "Two & more", "1"),
            ("#cite-b-1", "References", "References", "1"),
        ],
        "ref-c": [("../part/one/#cite-c-1", "Part › One", "One", "1")],
    }
    assert all(li.get("class") == "bibliography-entry" for li in root.cssselect("li"))


def test_an_entry_template_that_fails_names_its_file(bib: Bibliography, tmp_path: Path) -> None:
    numbering, _ = _site()
    templates = _templates(tmp_path, entry="<li>{{ entry.nothing }}</li>\n")
    ctx = RenderContext(numbering, ReferenceFormatter(bib), "two/", None, templates)
    with pytest.raises(CoreError) as failure:
        render_page_references(ctx, ["a"], None)
    path = tmp_path / "overrides" / "monograph" / "entry.html"
    assert str(failure.value).startswith(f"{path}: template failed: ")
    assert "nothing" in str(failure.value)


#: Macros declaring the documented arguments in another order, or some through ``kwargs``.
REORDERED = (
    "{% macro link(text, in_range, title, href, anchor, key) -%}\n"
    "<a id='{{ anchor }}' href='{{ href }}' data-key='{{ key }}' data-range='{{ in_range }}' "
    "data-title='{{ title }}'>{{ text }}</a>\n"
    "{%- endmacro %}\n"
    "{% macro range(last, first, hidden) -%}{{ first }}~{{ hidden }}~{{ last }}{%- endmacro %}\n"
    "{% macro item(locator, link, prefix) -%}{{ prefix }}/{{ link }}/{{ locator }}{%- endmacro %}\n"
    "{% macro group() -%}<b data-plain='{{ kwargs.plain }}' data-narrative='{{ kwargs.narrative }}'"
    ">{{ kwargs.names }}:{{ kwargs.parts | join('+') }}</b>{%- endmacro %}\n"
)


def test_a_site_macro_with_its_arguments_in_another_order_gets_them_by_name(
    bib: Bibliography, tmp_path: Path
) -> None:
    numbering = Numbering(numbers={"a": 1, "b": 2, "c": 3})
    templates = _templates(tmp_path, citation=REORDERED)
    ctx = RenderContext(numbering, ReferenceFormatter(bib), "p/", "p/", templates)
    html = render_group(ctx, CitationGroup(tuple(CitationItem(k) for k in "abc")), ("x", "y", "z"))
    assert html == (
        "<b data-plain='True' data-narrative='False'>None:"
        "<a id='x' href='#ref-a' data-key='a' data-range='False' data-title='Ames A. T a. J. "
        "2000.'>1</a>~<a id='y' href='#ref-b' data-key='b' data-range='True' data-title='Bell A. "
        "T b. J. 2000.'>2</a>~<a id='z' href='#ref-c' data-key='c' data-range='False' "
        "data-title='Cole A. T c. J. 2000.'>3</a></b>"
    )
    group = CitationGroup((CitationItem("b", prefix="see", locator="p. 2"),), narrative=True)
    html = render_group(ctx, group, ("w",))
    assert html.startswith("<b data-plain='False' data-narrative='True'>Bell:see/<a id='w' ")
    assert html.endswith(">2</a>/p. 2</b>")


def test_a_page_asks_the_formatter_once_for_each_work(
    bib: Bibliography, monkeypatch: pytest.MonkeyPatch
) -> None:
    numbering, _ = _site()
    formatter = ReferenceFormatter(bib)
    asked: list[str] = []
    get = formatter.get

    def counting(key: str) -> object:
        asked.append(key)
        return get(key)

    monkeypatch.setattr(formatter, "get", counting)
    ctx = RenderContext(numbering, formatter, "part/one/", "refs/")
    for anchor in ("cite-a-1", "cite-a-2"):
        render_group(ctx, CitationGroup((CitationItem("a"), CitationItem("c"))), (anchor, "x"))
    render_page_references(ctx, ["a", "c"], "References")
    assert sorted(asked) == ["a", "c"]
    other = RenderContext(numbering, formatter, "two/", "refs/")
    render_group(other, CitationGroup((CitationItem("a"),)), ("cite-a-1",))
    assert sorted(asked) == ["a", "a", "c"]  # another page asks again


def test_the_engine_group_macro_joins_any_iterable_a_site_hands_it(
    bib: Bibliography, tmp_path: Path
) -> None:
    wrapper = (
        '{% import "engine/monograph/citation.html" as engine %}\n'
        "{% macro group(parts, plain, narrative, names) -%}\n"
        "{{ engine.group(parts | reverse, plain, narrative, names) }}|"
        "{{ engine.group(parts | map('lower'), False, narrative, names) }}|"
        "{{ engine.group(['<i>', parts[0]], plain, narrative, names) }}\n"
        "{%- endmacro %}\n"
    )
    numbering = Numbering(numbers={"a": 1, "b": 2})
    templates = _templates(tmp_path, citation=wrapper)
    ctx = RenderContext(numbering, ReferenceFormatter(bib), "p/", "p/", templates)
    html = render_group(ctx, CitationGroup((CitationItem("a"), CitationItem("b"))), ("x", "y"))
    reversed_, lowered, mixed = html.split("|")
    assert reversed_.startswith('<span class="citation-group">[<a class="citation" id="y" ')
    assert reversed_.endswith(">1</a>]</span>") and ">2</a>, <a " in reversed_
    assert ">1</a>; <a " in lowered and 'title="ames a. t a. j. 2000."' in lowered
    assert mixed.startswith('<span class="citation-group">[&lt;i&gt;, <a class="citation" id="x"')
