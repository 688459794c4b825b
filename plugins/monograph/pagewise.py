"""The Markdown extension on its own: citations resolved page by page, without the MkDocs plugin.

``markdown_extensions: [monograph: {bib_file: refs.bib}]`` loads this through the package's
``makeExtension``. It is what a Zensical site (which runs Python-Markdown extensions but no MkDocs
plugins) or any Python-Markdown user gets: each page's citations resolved from the ``.bib``,
numbered in the order of first citation *on that page*, with a hover preview (the full
reference in ``title``), a reference list at the end of the page, the evidence and claim tables
from its front matter and the same ``path:line`` problems as under the plugin.

What needs every page (one numbering for the whole site, the bibliography with back-links to
every citing page, the evidence summary, the PDF, ``monograph-check``) is the MkDocs plugin's;
no per-page converter can do it, because a page is finished before the next one is read.

Where the page comes from (Zensical 0.0.x): Zensical registers a ``rendering_context``
preprocessor holding the page (``path`` relative to ``docs_dir``, ``url``, ``meta``) and the
configuration (``root_dir``, ``docs_dir``, ``strict``, ``theme_dirs``). It is looked up by name,
never imported, so this module works without Zensical; elsewhere a YAML front-matter block at the
top of the text is read here and the page has no path (problems then carry no location).
"""

from __future__ import annotations

import difflib
import functools
import html as html_lib
import logging
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, NoReturn

import yaml
from markdown import Markdown
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from .core import ids
from .core.bibliography.checks import check_bibliography, check_unknown_keys
from .core.bibliography.loading import Bibliography, load_bibliography
from .core.citations.numbering import PageInfo, number_citations
from .core.citations.registry import CitationRegistry, marker_token
from .core.links import ALLOWED
from .core.markers import (
    MARKERS,
    unknown_marker_message,
)
from .core.model import CoreError, Problem, summarise
from .core.page import CitingPage, read_page_front_matter, unplaced_data
from .core.rendering.citations import (
    RenderContext,
    fill_page,
    render_group,
    render_page_references,
)
from .core.rendering.page_links import refuse_unsafe_links
from .core.rendering.templates import CITATION, ENTRY, LIST, Templates, default_templates
from .core.source.encoding import decode_utf8
from .core.source.locate import FRONT_MATTER, SourceLocator, markdown_start_line
from .core.styles.fetch import fetch_cached, is_url
from .core.styles.formatter import ReferenceFormatter
from .core.styles.registry import DEFAULT as DEFAULT_STYLE
from .core.styles.registry import load_style
from .extension import CitationExtension

if TYPE_CHECKING:
    from .core.evidence.kept import KeptEvidence
    from .core.evidence.validation import PageEvidence

#: Under MkDocs (without the plugin) MkDocs' handlers count these warnings for ``--strict``;
#: under Zensical, whose command line sets up no logging, the lines are printed directly.
log = logging.getLogger("mkdocs.plugins.monograph")

#: Zensical's preprocessor that carries the page being rendered and the configuration.
_CONTEXT = "rendering_context"
_FAILURE = "MonographProblems"
#: The engine's templates a site may override.
TEMPLATE_NAMES = (CITATION, ENTRY, LIST)

OPTIONS: dict[str, list[Any]] = {
    "bib_file": [
        "",
        "The BibTeX file, relative to the project root (the folder of mkdocs.yml), or an "
        "http(s) URL",
    ],
    "style": ["vancouver", "The reference style: vancouver, or a shipped CSL style (ama, apa...)"],
    "csl_file": ["", "Any CSL 1.0.x style file (relative to the project root) or an http(s) URL"],
    "csl_file_encoding": ["", "The encoding of csl_file when its XML declaration is wrong"],
    "references_heading": ["References", "Heading of the reference list that ends each page"],
    "bib_by_default": [
        True,
        "End every citing page with its reference list (else only at a marker)",
    ],
    "bib_command": [
        "\\bibliography",
        "A line standing for the page's reference list (mkdocs-bibtex)",
    ],
    "full_bib_command": [
        "\\full_bibliography",
        "A line standing for a list of every entry (mkdocs-bibtex)",
    ],
    "enable_inline_citations": [True, "Narrative citations (@key in running text)"],
    "cache_dir": [
        ".cache/monograph",
        "Where formatted references are cached between builds, relative to the project root "
        "('' = off)",
    ],
    "require_reviewed": [False, "Every page needs a 'reviewed: YYYY-MM-DD' front-matter date"],
    "templates_dir": [
        "",
        "A folder holding monograph/citation.html, entry.html or list.html to use instead of the "
        "engine's, relative to the project root (on Zensical the theme's custom_dir is read too)",
    ],
    "strict": [
        False,
        "Stop with exit status 1 after a page with an error or warning (also on when "
        "mkdocs.yml says 'strict: true')",
    ],
}


