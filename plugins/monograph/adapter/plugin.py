"""The MkDocs adapter: hands pages to the core and turns its problems into log messages.

Collect first, resolve once, render last: pages are converted with citation tokens
(``on_page_markdown``), numbered across the site in navigation order once every page is read
(``on_env``), and filled in before the theme renders them. The plugin holds event methods only:
what one build collects lives in a :class:`~monograph.adapter.state.BuildState` made afresh in
``on_config``, what one page collects in its :class:`~monograph.adapter.page.PageContext`.
"""

from __future__ import annotations

import atexit
import functools
import gc
import hashlib
from importlib import resources
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from ..copy_assets import SCRIPTS, STYLESHEETS
from ..core.bibliography.checks import (
    check_bibliography,
    check_groups,
    check_unknown_keys,
    check_unused,
)
from ..core.cachefile import versions
from ..core.citations.nocite import resolve_nocite
from ..core.citations.numbering import number_citations
from ..core.citations.registry import CitationRegistry
from ..core.evidence.kept import KeptEvidenceFile
from ..core.markers import MARKERS
from ..core.model import CoreError, Problem, summarise
from ..core.page import bibliography_digest
from ..core.rendering.page_links import CheckedPages
from ..core.rendering.reuse import FilledPages, package_digest
from ..core.rendering.templates import Templates, templates_for
from ..core.source.encoding import decode_utf8
from ..core.styles.formatter import ReferenceFormatter
from ..core.styles.registry import load_style
from ..extension import CitationExtension
from ..extras import MissingExtra, require_extra
from .config import MonographConfig
from .fill import FillAhead, FillJob, fill_pages, finish_fill, plan_fill, shares_fill
from .page import PageContext
from .sources import compatibility_problems, display, load_sources
from .state import BuildState

log = get_plugin_logger("monograph")

#: The engine's own stylesheet and script, served from the package (nothing to copy into docs/;
#: a Zensical site copies the same files with `python -m monograph.copy_assets`).
_SITE_DIR = "assets/monograph"
_STYLESHEETS = STYLESHEETS
_SCRIPTS = SCRIPTS


def report(problems: list[Problem], *, notices: bool = True) -> None:
    """Log problems: errors and warnings fail ``mkdocs build --strict``; info never does.

    Info notes of one code are said in one line (`summarise`), which carries every problem for
    ``make check``; with ``notices`` off (a second edition of the same site) they go to debug.
    """
    if not problems:  # most calls (one per page filled or kept): nothing to sort or group
        return
    ordered = sorted(problems, key=lambda p: (p.path or "", p.line or 0, p.code))
    for problem in ordered:
        if problem.severity != "info":
            log.warning(str(problem), extra={"monograph_problem": problem})
    by_code: dict[str, list[Problem]] = {}
    for problem in ordered:
        if problem.severity == "info":
            by_code.setdefault(problem.code, []).append(problem)
    level = log.info if notices else log.debug
    for group in by_code.values():
        text = str(group[0]) if len(group) == 1 else summarise(group)
        level(text, extra={"monograph_problems": group})


#: Allocations between two young-generation collections during a build (Python's default: 700).
_GC_YOUNG = 20_000


def _collect_then_freeze() -> None:
    """At exit: collect the garbage there is, then leave what is still alive to the system.

    Python's finalization collects the whole heap's cycles object by object, though the process
    is ending: 0.25 s after a cold build of 200 pages and 2,000 entries (a heap of 110 MB), 0.08 s
    after a warm one. Garbage made before exit is still collected here, its finalizers run; only
    objects still alive at exit are spared, whose finalizers Python does not promise to run, and
    those a build froze (``on_config``) and no collection handed back since it ended (see
    :func:`_thaw_at_next_collection`): the modules, the configuration and the bibliography, a
    full collection's worth of scanning (0.016 s after a warm build) for the handful of them a
    build drops. Registered once per process, first of the engine's hooks so that it runs after
    the later ones (``multiprocessing``'s own among them).
    """
    _THAW.clear()  # the process ends: what a build froze stays so (see _thaw)
    gc.collect()
    gc.freeze()


_AT_EXIT: list[bool] = []  # the hook is registered (once per process)

#: Left by a build that ended (``on_shutdown``): the collector's thresholds to put back, with the
#: objects frozen in ``on_config``, when the collector next runs (:func:`_thaw`).
_THAW: list[tuple[int, ...]] = []


