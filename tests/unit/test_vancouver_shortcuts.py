"""The Vancouver style's shortcuts build the same rich text as pybtex's template engine.

Templates are built once for all the entries they are the same for, and name lists are joined as
plain strings; both are compared here with what pybtex builds the long way, on every entry of
every .bib in the repository and on made-up entries of every type.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from monograph.core.bibliography.loading import load_bibliography
from monograph.core.bibliography.types import TEMPLATES, TYPE_ALIASES
from monograph.core.styles.latex import plain_text
from monograph.core.styles.vancouver import (
    SafeHtmlBackend,
    VancouverStyle,
    initials,
    vancouver_names,
)
from pybtex.database import Entry, Person
from pybtex.style.template import join

REPO = Path(__file__).resolve().parents[2]
ROLES = ("author", "editor", "translator")


def _entries() -> list[Entry]:
    paths = [REPO / "refs.bib", *sorted((REPO / "tests").rglob("*.bib"))]
    entries = []
    for path in paths:
        bib = load_bibliography(path)
        entries += [bib.entry(key) for key in bib.data.entries]
    return entries


def _made_up() -> list[Entry]:
    """An entry of every type, bare and with every field a template reads."""
    read = ["title", "booktitle", "journal", "chapter", "pages", "edition", "publisher", "address"]
    read += ["organization", "institution", "school", "year", "howpublished", "type", "number"]
    fields = {name: "x" for name in [*read, "volume", "version", "location"]}
    people = {"author": [Person("Doe, Jane")], "editor": [Person("Roe, R.")]}
    types = sorted({*TEMPLATES, *TYPE_ALIASES, "MastersThesis", "Software", "InBook", "nonsense"})
    entries = [Entry(kind) for kind in types]
    entries += [Entry(kind, fields=fields, persons=people) for kind in types]
    # names with parts missing or empty, which a list leaves out or writes shorter
    odd = [Person(""), Person(first="Jane"), Person(last="{}"), Person(lineage="Jr."), Person("A")]
    odd += [Person(last="Doe", lineage="Jr.")]
    for count in range(1, len(odd) + 1):
        for start in range(len(odd)):
            persons = (odd[start:] + odd[:start])[:count]
            entries.append(Entry("book", persons={role: persons for role in ROLES}))
    return entries


def _pybtex_names(entry: Entry, role: str) -> object:
    """vancouver_names as pybtex's join nodes build it, one name template at a time."""
    persons = list(entry.persons.get(role, ()))
    truncated = len(persons) > 6 or any(str(p) == "others" for p in persons)
    shown = [p for p in persons if str(p) != "others"][:6]
    names = []
    for person in shown:
        surname = " ".join(plain_text(n) for n in person.prelast_names + person.last_names)
        lineage = " ".join(plain_text(n).rstrip(".") for n in person.lineage_names)
        names.append(join(sep=" ")[surname, initials(person), lineage].format())
    if truncated:
        names.append("et al")
    if role in ("editor", "translator"):
        names.append(role if len(shown) == 1 and not truncated else f"{role}s")
    return join(sep=", ")[names].format()


def test_name_lists_are_what_pybtex_joins() -> None:
    style = VancouverStyle()
    compared = 0
    for entry in [*_entries(), *_made_up()]:
        for role in ROLES:
            if not entry.persons.get(role):
                continue
            ours = vancouver_names(role).format_data({"entry": entry, "style": style})
            theirs = _pybtex_names(entry, role)
            assert (repr(ours), ours) == (repr(theirs), theirs), entry.key
            assert ours.render(SafeHtmlBackend()) == theirs.render(SafeHtmlBackend())  # type: ignore[attr-defined]
            compared += 1
    assert compared > 100


@pytest.mark.parametrize("reverse", [False, True])
def test_kept_templates_are_the_ones_built_for_each_entry(reverse: bool) -> None:
    """A template is kept per TEMPLATE_VARIES; whichever entry built it, it fits every other."""
    style, builder = VancouverStyle(), VancouverStyle()
    entries = [*_made_up(), *_entries()]
    for entry in reversed(entries) if reverse else entries:
        for kind in sorted(TEMPLATES):
            fresh = getattr(builder, f"get_{kind}_template")(entry)
            assert repr(style.template(kind, entry)) == repr(fresh), (kind, entry.type)
    assert set(VancouverStyle.TEMPLATE_VARIES) <= TEMPLATES