class MonographProblems(Exception):
    """A page had problems and the build is strict; the problems are printed already."""


# --------------------------------------------------------------------------------------------
# What is shared by all pages of one process: the bibliography and its formatted references.
# Zensical builds a new Markdown (and a new extension) for every page in the same process.
# --------------------------------------------------------------------------------------------

_LOCK = threading.Lock()
_STYLE_LOCK = threading.Lock()
_FORMATTERS: dict[tuple[object, ...], ReferenceFormatter] = {}
_REPORTED_BIBS: set[int] = set()
_UNWATCHED: set[str] = set()
_SAID: set[str] = set()
_FETCHED: dict[str, Path] = {}
_TEMPLATES: dict[tuple[object, ...], Templates] = {}


def fetched_once(url: str, cache_dir: Path | None) -> Path:
    """The local copy of a ``bib_file`` URL (a Zotero export), fetched once per process.

    As under the plugin, the URL is fetched afresh by each build (here: each run of the
    converter's process) and the last copy is used when there is no network.

    Raises:
        CoreError: Neither the URL nor a cached copy can be read.
    """
    with _LOCK:
        if url not in _FETCHED:
            _FETCHED[url] = fetch_cached(url, cache_dir, suffix=".bib", refresh=True)
        return _FETCHED[url]


def check_watched(bib_path: Path, shown: str, page: PageSource) -> Problem | None:
    """Warn once when Zensical would keep pages built from an older version of the .bib.

    Zensical converts only the pages whose Markdown changed, unless a file listed in its
    ``watch:`` setting changed: without the .bib there, an edited entry stays old on every
    cached page. Said once per process (with the first page converted).
    """
    if page.watch is None or shown in _UNWATCHED or is_url(shown):
        return None  # (Zensical cannot watch a URL: each run of Zensical fetches it afresh)
    target = bib_path.resolve()
    for entry in page.watch:
        watched = (page.root / entry).resolve()
        if target == watched or target.is_relative_to(watched):
            return None
    _UNWATCHED.add(shown)
    message = (
        f"'{shown}' is not in the 'watch' list of {page.config_file}, so Zensical keeps pages "
        f"built from an older version of it; add it there (watch: [{shown}])"
    )
    return Problem("config.bib_not_watched", message, page.config_file, severity="warning")


def shared_bibliography(
    path: Path, shown: str, cache_dir: Path | None
) -> tuple[Bibliography, list[Problem]]:
    """The parsed bibliography; parsed once per version of the file (path, mtime and size).

    Returns it with its own problems (bad entries, duplicate DOIs...) the first time a version
    is read in this process, and with none after that: they are said once, with one page.
    """
    with _LOCK:
        bib = load_bibliography(path, shown, cache_dir)
        if id(bib) in _REPORTED_BIBS:
            return bib, []
        _REPORTED_BIBS.clear()
        _REPORTED_BIBS.add(id(bib))
        return bib, check_bibliography(bib)


def shared_formatter(
    bib: Bibliography,
    cache_dir: Path | None,
    style: tuple[str, str, str],
    root: Path,
) -> ReferenceFormatter:
    """One formatter per bibliography version and style, so each entry is formatted once.

    Arguments:
        bib: The parsed bibliography.
        cache_dir: The engine's cache folder, or None.
        style: ``(style, csl_file, csl_file_encoding)`` as configured.
        root: The project root, which ``csl_file`` is relative to.

    Raises:
        CoreError: The style cannot be used (unknown name, unreadable CSL file).
    """
    cache = cache_dir / "references.json" if cache_dir else None
    key = (id(bib), str(cache), style, str(root))
    with _LOCK:
        formatter = _FORMATTERS.get(key)
        if formatter is None or formatter.bib is not bib:
            name, csl_file, encoding = style
            loaded = load_style(
                name or DEFAULT_STYLE,
                csl_file or None,
                base_dir=root,
                cache_dir=cache_dir,
                encoding=encoding or None,
            )
            _FORMATTERS.clear()
            formatter = ReferenceFormatter(bib, cache, debug=log.debug, style=loaded)
            _FORMATTERS[key] = formatter
        return formatter


