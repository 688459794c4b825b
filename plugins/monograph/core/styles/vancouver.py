"""Vancouver (NLM) reference style, written as a pybtex style.

``Trotti LM, Becker LA. Iron for the treatment of restless legs syndrome. Cochrane Database Syst
Rev. 2019;1:CD007834.`` followed by DOI, PMID and PMCID links. Six authors, then "et al.".
"""

from __future__ import annotations

import functools
import re
from typing import Any

from pybtex.database import Entry, Person
from pybtex.richtext import BaseMultipartText, HRef, Protected, String, Tag, Text
from pybtex.style.formatting import BaseStyle, toplevel
from pybtex.style.names import BaseNameStyle
from pybtex.style.template import FieldIsMissing, first_of, join, node, optional, sentence, words

#: Bump when the output changes, so cached references are formatted again.
STYLE_VERSION = "vancouver-2"
MAX_AUTHORS = 6

_LATEX_MARKUP = re.compile(r"\\(emph|textit|textbf|mkbibemph)\s*$")
_MARKUP_TAGS = {"emph": "em", "textit": "em", "mkbibemph": "em", "textbf": "strong"}


def latex_markup(text: BaseMultipartText) -> BaseMultipartText:
    r"""Turn ``\emph{x}``, ``\textit{x}``, ``\textbf{x}`` (literal text to pybtex) into tags."""
    out: list[Any] = []
    parts = list(text.parts)
    index = 0
    while index < len(parts):
        part = parts[index]
        following = parts[index + 1] if index + 1 < len(parts) else None
        match = _LATEX_MARKUP.search(part.value) if isinstance(part, String) else None
        if match and isinstance(following, Protected):
            if match.start():
                out.append(String(part.value[: match.start()]))
            out.append(Tag(_MARKUP_TAGS[match.group(1)], *latex_markup(following).parts))
            index += 2
            continue
        if isinstance(part, BaseMultipartText):
            part = part._create_similar(latex_markup(part).parts)
        out.append(part)
        index += 1
    return text._create_similar(out)


# LaTeX commands and groups, plus the ligatures pybtex turns into typography (-- en dash,
# --- em dash, `` and '' curly quotes).
_LATEX_SYNTAX = re.compile(r"[\\{}$~%&^_]|--|``|''")


def latex_text(value: str) -> Text:
    """``Text.from_latex`` with a fast path: most fields hold no LaTeX at all.

    pybtex's LaTeX parser is the single largest cost of formatting (about half of it), and
    plain strings come out of it unchanged.
    """
    return Text.from_latex(value) if _LATEX_SYNTAX.search(value) else Text(value)


@functools.lru_cache(maxsize=65536)
def plain_text(latex: str) -> str:
    r"""LaTeX to plain text (``H{\"o}gl`` -> ``Högl``); names recur, so results are kept."""
    return str(latex_text(latex))


@node
def field(children: Any, context: dict[str, Any], name: str, apply_func: Any = None) -> Text:
    """The ``field`` node of pybtex, with :func:`latex_text` instead of ``Text.from_latex``."""
    entry = context["entry"]
    try:
        value = latex_text(entry._find_field(name, bib_data=context.get("bib_data")))
    except KeyError as exc:
        raise FieldIsMissing(name, entry) from exc
    return apply_func(value) if apply_func else value


@node
def optional_field(children: Any, context: dict[str, Any], name: str) -> Text:
    """The field, or nothing when the entry lacks it."""
    return optional[field(name)].format_data(context)


def initials(person: Person) -> str:
    """``Jeroen H. F.`` -> ``JHF``; ``In-Young`` -> ``IY``; ``MA`` -> ``MA``."""
    names = person.first_names + person.middle_names
    pieces = [piece for name in names for piece in re.split(r"[-\s.]+", plain_text(name)) if piece]
    # "MA" in "Khan, MA" is already a run of initials (as PubMed writes them), not a first name.
    return "".join(p if p.isupper() and len(p) <= 3 else p[0] for p in pieces).upper()


class VancouverNameStyle(BaseNameStyle):  # type: ignore[misc]
    """``de Baaij JHF``: von-part and last name, a space, initials without periods."""

    def format(self, person: Person, abbr: bool = False) -> Any:
        """Return a template for one name."""
        surname = " ".join(plain_text(n) for n in person.prelast_names + person.last_names)
        lineage = " ".join(plain_text(n) for n in person.lineage_names)
        return join(sep=" ")[surname, initials(person), lineage]


