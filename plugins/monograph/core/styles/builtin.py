"""The built-in Vancouver style behind the style seam: pybtex formats, the engine numbers.

This is the fast path and the default: entries are formatted by the pybtex style in
:mod:`.vancouver`, citations are written by the engine (``[1, 4–6]``), lists are in number order.
pybtex's formatting machinery loads only when an entry is formatted: a warm build, whose
references are all cached, never imports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .base import CitedItem, FormattedReference, StyledCitation, StyleKind

#: Bump when the output changes, so cached references are formatted again.
STYLE_VERSION = "vancouver-4"

if TYPE_CHECKING:
    from ..bibliography.loading import Bibliography
    from ..model import CitationGroup, Problem


class VancouverReferences:
    """Vancouver (NLM), built in: numeric, citations written by the engine."""

    name = "vancouver"
    kind: StyleKind = "numeric"
    version = STYLE_VERSION
    page_local = True  # numbers and references only: a page reads its own works
    formats_alone = True  # an entry's reference reads that entry only (see entry_context)

    def __init__(self) -> None:
        self.problems: list[Problem] = []  # check_required_fields reports Vancouver's

    def prepare(self, bib: Bibliography, keys: Sequence[str]) -> list[Problem]:
        """Nothing to prepare: every entry is formatted on its own."""
        return []

    def entry_context(self, key: str) -> str:
        """A Vancouver reference depends on its entry alone."""
        return ""

    def format_entry(self, bib: Bibliography, key: str) -> FormattedReference:
        """See :func:`.vancouver.format_reference`."""
        from .vancouver import format_reference

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
