"""HTML for citations, per-page reference lists and the site bibliography.

Every string that comes from ``refs.bib`` or from a page is escaped here or was escaped by the
pybtex backend; a title holding ``<script>`` shows as text.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from html import escape
from urllib.parse import quote

from jinja2 import TemplateError
from markupsafe import Markup

from .. import ids
from ..charrefs import ascii_html
from ..citations.numbering import Numbering, Place
from ..citations.registry import fill
from ..model import CitationGroup
from ..styles.base import CitedItem, FormattedReference, StyledRange, StyledWork
from ..styles.formatter import ReferenceFormatter
from ..urls import relative_url
from .review import insert_after_title, reviewed_html
from .templates import (
    BackrefValues,
    EntryValues,
    Templates,
    default_templates,
    failure,
    html,
)

_FRAGMENT_SAFE = ":/-._~!$&'()*+,;=@?"


@dataclass(frozen=True)
class RenderContext:
    """What rendering needs besides the numbering.

    Attributes:
        numbering: The site-wide numbers and citing places.
        formatter: Formatted references.
        page_url: URL of the page being filled.
        bibliography_url: URL of the page holding the site bibliography, or None (citations
            then point at the page's own reference list).
        templates: The templates of reference lists (a site's overrides first).
    """

    numbering: Numbering
    formatter: ReferenceFormatter
    page_url: str
    bibliography_url: str | None
    templates: Templates = field(default_factory=default_templates)
    #: Per work: the escaped values of its links on this page (see :func:`_link`).
    link_values: dict[str, tuple[Markup, Markup, Markup]] = field(
        default_factory=dict, compare=False, repr=False
    )
    #: Per citing page (by id): its escaped label and title, and its URL from this page ("" for
    #: this page; escaped), for back-links (see :func:`_backref`).
    page_values: dict[str, tuple[Markup, Markup, str]] = field(
        default_factory=dict, compare=False, repr=False
    )
    #: Per work: its formatted reference, asked of the formatter once per page (a work's
    #: citations and its entry in the page's list all need it).
    references: dict[str, FormattedReference] = field(
        default_factory=dict, compare=False, repr=False
    )

    def reference(self, key: str) -> FormattedReference:
        """The formatted reference of ``key`` (``formatter.get``, once per page)."""
        ref = self.references.get(key)
        if ref is None:
            ref = self.references[key] = self.formatter.get(key)
        return ref

    def entry_href(self, key: str) -> str:
        """Link to the entry of ``key``: the site bibliography, or this page's list."""
        fragment = _fragment(ids.ref_id(key))
        if self.bibliography_url is None or self.bibliography_url == self.page_url:
            return fragment
        return relative_url(self.bibliography_url, self.page_url) + fragment


# Pure, and the same entry ids recur on every page that cites the work (and each citation's
# anchor in its page's list and in the site's): memoised, bounded for a long `mkdocs serve`.
@functools.lru_cache(maxsize=1 << 16)
def _fragment(name: str) -> str:
    """``#name``, quoted as a URL fragment."""
    return "#" + quote(name, safe=_FRAGMENT_SAFE)


# The same texts recur on every page that cites a work (its key, entry id, hover text, note):
# escaped once per process, not once per page; bounded for a long `mkdocs serve`.
@functools.lru_cache(maxsize=1 << 16)
def _quoted(text: str) -> Markup:
    """``html(escape(text))``, remembered."""
    return html(escape(text))


# A citation's anchor, escaped for its back-links: in its page's list and in the site's.
@functools.lru_cache(maxsize=1 << 16)
def _escaped_fragment(name: str) -> str:
    """``escape(_fragment(name))``, remembered."""
    return escape(_fragment(name))


def _link(ctx: RenderContext, key: str, anchor: str, text: str, *, in_range: bool = False) -> str:
    """A citation's link to its entry (the ``link`` macro of ``citation.html``).

    ``in_range``: a link hidden inside a range: no visible text, its number read out by screen
    readers, out of the tab order (``tabindex="-1"``): a keyboard user meets the range's first
    and last numbers, and every work of the range in the page's reference list.
    """
    values = ctx.link_values.get(key)
    if values is None:  # once per work and page: its escaped key, link and hover text
        values = ctx.link_values[key] = (
            _quoted(key),
            html(escape(ctx.entry_href(key))),
            _quoted(ctx.reference(key).text),
        )
    escaped_key, href, title = values
    # The macros take their values in the order of the engine's (see templates.ByName).
    return ctx.templates.citation.link(  # type: ignore[no-any-return]
        escaped_key, html(escape(anchor)), href, title, html(text), in_range
    )


def _unknown(ctx: RenderContext, key: str) -> str:
    return ctx.templates.citation.unknown(html(escape(key)))  # type: ignore[no-any-return]


def _compress(ctx: RenderContext, numbered: list[tuple[int, str, str]]) -> list[str]:
    """``1, 4, 5, 6`` -> ``1, 4–6``: a run of three or more becomes a range.

    The works inside a range keep a link each (visually hidden, read by screen readers), so
    every cited key stays reachable.
    """
    numbered.sort()
    if len(numbered) < 3:  # most citations: one or two works, no run to join
        return [_link(ctx, key, anchor, str(number)) for number, key, anchor in numbered]
    runs: list[list[tuple[int, str, str]]] = []
    for item in numbered:
        if runs and item[0] == runs[-1][-1][0] + 1:
            runs[-1].append(item)
        else:
            runs.append([item])

    def link(item: tuple[int, str, str], *, in_range: bool = False) -> str:
        number, key, anchor = item
        return _link(ctx, key, anchor, str(number), in_range=in_range)

    out: list[str] = []
    for run in runs:
        if len(run) < 3:
            out.extend(link(item) for item in run)
            continue
        hidden = "".join(link(item, in_range=True) for item in run[1:-1])
        out.append(ctx.templates.citation.range(link(run[0]), html(hidden), link(run[-1])))
    return out


def render_group(ctx: RenderContext, group: CitationGroup, anchors: tuple[str, ...]) -> str:
    """One citation: ``[1, 4–6]``, ``[see 3, p. 12]`` or ``Cuellar and Ratcliffe [14]``.

    A style that writes its own citations (CSL) gets the known works, each with its link; keys
    missing from the bibliography are shown by the engine after them. The engine writes the
    rest through the macros of ``monograph/citation.html``.

    Raises:
        CoreError: A site's ``citation.html`` fails (naming the file).
    """
    try:
        return _render_group(ctx, group, anchors)
    except TemplateError as exc:
        raise failure(ctx.templates.citation_template, exc) from exc


def _render_group(ctx: RenderContext, group: CitationGroup, anchors: tuple[str, ...]) -> str:
    # Each work's key as refs.bib spells it and its number (None: not in the bibliography),
    # looked up once, for the style and for the engine's own writing.
    canonical = ctx.formatter.bib.canonical_key
    numbers = ctx.numbering.numbers
    keys = [canonical(item.key) for item in group.items]
    found = [numbers.get(key) for key in keys]
    style_html = _style_group(ctx, group, anchors, keys, found)
    if style_html is not None:
        return style_html
    plain = all(not (i.prefix or i.locator) for i in group.items)
    if plain:  # each work's link made once, in its run (a range hides the inner ones)
        numbered = [
            (number, key, anchor)
            for key, number, anchor in zip(keys, found, anchors, strict=True)
            if number is not None
        ]
        parts = _compress(ctx, numbered) + [
            _unknown(ctx, item.key)
            for item, number in zip(group.items, found, strict=True)
            if number is None
        ]
    else:
        item_macro = ctx.templates.citation.item
        parts = [
            item_macro(  # prefix, link, locator
                html(item.prefix_html or escape(item.prefix)),
                _unknown(ctx, item.key) if number is None else _link(ctx, key, anchor, str(number)),
                html(item.locator_html or escape(item.locator)) if item.locator else "",
            )
            for item, key, number, anchor in zip(group.items, keys, found, anchors, strict=True)
        ]
    names = None
    if group.narrative and group.items[0].key in ctx.formatter.bib:
        names = html(escape(ctx.reference(keys[0]).narrative))
    return str(ctx.templates.citation.group(parts, plain, group.narrative, names))


def _style_group(
    ctx: RenderContext,
    group: CitationGroup,
    anchors: tuple[str, ...],
    keys: list[str],
    found: list[int | None],
) -> str | None:
    """The citation as the style writes it, or None when the engine writes it.

    The style gives its text and the works in it (:class:`.styles.base.StyledCitation`); each
    work goes in its link (the ``link`` macro), a collapsed run through the ``range`` macro and
    the whole through the ``styled`` macro of ``monograph/citation.html``.
    """
    known = [
        CitedItem(key, item, number)
        for item, key, number in zip(group.items, keys, found, strict=True)
        if number is not None
    ]
    styled = ctx.formatter.style.render_citation(group, known) if known else None
    if styled is None:
        return None
    known_anchors = [
        anchor for anchor, number in zip(anchors, found, strict=True) if number is not None
    ]
    unknown = [
        _unknown(ctx, item.key)
        for item, number in zip(group.items, found, strict=True)
        if number is None
    ]

    def link(work: StyledWork) -> str:
        return str(_link(ctx, known[work.index].key, known_anchors[work.index], work.html))

    parts: list[str] = []
    for part in styled.parts:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, StyledWork):
            parts.append(link(part))
        else:
            parts.append(_styled_range(ctx, part, known, known_anchors, link))
    names = None
    if styled.narrative:
        names = html(escape(ctx.reference(known[0].key).narrative))
    citation = ctx.templates.citation.styled(html("".join(parts)), styled.narrative, names)
    return " ".join([str(citation), *unknown])


def _styled_range(
    ctx: RenderContext,
    run: StyledRange,
    known: list[CitedItem],
    anchors: list[str],
    link: Callable[[StyledWork], str],
) -> str:
    """A run the style collapses (``1–3``): first and last shown, every work keeps a link."""
    labels = run.labels or tuple(str(known[i].number) for i in run.hidden)
    hidden = "".join(
        str(_link(ctx, known[i].key, anchors[i], label, in_range=True))
        for i, label in zip(run.hidden, labels, strict=True)
    )
    values = [html(link(run.first)), html(hidden), html(link(run.last))]  # first, hidden, last
    macro = ctx.templates.citation.range
    if "delimiter" in getattr(macro, "arguments", ()):  # a site's range may not take it
        values.append(html(escape(run.delimiter)))
    return str(macro(*values))


def _entry(
    ctx: RenderContext, key: str, places: list[Place], *, with_titles: bool, css: str = ""
) -> str:
    """One entry of a list, from the ``entry`` template.

    Back-links: in a page's own reference list, one ``↩`` per citing place on the page; in the
    site bibliography (``with_titles``), one link per citing page, named by part and title, to
    its first citation, with the number of citations there (``Mechanisms › Iron ×3``).
    """
    ref = ctx.reference(key)
    if with_titles:
        by_page: dict[str, list[Place]] = {}
        for place in places:
            by_page.setdefault(place.page.id, []).append(place)
        backrefs = [_backref(ctx, here[0], len(here)) for here in by_page.values()]
    else:
        backrefs = [_backref(ctx, place, 1) for place in places]
    entry = EntryValues(
        id=_quoted(ids.ref_id(key)),
        value=html(_number(ctx, key)),
        css=html(css),
        reference=html(ref.html),
        note=_quoted(ref.note),
        with_titles=with_titles,
        backrefs=backrefs,
    )
    return ctx.templates.render_entry(entry)


def _backref(ctx: RenderContext, place: Place, count: int) -> BackrefValues:
    """A back-link to ``place``: its anchor, after the relative URL of its page if another."""
    page = place.page
    values = ctx.page_values.get(page.id)
    if values is None:  # once per citing page: a page's list, or the site's, links to many
        to_page = "" if page.url == ctx.page_url else relative_url(page.url, ctx.page_url)
        values = ctx.page_values[page.id] = (
            html(escape(page.label)),
            html(escape(page.title)),
            escape(to_page),
        )
    label, title, to_page = values
    # escape() replaces characters one by one: escape(a + b) is escape(a) + escape(b).
    href = html(to_page + _escaped_fragment(place.anchor))
    return BackrefValues(href, label, title, count)


def fill_page(
    content: str,
    replace: Callable[[str, str], str],
    reviewed: date | None = None,
    append: Callable[[], str] | None = None,
) -> str:
    """A converted page with what the engine places in it, each fragment in ASCII.

    Its tokens replaced (:func:`~monograph.core.citations.registry.fill`), the review date under
    its title, and what ``append`` renders (the page's own reference list, after the page's
    citations, as a style may depend on the order) at its end. The one sequence both the MkDocs
    adapter and pagewise fill a page with.
    """
    html = fill(content, replace)
    if reviewed is not None:
        html = insert_after_title(html, ascii_html(reviewed_html(reviewed)))
    if append is not None:
        html += "\n" + ascii_html(append())
    return html


def render_page_references(
    ctx: RenderContext, keys: list[str], heading: str | None, anchor: str = ids.REFERENCES_ID
) -> str:
    """The "References" section that ends a page: the works it cites, with site numbers.

    ``anchor`` is the heading's id (another one when the author has a "References" heading);
    with no ``heading``, the list alone (placed by the author under a heading of their own).
    """
    items = []
    for key in ctx.formatter.style.order(keys, ctx.numbering.numbers):
        here = [p for p in ctx.numbering.places.get(key, []) if p.page.url == ctx.page_url]
        items.append(_entry(ctx, key, here, with_titles=False))
    return _list(ctx, ids.REFERENCES, items, heading, anchor)


def _number(ctx: RenderContext, key: str) -> str:
    """The number of a numbered list item (none in an author-date list)."""
    if ctx.formatter.style.kind != "numeric":
        return ""
    return str(ctx.numbering.numbers[key])


def _list(
    ctx: RenderContext,
    css_class: str,
    items: list[str],
    heading: str | None = None,
    anchor: str = ids.REFERENCES_ID,
) -> str:
    """Numbered (``<ol>``) for numeric styles, unnumbered for author-date ones."""
    return ctx.templates.render(
        ctx.templates.list,
        heading=None if heading is None else html(escape(heading)),
        anchor=html(escape(anchor)),
        css=html(css_class),
        numbered=ctx.formatter.style.kind == "numeric",
        items=[html(item) for item in items],
    )


def render_bibliography(ctx: RenderContext) -> str:
    """The site-wide bibliography: every work in number order, with back-links to each citation."""
    items = [
        _entry(
            ctx,
            key,
            ctx.numbering.places.get(key, []),
            with_titles=True,
            css=ids.BIBLIOGRAPHY_ENTRY,
        )
        for key in ctx.formatter.style.order(ctx.numbering.ordered(), ctx.numbering.numbers)
    ]
    return _list(ctx, ids.BIBLIOGRAPHY, items)
