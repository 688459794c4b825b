"""Fill a converted page: citation numbers, the bibliography, its reference list, its date."""

from __future__ import annotations

import functools
import html as html_lib
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink

from ..core import ids
from ..core.citations.numbering import Numbering
from ..core.links import ALLOWED
from ..core.model import CitationGroup, Problem
from ..core.parallel import SharedWork, StreamedWork, can_fork
from ..core.rendering.citations import (
    RenderContext,
    fill_page,
    render_bibliography,
    render_group,
    render_page_references,
)
from ..core.rendering.page_links import CheckedPages, refuse_unsafe_links
from ..core.rendering.reuse import FilledPages, fingerprint
from ..core.styles.base import ReferenceStyle
from .state import BuildState


@dataclass
class FillJob:
    """One page to fill: what filling reads, and the kept result when nothing changed.

    Filling itself (:func:`render_fill`, then the unsafe-link check) reads the job only, so the
    pages of a build can be filled in two processes (:func:`fill_pages`).
    """

    page: Page
    ctx: RenderContext
    content: str
    keys: list[str]
    heading: str
    anchor: str | None
    reviewed: date | None
    #: The fingerprint of the page's fill, or None until the page is filled (when no page is
    #: kept yet: see :func:`plan_fill`).
    print_: str | None
    #: The page holds the site bibliography (its fill reads every work).
    bibliography: bool
    #: The page's fill reads the whole site (the bibliography, or a style that is not
    #: ``page_local``): its fingerprint holds the site's digest.
    whole_site: bool = False
    #: The page as an earlier build filled it (same fingerprint), or None.
    kept: str | None = None
    #: Pages of earlier builds may be kept, and this one is looked up when it is filled, by the
    #: process that fills it (:func:`plan_fill` with ``later``), not before.
    look_up: bool = False

    def fingerprint(self, groups: list[CitationGroup], pages: FilledPages) -> str:
        """The fingerprint of the page's fill (:func:`.reuse.fingerprint`), from the job.

        ``pages``: the build's filled pages, which keep the works' parts and the site's digest
        (computed by the first page that needs it, in each process).
        """
        settings = (self.heading, self.anchor, self.reviewed)
        site = pages.site_of(self.ctx) if self.whole_site else None
        return fingerprint(self.ctx, self.content, groups, self.keys, settings, site, pages.works)


def plan_fill(
    page: Page,
    state: BuildState,
    numbering: Numbering,
    bibliography_url: str | None,
    heading: str,
    *,
    by_default: bool = True,
    kept: bool = True,
    later: bool = False,
) -> FillJob:
    """Add the page's reference-list entry to its table of contents; fingerprint its fill.

    Arguments:
        page: The page, converted (``page.content`` holds tokens).
        state: The build's state.
        numbering: The site-wide numbering.
        bibliography_url: The page holding the site bibliography, if any.
        heading: The heading of the page's reference list.
        by_default: End every citing page with its reference list (else only where the page
            has a ``references`` marker).
        kept: Pages of earlier builds may be kept (``state.filled_pages.holds_none()`` is
            false): the page is fingerprinted now and looked up. Else it is fingerprinted when
            it is filled (:func:`fill_pages`, :class:`FillAhead`), by the process that fills it.
        later: With ``kept``, the page is fingerprinted and looked up when it is filled, by
            the process that fills it, not now: where the pages are filled by a second process
            while MkDocs writes them (:class:`FillAhead`), finding a warm build's kept pages
            (most of what it adds to MkDocs' own work) is done there too.
    """
    ctx = RenderContext(
        numbering, state.formatter, page.url, bibliography_url, templates=state.templates
    )
    keys = numbering.page_keys.get(page.file.src_uri, [])
    context = state.pages[page.file.src_uri]
    content = page.content or ""
    appended = keys and by_default and not context.has_bibliography and not context.has_references
    anchor = _free_anchor(page, ids.REFERENCES_ID) if appended else None
    if anchor is not None:
        _add_toc_entry(page, html_lib.escape(heading), anchor)
    filled = state.filled_pages
    page_local = getattr(state.formatter.style, "page_local", False)
    whole_site = context.has_bibliography or not page_local
    job = FillJob(
        page,
        ctx,
        content,
        keys,
        heading,
        anchor,
        context.reviewed,
        None,
        context.has_bibliography,
        whole_site,
    )
    if kept and later:
        job.look_up = True
    elif kept:
        job.print_ = job.fingerprint(state.registry.groups, filled)
        job.kept = filled.get(job.print_)
    return job