@node
def vancouver_names(children: Any, context: dict[str, Any], role: str = "author") -> Text:
    """Up to six names, then "et al."; BibTeX's ``and others`` also becomes "et al."."""
    persons = list(context["entry"].persons.get(role, ()))
    truncated = len(persons) > MAX_AUTHORS or any(str(p) == "others" for p in persons)
    shown = [p for p in persons if str(p) != "others"][:MAX_AUTHORS]
    style = context["style"]
    names = [style.format_name(person).format_data(context) for person in shown]
    if truncated:
        names.append(Text("et al"))
    if role == "editor":
        names.append(Text("editor" if len(shown) == 1 and not truncated else "editors"))
    return join(sep=", ")[names].format_data(context)


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


class VancouverStyle(BaseStyle):  # type: ignore[misc]
    """Vancouver/NLM references for journal articles, books, chapters and web pages."""

    default_name_style = "plain"  # replaced by VancouverNameStyle in __init__
    default_label_style = "number"
    default_sorting_style = "none"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.name_style = VancouverNameStyle()
        self.format_name = self.name_style.format

    def _authors(self) -> Any:
        return first_of[
            optional[sentence[vancouver_names("author")]],
            optional[sentence[vancouver_names("editor")]],
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
        """Book: ``Title. 3rd ed. Place: Publisher; Year.``."""
        return toplevel[
            self._authors(),
            sentence[field("title")],
            optional[words[field("edition"), "ed."]],
            sentence[
                join(sep="; ")[
                    join(sep=": ")[optional_field("address"), optional_field("publisher")],
                    optional_field("year"),
                ]
            ],
        ]

    def get_incollection_template(self, e: Entry) -> Any:
        """Chapter: ``In: Editors, editors. Book. Place: Publisher; Year. p. pages.``."""
        return toplevel[
            sentence[vancouver_names("author")],
            sentence[field("title")],
            words["In:", first_of[optional[sentence[vancouver_names("editor")]], ""]],
            sentence[field("booktitle")],
            sentence[
                join(sep="; ")[
                    join(sep=": ")[optional_field("address"), optional_field("publisher")],
                    optional_field("year"),
                ]
            ],
            optional[sentence[words["p.", field("pages", apply_func=_dash)]]],
        ]

    def get_misc_template(self, e: Entry) -> Any:
        """Anything else: authors, title, publisher/year."""
        return toplevel[
            self._authors(),
            sentence[field("title")],
            optional[sentence[join(sep="; ")[optional_field("publisher"), field("year")]]],
        ]

    get_online_template = get_misc_template
    get_inproceedings_template = get_incollection_template
    get_techreport_template = get_misc_template
    get_phdthesis_template = get_misc_template


def _dash(text: Text) -> Text:
    """Page ranges take a hyphen in NLM style, whether written ``--`` or decoded to an en dash."""
    return Text(str(text).replace("--", "-").replace("–", "-"))


def identifier_links(fields: Any) -> Text:
    """DOI, PMID and PMCID as links (``pubmed`` is read as a synonym of ``pmid``)."""
    links = []
    doi = str(fields.get("doi", "")).strip()
    pmid = str(fields.get("pmid") or fields.get("pubmed") or "").strip()
    pmcid = str(fields.get("pmcid", "")).strip()
    url = str(fields.get("url", "")).strip()
    if doi:
        links.append(Text("doi:", HRef(f"https://doi.org/{doi}", doi)))
    if pmid:
        links.append(Text("PMID: ", HRef(f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/", pmid)))
    if pmcid:
        links.append(
            Text("PMCID: ", HRef(f"https://www.ncbi.nlm.nih.gov/pmc/articles/{pmcid}/", pmcid))
        )
    if url and not (doi or pmid or pmcid):
        links.append(Text("Available from: ", HRef(url, url)))
    pieces: list[Any] = []
    for link in links:
        pieces += [link, ". "] if pieces == [] else [" ", link, "."]
    if pieces:
        pieces[1] = "."
    return Text(*pieces)