def shared_templates(folders: Sequence[Path]) -> Templates:
    """The templates with a site's overrides in ``folders`` first, compiled once per version.

    The engine's own when no folder holds one of its templates. A site's templates are compiled
    again only when one of them changes (``zensical serve``), not for every page.

    Raises:
        CoreError: An override does not parse (with its file and line).
    """
    found = tuple(
        (str(file), file.stat().st_mtime_ns)
        for folder in folders
        for file in (folder / name for name in TEMPLATE_NAMES)
        if file.is_file()
    )
    if not found:
        return default_templates()
    key = (tuple(str(folder) for folder in folders), found)
    with _LOCK:
        templates = _TEMPLATES.get(key)
        if templates is None:
            templates = Templates(folders)
            _TEMPLATES.clear()
            _TEMPLATES[key] = templates
        return templates


def report(problems: Sequence[Problem]) -> None:
    """Say each problem on one line, ``path:line: message [code]``, in file order.

    Information notes of one code are said in one line, as the plugin does (`summarise`).
    """
    ordered = sorted(problems, key=lambda p: (p.path or "", p.line or 0, p.code))
    by_code: dict[str, list[Problem]] = {}
    for problem in ordered:
        if problem.severity == "info":
            by_code.setdefault(problem.code, []).append(problem)
        else:
            _say(logging.WARNING, str(problem), problem)
    for group in by_code.values():
        _say(logging.INFO, str(group[0]) if len(group) == 1 else summarise(group), group[0])


def _say(level: int, text: str, problem: Problem) -> None:
    if log.hasHandlers():
        log.log(level, text, extra={"monograph_problem": problem})
    else:
        label = "INFO    -  " if level == logging.INFO else "WARNING -  "
        print(label + text, file=sys.stderr, flush=True)


def _quiet_failure(
    previous: Callable[[type[BaseException], BaseException, TracebackType | None], Any],
) -> Callable[[type[BaseException], BaseException, TracebackType | None], Any]:
    """An excepthook that ends a strict build in one line instead of a traceback.

    Zensical turns an exception raised while rendering into a ``RuntimeError`` that reaches the
    top of its command line. The problems were printed already; the traceback would only bury
    them. Any other exception is passed on to the previous hook unchanged.
    """

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> Any:
        if _FAILURE in f"{kind.__name__}: {value}":
            print(
                "ERROR   -  monograph: the build failed because of the problems listed above "
                "(strict); fix them, or turn 'strict' off to build anyway",
                file=sys.stderr,
                flush=True,
            )
            return None
        return previous(kind, value, tb)

    hook.monograph = True  # type: ignore[attr-defined]
    return hook


def fail(count: int, path: str | None) -> NoReturn:
    """Stop the build: install the one-line excepthook once, then raise."""
    if not getattr(sys.excepthook, "monograph", False):
        sys.excepthook = _quiet_failure(sys.excepthook)
    raise MonographProblems(f"{count} problem(s) in {path or 'a page'}")


# --------------------------------------------------------------------------------------------
# One page
# --------------------------------------------------------------------------------------------


@dataclass
class PageSource:
    """Where the page being converted comes from.

    Attributes:
        path: The file for messages, relative to the project root (``docs/a.md``), or None.
        url: The page's URL relative to the site root (``a/``), for links to itself.
        meta: Its front matter.
        source: The whole file as written (front matter included), for line numbers.
        root: The project root (``bib_file`` and ``cache_dir`` are relative to it).
        strict: The site asks for a strict build (``strict: true`` in mkdocs.yml).
        title: The page's title, for the back-links' labels.
        watch: Zensical's ``watch:`` list (files whose change rebuilds every page); None
            outside Zensical.
        serving: ``zensical serve``: problems are printed, never stop the server.
        config_file: The configuration file, for messages (``zensical.toml`` or ``mkdocs.yml``).
        theme_dirs: Zensical's theme folders (its ``custom_dir`` first), where a site's own
            ``monograph/citation.html``, ``entry.html`` or ``list.html`` may be.
    """

    path: str | None
    url: str
    meta: Mapping[str, Any]
    source: str
    root: Path
    strict: bool = False
    title: str = "this page"
    problems: list[Problem] = field(default_factory=list)
    watch: tuple[str, ...] | None = None
    serving: bool = False
    config_file: str = "mkdocs.yml"
    theme_dirs: tuple[Path, ...] = ()


