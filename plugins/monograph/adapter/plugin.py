"""The MkDocs adapter: hands pages to the core and turns its problems into log messages.

Collect first, resolve once, render last: pages are converted with citation tokens
(``on_page_markdown``), numbered across the site in navigation order once every page is read
(``on_env``), and filled in before the theme renders them.
"""

from __future__ import annotations

import gc
import html as html_lib
from importlib import resources
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink
from mkdocs.utils.templates import TemplateContext

from ..core.bibliography.checks import (
    check_bibliography,
    check_groups,
    check_unknown_keys,
    check_unused,
)
from ..core.bibliography.loading import Bibliography, load_bibliography
from ..core.citations.numbering import Numbering, PageInfo, number_citations
from ..core.citations.registry import CitationRegistry, fill
from ..core.links import ALLOWED
from ..core.model import CoreError, Problem, summarise
from ..core.rendering.citations import (
    RenderContext,
    render_bibliography,
    render_group,
    render_page_references,
)
from ..core.rendering.page_links import refuse_unsafe_links
from ..core.rendering.review import insert_after_title, reviewed_html
from ..core.source.encoding import decode_utf8
from ..core.styles.formatter import ReferenceFormatter
from ..extension import CitationExtension
from .config import MonographConfig
from .page import MkDocsPageSink

log = get_plugin_logger("monograph")

#: The engine's own stylesheet and script, served from the package (nothing to copy into docs/).
_SITE_DIR = "assets/monograph"
_STYLESHEETS = ("monograph.css",)
_SCRIPTS = ("evidence.js",)


def report(problems: list[Problem], *, notices: bool = True) -> None:
    """Log problems: errors and warnings fail ``mkdocs build --strict``; info never does.

    Info notes of one code are said in one line (`summarise`), which carries every problem for
    ``make check``; with ``notices`` off (a second edition of the same site) they go to debug.
    """
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


