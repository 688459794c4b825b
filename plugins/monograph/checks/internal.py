"""Check every link inside the built site: pages, files, images and ``#fragments``.

MkDocs validates links while Markdown is rendered, so it cannot see what plugins add afterwards
(citations, per-page reference lists, bibliography back-links, evidence tables) nor raw HTML. This
checker reads the finished HTML instead. Each page is parsed once with lxml; its ids are cached.
Whether a URL is fine is decided once per starting directory and remembered in sets, so the
navigation repeated on every page costs set operations, not Python code per link; lines and
context are only looked up for the few suspect links. Large sites are read by worker processes.
Timing (1,000-page benchmark, 1.17M links, 2 CPUs): 13.6 s before; 4.5-5.0 s serial, 2.8 s wall.

Problems are reported against the Markdown source when the page can be mapped back to one and the
offending text found in it (the link as written, or the citation key that generated it); otherwise
against the built HTML file and the line lxml reports.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from monograph.checks.build import Project
from monograph.checks.pages import (
    Link,
    LinkContext,
    PageLinks,
    link_context,
    locate_links,
    read_page,
)
from monograph.checks.sources import SourceTree
from monograph.core.ids import key_of_ref_id
from monograph.core.model import Problem
from monograph.core.urls import file_target, normal_path

_SKIPPED_SCHEMES = frozenset({"mailto", "tel", "javascript", "data", "blob", "about", "sms"})
_SKIPPED_PAGES = frozenset({"404.html"})
#: Browsers scroll to the top for these fragments even without a matching id.
_IMPLICIT_FRAGMENTS = frozenset({"", "top"})

# What a URL asks for, whatever page it is on (see _plan): (kind, path, fragment). A kind >= 0
# is a relative path that climbs that many directories ("../" already removed from the path).
_SAME_PAGE = -1  # "#fragment": the page itself
_FROM_ROOT = -2  # path relative to the site's root (absolute path, same-site URL)
_EDIT = -3  # edit link; the path is the source file it opens
_SKIP = -4  # not checked here: excluded, external, mailto:...
_Plan = tuple[int, str, str]

#: Below this many pages per worker process, starting the pool costs more than it saves.
_PAGES_PER_WORKER = 100
_MAX_WORKERS = 8


def _cpus() -> int:
    """Return how many CPUs this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@dataclass
class InternalResult:
    """The outcome of an internal link check.

    Attributes:
        problems: Every broken link.
        pages: How many pages were read.
        links: How many links were checked.
    """

    problems: list[Problem]
    pages: int
    links: int


