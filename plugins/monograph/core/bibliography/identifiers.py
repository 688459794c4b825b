"""The one reader of an entry's identifiers: DOI, PMID (``pubmed`` is a synonym) and PMCID."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


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