class MonographPlugin(BasePlugin[MonographConfig]):
    """Site-wide BibTeX citations, bibliography and evidence tables."""

    supports_multiple_instances = False

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Remember whether this is ``mkdocs serve``: the PDF is skipped there (slow)."""
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        """Load the bibliography and register the Markdown extension."""
        if not self.config.enabled:
            return None
        self.project_dir = Path(config.config_file_path).parent
        bib_path = Path(self.config.bib_file)
        cache_dir = self.project_dir / self.config.cache_dir if self.config.cache_dir else None
        try:
            self.bib: Bibliography = load_bibliography(bib_path, self._display(bib_path), cache_dir)
        except CoreError as exc:
            raise PluginError(f"Error reading bibliography: {exc}") from exc
        report(check_bibliography(self.bib), notices=self.config.notices)
        if not getattr(self, "serving", False):
            # The parsed bibliography is thousands of long-lived objects that every full
            # collection would scan again (about 10 % of a warm build); undone on shutdown.
            gc.freeze()
        cache = cache_dir / "references.json" if cache_dir else None
        self.formatter = ReferenceFormatter(self.bib, cache, debug=log.debug)
        self.registry = CitationRegistry()
        self.sinks: dict[str, MkDocsPageSink] = {}
        self.page_sources: dict[str, str] = {}  # pages read here because they are not UTF-8
        self.extension = CitationExtension()
        config.markdown_extensions.append(self.extension)  # type: ignore[arg-type]
        self.nav: Navigation | None = None
        # First in the lists, so that a site's own extra_css and extra_javascript can override.
        config.extra_css[:0] = [f"{_SITE_DIR}/{name}" for name in _STYLESHEETS]
        config.extra_javascript[:0] = [f"{_SITE_DIR}/{name}" for name in _SCRIPTS]
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        """Add the engine's stylesheet and script to the site (as Material's plugins do)."""
        if not self.config.enabled:
            return None
        assets = resources.files("monograph") / "assets"
        for name in (*_STYLESHEETS, *_SCRIPTS):
            source = str(assets / name)
            files.append(File.generated(config, f"{_SITE_DIR}/{name}", abs_src_path=source))
        return files

    def _display(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.project_dir.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def on_page_read_source(self, page: Page, config: MkDocsConfig) -> str | None:
        """Read a page that is not valid UTF-8 with a message per bad line, not a traceback."""
        if not self.config.enabled or not page.file.abs_src_path:
            return None
        try:
            raw = Path(page.file.abs_src_path).read_bytes()
        except OSError:
            return None  # MkDocs reports a missing file itself
        path = self._display(Path(page.file.abs_src_path))
        text, problems = decode_utf8(raw, path, "page.encoding")
        if not problems:
            return None
        report(problems)
        self.page_sources[page.file.src_uri] = text
        return text

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> None:
        """Remember the navigation: it defines the order of first citation."""
        self.nav = nav

    def on_page_markdown(
        self, markdown: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Point the extension at this page before MkDocs converts it."""
        if not self.config.enabled:
            return None
        path = self._display(Path(page.file.abs_src_path or page.file.src_path))
        sink = MkDocsPageSink(self, page, path, markdown)
        self.sinks[page.file.src_uri] = sink
        self.extension.sink = sink
        report(sink.problems, notices=self.config.notices)
        return None

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> None:
        """Detach the page from the extension once it is converted."""
        self.extension.sink = None

    def on_env(self, env: Any, config: MkDocsConfig, files: Files) -> None:
        """Number citations across the site, then fill every page."""
        if not self.config.enabled:
            return
        pages = self._ordered_pages(files)
        for page in pages:
            self.sinks[page.file.src_uri].expand_site_markers(pages)
        infos = [self._info(page) for page in pages]
        numbering = number_citations(infos, self.registry, self.bib, self.config.nocite)
        problems = [
            *check_unknown_keys(self.bib, self.registry.groups),
            *check_groups(self.registry.groups),
        ]
        for sink in self.sinks.values():
            problems += sink.late_problems + sink.unplaced_data()
        holders = [self.sinks[p.file.src_uri] for p in pages]
        holders = [sink for sink in holders if sink.has_bibliography]
        problems += [
            Problem(
                "marker.duplicate",
                f"a second site bibliography (the first is in {holders[0].path}); keep one "
                "'monograph:bibliography' marker in the whole site",
                sink.path,
                sink.bibliography_line,
            )
            for sink in holders[1:]
        ]
        problems += check_unused(self.bib, numbering.numbers, self.config.nocite)
        report(problems, notices=self.config.notices)
        bibliography_url = next(
            (p.url for p in pages if self.sinks[p.file.src_uri].has_bibliography), None
        )
        for page in pages:
            self._fill(page, numbering, bibliography_url)
        self.formatter.save()

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        """Rebuild when a file the plugin reads changes (MkDocs watches only docs/ and config)."""
        if self.config.enabled:
            for path in self.watched_files():
                server.watch(str(path))
        return server

    def watched_files(self) -> list[Path]:
        """The files outside ``docs_dir`` whose content changes the built pages."""
        return [Path(self.config.bib_file).resolve()]

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
        """Hand the objects frozen in ``on_config`` back to the garbage collector."""
        gc.unfreeze()

    def on_post_build(self, config: MkDocsConfig) -> None:
        """Write the PDF edition, when asked for, from the final pages in nav order."""
        if not self.config.enabled or not self.config.pdf_file or self.nav is None:
            return
        if getattr(self, "serving", False):
            log.info("PDF edition skipped under 'mkdocs serve'; 'make build' writes it")
            return
        from .pdf import write_pdf_edition  # WeasyPrint loads only when needed

        write_pdf_edition(config, self.nav, self.config.pdf_file)

    def _ordered_pages(self, files: Files) -> list[Page]:
        in_nav = list(self.nav.pages) if self.nav else []
        seen = {page.file.src_uri for page in in_nav}
        rest = [
            f.page
            for f in files.documentation_pages()
            if f.page is not None and f.src_uri not in seen
        ]
        return [p for p in in_nav + rest if p.file.src_uri in self.sinks]

    def _info(self, page: Page) -> PageInfo:
        part = page.parent.title if page.parent is not None else ""
        return PageInfo(
            page.file.src_uri, page.url, page.title or page.file.name, page.content or "", part
        )

    def _fill(self, page: Page, numbering: Numbering, bibliography_url: str | None) -> None:
        ctx = RenderContext(numbering, self.formatter, page.url, bibliography_url)

        def replace(kind: str, value: str) -> str:
            if kind == "cite":
                index = int(value)
                return render_group(ctx, self.registry.groups[index], numbering.anchors[index])
            return render_bibliography(ctx) if value == "bibliography" else ""

        html = fill(page.content or "", replace)
        sink = self.sinks[page.file.src_uri]
        if sink.reviewed is not None:
            html = insert_after_title(html, reviewed_html(sink.reviewed))
        keys = numbering.page_keys.get(page.file.src_uri, [])
        if keys and not sink.has_bibliography:
            heading = self.config.references_heading
            anchor = self._free_anchor(page, "references")
            html += "\n" + render_page_references(ctx, keys, heading, anchor)
            self._add_toc_entry(page, html_lib.escape(heading), anchor)
        html, refused = refuse_unsafe_links(html)
        report(
            [
                Problem(
                    "link.unsafe_url",
                    f"link target '{url}' was removed; {ALLOWED} "
                    "(links to other pages of the site are relative paths)",
                    sink.path,
                    sink.locator.line_of(url),
                )
                for url in refused
            ]
        )
        page.content = html

    @staticmethod
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

    @staticmethod
    def _add_toc_entry(page: Page, heading: str, anchor: str) -> None:
        entry = AnchorLink(heading, anchor, 2)
        items = page.toc.items
        if len(items) == 1 and items[0].level == 1:
            items[0].children.append(entry)
        else:
            items.append(entry)