def render_fill(job: FillJob, groups: list[CitationGroup]) -> str:
    """The page with its citations, reference list and review date in place."""
    ctx, keys = job.ctx, job.keys
    numbering = ctx.numbering

    def replace(kind: str, value: str) -> str:
        if kind == "cite":
            index = int(value)
            return render_group(ctx, groups[index], numbering.anchors[index])
        if value == "references":
            return render_page_references(ctx, keys, None) if keys else ""
        return render_bibliography(ctx) if value == "bibliography" else ""

    append = None
    if job.anchor is not None:  # the page's own list, rendered after its citations
        append = functools.partial(render_page_references, ctx, keys, job.heading, job.anchor)
    return fill_page(job.content, replace, job.reviewed, append)


class Filled(NamedTuple):
    """A page filled, or found among the kept pages, by either process."""

    #: As filled (kept for later builds).
    rendered: str
    #: As shown: unsafe links removed. For a page found kept, None when it is shown as kept
    #: (``rendered`` is then empty: the build reads the kept page itself, see :func:`_found`).
    shown: str | None
    #: The link targets removed.
    refused: list[str]
    #: The page's fingerprint, when the job had none yet (else None).
    print_: str | None
    #: Its content digest (:func:`.page_links.content_digest`, for the unsafe-link check's
    #: memory) when the process that filled it kept it already (:meth:`FilledPages.put`), or
    #: when it was found kept; else None.
    digest: str | None = None
    #: Found among the pages of earlier builds (``look_up``), not filled.
    found: bool = False


#: What filling a page left in the style, to take back from the second process: the citation
#: texts it added to its cache (a CSL style's) and the problems it found.
StyleNotes = tuple[list[tuple[str, str]], list[Problem]]


def _fill_shared(
    job: FillJob, groups: list[CitationGroup], style: ReferenceStyle, pages: FilledPages | None
) -> tuple[Filled, StyleNotes] | None:
    """One page filled and checked, as a job of either process, with what the style kept.

    ``pages``: fingerprint the page too when it has no fingerprint yet (see
    :meth:`FillJob.fingerprint`); None when no page is kept (no cache folder).

    A failure is left to the build, which fills the page again and reports the error.
    """
    cache: dict[str, str] | None = getattr(style, "citation_cache", None)
    cached, found = len(cache or ()), len(style.problems)
    try:
        print_ = None
        if job.print_ is None and pages is not None:
            print_ = job.fingerprint(groups, pages)
        html = render_fill(job, groups)
        shown, refused = refuse_unsafe_links(html)
        # Kept here, by the process that filled it: the build's own process, which writes the
        # pages, then only notes the file (a cold build's pages are filled while written).
        kept = pages.put(job.print_ or print_, html) if pages is not None else None
        filled = Filled(html, shown, refused, print_, kept)
    except Exception:
        return None
    added = list(itertools.islice(cache.items(), cached, None)) if cache is not None else []
    return filled, (added, style.problems[found:])


def _fill_or_take(
    job: FillJob,
    groups: list[CitationGroup],
    style: ReferenceStyle,
    pages: FilledPages | None,
    checked: CheckedPages,
) -> tuple[Filled, StyleNotes] | None:
    """One page as a job of either process: the kept page when ``job.look_up`` finds it.

    Else filled (:func:`_fill_shared`). A kept page is checked for unsafe links here too
    (``checked``: the build's check, which knows the pages found clean before).
    """
    if not job.look_up or pages is None:
        return _fill_shared(job, groups, style, pages)
    try:
        print_ = job.print_ or job.fingerprint(groups, pages)
        found = pages.peek(print_)
        if found is not None:
            kept, digest = found
            shown, refused = checked.refuse(kept, digest)
            # The page itself stays out of the result: the build reads the file (a copy of it
            # through the pipe costs more), and takes the page as shown only when it differs.
            changed = shown if shown is not kept or refused else None
            return Filled("", changed, refused, print_, digest, found=True), ([], [])
    except Exception:
        return None  # done again by the build, which reports the error
    job.print_ = print_  # fingerprinted once (the result takes it to the other process)
    outcome = _fill_shared(job, groups, style, pages)
    if outcome is None:
        return None
    filled, notes = outcome
    return filled._replace(print_=print_), notes


def _take_notes(style: ReferenceStyle, notes: StyleNotes) -> None:
    """Put what filling a page left in the other process's style into this one's."""
    added, problems = notes
    cache: dict[str, str] | None = getattr(style, "citation_cache", None)
    if cache is not None:
        cache.update(added)
    for problem in problems:
        if problem not in style.problems:
            style.problems.append(problem)


