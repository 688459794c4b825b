r"""BibTeX entries (as pybtex parsed them) to CSL-JSON items, for a CSL processor.

The entries come from the engine's own :class:`~..bibliography.loading.Bibliography`, after
``@string`` macros, ``crossref`` inheritance and BibLaTeX field names were resolved, so every
check and line number of the bibliography still applies whatever the style. Field values are
LaTeX; they are turned into plain text with the engine's LaTeX reader (accents, ``\\url``). In
titles, words in braces (``The {DNA} of {NASA}``) reach the processor as CSL-JSON ``nocase``
text, so a style that changes the case of titles keeps them as written (:func:`cased_text`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pybtex.database import Entry, Person
from pybtex.richtext import BaseMultipartText, Protected

from ..links import safe_url
from .latex import latex_text, plain_text, url_text

#: BibTeX/BibLaTeX entry type -> CSL item type (anything else is ``document``).
_TYPES = {
    "article": "article-journal",
    "suppperiodical": "article-journal",
    "review": "article-journal",
    "book": "book",
    "mvbook": "book",
    "booklet": "pamphlet",
    "manual": "report",
    "periodical": "periodical",
    "collection": "book",
    "mvcollection": "book",
    "proceedings": "book",
    "mvproceedings": "book",
    "reference": "book",
    "mvreference": "book",
    "inbook": "chapter",
    "bookinbook": "chapter",
    "suppbook": "chapter",
    "incollection": "chapter",
    "inreference": "entry-encyclopedia",
    "suppcollection": "chapter",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "thesis": "thesis",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "techreport": "report",
    "report": "report",
    "standard": "report",
    "unpublished": "manuscript",
    "patent": "patent",
    "dataset": "dataset",
    "software": "software",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "webpage": "webpage",
    "misc": "document",
    "legislation": "legislation",
    "legal": "legal_case",
    "letter": "personal_communication",
}

#: BibTeX field -> CSL variable, for fields copied as plain text.
_TEXT_FIELDS = {
    "title": "title",
    "shorttitle": "title-short",
    "volume": "volume",
    "edition": "edition",
    "publisher": "publisher",
    "address": "publisher-place",
    "location": "publisher-place",
    "series": "collection-title",
    "chapter": "chapter-number",
    "isbn": "ISBN",
    "issn": "ISSN",
    "doi": "DOI",
    "pmid": "PMID",
    "pubmed": "PMID",
    "pmcid": "PMCID",
    "abstract": "abstract",
    "version": "version",
    "language": "language",
    "howpublished": "medium",
    "organization": "authority",
}

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


#: citeproc-py's HTML formatter does not escape every piece of text it is given (a title it
#: changes the case of comes out raw: ``<script>`` in a title was live markup). So ``<``, ``>``
#: and ``&`` in the data travel through it as private-use characters, and :func:`unshield` turns
#: them into entities in its output; whatever the processor escapes itself is left alone.
_SHIELD = str.maketrans({"<": "\ue000", ">": "\ue001", "&": "\ue002"})
_UNSHIELD = str.maketrans({"\ue000": "&lt;", "\ue001": "&gt;", "\ue002": "&amp;"})


def shield(text: str) -> str:
    """Data text for the CSL processor, with no character its HTML output could take for markup."""
    return text.translate(_SHIELD)


def unshield(html: str) -> str:
    """The processor's HTML output with the shielded characters as entities."""
    return html.translate(_UNSHIELD)


def _text(value: object) -> str:
    return shield(plain_text(str(value)).strip())


#: CSL-JSON's markup for text a style must not change the case of (citeproc-py reads it).
_NOCASE = ('<span class="nocase">', "</span>")
#: Fields whose braces protect capitals from a style's case changes, as in BibTeX.
_CASED_FIELDS = frozenset({"title", "title-short", "container-title", "collection-title"})


def _runs(part: Any, protected: bool = False) -> Iterator[tuple[str, bool]]:
    """The text of pybtex rich text in pieces, each with whether braces protect it."""
    if isinstance(part, Protected):
        protected = True
    if isinstance(part, BaseMultipartText):
        for child in part.parts:
            yield from _runs(child, protected)
    else:
        yield str(part), protected


