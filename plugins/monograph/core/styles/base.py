"""The style seam: what every reference style offers the engine, whatever formats its entries.

A style formats one entry for a reference list (:meth:`ReferenceStyle.format_entry`) and, when it
has its own way of writing in-text citations (an author-date style, or a CSL style's brackets and
locators), renders a citation group (:meth:`ReferenceStyle.render_citation`). The built-in
Vancouver style leaves citations to the engine (``[1, 4–6]``) and lists works in number order; a
CSL style (:mod:`.csl`) does what its file says. Styles are found by name (:mod:`.registry`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from ..bibliography.loading import Bibliography
    from ..model import CitationGroup, CitationItem, Problem

#: ``numeric``: works are numbered site-wide and lists are in number order. ``author-date``:
#: citations name authors and years and lists are sorted as the style says.
StyleKind = Literal["numeric", "author-date"]


@dataclass(frozen=True)
class FormattedReference:
    r"""One entry, formatted.

    Attributes:
        html: The reference as HTML (escaped text, ``<em>`` where BibTeX has ``\\emph``, links).
        text: The same as plain text, for tooltips.
        narrative: Author names for a narrative citation ("Cuellar and Ratcliffe").
        note: The entry's ``note`` field as plain text.
    """

    html: str
    text: str
    narrative: str
    note: str


@dataclass(frozen=True)
class CitedItem:
    """One known work in a citation group, as the style sees it.

    Attributes:
        key: The key as spelled in the bibliography.
        item: The item as written (prefix, locator, suppressed author).
        number: The work's site-wide number.
    """

    key: str
    item: CitationItem
    number: int


@dataclass(frozen=True)
class StyledWork:
    """One work of a citation as the style writes it; the engine puts it in its link.

    Attributes:
        index: The work's place in the items the style was given.
        html: The style's HTML for it (``1``, ``Smith, 2020, p. 4``), without the link.
    """

    index: int
    html: str


@dataclass(frozen=True)
class StyledRange:
    """A run of works the style collapses into a range (``1–3``, CSL ``collapse``).

    Attributes:
        first: The first work, shown.
        hidden: The places (as :attr:`StyledWork.index`) of the works between, not shown.
        last: The last work, shown.
        delimiter: The style's range delimiter, as text (``–``).
        labels: What a screen reader reads for each hidden work, as escaped text without
            markup (``2020b`` in ``2020a–c``); none: the works' numbers (``1–3``).
    """

    first: StyledWork
    hidden: tuple[int, ...]
    last: StyledWork
    delimiter: str
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class StyledCitation:
    """An in-text citation as a style writes it, for the engine to link and wrap.

    The engine links each work and wraps the whole through the ``styled`` macro of the template
    ``monograph/citation.html`` (which a site may override), the authors' names first when
    ``narrative``.

    Attributes:
        parts: The citation in order: the style's own HTML (brackets, delimiters, prefixes)
            as strings, each work as a :class:`StyledWork`, each collapsed run as a
            :class:`StyledRange`.
        narrative: A narrative citation (``@key``): the names of the authors go before it.
    """

    parts: tuple[str | StyledWork | StyledRange, ...]
    narrative: bool = False


class ReferenceStyle(Protocol):
    """A reference style the engine can use (built-in Vancouver, or a CSL style file)."""

    name: str
    kind: StyleKind
    #: Changes whenever the output of the style changes; part of the reference cache's key.
    version: str
    #: Entries the style could not format, found while formatting (reported after the build).
    problems: list[Problem]
    #: A page's citations and reference list depend only on that page's works (their numbers and
    #: references). False for a style that sorts or tells ``2019a`` from ``2019b`` across the
    #: whole site; a style that does not say is taken to read the whole site.
    page_local: bool
    #: Each entry's reference depends on that entry alone, never on :meth:`prepare` or on the
    #: other works cited, so entries may be formatted before the pages are read, in another
    #: process (:mod:`.ahead`). A style that does not say is taken to depend on them.
    formats_alone: bool

    def prepare(self, bib: Bibliography, keys: Sequence[str]) -> list[Problem]:
        """Meet the works of this build, in number order, before anything is formatted.

        An author-date style sorts them and tells ``2019a`` from ``2019b`` here. Returns
        problems (an entry the style cannot format) to report.
        """

    def entry_context(self, key: str) -> str:
        """What, beyond the entry itself, its formatted reference depends on (cache key)."""

    def format_entry(self, bib: Bibliography, key: str) -> FormattedReference:
        """Format one entry for a reference list (never raises)."""

    def order(self, keys: Sequence[str], numbers: dict[str, int]) -> list[str]:
        """The keys in the order a reference list shows them."""

    def render_citation(
        self, group: CitationGroup, items: Sequence[CitedItem]
    ) -> StyledCitation | None:
        """One in-text citation of known works, or None to let the engine write it."""


def narrative_names(bib: Bibliography, key: str) -> str:
    """Names for a narrative citation: ``Trotti``, ``Trotti and Becker``, ``Smith et al.``."""
    from .latex import plain_text  # pybtex's rich text: loaded only when something is formatted

    entry = bib.entry(key)
    persons = list(entry.persons.get("author") or entry.persons.get("editor") or ())
    surnames = [
        " ".join(plain_text(n) for n in p.prelast_names + p.last_names)
        for p in persons
        if str(p) != "others"
    ]
    if not surnames:
        return plain_text(str(entry.fields.get("title", key)))
    if len(surnames) == 1 and len(persons) == 1:
        return surnames[0]
    if len(surnames) == 2 and len(persons) == 2:
        return f"{surnames[0]} and {surnames[1]}"
    return f"{surnames[0]} et al."
