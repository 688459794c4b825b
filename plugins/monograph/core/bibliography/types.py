"""The entry types the engine knows, and which of them are formatted alike.

Every style has one template per name in :data:`TEMPLATES`; the checks use the same names to
know which fields an entry needs.
"""

from __future__ import annotations

#: One template each (``get_<name>_template`` in a style).
TEMPLATES = frozenset(
    {
        "article",
        "book",
        "booklet",
        "manual",
        "proceedings",
        "incollection",
        "inproceedings",
        "inbook",
        "thesis",
        "techreport",
        "unpublished",
        "patent",
        "dataset",
        "online",
        "misc",
    }
)

#: Entry types (BibTeX, BibLaTeX and what Zotero, Mendeley, JabRef and EndNote export) and the
#: template that formats each; any other type is formatted as ``misc`` (and reported as info).
TYPE_ALIASES = {
    "conference": "inproceedings",
    "electronic": "online",
    "www": "online",
    "webpage": "online",
    "mvbook": "book",
    "collection": "book",
    "mvcollection": "book",
    "reference": "book",
    "mvreference": "book",
    "bookinbook": "inbook",
    "suppbook": "inbook",
    "inreference": "incollection",
    "suppcollection": "incollection",
    "mvproceedings": "proceedings",
    "report": "techreport",
    "mastersthesis": "thesis",
    "phdthesis": "thesis",
    "periodical": "book",
    "suppperiodical": "article",
    "software": "dataset",
    "artwork": "misc",
    "audio": "misc",
    "video": "misc",
    "image": "misc",
    "movie": "misc",
    "music": "misc",
    "standard": "techreport",
    "legislation": "misc",
    "legal": "misc",
    "jurisdiction": "misc",
    "letter": "misc",
    "review": "article",
    "set": "misc",
    "xdata": "misc",
}


def template_name(entry_type: str) -> str | None:
    """The template an entry type is formatted with, or None for an unknown type."""
    kind = entry_type.lower()
    kind = TYPE_ALIASES.get(kind, kind)
    return kind if kind in TEMPLATES else None
