"""Fill a converted page: citation numbers, the bibliography, its reference list, its date."""

from __future__ import annotations

import html as html_lib
from collections.abc import Callable

from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink

from ..core import ids
from ..core.citations.numbering import Numbering
from ..core.citations.registry import fill
from ..core.links import ALLOWED
from ..core.model import Problem
from ..core.rendering.citations import (
    RenderContext,
    render_bibliography,
    render_group,
    render_page_references,
)
from ..core.rendering.reuse import fingerprint
from ..core.rendering.review import insert_after_title, reviewed_html
from .state import BuildState


def fill_page(
    page: Page,
    state: BuildState,
    numbering: Numbering,
    bibliography_url: str | None,
    heading: str,
    *,
    by_default: bool = True,
    site: Callable[[RenderContext], str] | None = None,
) -> list[Problem]:
    """Replace the page's tokens and append its reference list (with a table-of-contents entry).

    Arguments:
        page: The page, converted (``page.content`` holds tokens).
        state: The build's state.
        numbering: The site-wide numbering.
        bibliography_url: The page holding the site bibliography, if any.
        heading: The heading of the page's reference list.
        by_default: End every citing page with its reference list (else only where the page
            has a ``references`` marker).
        site: The site's digest (:func:`~monograph.core.rendering.reuse.site_digest`, computed
            once per build), for a page whose fill reads the whole site.

    Returns:
        A ``link.unsafe_url`` problem for each link target removed from the page.
    """
    ctx = RenderContext(
        numbering, state.formatter, page.url, bibliography_url, templates=state.templates
    )
    groups = state.registry.groups

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
    print_ = fingerprint(
        ctx,
        content,
        groups,
        keys,
        (heading, anchor, context.reviewed),
        site(ctx) if whole_site and site is not None else None,
        filled.works,
    )
    html = filled.get(print_)
    if html is None:

        def replace(kind: str, value: str) -> str:
            if kind == "cite":
                index = int(value)
                return render_group(ctx, groups[index], numbering.anchors[index])
            if value == "references":
                return render_page_references(ctx, keys, None) if keys else ""
            return render_bibliography(ctx) if value == "bibliography" else ""

        html = fill(content, replace)
        if context.reviewed is not None:
            html = insert_after_title(html, reviewed_html(context.reviewed))
        if anchor is not None:
            html += "\n" + render_page_references(ctx, keys, heading, anchor)
        filled.put(print_, html)
    html, refused = state.checked_pages.refuse(html)
    page.content = html
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
