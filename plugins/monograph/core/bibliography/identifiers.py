"""The one reader of an entry's identifiers: DOI, PMID (``pubmed`` is a synonym) and PMCID."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: What a well-formed identifier looks like; a malformed one is reported and never linked.
PATTERNS = {
    "doi": re.compile(r"^10\.\d{4,9}/\S+$"),
    "pmid": re.compile(r"^\d{1,9}$"),
    "pmcid": re.compile(r"^PMC\d+$"),
}
#: The address each identifier resolves at.
RESOLVERS = {
    "doi": "https://doi.org/{}",
    "pmid": "https://pubmed.ncbi.nlm.nih.gov/{}/",
    "pmcid": "https://www.ncbi.nlm.nih.gov/pmc/articles/{}/",
}


@dataclass(frozen=True)
class Identifiers:
    """An entry's identifiers as written, trimmed ('' when absent).

    Attributes:
        doi: ``10.NNNN/suffix``.
        pmid: PubMed id (digits), from ``pmid`` or else ``pubmed``.
        pmcid: PubMed Central id (``PMC`` and digits).
    """

    doi: str = ""
    pmid: str = ""
    pmcid: str = ""

    def get(self, name: str) -> str:
        """The identifier called ``doi``, ``pmid`` or ``pmcid``."""
        return str(getattr(self, name))


def read_identifiers(fields: Mapping[str, Any]) -> Identifiers:
    """Read the identifiers of an entry's fields (a pybtex ``entry.fields``)."""

    def text(*names: str) -> str:
        return next((str(fields[n]).strip() for n in names if fields.get(n)), "")

    return Identifiers(doi=text("doi"), pmid=text("pmid", "pubmed"), pmcid=text("pmcid"))


def is_well_formed(name: str, value: str) -> bool:
    """Tell whether ``value`` is a well-formed ``doi``, ``pmid`` or ``pmcid``."""
    return bool(PATTERNS[name].match(value))


def identifier_url(name: str, value: str) -> str | None:
    """The resolver address of a well-formed identifier, else ``None``.

    A malformed identifier is reported by the bibliography check (``cite.malformed_*``) and
    shown as plain text, never as a link to a resolver that cannot resolve it.
    """
    return RESOLVERS[name].format(value) if value and is_well_formed(name, value) else None
