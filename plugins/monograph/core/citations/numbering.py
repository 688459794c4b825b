"""Site-wide Vancouver numbering: one number per work, in order of first citation."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from ..bibliography.loading import Bibliography
from ..ids import cite_id
from .registry import CitationRegistry, scan


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

    @property
    def label(self) -> str:
        """The page's name in back-links: ``Mechanisms › Iron``, or the title alone."""
        if self.part and self.part != self.title:
            return f"{self.part} › {self.title}"
        return self.title


@dataclass(frozen=True)
class Place:
    """One place that cites a work: the page and the id of the citation element."""

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
    for page in pages:
        seen_on_page: dict[str, int] = {}
        keys_on_page: list[str] = []
        for kind, value in scan(page.html):
            if kind != "cite":
                continue
            group_id = int(value)
            anchors = []
            for key in registry.groups[group_id].keys:
                canonical = bib.canonical_key(key)
                seen_on_page[canonical] = seen_on_page.get(canonical, 0) + 1
                anchor = cite_id(canonical, seen_on_page[canonical])
                anchors.append(anchor)
                if key not in bib:
                    continue
                result.numbers.setdefault(canonical, len(result.numbers) + 1)
                result.places.setdefault(canonical, []).append(Place(page, anchor))
                if canonical not in keys_on_page:
                    keys_on_page.append(canonical)
            result.anchors[group_id] = tuple(anchors)
        result.page_keys[page.id] = keys_on_page
    for key in nocite:
        if key in bib:
            result.numbers.setdefault(bib.canonical_key(key), len(result.numbers) + 1)
    return result
