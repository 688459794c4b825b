"""Monograph: site-wide BibTeX citations and evidence tables for MkDocs.

``monograph.core`` is pure Python (pybtex, pydantic, lxml) and knows nothing of MkDocs, so the
engine can serve another Markdown toolchain; ``monograph.extension`` is a plain Python-Markdown
extension; ``monograph.adapter`` is the thin MkDocs adapter. ``monograph.pagewise`` is the
extension on its own, one page at a time, for Zensical and plain Python-Markdown:
``markdown_extensions: [monograph: {bib_file: refs.bib}]`` loads it through `makeExtension`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown.extensions import Extension

__version__ = "0.1.0"

__all__ = ["__version__", "makeExtension"]


def makeExtension(**kwargs: Any) -> Extension:
    """Python-Markdown's entry point for ``monograph``: citations resolved page by page.

    Imported here, not at the top, so that ``import monograph`` (the MkDocs plugin, the
    checks) does not load Python-Markdown.
    """
    from .pagewise import PagewiseExtension

    return PagewiseExtension(**kwargs)
