"""Checks of the bibliography and of how the pages use it; each returns a list of Problems."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from ..citations.syntax import KEY
from ..links import ALLOWED, safe_url
from ..model import CitationGroup, Problem
from .identifiers import PATTERNS, is_well_formed, read_identifiers
from .loading import Bibliography
from .types import template_name

#: Fields each entry type needs for a Vancouver reference, by the template that formats it
#: (``conference`` is formatted as ``inproceedings``...); "author" is satisfied by "editor".
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "article": ("author", "title", "journal", "year"),
    "book": ("author", "title", "publisher", "year"),
    "booklet": ("title",),
    "manual": ("title",),
    "proceedings": ("title", "year"),
    "incollection": ("author", "title", "booktitle", "publisher", "year"),
    "inbook": ("author", "title", "publisher", "year"),
    "inproceedings": ("author", "title", "booktitle", "year"),
    "thesis": ("author", "title", "school", "year"),
    "techreport": ("author", "title", "institution", "year"),
    "unpublished": ("author", "title"),
    "patent": ("author", "title", "number", "year"),
    "dataset": ("title",),
    "online": ("title", "url"),
    "misc": ("title",),
}


def _has(bib: Bibliography, key: str, name: str) -> bool:
    entry = bib.entry(key)
    if name == "author":
        return bool(entry.persons.get("author") or entry.persons.get("editor"))
    return bool(str(entry.fields.get(name, "")).strip())


def check_required_fields(bib: Bibliography) -> list[Problem]:
    """Entries missing a field their type needs (an article needs author, title, journal, year)."""
    problems = []
    for key in bib:
        kind = bib.entry(key).type.lower()
        template = template_name(kind)
        if template is None:
            problems.append(
                Problem(
                    "cite.unknown_type",
                    f"entry '{key}' has the unknown type @{kind}; it is formatted like @misc "
                    "(use a standard type such as @article, @book or @online)",
                    bib.path_of(key),
                    bib.line_of(key),
                    severity="info",
                )
            )
            template = "misc"
        needed = REQUIRED_FIELDS.get(template, ())
        if template == "thesis" and "school" in needed and _has(bib, key, "institution"):
            needed = tuple(n for n in needed if n != "school")
        missing = [name for name in needed if not _has(bib, key, name)]
        if missing:
            problems.append(
                Problem(
                    "cite.missing_field",
                    f"entry '{key}' (@{kind}) lacks {', '.join(missing)}; add "
                    f"{'it' if len(missing) == 1 else 'them'} from the source record",
                    bib.path_of(key),
                    bib.line_of(key),
                )
            )
    return problems


def identifier(bib: Bibliography, key: str, name: str) -> str:
    """Return a DOI/PMID/PMCID field, reading ``pubmed`` as a synonym of ``pmid``."""
    return read_identifiers(bib.entry(key).fields).get(name)


def check_identifiers(bib: Bibliography) -> list[Problem]:
    """Malformed DOI, PMID or PMCID; two entries sharing one; articles with no identifier."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], str] = {}
    hints = {
        "doi": "10.NNNN/suffix, without https://doi.org/",
        "pmid": "digits only",
        "pmcid": "PMC followed by digits",
    }
    for key in bib:
        for name in PATTERNS:
            value = identifier(bib, key, name)
            if not value:
                continue
            if not is_well_formed(name, value):
                problems.append(
                    Problem(
                        f"cite.malformed_{name}",
                        f"entry '{key}': {name} '{value}' is malformed; expected {hints[name]}",
                        bib.path_of(key),
                        bib.line_of(key),
                    )
                )
                continue
            other = seen.setdefault((name, value.lower()), key)
            if other != key:
                problems.append(
                    Problem(
                        f"cite.duplicate_{name}",
                        f"entries '{other}' and '{key}' share {name} '{value}'; "
                        "merge them into one entry",
                        bib.path_of(key),
                        bib.line_of(key),
                    )
                )
        is_article = bib.entry(key).type.lower() == "article"
        if is_article and not (identifier(bib, key, "doi") or identifier(bib, key, "pmid")):
            problems.append(
                Problem(
                    "cite.no_identifier",
                    f"article '{key}' has neither DOI nor PMID; add one if a "
                    "verified record gives it",
                    bib.path_of(key),
                    bib.line_of(key),
                    severity="info",
                    subject=key,
                )
            )
    return problems


