"""Monograph: site-wide BibTeX citations and evidence tables for MkDocs.

The package is split in two. ``monograph.core`` is pure Python (pybtex, pydantic, lxml) and knows
nothing of MkDocs, so the same engine can serve another Markdown toolchain later. ``monograph.plugin``
and ``monograph.config`` are the thin MkDocs adapter.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
