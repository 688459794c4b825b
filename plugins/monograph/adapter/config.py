"""Typed configuration of the monograph plugin (``plugins: - monograph: {...}`` in mkdocs.yml)."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class MonographConfig(Config):
    """Options of the ``monograph`` plugin; only ``bib_file`` is required."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it (citations are then left as written)."""

    bib_file = c.File(exists=True)
    """The BibTeX file, relative to mkdocs.yml."""

    style = c.Type(str, default="vancouver")
    """The reference style: ``vancouver`` (built in), or a shipped CSL style (``ama``, ``apa``,
    ``nature``, ``nlm``, ``chicago-author-date``)."""

    csl_file = c.Optional(c.Type(str))
    """Any CSL 1.0.x style file: a path relative to mkdocs.yml, or an http(s) URL (fetched once
    and cached in ``cache_dir``, the cached copy used offline)."""

    csl_file_encoding = c.Optional(c.Type(str))
    """The encoding of ``csl_file`` when it is not the one its XML declaration names."""

    nocite = c.ListOfItems(c.Type(str), default=[])
    """Keys listed in the bibliography though no page cites them; ``"*"`` lists every entry.

    Each key is checked against the bibliography (``cite.unknown_nocite``, with a "did you mean").
    """

    references_heading = c.Type(str, default="References")
    """Heading of the list of works cited that ends each page."""

    cache_dir = c.Type(str, default=".cache/monograph")
    """Where formatted references are cached between builds, relative to mkdocs.yml ('' = off)."""

    require_reviewed = c.Type(bool, default=False)
    """Every page must carry a ``reviewed: YYYY-MM-DD`` date in its front matter."""

    pdf_file = c.Optional(c.Type(str))
    """Write the PDF edition to this path inside the site directory (e.g. ``downloads/x.pdf``).

    Needs the ``[pdf]`` extra (WeasyPrint).
    """

    notices = c.Type(bool, default=True)
    """Log information notes (e.g. articles without DOI or PMID); off for a second edition of
    the same site, whose build would only repeat them (they stay in the debug log)."""
