"""Per-page context: where one page's citations and markers go while MkDocs converts it.

One :class:`PageContext` exists per page. It holds what the page needs of the build (the
bibliography and the registry of citations) and nothing else: no plugin, no other page. The
Markdown extension hands it each citation and marker; the plugin asks it, once all pages are read,
to expand the markers that need the whole site, passing in what those need.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mkdocs.structure.pages import Page

from ..core.bibliography.loading import Bibliography
from ..core.citations.registry import CitationRegistry, fill, marker_token, token
from ..core.evidence.kept import KeptEvidence, KeptEvidenceFile
from ..core.markers import (
    MARKERS,
    Marker,
    unknown_marker_message,
)
from ..core.model import Problem
from ..core.page import (
    CitingPage,
    read_page_evidence,
    read_page_front_matter,
    render_summary,
    unplaced_data,
)
from ..core.source.locate import SourceLocator, markdown_start_line

if TYPE_CHECKING:  # pydantic: loaded only for a site with evidence data
    from ..core.evidence.validation import PageEvidence

#: The token of a page marker's table, before :meth:`PageContext.read_evidence` (``table-0``...).
_TABLE = "table-"


class PageContext(CitingPage):
    r"""Receives the citations and markers of one page.

    Attributes:
        problems: Problems found while reading the page (front matter, evidence data).
        late_problems: Problems found while converting it (markers).
        evidence: The page's validated evidence data, if it has any (the model, or what a build
            kept of it).
        has_bibliography: The page holds the site bibliography marker.
        full_bibliography: That marker asks for every entry (``\full_bibliography``).
        has_references: The page places its own reference list (``\bibliography``).
        bibliography_line: The line of that marker.
        markers_seen: Names of the markers the page holds.
        reviewed: The page's ``reviewed:`` date, if it has a valid one.
    """

    def __init__(
        self,
        page: Page,
        path: str,
        markdown: str,
        *,
        source: str,
        bib: Bibliography,
        registry: CitationRegistry,
        require_reviewed: bool,
        kept: KeptEvidenceFile | None = None,
    ) -> None:
        self.page = page
        self.path = path
        self.bib = bib
        self.registry = registry
        self.source = source
        self.locator = SourceLocator(markdown, markdown_start_line(source, markdown))
        self.problems: list[Problem] = []
        self.late_problems: list[Problem] = []
        self.has_bibliography = False
        self.bibliography_line: int | None = None
        self.full_bibliography = False
        self.has_references = False
        self.markers_seen: set[str] = set()
        self.kept = kept
        #: The page markers met (evidence, claims) and their lines, by the token left for each:
        #: their tables are made by :meth:`read_evidence`.
        self.tables: list[tuple[Marker, int | None]] = []
        # The evidence data waits for read_evidence, once every page is converted: it reads the
        # bibliography (keys, years), which a cold build parses meanwhile in a second process.
        front = read_page_front_matter(
            page.meta,
            source=source,
            path=path,
            bib=bib,
            require_reviewed=require_reviewed,
            evidence=False,
        )
        self.evidence: PageEvidence | KeptEvidence | None = None
        self.reviewed: dt.date | None = front.reviewed
        self.problems += front.problems

    def marker(self, name: str, source: str) -> str:
        """HTML for a marker line: a token for site-wide markers, a table for page markers."""
        line = self.locator.line_of(source.strip())
        marker = MARKERS.get(name)
        if marker is None:
            self._late("marker.unknown", unknown_marker_message(name), line)
            return ""
        self.markers_seen.add(name)
        if name in ("bibliography", "full-bibliography"):
            if self.has_bibliography:
                self._late(
                    "marker.duplicate",
                    "a second bibliography ('monograph:bibliography' or \\full_bibliography) "
                    "on this page; keep one",
                    line,
                )
                return ""
            self.has_bibliography = True
            self.bibliography_line = line
            self.full_bibliography = name == "full-bibliography"
            return marker_token("bibliography")
        if name == "references":
            if self.has_references:
                self._late(
                    "marker.duplicate",
                    "a second reference list ('monograph:references' or \\bibliography) on this "
                    "page; keep one",
                    line,
                )
                return ""
            self.has_references = True
        if marker.site_wide:
            return marker_token(name)
        self.tables.append((marker, line))
        return marker_token(f"{_TABLE}{len(self.tables) - 1}")

    def read_evidence(self) -> list[Problem]:
        """Read the page's evidence data, and put its tables where its markers are.

        Called once every page is converted and the bibliography is there. The tables' citations
        are registered now, in the page's order; numbers follow the tokens' places on the pages,
        so they are those of tables made during conversion. Returns the data's problems (also
        kept in :attr:`problems`, where a table looks for them).
        """
        self.evidence, problems = read_page_evidence(
            self.page.meta, source=self.source, path=self.path, bib=self.bib, kept=self.kept
        )
        self.problems += problems
        if self.tables:

            def table(kind: str, value: str) -> str:
                if kind == "marker" and value.startswith(_TABLE):
                    marker, line = self.tables[int(value.removeprefix(_TABLE))]
                    return self.page_table(marker, line)
                return token(kind, value)

            self.page.content = fill(self.page.content or "", table)
        return problems

    def unplaced_data(self) -> list[Problem]:
        """Evidence or claims in the front matter with no marker to show them on the page."""
        return unplaced_data(
            self.evidence, source=self.source, path=self.path, markers_seen=self.markers_seen
        )

    def _late(self, code: str, message: str, line: int | None) -> None:
        self.late_problems.append(Problem(code, message, self.path, line))

    report = _late

    def expand_site_markers(
        self,
        evidence_pages: Sequence[tuple[str, str, PageEvidence | KeptEvidence]],
        condition: str,
        kept: KeptEvidenceFile | None = None,
    ) -> None:
        """Fill the evidence summary from every page's evidence data.

        Arguments:
            evidence_pages: ``(title, url, evidence)`` of each page with evidence rows, in
                navigation order.
            condition: The site's condition, as the summary names it.
            kept: What earlier builds kept of the evidence (the summary too), if anything.
        """
        html = self.page.content or ""
        if marker_token("evidence-summary") not in html:
            return
        summary = render_summary(
            evidence_pages,
            page_url=self.page.url,
            condition=condition,
            cite=self.cite_keys,
            kept=kept,
        )

        def replace_marker(kind: str, value: str) -> str:
            return summary if value == "evidence-summary" else token(kind, value)

        self.page.content = fill(html, replace_marker)
