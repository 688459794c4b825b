"""Vancouver (NLM) reference style, written as a pybtex style.

``Smith JA, Doe J. A title of the article. Journal Abbrev. 2020;395(2):100-10.`` (an invented
example) followed by DOI, PMID and PMCID links. Six authors, then "et al.".
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from pybtex.backends.html import Backend as HtmlBackend
from pybtex.backends.plaintext import Backend as TextBackend
from pybtex.database import Entry, Person
from pybtex.exceptions import PybtexError
from pybtex.richtext import HRef, Symbol, Text
from pybtex.style.formatting import BaseStyle, FormattedEntry
from pybtex.style.names import BaseNameStyle
from pybtex.style.template import FieldIsMissing, first_of, node, optional
from pybtex.textutils import terminators

from ..bibliography.identifiers import identifier_url, read_identifiers
from ..bibliography.types import template_name
from ..links import safe_url
from .base import FormattedReference, narrative_names
from .latex import latex_text, plain_text, url_text

if TYPE_CHECKING:
    from ..bibliography.loading import Bibliography

MAX_AUTHORS = 6


# pybtex's join builds a Text for its separator and, for three parts or more, joins twice (Text
# objects merge their parts again whenever they are built), its sentence, words and toplevel build
# a new join node each time, and sentence builds the Text again to add its period. These build one
# Text per node, the same one: a Text is its parts flattened, without empty ones, adjacent similar
# ones merged, however it was nested (tests/unit/test_vancouver_shortcuts.py checks that, and
# formats every entry with pybtex's nodes too).
def _joined(children: Any, data: Any, sep: Any) -> list[Any]:
    """The parts of the Text pybtex's ``join(sep)[children]`` makes."""
    joined: list[Any] = []
    for child in children:
        format_data = getattr(child, "format_data", None)  # a node, or a literal
        part = format_data(data) if format_data else child
        if part:
            if joined:
                joined.append(sep)
            joined.append(part)
    return joined


@node
def join(children: Any, data: Any, sep: str = "") -> Text:
    """Parts with a separator between them, as pybtex's ``join`` (no ``sep2``, ``last_sep``)."""
    return Text(*_joined(children, data, sep))


@node
def words(children: Any, data: Any, sep: str = " ") -> Text:
    """Parts with spaces between them, as pybtex's ``words``."""
    return Text(*_joined(children, data, sep))


@node
def sentence(children: Any, data: Any, sep: str = ", ") -> Text:
    """Parts joined, then a period: pybtex's ``sentence`` with its default options."""
    joined = _joined(children, data, sep)
    # pybtex adds the period unless the text ends with a terminator; a text ends as its last part
    # does (the merged last part of a Text ends with the last non-empty piece merged into it, and
    # the terminators are single characters).
    if joined and not joined[-1].endswith(terminators):
        joined.append(".")
    return Text(*joined)


_NEWBLOCK = Symbol("newblock")


@node
def toplevel(children: Any, data: Any) -> Text:
    """The blocks of an entry, as pybtex's ``toplevel``."""
    return Text(*_joined(children, data, _NEWBLOCK))


def _field(context: dict[str, Any], name: str, apply_func: Any = None) -> Text:
    entry = context["entry"]
    try:
        value = latex_text(entry._find_field(name, bib_data=context.get("bib_data")))
    except KeyError as exc:
        raise FieldIsMissing(name, entry) from exc
    return apply_func(value) if apply_func else value


@node
def field(children: Any, context: dict[str, Any], name: str, apply_func: Any = None) -> Text:
    """The ``field`` node of pybtex, with :func:`latex_text` instead of ``Text.from_latex``."""
    return _field(context, name, apply_func)


@node
def optional_field(children: Any, context: dict[str, Any], name: str) -> Text:
    """The field, or nothing when the entry lacks it (``optional[field(name)]``)."""
    try:
        return _field(context, name)  # a Text: optional[] would make the same Text of it
    except FieldIsMissing:
        return Text()


def initials(person: Person) -> str:
    """``Jeroen H. F.`` -> ``JHF``; ``In-Young`` -> ``IY``; ``MA`` -> ``MA``."""
    names = person.first_names + person.middle_names
    pieces = [piece for name in names for piece in re.split(r"[-\s.]+", plain_text(name)) if piece]
    # "MA" in "Khan, MA" is already a run of initials (as PubMed writes them), not a first name.
    return "".join(p if p.isupper() and len(p) <= 3 else p[0] for p in pieces).upper()


def vancouver_name(person: Person) -> str:
    """``de Baaij JHF``: von-part and last name, a space, initials without periods, lineage."""
    surname = " ".join(plain_text(n) for n in person.prelast_names + person.last_names)
    lineage = " ".join(plain_text(n).rstrip(".") for n in person.lineage_names)
    return " ".join(part for part in (surname, initials(person), lineage) if part)


