"""Read the ids and links of built HTML pages with lxml, fast.

Each page is parsed once with lxml's C HTML parser. The link checker reads only URLs and ids
(:func:`read_page`: a C-level walk over the link elements, XPath for ids); lines and positions
(:func:`parse_page`) and where a link sits (inside a generated citation, for example,
:func:`link_context`) are only needed for the rare broken link, so they are looked up later by
re-reading that one page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from monograph.core.ids import GENERATED_CLASS_PREFIXES

#: Attributes that name another resource, per element.
LINK_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "track": ("src",),
    "object": ("data",),
    "input": ("src",),
}
#: Class prefixes of markup the monograph plugin generates.
GENERATED_CLASSES = GENERATED_CLASS_PREFIXES

_LINKS = etree.XPath(
    " | ".join(
        f"//{tag}[{' or '.join('@' + a for a in attributes)}]"
        for tag, attributes in LINK_ATTRIBUTES.items()
    )
)
#: For ``root.iter``: a C-level walk that only wraps link elements (an XPath union is slower).
_LINK_TAGS = tuple(LINK_ATTRIBUTES)
#: Elements with a single link attribute that holds a single URL (``<a href>``: most links).
_SINGLE_URL = {
    tag: attributes[0]
    for tag, attributes in LINK_ATTRIBUTES.items()
    if len(attributes) == 1 and attributes[0] != "srcset"
}
# Plain strings (smart strings know their parent element, and cost a Python object each).
_IDS = etree.XPath("//@id", smart_strings=False)
_IDS_AND_NAMES = etree.XPath("//@id | //a/@name", smart_strings=False)


def _parser() -> etree.HTMLParser:
    return etree.HTMLParser(encoding="utf-8", remove_comments=True, no_network=True)


@dataclass(frozen=True)
class Link:
    """One reference from a built page to another resource.

    Attributes:
        url: The attribute value as written in the HTML.
        line: The line of the element in the HTML file.
        index: Position of the element among the page's link elements (see :func:`link_context`).
    """

    url: str
    line: int | None
    index: int


@dataclass
class ParsedPage:
    """What the checker needs from one HTML page.

    Attributes:
        ids: Every ``id`` (and ``<a name>``) on the page.
        links: Every link on the page, in document order.
    """

    ids: frozenset[str]
    links: list[Link] = field(default_factory=list)


@dataclass(frozen=True)
class LinkContext:
    """Where a link sits on its page.

    Attributes:
        cite_key: ``data-cite`` of the element or its nearest ancestor that has one.
        generated: The element is inside markup the monograph plugin generated.
    """

    cite_key: str | None = None
    generated: bool = False


@dataclass
class PageLinks:
    """The ids and link addresses of one page, without lines: what a link check needs.

    Attributes:
        ids: Every ``id`` (and ``<a name>``) on the page.
        urls: The URL of every link, in the order of :attr:`ParsedPage.links`.
    """

    ids: frozenset[str]
    urls: list[str]


def _root(path: Path) -> etree._Element | None:
    try:
        return etree.parse(str(path), _parser()).getroot()
    except (OSError, etree.XMLSyntaxError):
        return None


def _elements(path: Path) -> list[etree._Element]:
    root = _root(path)
    return [] if root is None else _link_elements(root)


def _link_elements(root: etree._Element) -> list[etree._Element]:
    found = _LINKS(root)
    items = found if isinstance(found, list) else []
    return [item for item in items if isinstance(item, etree._Element)]


def _ids(root: etree._Element, xpath: etree.XPath = _IDS_AND_NAMES) -> frozenset[str]:
    found = xpath(root)
    return frozenset(str(i) for i in found) if isinstance(found, list) else frozenset()


def _element_urls(element: etree._Element) -> list[str]:
    """Return the URLs of a link element, in :data:`LINK_ATTRIBUTES` order."""
    urls: list[str] = []
    for attribute in LINK_ATTRIBUTES[str(element.tag)]:
        value = element.get(attribute)
        if value is not None:
            urls.extend(_srcset_urls(value) if attribute == "srcset" else [value])
    return urls


def read_page(path: Path) -> PageLinks:
    """Read the ids and link URLs of one HTML page, as fast as lxml allows.

    The URLs are those of :func:`parse_page`, in the same order, without lines and positions:
    fetch those with :func:`parse_page` for the few links that turn out broken.

    Arguments:
        path: The HTML file.

    Returns:
        Its ids and link URLs (none when the file cannot be read).
    """
    root = _root(path)
    if root is None:
        return PageLinks(frozenset(), [])
    urls: list[str] = []
    names: list[str] = []  # <a name>: cheaper here than in a second XPath walk
    for element in root.iter(_LINK_TAGS):
        tag = element.tag
        if tag == "a":  # nearly every link
            if (value := element.get("href")) is not None:
                urls.append(value)
            if (name := element.get("name")) is not None:
                names.append(name)
        elif (attribute := _SINGLE_URL.get(str(tag))) is None:
            urls += _element_urls(element)
        elif (value := element.get(attribute)) is not None:
            urls.append(value)
    return PageLinks(_ids(root, _IDS) | frozenset(names), urls)


def parse_page(path: Path) -> ParsedPage:
    """Read the ids and links of one HTML page.

    Arguments:
        path: The HTML file.

    Returns:
        Its ids and links (none when the file cannot be read).
    """
    root = _root(path)
    if root is None:
        return ParsedPage(frozenset())
    return ParsedPage(_ids(root), _links(_link_elements(root)))


def _links(elements: list[etree._Element]) -> list[Link]:
    links: list[Link] = []
    for index, element in enumerate(elements):
        line = _sourceline(element)
        links.extend(Link(url, line, index) for url in _element_urls(element))
    return links


def locate_links(path: Path, positions: list[int]) -> list[tuple[Link, LinkContext]]:
    """Return some links of a page with where they sit, reading the page once.

    Arguments:
        path: The HTML file.
        positions: Positions in :attr:`ParsedPage.links` (and :attr:`PageLinks.urls`).

    Returns:
        For each position, what :func:`parse_page` and :func:`link_context` tell of that link.
    """
    root = _root(path)
    elements = [] if root is None else _link_elements(root)
    links = _links(elements)
    return [(links[p], _context(elements[links[p].index])) for p in positions if p < len(links)]


def _sourceline(element: etree._Element) -> int | None:
    # lxml-stubs declare sourceline as "..."; at run time it is an int or None.
    line: object = element.sourceline
    return line if isinstance(line, int) else None


def _srcset_urls(value: str) -> list[str]:
    return [part.split()[0] for part in value.split(",") if part.strip()]


def link_context(path: Path, index: int) -> LinkContext:
    """Tell whether a link was generated by the plugin, and for which citation key.

    Arguments:
        path: The HTML file.
        index: :attr:`Link.index` of the link.

    Returns:
        The citation key around the element and whether it is generated markup.
    """
    elements = _elements(path)
    return _context(elements[index]) if index < len(elements) else LinkContext()


def _context(element: etree._Element) -> LinkContext:
    key: str | None = None
    generated = False
    node: etree._Element | None = element
    while node is not None and key is None:
        key = node.get("data-cite")
        classes = (node.get("class") or "").split()
        generated = generated or any(c.startswith(GENERATED_CLASSES) for c in classes)
        node = node.getparent()
    return LinkContext(key, generated or key is not None)