def _config_file(root: Path) -> str:
    """The file Zensical read its configuration from (it looks for zensical.toml first)."""
    for name in ("zensical.toml", "mkdocs.yml", "mkdocs.yaml"):
        if (root / name).is_file():
            return name
    return "mkdocs.yml"


def _serving() -> bool:
    """Whether this is ``zensical serve``, which a strict failure would stop altogether.

    Zensical tells extensions nothing of the command; its command line is the only sign.
    """
    return Path(sys.argv[0]).name == "zensical" and sys.argv[1:2] == ["serve"]


def _theme_dirs(config: Mapping[str, Any], root: Path) -> tuple[Path, ...]:
    """The theme folders Zensical renders pages with: its ``custom_dir`` first, then the theme.

    Zensical 0.0.x resolves them into ``theme_dirs``; ``theme.custom_dir`` (relative to the
    project root) is read when that is missing.
    """
    dirs = config.get("theme_dirs")
    if isinstance(dirs, list | tuple) and all(isinstance(d, str) for d in dirs):
        return tuple(root / d for d in dirs)
    theme = config.get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, Mapping) else None
    return (root / custom,) if isinstance(custom, str) and custom else ()


def _zensical_page(md: Markdown, text: str) -> PageSource | None:
    """The page Zensical is rendering, from its context preprocessor; None elsewhere."""
    if _CONTEXT not in md.preprocessors:
        return None
    context = md.preprocessors[_CONTEXT]
    page = getattr(context, "page", None)
    config = getattr(context, "config", None)
    if page is None or not isinstance(config, Mapping) or not getattr(page, "path", None):
        return None
    root = Path(str(config.get("root_dir") or ".")).resolve()
    file = root / str(config.get("docs_dir") or "docs") / str(page.path)
    try:
        shown = file.resolve().relative_to(root).as_posix()
    except ValueError:
        shown = file.as_posix()
    problems: list[Problem] = []
    try:
        source, problems = decode_utf8(file.read_bytes(), shown, "page.encoding")
    except OSError:
        source = text
    meta = page.meta if isinstance(page.meta, Mapping) else {}
    title = str(getattr(page, "title", None) or meta.get("title") or "this page")
    watch = config.get("watch")
    watched = tuple(str(w) for w in watch) if isinstance(watch, list) else ()
    return PageSource(
        shown,
        str(page.url or ""),
        meta,
        source,
        root,
        bool(config.get("strict")),
        title,
        problems,
        watched,
        _serving(),
        _config_file(root),
        _theme_dirs(config, root),
    )


def _plain_page(text: str) -> tuple[PageSource, str]:
    """A page converted by plain Python-Markdown: its own front matter is read and removed."""
    meta: Mapping[str, Any] = {}
    body = text
    problems: list[Problem] = []
    match = FRONT_MATTER.match(text)
    if match:
        try:
            data = yaml.safe_load(match.group(1) or "")
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 2 if mark is not None else 1
            problems.append(
                Problem("page.front_matter", "the front matter is not valid YAML", None, line)
            )
            data = None
        if isinstance(data, dict):
            meta = {str(k): v for k, v in data.items()}
        if data is None or isinstance(data, dict):
            body = text[match.end() :]
    title = str(meta.get("title") or "this page")
    return PageSource(None, "", meta, text, Path.cwd(), False, title, problems), body


