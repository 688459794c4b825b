"""Filled pages kept between builds, found again by a fingerprint of everything filling reads.

Filling a page (its citations, its reference list, the site bibliography) is most of what the
engine adds to a warm build: thousands of small template calls that give the same HTML as last
time when nothing they read has changed. So each filled page is kept in the cache folder under a
fingerprint of its inputs, and a later build with the same fingerprint takes the kept HTML.

The fingerprint (:func:`fingerprint`) holds, besides the engine's and the templates' versions:

- the page's converted HTML, with each citation token replaced by the citation itself (its items,
  prefixes, locators, narrative flag and element ids): adding a citation to an earlier page
  renumbers the tokens of every later one, and must not make them all miss;
- for every work the page cites: its key as spelled in the bibliography, its number, its
  formatted reference (all fields), its entry's digest and what else its reference depends on
  (a CSL style's citation texts read the entry too: a field only citations print, such as a
  short title, changes no reference) and its citations on the page (ids, and the page's title
  and part, which their back-links name);
- the settings of the fill (the page's and the bibliography's URLs, the heading...);
- for a page that holds the site bibliography, or whatever the page when the style is not
  ``page_local`` (a CSL style sorts lists and tells ``2019a`` from ``2019b`` by the whole site),
  the site's digest (:func:`site_digest`): every work's number, reference and citing places.

A missed input would show a stale page, so the tests change each input in turn and compare with
a build from scratch.
"""

from __future__ import annotations

import functools
import hashlib
import json
import operator
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from pathlib import Path

from ..cachefile import code_digest, package_files, parts_digest, versions, write_atomically
from ..citations.numbering import PageInfo, Place
from ..citations.registry import TOKEN_RE
from ..model import CitationGroup, CitationItem
from ..styles.base import FormattedReference
from .citations import RenderContext
from .page_links import content_digest

#: Changes when the format of the kept files changes.
_FORMAT = "1"


@functools.cache
def package_digest() -> str:
    """A hash of the engine's code and templates, and of the Jinja and MarkupSafe versions.

    A changed engine, or a changed template renderer, never reuses a page.
    """
    files = package_files("", ".py", ".html")
    return code_digest(files, extra=versions("jinja2", "markupsafe"))


def _tagged(value: object) -> dict[str, str]:
    """A value JSON does not write (a date...): its type and repr, as an object.

    The values fingerprinted are strings, numbers, None and sequences of them, never objects:
    a tagged value cannot be taken for any of them.
    """
    return {type(value).__qualname__: repr(value)}


#: Plain values as one string, in C (``repr`` of many small tuples costs twice as much); a
#: string's escapes and the brackets tell every value apart.
_JSON = json.JSONEncoder(
    ensure_ascii=False, check_circular=False, separators=(",", ":"), default=_tagged
).encode


#: Every field of a citation item and of a formatted reference, as a tuple of plain values:
#: their repr is computed in C, a dataclass's generated ``__repr__`` in Python (a third of a
#: warm build's fingerprinting). Taken from the dataclasses, so a new field is never left out.
_ITEM_VALUES = operator.attrgetter(*(f.name for f in fields(CitationItem)))
_REFERENCE_VALUES = operator.attrgetter(*(f.name for f in fields(FormattedReference)))


def _work(ctx: RenderContext, key: str, works: dict[str, str] | None) -> str:
    """What a work contributes to a fingerprint: a hash of all a fill reads of it.

    Its key, number, formatted reference, entry digest and entry context (a year letter,
    :meth:`~monograph.core.styles.base.ReferenceStyle.entry_context`). A hash of fixed length
    (64 characters): the pages citing a work hash its hash, not its reference again.
    """
    work = None if works is None else works.get(key)
    if work is None:
        formatter = ctx.formatter
        reference = _REFERENCE_VALUES(formatter.get(key))
        entry = formatter.bib.digests.get(key.lower(), "")
        context = formatter.style.entry_context(key)
        text = repr((key, ctx.numbering.numbers.get(key), reference, entry, context))
        work = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        if works is not None:
            works[key] = work
    return work


def _indexed(
    lists: Iterable[Sequence[Place]], describe: Callable[[PageInfo], tuple[str, ...]]
) -> tuple[list[tuple[str, ...]], list[list[tuple[int, str]]]]:
    """Lists of places as ``(page, anchor)`` pairs, each page a number in a table of them.

    The table describes each page once (``describe``: what a fill reads of it), not once per
    place: the same information in half the time. Pages are told apart by identity, so two
    pages that read alike are two rows, as they were two pages.
    """
    index: dict[int, int] = {}
    table: list[tuple[str, ...]] = []
    rows: list[list[tuple[int, str]]] = []
    for places in lists:
        row = []
        for page, anchor in places:
            at = index.get(id(page))
            if at is None:
                at = index[id(page)] = len(table)
                table.append(describe(page))
            row.append((at, anchor))
        rows.append(row)
    return table, rows


