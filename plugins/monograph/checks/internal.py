"""Check every link inside the built site: pages, files, images and ``#fragments``.

MkDocs validates links while Markdown is rendered, so it cannot see what plugins add afterwards
(citations, per-page reference lists, bibliography back-links, evidence tables) nor raw HTML. This
checker reads the finished HTML instead. Each page is parsed once with lxml; its ids are cached, so
a site of 1,000 pages is checked in a few seconds.

Problems are reported against the Markdown source when the page can be mapped back to one and the
offending text found in it (the link as written, or the citation key that generated it); otherwise
against the built HTML file and the line lxml reports.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree, html

from monograph.checks.build import Project
from monograph.checks.sources import SourceTree
from monograph.core.model import Problem

#: Attributes that name another resource, per element.
LINK_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "track": ("src",),
    "object": ("data",),
    "input": ("src",),
}
_SKIPPED_SCHEMES = frozenset({"mailto", "tel", "javascript", "data", "blob", "about", "sms"})
_SKIPPED_PAGES = frozenset({"404.html"})
#: Class prefixes of markup the monograph plugin generates.
_GENERATED_CLASSES = ("citation", "monograph", "evidence", "bibliography", "references")
#: Browsers scroll to the top for these fragments even without a matching id.
_IMPLICIT_FRAGMENTS = frozenset({"", "top"})


@dataclass(frozen=True)
class Link:
    """One reference from a built page to another resource.

    Attributes:
        url: The attribute value as written in the HTML.
        line: The line of the element in the HTML file.
        cite_key: ``data-cite`` of the element or an ancestor, for generated citation links.
        generated: The element belongs to content the monograph plugin generated.
    """

    url: str
    line: int | None
    cite_key: str | None = None
    generated: bool = False


@dataclass
class ParsedPage:
    """What the checker needs from one HTML page.

    Attributes:
        ids: Every ``id`` (and ``<a name>``) on the page.
        links: Every link on the page.
    """

    ids: frozenset[str]
    links: list[Link] = field(default_factory=list)


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


def parse_page(path: Path) -> ParsedPage:
    """Read the ids and links of one HTML page.

    Arguments:
        path: The HTML file.

    Returns:
        Its ids and links (none when the file cannot be parsed).
    """
    try:
        root = html.parse(str(path)).getroot()
    except (OSError, etree.ParserError):
        return ParsedPage(frozenset())
    if root is None:
        return ParsedPage(frozenset())
    ids: set[str] = set()
    links: list[Link] = []
    for element in root.iter(etree.Element):
        tag = element.tag if isinstance(element.tag, str) else ""
        if element_id := element.get("id"):
            ids.add(element_id)
        if tag == "a" and (name := element.get("name")):
            ids.add(name)
        for attribute in LINK_ATTRIBUTES.get(tag, ()):
            value = element.get(attribute)
            if value is None:
                continue
            urls = _srcset_urls(value) if attribute == "srcset" else [value]
            key, generated = _generated_context(element)
            links.extend(Link(url, element.sourceline, key, generated) for url in urls)
    return ParsedPage(frozenset(ids), links)


def _srcset_urls(value: str) -> list[str]:
    return [part.split()[0] for part in value.split(",") if part.strip()]


def _generated_context(element: etree._Element) -> tuple[str | None, bool]:
    """Return the citation key around an element and whether the plugin generated it."""
    node: etree._Element | None = element
    while node is not None:
        key = node.get("data-cite")
        classes = (node.get("class") or "").split()
        if key or any(c.startswith(_GENERATED_CLASSES) for c in classes):
            return key, True
        node = node.getparent()
    return None, False


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
        self.pages: dict[str, ParsedPage] = {}

    def page(self, rel: str) -> ParsedPage:
        if rel not in self.pages:
            self.pages[rel] = parse_page(self.site_dir / rel)
        return self.pages[rel]

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
        edit_prefix=_edit_prefix(project.repo_url, project.edit_uri),
    )
    pages = sorted(
        f for f in site.files if f.endswith(".html") and posixpath.basename(f) not in _SKIPPED_PAGES
    )
    problems: list[Problem] = []
    count = 0
    for rel in pages:
        for link in site.page(rel).links:
            count += 1
            problem = _check_link(context, rel, link)
            if problem is not None:
                problems.append(problem)
    return InternalResult(problems, len(pages), count)


def _site_prefix(site_url: str) -> str:
    if not site_url:
        return ""
    return site_url if site_url.endswith("/") else site_url + "/"


def _edit_prefix(repo_url: str, edit_uri: str) -> str:
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
    parts = urlsplit(url)
    if parts.scheme.lower() in _SKIPPED_SCHEMES:
        return None
    external = not context.site_prefix or not url.startswith(context.site_prefix)
    if (parts.scheme or parts.netloc) and external:
        return None  # see monograph.checks.external
    target_rel = _target(page, unquote(parts.path), context.root_path)
    target = context.site.resolve(target_rel) if target_rel is not None else None
    if target is None:
        return _broken(context, page, link, "link.not_found", target_rel or parts.path)
    fragment = unquote(parts.fragment)
    if fragment.lower() in _IMPLICIT_FRAGMENTS or not target.endswith(".html"):
        return None
    if fragment in context.site.page(target).ids:
        return None
    return _broken(context, page, link, "link.anchor_missing", target, fragment)


def _target(page: str, path: str, root_path: str) -> str | None:
    """Return the site-relative path a link points to, or ``None`` when it leaves the site."""
    if not path:
        return page
    if path.startswith("/"):
        # Absolute paths start at the server root; the site lives under site_url's path.
        joined = path[len(root_path) :] if path.startswith(root_path) else path.lstrip("/")
    else:
        joined = posixpath.join(posixpath.dirname(page), path)
    normal = posixpath.normpath(joined) if joined else ""
    if normal == ".":
        return ""
    if normal == ".." or normal.startswith("../"):
        return None
    return normal


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
    if link.cite_key:
        fix = f"it was generated for citation key '{link.cite_key}': {fix}"
    message = f"link '{link.url}' is broken: {what}; {fix}"
    src = context.tree.source_of(page)
    if src is not None:
        line = context.tree.find_line(src, _needles(link, fragment))
        if line is not None:
            return Problem(code, message, context.tree.doc_path(src), line)
        message += f" (in the page built from {context.tree.doc_path(src)})"
    return Problem(code, message, _html_path(context, page), link.line)


def _needles(link: Link, fragment: str) -> list[str]:
    needles = [link.url]
    keys = [link.cite_key] if link.cite_key else []
    if fragment.startswith("ref-"):
        keys.append(fragment[len("ref-") :])
    for key in keys:
        needles += [f"@{key}", f"@{{{key}}}", key]
    if fragment and not link.generated:
        needles.append(f"#{fragment}")
    if link.generated:
        needles.append("<!-- monograph:")
    return needles