class PageCollector(CitingPage):
    """Receives one page's citations and markers, and fills them in once the page is converted.

    The per-page counterpart of the plugin's ``MkDocsPageSink``: the same core functions, the
    same messages, but numbering and reference list belong to this page alone.
    """

    def __init__(
        self,
        page: PageSource,
        markdown: str,
        bib: Bibliography,
        formatter: ReferenceFormatter,
        *,
        require_reviewed: bool,
        templates: Templates | None = None,
    ) -> None:
        self.page = page
        self.templates = templates or default_templates()
        self.path = page.path
        self.bib = bib
        self.formatter = formatter
        self.registry = CitationRegistry()
        self.locator = SourceLocator(markdown, markdown_start_line(page.source, markdown))
        self.problems: list[Problem] = list(page.problems)
        self.markers_seen: set[str] = set()
        #: The list marker of the page, if any: the page's reference list goes in its place.
        self.list_here = ""
        front = read_page_front_matter(
            page.meta,
            source=page.source,
            path=page.path,
            bib=bib,
            require_reviewed=require_reviewed,
        )
        self.evidence: PageEvidence | KeptEvidence | None = front.evidence
        self.reviewed = front.reviewed
        self.problems += front.problems

    def _problem(self, code: str, message: str, line: int | None, **kw: Any) -> None:
        self.problems.append(Problem(code, message, self.path, line, **kw))

    report = _problem

    # The PageSink protocol of the extension -------------------------------------------------

    def marker(self, name: str, source: str) -> str:
        """HTML for a marker line; what needs the whole site says so on the page."""
        line = self.locator.line_of(source.strip())
        marker = MARKERS.get(name)
        if marker is None:
            self._problem("marker.unknown", unknown_marker_message(name), line)
            return ""
        if marker.reference_list:
            if self.list_here:
                self._problem(
                    "marker.duplicate",
                    "a second reference list ('monograph:bibliography', 'monograph:references', "
                    "\\bibliography or \\full_bibliography) on this page; keep one",
                    line,
                )
                return ""
            self.markers_seen.add(name)
            self.list_here = name
            return marker_token("bibliography")
        self.markers_seen.add(name)
        if marker.site_wide:
            self._problem(
                "marker.site_wide",
                f"'monograph:{name}' needs every page, which only the MkDocs plugin sees; "
                "this build shows a note in its place (build with MkDocs for it)",
                line,
                severity="info",
            )
            return (
                '<p class="monograph-unavailable"><em>This part gathers every page of the site: '
                "it is produced by the MkDocs build of this site; this build converts each page "
                "on its own and cannot gather it.</em></p>"
            )
        return self.page_table(marker, line)

    # After conversion -----------------------------------------------------------------------

    def _unplaced_data(self) -> None:
        self.problems += unplaced_data(
            self.evidence, source=self.page.source, path=self.path, markers_seen=self.markers_seen
        )

    def finish(
        self, html: str, heading: str, taken_ids: set[str], *, by_default: bool = True
    ) -> tuple[str, str | None]:
        """Number the page's citations, fill them in and add its reference list.

        Arguments:
            html: The converted page, holding tokens.
            heading: The heading of the list added at the end.
            taken_ids: Ids of the page's headings (the list's heading gets a free one).
            by_default: End a citing page with its list (else only where a marker asks).

        Returns the HTML and the id of the reference-list heading when one was added at the end.
        """
        info = PageInfo(self.path or "", self.page.url, self.page.title, html)
        keys_cited = {self.bib.canonical_key(k) for g in self.registry.groups for k in g.keys}
        nocite: list[str] = []
        cites_nothing = not any(k in self.bib for k in keys_cited)
        if self.list_here == "full-bibliography" or (
            self.list_here == "bibliography" and cites_nothing
        ):
            # Every entry: always for \full_bibliography, and on a bibliography page that
            # cites nothing itself (the site's "References" page), numbered after cited ones.
            nocite = list(self.bib)
        numbering = number_citations([info], self.registry, self.bib, nocite)
        self.problems += check_unknown_keys(self.bib, self.registry.groups)
        self._unplaced_data()
        ctx = RenderContext(numbering, self.formatter, self.page.url, None, self.templates)
        keys = numbering.ordered() if nocite else numbering.page_keys.get(info.id, [])

        def replace_token(kind: str, value: str) -> str:
            if kind == "cite":
                index = int(value)
                return render_group(ctx, self.registry.groups[index], numbering.anchors[index])
            if value == "bibliography" and keys:  # the author's heading is above the marker
                return render_page_references(ctx, keys, None)
            return ""

        added = None
        style = self.formatter.style
        # The style is shared by every page of the process and meets each page's works in the
        # page's own numbering (a CSL style numbers, sorts and letters them); pages converted
        # at the same time take turns.
        with _STYLE_LOCK:
            self.problems += style.prepare(self.bib, numbering.ordered())
            append = None
            if keys and by_default and not self.list_here:
                added = _free_id(ids.REFERENCES_ID, taken_ids)
                append = functools.partial(render_page_references, ctx, keys, heading, added)
            html = fill_page(html, replace_token, self.reviewed, append)
            for problem in style.problems:  # an entry the style cannot format: said once
                if str(problem) not in _SAID:
                    _SAID.add(str(problem))
                    self.problems.append(problem)
        html, refused = refuse_unsafe_links(html)
        for url in refused:
            self._problem(
                "link.unsafe_url",
                f"link target '{url}' was removed; {ALLOWED} "
                "(links to other pages of the site are relative paths)",
                self.locator.line_of(url),
            )
        return html, added


