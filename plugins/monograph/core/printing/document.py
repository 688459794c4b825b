"""One HTML document for the PDF edition, assembled from the rendered pages in nav order.

The document is written for WeasyPrint and the stylesheet ``assets/print.css``: a cover, a table
of contents of plain fragment links (the stylesheet adds page numbers with ``target-counter``),
then one ``<section class="chapter">`` per page. Ids are made unique across the document (see
`monograph.core.printing.links`), per-page reference lists give way to the one bibliography, and
permalink anchors, edit buttons and scripts are dropped. No JavaScript is needed to read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath

from lxml import html
from lxml.html import builder as E

from monograph.core import ids
from monograph.core.model import CoreError
from monograph.core.printing.links import (
    LinkResolver,
    break_identifiers,
    condense_backrefs,
    drop_references,
    fix_svg_sizes,
    page_slug,
    prefix_ids,
    prefixed,
    remove_all,
    rewrite_links,
    with_class,
)
from monograph.core.urls import page_key

#: Classes of elements that only make sense on screen; ``no-print`` is for authors.
_SCREEN_ONLY_CLASSES = ("headerlink", "md-content__button", "no-print")


@dataclass(frozen=True)
class PrintPage:
    """One page of the site, rendered, as it enters the print document.

    Attributes:
        title: The page title from the nav.
        url: Site-relative URL (``interventions/iron/`` or ``interventions/iron.html``).
        src_path: Source file relative to the docs folder, e.g. ``interventions/index.md``.
        html: The page's final content HTML (citations already numbered), without the theme.
        depth: How many nav sections hold the page (0 for a top-level page).
        section: Titles of those sections, outermost first.
    """

    title: str
    url: str
    src_path: str
    html: str
    depth: int = 0
    section: tuple[str, ...] = ()


@dataclass(frozen=True)
class PrintMeta:
    """What the cover and the PDF metadata say.

    Attributes:
        title: Document title (PDF Title).
        edition_date: Date of this edition, printed on the cover and used as creation date.
        subtitle: Printed under the title.
        author: PDF Author, printed on the cover.
        subject: PDF Subject.
        language: BCP 47 language of the text (PDF Lang), e.g. ``en``.
        version: Version of the monograph, printed on the cover.
        disclaimer_html: Short disclaimer printed on the cover (HTML, links site-relative).
        rights: Copyright line printed at the foot of the cover (HTML).
        site_url: Absolute URL of the website; links to files that are not pages point there.
    """

    title: str
    edition_date: date
    subtitle: str = ""
    author: str = ""
    subject: str = ""
    language: str = "en"
    version: str = ""
    disclaimer_html: str = ""
    rights: str = ""
    site_url: str = ""


@dataclass(frozen=True)
class PrintDocument:
    """The assembled document and the links that had nowhere to go.

    Attributes:
        html: The complete HTML document.
        unresolved: ``"<src_path>: <href>"`` for every link to a place the document lacks;
            such links keep their text and lose their ``href``.
    """

    html: str
    unresolved: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class _Entry:
    """A chapter or part heading, as listed in the table of contents."""

    id: str
    title: str
    level: int


def build_print_document(pages: Sequence[PrintPage], meta: PrintMeta) -> str:
    """Return one HTML document holding every page, ready for WeasyPrint.

    Arguments:
        pages: The pages in nav order.
        meta: Cover and metadata.

    Returns:
        The document as a string (see `assemble_print_document` for the unresolved links).

    Raises:
        CoreError: When there is no page to print.
    """
    return assemble_print_document(pages, meta).html


def assemble_print_document(pages: Sequence[PrintPage], meta: PrintMeta) -> PrintDocument:
    """Assemble the print document and report links that point outside it.

    Arguments:
        pages: The pages in nav order.
        meta: Cover and metadata.

    Returns:
        The document and its unresolved links.

    Raises:
        CoreError: When there is no page to print.
    """
    if not pages:
        raise CoreError("The print edition has no pages: the nav is empty.")
    slugs = _unique_slugs(pages)
    resolver = LinkResolver(
        {page_key(p.url): s for p, s in zip(pages, slugs, strict=True)}, meta.site_url
    )
    roots = [html.fragment_fromstring(p.html, create_parent="div") for p in pages]
    bibliography = _bibliography_slug(pages, roots, resolver)
    entries: list[_Entry] = []
    body: list[html.HtmlElement] = []
    redirects: dict[str, str] = {}
    previous: tuple[str, ...] = ()
    for page, slug, root in zip(pages, slugs, roots, strict=True):
        body.extend(_parts(page, previous, entries))
        previous = page.section
        if bibliography is not None and slug != bibliography:
            for dropped in drop_references(root):
                redirects[prefixed(slug, dropped)] = prefixed(bibliography, "")
        entry = _Entry(prefixed(slug, ""), page.title, _level(page))
        entries.append(entry)
        body.append(_chapter(page, root, entry, resolver, slug))
    document = _document(meta, entries, body, resolver)
    unresolved = _settle_fragments(document, redirects)
    text = html.tostring(document, encoding="unicode", doctype="<!DOCTYPE html>")
    return PrintDocument(text, tuple(unresolved))


def _unique_slugs(pages: Sequence[PrintPage]) -> list[str]:
    seen: dict[str, int] = {}
    slugs = []
    for page in pages:
        slug = page_slug(page.url)
        seen[slug] = seen.get(slug, 0) + 1
        slugs.append(slug if seen[slug] == 1 else f"{slug}-{seen[slug]}")
    return slugs


def _bibliography_slug(
    pages: Sequence[PrintPage], roots: Sequence[html.HtmlElement], resolver: LinkResolver
) -> str | None:
    """Return the slug of the page citations link to, if that page is in the document."""
    for page, root in zip(pages, roots, strict=True):
        for citation in with_class(root, "a", ids.CITATION):
            target = resolver.resolve(citation.get("href", ""), page.url)
            if target and target.startswith("#p-"):
                return target[3:].partition("--")[0]
    return None


def _is_section_index(page: PrintPage) -> bool:
    return bool(page.section) and PurePosixPath(page.src_path).stem in ("index", "README")


def _level(page: PrintPage) -> int:
    """Return the bookmark level of the page's h1 (a section's index page stands for it)."""
    return max(1, page.depth + (0 if _is_section_index(page) else 1))


def _parts(
    page: PrintPage, previous: tuple[str, ...], entries: list[_Entry]
) -> list[html.HtmlElement]:
    """Return a heading for every nav section the page opens, unless its index page is the page."""
    parts = []
    for index, title in enumerate(page.section):
        if page.section[: index + 1] == previous[: index + 1]:
            continue
        if index == len(page.section) - 1 and _is_section_index(page):
            continue
        entry = _Entry(f"part-{len(entries) + 1}", title, index + 1)
        entries.append(entry)
        heading = E.H1(E.CLASS("part-title"), title)
        parts.append(
            E.SECTION(
                E.CLASS(f"part level-{entry.level}"), heading, id=entry.id, **{"data-title": title}
            )
        )
    return parts


def _chapter(
    page: PrintPage, root: html.HtmlElement, entry: _Entry, resolver: LinkResolver, slug: str
) -> html.HtmlElement:
    """Turn one page's content into ``<section class="chapter">``."""
    screen_only = [e for name in _SCREEN_ONLY_CLASSES for e in with_class(root, "*", name)]
    remove_all(root, [*screen_only, *root.iter("script")])
    if not root.xpath(".//h1"):
        root.insert(0, E.H1(page.title))
        root[0].tail, root.text = root.text, None
    rewrite_links(root, page.url, resolver)
    condense_backrefs(root)
    break_identifiers(root)
    prefix_ids(root, slug)
    fix_svg_sizes(root)
    root.tag = "section"
    root.set("class", f"chapter level-{entry.level}")
    root.set("id", entry.id)
    root.set("data-title", page.title)
    root.set("data-src", page.src_path)
    return root