def check_links(bib: Bibliography) -> list[Problem]:
    r"""URLs in ``url`` fields and in ``\url{}``/``\href{}`` of any field that may not be links."""
    from ..styles.latex import url_text, urls_in  # pybtex's LaTeX reader: only with a parse

    problems = []
    for key in bib:
        fields = bib.entry(key).fields
        for name, value in fields.items():
            text = str(value)
            urls = urls_in(text)
            if name.lower() == "url" and text.strip() and not urls:
                urls = [url_text(text)]
            for url in urls:
                if _ENDNOTE_RECORD.match(url):
                    problems.append(_endnote_record(bib, key, name, url))
                elif safe_url(url) is None:
                    problems.append(
                        Problem(
                            "cite.unsafe_url",
                            f"entry '{key}': {name} '{url}' is not shown as a link; {ALLOWED}",
                            bib.path_of(key),
                            bib.line_of(key),
                        )
                    )
    return problems


#: EndNote's pointer to a Web of Science record (``<Go to ISI>://WOS:000123``), which its BibTeX
#: export writes as the ``url`` of every entry imported from Web of Science.
_ENDNOTE_RECORD = re.compile(r"\s*<go to isi>://", re.IGNORECASE)


def _endnote_record(bib: Bibliography, key: str, name: str, url: str) -> Problem:
    """An info note: an EndNote record pointer is no address a reader could open, nor a risk."""
    return Problem(
        "cite.endnote_url",
        f"entry '{key}': {name} '{url}' is EndNote's pointer to a Web of Science record, not a "
        "web address; it is not shown (give the record's https address instead, or drop the field)",
        bib.path_of(key),
        bib.line_of(key),
        severity="info",
        subject=key,
    )


_STRAY_KEY = re.compile(rf"(?:^|(?<=[\s,;]))-?@(?P<key>{KEY})")


def check_groups(groups: Iterable[CitationGroup]) -> list[Problem]:
    """Citations whose prefix or locator holds another ``@key`` (``[@a @b]``, ``[@a, @b]``).

    Pandoc reads ``[@a @b]`` as ``a`` with the locator "@b": ``b`` would silently not be cited.
    """
    problems = []
    for group in groups:
        for item in group.items:
            for text in (item.prefix, item.locator):
                stray = _STRAY_KEY.search(text)
                if stray is None:
                    continue
                fixed = "; ".join(
                    f"@{i.key}" if i is not item else f"@{item.key}; @{stray.group('key')}"
                    for i in group.items
                )
                problems.append(
                    Problem(
                        "cite.malformed_group",
                        f"citation '{group.source}' has '@{stray.group('key')}' inside the "
                        f"prefix or locator of '{item.key}', so it is not cited; separate "
                        f"works with ';' ([{fixed}])",
                        group.path,
                        group.line,
                    )
                )
    return problems


def check_unknown_keys(bib: Bibliography, groups: Iterable[CitationGroup]) -> list[Problem]:
    """Citations of keys that ``refs.bib`` does not define, with a "did you mean"."""
    problems = []
    for group in groups:
        for key in group.keys:
            if key in bib:
                continue
            guess = bib.suggest(key)
            hint = f"did you mean '{guess}'?" if guess else f"add an entry '{key}' to {bib.path}"
            problems.append(
                Problem(
                    "cite.unknown_key",
                    f"unknown citation key '{key}'; {hint}",
                    group.path,
                    group.line,
                )
            )
    return problems


def check_unused(
    bib: Bibliography, cited: Collection[str], nocite: Collection[str]
) -> list[Problem]:
    """Entries no page cites and the ``nocite`` option does not list (a warning)."""
    used = {key.lower() for key in cited} | {key.lower() for key in nocite}
    return [
        Problem(
            "cite.unused_entry",
            f"entry '{key}' is never cited; cite it, remove it, or list it under the plugin's "
            "nocite option",
            bib.path_of(key),
            bib.line_of(key),
            severity="warning",
        )
        for key in bib
        if key.lower() not in used
    ]


def check_bibliography(bib: Bibliography) -> list[Problem]:
    """Every check that needs only ``refs.bib``; computed once per parsed file.

    The result is kept in ``bib.checked`` (and so in its snapshot): it depends only on the
    file's text, which the snapshot is keyed by.
    """
    if bib.checked is None:
        bib.checked = (
            *bib.problems,
            *check_required_fields(bib),
            *check_identifiers(bib),
            *check_links(bib),
        )
    return list(bib.checked)
