"""``ascii_html``: the engine's fragments in ASCII, read back as the same characters."""

from __future__ import annotations

import sys
from pathlib import Path

import markdown
import pytest
from lxml import html as lxml_html
from monograph import pagewise
from monograph.core.charrefs import ascii_html
from monograph.core.citations.registry import fill, token

FRAGMENTS = [
    '<span class="reference">Dvořák J, Wiśniewska E. Ørsted &amp; co.</span>',
    '<a class="citation-backref" href="#cite-a-1" aria-label="Back to ‘Ünïcode’">↩</a>',
    '<td title="⊕⊕◯◯ Low">▲ Benefit — 𝄞</td>',
]


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_read_back_as_the_same_html(fragment: str) -> None:
    written = ascii_html(fragment)
    assert written.isascii()
    parse = lxml_html.fragment_fromstring
    expected, got = parse(fragment), parse(written)
    assert got.text_content() == expected.text_content()
    assert dict(got.items()) == dict(expected.items())
    assert [dict(e.items()) for e in got.iter()] == [dict(e.items()) for e in expected.iter()]


def test_ascii_is_returned_as_it_is() -> None:
    fragment = '<a href="#x" title="a &amp; b">1</a>'
    assert ascii_html(fragment) is fragment


def test_references_by_number_in_text_and_attributes() -> None:
    assert ascii_html('<b title="é">↩ 𝄞</b>') == '<b title="&#233;">&#8617; &#119070;</b>'


@pytest.mark.parametrize(
    "fragment",
    [
        "<script>var s = 'é';</script>",
        "<p>x</p><STYLE>p::after { content: '↩' }</STYLE>",
        "<svg><![CDATA[é]]></svg>",
        "<noscript>é</noscript>",
    ],
)
def test_raw_text_is_left_as_written(fragment: str) -> None:
    """A reference would be read as its characters there: such a fragment keeps its own."""
    assert ascii_html(fragment) is fragment


def test_a_lone_surrogate_is_shown_as_the_replacement_character() -> None:
    written = ascii_html("<i>a\ud800b é</i>")
    assert written == "<i>a&#65533;b &#233;</i>"
    assert lxml_html.fragment_fromstring(written).text_content() == "a\ufffdb é"


def test_fill_places_fragments_in_ascii_and_leaves_the_page_text() -> None:
    page = f"<p>Willis–Ekbom {token('cite', '0')} and {token('marker', 'references')}</p>"
    filled = fill(page, lambda kind, value: "<sup>↩</sup>" if kind == "cite" else "<ol>Ø</ol>")
    assert filled == "<p>Willis–Ekbom <sup>&#8617;</sup> and <ol>&#216;</ol></p>"


def test_the_extension_on_its_own_writes_ascii(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without MkDocs (``monograph.pagewise``): the page's citations and its reference list."""
    (tmp_path / "refs.bib").write_text(
        r"@article{dvorak2015, author = {Dvo{\v{r}}{\'a}k, Ji{\v{r}}{\'\i}}, title = {Sleep},"
        r" journal = {J}, year = {2015}}",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(pagewise, "_SAID", set())
    md = markdown.Markdown(
        extensions=["toc", "monograph"],
        extension_configs={"monograph": {"bib_file": "refs.bib", "cache_dir": ""}},
    )
    html = md.convert("---\nreviewed: 2026-11-24\n---\n# Lévy\n\nText [@dvorak2015].\n")
    assert "Dvo&#345;&#225;k J" in html and "&#8617;" in html
    assert "<h1" in html and "Lévy" in html  # the author's own text as written
    tree = lxml_html.fragment_fromstring(html, create_parent="div")
    assert "Dvořák J" in tree.cssselect("ol.references")[0].text_content()
    assert [a.text_content() for a in tree.cssselect("a.citation-backref")] == ["↩"]
    assert tree.cssselect("p.page-reviewed")[0].text_content() == "Last reviewed: 24 November 2026"