def cased_text(value: object) -> str:
    r"""A title's LaTeX as CSL-JSON text: braced words kept as written whatever the style.

    ``The {DNA} of {NASA}`` -> ``The <span class="nocase">DNA</span> of <span
    class="nocase">NASA</span>``, so a style that changes the case of titles (title case, sentence
    case) leaves them alone, as BibTeX does. A word protected in part (``{DNA}-binding``) is kept
    whole: citeproc-py changes case word by word and would otherwise put a space inside it. The
    text is shielded (:func:`shield`); the spans are the only markup.
    """
    latex = str(value)
    runs = list(_runs(latex_text(latex))) if "{" in latex else [(plain_text(latex), False)]
    text = "".join(piece for piece, _ in runs)
    flags = [flag for piece, flag in runs for _ in piece]
    start, end = len(text) - len(text.lstrip()), len(text.rstrip())
    out: list[str] = []
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[:end]) if m.start() >= start]
    kept: list[tuple[int, int]] = []  # spans of protected words, neighbours merged
    for first, last in words:
        if any(flags[first:last]):
            if kept and not text[kept[-1][1] : first].strip():
                kept[-1] = (kept[-1][0], last)
            else:
                kept.append((first, last))
    at = start
    for first, last in kept:
        out.append(shield(text[at:first]))
        out.append(_NOCASE[0] + shield(text[first:last]) + _NOCASE[1])
        at = last
    out.append(shield(text[at:end]))
    return "".join(out)


def _name(person: Person) -> dict[str, str]:
    """One pybtex name as a CSL name (``von`` as a particle, ``Jr`` as a suffix)."""
    family = shield(" ".join(plain_text(n) for n in person.last_names))
    given = shield(" ".join(plain_text(n) for n in person.first_names + person.middle_names))
    particle = shield(" ".join(plain_text(n) for n in person.prelast_names))
    suffix = shield(" ".join(plain_text(n) for n in person.lineage_names))
    if not given and not particle and not suffix and family.startswith("{"):
        return {"literal": family.strip("{}")}
    name = {"family": family}
    if given:
        name["given"] = given
    if particle:
        name["non-dropping-particle"] = particle
    if suffix:
        name["suffix"] = suffix
    return name


def _names(persons: list[Person]) -> list[dict[str, str]]:
    """Names, ``and others`` left out (a CSL style shortens long lists itself)."""
    return [_name(p) for p in persons if str(p) != "others"]


def _issued(fields: Any) -> dict[str, Any] | None:
    """``date = {2019-03-04}`` or ``year``/``month``; a year the style cannot read is literal."""
    date = str(fields.get("date", "")).strip()
    year = _text(fields.get("year", ""))
    match = _DATE.match(date) or _DATE.match(year)
    if match is None:
        return {"literal": year} if year else None
    parts = [int(match.group(1))]
    month = match.group(2) or _text(fields.get("month", "")).lower().rstrip(".")
    number = int(month) if str(month).isdigit() else _MONTHS.get(str(month))
    if number and 1 <= number <= 12:
        parts.append(number)
        if match.group(3):
            parts.append(int(match.group(3)))
    return {"date-parts": [parts]}


_DOI_ADDRESS = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)\s*", re.IGNORECASE)


def _bare_doi(doi: str) -> str:
    """``https://doi.org/10.x/y`` or ``doi:10.x/y`` -> ``10.x/y``: styles add their own prefix.

    The bibliography check still reports such a field (``cite.malformed_doi``); the reference
    does not print the address twice meanwhile.
    """
    return _DOI_ADDRESS.sub("", doi, count=1)


def csl_item(key: str, entry: Entry) -> dict[str, Any]:
    """The CSL-JSON item of one entry (``id`` is the key as spelled in the bibliography)."""
    kind = entry.type.lower()
    fields = entry.fields
    item: dict[str, Any] = {"id": key, "type": _TYPES.get(kind, "document")}
    for role, variable in (
        ("author", "author"),
        ("editor", "editor"),
        ("translator", "translator"),
    ):
        persons = list(entry.persons.get(role, ()))
        if persons:
            item[variable] = _names(persons)
    for field, variable in _TEXT_FIELDS.items():
        if field in fields and variable not in item:
            value = (cased_text if variable in _CASED_FIELDS else _text)(fields[field])
            if value:
                item[variable] = value
    container = fields.get("journal") or fields.get("journaltitle") or fields.get("booktitle")
    if container:
        item["container-title"] = cased_text(container)
    if fields.get("pages"):
        item["page"] = _text(fields["pages"]).replace("–", "-").replace("--", "-")
    if fields.get("number"):
        item["issue" if kind == "article" else "number"] = _text(fields["number"])
    if fields.get("issue"):
        item["issue"] = _text(fields["issue"])
    publisher = fields.get("school") or fields.get("institution")
    if publisher and "publisher" not in item:
        item["publisher"] = _text(publisher)
    if kind == "phdthesis":
        item["genre"] = "PhD thesis"
    elif kind == "mastersthesis":
        item["genre"] = "Master's thesis"
    if "DOI" in item:
        item["DOI"] = _bare_doi(item["DOI"])
    url = safe_url(url_text(str(fields.get("url", "")).removeprefix("\\url{").removesuffix("}")))
    if url:
        item["URL"] = url
    issued = _issued(fields)
    if issued:
        item["issued"] = issued
    accessed = _DATE.match(str(fields.get("urldate", "")))
    if accessed:
        item["accessed"] = {
            "date-parts": [[int(part) for part in accessed.groups() if part is not None]]
        }
    return item
