"""Refuse unsafe link targets in a finished page, whoever wrote them.

Markdown links (``[x](javascript:...)``), raw HTML (``<a href="data:...">``) and anything
generated all end up in the page's HTML, so the check runs there, with lxml, once a page is
filled. A refused attribute is removed (the text stays) and returned, so the caller can report it
with the page's path and the line where the URL is written. The website, the offline edition and
the PDF are all made from this HTML, so none of them can hold such a link.
"""

from __future__ import annotations

import functools
import hashlib
import json
from html import escape
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

from ..cachefile import PACKAGE, code_digest, versions, write_atomically
from ..links import page_link_allowed, safe_url

if TYPE_CHECKING:
    from lxml import etree

#: Attributes a browser (or WeasyPrint) follows or loads.
_URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "poster", "xlink:href")
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
#: Every name under which one of them can appear in ``element.keys()``.
_URL_NAMES = frozenset((*_URL_ATTRIBUTES, _XLINK_HREF))


@functools.cache
def _lxml() -> Any:
    """The lxml modules and what the check builds with them, loaded at the first page checked.

    A warm build checks no page (:class:`CheckedPages` knows them all), so it never loads lxml.

    - ``values``: every URL attribute's value of a page, for the quick pass (see
      :func:`_nothing_to_change`): one XPath per name, evaluated in C, as plain strings. lxml's
      HTML parser keeps ``xlink:href`` as a plain attribute name with a colon, which no
      ``@name`` step can spell, hence the ``name()`` test; it makes no namespaced attributes,
      but ``@xl:href`` costs little and keeps this a superset of what the walk in
      :func:`refuse_unsafe_links` reads.
    - ``parser``: lxml.html's parser, without the table of ids it builds for XPath's ``id()``
      (never used here; a twentieth of the parse). Same tree; one per process, used by one page
      at a time.
    """
    from lxml import etree, html

    values = etree.XPath(
        " | ".join(
            [f"descendant-or-self::*/@{name}" for name in _URL_ATTRIBUTES if ":" not in name]
            + ["descendant-or-self::*/@*[name()='xlink:href']", "descendant-or-self::*/@xl:href"]
        ),
        namespaces={"xl": _XLINK_HREF[1:].partition("}")[0]},
        smart_strings=False,
    )
    parser = html.HTMLParser(collect_ids=False)
    return SimpleNamespace(etree=etree, html=html, values=values, parser=parser)


def _allowed(tag: str, name: str, value: str) -> bool:
    if page_link_allowed(value):
        return True
    # Inline raster images are common in Markdown pages and load nothing (SVG can hold script).
    lowered = value.strip().lower()
    return (
        name == "src"
        and tag == "img"
        and lowered.startswith("data:image/")
        and not lowered.startswith("data:image/svg")
    )


def refuse_unsafe_links(page_html: str) -> tuple[str, list[str]]:
    """Return the page without unsafe link targets, and the refused URLs in document order.

    A page without any is returned unchanged (not re-serialised).
    """
    if not page_html.strip():
        return page_html, []
    cleaned = False
    try:
        page_html.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate: lxml silently drops everything after it, links included.
        page_html = page_html.encode("utf-8", "replace").decode("utf-8")
        cleaned = True
    lxml = _lxml()
    try:
        root = lxml.html.fragment_fromstring(page_html, create_parent="div", parser=lxml.parser)
    except (lxml.etree.ParserError, ValueError):
        return escape(page_html, quote=False), ["(a page lxml cannot read, shown as text)"]
    if not cleaned and _nothing_to_change(root):
        return page_html, []
    refused: list[str] = []
    changed = False
    for element in root.iter(lxml.etree.Element):  # elements only: no comments, no PIs
        if _URL_NAMES.isdisjoint(element.keys()):
            continue  # most elements: nothing to check, and no per-attribute lookups
        for name in _URL_ATTRIBUTES:
            attribute = _XLINK_HREF if name == "xlink:href" else name
            value = element.get(attribute) or (element.get(name) if name == "xlink:href" else None)
            if value is None:
                continue
            if value.strip().lower().startswith("doi:") and safe_url(value):
                element.set(attribute, safe_url(value) or "")  # doi:10.x/y -> https://doi.org/
                changed = True
                continue
            if _allowed(element.tag, name, value):
                continue
            refused.append(value)
            for candidate in (attribute, name):
                if candidate in element.attrib:
                    del element.attrib[candidate]
    if not refused and not changed and not cleaned:
        return page_html, []
    text = escape(root.text or "", quote=False)
    body = "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
    return text + body, refused


def _nothing_to_change(root: etree._Element) -> bool:
    """Whether the walk of :func:`refuse_unsafe_links` would leave the page as it is.

    True when every URL attribute's value (each distinct one checked once) is a link a page may
    hold and none is a ``doi:`` to rewrite. Most pages are such, and this pass reads their values
    without visiting every element from Python (the walk took twice as long); a page it is not
    sure of is walked, which decides.
    """
    values = cast("list[str]", _lxml().values(root))  # attribute values, smart_strings=False
    for value in set(values):
        if _plainly_relative(value) or _plainly_web(value):
            continue
        if not page_link_allowed(value) or value.strip().lower().startswith("doi:"):
            return False
    return True


