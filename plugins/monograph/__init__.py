"""Monograph: site-wide BibTeX citations and evidence tables for MkDocs.

``monograph.core`` is pure Python (pybtex, pydantic, lxml) and knows nothing of MkDocs, so the
engine can serve another Markdown toolchain later; ``monograph.extension`` is a plain
Python-Markdown extension; ``monograph.adapter`` is the thin MkDocs adapter.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
