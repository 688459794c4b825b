"""Typed configuration of the monograph plugin (``plugins: - monograph: {...}`` in mkdocs.yml)."""

from __future__ import annotations

import os

from mkdocs.config import config_options as c
from mkdocs.config.base import Config, ValidationError

from ..core.styles.fetch import is_url


class BibSource(c.FilesystemObject):
    """A .bib file (relative to mkdocs.yml, made absolute) or an http(s) URL (kept as written)."""

    name = "file"

    def run_validation(self, value: object) -> str:
        """Refuse a list (with what to write instead); keep a URL; resolve and check a path."""
        if isinstance(value, list):
            raise ValidationError(
                "a list of files is not accepted; put the .bib files in one folder and write "
                "'bib_dir: FOLDER' (every .bib file under it is read)"
            )
        if isinstance(value, str) and is_url(value):
            return value
        path = super().run_validation(value)
        if not os.path.isfile(path):
            raise ValidationError(
                f"'{value}' is not a file (looked for {path}); give the .bib file's path relative "
                "to mkdocs.yml, an http(s) URL, or 'bib_dir: FOLDER' for a folder of .bib files"
            )
        return path


class MonographConfig(Config):
    """Options of the ``monograph`` plugin; ``bib_file`` or ``bib_dir`` is required.

    The options of mkdocs-bibtex 4.4 are accepted too, so that a site moves by changing the
    plugin's name: each is honoured, or refused with a message that says what to write instead.
    """

    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it (citations are then left as written)."""

    bib_file = c.Optional(BibSource())
    """The BibTeX file, relative to mkdocs.yml, or an http(s) URL (a Zotero export): fetched on
    every build, the last copy used when offline."""

    bib_dir = c.Optional(c.Dir(exists=True))
    """A folder of .bib files, read recursively (instead of ``bib_file``)."""

    bib_command = c.Type(str, default="\\bibliography")
    r"""A line holding only this puts the page's reference list there (mkdocs-bibtex)."""

    full_bib_command = c.Type(str, default="\\full_bibliography")
    r"""A line holding only this puts the site bibliography there, listing every entry."""

    bib_by_default = c.Type(bool, default=True)
    """Every citing page ends with its reference list; off: only where ``bib_command`` is."""

    enable_inline_citations = c.Type(bool, default=True)
    """Narrative citations (``@key`` in running text); off: only bracketed ``[@key]``."""

    footnote_format = c.Optional(c.Type(str))
    """mkdocs-bibtex's footnote label; refused with a message (citations here are links)."""

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

    condition = c.Type(str, default="the condition")
    """The condition the site is about, as the evidence summary names it (``asthma``).

    Evidence rows with ``applies_to: condition`` are studies of people with it.
    """

    references_heading = c.Type(str, default="References")
    """Heading of the list of works cited that ends each page."""

    cache_dir = c.Type(str, default=".cache/monograph")
    """Where builds keep what the next build can reuse (the parsed bibliography, formatted
    references, filled pages, the PDF), relative to mkdocs.yml ('' = off)."""

    parallel = c.Type(bool, default=True)
    """Share a first build's formatting and page filling with a second, forked process (Linux,
    two or more CPUs; never under ``mkdocs serve``); the output is the same. ``false`` keeps every
    step in the build's own process (a debugger's breakpoints are then always hit)."""

    require_reviewed = c.Type(bool, default=False)
    """Every page must carry a ``reviewed: YYYY-MM-DD`` date in its front matter."""

    pdf_file = c.Optional(c.Type(str))
    """Write the PDF edition to this path inside the site directory (e.g. ``downloads/x.pdf``).

    Needs the ``[pdf]`` extra (WeasyPrint).
    """

    notices = c.Type(bool, default=True)
    """Log information notes (e.g. articles without DOI or PMID); off for a second edition of
    the same site, whose build would only repeat them (they stay in the debug log)."""
