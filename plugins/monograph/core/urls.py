"""Relative URLs between pages, for links the engine writes into pages."""

from __future__ import annotations

import functools
import posixpath


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
