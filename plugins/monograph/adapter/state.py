"""What one build collects, made afresh in ``on_config`` (so a serve rebuild starts clean)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from ..core.bibliography.loading import Bibliography
from ..core.citations.numbering import PageInfo
from ..core.citations.registry import CitationRegistry
from ..core.evidence.kept import KeptEvidenceFile
from ..core.rendering.page_links import CheckedPages
from ..core.rendering.reuse import FilledPages
from ..core.rendering.templates import Templates, default_templates
from ..core.styles.formatter import ReferenceFormatter
from .page import PageContext


@dataclass
class BuildState:
    """The bibliography, the citations and the per-page contexts of one build.

    Attributes:
        project_dir: The folder of mkdocs.yml; paths in messages are relative to it.
        bib: The bibliography.
        formatter: Formatted references (cached across builds).
        registry: Every citation group met while converting pages.
        nocite: Keys listed although never cited (``*`` already expanded).
        templates: The reference-list templates, the theme's ``custom_dir`` overrides first.
        checked_pages: The unsafe-link check, with the pages found clean by earlier builds.
        filled_pages: Pages filled by earlier builds, reused when nothing they read changed.
        kept_evidence: What earlier builds made of pages' evidence data (no pydantic to load
            when it is unchanged).
        pages: Page contexts by source URI.
        page_sources: The text of each page file the plugin read (as MkDocs reads it, bytes that are
            not UTF-8 replaced), by source URI.
        nav: The navigation, once MkDocs has built it.
    """

    project_dir: Path
    bib: Bibliography
    formatter: ReferenceFormatter
    registry: CitationRegistry
    nocite: tuple[str, ...]
    templates: Templates = field(default_factory=default_templates)
    checked_pages: CheckedPages = field(default_factory=CheckedPages)
    filled_pages: FilledPages = field(default_factory=lambda: FilledPages(None, ""))
    kept_evidence: KeptEvidenceFile | None = None
    pages: dict[str, PageContext] = field(default_factory=dict)
    page_sources: dict[str, str] = field(default_factory=dict)
    nav: Navigation | None = None

    def ordered_pages(self, files: Files) -> list[Page]:
        """Converted pages in navigation order, then pages outside the navigation."""
        in_nav = list(self.nav.pages) if self.nav else []
        seen = {page.file.src_uri for page in in_nav}
        rest = [
            f.page
            for f in files.documentation_pages()
            if f.page is not None and f.src_uri not in seen
        ]
        return [p for p in in_nav + rest if p.file.src_uri in self.pages]

    @staticmethod
    def page_info(page: Page) -> PageInfo:
        """The plain data the core needs of a page (its part names it in back-links)."""
        part = page.parent.title if page.parent is not None else ""
        return PageInfo(
            page.file.src_uri, page.url, page.title or page.file.name, page.content or "", part
        )
