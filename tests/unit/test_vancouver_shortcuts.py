"""The Vancouver style's shortcuts build the same rich text as pybtex's template engine.

Templates are built once for all the entries they are the same for, name lists are joined as
plain strings, join nodes build one Text each and identifiers are added as parts; all are compared
here with what pybtex builds the long way, on every entry of every .bib in the repository and on
made-up entries of every type.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from monograph.core.bibliography.identifiers import identifier_url, read_identifiers
from monograph.core.bibliography.loading import load_bibliography
from monograph.core.bibliography.types import TEMPLATES, TYPE_ALIASES
from monograph.core.links import safe_url
from monograph.core.styles import vancouver
from monograph.core.styles.latex import plain_text, url_text
from monograph.core.styles.vancouver import (
    SafeHtmlBackend,
    VancouverStyle,
    initials,
    vancouver_names,
)
from pybtex.backends.plaintext import Backend as TextBackend
from pybtex.database import Entry, Person
from pybtex.exceptions import PybtexError
from pybtex.richtext import HRef, Protected, Symbol, Tag, Text
from pybtex.style import formatting, template
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


def _format(style: VancouverStyle, entry: Entry) -> object:
    kind = vancouver.template_name(entry.type) or "misc"
    try:
        return getattr(style, f"get_{kind}_template")(entry).format_data(
            {"entry": entry, "style": style}
        )
    except PybtexError as exc:
        return f"{type(exc).__name__}: {exc}"


@template.node
def optional_field(children: object, context: object, name: str) -> object:
    """What vancouver's optional_field stands for."""
    return template.optional[vancouver.field(name)].format_data(context)


def test_entries_are_what_pybtex_join_nodes_build(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = [*_entries(), *_made_up()]
    style = VancouverStyle()
    ours = [_format(style, entry) for entry in entries]
    monkeypatch.setattr(vancouver, "join", template.join)
    monkeypatch.setattr(vancouver, "words", template.words)
    monkeypatch.setattr(vancouver, "sentence", template.sentence)
    monkeypatch.setattr(vancouver, "toplevel", formatting.toplevel)
    monkeypatch.setattr(vancouver, "optional_field", optional_field)
    style = VancouverStyle()
    theirs = [_format(style, entry) for entry in entries]
    assert [repr(text) for text in ours] == [repr(text) for text in theirs]
    assert ours == theirs
    assert sum(isinstance(text, Text) and len(text) > 0 for text in ours) > 100


def _links_text_per_link(fields: object) -> Text:
    """identifier_links as a Text of a Text for each link, as it was built before."""
    ids = read_identifiers(fields)
    url = safe_url(url_text(str(fields.get("url", "")).removeprefix("\\url{").removesuffix("}")))  # type: ignore[attr-defined]
    links = []
    for label, name, value in (
        ("doi:", "doi", ids.doi),
        ("PMID: ", "pmid", ids.pmid),
        ("PMCID: ", "pmcid", ids.pmcid),
    ):
        if value:
            target = identifier_url(name, value)
            links.append(Text(label, HRef(target, value) if target else value))
    if url and not (ids.doi or ids.pmid or ids.pmcid):
        links.append(Text("Available from: ", HRef(url, url)))
    pieces: list[object] = []
    for link in links:
        pieces += [link, ". "] if pieces == [] else [" ", link, "."]
    if pieces:
        pieces[1] = "."
    return Text(*pieces)


def test_identifier_parts_make_the_text_a_text_per_link_makes() -> None:
    values = {"doi": ["10.1000/a(1)", "no doi"], "pmid": ["12345"], "pmcid": ["PMC678", "x"]}
    values["url"] = [r"\url{https://example.org/a\_b}", "javascript:alert(1)"]
    made_up = [Entry("article", fields={})]
    for name, choices in values.items():
        for value in choices:
            for entry in list(made_up):
                made_up.append(Entry("article", fields={**entry.fields, name: value}))
    compared = 0
    for entry in [*_entries(), *made_up]:
        reference = _links_text_per_link(entry.fields)
        parts = vancouver._identifier_parts(entry.fields)
        assert bool(parts) == bool(reference)
        rich = Text("Title.")
        assert Text(rich, " ", *parts) == Text(rich, " ", reference)
        assert repr(vancouver.identifier_links(entry.fields)) == repr(reference)
        compared += len(reference) > 0
    assert compared > 50


def _leaf(rng: random.Random) -> object:
    word = rng.choice(["", "a", "B.", " ", ", ", "x!", "y?", "z. "])
    return rng.choice(
        [
            word,
            Text(word),
            Text(word, Tag("em", word)),
            Symbol("newblock"),
            Tag("em", word),
            Tag("em", word, Tag("sup", word)),
            Protected(word),
            Protected(Tag("em", word), word),
            HRef("https://example.org", word),
        ]
    )


def _nest(parts: list[object], rng: random.Random) -> object:
    """The parts as a Text, grouped into nested Texts at random."""
    if len(parts) <= 1 or rng.random() < 0.3:
        return Text(*parts)
    cut = rng.randint(1, len(parts) - 1)
    return Text(_nest(parts[:cut], rng), _nest(parts[cut:], rng))


def test_a_text_is_its_parts_however_nested() -> None:
    """What the shortcuts above rely on: Text(Text(a, b), c) is Text(a, b, c)."""
    rng = random.Random(15)
    for _ in range(3000):
        parts = [_leaf(rng) for _ in range(rng.randint(0, 8))]
        flat, nested = Text(*parts), _nest(parts, rng)
        assert (repr(flat), flat) == (repr(nested), nested)
        assert flat.render(SafeHtmlBackend()) == nested.render(SafeHtmlBackend())  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (vancouver.join, template.join),
        (vancouver.join(sep=", "), template.join(sep=", ")),
        (vancouver.words, template.words),
        (vancouver.sentence, template.sentence),
        (vancouver.toplevel, formatting.toplevel),
    ],
)
def test_join_nodes_are_pybtex_nodes(ours: object, theirs: object) -> None:
    rng = random.Random(15)
    for _ in range(2000):
        children = [_leaf(rng) for _ in range(rng.randint(0, 6))]
        mine, pybtex = ours[children].format(), theirs[children].format()  # type: ignore[index]
        assert (repr(mine), mine) == (repr(pybtex), pybtex)


