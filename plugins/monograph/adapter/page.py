"""Per-page context: where one page's citations and markers go while MkDocs converts it.

One :class:`PageContext` exists per page. It holds what the page needs of the build (the
bibliography and the registry of citations) and nothing else: no plugin, no other page. The
Markdown extension hands it each citation and marker; the plugin asks it, once all pages are read,
to expand the markers that need the whole site, passing in what those need.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from mkdocs.structure.pages import Page

from ..core.bibliography.loading import Bibliography
from ..core.citations.registry import CitationRegistry, fill, marker_token, token
from ..core.evidence.render import InterventionSummary, render_evidence_summary
from ..core.evidence.validation import PageEvidence, parse_page_evidence
from ..core.markers import MARKERS, missing_data_message, unknown_marker_message
from ..core.model import CitationGroup, CitationItem, Problem
from ..core.rendering.review import read_reviewed
from ..core.source.locate import SourceLocator
from ..core.source.yaml_lines import (
    duplicate_keys,
    front_matter_lines,
    front_matter_problem,
    line_of,
)
from ..core.urls import relative_url


def _first_line(source: str, markdown: str) -> int:
    """The file line where MkDocs' Markdown (front matter removed) starts."""
    if markdown and source.endswith(markdown):
        return source.count("\n", 0, len(source) - len(markdown)) + 1
    return 1


class PageContext:
    r"""Receives the citations and markers of one page.

    Attributes:
        problems: Problems found while reading the page (front matter, evidence data).
        late_problems: Problems found while converting it (markers).
        evidence: The page's validated evidence data, if it has any.
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
    ) -> None:
        self.page = page
        self.path = path
        self.bib = bib
        self.registry = registry
        self.source = source
        self.locator = SourceLocator(markdown, _first_line(source, markdown))
        self.problems: list[Problem] = []
        self.late_problems: list[Problem] = []
        self.has_bibliography = False
        self.bibliography_line: int | None = None
        self.full_bibliography = False
        self.has_references = False
        self.markers_seen: set[str] = set()
        dropped = front_matter_problem(source, page.meta, path=path)
        if dropped is not None:
            self.problems.append(dropped)
        self.problems += duplicate_keys(source, path=path)
        self.evidence: PageEvidence | None
        self.evidence, problems = parse_page_evidence(
            page.meta, path=path, source=source, known_keys=bib.lower_keys, suggest=bib.suggest
        )
        self.problems += problems
        self.reviewed: dt.date | None
        self.reviewed, problem = read_reviewed(
            page.meta.get("reviewed"), source=source, path=path, require=require_reviewed
        )
        if problem is not None:
            self.problems.append(problem)

    def cite(self, group: CitationGroup) -> str:
        """Register a citation written in the page; return its token."""
        line = self.locator.line_of(group.source)
        return self.registry.register(replace(group, path=self.path, line=line))

    def cite_keys(self, keys: Sequence[str]) -> str:
        """Register a citation made by generated content (evidence tables)."""
        group = CitationGroup(tuple(CitationItem(key) for key in keys), path=self.path)
        return self.registry.register(group)

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
        if self.evidence is None and any(p.code.startswith("evidence.") for p in self.problems):
            return ""  # the data is broken and already reported: render nothing, add nothing
        if self.evidence is None or marker.render is None or not marker.has_data(self.evidence):
            self._late("evidence.missing", missing_data_message(marker), line)
            return ""
        return marker.render(self.evidence, self.cite_keys, self.bib.year_of)

    def misplaced_marker(self, name: str, source: str) -> None:
        """A marker indented or after other text: not expanded, so say so."""
        self._late(
            "marker.misplaced",
            f"marker 'monograph:{name}' is not alone at the start of its line, so it is "
            "ignored; put it on a line of its own, without indentation",
            self.locator.line_of(source.strip()),
        )

    def unplaced_data(self) -> list[Problem]:
        """Evidence or claims in the front matter with no marker to show them on the page."""
        if self.evidence is None:
            return []
        problems = []
        lines = front_matter_lines(self.source)
        for marker in MARKERS.values():
            if marker.site_wide or marker.name in self.markers_seen:
                continue
            if not marker.has_data(self.evidence):
                continue
            problems.append(
                Problem(
                    "evidence.unplaced",
                    f"the front matter has '{marker.data}' data but the page has no "
                    f"'<!-- monograph:{marker.name} -->' marker, so the table is not shown; "
                    "add the marker where the table belongs, alone on its line",
                    self.path,
                    line_of(lines, (marker.data,)) or 1,
                )
            )
        return problems

    def _late(self, code: str, message: str, line: int | None) -> None:
        self.late_problems.append(Problem(code, message, self.path, line))

    def expand_site_markers(
        self, evidence_pages: Sequence[tuple[str, str, PageEvidence]], condition: str
    ) -> None:
        """Fill the evidence summary from every page's evidence data.

        Arguments:
            evidence_pages: ``(title, url, evidence)`` of each page with evidence rows, in
                navigation order.
            condition: The site's condition, as the summary names it.
        """
        html = self.page.content or ""
        if marker_token("evidence-summary") not in html:
            return
        items = [
            InterventionSummary(title, relative_url(url, self.page.url), evidence)
            for title, url, evidence in evidence_pages
        ]
        summary = render_evidence_summary(items, cite=self.cite_keys, condition=condition)

        def replace_marker(kind: str, value: str) -> str:
            return summary if value == "evidence-summary" else token(kind, value)

        self.page.content = fill(html, replace_marker)