class _Site:
    """The files of a built site, and the pages parsed so far."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.files: set[str] = set()
        self.dirs: set[str] = {""}
        for folder, dirnames, filenames in os.walk(site_dir):
            rel = Path(folder).relative_to(site_dir).as_posix()
            rel = "" if rel == "." else rel
            self.dirs.update(posixpath.join(rel, d) for d in dirnames)
            self.files.update(posixpath.join(rel, f) for f in filenames)
        self.pages: dict[str, PageLinks] = {}
        self._contexts: dict[tuple[str, int], LinkContext] = {}

    def read_all(self, pages: list[str]) -> None:
        """Read many pages in worker processes: lxml's parser is most of the check's time.

        Small sites, a single CPU or a pool that cannot start: pages are read one by one later.
        """
        workers = min(_cpus(), len(pages) // _PAGES_PER_WORKER, _MAX_WORKERS)
        if workers < 2:
            return
        paths = [self.site_dir / rel for rel in pages]
        chunk = max(1, len(paths) // (workers * 8))
        try:
            with ProcessPoolExecutor(workers) as pool:
                read = list(pool.map(read_page, paths, chunksize=chunk))
        except (OSError, BrokenExecutor):
            return
        self.pages.update(zip(pages, read, strict=True))

    def page(self, rel: str) -> PageLinks:
        if rel not in self.pages:
            self.pages[rel] = read_page(self.site_dir / rel)
        return self.pages[rel]

    def take_urls(self, rel: str) -> list[str]:
        """Return the link URLs of a page, and forget them (its ids are kept for fragments)."""
        page = self.page(rel)
        urls, page.urls = page.urls, []
        return urls

    def locate(self, rel: str, positions: list[int]) -> list[Link]:
        """Return the links of a page at these positions, with lines (parses the page again)."""
        located = locate_links(self.site_dir / rel, positions)
        self._contexts.update(((rel, link.index), where) for link, where in located)
        return [link for link, _ in located]

    def context(self, rel: str, link: Link) -> LinkContext:
        key = (rel, link.index)
        if key not in self._contexts:
            self._contexts[key] = link_context(self.site_dir / rel, link.index)
        return self._contexts[key]

    def resolve(self, rel: str) -> str | None:
        """Return the file a site-relative path serves, or ``None``."""
        if rel in ("", ".") or rel in self.dirs:
            candidate = posixpath.join(rel if rel != "." else "", "index.html")
            return candidate if candidate in self.files else None
        return rel if rel in self.files else None


@dataclass
class _Context:
    project: Project
    site: _Site
    tree: SourceTree
    excludes: Sequence[re.Pattern[str]]
    site_prefix: str
    edit_prefix: str
    #: What each URL asks for (see _plan), by URL as written.
    plans: dict[str, _Plan] = field(default_factory=dict)
    #: Whether (base directory, path, fragment) exists.
    verdicts: dict[tuple[str, str, str], bool] = field(default_factory=dict)
    #: The URLs known to be fine, by (plan kind, base directory).
    fine: dict[tuple[int, str], set[str]] = field(default_factory=dict)

    @property
    def root_path(self) -> str:
        """The path of ``site_url`` (``/`` when unset), where the site's root is served."""
        return urlsplit(self.site_prefix).path or "/"


def check_internal(project: Project, excludes: Iterable[re.Pattern[str]] = ()) -> InternalResult:
    """Check every link of every page in ``project.site_dir``.

    Arguments:
        project: The project whose site is already built.
        excludes: Links matching any of these patterns are not checked.

    Returns:
        The broken links and how much was checked.
    """
    site = _Site(project.site_dir)
    context = _Context(
        project=project,
        site=site,
        tree=project.tree,
        excludes=list(excludes),
        site_prefix=_site_prefix(project.site_url),
        edit_prefix=edit_prefix(project.repo_url, project.edit_uri),
    )
    pages = sorted(
        f for f in site.files if f.endswith(".html") and posixpath.basename(f) not in _SKIPPED_PAGES
    )
    site.read_all(pages)
    findings: list[tuple[Problem, str]] = []
    count = 0
    for rel in pages:
        urls = site.take_urls(rel)
        count += len(urls)
        suspects = _suspects(context, rel, urls)
        if not suspects:
            continue
        for link in site.locate(rel, suspects):
            problem = _check_link(context, rel, link)
            if problem is not None:
                findings.append((problem, _target_key(context, rel, link)))
    return InternalResult(_merge_theme_links(findings), len(pages), count)


def _suspects(context: _Context, page: str, urls: list[str]) -> list[int]:
    """Return the positions of the links of a page that may be broken.

    The fast path for a million links, mostly the same navigation on every page. A relative URL's
    plan (:func:`_plan`) has its ``../`` removed, so it starts from the same directory on many
    pages; the URLs known to be fine from each start are kept in sets, and a page's URLs are
    filtered through them with set operations. Only the rest are looked at one by one, and the
    suspects are then checked with the original rules by :func:`_check_link`.
    """
    bases = _bases(page)
    unknown = set(urls)
    for start in bases.items():
        fine = context.fine.get(start)
        if fine:
            unknown = unknown.difference(fine)
    broken = {url for url in unknown if not _fine(context, page, bases, url)}
    if not broken:
        return []
    return [position for position, url in enumerate(urls) if url in broken]