def _thaw() -> None:
    """Put back what an ended build left: the collector's thresholds and the frozen objects.

    Called as the next collection starts (:func:`_thaw_at_next_collection`), or by the next
    build's ``on_config`` if none ran in between. The objects join the oldest generation
    before the collection, which sees them when it is a full one.
    """
    if _THAW:
        gc.set_threshold(*_THAW.pop())
        gc.unfreeze()


def _thaw_at_next_collection(phase: str, info: dict[str, int]) -> None:
    """A collector callback: :func:`_thaw` as the first collection after a build starts.

    ``on_shutdown`` does not thaw itself: after ``mkdocs build`` the process ends, and the exit
    hook would scan every frozen object once more for nothing (:func:`_collect_then_freeze`). So
    the build's thresholds stay until then (with the default ones, the allocations counted
    during the build start a collection at once). A process that goes on (tests, a second
    build, ``mkdocs gh-deploy``) allocates, the collector runs, and from then on all is as if
    ``on_shutdown`` had thawed. Stays registered (leaving the list while the collector calls
    its callbacks would skip the next one); it tests a list per collection.
    """
    if phase == "start":
        _thaw()


#: Names that load the engine's page-by-page extension (for Zensical, which runs no plugins).
_PAGEWISE = ("monograph", "monograph.pagewise")


def _drop_pagewise(config: MkDocsConfig) -> list[Problem]:
    """Leave citations to the plugin when mkdocs.yml also lists ``monograph`` as an extension.

    One mkdocs.yml can serve MkDocs and Zensical: Zensical drops the plugin and runs the
    extension page by page; under MkDocs the plugin numbers the whole site, so the page-by-page
    extension must not convert the same citations a second time. Its options are still checked,
    so a misspelt one is found before the site moves to Zensical.
    """
    dropped = [
        ext
        for ext in config.markdown_extensions
        if isinstance(ext, str) and ext.split(":")[0] in _PAGEWISE
    ]
    if not dropped:
        return []
    log.debug("the 'monograph' Markdown extension is left out: the plugin handles citations")
    config.markdown_extensions[:] = [e for e in config.markdown_extensions if e not in dropped]
    from ..pagewise import unknown_options  # here: most sites list no such extension

    problems = []
    for name in dropped:
        problems += unknown_options(config.mdx_configs.get(name) or {})
    return problems