class VancouverNameStyle(BaseNameStyle):  # type: ignore[misc]
    """``de Baaij JHF``: von-part and last name, a space, initials without periods."""

    def format(self, person: Person, abbr: bool = False) -> Any:
        """Return a template for one name."""
        return join[vancouver_name(person)]


@node
def vancouver_names(children: Any, context: dict[str, Any], role: str = "author") -> Text:
    """Up to six names, then "et al."; BibTeX's ``and others`` also becomes "et al."."""
    persons = list(context["entry"].persons.get(role, ()))
    if not persons:
        raise FieldIsMissing(role, context["entry"])  # so optional[] and first_of[] skip it
    named = [p for p in persons if str(p) != "others"]
    truncated = len(persons) > MAX_AUTHORS or len(named) < len(persons)
    shown = named[:MAX_AUTHORS]
    # Names are plain strings (plain_text). pybtex's join(sep=", ")[names] drops empty parts and
    # merges adjacent strings into one, so for strings it is Text(", ".join(non-empty ones)); built
    # here without a Text per name and per separator (tests/unit/test_vancouver_shortcuts.py).
    names = [vancouver_name(person) for person in shown]
    if truncated:
        names.append("et al")
    if role in ("editor", "translator"):  # NLM: "Roe R, translator."
        names.append(role if len(shown) == 1 and not truncated else f"{role}s")
    return Text(", ".join(name for name in names if name))


@node
def source_details(children: Any, context: dict[str, Any]) -> Text:
    """``2019;15(2):22-28`` - an issue without a volume stands alone (``2019;1:CD007834``)."""
    fields = context["entry"].fields
    volume, issue = fields.get("volume", ""), fields.get("number", "")
    pages = str(fields.get("pages", "")).replace("--", "-")
    text = str(fields.get("year", ""))
    if volume or issue:
        text += ";" + (f"{volume}({issue})" if volume and issue else volume or issue)
    if pages:
        text += (":" if volume or issue else "; ") + pages
    return Text(text)


def _place_publisher(*publishers: str) -> Any:
    """``Place: Publisher; Year`` with whatever of it the entry has."""
    return join(sep="; ")[
        join(sep=": ")[optional_field("address"), optional[publisher(*publishers)]],
        optional_field("year"),
    ]


@node
def medium(children: Any, context: dict[str, Any], default: str) -> Text:
    """NLM's bracketed type after a title: ``[dissertation]``, ``[dataset]``, ``[Internet]``."""
    kind = plain_text(str(context["entry"].fields.get("type", "")).strip())
    return Text(f"[{_THESIS_TYPES.get(kind.lower(), kind) if kind else default}]")


#: BibLaTeX's ``type`` keys for theses, as NLM words them.
_THESIS_TYPES = {
    "phdthesis": "dissertation",
    "mathesis": "master's thesis",
    "mastersthesis": "master's thesis",
    "bathesis": "bachelor's thesis",
    "candthesis": "thesis",
}


def _ordinal(text: Text) -> Text:
    """``2`` -> ``2nd`` (an edition written as a number, as Zotero and JabRef export it)."""
    value = str(text).strip()
    if not value.isdigit():
        return text
    number = int(value)
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return Text(f"{number}{suffix}")


@node
def publisher(children: Any, context: dict[str, Any], *names: str) -> Text:
    """The first of ``names`` the entry has; its ``organization`` only when it is not the author.

    BibTeX's styles put a manual's organization first when it has no author, and then not again.
    """
    entry = context["entry"]
    authorless = not (entry.persons.get("author") or entry.persons.get("editor"))
    for name in names:
        if name == "organization" and authorless:
            continue
        if str(entry.fields.get(name, "")).strip():
            return _field(context, name)
    raise FieldIsMissing(names[0], entry)


