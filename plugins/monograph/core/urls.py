"""Page-URL arithmetic: the one home of how the engine relates pages and links by URL.

Page URLs are site-relative, as MkDocs writes ``Page.url``: ``interventions/iron/`` with
directory URLs, ``interventions/iron.html`` without, ``""`` (or ``index.html``) for the home
page. Everything that relates two pages or follows a link inside the site uses these functions:
the renderers (links to the bibliography and back-links), the evidence summary, the print
edition (links rewritten inside one document) and the internal link checker.

MkDocs has its own ``mkdocs.utils.get_relative_url``; the core cannot import MkDocs, and
:func:`relative_url` agrees with it for every pair of pages except in one spelling: a link to
the home page ends in ``/`` (``../`` where MkDocs writes ``..``), which is what the published
pages have always had (the test compares both).
"""

from __future__ import annotations

import functools
import posixpath
from urllib.parse import unquote, urljoin, urlsplit

#: A made-up origin against which :func:`link_target` lets urljoin resolve relative links.
_FAKE_ORIGIN = "http://site.invalid/"


@functools.lru_cache(maxsize=16384)  # the same page pairs recur for every citation
def relative_url(target: str, source: str) -> str:
    """Return the URL of ``target`` relative to the page at ``source``.

    Both are site-relative page URLs as MkDocs writes them: ``interventions/iron/`` with directory
    URLs, ``interventions/iron.html`` without, and ``""`` or ``index.html`` for the home page.

    >>> relative_url("references/", "interventions/iron/")
    '../../references/'
    >>> relative_url("references.html", "interventions/iron.html")
    '../references.html'
    """
    source_dir = source.rstrip("/") if source.endswith("/") else posixpath.dirname(source)
    rel = posixpath.relpath(target.rstrip("/") or ".", source_dir or ".")
    if rel == ".":
        return "./"
    if target.endswith("/") or not target:
        rel += "/"
    return rel


def page_key(url: str) -> str:
    """Return one spelling of a site-relative page URL, whatever ``use_directory_urls`` says.

    Arguments:
        url: A site-relative path such as ``interventions/iron/``, ``interventions/iron.html``,
            ``interventions/index.html`` or ``""`` for the home page.

    Returns:
        The directory form: ``interventions/iron/``, ``interventions/`` or ``""``.
    """
    path = url.lstrip("/")
    if path == "index.html" or path.endswith("/index.html"):
        return path[: -len("index.html")]
    if path.endswith(".html"):
        return path[: -len(".html")] + "/"
    if path and not path.endswith("/") and "." not in posixpath.basename(path):
        return path + "/"
    return path


def link_target(href: str, page_url: str, site_path: str = "/") -> str | None:
    """Return the site-relative path a link on a page points to, as a browser resolves it.

    Arguments:
        href: The link as written (``../iron/#dosing``, ``/sub/references/``, ``#x``).
        page_url: The site-relative URL of the page holding it.
        site_path: The path the site is served under (of ``site_url``), which an absolute
            path (``/sub/...``) starts with.

    Returns:
        The decoded path without query or fragment (``interventions/iron/``), ``..`` above the
        root dropped as browsers do; None for a link with a scheme or host (external).
    """
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    if href.startswith("/") and site_path != "/":
        href = "/" + href.removeprefix(site_path).lstrip("/")
    resolved = urlsplit(urljoin(_FAKE_ORIGIN + page_url, href))
    return unquote(resolved.path).lstrip("/")


def file_target(page: str, path: str, root_path: str) -> str | None:
    """Return the site-relative path a link on a built file points to, strictly.

    Unlike :func:`link_target` (a browser's reading), a link that climbs above the site is not
    taken back to its root: it is a link out of the site, which the link checker reports.

    Arguments:
        page: The built file holding the link (``interventions/iron/index.html``) or its URL.
        path: The link's decoded path (no query, no fragment); ``""`` for the page itself.
        root_path: The path the site is served under (``/`` when ``site_url`` has none).

    Returns:
        The normalised path (``interventions/iron``, ``""`` for the root; see
        :func:`normal_path`), or None when it leaves the site.
    """
    if not path:
        return page
    if path.startswith("/"):
        # Absolute paths start at the server root; the site lives under site_url's path.
        joined = path[len(root_path) :] if path.startswith(root_path) else path.lstrip("/")
    else:
        joined = posixpath.join(posixpath.dirname(page), path)
    return normal_path(joined)


def normal_path(joined: str) -> str | None:
    """Normalise a joined site path (``a/./b/../c`` -> ``a/c``); None when it leaves the site."""
    normal = posixpath.normpath(joined) if joined else ""
    if normal == ".":
        return ""
    if normal == ".." or normal.startswith("../"):
        return None
    return normal