class MonographPlugin(BasePlugin[MonographConfig]):
    """Site-wide BibTeX citations, bibliography and evidence tables."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.serving = False
        self.state: BuildState | None = None
        self.bib_paths: list[Path] = []
        self.extension = CitationExtension()
        self._gc_threshold: tuple[int, ...] | None = None
        #: Pages filled by a second process while MkDocs writes the pages (see `_fill`).
        self._ahead: FillAhead | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Remember whether this is ``mkdocs serve``: the PDF is skipped there (slow)."""
        self.serving = command == "serve"
        if not _AT_EXIT:
            _AT_EXIT.append(True)
            atexit.register(_collect_then_freeze)
            gc.callbacks.append(_thaw_at_next_collection)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Load the bibliography, start the build's state and register the Markdown extension."""
        if not self.config.enabled:
            return None
        if self.config.pdf_file and not self.serving:
            try:
                require_extra("weasyprint", "pdf", "the PDF edition (pdf_file)")
            except MissingExtra as exc:
                raise PluginError(str(exc)) from None
        project_dir = Path(config.config_file_path).parent
        config_path = Path(config.config_file_path)
        shown_config = display(config_path, project_dir)
        cache_dir = project_dir / self.config.cache_dir if self.config.cache_dir else None
        try:
            style = load_style(
                self.config.style,
                self.config.csl_file,
                base_dir=project_dir,
                cache_dir=cache_dir,
                encoding=self.config.csl_file_encoding,
                config_path=display(config_path, project_dir),
            )
        except CoreError as exc:
            raise PluginError(str(exc)) from exc
        try:
            bib, self.bib_paths = load_sources(
                self.config,
                project_dir,
                cache_dir,
                shown_config,
                debug=log.debug,
                parallel=self.parallel,
                # A style that formats each entry alone: a file to parse is parsed, formatted and
                # checked by a second process while the pages are converted (format_ahead).
                later=self.parallel and getattr(style, "formats_alone", False),
            )
        except CoreError as exc:
            raise PluginError(f"Error reading bibliography: {exc}") from exc
        if not bib.pending:  # else said in on_env, once the checks have run (see below)
            report(check_bibliography(bib), notices=self.config.notices)
        report(compatibility_problems(self.config, shown_config), notices=self.config.notices)
        nocite, problems = resolve_nocite(
            bib,
            self.config.nocite,
            path=display(config_path, project_dir),
            source=_read(config_path),
        )
        report(problems, notices=self.config.notices)
        _thaw()  # what an ended build left, when no collection ran since (see on_shutdown)
        if not self.serving:
            # The parsed bibliography is thousands of long-lived objects that every full
            # collection would scan again (about 10 % of a warm build); undone on shutdown.
            # Not under `mkdocs serve`: each rebuild would freeze the previous one's garbage.
            gc.freeze()
        # A build allocates millions of small objects that live until it ends (pages' trees,
        # tokens, citation groups); collecting every 700 allocations finds almost nothing to
        # free. Fewer young collections (a serve rebuild too); undone on shutdown.
        if self._gc_threshold is None:
            self._gc_threshold = gc.get_threshold()
            first, *rest = self._gc_threshold
            gc.set_threshold(max(first, _GC_YOUNG), *rest)
        cache = cache_dir / "references.json" if cache_dir else None
        formatter = ReferenceFormatter(bib, cache, debug=log.debug, style=style)
        templates = _templates(config)
        self.state = BuildState(
            project_dir,
            bib,
            formatter,
            CitationRegistry(),
            nocite,
            templates,
            CheckedPages(cache_dir / "checked-pages.json" if cache_dir else None),
            FilledPages(
                _filled_folder(cache_dir, config_path),
                f"{formatter.version}/{templates.digest}/{_PACKAGE_DIGEST}",
            ),
            kept_evidence=KeptEvidenceFile(
                _kept_file(cache_dir, config_path, "evidence", ".json"),
                _PACKAGE_DIGEST,
                lambda: "/".join((bibliography_digest(bib), *versions("pydantic", "pyyaml"))),
            ),
        )
        report(_drop_pagewise(config), notices=self.config.notices)
        self.extension.commands = {
            self.config.bib_command: "references",
            self.config.full_bib_command: "full-bibliography",
        }
        self.extension.narrative = self.config.enable_inline_citations
        self.extension.keep_in(
            _kept_file(cache_dir, config_path, "citations", ".pickle"), _PACKAGE_DIGEST
        )
        if self.extension not in config.markdown_extensions:
            config.markdown_extensions.append(self.extension)  # type: ignore[arg-type]
        # First in the lists, so that a site's own extra_css and extra_javascript can override.
        # A site that also builds with Zensical lists them itself (plugins/ZENSICAL.md): once.
        listed = {str(getattr(x, "path", x)) for x in (*config.extra_css, *config.extra_javascript)}
        config.extra_css[:0] = [
            url for url in (f"{_SITE_DIR}/{name}" for name in _STYLESHEETS) if url not in listed
        ]
        config.extra_javascript[:0] = [
            url for url in (f"{_SITE_DIR}/{name}" for name in _SCRIPTS) if url not in listed
        ]
        if self.parallel:
            # Last, once nothing here can stop the build: on a cold build, a second process
            # formats the entries while MkDocs reads the pages, after the bibliography's checks
            # and snapshot (left by the parse: deferred when parallel, see load_sources).
            formatter.format_ahead()
        if bib.pending and not formatter.finishes_parse:  # no second process: done here
            bib.finish_parse()
            report(check_bibliography(bib), notices=self.config.notices)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        """Add the engine's stylesheet and script to the site (as Material's plugins do)."""
        if not self.config.enabled:
            return None
        assets = resources.files("monograph") / "assets"
        for name in (*_STYLESHEETS, *_SCRIPTS):
            source = str(assets / name)
            copy = files.get_file_from_path(f"{_SITE_DIR}/{name}")
            if copy is not None:  # a copy in docs/ for Zensical: the package's own is served
                files.remove(copy)
            files.append(File.generated(config, f"{_SITE_DIR}/{name}", abs_src_path=source))
        return files

    @event_priority(100)  # first: a source another plugin gives stays in force (the last wins)
    def on_page_read_source(self, page: Page, config: MkDocsConfig) -> str | None:
        """Read the page for MkDocs: a page not valid UTF-8 with a message per bad line.

        Read from the disk as MkDocs reads a page file (``File.content_string``: UTF-8, a BOM
        dropped, newlines as in text mode) and kept for ``on_page_markdown``'s line numbers;
        MkDocs then takes this text instead of reading the file again. A page held in memory
        (no file, or content a plugin set) is left to MkDocs.
        """
        if not self.config.enabled or self.state is None or not page.file.abs_src_path:
            return None
        try:
            with open(page.file.abs_src_path, "rb") as file:
                raw = file.read()
        except OSError:
            return None  # MkDocs reports a missing file itself
        problems: list[Problem] = []
        try:  # nearly every page: no path to work out for messages
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            path = display(Path(page.file.abs_src_path), self.state.project_dir)
            text, problems = decode_utf8(raw, path, "page.encoding")
        # Newlines as MkDocs reads a page (a text file: "\r\n" and "\r" are "\n").
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.state.page_sources[page.file.src_uri] = text
        report(problems, notices=self.config.notices)
        return text

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> None:
        """Remember the navigation: it defines the order of first citation."""
        if self.state is not None:
            self.state.nav = nav

    def on_page_markdown(
        self, markdown: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Point the extension at this page's context before MkDocs converts it."""
        if not self.config.enabled or self.state is None:
            return None
        state = self.state
        path = _page_path(page, config, state.project_dir)
        source = state.page_sources.get(page.file.src_uri)
        if source is None:  # not read by on_page_read_source (no file of its own)
            source = page.file.content_string
        context = PageContext(
            page,
            path,
            markdown,
            source=source,
            bib=state.bib,
            registry=state.registry,
            require_reviewed=self.config.require_reviewed,
            kept=state.kept_evidence,
        )
        state.pages[page.file.src_uri] = context
        self.extension.sink = context
        report(context.problems, notices=self.config.notices)
        return None

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> None:
        """Detach the page from the extension once it is converted."""
        self.extension.sink = None

    def on_env(self, env: Any, config: MkDocsConfig, files: Files) -> None:
        """Number citations across the site, then fill every page."""
        if not self.config.enabled or self.state is None:
            return
        state = self.state
        pages = state.ordered_pages(files)
        state.bib.arrive()  # a cold build's index, from the second process that parses
        for page in pages:  # evidence data, read once the bibliography is there
            report(state.pages[page.file.src_uri].read_evidence(), notices=self.config.notices)
        if state.bib.pending and not state.formatter.checks_last:
            # Its checks ran first in the second process: taken with its work.
            state.formatter.take_ahead()
            report(check_bibliography(state.bib), notices=self.config.notices)
        evidence_pages = [
            (p.title or p.file.name, p.url, ev)
            for p in pages
            if (ev := state.pages[p.file.src_uri].evidence) is not None
            and MARKERS["evidence"].has_data(ev)
        ]
        for page in pages:
            state.pages[page.file.src_uri].expand_site_markers(
                evidence_pages, self.config.condition, state.kept_evidence
            )
        if state.kept_evidence is not None:
            state.kept_evidence.save()
        self.extension.save_kept()
        if any(state.pages[p.file.src_uri].full_bibliography for p in pages):
            state.nocite = tuple(state.bib)  # \full_bibliography: every entry, cited or not
        numbering = number_citations(
            [state.page_info(page) for page in pages], state.registry, state.bib, state.nocite
        )
        problems = [
            *check_unknown_keys(state.bib, state.registry.groups),
            *check_groups(state.registry.groups),
        ]
        for context in state.pages.values():
            problems += context.late_problems + context.unplaced_data()
        problems += _second_bibliographies([state.pages[p.file.src_uri] for p in pages])
        problems += check_unused(state.bib, numbering.numbers, state.nocite)
        problems += state.formatter.style.prepare(state.bib, numbering.ordered())
        if self.parallel:  # what is left to format, in two processes (CSL on a cold build)
            state.formatter.format_ahead(numbering.ordered())
        report(problems, notices=self.config.notices)
        bibliography_url = next(
            (p.url for p in pages if state.pages[p.file.src_uri].has_bibliography), None
        )
        heading = self.config.references_heading
        kept = not state.filled_pages.holds_none()  # else fingerprinted as they are filled
        # Filled while MkDocs writes the pages: a kept page is found there too (see _fill).
        later = kept and self._fills_later(len(pages), config)
        try:
            jobs = [
                plan_fill(
                    page,
                    state,
                    numbering,
                    bibliography_url,
                    heading,
                    by_default=self.config.bib_by_default,
                    kept=kept,
                    later=later,
                )
                for page in pages
            ]
            self._fill(jobs, config, files)
        except CoreError as exc:  # a site's template fails while it renders
            raise PluginError(str(exc)) from None
        if self._ahead is None:
            self._finish_build()

    def _fill(self, jobs: list[FillJob], config: MkDocsConfig, files: Files) -> None:
        """Fill the pages now, or (a build with pages to fill) while MkDocs writes them.

        Filling later needs every reader of a page's content to come after the page is taken in
        ``on_page_context``: not so when another plugin's ``on_env`` runs after this one, or the
        site renders its own templates (``extra_templates``, which may read any page); then the
        pages are filled here, in two processes (:func:`fill_pages`). Pages planned with
        ``later`` (a warm build) are looked up among the kept pages when they are filled, mostly
        by the second process: the fingerprints of a warm build's pages are its main cost.
        """
        state = self.state
        assert state is not None
        if not self._fills_later(sum(job.kept is None for job in jobs), config):
            for problems in fill_pages(jobs, state, parallel=self.parallel):
                report(problems, notices=self.config.notices)
            return
        for job in jobs:
            if job.kept is not None:
                report(finish_fill(job, state, None), notices=self.config.notices)
        written = {f.src_uri: place for place, f in enumerate(files.documentation_pages())}
        todo = [job for job in jobs if job.kept is None]
        # The second process fills them in the order MkDocs writes them, the site bibliography
        # first: by far the longest fill (every work), it is ready when MkDocs gets to it.
        todo.sort(
            key=lambda job: (not job.bibliography, written.get(job.page.file.src_uri, len(written)))
        )
        self._ahead = FillAhead(todo, state)

    def _fills_later(self, to_fill: int, config: MkDocsConfig) -> bool:
        """Pages are filled while MkDocs writes them (see :meth:`_fill`)."""
        return (
            shares_fill(to_fill, parallel=self.parallel)
            and not config.extra_templates
            and _last_on_env(self, config)
        )

    @event_priority(100)  # before any other plugin reads the page (search indexes it here)
    def on_page_context(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext | None:
        """Put the page's filled content in place, when it was filled while pages were written."""
        if self._ahead is not None:
            try:
                problems = self._ahead.take(page)
            except CoreError as exc:  # a site's template fails while it renders
                raise PluginError(str(exc)) from None
            if problems is not None:
                report(problems, notices=self.config.notices)
        return context

    @event_priority(100)  # before another plugin's on_post_build reads a page
    def _finish_fill(self, config: MkDocsConfig) -> None:
        """Take the pages MkDocs did not write (`--dirty`); say and save what filling left."""
        if self._ahead is None:
            return
        ahead, self._ahead = self._ahead, None
        try:
            for problems in ahead.finish():
                report(problems, notices=self.config.notices)
        except CoreError as exc:
            raise PluginError(str(exc)) from None
        self._finish_build()

    def _finish_build(self) -> None:
        """Say the style's problems; save the caches (reference texts, clean and filled pages)."""
        state = self.state
        assert state is not None
        if state.bib.pending:  # a cold build's .bib checks come last from the second process
            state.formatter.finish_ahead()
            report(check_bibliography(state.bib), notices=self.config.notices)
        report(state.formatter.style.problems, notices=self.config.notices)
        state.formatter.save()
        state.checked_pages.save()
        state.filled_pages.finish()

    def on_build_error(self, *, error: Exception) -> None:
        """Stop the second processes of a build that failed."""
        if self._ahead is not None:
            self._ahead.close()
            self._ahead = None
        if self.state is not None:
            self.state.formatter.stop_ahead()

    @property
    def parallel(self) -> bool:
        """Work may be shared with a forked process (the option, and not ``mkdocs serve``)."""
        return self.config.parallel and not self.serving

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        """Rebuild when a file the plugin reads changes (MkDocs watches only docs/ and config)."""
        if self.config.enabled:
            for path in self.watched_files():
                server.watch(str(path))
        return server

    def watched_files(self) -> list[Path]:
        """The files outside ``docs_dir`` whose content changes the built pages."""
        return [path.resolve() for path in self.bib_paths]

    def on_template_context(
        self, context: TemplateContext, /, *, template_name: str, config: MkDocsConfig
    ) -> TemplateContext | None:
        """Let an edition read from ``file://`` open its ``404.html`` (relative, not ``/``, URLs).

        MkDocs renders ``404.html`` with root-absolute URLs, which a web server needs (the page
        is served at any path). Without directory URLs (an offline edition) it sits at the root
        of the folder and is opened from there, so URLs relative to it work everywhere.
        """
        if template_name == "404.html" and not config.use_directory_urls:
            context["base_url"] = "."
        return context

    def on_shutdown(self) -> None:
        """Hand the objects frozen in ``on_config`` back to the collector, and its thresholds.

        When the collector next runs (none does when the process ends now, as after ``mkdocs
        build``: :func:`_thaw_at_next_collection`), or now when nothing would (``on_startup``,
        which registers the callback, did not run).
        """
        thresholds, self._gc_threshold = self._gc_threshold, None
        _THAW[:] = [thresholds or gc.get_threshold()]
        if _thaw_at_next_collection not in gc.callbacks:
            _thaw()

    def _write_pdf(self, config: MkDocsConfig) -> None:
        """Write the PDF edition, when asked for, from the final pages in nav order."""
        if not self.config.enabled or not self.config.pdf_file or self.state is None:
            return
        if self.state.nav is None:
            return
        if self.serving:
            log.info("PDF edition skipped under 'mkdocs serve'; 'mkdocs build' writes it")
            return
        from .pdf import write_pdf_edition  # WeasyPrint loads only when needed

        cache_dir = (
            self.state.project_dir / self.config.cache_dir if self.config.cache_dir else None
        )
        write_pdf_edition(config, self.state.nav, self.config.pdf_file, cache_dir)

    on_post_build = CombinedEvent(_finish_fill, _write_pdf)


#: The engine's code and templates: a filled page is reused only by the engine that filled it.
_PACKAGE_DIGEST = package_digest()


def _page_path(page: Page, config: MkDocsConfig, project_dir: Path) -> str:
    """The page's file as messages name it (``docs/iron.md``): :func:`display` of its path.

    A file of ``docs_dir`` inside the project is named from the folder's name and the file's
    URI, without a path operation a page (the folder's name is worked out once per build).
    """
    file = page.file
    if file.src_dir is not None and file.src_dir == config.docs_dir:
        folder = _folder_name(config.docs_dir, project_dir)
        if folder is not None:
            return f"{folder}/{file.src_uri}"
    return display(Path(file.abs_src_path or file.src_path), project_dir)


@functools.lru_cache(maxsize=8)
def _folder_name(docs_dir: str, project_dir: Path) -> str | None:
    """``display`` of ``docs_dir``, when it is a folder inside the project (else None)."""
    shown = display(Path(docs_dir), project_dir)
    return None if shown.startswith(("/", "..")) or Path(shown).is_absolute() else shown


def _kept_file(cache_dir: Path | None, config_path: Path, kind: str, suffix: str) -> Path | None:
    """A file this configuration's builds keep, named as its folder of filled pages.

    ``evidence/<name>.json``: the evidence read; ``citations/<name>.pickle``: the citations read.
    """
    folder = _filled_folder(cache_dir, config_path)
    if cache_dir is None or folder is None:
        return None
    return cache_dir / kind / f"{folder.name}{suffix}"


def _filled_folder(cache_dir: Path | None, config_path: Path) -> Path | None:
    """Where a site keeps its filled pages: one folder per configuration file.

    The website and the offline edition share a cache folder, and each build removes the filled
    pages it did not use.
    """
    if cache_dir is None:
        return None
    tag = hashlib.sha256(str(config_path.resolve()).encode()).hexdigest()[:10]
    return cache_dir / "filled-pages" / f"{config_path.stem}-{tag}"


def _templates(config: MkDocsConfig) -> Templates:
    """The reference-list templates: ``monograph/*.html`` in the theme's custom_dir win."""
    custom_dir = config.theme.custom_dir
    try:
        return templates_for([Path(custom_dir)] if custom_dir else [])
    except CoreError as exc:
        raise PluginError(str(exc)) from None


def _last_on_env(plugin: MonographPlugin, config: MkDocsConfig) -> bool:
    """No other plugin's ``on_env`` runs after this plugin's (it could read a page's content)."""
    handlers = config.plugins.events.get("env", [])
    mine = [
        place
        for place, handler in enumerate(handlers)
        if getattr(handler, "__self__", None) is plugin  # a hook (hooks:) is a plain function
    ]
    return bool(mine) and mine[-1] == len(handlers) - 1


def _second_bibliographies(contexts: list[PageContext]) -> list[Problem]:
    """A ``marker.duplicate`` problem for every site bibliography after the first."""
    holders = [context for context in contexts if context.has_bibliography]
    return [
        Problem(
            "marker.duplicate",
            f"a second site bibliography (the first is in {holders[0].path}); keep one "
            "'monograph:bibliography' marker in the whole site",
            context.path,
            context.bibliography_line,
        )
        for context in holders[1:]
    ]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