def _whole(page: PageInfo) -> tuple[str, ...]:
    """What the site bibliography reads of a citing page (its back-links)."""
    return (page.id, page.url, page.label, page.title)


def _named(page: PageInfo) -> tuple[str, ...]:
    """What a page's own reference list reads of it (its back-links' names)."""
    return (page.label, page.title)


def site_digest(ctx: RenderContext, works: dict[str, str] | None = None) -> str:
    """A hash of the whole numbering: every work, its number, reference and citing places.

    ``works``: what each work contributes, kept across one build (see :func:`fingerprint`).
    """
    numbering = ctx.numbering
    places = numbering.places
    ordered = numbering.ordered()
    return parts_digest(
        [
            "".join([_work(ctx, key, works) for key in ordered]),
            _JSON(_indexed([places.get(key, []) for key in ordered], _whole)),
        ]
    )


def fingerprint(
    ctx: RenderContext,
    page_html: str,
    groups: Sequence[CitationGroup],
    keys: Sequence[str],
    settings: Iterable[object],
    site: str | None,
    works: dict[str, str] | None = None,
) -> str:
    """The fingerprint of one page's fill (see the module's description).

    Three strings hashed, each made in one call: the page's text around its tokens; the
    settings, the length of each piece of text, what each token stands for and the works'
    places on the page (JSON); the works cited (each work's part is made once per build).

    Arguments:
        ctx: The page's render context (numbering, formatter, URLs, templates).
        page_html: The converted page, holding tokens.
        groups: Every citation group of the build, by index.
        keys: The works the page cites, canonical, in order of first citation.
        settings: Anything else the fill reads (heading, anchor, review date...).
        site: The site's digest, when the page depends on the whole site.
        works: What a work contributes (key, number, reference), kept across the pages of one
            build: the same for every page that cites it.
    """
    numbering = ctx.numbering
    anchors = numbering.anchors
    pieces = TOKEN_RE.split(page_html)  # text, kind, value, text, kind, value, ..., text
    texts = pieces[0::3]
    tokens: list[object] = []
    for kind, value in zip(pieces[1::3], pieces[2::3], strict=True):
        if kind == "cite":
            group = groups[int(value)]
            items = tuple(map(_ITEM_VALUES, group.items))
            tokens.append((items, group.narrative, anchors.get(int(value))))
        else:
            tokens.append((kind, value))
    # The page's citing places, by work: back-links name the page (its label and title).
    here = numbering.places_at(ctx.page_url)
    places = _indexed([here.get(key, []) for key in keys], _named)
    head = (_FORMAT, ctx.page_url, ctx.bibliography_url, site, *settings)
    return parts_digest(
        [
            "".join(texts),
            _JSON((head, list(map(len, texts)), tokens, places)),
            "".join([_work(ctx, key, works) for key in keys]),
        ]
    )


#: Pages kept by the builds of this process, by file name (under ``mkdocs serve`` a rebuild
#: takes them from memory, not from the disk); only those the last build used stay. Each with
#: its content digest once known (:meth:`FilledPages.digest_of`).
_IN_MEMORY: dict[str, tuple[str, str | None]] = {}


