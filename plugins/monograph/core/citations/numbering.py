"""Site-wide Vancouver numbering: one number per work, in order of first citation."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from ..bibliography.loading import Bibliography
from ..ids import cite_id
from .registry import TOKEN_RE, CitationRegistry


@dataclass(frozen=True)
class PageInfo:
    """What the engine needs to know of a page: identity, URL, title and converted HTML.

    Attributes:
        id: A stable page identifier (its source path).
        url: Site-relative URL (``interventions/iron/``).
        title: Page title, for back-links.
        html: The converted content, still holding tokens.
        part: Title of the part (navigation section) the page is in, or ``""``; back-links
            name it, so two pages called "Iron" stay apart ("Mechanisms › Iron").
    """

    id: str
    url: str
    title: str
    html: str
    part: str = ""

    @functools.cached_property  # a frozen dataclass's __dict__ still takes it
    def label(self) -> str:
        """The page's name in back-links: ``Mechanisms › Iron``, or the title alone."""
        if self.part and self.part != self.title:
            return f"{self.part} › {self.title}"
        return self.title


class Place(NamedTuple):
    """One place that cites a work: the page and the id of the citation element.

    A named tuple, not a frozen dataclass: a build makes one per citation of a work (7,000 in a
    site of 200 pages), and a frozen dataclass sets each field through ``object.__setattr__``.
    """

    page: PageInfo
    anchor: str


@dataclass
class Numbering:
    """The result: numbers by key, citing places by key, and element ids per citation group.

    Keys are canonical (spelled as in ``refs.bib``); unknown keys get no number.
    """

    numbers: dict[str, int] = field(default_factory=dict)
    places: dict[str, list[Place]] = field(default_factory=dict)
    anchors: dict[int, tuple[str, ...]] = field(default_factory=dict)
    page_keys: dict[str, list[str]] = field(default_factory=dict)
    #: ``places`` by page URL, then by key (see :meth:`places_at`); made on first use.
    _by_url: dict[str, dict[str, list[Place]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def places_at(self, url: str) -> dict[str, list[Place]]:
        """The places on the page at ``url``, by key: ``places`` filtered by the page's URL.

        Each key's places keep their order. Indexed in one pass over ``places`` on first use,
        once the numbering is complete (a page's fill reads its own places; scanning every
        cited work's places for each page would read each place once per page citing it).
        """
        if self._by_url is None:
            by_url: dict[str, dict[str, list[Place]]] = {}
            for key, places in self.places.items():
                for place in places:
                    by_url.setdefault(place.page.url, {}).setdefault(key, []).append(place)
            self._by_url = by_url
        return self._by_url.get(url, {})

    def ordered(self) -> list[str]:
        """Keys in number order."""
        return sorted(self.numbers, key=self.numbers.__getitem__)


def number_citations(
    pages: Sequence[PageInfo],
    registry: CitationRegistry,
    bib: Bibliography,
    nocite: Collection[str] = (),
) -> Numbering:
    """Number every cited work, walking pages in navigation order and tokens in document order.

    ``nocite`` keys that no page cites are numbered after all cited works, as Pandoc does.
    """
    result = Numbering()
    numbers, places = result.numbers, result.places
    groups = registry.groups
    # Per key as written: as refs.bib spells it, and whether it is there (asked once per key,
    # not once per citation).
    known: dict[str, tuple[str, bool]] = {}
    for page in pages:
        seen_on_page: dict[str, int] = {}
        keys_on_page: dict[str, None] = {}  # in order of first citation
        for kind, value in TOKEN_RE.findall(page.html):  # as registry.scan, in one call
            if kind != "cite":
                continue
            group_id = int(value)
            anchors = []
            for key in groups[group_id].keys:
                found = known.get(key)
                if found is None:
                    found = known[key] = (bib.canonical_key(key), key in bib)
                canonical, in_bib = found
                seen = seen_on_page[canonical] = seen_on_page.get(canonical, 0) + 1
                anchor = cite_id(canonical, seen)
                anchors.append(anchor)
                if not in_bib:
                    continue
                if canonical not in numbers:
                    numbers[canonical] = len(numbers) + 1
                place = Place(page, anchor)
                if canonical in places:
                    places[canonical].append(place)
                else:
                    places[canonical] = [place]
                keys_on_page[canonical] = None
            result.anchors[group_id] = tuple(anchors)
        result.page_keys[page.id] = list(keys_on_page)
    for key in nocite:
        if key in bib:
            numbers.setdefault(bib.canonical_key(key), len(numbers) + 1)
    return result