def _reference_long_way(style: VancouverStyle, entry: Entry) -> tuple[str, str]:
    """format_reference's html and text from the entry's Text, a space and the identifiers'."""
    kind = vancouver.template_name(entry.type) or "misc"
    context = {"entry": entry, "style": style}
    try:
        rich = getattr(style, f"get_{kind}_template")(entry).format_data(context)
    except PybtexError:
        rich = Text(plain_text(str(entry.fields.get("title", entry.key))), ".")
    links = vancouver.identifier_links(entry.fields)
    full = Text(rich, " ", links) if links else rich
    return full.render(SafeHtmlBackend()), full.render(TextBackend())


def test_references_are_built_as_one_text_of_the_same_parts() -> None:
    compared = 0
    style = VancouverStyle()
    for path in [REPO / "refs.bib", *sorted((REPO / "tests").rglob("*.bib"))]:
        bib = load_bibliography(path)
        for key in bib.data.entries:
            reference = vancouver.format_reference(bib, key)
            assert (reference.html, reference.text) == _reference_long_way(style, bib.entry(key)), (
                key
            )
            compared += 1
    assert compared > 100
    for entry in _made_up():
        context = {"entry": entry, "style": vancouver._PYBTEX_STYLE}
        kind = vancouver.template_name(entry.type) or "misc"
        try:
            ours = Text(*vancouver._PYBTEX_STYLE.blocks(entry))
        except PybtexError as exc:
            ours = exc  # type: ignore[assignment]
        try:
            theirs = vancouver._PYBTEX_STYLE.template(kind, entry).format_data(context)
        except PybtexError as exc:
            theirs = exc
        assert repr(ours) == repr(theirs)