def _document(
    meta: PrintMeta, entries: list[_Entry], body: list[html.HtmlElement], resolver: LinkResolver
) -> html.HtmlElement:
    head = E.HEAD(E.META(charset="utf-8"), E.TITLE(meta.title))
    for name, content in (
        ("author", meta.author),
        ("description", meta.subject),
        ("dcterms.created", meta.edition_date.isoformat()),
        ("dcterms.modified", meta.edition_date.isoformat()),
    ):
        if content:
            head.append(E.META(name=name, content=content))
    toc = E.NAV(E.CLASS("toc"), E.H1(E.CLASS("toc-title"), "Contents"), id="contents")
    toc.append(E.OL(*(_toc_item(entry) for entry in entries)))
    cover = _cover(meta, resolver)
    document = E.HTML(head, E.BODY(cover, toc, *body))
    document.set("lang", meta.language)
    return document


def _toc_item(entry: _Entry) -> html.HtmlElement:
    return E.LI(
        E.CLASS(f"toc-entry toc-level-{entry.level}"), E.A(entry.title, href=f"#{entry.id}")
    )


def _cover(meta: PrintMeta, resolver: LinkResolver) -> html.HtmlElement:
    facts = E.DL(E.CLASS("cover-facts"))
    edition = meta.edition_date.isoformat()
    for term, value in (("Edition", edition), ("Version", meta.version), ("Authors", meta.author)):
        if value:
            facts.extend([E.DT(term), E.DD(value)])
    cover = E.SECTION(E.CLASS("cover"), E.H1(E.CLASS("cover-title"), meta.title), id="cover")
    if meta.subtitle:
        cover.append(E.P(E.CLASS("cover-subtitle"), meta.subtitle))
    cover.append(facts)
    if meta.disclaimer_html.strip():
        disclaimer = html.fragment_fromstring(meta.disclaimer_html, create_parent="div")
        rewrite_links(disclaimer, "", resolver)
        disclaimer.set("class", "cover-disclaimer")
        disclaimer.set("role", "note")
        disclaimer.insert(0, E.P(E.CLASS("cover-disclaimer-title"), "Disclaimer"))
        disclaimer[0].tail, disclaimer.text = disclaimer.text, None
        cover.append(disclaimer)
    if meta.rights.strip():
        rights = html.fragment_fromstring(meta.rights, create_parent="p")
        rewrite_links(rights, "", resolver)
        rights.set("class", "cover-rights")
        cover.append(rights)
    return cover


def _settle_fragments(document: html.HtmlElement, redirects: dict[str, str]) -> list[str]:
    """Point links into dropped reference lists at the bibliography; unlink what points nowhere."""
    ids = {e.get("id") for e in document.iter() if isinstance(e.tag, str) and e.get("id")}
    unresolved = []
    for anchor in document.iter("a"):
        href = anchor.get("href", "")
        if not href.startswith("#") or href[1:] in ids:
            continue
        if href[1:] in redirects:
            anchor.set("href", "#" + redirects[href[1:]])
            continue
        chapter = next((a for a in anchor.iterancestors("section") if a.get("data-src")), None)
        where = chapter.get("data-src", "") if chapter is not None else "cover"
        unresolved.append(f"{where}: {href}")
        del anchor.attrib["href"]
    return unresolved