def _fine(context: _Context, page: str, bases: dict[int, str], url: str) -> bool:
    """Tell whether a link is fine; remember it for other pages when that does not depend on it."""
    plan = context.plans.get(url)
    if plan is None:
        plan = context.plans[url] = _plan(context, url)
    kind, path, fragment = plan
    base = bases.get(kind)
    if base is None:  # an edit link, or a relative path that climbs out of the site
        return kind == _EDIT and path == context.tree.source_of(page)
    fine = kind == _SKIP or context.verdicts.get((base, path, fragment))
    if fine is None:
        fine = context.verdicts[base, path, fragment] = _exists(context.site, base, path, fragment)
    if fine:
        context.fine.setdefault((kind, base), set()).add(url)
    return fine


def _bases(page: str) -> dict[int, str]:
    """Return the directory each plan kind starts from on ``page`` (see :func:`_plan`)."""
    parts = posixpath.dirname(page).split("/") if "/" in page else []
    bases = {up: "/".join(parts[: len(parts) - up]) for up in range(len(parts) + 1)}
    bases[_SAME_PAGE] = page
    bases[_FROM_ROOT] = ""
    bases[_SKIP] = ""
    return bases


def _plan(context: _Context, raw: str) -> _Plan:
    """Tell what a URL asks for, independently of the page it is on (mirrors :func:`_check_link`).

    ``posixpath.join(base, path)`` of the result, with ``base`` from :func:`_bases`, is what
    :func:`~monograph.core.urls.file_target` joins, once normalised.
    """
    url = raw.strip()
    if not url or any(pattern.search(url) for pattern in context.excludes):
        return _SKIP, "", ""
    if context.edit_prefix and url.startswith(context.edit_prefix):
        return _EDIT, unquote(url[len(context.edit_prefix) :]), ""
    scheme, netloc, path, fragment = _split(url)
    external = not context.site_prefix or not url.startswith(context.site_prefix)
    if scheme in _SKIPPED_SCHEMES or ((scheme or netloc) and external):
        return _SKIP, "", ""
    if not path:
        return _SAME_PAGE, "", fragment
    if path.startswith("/"):
        root = context.root_path
        inside = path[len(root) :] if path.startswith(root) else path.lstrip("/")
        return _FROM_ROOT, inside, fragment
    up = 0
    # Each leading "../" removes one directory of a normalised base, as normpath would.
    while path.startswith("../") and not path.startswith("//", 2):
        path, up = path[3:], up + 1
    return up, path, fragment


def _exists(site: _Site, base: str, path: str, fragment: str) -> bool:
    """Tell whether ``path`` (relative to ``base``) and its ``#fragment`` exist in the site."""
    target_rel = normal_path(posixpath.join(base, path))
    target = site.resolve(target_rel) if target_rel is not None else None
    if target is None:
        return False
    if fragment.lower() in _IMPLICIT_FRAGMENTS or not target.endswith(".html"):
        return True
    return fragment in site.page(target).ids


def _target_key(context: _Context, page: str, link: Link) -> str:
    _, _, path, fragment = _split(link.url.strip())
    return f"{file_target(page, path, context.root_path)}#{fragment}"


def _merge_theme_links(findings: list[tuple[Problem, str]]) -> list[Problem]:
    """Report a broken link that no source explains (theme, configuration) once, not per page.

    A missing ``extra_css`` file breaks a ``<link>`` on every page; one problem with a count is
    what a contributor needs. Problems placed in a Markdown source are kept one by one.
    """
    totals: Counter[tuple[str, str]] = Counter(
        (problem.code, target) for problem, target in findings if not _in_source(problem)
    )
    seen: set[tuple[str, str]] = set()
    result: list[Problem] = []
    for problem, target in findings:
        key = (problem.code, target)
        if _in_source(problem):
            result.append(problem)
        elif key not in seen:
            seen.add(key)
            more = totals[key] - 1
            if more:
                note = (
                    f"; the same link is broken on {more} more page{'s' if more != 1 else ''}"
                    " (a link on every page usually comes from the theme or mkdocs.yml)"
                )
                problem = replace(problem, message=problem.message + note)
            result.append(problem)
    return result


def _in_source(problem: Problem) -> bool:
    return problem.path is not None and problem.path.endswith(".md")


