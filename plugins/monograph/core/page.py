"""What the engine reads from one page's front matter, and what it asks of the page afterwards.

One home for both page contexts: the MkDocs adapter's ``adapter/page.PageContext`` (one page of
a site-wide build) and ``pagewise.PageCollector`` (a page converted on its own, under Zensical or
plain Python-Markdown). Both read the front matter once, with :func:`read_page_front_matter`,
and ask :func:`unplaced_data` once the page is converted.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .bibliography.loading import Bibliography
from .citations.registry import CitationRegistry
from .evidence import FRONT_MATTER_KEYS
from .evidence.kept import KeptEvidence, KeptEvidenceFile, KeptPage, KeptTable, digest
from .markers import MARKERS, Marker, YearOf, misplaced_marker_message, missing_data_message
from .model import CitationGroup, CitationItem, Problem
from .rendering.review import read_reviewed
from .source.locate import SourceLocator
from .source.yaml_lines import (
    YamlPath,
    duplicate_keys,
    front_matter_lines,
    front_matter_problem,
    front_matter_text,
    line_of,
)
from .urls import relative_url

if TYPE_CHECKING:  # the evidence modules load pydantic: imported only for a page with evidence
    from .evidence.render import CiteFn
    from .evidence.validation import PageEvidence


@dataclass
class PageFrontMatter:
    """What a page's front matter holds for the engine.

    Attributes:
        evidence: The page's validated evidence data, if it has any: the model, or what a build
            kept of it (:class:`~monograph.core.evidence.kept.KeptEvidence`, no pydantic).
        reviewed: Its ``reviewed:`` date, if it has a valid one.
        problems: Dropped or duplicated YAML, invalid evidence data, a bad or missing date, in
            that order.
    """

    evidence: PageEvidence | KeptEvidence | None = None
    reviewed: dt.date | None = None
    problems: list[Problem] = field(default_factory=list)


def read_page_front_matter(
    meta: Mapping[str, Any],
    *,
    source: str,
    path: str | None,
    bib: Bibliography,
    require_reviewed: bool,
    kept: KeptEvidenceFile | None = None,
    evidence: bool = True,
) -> PageFrontMatter:
    """Read the evidence data and the review date of a page, with every problem of its YAML.

    Arguments:
        meta: The front matter as the toolchain read it (MkDocs' ``page.meta``).
        source: The whole file as written (front matter included), for line numbers.
        path: The file to name in problems; None when the page has no file (plain
            Python-Markdown), and then problems carry no path and the YAML text is not
            compared with ``meta`` (the caller read it itself).
        bib: The bibliography, for the keys evidence rows cite (with "did you mean").
        require_reviewed: Every page needs a ``reviewed:`` date.
        kept: What earlier builds kept of pages' evidence: a page whose evidence and
            bibliography are unchanged is not validated again (neither is pydantic imported).
            Needs ``path``.
        evidence: Read the evidence data now; False leaves it to :func:`read_page_evidence`
            (the MkDocs adapter reads it once the bibliography is there: see its page context).
    """
    problems: list[Problem] = []
    if path is not None:
        dropped = front_matter_problem(source, meta, path=path)
        if dropped is not None:
            problems.append(dropped)
        problems += duplicate_keys(source, path=path)
    data: PageEvidence | KeptEvidence | None = None
    if evidence:
        data, evidence_problems = read_page_evidence(
            meta, source=source, path=path, bib=bib, kept=kept
        )
        problems += evidence_problems
    reviewed, problem = read_reviewed(
        meta.get("reviewed"), source=source, path=path or "", require=require_reviewed
    )
    if problem is not None:
        problems.append(replace(problem, path=path))
    return PageFrontMatter(data, reviewed, problems)


def read_page_evidence(
    meta: Mapping[str, Any],
    *,
    source: str,
    path: str | None,
    bib: Bibliography,
    kept: KeptEvidenceFile | None = None,
) -> tuple[PageEvidence | KeptEvidence | None, list[Problem]]:
    """A page's evidence data, validated or as kept, and its problems.

    The arguments are :func:`read_page_front_matter`'s.
    """
    if not any(name in meta for name in FRONT_MATTER_KEYS):
        return None, []
    if kept is not None and path is not None:
        return _kept_evidence(kept, meta, source=source, path=path, bib=bib)
    evidence, problems = _validate(meta, source=source, path=path or "", bib=bib)
    if path is None:
        problems = [replace(p, path=None) for p in problems]
    return evidence, problems


def _validate(
    meta: Mapping[str, Any], *, source: str, path: str, bib: Bibliography
) -> tuple[PageEvidence | None, list[Problem]]:
    """Validate a page's evidence data (imports pydantic)."""
    from .evidence.validation import parse_page_evidence  # pydantic: only with evidence

    return parse_page_evidence(
        meta, path=path, source=source, known_keys=bib.lower_keys, suggest=bib.suggest
    )


def bibliography_digest(bib: Bibliography) -> str:
    """A hash of what evidence reads of the bibliography.

    Its keys as spelled, in file order (unknown keys, "did you mean"), and their years (the
    order of rows).
    """
    return digest(
        "\n".join(bib.spelled.values()),
        "\n".join(f"{key} {year}" for key, year in sorted(bib.years.items())),
    )


def _render_with(
    render: Callable[[PageEvidence, CiteFn, YearOf], str],
    model: PageEvidence,
    year_of: YearOf,
    cite: CiteFn,
) -> str:
    """A page marker's table of ``model``, its citations made through ``cite``."""
    return render(model, cite, year_of)


def _kept_evidence(
    kept: KeptEvidenceFile, meta: Mapping[str, Any], *, source: str, path: str, bib: Bibliography
) -> tuple[KeptEvidence | PageEvidence | None, list[Problem]]:
    """A page's evidence and its problems, as kept by an earlier build or validated now.

    Validated now (and kept), the page's tables are rendered once with a cite that only notes
    its keys (:meth:`KeptTable.record`), so that a kept page and a validated one are put on
    the page alike: the same HTML, the same citations in the same order.
    """
    values = {name: meta[name] for name in FRONT_MATTER_KEYS if name in meta}
    key = kept.page_key(
        path=path, front_matter=front_matter_text(source) or source, values=repr(values)
    )

    def load() -> PageEvidence:
        model, problems = _validate(meta, source=source, path=path, bib=bib)
        assert model is not None and not problems, "a kept page had valid evidence"
        return model

    entry = kept.page(key)
    model: PageEvidence | None = None
    if entry is None:
        model, problems = _validate(meta, source=source, path=path, bib=bib)
        tables: dict[str, KeptTable] = {}
        for marker in MARKERS.values():
            render = marker.render
            if model is None or render is None or not marker.has_data(model):
                continue
            table = KeptTable.record(functools.partial(_render_with, render, model, bib.year_of))
            if table is None:  # not cut where it cites: the model is used as it is
                return model, problems
            tables[marker.data] = table
        rows = model is not None and bool(model.rows)
        entry = KeptPage(tuple(problems), rows, tables)
        kept.keep_page(key, entry)
    if entry.problems:
        return None, list(entry.problems)
    return KeptEvidence(key, entry.has_rows, entry.tables, model=model, load=load), []


def unplaced_data(
    evidence: PageEvidence | KeptEvidence | None,
    *,
    source: str,
    path: str | None,
    markers_seen: Collection[str],
) -> list[Problem]:
    """Evidence or claims in the front matter with no marker to show them on the page.

    Arguments:
        evidence: The page's evidence data (nothing to say without it).
        source: The whole file, for the line of the data's key.
        path: The file to name in problems (None: no path).
        markers_seen: Names of the markers the page holds.
    """
    if evidence is None:
        return []
    problems = []
    lines: dict[YamlPath, int] = {}  # read only when a problem needs its line
    for marker in MARKERS.values():
        if marker.site_wide or marker.name in markers_seen:
            continue
        if not marker.has_data(evidence):
            continue
        lines = lines or front_matter_lines(source)
        problems.append(
            Problem(
                "evidence.unplaced",
                f"the front matter has '{marker.data}' data but the page has no "
                f"'<!-- monograph:{marker.name} -->' marker, so the table is not shown; "
                "add the marker where the table belongs, alone on its line",
                path,
                line_of(lines, (marker.data,)) or 1,
            )
        )
    return problems


def render_page_table(
    marker: Marker,
    evidence: PageEvidence | KeptEvidence | None,
    *,
    broken: bool,
    cite: CiteFn,
    year_of: YearOf,
) -> str | None:
    """The table a page marker (evidence, claims) stands for.

    Arguments:
        marker: A marker that is not site-wide.
        evidence: The page's evidence data.
        broken: The page's evidence data was invalid and is reported already.
        cite: Registers the citations the table makes; returns their token.
        year_of: The year of a work, for the table's rows.

    Returns:
        The table's HTML; ``""`` when the data is broken (nothing rendered, nothing added);
        None when the page has no data for the marker (say :func:`missing_data_message`).
    """
    if evidence is None and broken:
        return ""
    if evidence is None or marker.render is None or not marker.has_data(evidence):
        return None
    if isinstance(evidence, KeptEvidence):
        return evidence.table(marker.data, cite)
    return marker.render(evidence, cite, year_of)


def render_summary(
    pages: Sequence[tuple[str, str, PageEvidence | KeptEvidence]],
    *,
    page_url: str,
    condition: str,
    cite: CiteFn,
    kept: KeptEvidenceFile | None = None,
) -> str:
    """The evidence summary across interventions, for the page at ``page_url``.

    Kept like a page's tables: when every listed page's evidence was kept, the summary is
    keyed by them (with the condition and the page) and put back from ``kept`` if an earlier
    build made it; otherwise each page's evidence is validated and the summary rendered.

    Arguments:
        pages: ``(title, url, evidence)`` of each page with evidence rows, in navigation order.
        page_url: The URL of the page that holds the summary (links are relative to it).
        condition: The site's condition, as the summary names it.
        cite: Registers the citations the summary makes; returns their token.
        kept: What earlier builds kept, if anything.
    """
    listed = [(title, relative_url(url, page_url), ev) for title, url, ev in pages]
    key = None
    if kept is not None and all(isinstance(ev, KeptEvidence) for _t, _u, ev in listed):
        key = kept.summary_key(
            condition=condition,
            page_url=page_url,
            items=[(t, u, ev.key) for t, u, ev in listed if isinstance(ev, KeptEvidence)],
        )
        found = kept.summary(key)
        if found is not None:
            return found.replay(cite)
    from .evidence.render import InterventionSummary, render_evidence_summary

    items = [
        InterventionSummary(t, u, ev.validated() if isinstance(ev, KeptEvidence) else ev)
        for t, u, ev in listed
    ]

    def render(cite: CiteFn) -> str:
        return render_evidence_summary(items, cite=cite, condition=condition)

    table = KeptTable.record(render) if key is not None else None
    if kept is None or key is None or table is None:
        return render(cite)
    kept.keep_summary(key, table)
    return table.replay(cite)


class CitingPage:
    """One page being converted: what both page contexts do alike with what the extension finds.

    Shared by the MkDocs adapter's page context and the Zensical page collector, which set
    ``path``, ``locator``, ``registry`` (the site's, or the page's own), ``bib``, ``evidence``
    and ``problems``, and say where a problem found during conversion goes (`report`).
    """

    path: str | None
    locator: SourceLocator
    registry: CitationRegistry
    bib: Bibliography
    evidence: PageEvidence | KeptEvidence | None
    problems: list[Problem]

    def report(self, code: str, message: str, line: int | None) -> None:
        """Record a problem found while the page is converted."""
        raise NotImplementedError

    def cite(self, group: CitationGroup) -> str:
        """Register a citation written in the page; return its token."""
        line = self.locator.line_of(group.source)
        return self.registry.register(group.placed(self.path, line))

    def cite_keys(self, keys: Sequence[str]) -> str:
        """Register a citation made by generated content (evidence tables)."""
        group = CitationGroup(tuple(CitationItem(key) for key in keys), path=self.path)
        return self.registry.register(group)

    def page_table(self, marker: Marker, line: int | None) -> str:
        """The evidence or claims table a page marker asks for ('' and a problem if no data)."""
        table = render_page_table(
            marker,
            self.evidence,
            broken=any(p.code.startswith("evidence.") for p in self.problems),
            cite=self.cite_keys,
            year_of=self.bib.year_of,
        )
        if table is None:
            self.report("evidence.missing", missing_data_message(marker), line)
            return ""
        return table

    def misplaced_marker(self, name: str, source: str) -> None:
        """A marker indented or after other text: not expanded, so say so."""
        line = self.locator.line_of(source.strip())
        self.report("marker.misplaced", misplaced_marker_message(name), line)
