"""The PDF edition: MkDocs nav and config in, one PDF out (WeasyPrint, no JavaScript, no network).

The plugin calls `write_pdf_edition` from ``on_post_build``, when every page's final content is in
``page.content``. The pure assembly lives in `monograph.core.printing.document`; this module only
turns MkDocs objects into plain data, renders with WeasyPrint and turns WeasyPrint's complaints into
MkDocs warnings (so ``mkdocs build --strict`` fails on, say, an image it refused to fetch).
"""

from __future__ import annotations

import hashlib
import logging
import os
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.nav import Section
from mkdocs.structure.pages import Page

from monograph.core.model import CoreError
from monograph.core.printing.document import PrintMeta, PrintPage, assemble_print_document
from monograph.core.printing.reuse import RenderedPdfs

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.nav import Navigation

log = get_plugin_logger(__name__)

#: The only URL schemes WeasyPrint may open: files of the built site and inline data.
ALLOWED_PROTOCOLS = ("file", "data")


def write_pdf_edition(
    config: MkDocsConfig,
    nav: Navigation,
    out_path: str | os.PathLike[str],
    cache_dir: Path | None = None,
) -> Path:
    """Assemble every nav page into one document and render it to a PDF.

    Arguments:
        config: The MkDocs config (site name, description, author, ``extra.version``, theme
            language, ``site_dir``).
        nav: The site navigation after the build; pages are printed in its order.
        out_path: Where to write the PDF; a relative path is taken relative to ``site_dir``.
        cache_dir: Where PDFs rendered by earlier builds are kept (reused when the document
            and the files it reads are unchanged: :mod:`monograph.core.printing.reuse`).

    Returns:
        The path of the written PDF.

    Raises:
        PluginError: When there is nothing to print or WeasyPrint fails.
    """
    site_dir = Path(config.site_dir).resolve()
    target = site_dir / out_path
    try:
        document = assemble_print_document(collect_print_pages(nav), print_meta(config))
    except CoreError as exc:
        raise PluginError(f"Error assembling the PDF edition: {exc}") from exc
    for link in document.unresolved:
        log.warning(f"PDF edition: link to a place not in the document, unlinked: {link}")
    target.parent.mkdir(parents=True, exist_ok=True)
    kept = RenderedPdfs(cache_dir / "pdf" if cache_dir else None, _renderer_version())
    pdf = render_pdf(document.html, base_dir=site_dir, kept=kept)
    target.write_bytes(pdf)
    log.info(f"PDF edition written to {target} ({len(pdf) // 1024} KiB)")
    return target


def collect_print_pages(nav: Navigation) -> list[PrintPage]:
    """Return the nav's pages in order, with the titles of the sections that hold them.

    Arguments:
        nav: The site navigation; links to other sites are skipped.

    Returns:
        One `PrintPage` per page.

    Raises:
        PluginError: When a page has not been rendered yet.
    """
    return list(_walk(nav.items, ()))


def _walk(items: Sequence[Any], sections: tuple[str, ...]) -> Iterator[PrintPage]:
    for item in items:
        if isinstance(item, Section):
            yield from _walk(item.children, (*sections, str(item.title)))
        elif isinstance(item, Page):
            if item.content is None:
                raise PluginError(
                    f"PDF edition: page '{item.file.src_path}' has no rendered content; "
                    "write_pdf_edition must run in on_post_build."
                )
            yield PrintPage(
                title=str(item.title),
                url=item.url,
                src_path=item.file.src_path,
                html=item.content,
                depth=len(sections),
                section=sections,
            )


def print_meta(config: MkDocsConfig) -> PrintMeta:
    """Return the cover and PDF metadata from the MkDocs config.

    The edition date is ``SOURCE_DATE_EPOCH`` (UTC) when set, so that builds are reproducible,
    else today. The cover shows ``extra.version``, the short disclaimer ``extra.disclaimer``
    (HTML) and the site's ``copyright``.

    Arguments:
        config: The MkDocs config.

    Returns:
        The metadata.
    """
    description = " ".join((config.site_description or "").split())
    version = config.extra.get("version", "")
    disclaimer = config.extra.get("disclaimer", "")
    return PrintMeta(
        title=config.site_name,
        edition_date=edition_date(),
        subtitle=description,
        author=config.site_author or "",
        subject=description,
        language=str(config.theme.get("language") or config.theme.locale or "en"),
        version=version if isinstance(version, str) else "",
        disclaimer_html=disclaimer if isinstance(disclaimer, str) else "",
        rights=config.copyright or "",
        site_url=config.site_url or "",
    )


def edition_date(environ: dict[str, str] | None = None) -> date:
    """Return the date of ``SOURCE_DATE_EPOCH`` (UTC) if set, else today's date."""
    epoch = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return date.today()
    try:
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    except ValueError as exc:
        raise PluginError(f"SOURCE_DATE_EPOCH is not a number of seconds: {epoch!r}") from exc