def finish_fill(job: FillJob, state: BuildState, filled: Filled | None) -> list[Problem]:
    """Put the filled page in place (kept for later builds); report what was refused.

    ``filled``: the page filled, or found kept, by the second process, or None to do it here.

    Returns:
        A ``link.unsafe_url`` problem for each link target removed from the page.
    """
    if filled is not None and filled.found:
        shown = _found(job, state, filled)
        if shown is None:  # the kept page went away meanwhile: looked up again, or filled, here
            filled = None
    else:
        shown = None
    html, refused = shown if shown is not None else _shown(job, state, filled)
    job.page.content = html
    context = state.pages[job.page.file.src_uri]
    return [
        Problem(
            "link.unsafe_url",
            f"link target '{url}' was removed; {ALLOWED} "
            "(links to other pages of the site are relative paths)",
            context.path,
            context.locator.line_of(url),
        )
        for url in refused
    ]


def _found(job: FillJob, state: BuildState, filled: Filled) -> tuple[str, list[str]] | None:
    """A page the other process found kept: read here (see :func:`_fill_or_take`), and shown.

    None when the file went away since (another build removed it).
    """
    assert filled.print_ is not None
    pages = state.filled_pages
    kept = pages.peek(filled.print_, filled.digest)  # hashed as the other process read it
    if kept is None:
        return None
    job.print_ = filled.print_
    pages.adopt(filled.print_, *kept)
    if filled.shown is None:  # as kept: clean
        state.checked_pages.remember_clean(kept[0], filled.digest)
        return kept[0], []
    return filled.shown, filled.refused


def _shown(job: FillJob, state: BuildState, filled: Filled | None) -> tuple[str, list[str]]:
    """The page as shown, and the link targets removed.

    Kept, filled by the other process, or (``filled`` None) looked up or filled here; a page
    filled is kept for later builds.
    """
    pages = state.filled_pages
    if filled is None and job.look_up and job.kept is None:  # looked up here, then
        if job.print_ is None:
            job.print_ = job.fingerprint(state.registry.groups, pages)
        job.kept = pages.get(job.print_)
    if job.kept is not None:
        assert job.print_ is not None  # kept under it
        digest = pages.digest_of(job.print_)  # hashed as read: not encoded again
        return state.checked_pages.refuse(job.kept, digest)
    if filled is None:
        return _fill_here(job, state)
    return _take_filled(job, state, filled)


def _fill_here(job: FillJob, state: BuildState) -> tuple[str, list[str]]:
    """Fill the page in this process: as shown, the link targets removed; kept as filled."""
    pages = state.filled_pages
    if job.print_ is None:
        if pages.folder is not None:
            job.print_ = job.fingerprint(state.registry.groups, pages)
        else:  # nothing kept: the references a fingerprint would have asked for
            for key in job.keys:
                job.ctx.formatter.get(key)
            if job.whole_site:
                pages.site_of(job.ctx)
    rendered = render_fill(job, state.registry.groups)
    shown = state.checked_pages.refuse(rendered)
    if job.print_ is not None:
        pages.put(job.print_, rendered)
    return shown


def _take_filled(job: FillJob, state: BuildState, filled: Filled) -> tuple[str, list[str]]:
    """A page the other process filled: as shown; kept as filled (by that process, or here)."""
    assert filled.shown is not None  # a page filled comes with its page as shown
    rendered, pages = filled.rendered, state.filled_pages
    if job.print_ is None:
        job.print_ = filled.print_
    if not filled.refused and filled.shown == rendered:
        state.checked_pages.remember_clean(rendered, filled.digest)
    if job.print_ is not None:
        if filled.digest is not None:  # written by that process: only noted here
            pages.kept_elsewhere(job.print_, rendered, filled.digest)
        else:
            pages.put(job.print_, rendered)
    return filled.shown, filled.refused


#: Fewer pages to fill than this are filled in one process (a fork costs more).
MIN_PAGES = 24


def fill_pages(
    jobs: list[FillJob], state: BuildState, *, parallel: bool = True
) -> list[list[Problem]]:
    """Fill every page not kept from an earlier build; return each page's problems.

    With ``parallel``, enough pages to fill and a second CPU, a forked process fills some of them
    (:class:`~monograph.core.parallel.SharedWork`); what a page's fill leaves in the style (a
    CSL style's citation texts and problems) comes back with the page, so the pages, the
    problems and the reference cache come out as from one process.
    """
    todo = [index for index, job in enumerate(jobs) if job.kept is None]
    results: dict[int, Filled | None] = {}
    if shares_fill(len(todo), parallel=parallel):
        style = state.formatter.style
        work = _before_fork([jobs[index] for index in todo], state)
        shared = SharedWork([jobs[index] for index in todo], work)
        for place, outcome in shared.collect():
            if outcome is not None:
                results[todo[place]] = outcome[0]
                _take_notes(style, outcome[1])
    return [finish_fill(job, state, results.get(index)) for index, job in enumerate(jobs)]


