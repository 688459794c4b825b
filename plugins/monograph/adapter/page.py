"""Per-page glue between MkDocs and the core: where a page's citations and markers go.

One :class:`MkDocsPageSink` exists per page. The Markdown extension hands it each citation and
marker while the page is converted; the plugin asks it, once all pages are read, to expand the
markers that need the whole site.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from mkdocs.structure.pages import Page

from ..core.citations.registry import MARKERS, fill, marker_token
from ..core.evidence.render import (
    InterventionSummary,
    render_claims_table,
    render_evidence_summary,
    render_evidence_table,
)
from ..core.evidence.validation import PageEvidence, parse_page_evidence
from ..core.model import CitationGroup, CitationItem, Problem
from ..core.rendering.review import parse_reviewed
from ..core.source.locate import SourceLocator
from ..core.source.yaml_lines import (
    duplicate_keys,
    front_matter_lines,
    front_matter_problem,
    line_of,
)
from ..core.urls import relative_url

if TYPE_CHECKING:
    from .plugin import MonographPlugin


def _first_line(source: str, markdown: str) -> int:
    """The file line where MkDocs' Markdown (front matter removed) starts."""
    if markdown and source.endswith(markdown):
        return source.count("\n", 0, len(source) - len(markdown)) + 1
    return 1


class MkDocsPageSink:
    """Receives the citations and markers of one page.

    Attributes:
        problems: Problems found while reading the page (front matter, evidence data).
        late_problems: Problems found while converting it (markers).
        evidence: The page's validated evidence data, if it has any.
        has_bibliography: The page holds the site bibliography marker.
    """

    def __init__(self, plugin: MonographPlugin, page: Page, path: str, markdown: str) -> None:
        self.plugin = plugin
        self.page = page
        self.path = path
        source = plugin.page_sources.get(page.file.src_uri)
        if source is None:
            source = page.file.content_string
        self.source = source
        self.locator = SourceLocator(markdown, _first_line(source, markdown))
        self.problems: list[Problem] = []
        self.late_problems: list[Problem] = []
        self.has_bibliography = False
        self.bibliography_line: int | None = None
        self.markers_seen: set[str] = set()
        dropped = front_matter_problem(source, page.meta, path=path)
        if dropped is not None:
            self.problems.append(dropped)
        self.problems += duplicate_keys(source, path=path)
        bib = plugin.bib
        self.evidence: PageEvidence | None
        self.evidence, problems = parse_page_evidence(
            page.meta, path=path, source=source, known_keys=bib.lower_keys, suggest=bib.suggest
        )
        self.problems += problems
        self.reviewed = self._reviewed(source, require=plugin.config.require_reviewed)

    def _reviewed(self, source: str, *, require: bool) -> dt.date | None:
        value = self.page.meta.get("reviewed")
        date = parse_reviewed(value) if value is not None else None
        if date is None and (value is not None or require):
            line = line_of(front_matter_lines(source), ("reviewed",)) if value else 1
            what = f"reviewed: {value!r} is not a date" if value else "no 'reviewed:' date"
            self.problems.append(
                Problem(
                    "page.reviewed",
                    f"{what}; add 'reviewed: YYYY-MM-DD' to the front "
                    "matter (the day the page was last checked against its sources)",
                    self.path,
                    line,
                )
            )
        return date

    def cite(self, group: CitationGroup) -> str:
        """Register a citation written in the page; return its token."""
        line = self.locator.line_of(group.source)
        return self.plugin.registry.register(replace(group, path=self.path, line=line))

    def cite_keys(self, keys: Sequence[str]) -> str:
        """Register a citation made by generated content (evidence tables)."""
        group = CitationGroup(tuple(CitationItem(key) for key in keys), path=self.path)
        return self.plugin.registry.register(group)

    def marker(self, name: str, source: str) -> str:
        """HTML for a marker line: a token for site-wide markers, a table for page markers."""
        line = self.locator.line_of(source.strip())
        if name not in MARKERS:
            guess = difflib.get_close_matches(name, MARKERS, n=1)
            hint = f"did you mean 'monograph:{guess[0]}'?" if guess else f"use one of {MARKERS}"
            self._late("marker.unknown", f"unknown marker 'monograph:{name}'; {hint}", line)
            return ""
        self.markers_seen.add(name)
        if name == "bibliography":
            if self.has_bibliography:
                self._late(
                    "marker.duplicate",
                    "a second 'monograph:bibliography' marker on this page; keep one",
                    line,
                )
                return ""
            self.has_bibliography = True
            self.bibliography_line = line
        if name in ("bibliography", "evidence-summary"):
            return marker_token(name)
        if self.evidence is None and any(p.code.startswith("evidence.") for p in self.problems):
            return ""  # the data is broken and already reported: render nothing, add nothing
        has_data = self.evidence is not None and (
            self.evidence.rows if name == "evidence" else self.evidence.claims
        )
        if self.evidence is None or not has_data:
            self._late(
                "evidence.missing",
                f"marker 'monograph:{name}' but the front matter has no valid "
                f"{'evidence' if name == 'evidence' else 'claims'} data; "
                "add it or remove the marker",
                line,
            )
            return ""
        assert self.evidence is not None  # for mypy: has_data implies it
        if name == "claims":
            return render_claims_table(self.evidence, cite=self.cite_keys)
        return render_evidence_table(
            self.evidence, cite=self.cite_keys, year_of=self.plugin.bib.year_of
        )

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
        problems = []
        lines = front_matter_lines(self.source) if self.evidence else {}
        for name, key in (("evidence", "rows"), ("claims", "claims")):
            if self.evidence is None or not getattr(self.evidence, key):
                continue
            if name in self.markers_seen:
                continue
            problems.append(
                Problem(
                    "evidence.unplaced",
                    f"the front matter has '{name}' data but the page has no "
                    f"'<!-- monograph:{name} -->' marker, so the table is not shown; add the "
                    "marker where the table belongs, alone on its line",
                    self.path,
                    line_of(lines, (name,)) or 1,
                )
            )
        return problems

    def _late(self, code: str, message: str, line: int | None) -> None:
        self.late_problems.append(Problem(code, message, self.path, line))

    def expand_site_markers(self, pages: Sequence[Page]) -> None:
        """Fill the evidence summary, which needs every page's evidence data."""
        html = self.page.content or ""
        if marker_token("evidence-summary") not in html:
            return
        items = [
            InterventionSummary(
                p.title or p.file.name, relative_url(p.url, self.page.url), sink.evidence
            )
            for p in pages
            if (sink := self.plugin.sinks.get(p.file.src_uri))
            and sink.evidence
            and sink.evidence.rows
        ]
        summary = render_evidence_summary(items, cite=self.cite_keys)

        def replace_marker(kind: str, value: str) -> str:
            token = f"<!--monograph-{kind}:{value}-->"
            return summary if value == "evidence-summary" else token

        self.page.content = fill(html, replace_marker)