class FilledPages:
    """Filled pages of earlier builds in a cache folder, one file per fingerprint.

    One file per page, read only when its fingerprint comes up and written only when it is new,
    so a warm build reads what it shows and an edit under ``mkdocs serve`` writes one page. Files
    this build did not use are removed by :meth:`finish`, so each site (each configuration file:
    the website, the offline edition) needs a folder of its own.

    Arguments:
        folder: The site's cache folder, or None to keep nothing (every page is filled).
        version: The engine's, the style's and the templates' versions: part of every name.
    """

    def __init__(self, folder: Path | None, version: str) -> None:
        self.folder = folder
        self.prefix = hashlib.sha256(f"{_FORMAT}/{version}".encode()).hexdigest()[:12]
        self.used: set[str] = set()
        #: Per work, its part of the fingerprints of this build (see :func:`fingerprint`).
        self.works: dict[str, str] = {}
        #: The site's digest in this build, once a page needed it (:meth:`site_of`).
        self.site: str | None = None
        self.reused = 0  # pages taken from the cache in this build (for benchmarks and tests)

    def site_of(self, ctx: RenderContext) -> str:
        """The site's digest (:func:`site_digest`), computed once per build and process."""
        if self.site is None:
            self.site = site_digest(ctx, self.works)
        return self.site

    def holds_none(self) -> bool:
        """No page of this engine is kept (no folder, or a first build): every :meth:`get` misses.

        A build can then fingerprint each page when it fills it, in the process that fills it
        (:func:`monograph.adapter.fill.fill_pages`), instead of all before filling any.
        """
        if self.folder is None:
            return True
        mine = f"{self.prefix}-"
        if any(name.startswith(mine) for name in _IN_MEMORY):
            return False
        try:
            names = os.listdir(self.folder)
        except OSError:
            return True  # no folder yet: created by the first put
        return not any(name.startswith(mine) for name in names)

    def _name(self, print_: str) -> str:
        """The file name of the page kept under ``print_``."""
        return f"{self.prefix}-{print_[:40]}.html"

    def _path(self, print_: str) -> Path:
        assert self.folder is not None
        return self.folder / self._name(print_)

    def get(self, print_: str) -> str | None:
        """The page kept under ``print_``, or None; this build shows it (:meth:`adopt`).

        Its content digest (:func:`.page_links.content_digest`, which the unsafe-link check
        remembers clean pages by) is hashed from the bytes as read, so the page is not encoded
        again to be looked up there: :meth:`digest_of`.
        """
        found = self.peek(print_)
        if found is None:
            return None
        self.adopt(print_, *found)
        return found[0]

    def peek(self, print_: str, digest: str | None = None) -> tuple[str, str | None] | None:
        """The page kept under ``print_`` and its content digest (None: not known), or None.

        Only looks: :meth:`adopt` records that this build shows it. Either process of a build
        may look (:class:`monograph.adapter.fill.FillAhead`); the build adopts what it shows.
        ``digest``: the page's content digest as the other process hashed it when it read the
        file, taken as it is (a name is a fingerprint: its file is only ever written with the
        same bytes), so the bytes are not hashed again.
        """
        if self.folder is None:
            return None
        name = self._name(print_)
        found = _IN_MEMORY.get(name)
        if found is None:
            # Read as written (bytes, decoded as put wrote them: no newline translation, which
            # would also turn a "\r" of the page into "\n"), without pathlib's per-call cost.
            try:
                with open(os.path.join(self.folder, name), "rb") as stream:
                    data = stream.read()
                found = (data.decode("utf-8", "surrogatepass"), digest or content_digest(data))
            except (OSError, UnicodeDecodeError):
                return None
            _IN_MEMORY[name] = found
        elif not (path := self.folder / name).is_file():  # kept by another site of this
            self._write(path, found[0])  # process: this folder needs it too
        return found

    def adopt(self, print_: str, page_html: str, digest: str | None) -> None:
        """This build shows the page kept under ``print_`` (:meth:`peek`): it stays kept."""
        name = self._name(print_)
        self.used.add(name)
        self.reused += 1
        _IN_MEMORY.setdefault(name, (page_html, digest))

    def digest_of(self, print_: str) -> str | None:
        """The content digest of the page kept under ``print_``, when known (see :meth:`get`)."""
        found = _IN_MEMORY.get(self._name(print_))
        return None if found is None else found[1]

    def put(self, print_: str | None, page_html: str) -> str | None:
        """Keep ``page_html`` under ``print_`` (never fails the build); return its digest.

        The digest is :func:`.page_links.content_digest` of the bytes written, None when
        nothing was written (no folder, no fingerprint, a folder that cannot be written).
        """
        if self.folder is None or print_ is None:
            return None
        path = self._path(print_)
        self.used.add(path.name)
        data = page_html.encode("utf-8", "surrogatepass")
        digest = content_digest(data)
        _IN_MEMORY[path.name] = (page_html, digest)
        try:
            write_atomically(path, data)
        except OSError:
            return None  # a read-only checkout still builds; it fills every page next time too
        return digest

    @staticmethod
    def _write(path: Path, page_html: str) -> None:
        try:
            write_atomically(path, page_html)
        except OSError:
            return  # a read-only checkout still builds; it fills every page next time too

    def kept_elsewhere(self, print_: str, page_html: str, digest: str) -> None:
        """Note a page another process of this build kept (:meth:`put`) under ``print_``."""
        if self.folder is None:
            return
        name = self._name(print_)
        self.used.add(name)
        _IN_MEMORY[name] = (page_html, digest)

    def finish(self) -> None:
        """Remove kept pages this build did not use (edited pages' old versions, old engines)."""
        if self.folder is None or not self.used:
            return
        for name in [name for name in _IN_MEMORY if name.startswith(self.prefix)]:
            if name not in self.used:
                del _IN_MEMORY[name]
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            if name.endswith(".html") and name not in self.used:
                try:
                    (self.folder / name).unlink()
                except OSError:
                    continue