def render_pdf(document: str, *, base_dir: Path, kept: RenderedPdfs | None = None) -> bytes:
    """Render the print document with the project's stylesheet; only local files are read.

    Arguments:
        document: The HTML document from `monograph.core.printing.document`.
        base_dir: Folder that relative URLs (images) resolve against: the built site.
        kept: PDFs of earlier builds: one made from the same document and files is reused
            (WeasyPrint is then not even imported), a new one kept if it rendered cleanly.

    Returns:
        The PDF (tagged, with a file identifier derived from the document, so that the same
        document gives the same bytes).

    Raises:
        PluginError: When WeasyPrint fails.
    """
    stylesheet = (resources.files("monograph") / "assets" / "print.css").read_text(encoding="utf-8")
    key = kept.key(document, stylesheet) if kept else ""
    earlier = kept.get(key, base_dir) if kept is not None else None
    if earlier is not None:
        log.debug("PDF edition: the document is unchanged; its earlier rendering is reused")
        return earlier
    weasyprint = import_weasyprint()

    class Fetcher(weasyprint.URLFetcher):  # type: ignore[misc,name-defined]
        """WeasyPrint's fetcher, noting what it reads (the kept PDF depends on it)."""

        def __init__(self, **options: Any) -> None:
            super().__init__(**options)
            self.fetched: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            self.fetched.append(url)
            return super().fetch(url, headers)

    fetcher = Fetcher(allowed_protocols=ALLOWED_PROTOCOLS)
    with _relay_weasyprint_warnings() as problems:
        try:
            css = weasyprint.CSS(string=stylesheet, url_fetcher=fetcher)
            page = weasyprint.HTML(
                string=document, base_url=base_dir.as_uri() + "/", url_fetcher=fetcher
            )
            pdf: bytes = page.write_pdf(
                stylesheets=[css],
                pdf_tags=True,
                pdf_identifier=hashlib.sha256(document.encode("utf-8")).hexdigest()[:32].encode(),
            )
        except Exception as exc:  # WeasyPrint raises many types; the build must stop with context
            raise PluginError(f"PDF edition: WeasyPrint failed: {exc}") from exc
    if kept is not None and not problems:
        kept.put(key, pdf, base_dir, fetcher.fetched)
    return pdf


#: WeasyPrint and the libraries whose versions change the bytes it writes.
_RENDERER_PACKAGES = (
    "weasyprint",
    "pydyf",
    "tinyhtml5",
    "tinycss2",
    "cssselect2",
    "pyphen",
    "pillow",
    "fonttools",
)


def _renderer_version() -> str:
    """The versions that decide the PDF's bytes, read without importing anything.

    WeasyPrint and what shapes its output (the PDF writer, the HTML and CSS parsers, the
    hyphenation dictionaries, fonts and images), and the engine's code.
    """
    from monograph.core.cachefile import versions
    from monograph.core.rendering.reuse import package_digest

    return "/".join([*versions(*_RENDERER_PACKAGES), package_digest()])


def import_weasyprint() -> Any:
    """Import WeasyPrint (heavy, about a second), or stop the build with one line saying why.

    Returns:
        The ``weasyprint`` module.

    Raises:
        PluginError: WeasyPrint is not installed (the ``pdf`` extra), or its system libraries
            (Pango) cannot be loaded.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            import weasyprint
        except ImportError as exc:
            raise PluginError(
                f"PDF edition: WeasyPrint is not installed ({exc}); install the 'pdf' extra "
                "(pip install 'mkdocs-monograph[pdf]') or remove the plugin's pdf_file option"
            ) from None
        except OSError as exc:  # cffi could not dlopen Pango, GObject or HarfBuzz
            raise PluginError(
                f"PDF edition: WeasyPrint cannot load a system library ({exc}); install Pango "
                "(Debian: scripts/system-packages.sh pdf, or apt-get install libpango-1.0-0 "
                "libpangoft2-1.0-0 libharfbuzz-subset0) or remove the plugin's pdf_file option"
            ) from None
    for warning in caught:  # e.g. "HarfBuzz-Subset will be required": the machine, not the book
        log.debug(f"PDF edition: WeasyPrint: {warning.message}")
    return weasyprint


#: WeasyPrint modules whose warnings describe the machine (font subsetting falling back to
#: fontTools, emoji and variable-font support), not the document: logged as info, never failing
#: ``--strict``. Everything else (an image or stylesheet that cannot be loaded, a missing anchor,
#: bad CSS) is a problem of the edition and stays a warning.
ENVIRONMENT_NOTICE_MODULES = (("weasyprint", "pdf", "fonts.py"),)


def is_environment_notice(record: logging.LogRecord) -> bool:
    """Tell whether a WeasyPrint log record is about the machine rather than the document."""
    parts = Path(record.pathname).parts
    return any(parts[-len(tail) :] == tail for tail in ENVIRONMENT_NOTICE_MODULES)


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _relay_weasyprint_warnings() -> Iterator[list[str]]:
    """Turn WeasyPrint's warnings and errors (refused URL, bad CSS) into MkDocs warnings.

    Notices about the machine (`is_environment_notice`) become info lines, once each. Yields
    the list that then holds the warnings about the document.
    """
    problems: list[str] = []
    logger = logging.getLogger("weasyprint")
    collector = _Collector()
    propagate = logger.propagate
    logger.addHandler(collector)
    logger.propagate = False
    try:
        yield problems
    finally:
        logger.removeHandler(collector)
        logger.propagate = propagate
        notices: dict[str, None] = {}
        for record in collector.records:
            if is_environment_notice(record):
                notices[record.getMessage()] = None
            else:
                problems.append(record.getMessage())
                log.warning(f"PDF edition: WeasyPrint: {record.getMessage()}")
        for notice in notices:
            log.info(f"PDF edition: WeasyPrint (this machine): {notice}")