def _site_prefix(site_url: str) -> str:
    if not site_url:
        return ""
    return site_url if site_url.endswith("/") else site_url + "/"


def edit_prefix(repo_url: str, edit_uri: str) -> str:
    """Return the address every edit link starts with ('' when edit links are off).

    Arguments:
        repo_url: ``repo_url`` of mkdocs.yml.
        edit_uri: ``edit_uri`` of mkdocs.yml.

    Returns:
        ``repo_url`` joined with ``edit_uri``, ending with ``/``.
    """
    if not repo_url or not edit_uri:
        return ""
    base = repo_url if repo_url.endswith("/") else repo_url + "/"
    prefix = urljoin(base, edit_uri)
    return prefix if prefix.endswith("/") else prefix + "/"


def _check_link(context: _Context, page: str, link: Link) -> Problem | None:
    url = link.url.strip()
    if not url or any(pattern.search(url) for pattern in context.excludes):
        return None
    if context.edit_prefix and url.startswith(context.edit_prefix):
        return _check_edit_link(context, page, link, unquote(url[len(context.edit_prefix) :]))
    scheme, netloc, path, fragment = _split(url)
    if scheme in _SKIPPED_SCHEMES:
        return None
    external = not context.site_prefix or not url.startswith(context.site_prefix)
    if (scheme or netloc) and external:
        return None  # see monograph.checks.external
    target_rel = file_target(page, path, context.root_path)
    target = context.site.resolve(target_rel) if target_rel is not None else None
    if target is None:
        return _broken(context, page, link, "link.not_found", target_rel or path)
    if fragment.lower() in _IMPLICIT_FRAGMENTS or not target.endswith(".html"):
        return None
    if fragment in context.site.page(target).ids:
        return None
    return _broken(context, page, link, "link.anchor_missing", target, fragment)


@functools.lru_cache(maxsize=65536)
def _split(url: str) -> tuple[str, str, str, str]:
    """Split a URL into scheme (lower case), host, decoded path and decoded fragment.

    Navigation links repeat on every page, so the split is memoised.
    """
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc, unquote(parts.path), unquote(parts.fragment)


def _check_edit_link(context: _Context, page: str, link: Link, src: str) -> Problem | None:
    expected = context.tree.source_of(page)
    if expected is not None and src == expected:
        return None
    where = f"'{expected}'" if expected else "no Markdown source"
    message = (
        f"edit link '{link.url}' opens '{src}', but this page is built from {where}; "
        "check repo_url and edit_uri in mkdocs.yml"
    )
    return Problem("link.edit_target", message, _html_path(context, page), link.line)


def _html_path(context: _Context, page: str) -> str:
    return context.tree.display(context.project.site_dir / page)


def _broken(
    context: _Context, page: str, link: Link, code: str, target: str, fragment: str = ""
) -> Problem:
    if code == "link.not_found":
        what = f"'{target}' does not exist in the built site"
        fix = "correct the path (it is relative to the built page) or add the file"
    else:
        what = f"'{target}' has no element with id '{fragment}'"
        fix = "link to an existing heading or reference id"
    where = context.site.context(page, link)
    if where.cite_key:
        fix = f"it was generated for citation key '{where.cite_key}': {fix}"
    message = f"link '{link.url}' is broken: {what}; {fix}"
    src = context.tree.source_of(page)
    if src is not None:
        line = context.tree.find_line(src, _needles(link.url, where, fragment))
        if line is not None:
            return Problem(code, message, context.tree.doc_path(src), line)
        message += f" (in the page built from {context.tree.doc_path(src)})"
    return Problem(code, message, _html_path(context, page), link.line)


def _needles(url: str, where: LinkContext, fragment: str) -> list[str]:
    needles = [url]
    keys = [where.cite_key] if where.cite_key else []
    if (key := key_of_ref_id(fragment)) is not None:
        keys.append(key)
    for key in keys:
        needles += [f"@{key}", f"@{{{key}}}", key]
    if fragment and not where.generated:
        needles.append(f"#{fragment}")
    if where.generated:
        needles.append("<!-- monograph:")
    return needles
