"""Ids and links of rendered pages, rewritten so that many pages can live in one print document.

Every page keeps its own ids (``dosing``, ``cite-trotti2019-1``) but in one document they would
clash, so each id becomes ``p-<slug>--<id>`` where ``<slug>`` names the page. Links are rewritten to
match: ``#dosing`` on the iron page, ``../iron/#dosing`` from a sibling and
``../../references/#ref-trotti2019`` all become fragment links inside the document. Everything here
works on lxml trees; nothing parses HTML with regular expressions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import unquote, urlsplit

from lxml import html

from .. import ids
from ..links import safe_url
from ..urls import link_target, page_key

#: Attributes that hold one id or a space-separated list of ids (HTML and ARIA).
_IDREF_ATTRIBUTES = ("for", "headers", "aria-labelledby", "aria-describedby", "aria-controls")
#: Attributes that may hold an SVG paint or marker reference such as ``url(#arrow)``.
_SVG_URL_ATTRIBUTES = ("fill", "stroke", "marker-start", "marker-mid", "marker-end", "filter")
#: Elements and attributes that load a resource the renderer fetches.
_RESOURCE_ATTRIBUTES = (("img", "src"), ("source", "src"), ("object", "data"), ("video", "poster"))
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


def page_slug(url: str) -> str:
    """Return an id-safe name for a page: ``interventions/iron/`` gives ``interventions-iron``.

    Arguments:
        url: The page's site-relative URL.

    Returns:
        Lowercase letters, digits and hyphens; ``index`` for the home page.
    """
    return _SLUG_JUNK.sub("-", page_key(url).lower()).strip("-") or "index"


def prefixed(slug: str, fragment: str) -> str:
    """Return the document-wide id of ``fragment`` on the page ``slug`` (the chapter for ``""``)."""
    return f"p-{slug}--{fragment}" if fragment else f"p-{slug}"


class LinkResolver:
    """Turns a link written on one page into a link inside the print document.

    Arguments:
        slugs: Page key (see `page_key`) to the page's slug, for every page in the document.
        site_url: Absolute URL of the published site, used for links to files that are not pages
            (downloads, pages left out of the nav); with ``""`` such links lose their ``href``.
    """

    def __init__(self, slugs: Mapping[str, str], site_url: str = "") -> None:
        self._slugs = dict(slugs)
        self._site_url = site_url.rstrip("/") + "/" if site_url else ""
        self._site_path = urlsplit(self._site_url).path if site_url else "/"

    def slug_of(self, page_url: str) -> str:
        """Return the slug of the page at ``page_url`` (computed if the page is unknown)."""
        return self._slugs.get(page_key(page_url)) or page_slug(page_url)

    def site_path(self, href: str, page_url: str) -> str | None:
        """Return the site-relative path ``href`` points to, or None for an external URL."""
        return link_target(href, page_url, self._site_path)

    def resolve(self, href: str, page_url: str) -> str | None:
        """Return the rewritten ``href``, or None when the link has no place in the document.

        Arguments:
            href: The link as written on the page.
            page_url: The site-relative URL of the page holding the link.

        Returns:
            ``#p-<slug>--<id>`` for a link to a page in the document, the ``href`` of an http(s)
            or mailto link, ``site_url`` plus the path for other files of the site, else None
            (also for any other scheme: ``javascript:``, ``data:``...).
        """
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            # Only http(s) and mailto become PDF link annotations (doi: goes to doi.org); the
            # pages were cleaned already, this also covers the cover's copyright and disclaimer.
            return safe_url(href if parts.scheme else "https:" + href)
        fragment = unquote(parts.fragment)
        if not parts.path:
            return "#" + prefixed(self.slug_of(page_url), fragment)
        path = self.site_path(href, page_url)
        if path is None:
            return href
        slug = self._slugs.get(page_key(path))
        if slug is not None:
            return "#" + prefixed(slug, fragment)
        if self._site_url:
            return self._site_url + path + (f"#{parts.fragment}" if parts.fragment else "")
        return None


def prefix_ids(root: html.HtmlElement, slug: str) -> None:
    """Prefix every id under ``root``, and every reference to one, with the page's slug.

    Arguments:
        root: The parsed content of one page.
        slug: The page's slug.
    """
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.get("id"):
            element.set("id", prefixed(slug, element.get("id", "")))
        for name in _IDREF_ATTRIBUTES:
            value = element.get(name)
            if value:
                element.set(name, " ".join(prefixed(slug, ref) for ref in value.split()))
        for name in ("href", _XLINK_HREF):
            value = element.get(name)
            if value and value.startswith("#") and element.tag != "a":
                element.set(name, "#" + prefixed(slug, value[1:]))
        for name in _SVG_URL_ATTRIBUTES:
            value = element.get(name, "")
            if value.startswith("url(#") and value.endswith(")"):
                element.set(name, f"url(#{prefixed(slug, value[5:-1])})")


def rewrite_links(root: html.HtmlElement, page_url: str, resolver: LinkResolver) -> None:
    """Rewrite every ``<a href>`` and every resource URL under ``root`` for the print document.

    Links that have no place in the document keep their text and lose their ``href``. Resource
    URLs (images and the like) become site-relative, to be resolved against the site directory.

    Arguments:
        root: The parsed content of one page.
        page_url: The page's site-relative URL.
        resolver: Knows every page of the document.
    """
    for anchor in root.iter("a"):
        href = anchor.get("href")
        if href is None:
            continue
        new = resolver.resolve(href, page_url)
        if new is None:
            del anchor.attrib["href"]
        else:
            anchor.set("href", new)
    for tag, name in _RESOURCE_ATTRIBUTES:
        for element in root.iter(tag):
            value = element.get(name)
            if value and not value.startswith("data:"):
                path = resolver.site_path(value, page_url)
                if path is not None:
                    element.set(name, path)


def drop_section(heading: html.HtmlElement) -> list[str]:
    """Remove ``heading`` and what follows it up to the next heading of the same or higher rank.

    Arguments:
        heading: An ``h1``-``h6`` element.

    Returns:
        The ids of every removed element, so that links to them can be sent elsewhere.
    """
    rank = int(heading.tag[1])
    removed = [heading]
    for sibling in heading.itersiblings():
        if isinstance(sibling.tag, str) and _is_heading(sibling.tag, max_rank=rank):
            break
        removed.append(sibling)
    ids = [e.get("id", "") for r in removed for e in r.iter() if isinstance(e.tag, str)]
    for element in removed:
        element.drop_tree()
    return [i for i in ids if i]


def fix_svg_sizes(root: html.HtmlElement) -> None:
    """Drop ``height: auto`` from the inline style of inline SVGs.

    WeasyPrint 70 draws an ``<svg width=".." height=".." style="height: auto">`` as a square
    (the stylesheet's ``height: auto`` is harmless); without the declaration the SVG keeps the
    aspect ratio of its ``viewBox``. Measured with WeasyPrint 70.0.
    """
    for svg in root.iter("svg"):
        declarations = [d for d in svg.get("style", "").split(";") if d.strip()]
        kept = [d for d in declarations if _declaration(d) != ("height", "auto")]
        if len(kept) != len(declarations):
            if kept:
                svg.set("style", ";".join(kept))
            else:
                del svg.attrib["style"]


def _declaration(text: str) -> tuple[str, str]:
    name, _, value = text.partition(":")
    return name.strip().lower(), value.strip().lower()


def with_class(root: html.HtmlElement, tag: str, name: str) -> list[html.HtmlElement]:
    """Return the ``tag`` elements under ``root`` whose class list holds ``name``."""
    expr = f".//{tag}[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"
    return list(root.xpath(expr))


def drop_references(root: html.HtmlElement) -> list[str]:
    """Remove the page's own reference list (``<h2 class="page-references">`` and what follows).

    An author's own "References" heading is kept: only the generated one has that class.

    Returns:
        The ids of the removed elements (before prefixing).
    """
    dropped: list[str] = []
    for heading in with_class(root, "h2", ids.PAGE_REFERENCES_HEADING):
        dropped.extend(drop_section(heading))
    return dropped


def condense_backrefs(root: html.HtmlElement) -> None:
    """Keep one back-link per citing chapter; the stylesheet adds its page number.

    On screen a bibliography entry links to every citing place (``Overview ↩ ↩ ↩``); on paper a
    page number per citing chapter says the same in far less room.
    """
    for group in with_class(root, "span", ids.BACKREFS):
        seen: set[str] = set()
        for link in with_class(group, "a", ids.BACKREF):
            chapter = link.get("href", "").partition("--")[0]
            if chapter in seen:
                link.drop_tree()
            seen.add(chapter)


#: A link whose text is an identifier: a URL, a DOI (``10.1002/...``) or a number (PMID).
_IDENTIFIER = re.compile(r"(?:https?://|10\.\d{4,}/)\S+|\d+|PMC\d+")


def identifier_breaks(text: str) -> list[str]:
    """Split an identifier where a line may break: after ``/``, ``.`` or ``-``, never in a number.

    ``10.1002/14651858.CD007834.pub3`` -> ``["10.1002/", "14651858.", "CD007834.", "pub3"]``:
    the dot of ``10.1002`` sits between two digits, so it is no break; a slash always is,
    except inside ``//``.
    """
    parts: list[str] = []
    start = 0
    for index, char in enumerate(text[:-1]):
        if char not in "/.-":
            continue
        before = text[index - 1] if index else ""
        after = text[index + 1]
        if after == "/" or (char != "/" and before.isdigit() and after.isdigit()):
            continue  # not inside "//", nor inside a number such as 10.1002 or 2018.01.12
        parts.append(text[start : index + 1])
        start = index + 1
    parts.append(text[start:])
    return [part for part in parts if part]


def break_identifiers(root: html.HtmlElement) -> None:
    """Let DOIs, PMIDs and URLs shown as link text break only at ``/``, ``.`` or ``-``.

    Each such link gets the class ``identifier`` (the stylesheet turns hyphenation and
    emergency breaks off for it) and a ``<wbr>`` at every allowed break.
    """
    for link in root.iter("a"):
        text = link.text or ""
        if len(link) or not link.get("href") or not _IDENTIFIER.fullmatch(text):
            continue
        link.set("class", " ".join(filter(None, [link.get("class"), "identifier"])))
        first, *rest = identifier_breaks(text)
        link.text = first
        for part in rest:
            wbr = html.Element("wbr")
            wbr.tail = part
            link.append(wbr)


def remove_all(root: html.HtmlElement, elements: Iterable[html.HtmlElement]) -> None:
    """Remove each element (with its content, keeping the text that follows it)."""
    for element in list(elements):
        if element is not root:
            element.drop_tree()


def _is_heading(tag: str, *, max_rank: int) -> bool:
    return len(tag) == 2 and tag[0] == "h" and tag[1] in "123456" and int(tag[1]) <= max_rank
