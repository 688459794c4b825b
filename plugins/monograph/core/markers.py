"""The one table of markers: lines such as ``<!-- monograph:evidence -->`` that ask for content.

The Markdown extension finds marker lines with :data:`MARKER_LINE`; the adapter looks each name
up in :data:`MARKERS` to learn what it stands for. A page marker (an evidence table) is filled
while its page is converted; a site-wide marker (the bibliography, the evidence summary) leaves a
token that is filled once every page is read.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from .evidence.kept import KeptEvidence  # no pydantic: what a build kept of a page's evidence

if TYPE_CHECKING:  # the evidence modules load pydantic: imported only for a page with evidence
    from .evidence.render import CiteFn
    from .evidence.validation import PageEvidence

#: A marker alone on its line, as written in Markdown; group 1 is its name.
MARKER_LINE = re.compile(r"^<!--\s*monograph:([\w-]+)\s*-->\s*$")
#: A marker indented by one to three spaces or after other text is an invisible HTML comment,
#: not a marker (four spaces or a tab make it an indented code block, shown as written).
MISPLACED_MARKER = re.compile(
    # "\s*\S" (not ".*?\S"): the first non-space is found once, so a long line costs linear time.
    r"^(?! {4}|\t)(?P<before>\s*\S.*?| {1,3})<!--\s*monograph:([\w-]+)\s*-->"
)

YearOf = Callable[[str], int | None]


def _evidence(evidence: PageEvidence, cite: CiteFn, year_of: YearOf) -> str:
    from .evidence.render import render_evidence_table  # pydantic's models: only with evidence

    return render_evidence_table(evidence, cite=cite, year_of=year_of)


def _claims(evidence: PageEvidence, cite: CiteFn, year_of: YearOf) -> str:
    from .evidence.render import render_claims_table

    return render_claims_table(evidence, cite=cite)


@dataclass(frozen=True)
class Marker:
    """What a marker name stands for.

    Attributes:
        name: As written after ``monograph:``.
        site_wide: Filled once every page is read (it needs the whole site).
        reference_list: It places a list of works (the bibliography or the page's references).
        data: For a page marker, the front-matter list it renders (``evidence``/``claims``).
        render: For a page marker, the HTML from the page's evidence data.
    """

    name: str
    site_wide: bool
    reference_list: bool = False
    data: str = ""
    render: Callable[[PageEvidence, CiteFn, YearOf], str] | None = None

    def has_data(self, evidence: PageEvidence | KeptEvidence | None) -> bool:
        """Whether the page's evidence data holds what this page marker renders.

        The evidence is the validated model, or what a build kept of it (``has_data``).
        """
        if evidence is None or not self.data:
            return False
        if isinstance(evidence, KeptEvidence):
            return evidence.has_data(self.data)
        return bool(evidence.rows if self.data == "evidence" else evidence.claims)


MARKERS: Mapping[str, Marker] = MappingProxyType(
    {
        "bibliography": Marker("bibliography", site_wide=True, reference_list=True),
        # The site bibliography listing every entry, cited or not (mkdocs-bibtex's
        # \full_bibliography); it is the site bibliography, so one per site.
        "full-bibliography": Marker("full-bibliography", site_wide=True, reference_list=True),
        # The page's own reference list here instead of at the end (mkdocs-bibtex's \bibliography).
        "references": Marker("references", site_wide=True, reference_list=True),
        "evidence-summary": Marker("evidence-summary", site_wide=True),
        "evidence": Marker("evidence", site_wide=False, data="evidence", render=_evidence),
        "claims": Marker("claims", site_wide=False, data="claims", render=_claims),
    }
)


def unknown_marker_message(name: str, known: Sequence[str] = tuple(MARKERS)) -> str:
    """``unknown marker 'monograph:x'; did you mean ...`` for a name not in :data:`MARKERS`."""
    guess = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean 'monograph:{guess[0]}'?" if guess else f"use one of {tuple(known)}"
    return f"unknown marker 'monograph:{name}'; {hint}"


def missing_data_message(marker: Marker) -> str:
    """The problem of a page marker whose page has no data for it."""
    return (
        f"marker 'monograph:{marker.name}' but the front matter has no valid {marker.data} "
        "data; add it or remove the marker"
    )


def misplaced_marker_message(name: str) -> str:
    """The problem of a marker that is indented or follows other text (it is not expanded)."""
    return (
        f"marker 'monograph:{name}' is not alone at the start of its line, so it is "
        "ignored; put it on a line of its own, without indentation"
    )
