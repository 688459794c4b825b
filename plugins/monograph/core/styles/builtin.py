"""The built-in Vancouver style behind the style seam: pybtex formats, the engine numbers.

This is the fast path and the default: entries are formatted by the pybtex style in
:mod:`.vancouver`, citations are written by the engine (``[1, 4–6]``), lists are in number order.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from pybtex.backends.html import Backend as HtmlBackend
from pybtex.backends.plaintext import Backend as TextBackend
from pybtex.exceptions import PybtexError
from pybtex.richtext import Text

from .base import CitedItem, FormattedReference, StyledCitation, StyleKind, narrative_names
from .latex import plain_text
from .vancouver import STYLE_VERSION, VancouverStyle, identifier_links

if TYPE_CHECKING:
    from ..bibliography.loading import Bibliography
    from ..model import CitationGroup, Problem


class SafeHtmlBackend(HtmlBackend):  # type: ignore[misc]
    """pybtex's HTML backend, minus the stray ``bibtex-protected`` spans, with escaped URLs."""

    symbols: ClassVar[dict[str, str]] = {**HtmlBackend.symbols, "newblock": " "}

    def format_protected(self, text: str) -> str:
        """Braces only protect capitalisation in BibTeX; they carry no meaning on the web."""
        return text

    @staticmethod
    def format_href(url: str, text: str, external: bool = False) -> str:
        """Links with the URL escaped (pybtex inserts it verbatim)."""
        return f'<a href="{html.escape(url, quote=True)}">{text}</a>' if text else ""


_PYBTEX_STYLE = VancouverStyle()


def format_reference(bib: Bibliography, key: str) -> FormattedReference:
    """Format one entry in Vancouver (no caching); a missing field degrades to what it has."""
    entry = bib.entry(key)
    try:
        rich = _PYBTEX_STYLE.format_entry(key, entry).text
    except PybtexError:  # reported by check_required_fields; never crash a build on it
        rich = Text(plain_text(str(entry.fields.get("title", key))), ".")
    links = identifier_links(entry.fields)
    full = Text(rich, " ", links) if links else rich
    note = plain_text(str(entry.fields.get("note", "")))
    return FormattedReference(
        html=full.render(SafeHtmlBackend()),
        text=full.render(TextBackend()),
        narrative=narrative_names(bib, key),
        note=note,
    )


class VancouverReferences:
    """Vancouver (NLM), built in: numeric, citations written by the engine."""

    name = "vancouver"
    kind: StyleKind = "numeric"
    version = STYLE_VERSION

    def __init__(self) -> None:
        self.problems: list[Problem] = []  # check_required_fields reports Vancouver's

    def prepare(self, bib: Bibliography, keys: Sequence[str]) -> list[Problem]:
        """Nothing to prepare: every entry is formatted on its own."""
        return []

    def entry_context(self, key: str) -> str:
        """A Vancouver reference depends on its entry alone."""
        return ""

    def format_entry(self, bib: Bibliography, key: str) -> FormattedReference:
        """See :func:`format_reference`."""
        return format_reference(bib, key)

    def order(self, keys: Sequence[str], numbers: dict[str, int]) -> list[str]:
        """Number order."""
        return sorted(keys, key=numbers.__getitem__)

    def render_citation(
        self, group: CitationGroup, items: Sequence[CitedItem]
    ) -> StyledCitation | None:
        """The engine writes Vancouver citations (bracketed numbers, ranges)."""
        return None


def vancouver(options: object = None) -> VancouverReferences:
    """Entry point ``monograph.styles: vancouver``."""
    return VancouverReferences()
