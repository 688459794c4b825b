"""Numbering across pages and the HTML of citations, tested directly on the core (no MkDocs)."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html
from monograph.core.bibliography.loading import Bibliography, load_bibliography
from monograph.core.citations.numbering import Numbering, PageInfo, number_citations
from monograph.core.citations.registry import CitationRegistry
from monograph.core.model import CitationGroup, CitationItem, CoreError
from monograph.core.rendering.citations import RenderContext, render_group
from monograph.core.rendering.templates import Templates, default_templates, templates_for
from monograph.core.styles.formatter import ReferenceFormatter

BIB = "\n".join(
    f"@article{{{key}, author = {{{name}, A}}, title = {{T {key}}}, journal = {{J}}, "
    f"year = {{2000}}, doi = {{10.1000/{key}}}}}"
    for key, name in [("a", "Ames"), ("b", "Bell"), ("c", "Cole"), ("d", "Dunn"), ("e", "Eyre")]
)


@pytest.fixture
def bib(tmp_path: Path) -> Bibliography:
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    return load_bibliography(path, "refs.bib")


def _cite(registry: CitationRegistry, *keys: str, **items: str) -> str:
    return registry.register(CitationGroup(tuple(CitationItem(k, **items) for k in keys)))


def test_numbers_follow_first_citation_across_pages_in_page_order(bib: Bibliography) -> None:
    registry = CitationRegistry()
    first = PageInfo("one.md", "one/", "One", _cite(registry, "c") + _cite(registry, "a", "c"))
    second = PageInfo("two.md", "two/", "Two", _cite(registry, "b", "nokey", "A"))
    numbering = number_citations([first, second], registry, bib, nocite=["e"])
    assert numbering.numbers == {"c": 1, "a": 2, "b": 3, "e": 4}  # nocite last, unknown none
    assert numbering.anchors == {
        0: ("cite-c-1",),
        1: ("cite-a-1", "cite-c-2"),
        2: (
            "cite-b-1",
            "cite-nokey-1",
            "cite-a-1",  # "A" is "a" (BibTeX keys ignore case); first citation of it on page two
        ),
    }
    assert numbering.page_keys == {"one.md": ["c", "a"], "two.md": ["b", "a"]}
    assert [(p.page.id, p.anchor) for p in numbering.places["a"]] == [
        ("one.md", "cite-a-1"),
        ("two.md", "cite-a-1"),
    ]


def _render(bib: Bibliography, group: CitationGroup) -> Any:
    numbering = Numbering(numbers={"a": 1, "b": 2, "c": 3, "d": 4, "e": 6})
    ctx = RenderContext(numbering, ReferenceFormatter(bib), "p/", "refs/")
    anchors = tuple(f"cite-{item.key}-1" for item in group.items)
    return lxml_html.fragment_fromstring(render_group(ctx, group, anchors))


def _group(*keys: str, **options: str) -> CitationGroup:
    return CitationGroup(tuple(CitationItem(key, **options) for key in keys))


@pytest.mark.parametrize(
    ("group", "visible"),
    [
        (_group("b"), "[2]"),
        (_group("a", "b"), "[1, 2]"),
        (_group("d", "a", "c", "b", "e"), "[1–4, 6]"),  # sorted, a run of three or more joined
        (_group("a", locator="p. 3"), "[1, p. 3]"),
        (_group("b", prefix="see"), "[see 2]"),
        (_group("zz"), "[?zz]"),
    ],
)
def test_vancouver_citation_text(bib: Bibliography, group: CitationGroup, visible: str) -> None:
    element = _render(bib, group)
    hidden = element.cssselect(".citation-in-range")
    for link in hidden:  # inside a range: read by screen readers, not shown
        link.drop_tree()
    assert element.text_content() == visible


def test_every_work_of_a_range_keeps_its_link(bib: Bibliography) -> None:
    element = _render(bib, _group("a", "b", "c"))
    links = element.cssselect("a.citation")
    assert [a.get("href") for a in links] == [
        "../refs/#ref-a",
        "../refs/#ref-b",
        "../refs/#ref-c",
    ]
    assert [a.get("aria-label") for a in links] == [None, "2", None]


def test_narrative_citation_names_the_authors(bib: Bibliography) -> None:
    group = CitationGroup((CitationItem("c"),), narrative=True)
    assert _render(bib, group).text_content() == "Cole [3]"


def test_the_engine_citation_macros_write_the_documented_markup(bib: Bibliography) -> None:
    numbering = Numbering(numbers={"a": 1, "b": 2, "c": 3})
    formatter = ReferenceFormatter(bib)
    ctx = RenderContext(numbering, formatter, "p/", "p/")
    html = render_group(ctx, _group("a", "b", "c", "zz"), ("x-1", "x-2", "x-3", "x-4"))
    title = f'title="{escape(formatter.get("a").text)}"'  # the hover preview
    assert html.startswith(
        f'<span class="citation-group">[<a class="citation" id="x-1" href="#ref-a" '
        f'data-cite="a" {title}>1</a><span aria-hidden="true">–</span>'
        '<a class="citation citation-in-range" id="x-2" href="#ref-b" data-cite="b" '
    )
    assert html.endswith(
        '>3</a>, <span class="citation-unknown" data-cite="zz" '
        'title="No entry &#39;zz&#39; in the bibliography">?zz</span>]</span>'
    )


def test_a_site_template_replaces_some_citation_macros(bib: Bibliography, tmp_path: Path) -> None:
    (tmp_path / "monograph").mkdir()
    (tmp_path / "monograph" / "citation.html").write_text(
        "{% macro group(parts, plain, narrative, names) -%}\n"
        "{% if narrative %}{{ names }}{% endif %}<sup>{{ parts | join(',') }}</sup>\n"
        "{%- endmacro %}\n",
        encoding="utf-8",
    )
    numbering = Numbering(numbers={"a": 1, "b": 2, "c": 3})
    ctx = RenderContext(
        numbering, ReferenceFormatter(bib), "p/", "p/", templates=Templates([tmp_path])
    )
    narrative = CitationGroup((CitationItem("c", prefix="see"),), narrative=True)
    html = render_group(ctx, narrative, ("cite-c-1",))
    assert html.startswith('Cole<sup>see <a class="citation" id="cite-c-1" href="#ref-c"')
    assert html.endswith(">3</a></sup>")


def test_a_citation_template_that_does_not_parse_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "monograph").mkdir()
    path = tmp_path / "monograph" / "citation.html"
    path.write_text("{% macro link() %}\n{% if %}\n{% endmacro %}\n", encoding="utf-8")
    with pytest.raises(CoreError) as failure:
        Templates([tmp_path])
    assert str(failure.value).startswith(
        f"{path}:2: template monograph/citation.html does not parse"
    )


def test_templates_are_compiled_once_unless_a_site_overrides_one(tmp_path: Path) -> None:
    assert templates_for([]) is default_templates()
    assert templates_for([tmp_path]) is default_templates()  # a custom_dir with none of them
    (tmp_path / "monograph").mkdir()
    (tmp_path / "monograph" / "entry.html").write_text("<li>{{ entry.reference }}</li>\n")
    own = templates_for([tmp_path])
    assert own is not default_templates()
    assert own.entry.filename == str(tmp_path / "monograph" / "entry.html")