class VancouverStyle(BaseStyle):  # type: ignore[misc]
    """Vancouver/NLM references for every BibTeX and BibLaTeX entry type."""

    default_name_style = "plain"  # replaced by VancouverNameStyle in __init__
    default_label_style = "number"
    default_sorting_style = "none"

    #: What of the entry the templates that look at it depend on (see :meth:`template`).
    TEMPLATE_VARIES: ClassVar[dict[str, Callable[[Entry], object]]] = {
        "inbook": lambda e: "booktitle" in e.fields,
        "thesis": lambda e: e.type.lower() == "mastersthesis",
        "dataset": lambda e: e.type.lower() == "software",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.name_style = VancouverNameStyle()
        self.format_name = self.name_style.format
        self._templates: dict[tuple[str, object], Any] = {}

    def template(self, kind: str, entry: Entry) -> Any:
        """``get_<kind>_template(entry)``, built once for all entries it is the same for.

        pybtex rebuilds a template tree for every entry it formats (a node is copied for every
        ``[]`` and ``()``), yet most templates do not look at the entry; those that do depend
        only on what :attr:`TEMPLATE_VARIES` says (tests/unit/test_vancouver_shortcuts.py builds
        every template for every entry to check it). Template nodes are never changed once built.
        """
        varies = self.TEMPLATE_VARIES.get(kind)
        key = (kind, varies(entry) if varies else None)
        template = self._templates.get(key)
        if template is None:
            template = self._templates[key] = getattr(self, f"get_{kind}_template")(entry)
        return template

    def format_entry(self, label: str, entry: Entry, bib_data: Any = None) -> FormattedEntry:
        """Format with the entry type's template; an unknown type gets the ``misc`` one."""
        return FormattedEntry(entry.key, Text(*self.blocks(entry, bib_data)), label)

    def blocks(self, entry: Entry, bib_data: Any = None) -> list[Any]:
        """The parts of the formatted entry, for a Text that has more to add (identifiers)."""
        context = {"entry": entry, "style": self, "bib_data": bib_data}
        template = self.template(template_name(entry.type) or "misc", entry)
        if template.f is toplevel.f:  # every template: its blocks, with a newblock between
            return _joined(template.children, context, _NEWBLOCK)
        return [template.format_data(context)]

    def _authors(self) -> Any:
        return first_of[
            optional[sentence[vancouver_names("author")]],
            optional[sentence[vancouver_names("editor")]],
            optional[sentence[field("organization")]],
        ]

    def get_article_template(self, e: Entry) -> Any:
        """Journal article."""
        return toplevel[
            self._authors(),
            sentence[field("title")],
            sentence[field("journal")],
            sentence[source_details],
        ]

    def get_book_template(self, e: Entry) -> Any:
        """Book: ``Title. Roe R, translator. 3rd ed. Place: Publisher; Year.``."""
        return toplevel[
            self._authors(),
            sentence[field("title")],
            optional[sentence[vancouver_names("translator")]],
            optional[words[field("edition", apply_func=_ordinal), "ed."]],
            optional[sentence[_place_publisher("publisher", "organization", "institution")]],
        ]

    def get_booklet_template(self, e: Entry) -> Any:
        """Booklet: ``Title. How published. Place; Year.``."""
        return toplevel[
            self._authors(),
            sentence[field("title")],
            optional[sentence[field("howpublished")]],
            optional[sentence[_place_publisher("publisher", "organization")]],
        ]

    get_manual_template = get_book_template
    get_proceedings_template = get_book_template

    def get_incollection_template(self, e: Entry) -> Any:
        """Chapter: ``In: Editors, editors. Book. Place: Publisher; Year. p. pages.``."""
        return toplevel[
            self._authors(),
            sentence[field("title")],
            words["In:", first_of[optional[sentence[vancouver_names("editor")]], ""]],
            sentence[field("booktitle")],
            optional[sentence[_place_publisher("publisher", "organization")]],
            optional[sentence[words["p.", field("pages", apply_func=_dash)]]],
        ]

    get_inproceedings_template = get_incollection_template

    def get_inbook_template(self, e: Entry) -> Any:
        """A part of a book: a chapter when it has a ``booktitle``, else a book and chapter.

        BibTeX's classic ``@inbook`` has the book's title, a ``chapter`` and ``pages``.
        """
        if "booktitle" in e.fields:
            return self.get_incollection_template(e)
        return toplevel[
            self._authors(),
            sentence[field("title")],
            optional[words[field("edition", apply_func=_ordinal), "ed."]],
            optional[sentence[_place_publisher("publisher")]],
            optional[sentence[words["Chapter", field("chapter")]]],
            optional[sentence[words["p.", field("pages", apply_func=_dash)]]],
        ]

    def get_thesis_template(self, e: Entry) -> Any:
        """Thesis: ``Title [dissertation]. Place: School; Year.``."""
        default = "master's thesis" if e.type.lower() == "mastersthesis" else "dissertation"
        return toplevel[
            self._authors(),
            sentence[words[field("title"), medium(default)]],
            optional[sentence[_place_publisher("school", "institution", "publisher")]],
        ]

    def get_techreport_template(self, e: Entry) -> Any:
        """Report: ``Title. Place: Institution; Year. Report No.: number.``."""
        return toplevel[
            self._authors(),
            sentence[field("title")],
            optional[sentence[_place_publisher("institution", "organization", "publisher")]],
            optional[sentence[words["Report No.:", field("number")]]],
        ]

    def get_unpublished_template(self, e: Entry) -> Any:
        """Unpublished work: ``Title. Unpublished; Year.`` (the note says what it is)."""
        return toplevel[
            self._authors(),
            sentence[field("title")],
            sentence[join(sep="; ")["Unpublished", optional_field("year")]],
        ]

    def get_patent_template(self, e: Entry) -> Any:
        """Patent: ``Inventor. Title. Patent number. Year.``."""
        return toplevel[
            self._authors(),
            sentence[field("title")],
            optional[sentence[words[optional_field("location"), "patent", field("number")]]],
            optional[sentence[field("year")]],
        ]

    def get_dataset_template(self, e: Entry) -> Any:
        """Data set or software: ``Title [dataset]. Version 2. Publisher; Year.``."""
        default = "software" if e.type.lower() == "software" else "dataset"
        return toplevel[
            self._authors(),
            sentence[words[field("title"), medium(default)]],
            optional[sentence[words["Version", field("version")]]],
            optional[sentence[_place_publisher("publisher", "organization", "institution")]],
        ]

    def get_online_template(self, e: Entry) -> Any:
        """Web page: ``Title [Internet]. Publisher; Year.``."""
        return toplevel[
            self._authors(),
            sentence[words[field("title"), "[Internet]"]],
            optional[sentence[_place_publisher("publisher", "organization", "howpublished")]],
        ]

    def get_misc_template(self, e: Entry) -> Any:
        """Anything else: authors, title, how published, publisher and year."""
        return toplevel[
            self._authors(),
            sentence[field("title")],
            optional[sentence[field("howpublished")]],
            optional[sentence[_place_publisher("publisher", "organization", "institution")]],
        ]


def _dash(text: Text) -> Text:
    """Page ranges take a hyphen in NLM style, whether written ``--`` or decoded to an en dash."""
    return Text(str(text).replace("--", "-").replace("–", "-"))


def identifier_links(fields: Any) -> Text:
    """DOI, PMID and PMCID as links (``pubmed`` is read as a synonym of ``pmid``)."""
    return Text(*_identifier_parts(fields))


def _identifier_parts(fields: Any) -> list[Any]:
    """The parts of :func:`identifier_links`: ``doi:``, a link, ``.``, a space, ``PMID: ``...

    Given as parts rather than a Text of a Text per link, so that the reference is built as one
    Text (the same one: a Text flattens the Texts it is made of).
    """
    links = []
    ids = read_identifiers(fields)
    doi, pmid, pmcid = ids.doi, ids.pmid, ids.pmcid
    url = safe_url(url_text(str(fields.get("url", "")).removeprefix("\\url{").removesuffix("}")))
    for label, name, value in (
        ("doi:", "doi", doi),
        ("PMID: ", "pmid", pmid),
        ("PMCID: ", "pmcid", pmcid),
    ):
        if value:
            target = identifier_url(name, value)
            links.append((label, HRef(target, value) if target else value))
    if url and not (doi or pmid or pmcid):
        links.append(("Available from: ", HRef(url, url)))
    parts: list[Any] = []
    for label, link in links:
        parts += [" ", label, link, "."] if parts else [label, link, "."]
    return parts


class SafeHtmlBackend(HtmlBackend):  # type: ignore[misc]
    """pybtex's HTML backend, minus the stray ``bibtex-protected`` spans, with escaped URLs."""

    symbols: ClassVar[dict[str, str]] = {**HtmlBackend.symbols, "newblock": " "}

    def format_protected(self, text: str) -> str:
        """Braces only protect capitalisation in BibTeX; they carry no meaning on the web."""
        return text

    @staticmethod
    def format_href(url: str, text: str, external: bool = False) -> str:
        """Links with the URL escaped (pybtex inserts it verbatim)."""
        return f'<a href="{html.escape(url, quote=True)}">{text}</a>' if text else ""


_PYBTEX_STYLE = VancouverStyle()


def format_reference(bib: Bibliography, key: str) -> FormattedReference:
    """Format one entry in Vancouver (no caching); a missing field degrades to what it has."""
    entry = bib.entry(key)
    try:
        blocks = _PYBTEX_STYLE.blocks(entry)
    except PybtexError:  # reported by check_required_fields; never crash a build on it
        blocks = [plain_text(str(entry.fields.get("title", key))), "."]
    links = _identifier_parts(entry.fields)
    # one Text of it all; the same as the entry's Text, a space and the identifiers' Text
    full = Text(*blocks, " ", *links) if links else Text(*blocks)
    note = plain_text(str(entry.fields.get("note", "")))
    return FormattedReference(
        html=full.render(SafeHtmlBackend()),
        text=full.render(TextBackend()),
        narrative=narrative_names(bib, key),
        note=note,
    )