def shares_fill(to_fill: int, *, parallel: bool) -> bool:
    """Whether filling ``to_fill`` pages is shared with a second process (enough, two CPUs).

    Pages looked up when they are filled (``FillJob.look_up``) count as pages to fill.
    """
    return parallel and to_fill >= MIN_PAGES and can_fork()


def _before_fork(
    todo: list[FillJob], state: BuildState
) -> Callable[[FillJob], tuple[Filled, StyleNotes] | None]:
    """Put in memory what the pages to fill read, before a fork; return the job's work.

    What the child adds to the formatter is lost: every reference the pages read is formatted
    (or read from the cache) here first, and the templates compiled once, unless every page is
    to be looked up among the kept pages first (a warm build: then a process compiles them
    when it has a page to fill, as a warm build that keeps every page never does).
    """
    formatter = state.formatter
    if all(job.look_up for job in todo) and formatter.asks_nothing():
        pass  # a warm build: every reference is in the cache file, taken where it is needed
    elif any(job.whole_site for job in todo):  # the bibliography, or the site's digest
        for key in todo[0].ctx.numbering.ordered():  # every work: each page's too
            formatter.get(key)
    else:
        for job in todo:
            for key in job.keys:
                formatter.get(key)
    if not all(job.look_up for job in todo):  # else most pages are kept: seldom needed
        state.templates.citation  # noqa: B018 - compiled once, before the fork
    pages = None if state.filled_pages.folder is None else state.filled_pages
    return functools.partial(
        _fill_or_take,
        groups=state.registry.groups,
        style=formatter.style,
        pages=pages,
        checked=state.checked_pages,
    )


class FillAhead:
    """Pages filled by a forked process while MkDocs writes the pages before them.

    :func:`fill_pages` fills every page before MkDocs writes the first one; here the child
    fills the pages in the order MkDocs writes them (:class:`~monograph.core.parallel.StreamedWork`)
    while this process goes on, and each page is taken (:meth:`take`) just before MkDocs
    renders it, so filling and writing use one CPU each. A page the child has not reached is
    filled here. What a page's fill finds (unsafe links, a CSL style's problems) is reported
    when the page is taken, as by :func:`fill_pages`; :meth:`finish` takes the pages MkDocs did
    not ask for. A page to look up first (``FillJob.look_up``, a warm build) is fingerprinted
    and found among the kept pages by the process that takes its job, and filled only when it
    is not there (:func:`_fill_or_take`).

    Arguments:
        jobs: The pages to fill or to look up (none kept yet), in the order MkDocs writes them.
        state: The build's state.
    """

    def __init__(self, jobs: list[FillJob], state: BuildState) -> None:
        self.state = state
        self._jobs = {job.page.file.src_uri: (place, job) for place, job in enumerate(jobs)}
        self._shared = StreamedWork(jobs, _before_fork(jobs, state))

    def take(self, page: Page) -> list[Problem] | None:
        """Put ``page``'s filled content in place; its problems (None: not a page to fill)."""
        found = self._jobs.pop(page.file.src_uri, None)
        if found is None:
            return None
        place, job = found
        outcome = self._shared.take(place)
        if outcome is None:  # the fill failed: done again here, which reports the error
            return finish_fill(job, self.state, None)
        _take_notes(self.state.formatter.style, outcome[1])
        return finish_fill(job, self.state, outcome[0])

    def finish(self) -> list[list[Problem]]:
        """Take every page not taken yet, in order; then let the child go."""
        try:
            left = sorted(self._jobs.values(), key=lambda found: found[0])
            return [self.take(job.page) or [] for _, job in left]
        finally:
            self.close()

    def close(self) -> None:
        """Stop the child (a build that fails on the way)."""
        self._shared.close()


def _free_anchor(page: Page, wanted: str) -> str:
    """``wanted``, or ``wanted_1``... when the page has a heading with that id already."""
    taken: set[str] = set()
    stack = list(page.toc.items)
    while stack:
        item = stack.pop()
        taken.add(item.id)
        stack.extend(item.children)
    anchor, number = wanted, 0
    while anchor in taken:
        number += 1
        anchor = f"{wanted}_{number}"
    return anchor


def _add_toc_entry(page: Page, heading: str, anchor: str) -> None:
    entry = AnchorLink(heading, anchor, 2)
    items = page.toc.items
    if len(items) == 1 and items[0].level == 1:
        items[0].children.append(entry)
    else:
        items.append(entry)
