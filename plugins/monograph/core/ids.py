"""The HTML contract of the engine: every id and class name it generates, spelled once.

The renderers write these names; the print edition, the link checks and the engine's stylesheet
and script read them back. Python code imports them from here; ``assets/monograph.css``,
``assets/print.css`` and ``assets/evidence.js`` spell the same names (they cannot import) and
name this module in a comment.
"""

from __future__ import annotations

#: ``id`` of a bibliography entry: ``ref-<key>``.
REF_PREFIX = "ref-"
#: ``id`` of a citing place: ``cite-<key>-<n>`` (the n-th citation of the key on its page).
CITE_PREFIX = "cite-"
#: ``id`` of the reference list the engine adds at the end of a page (another if taken).
REFERENCES_ID = "references"

#: A link from a citation to its entry (hover text: the reference).
CITATION = "citation"
#: A link inside a compressed range (``[1–3]``): hidden, read by screen readers.
CITATION_IN_RANGE = "citation-in-range"
#: One whole citation (``[1, 4–6]``).
CITATION_GROUP = "citation-group"
#: A narrative citation (``Smith et al. [3]``).
CITATION_NARRATIVE = "citation-narrative"
#: A citation written by a CSL style (its own brackets, superscripts or author-date text).
CITATION_STYLED = "citation-csl"
#: A key the bibliography lacks, shown as ``?key``.
CITATION_UNKNOWN = "citation-unknown"
#: The back-links of an entry, and each back-link.
BACKREFS = "citation-backrefs"
BACKREF = "citation-backref"
BACKREF_COUNT = "citation-backref-count"
#: The reference list ending a page, its heading, and the site bibliography.
REFERENCES = "references"
PAGE_REFERENCES_HEADING = "page-references"
BIBLIOGRAPHY = "bibliography"
BIBLIOGRAPHY_ENTRY = "bibliography-entry"
#: An entry's formatted reference and its note.
REFERENCE = "reference"
REFERENCE_NOTE = "reference-note"

#: Class-name prefixes of everything the engine generates (the link checks treat a broken link
#: inside such markup as the engine's fault, not the author's).
GENERATED_CLASS_PREFIXES = ("citation", "monograph", "evidence", BIBLIOGRAPHY, REFERENCES)


def ref_id(key: str) -> str:
    """The id of the bibliography entry of ``key``."""
    return f"{REF_PREFIX}{key}"


def cite_id(key: str, occurrence: int) -> str:
    """The id of the ``occurrence``-th citation of ``key`` on a page."""
    return f"{CITE_PREFIX}{key}-{occurrence}"


def key_of_ref_id(fragment: str) -> str | None:
    """The key of a ``ref-<key>`` id, or None for any other id."""
    return fragment[len(REF_PREFIX) :] if fragment.startswith(REF_PREFIX) else None
