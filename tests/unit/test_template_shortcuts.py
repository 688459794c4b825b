"""Shortcuts in the templates give what the long way gave: escape and html.

``templates._escape`` (what ``{{ value }}`` prints through in the engine's templates and a
site's) returns a ``Markup`` value itself and remembers escaped strings; ``templates.html`` makes a
``Markup`` without ``Markup.__new__``. Both must print exactly what MarkupSafe would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import Markup, escape
from monograph.core.rendering import templates
from monograph.core.rendering.templates import Templates


class _Html:
    def __html__(self) -> str:
        return "<b>own</b>"


class _MarkupKind(Markup):
    def __html__(self) -> Markup:
        return Markup("<i>kind</i>")


class _Text(str):
    __slots__ = ()


TRICKY = ["", "plain", "<script>&'\"", "a & b", "é ← 𝄞", "\x00\ud800", "&amp;", " "]
VALUES: list[object] = [
    *TRICKY,
    *(Markup(text) for text in TRICKY),
    *(_Text(text) for text in TRICKY),
    *(_MarkupKind(text) for text in TRICKY),
    0,
    3,
    -1.5,
    None,
    True,
    _Html(),
    ["<a>"],
]


@pytest.mark.parametrize("value", VALUES)
def test_escape_prints_what_markupsafe_prints(value: object) -> None:
    for _ in range(2):  # the second time from the memo for a str
        ours = templates._escape(value)
        assert type(ours) is Markup
        assert str(ours) == str(escape(value))


@pytest.mark.parametrize("text", [*TRICKY, *(Markup(t) for t in TRICKY)])
def test_html_is_markup_of_the_text(text: str) -> None:
    ours = templates.html(text)
    assert type(ours) is Markup
    assert str(ours) == str(Markup(text))


def test_templates_print_through_the_faster_escape(tmp_path: Path) -> None:
    """The engine's templates and a site's (and what it imports) use it, with the same output."""
    folder = tmp_path / "overrides" / "monograph"
    folder.mkdir(parents=True)
    (folder / "citation.html").write_text(
        '{% import "engine/monograph/citation.html" as engine %}'
        "{% macro unknown(key) %}[{{ key }}|{{ 'a<b' }}|{{ 3 }}]{{ engine.unknown(key) }}"
        "{% endmacro %}",
        encoding="utf-8",
    )
    site = Templates([tmp_path / "overrides"])
    macros = site.citation
    for name in ("monograph/citation.html", "engine/monograph/citation.html"):
        template = site.environment.get_template(name)
        assert template.root_render_func.__globals__["escape"] is templates._escape
    key = templates.html("k&amp;&lt;")
    assert str(macros.unknown(key)) == (
        "[k&amp;&lt;|a&lt;b|3]"
        '<span class="citation-unknown" data-cite="k&amp;&lt;" '
        'title="No entry &#39;k&amp;&lt;&#39; in the bibliography">?k&amp;&lt;</span>'
    )


@pytest.mark.parametrize("text", TRICKY)
def test_quoted_work_values_are_escaped_as_before(text: str) -> None:
    """A work's key, id, hover text and note, escaped once per process (remembered)."""
    from html import escape

    from monograph.core.rendering.citations import _quoted

    for _ in range(2):
        assert str(_quoted(text)) == escape(text) and type(_quoted(text)) is Markup


def test_a_back_link_is_escaped_in_two_pieces_as_in_one() -> None:
    """_backref escapes a page's URL once per list and each anchor once: the same as the whole."""
    import itertools
    from html import escape

    from monograph.core.rendering.citations import _escaped_fragment, _fragment

    pieces = ["", "../a&b/", "x'y\"/", "<p>/", "#", "&amp;"]
    for page, anchor in itertools.product(pieces, ["cite-a-1", "cite-&'<\"-2", "é x"]):
        assert escape(page) + _escaped_fragment(anchor) == escape(page + _fragment(anchor))