def _free_id(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted_1``... when the page has an element with that id already."""
    anchor, number = wanted, 0
    while anchor in taken:
        number += 1
        anchor = f"{wanted}_{number}"
    return anchor


def _toc_ids(tokens: Sequence[Mapping[str, Any]]) -> set[str]:
    ids: set[str] = set()
    stack = list(tokens)
    while stack:
        token = stack.pop()
        ids.add(str(token.get("id", "")))
        stack.extend(token.get("children", []))
    return ids


# --------------------------------------------------------------------------------------------
# The extension
# --------------------------------------------------------------------------------------------


class _PageStart(Preprocessor):
    """First of all preprocessors: find the page, read its front matter, attach a collector."""

    def __init__(self, md: Markdown, ext: PagewiseExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        page = _zensical_page(self.md, text)
        if page is None:
            page, text = _plain_page(text)
            lines = text.split("\n")
        self.ext.start(page, text)
        return lines


class _TreeDone(Treeprocessor):
    """Last of all treeprocessors: from now on the postprocessors see the whole page."""

    def __init__(self, md: Markdown, ext: PagewiseExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: Any) -> None:
        self.ext.tree_done = True


class _PageEnd(Postprocessor):
    """Last of all postprocessors: the page's HTML is final; number, fill, report.

    The ``toc`` extension runs every postprocessor on each heading's text while the tree is
    being processed; those calls (before `_TreeDone`) are left alone.
    """

    def __init__(self, md: Markdown, ext: PagewiseExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, text: str) -> str:
        if not self.ext.tree_done:
            return text
        return self.ext.finish(self.md, text)


def unknown_options(options: Mapping[str, Any]) -> list[Problem]:
    """A ``config.unknown_option`` problem, with a "did you mean", per option not in OPTIONS."""
    problems = []
    for name in sorted(set(options) - set(OPTIONS)):
        guess = difflib.get_close_matches(name, list(OPTIONS), n=1)
        hint = f"did you mean '{guess[0]}'?" if guess else f"the options are {', '.join(OPTIONS)}"
        message = f"unknown option '{name}' of the 'monograph' Markdown extension; {hint}"
        problems.append(Problem("config.unknown_option", message, "mkdocs.yml"))
    return problems


class PagewiseExtension(CitationExtension):
    """The citation extension with its own per-page numbering and reference list."""

    def __init__(self, **kwargs: Any) -> None:
        self.config = {name: list(value) for name, value in OPTIONS.items()}
        # An unknown option is said with the first page (so a strict build stops there, with
        # its one line) rather than raised here, where MkDocs and Zensical print a traceback.
        self.config_problems = unknown_options(kwargs)
        super().__init__(**{k: v for k, v in kwargs.items() if k in self.config})
        self.collector: PageCollector | None = None
        self.tree_done = False
        # mkdocs-bibtex's commands and inline-citation switch, as the plugin sets them.
        self.commands = {
            str(self.getConfig("bib_command")): "references",
            str(self.getConfig("full_bib_command")): "full-bibliography",
        }
        self.narrative = bool(self.getConfig("enable_inline_citations"))

    def extendMarkdown(self, md: Markdown) -> None:
        """Register the citation processors, then the page's start and end."""
        super().extendMarkdown(md)
        md.preprocessors.register(_PageStart(md, self), "monograph_page_start", 40)
        md.treeprocessors.register(_TreeDone(md, self), "monograph_tree_done", -100)
        md.postprocessors.register(_PageEnd(md, self), "monograph_page_end", -100)

    def _settings(self, root: Path) -> tuple[Path, str, Path | None]:
        bib_file = str(self.getConfig("bib_file") or "")
        if not bib_file:
            raise CoreError(
                "the 'monograph' Markdown extension needs 'bib_file' (the BibTeX file, "
                "relative to mkdocs.yml): markdown_extensions: [monograph: {bib_file: refs.bib}]"
            )
        cache = str(self.getConfig("cache_dir") or "")
        cache_dir = (root / cache) if cache else None
        if is_url(bib_file):
            return fetched_once(bib_file, cache_dir), bib_file, cache_dir
        bib_path = root / bib_file
        try:
            shown = bib_path.resolve().relative_to(root).as_posix()
        except ValueError:
            shown = bib_path.as_posix()
        return bib_path, shown, cache_dir

    def start(self, page: PageSource, markdown: str) -> None:
        """Attach a collector for ``page`` (or stop the build when the .bib cannot be read)."""
        self.collector = None
        self.sink = None
        self.tree_done = False
        try:
            bib_path, shown, cache_dir = self._settings(page.root)
            bib, bib_problems = shared_bibliography(bib_path, shown, cache_dir)
            unwatched = check_watched(bib_path, shown, page)
            style = (
                str(self.getConfig("style") or ""),
                str(self.getConfig("csl_file") or ""),
                str(self.getConfig("csl_file_encoding") or ""),
            )
            formatter = shared_formatter(bib, cache_dir, style, page.root)
            own = str(self.getConfig("templates_dir") or "")
            templates = shared_templates([*([page.root / own] if own else []), *page.theme_dirs])
        except CoreError as exc:
            report([Problem("config.unusable", str(exc), page.path)])
            fail(1, page.path)
        self.collector = PageCollector(
            page,
            markdown,
            bib,
            formatter,
            require_reviewed=bool(self.getConfig("require_reviewed")),
            templates=templates,
        )
        said = [replace(p, path=page.config_file) for p in self.config_problems]
        self.collector.problems += bib_problems  # with this page, so that strict counts them
        for problem in [*said, *filter(None, [unwatched])]:
            if str(problem) not in _SAID:  # once per process, not with every page
                _SAID.add(str(problem))
                self.collector.problems.append(problem)
        self.sink = self.collector

    def finish(self, md: Markdown, html: str) -> str:
        """Fill the page, report its problems, and stop a strict build that has any."""
        collector = self.collector
        self.collector = None
        self.sink = None
        self.tree_done = False
        if collector is None:
            return html
        tokens: list[dict[str, Any]] = list(getattr(md, "toc_tokens", []) or [])
        heading = str(self.getConfig("references_heading"))
        try:
            html, anchor = collector.finish(
                html, heading, _toc_ids(tokens), by_default=bool(self.getConfig("bib_by_default"))
            )
        except CoreError as exc:  # a site's template that fails: its file, no traceback
            report([*collector.problems, Problem("config.unusable", str(exc), collector.path)])
            fail(len(collector.problems) + 1, collector.path)
        if anchor is not None and hasattr(md, "toc_tokens"):
            _add_toc_entry(md, heading, anchor)
        collector.formatter.save()
        report(collector.problems)
        serious = [p for p in collector.problems if p.severity != "info"]
        strict = self.getConfig("strict") or collector.page.strict
        if serious and strict and not collector.page.serving:
            fail(len(serious), collector.path)
        return html


def _add_toc_entry(md: Markdown, heading: str, anchor: str) -> None:
    """List the added reference list in the page's table of contents (Zensical reads it)."""
    entry = {
        "level": 2,
        "id": anchor,
        "name": html_lib.escape(heading),  # Python-Markdown's "name" holds escaped text too
        "html": html_lib.escape(heading),
        "data-toc-label": "",
        "children": [],
    }
    tokens = md.toc_tokens  # type: ignore[attr-defined]
    if len(tokens) == 1 and tokens[0].get("level") == 1:
        tokens[0].setdefault("children", []).append(entry)
    else:
        tokens.append(entry)


def makeExtension(**kwargs: Any) -> PagewiseExtension:
    """Python-Markdown's entry point: ``markdown_extensions: [monograph: {bib_file: ...}]``."""
    return PagewiseExtension(**kwargs)