def _plainly_relative(value: str) -> bool:
    """A value :func:`.links.page_link_allowed` allows on its first test, told without calling it.

    ``#cite-x-1``, ``../iron/``: no ``:`` (so no scheme, and no ``doi:``), no ``//`` (no host),
    and printable (no control character whose removal would join ``/`` and ``/``). Most of a
    page's values are such; each distinct one was a miss of that function's memo on a cold build,
    a third of this pass. The unit tests hold the two to agree.
    """
    return ":" not in value and "//" not in value and value.isprintable()


def _plainly_web(value: str) -> bool:
    """A value :func:`.links.page_link_allowed` allows, told without ``urlsplit``: ``https://host/...``.

    ``http://`` or ``https://`` (lower case), then a host (not ``/``, ``?``, ``#`` or nothing),
    all printable ASCII, no space at the end (nothing for the rule to strip), no ``[`` or ``]``
    (an IPv6 host, which ``urlsplit`` may refuse). ``urlsplit`` finds that scheme and a host in
    such a value, and never fails on it, so the rule allows it. A cold build meets each work's
    DOI and PubMed links once (2,301 values on the benchmark, each a miss of the rule's memo:
    0.026 s CPU of 0.23 s for the check). The unit tests hold the two to agree.
    """
    if value.startswith("https://"):
        host = value[8:9]
    elif value.startswith("http://"):
        host = value[7:8]
    else:
        return False
    return (
        host not in ("", "/", "?", "#")
        and value.isascii()
        and value.isprintable()
        and not value.endswith(" ")
        and "[" not in value
        and "]" not in value
    )


#: The rule's code and the parser: a change to either checks every page again (lxml's version
#: read from its installed metadata, so a warm build does not load it).
_CHECKER = code_digest([Path(__file__), PACKAGE / "core" / "links.py"], extra=versions("lxml"))


def content_digest(data: bytes) -> str:
    """What :class:`CheckedPages` remembers of a page: a hash of its HTML as UTF-8 bytes.

    Lone surrogates are encoded as they are (``surrogatepass``), as the filled pages' cache
    writes them, so the bytes of a kept page read from the disk give its digest as they are.
    """
    return hashlib.sha256(data).hexdigest()[:32]


def _digest(page_html: str) -> str:
    return content_digest(page_html.encode("utf-8", "surrogatepass"))


class CheckedPages:
    """:func:`refuse_unsafe_links` that skips pages it has already found clean.

    A finished page with nothing to refuse is remembered by a hash of its HTML (and of the
    checker's code), in memory and, with ``path``, in a small JSON file between builds: a warm
    build whose pages come out the same parses none of them again. Only clean pages are
    remembered, so a page with an unsafe link is always checked and reported.

    Arguments:
        path: The JSON file (in the cache directory), or None to remember within one build.
    """

    #: The most pages the file remembers (32 hex digits each).
    LIMIT = 20_000

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.known: frozenset[str] = frozenset()
        self.seen: set[str] = set()
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_text("utf-8"))
            except (OSError, ValueError):
                data = None  # unreadable: every page is simply checked again
            if isinstance(data, dict) and data.get("checker") == _CHECKER:
                clean = data.get("clean")
                if isinstance(clean, list):
                    self.known = frozenset(str(item) for item in clean)

    def refuse(self, page_html: str, digest: str | None = None) -> tuple[str, list[str]]:
        """What :func:`refuse_unsafe_links` returns for ``page_html``.

        ``digest``: the page's :func:`content_digest`, when its bytes were hashed already (a
        kept page, as read from the disk); else it is computed here.
        """
        if digest is None:
            digest = _digest(page_html)
        if digest in self.known or digest in self.seen:
            self.seen.add(digest)
            return page_html, []
        checked, refused = refuse_unsafe_links(page_html)
        if checked is page_html and not refused:
            self.seen.add(digest)
        return checked, refused

    def remember_clean(self, page_html: str, digest: str | None = None) -> None:
        """Remember a page :func:`refuse_unsafe_links` found clean elsewhere (another process).

        ``digest``: the page's :func:`content_digest`, when that process computed it already.
        """
        self.seen.add(digest or _digest(page_html))

    def save(self) -> None:
        """Write the clean pages of this build and of earlier ones, up to :data:`LIMIT`.

        Earlier builds' pages stay (two editions of one site share the cache directory; an
        old entry is only ever the hash of a clean page); past the limit only this build's do.
        """
        if self.path is None or self.seen <= self.known:
            return
        clean = self.seen | self.known
        if len(clean) > self.LIMIT:
            clean = self.seen
        try:
            write_atomically(self.path, json.dumps({"checker": _CHECKER, "clean": sorted(clean)}))
        except OSError:
            return  # a read-only checkout still builds; it checks every page next time
