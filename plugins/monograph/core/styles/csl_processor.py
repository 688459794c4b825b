"""The CSL processor behind :mod:`.csl`: citeproc-py, and the CSL file read with lxml.

citeproc-py (the maintained CSL processor on PyPI) formats entries and citations from CSL-JSON
items converted from the engine's parsed bibliography (:mod:`.csl_data`). What it lacks, the
engine supplies, as CSL 1.0.2 describes it:

- numbering: numeric styles keep the engine's site-wide numbers (works are registered in number
  order, so the processor's ``citation-number`` is the engine's number); the number is left out of
  list entries, which an ``<ol value=N>`` shows;
- year-suffix disambiguation (``2019a``/``2019b``), which citeproc-py does not do: works whose
  citations read the same get suffixes in bibliography order;
- suppressed authors (``[-@key]``) and narrative citations (``@key``: "Trotti and Becker (2019)").

Each work of a citation is marked with private control characters as CSL affixes
(:mod:`.csl_info`), and :mod:`.csl` cuts the processor's output at the marks. This module is
loaded only when the style needs the processor: on a cold build, or on the first reference or
citation text a warm build finds in none of the caches (:class:`.csl.CslStyle` answers the rest,
without citeproc-py or lxml). Importing it patches citeproc-py (below).
"""

from __future__ import annotations

import functools
import io
import re
import warnings
from collections.abc import Callable, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

import citeproc
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    Locator,
    formatter,
)
from citeproc.model import (
    Choose,
    CitationStylesElement,
    Else,
    FormatNumber,
    If,
    Key,
    Label,
    Layout,
    Name,
    Names,
    Substitute,
    Text,
    TextCased,
    VariableError,
)
from citeproc.source.json import CiteProcJSON
from citeproc.string import MixedString, NoCase, String
from lxml import etree
from lxml import html as lxml_html

from ..bibliography.identifiers import identifier_url
from ..links import safe_url
from ..model import CoreError
from .base import CitedItem, FormattedReference, StyleKind, narrative_names
from .csl_info import CLOSE, FAILED, MID, NO_AUTHOR, OPEN, SUPPRESSED, CslInfo

if TYPE_CHECKING:
    from ..bibliography.loading import Bibliography
    from ..parallel import First, SharedWork

#: The processor's version, part of every CSL style's version (:attr:`.csl.CslStyle.version`).
PROCESSOR_VERSION: str = citeproc.__version__


def _whole_last_page_when_longer() -> None:
    """Correct citeproc-py 0.11's abbreviation of page ranges, once per process.

    Under ``page-range-format="minimal"`` (the NLM/Vancouver CSL style) and the Chicago formats,
    citeproc-py counts the digits two page numbers share from the left without checking that
    they have as many digits, so ``1-10`` prints as ``1–0`` and ``98-102`` as ``98–2``. CSL
    1.0.2 only drops digits that the last page repeats in the same positions, so a last page
    with more digits than the first stays whole. There is no hook for this in citeproc-py: the
    fix wraps its one method for the last page, and defers to it whenever the lengths agree.
    """
    original = FormatNumber._format_last_page
    if getattr(original, "monograph_fixed", False):
        return

    def format_last_page(self: Any, first: str, last: str) -> Any:
        if len(str(first)) != len(str(last)):
            return last
        return original(self, first, last)

    format_last_page.monograph_fixed = True  # type: ignore[attr-defined]
    FormatNumber._format_last_page = format_last_page


_whole_last_page_when_longer()


def _remember_xpath_searches() -> None:
    """Look each of citeproc-py's XPath searches of a style up once, not once per reference.

    citeproc-py finds macros, terms, layouts and inherited options by XPath on the style's tree
    every time it renders anything: tens of thousands of identical searches for a few hundred
    references, a third of a CSL build. The tree does not change after the style is read, so the
    answer to the same search from the same element is the same; it is kept (for a bounded
    number of searches, so a long ``mkdocs serve`` that reads the style again does not grow).
    The element objects stay alive in the cache, so their identity is a sound key.
    """
    original = CitationStylesElement.xpath_search
    if getattr(original, "monograph_fixed", False):
        return

    @functools.lru_cache(maxsize=8192)
    def search(element: Any, expression: str) -> Any:
        return tuple(original(element, expression))

    def xpath_search(self: Any, expression: str) -> Any:
        return list(search(self, expression))  # a fresh list: callers may change theirs

    xpath_search.monograph_fixed = True  # type: ignore[attr-defined]
    CitationStylesElement.xpath_search = xpath_search


_remember_xpath_searches()


def _cites_in_written_order_without_sort() -> None:
    """Keep a citation's cites in the order written when the style does not sort them.

    CSL 1.0.2 sorts the cites of a citation only by the ``cs:sort`` of its ``cs:citation``;
    without one they keep the order the author wrote. citeproc-py 0.11 always sorts them by
    their order in the bibliography first, so a style without a citation sort (Chicago
    author-date) printed ``[@zeta2010; @alpha2020]`` as ``(Alpha 2020; Zeta 2010)``. For such a
    style the layout's method is done again without that first sort (its body otherwise as
    citeproc-py's); a style with a sort is left to citeproc-py as it was.
    """
    original = Layout.render_citation
    if getattr(original, "monograph_fixed", False):
        return

    def render_citation(self: Any, citation: Any, callback: Any) -> Any:
        if self.getparent().sort is not None:
            return original(self, citation, callback)
        good_cites = [cite for cite in citation.cites if not cite.is_bad()]
        bad_cites = [cite for cite in citation.cites if cite.is_bad()]
        out = []
        for item in good_cites:
            self.repressed = {}
            try:
                output = self.render_children(item)
            except VariableError:
                continue
            if output is not None:
                out.append(item.get("prefix", "") + output + item.get("suffix", ""))
                self.getparent().cites.append(item)
        for item in bad_cites:
            out.append(callback(item) or f"{item.key}?")
        return self.format(self.wrap(self.join(out)))

    render_citation.monograph_fixed = True  # type: ignore[attr-defined]
    Layout.render_citation = render_citation


_cites_in_written_order_without_sort()


#: Variables printed by the ``<substitute>`` children being rendered, innermost last. One list
#: per process is enough: citeproc-py keeps per-render state on the style itself (the layout's
#: ``repressed``), so a style is never rendered by two threads at once.
_SUBSTITUTING: list[set[tuple[str, str]]] = []


def _suppress_substituted_variables() -> None:
    """Print a variable that stood in for a missing name only once, as CSL 1.0.2 says.

    A work without an author is cited by its title in APA and Chicago author-date: the style's
    ``<names variable="author">`` has a ``<substitute>`` whose ``<text macro="...">`` prints the
    title. CSL 1.0.2 (``cs:substitute``): "Substituted variables are suppressed in the rest of
    the output to prevent duplication", so the title is not printed again where the layout
    prints titles. citeproc-py 0.11 only represses the ``variable`` attribute of the substitute
    child itself, which a ``<text macro>`` child has not, so the title came out twice
    (``Guide. (2019). Guide. WHO.``). There is no hook for this in citeproc-py: the fix wraps
    ``Substitute.render`` to note every ``<text variable>`` that printed something while the
    substitute rendered (not the variables a ``<choose>`` only tested), and adds them to the
    list the layout already checks (``Text._variable``), for the rest of this cite or entry;
    it wraps ``Text._variable`` to do the noting.

    Name variables are the same: an edited book without an author is cited by its editor (APA,
    Chicago author-date: ``<substitute><names variable="editor"/>``), and the editor must not
    come back where the layout prints editors (``Doe, J. (ed.). (2018). Edited Book (J. Doe,
    ed.)``, Chicago's "Edited by J. Doe"). citeproc-py notes a ``<names>`` child's variable but
    ``Names.process`` never reads the list, and misses names printed from a ``<choose>`` or a
    macro (AMA and NLM repeat the editors the same way). No hook here either: the fix wraps
    ``Names.process`` to note the name variables it printed while a substitute rendered (in the
    same list, under the ``names`` tag), and to leave out the ones noted for this cite/entry, as
    if the work had none (so the element prints nothing, or its own substitute); it reads its
    variables from the element's attribute, so that is narrowed for the call and restored. An
    edited book with an author prints its editors as before; sort keys are rendered with their
    own, emptied list, so sorting is unchanged.
    """
    render, variable, names = Substitute.render, Text._variable, Names.process
    if getattr(render, "monograph_fixed", False):
        return

    def substitute_render(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        _SUBSTITUTING.append(set())
        try:
            text = render(self, item, context=context, **kwargs)
        finally:
            printed = _SUBSTITUTING.pop()
        if _SUBSTITUTING:  # a substitute inside a substitute: the outer one printed them too
            _SUBSTITUTING[-1] |= printed
        if text and printed:
            repressed = (self if context is None else context).get_layout().repressed
            for tag, name in sorted(printed):
                repressed.setdefault(tag, []).append(name)
        return text

    def text_variable(self: Any, item: Any, context: Any) -> Any:
        text = variable(self, item, context)
        if text and _SUBSTITUTING:
            _SUBSTITUTING[-1].add((self.tag, self.get("variable")))
        return text

    def names_process(
        self: Any, item: Any, names_context: Any = None, context: Any = None, **kwargs: Any
    ) -> Any:
        layout = (self if context is None else context).get_layout()
        noted = layout.repressed.get(self.tag, ())
        roles = self.get("variable", "").split()
        kept = [role for role in roles if role not in noted]
        if kept != roles:  # the element reads its variables from the attribute: hide the noted
            self.set("variable", " ".join(kept))
        try:
            text = names(self, item, names_context, context, **kwargs)
        finally:
            if kept != roles:
                self.set("variable", " ".join(roles))
        if text and _SUBSTITUTING:
            reference = item.reference
            _SUBSTITUTING[-1].update((self.tag, role) for role in kept if role in reference)
        return text

    substitute_render.monograph_fixed = True  # type: ignore[attr-defined]
    Substitute.render = substitute_render
    Text._variable = text_variable
    Names.process = names_process


_suppress_substituted_variables()


def _inherit_names_in_substitute() -> None:
    """Give a bare ``<names>`` inside ``<substitute>`` its parent's name options and label.

    CSL 1.0.2 (``cs:substitute``): "A shorthand version of cs:names without child elements,
    which inherits the attributes values set on the cs:name and cs:et-al child elements of the
    original cs:names element, may also be used"; citeproc-js, the reference processor, passes
    the label on too. Chicago author-date prints every author through such a shorthand
    (``<names variable="composer"><name name-as-sort-order="first" initialize="false"/>...
    <substitute><names variable="author"/>``), and citeproc-py 0.11 gave the shorthand default
    options instead: "Poe, E." for "Poe, Edgar", "A. Roe, J. Doe." for the editors "Roe, Ann,
    and John Doe, eds.". citeproc-py's ``Names.process`` takes the element whose name and label
    it uses (``names_context``), but the substitute passes it only to its direct children, not
    through a ``<choose>``: the fix passes the original ``<names>`` to a childless ``<names>``
    anywhere in its ``<substitute>``. In a sort key the inherited label is left out (as before),
    so an editor sorts as an author would. And citeproc-py ignores ``initialize="false"``
    (given names in full, as Chicago prints them): ``Name.initialize`` is wrapped to honour it.
    """
    process = Names.process
    if getattr(process, "monograph_inherits", False):
        return

    def names_process(
        self: Any, item: Any, names_context: Any = None, context: Any = None, **kwargs: Any
    ) -> Any:
        original = None
        if names_context is None and len(self) == 0:
            original = _substituted_for(self)
        if original is None:
            return process(self, item, names_context, context, **kwargs)
        # A sort key takes the names without the inherited label, as before this fix, so an
        # editor sorts as an author would ("Doe, Jane" before "Doe, Jane, and Pat Poe").
        _LABELS_OFF.append(bool(_SORTING))
        try:
            return process(self, item, original, context, **kwargs)
        finally:
            _LABELS_OFF.pop()

    names_process.monograph_inherits = True  # type: ignore[attr-defined]
    Names.process = names_process

    label_process = Label.process

    def label_or_none(self: Any, item: Any, *args: Any, **kwargs: Any) -> Any:
        if _LABELS_OFF and _LABELS_OFF[-1]:
            return None
        return label_process(self, item, *args, **kwargs)

    Label.process = label_or_none

    sort_keys = Key.sort_keys

    def keys_while_sorting(self: Any, items: Any, context: Any) -> Any:
        _SORTING.append(True)  # citeproc-py does not pass its sort options down every branch
        try:
            return sort_keys(self, items, context)
        finally:
            _SORTING.pop()

    Key.sort_keys = keys_while_sorting

    initialize = Name.initialize

    def initialize_given(self: Any, given: str, mark: str, context: Any) -> Any:
        # CSL 1.0.2 (cs:name, initialize): "When set to 'false', given names are no longer
        # initialized when initialize-with is set. However, the value of initialize-with is
        # still added after initials present in the full name" ("James T" -> "James T.").
        # citeproc-py 0.11 reads no such attribute and initialized every given name.
        if _name_option(self, "initialize") != "false":
            return initialize(self, given, mark, context)
        parts = given.split()
        return " ".join(
            part + mark.strip() if len(part) == 1 and part.isupper() else part for part in parts
        )

    Name.initialize = initialize_given


#: Per inherited ``<names>`` being rendered, innermost last: whether its label is left out (a
#: sort key). Per process, as :data:`_SUBSTITUTING`.
_LABELS_OFF: list[bool] = []
#: Not empty while citeproc-py computes sort keys.
_SORTING: list[bool] = []


def _substituted_for(names: Any) -> Any:
    """The ``<names>`` whose ``<substitute>`` holds ``names`` (through conditions), or None."""
    element = names.getparent()
    while isinstance(element, Choose | If | Else):
        element = element.getparent()
    if isinstance(element, Substitute) and isinstance(element.getparent(), Names):
        return element.getparent()
    return None


def _name_option(name: Any, option: str) -> str | None:
    """A ``cs:name`` attribute, or the one it inherits (citation, bibliography, style)."""
    element = name
    while element is not None:
        value = element.get(option)
        if value is not None:
            return str(value)
        element = element.getparent()
    return None


_inherit_names_in_substitute()


def _keep_nocase_in_lower_and_upper_case() -> None:
    """Leave protected text alone under ``text-case="lowercase"`` and ``"uppercase"``.

    Words in braces in a .bib title (``{DNA}``) reach citeproc-py as nocase text
    (:func:`.csl_data.cased_text`). CSL 1.0.2 (rich text markup): ``<span class="nocase">``
    "prevents case-changing", whatever the case. citeproc-py 0.11 keeps nocase text under title
    and sentence case, which change case word by word through ``soft_lower`` and
    ``capitalize_first``, but lowercases or uppercases it with the rest under ``lowercase`` and
    ``uppercase``, which call ``lower``/``upper`` on the whole text. There is no hook for this
    in citeproc-py: the fix wraps ``TextCased.case`` (used by ``text``, ``date-part``,
    ``name-part`` and ``label``) and, for those two cases only, changes every part of the text
    but the nocase ones; every other case is left to it. ``NoCase.lower`` itself is left alone:
    sorting calls it to compare keys without regard to case, and must go on doing so.
    """
    original = TextCased.case
    if getattr(original, "monograph_fixed", False):
        return

    def change(text: Any, upper: bool) -> Any:
        if isinstance(text, NoCase):
            return text
        if isinstance(text, MixedString):
            return MixedString([change(part, upper) for part in text])
        return text.upper() if upper else text.lower()

    def case(self: Any, text: Any, language: Any = None) -> Any:
        text_case = self.get("text-case")
        if text_case in ("lowercase", "uppercase"):  # as citeproc-py, but part by part
            return change(text, text_case == "uppercase")
        return original(self, text, language)

    case.monograph_fixed = True  # type: ignore[attr-defined]
    TextCased.case = case


_keep_nocase_in_lower_and_upper_case()


def _title_case_for_labels() -> None:
    """Title-case a label (``ed.`` -> ``Ed.``) when the style asks and its locale is English.

    CSL 1.0.2 applies ``text-case="title"`` to English text; a label is a term of the style's
    own locale. citeproc-py 0.11 title-cases only text it is told is English, and tells a label
    nothing, so APA's ``<label text-case="title"/>`` printed "(eds.)" for "(Eds.)". The fix
    gives a label the language of the style's ``default-locale`` (CSL's default: en-US).
    """
    original = Label.case
    if getattr(original, "monograph_labels", False):
        return

    def case(self: Any, text: Any, language: Any = None) -> Any:
        if language is None and self.get("text-case") == "title":
            locale = self.getroottree().getroot().get("default-locale") or "en-US"
            if locale.lower().startswith("en"):
                language = "en"
        return original(self, text, language)

    case.monograph_labels = True  # type: ignore[attr-defined]
    Label.case = case


_title_case_for_labels()


#: The attributes citeproc-py's ``Formatted.format`` reads; an element with none of them leaves
#: the text as it is (each of its five steps returns the text for the default value).
_FORMATTING = ("font-style", "font-variant", "font-weight", "text-decoration", "vertical-align")


def _faster_citeproc() -> None:
    """Answer the questions citeproc-py asks again and again for each piece of text once.

    A cold CSL build renders every cited entry and citation through citeproc-py 0.11, which asks
    the style's tree and each cite the same questions tens of thousands of times. Measured on the
    benchmark site (200 pages, 1,860 works: ``benchmarks/profile_build.py``, and the CPU
    seconds of a cold build), they took half of the processor's time under Nature (1,860
    entries 3.0 -> 1.6 s, 3,000 citations 1.1 -> 0.5 s) and more under APA; each answer below
    is the one citeproc-py gives, found with less work (its own code runs whenever in doubt):

    - ``Formatted.format`` looked up the root element and its formatter five times per piece
      of text, to change nothing when the element has no formatting attribute (most have none):
      such an element now returns the text (as a string for a number, as citeproc-py did).
      The same for ``wrap`` (prefix and suffix). Not for a locale's ``<date-part>``, whose
      attributes citeproc-py changes as it renders (it copies the style's onto it).
    - ``Quoted.quote`` read the locale's ``punctuation-in-quote`` for every text and used it
      for nothing (citeproc-py leaves it in a comment): only quoted text goes to it now.
    - ``calls_variable`` (does a group's child print a variable: CSL's rule for suppressing a
      group) walked the whole subtree, macros included, for every child of every group of
      every render; its answer depends only on the style's tree, which does not change after
      the style is read (the one attribute this module narrows, a ``<names>`` element's
      ``variable``, is not read by it: a ``<names>`` always calls a variable). It is kept per
      element, for a bounded number of elements, as the XPath searches above.
    - Sorting one cite (a citation of one work, most of them) rendered its sort keys, each a
      macro, to put one item in order: a list of one item is in order already. The keys'
      renders change nothing the cite's own render reads (it resets the layout's suppressed
      variables, and this module's stacks are balanced).
    - A cite's ``reference`` and ``bibliography`` went through four Python calls each (the
      dict subclass's ``__getattr__`` and ``__getitem__``); read from the dict directly, the
      missing cases raise ``VariableError`` as before.
    - A cite's number (``keys.index``), ``is_bad`` and ``register`` searched the list of every
      registered key (1,860 on the benchmark) for each cite: an index kept with that list
      answers the same (the first place of a key; ``ValueError`` when it is not there).
    - ``<if type="...">`` looked the cite's reference up once per type listed; once now.
    - A child element by name (``layout``, ``name``, ``label``, ``terms``: an XPath
      ``find`` each time) is kept once found; a missing one is searched again, because
      citeproc-py adds a ``<name>`` to a bare ``<names>``.
    - ``Name.get_option`` searched the element's ancestors for every option of every name
      list: kept per element, option and context (citation or bibliography), the tree's
      answer; options given by a sort key are read from it as before.
    - ``If.render`` and ``Text.process`` read which tests, match and kind of text an element
      has on every render: read once per element (their bodies are citeproc-py's, in its
      order); a work's language is read from its data (the attribute lookup raised and caught
      two exceptions for each text of a work without one). An element's root (asked ~65
      times per entry, each making a tree object) is kept per element.
    - Data text without nocase markup is parsed into the one ``String`` citeproc-py's loop
      makes of it (``CiteProcJSON.parse_string``).
    """
    from citeproc.model import (
        Affixed,
        ConditionFailed,
        Date_Part,
        Formatted,
        Parent,
        Quoted,
        SomewhatObjectifiedElement,
        Sort,
    )
    from citeproc.source import CitationItem as SourceItem

    format_text = Formatted.format
    if getattr(format_text, "monograph_fast", False):
        return

    @functools.lru_cache(maxsize=8192)
    def plain_element(element: Any) -> bool:
        return all(element.get(name) is None for name in _FORMATTING)

    def format_fast(self: Any, string: Any) -> Any:
        # A locale's <date-part> takes the attributes of the style's as it renders
        # (citeproc-py's Date_Part.process updates its own attributes): never kept.
        if isinstance(self, Date_Part) or not plain_element(self):
            return format_text(self, string)
        return str(string) if isinstance(string, int | float) else string

    wrap = Affixed.wrap

    @functools.lru_cache(maxsize=8192)
    def no_affixes(element: Any) -> bool:
        return element.get("prefix") is None and element.get("suffix") is None

    def wrap_fast(self: Any, string: Any) -> Any:
        # With no prefix or suffix, citeproc-py's wrap adds '' before and after the text, and
        # its String and MixedString give themselves back for '' (discard_empty_other).
        if (
            isinstance(string, String | MixedString)
            and not isinstance(self, Date_Part)  # its attributes change (see format_fast)
            and no_affixes(self)
        ):
            return string
        return wrap(self, string)

    quote = Quoted.quote

    def quote_fast(self: Any, string: Any) -> Any:
        if self.get("quotes", "false").lower() == "true":
            return quote(self, string)
        return string

    parent_calls, text_calls = Parent.calls_variable, Text.calls_variable
    parent_memo = functools.lru_cache(maxsize=8192)(parent_calls)
    text_memo = functools.lru_cache(maxsize=8192)(text_calls)

    sort = Sort.sort

    def sort_fast(self: Any, items: Any, context: Any) -> Any:
        if len(items) <= 1:
            return list(items)
        return sort(self, items, context)

    get = dict.__getitem__

    def bibliography(self: Any) -> Any:
        try:
            return get(get(self, "citation"), "bibliography")
        except KeyError:
            raise VariableError from None

    def reference(self: Any) -> Any:
        try:
            key = get(self, "key")
        except KeyError:
            raise VariableError from None
        return bibliography(self).source[key]

    types = If._type

    type_names: dict[Any, tuple[str, ...]] = {}
    type_results: dict[tuple[Any, Any], list[bool]] = {}

    def type_fast(self: Any, item: Any) -> Any:
        names = type_names.get(self)
        if names is None:
            if len(type_names) > 8192:
                type_names.clear()
            names = type_names[self] = tuple(self.get("type").split())
        if not names:
            return types(self, item)
        kind = item.reference.type  # once, not once per type the condition lists
        memo = (self, kind)
        known = type_results.get(memo)
        if known is None:
            if len(type_results) > 8192:
                type_results.clear()
            known = type_results[memo] = [name.lower() == kind for name in names]
        return list(known)

    conditions: dict[Any, tuple[tuple[str, ...], str | None]] = {}
    tests = {
        "type": lambda element, item, context: element._type(item),
        "variable": lambda element, item, context: element._variable(item),
        "is-numeric": lambda element, item, context: element._is_numeric(item),
        "is-uncertain-date": lambda element, item, context: element._is_uncertain_date(item),
        "locator": lambda element, item, context: element._locator(item),
        "position": lambda element, item, context: element._position(item, context),
    }

    def if_render(
        self: Any, item: Any, context: Any = None, delimiter: str = "", **kwargs: Any
    ) -> Any:
        # citeproc-py's If.render (also Else_If's), with the tests the element has and its
        # match read once per element (six attribute lookups and two gets per render, for the
        # most rendered element of a style); the tests run in citeproc-py's order.
        plan = conditions.get(self)
        if plan is None:
            if len(conditions) > 8192:
                conditions.clear()
            attrib = self.attrib
            plan = conditions[self] = (
                tuple(name for name in tests if name in attrib),
                self.get("match"),
            )
        results: list[Any] = []
        for name in plan[0]:
            results += tests[name](self, item, context)
        if plan[1] == "any":
            result = any(results)
        elif plan[1] == "none":
            result = not any(results)
        else:
            result = all(results)
        if not result:
            raise ConditionFailed
        return self.render_children(item, context=context, delimiter=delimiter, **kwargs)

    text_process = Text.process
    text_kinds: dict[Any, tuple[str | None, str]] = {}

    def text_process_fast(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        # citeproc-py's Text.process, with what the element prints read once per element, and
        # the work's language read from the dict: the attribute lookup raised and caught two
        # exceptions for every text of a work without a language (most works).
        plan = text_kinds.get(self)
        if plan is None:
            if len(text_kinds) > 8192:
                text_kinds.clear()
            attrib = self.attrib
            plan = text_kinds[self] = (
                next(
                    (name for name in ("variable", "macro", "term", "value") if name in attrib),
                    None,
                ),
                self.get_root().get("default-locale", "en")[:2],
            )
        kind, default_language = plan
        if kind is None:  # none of them: as citeproc-py (which fails)
            return text_process(self, item, context, **kwargs)
        if context is None:
            context = self
        try:
            reference = item.reference
        except VariableError:
            reference = None
        if reference is not None and "language" in reference:
            language = reference.language[:2]
        else:
            language = default_language
        if kind == "variable":
            text = self._variable(item, context)
        elif kind == "macro":
            text = self.get_macro(self.get("macro")).render(item, context)
        elif kind == "term":
            text = self._term(item)
        else:
            text = String(self.preformat(self.get("value")))
        return text, language

    child = SomewhatObjectifiedElement.__getattr__
    found: dict[tuple[Any, str], Any] = {}

    def child_fast(self: Any, name: str) -> Any:
        known = found.get((self, name))
        if known is not None:
            return known
        element = child(self, name)
        if element is not None:  # a missing child may be added (citeproc adds a bare <name>)
            if len(found) > 8192:
                found.clear()
            found[(self, name)] = element
        return element

    name_option = Name.get_option
    options: dict[tuple[Any, str, Any], Any] = {}

    def name_option_fast(
        self: Any, name: str, context: Any = None, sort_options: Any = None
    ) -> Any:
        if sort_options is not None and name in sort_options:
            return name_option(self, name, context, sort_options)
        memo = (self, name, context)
        if memo not in options:
            if len(options) > 8192:
                options.clear()
            options[memo] = name_option(self, name, context, None)
        return options[memo]

    def places(bibliography: Any) -> dict[str, int]:
        # The place of each key in the processor's ``keys`` list, which citeproc-py only
        # appends to (``register``) or replaces (``sort``): kept with the list it describes,
        # extended when the list grew, made again when it was replaced.
        keys = bibliography.keys
        kept = bibliography.__dict__.get("_monograph_places")
        if kept is None or kept[0] is not keys or kept[2][0] > len(keys):
            kept = (keys, {}, [0])
            bibliography._monograph_places = kept
        index: dict[str, int] = kept[1]
        seen: list[int] = kept[2]
        if seen[0] != len(keys):
            for place in range(seen[0], len(keys)):
                index.setdefault(keys[place], place)  # list.index: the first one
            seen[0] = len(keys)
        return index

    def number(self: Any) -> int:
        place = places(self.bibliography).get(self.key)
        if place is None:
            raise ValueError(f"{self.key!r} is not in list")  # as list.index
        return place + 1

    def is_bad(self: Any) -> bool:
        return self.key not in places(self.bibliography)

    def register(self: Any, citation: Any, callback: Any = None) -> None:
        # citeproc-py's register, with the key looked up in the index, not the list.
        citation.bibliography = self
        for item in citation.cites:
            if item.key in self.source:
                if item.key not in places(self):
                    self.keys.append(item.key)
                    self.items.append(item)
            elif callback is not None:
                callback(item)

    parse_string = CiteProcJSON.parse_string

    def parse_string_fast(self: Any, string: Any) -> Any:
        # Text without nocase markup (most fields) is one String: what citeproc-py's loop
        # builds for it, through a MixedString addition that stringifies as it goes (half of
        # making a processor for 1,860 works: in the build's critical path, measured).
        text = str(string)
        if self.start_tag in text.lower():
            return parse_string(self, string)
        return MixedString([String(text)]) if text else MixedString()

    # The root of an element's tree (its style or locale), asked ~65 times per entry through
    # getroottree(), which makes a new tree object each time: kept per element (trees do not
    # change; the <name> citeproc-py adds is put in its tree before it is rendered).
    root_of = functools.lru_cache(maxsize=8192)(CitationStylesElement.get_root)

    format_fast.monograph_fast = True  # type: ignore[attr-defined]
    CitationStylesElement.get_root = lambda self: root_of(self)
    Affixed.wrap = wrap_fast
    If.render = if_render
    Text.process = text_process_fast
    CiteProcJSON.parse_string = parse_string_fast
    SourceItem.number = property(number)
    SourceItem.is_bad = is_bad
    CitationStylesBibliography.register = register
    If._type = type_fast
    SomewhatObjectifiedElement.__getattr__ = child_fast
    Name.get_option = name_option_fast
    Formatted.format = format_fast
    Quoted.quote = quote_fast
    Parent.calls_variable = lambda self: parent_memo(self)
    Text.calls_variable = lambda self: text_memo(self)
    Sort.sort = sort_fast
    SourceItem.bibliography = property(bibliography)
    SourceItem.reference = property(reference)


_faster_citeproc()

#: What a sort key may read of a cite beyond its work's data: a key whose macro reads none of
#: these gives the same text for a work whatever the cite (:func:`_what_a_sort_key_reads`).
_CITE_ATTRIBUTES = ("position", "locator")
_CITE_VARIABLES = frozenset(
    {"locator", "citation-number", "first-reference-note-number", "citation-label"}
)


@functools.lru_cache(maxsize=1024)
def _what_a_sort_key_reads(key: Any) -> tuple[bool, bool]:
    """Whether a ``cs:key``'s text depends on its work's data alone, and on its year suffix.

    Alone: its variable, or every element of its macro and of the macros that one calls, has
    no ``position`` or ``locator`` condition and no cite variable (locator, citation number):
    the text does not depend on the cite or on the citations before it. The year suffix is read
    only where an attribute names ``year-suffix`` (citeproc-py prints it and tests it nowhere
    else). A style whose tree cannot be walked is left to the processor: ``(False, True)``.
    """
    variable = key.get("variable")
    if variable is not None:
        return variable not in _CITE_VARIABLES, variable == "year-suffix"
    name = key.get("macro")
    seen = {name}
    suffix = False
    try:
        todo = [key.get_macro(name)]
        while todo:
            for node in todo.pop().iter():
                if any(attribute in node.attrib for attribute in _CITE_ATTRIBUTES):
                    return False, True
                words = {word for value in node.attrib.values() for word in str(value).split()}
                if words & _CITE_VARIABLES:
                    return False, True
                suffix = suffix or "year-suffix" in words
                called = node.get("macro")
                if called is not None and called not in seen:
                    seen.add(called)
                    todo.append(key.get_macro(called))
    except (IndexError, TypeError, AttributeError):
        return False, True
    return True, suffix


#: Variables of a cite's place among the works (not of its work's data).
_NUMBERING = frozenset({"citation-number", "first-reference-note-number", "citation-label"})


def _reads_words(element: Any, words: frozenset[str]) -> bool:
    """Whether an attribute (or its value) of ``element``, its descendants or macros is a word.

    True too when a macro cannot be found: the caller then does not rely on the element.
    """
    seen: set[str] = set()
    todo = [element]
    try:
        while todo:
            for node in todo.pop().iter():
                values = {word for value in node.attrib.values() for word in str(value).split()}
                if (values | set(node.attrib)) & words:  # a value, or a test (position="...")
                    return True
                called = node.get("macro")
                if called is not None and called not in seen:
                    seen.add(called)
                    todo.append(node.get_macro(called))
    except (IndexError, TypeError, AttributeError):
        return True
    return False


def _sort_keys_once() -> None:
    """Render a work's sort key once per build and style, not once per citation and sort.

    citeproc-py renders every sort key (a macro: APA's author, date and title macros) of every
    cite each time it sorts: twice for the whole list in :meth:`CslProcessor.make` (before and
    after year suffixes) and once per citation of two or more works (a quarter of a cold APA
    build's profile on the benchmark site). A key's text for a work depends on the style's
    tree, the context (citation or bibliography) and the work's data, which within one
    :meth:`CslProcessor.make` changes only by its year suffix; so when the key reads nothing of
    the cite itself (:func:`_what_a_sort_key_reads`), its text is kept in a table the style
    hands to each processor it makes (``_monograph_sort_keys`` on the processor's data source),
    under the key element, the context, the work and its year suffix (when the key reads it).
    The table is emptied by every :meth:`CslProcessor.make`; without one (a processor made
    elsewhere, or a style whose localized dates set date parts: ``CslInfo.dates_change``)
    nothing is kept. Each key of a cite is rendered on its own (the layout's
    suppressed variables reset), so rendering only the missing ones gives each the same text.
    Measured (APA, 1,860 works, 3,000 citations): prepare 4.6 -> 3.8 s, citations 4.7 -> 4.4 s.
    """
    sort_keys = Key.sort_keys
    if getattr(sort_keys, "monograph_once", False):
        return

    def sort_keys_once(self: Any, items: Any, context: Any) -> Any:
        alone, suffixed = _what_a_sort_key_reads(self)
        if not items or not alone:
            return sort_keys(self, items, context)
        source = items[0].bibliography.source
        table = source.__dict__.get("_monograph_sort_keys")
        if table is None or any(item.bibliography.source is not source for item in items):
            return sort_keys(self, items, context)
        memos = []
        for item in items:
            suffix = item.reference.get("year_suffix") if suffixed else None
            memos.append((self, context, item.key, None if suffix is None else str(suffix)))
        missing = [place for place, memo in enumerate(memos) if memo not in table]
        if missing:
            found = sort_keys(self, [items[place] for place in missing], context)
            for place, text in zip(missing, found, strict=True):
                table[memos[place]] = text
        return [table[memo] for memo in memos]

    sort_keys_once.monograph_once = True  # type: ignore[attr-defined]
    Key.sort_keys = sort_keys_once


_sort_keys_once()


CSL_NS = "http://purl.org/net/xbiblio/csl"
_NS = {"csl": CSL_NS}
_NO_AUTHOR_RE = re.compile(f"{NO_AUTHOR}[\\s,;:.]*")
#: CSL variables a style prints of an entry; an entry with none of them has no reference.
_PRINTED = ("author", "editor", "title", "container-title", "issued", "publisher", "DOI", "URL")


#: Locator labels as authors write them (Pandoc's list) -> CSL locator types.
LOCATOR_LABELS = {
    "p.": "page", "pp.": "page", "p": "page", "pp": "page", "page": "page", "pages": "page",
    "chap.": "chapter", "ch.": "chapter", "chapter": "chapter", "chapters": "chapter",
    "sec.": "section", "secs.": "section", "section": "section", "sections": "section",
    "§": "section", "§§": "section",
    "fig.": "figure", "figs.": "figure", "figure": "figure", "figures": "figure",
    "vol.": "volume", "vols.": "volume", "volume": "volume", "volumes": "volume",
    "para.": "paragraph", "paras.": "paragraph", "paragraph": "paragraph", "¶": "paragraph",
    "l.": "line", "ll.": "line", "line": "line", "lines": "line",
    "n.": "note", "nn.": "note", "note": "note", "notes": "note",
    "col.": "column", "cols.": "column", "column": "column", "columns": "column",
    "no.": "issue", "nos.": "issue", "number": "issue",
    "bk.": "book", "bks.": "book", "book": "book",
    "pt.": "part", "pts.": "part", "part": "part",
    "v.": "verse", "vv.": "verse", "verse": "verse",
    "op.": "opus", "opp.": "opus", "opus": "opus",
    "s.v.": "sub verbo", "s.vv.": "sub verbo",
    "fol.": "folio", "fols.": "folio", "folio": "folio",
}  # fmt: skip


def parse_locator(text: str) -> tuple[str, str, str]:
    """``pp. 100, 200`` -> ``("page", "100, 200", "")``; ``12`` -> page; else a suffix.

    Returns (CSL locator type, value, text that stays a plain suffix).
    """
    text = text.strip()
    if not text:
        return "", "", ""
    label, _, value = text.partition(" ")
    kind = LOCATOR_LABELS.get(label.lower())
    if kind and value.strip():
        return kind, value.strip(), ""
    if text[0].isdigit():
        return "page", text, ""
    return "", "", text


def _where(shown: str, line: object) -> str:
    return f"{shown}:{line}" if isinstance(line, int) and line > 0 else shown


def read_csl(raw: bytes, shown: str, *, encoding: str | None = None) -> CslInfo:
    """Check a CSL file and read its class; CoreError (``path:line: ...``) when it is unusable.

    Arguments:
        raw: The file's bytes.
        shown: The file as named in messages.
        encoding: Read the file in this encoding instead of the one its XML declaration names.
    """
    if encoding:
        try:
            text = raw.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise CoreError(
                f"{shown}: cannot be read as {encoding} ({exc}); set csl_file_encoding to the "
                "file's encoding, or remove it (CSL files are UTF-8)"
            ) from None
        # The declaration names the old encoding; the text is Unicode now.
        raw = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1).encode("utf-8")
    parser = etree.XMLParser(
        remove_comments=True, resolve_entities=False, no_network=True, load_dtd=False
    )
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        raise CoreError(
            f"{_where(shown, exc.lineno)}: not a valid CSL style ({exc.msg}); fix the XML or "
            "download the style again"
        ) from None
    if getattr(root.getroottree().docinfo, "doctype", ""):
        raise CoreError(
            f"{shown}:1: a <!DOCTYPE> in a CSL style (it could pull in other files); CSL styles "
            "have none: remove it"
        )
    if root.tag != f"{{{CSL_NS}}}style":
        raise CoreError(
            f"{_where(shown, root.sourceline)}: not a CSL style (the root element is "
            f"<{etree.QName(root).localname}>, not <style> in the CSL namespace); csl_file must "
            "be a .csl file"
        )
    version = root.get("version", "")
    if not version.startswith("1.0"):
        raise CoreError(
            f"{_where(shown, root.sourceline)}: CSL version {version or '(none)'}; this plugin "
            "reads CSL 1.0.x styles"
        )
    title = (root.findtext("csl:info/csl:title", namespaces=_NS) or shown).strip()
    parent = root.find("csl:info/csl:link[@rel='independent-parent']", _NS)
    citation = root.find("csl:citation", _NS)
    if citation is None:
        hint = (
            f"use its parent style {parent.get('href')} instead"
            if parent is not None
            else "it needs a <citation> element"
        )
        raise CoreError(f"{_where(shown, root.sourceline)}: '{title}' is a dependent style; {hint}")
    if root.find("csl:bibliography", _NS) is None:
        raise CoreError(
            f"{_where(shown, root.sourceline)}: '{title}' has no <bibliography>; choose a style "
            "that formats reference lists"
        )
    formats = [
        c.get("citation-format")
        for c in root.iterfind("csl:info/csl:category", _NS)
        if c.get("citation-format")
    ]
    if root.get("class") == "note" or "note" in formats:
        raise CoreError(
            f"{_where(shown, root.sourceline)}: '{title}' is a note (footnote) style, which this "
            "plugin does not support; choose a numeric or author-date style (e.g. style: ama, or "
            "style: apa)"
        )
    uses_number = bool(citation.findall(".//csl:text[@variable='citation-number']", _NS))
    kind: StyleKind = "numeric" if ("numeric" in formats or uses_number) else "author-date"
    year_suffix = (citation.get("disambiguate-add-year-suffix") or "").lower() == "true"
    if kind == "numeric":
        bibliography = root.find("csl:bibliography", _NS)
        assert bibliography is not None
        if "second-field-align" in bibliography.attrib:
            del bibliography.attrib["second-field-align"]
        for node in bibliography.findall(".//csl:text[@variable='citation-number']", _NS):
            parent = node.getparent()
            if parent is not None:
                parent.remove(node)
    layout = citation.find("csl:layout", _NS)
    return CslInfo(
        title,
        kind,
        year_suffix,
        etree.tostring(root, encoding="utf-8"),
        collapse=(citation.get("collapse") or "").strip(),
        delimiter=(layout.get("delimiter") or "") if layout is not None else "",
        after_collapse=citation.get("after-collapse-delimiter"),
        range_delimiter=_term(root, "citation-range-delimiter") or "–",
        cite_group_delimiter=citation.get("cite-group-delimiter"),
        year_suffix_delimiter=citation.get("year-suffix-delimiter"),
        dates_change=any(
            date.find("csl:date-part", _NS) is not None
            for date in root.iterfind(".//csl:date[@form]", _NS)
        ),
    )


def _term(root: Any, name: str) -> str | None:
    """A term the style defines in its own English (or language-less) locale, else None."""
    for locale in root.iterfind("csl:locale", _NS):
        lang = locale.get("{http://www.w3.org/XML/1998/namespace}lang") or "en"
        if not lang.lower().startswith("en"):
            continue
        for term in locale.iterfind("csl:terms/csl:term", _NS):
            if term.get("name") == name and term.get("form", "long") == "long":
                return term.text or ""
    return None


def _fragment(html_text: str) -> Any:
    """A fragment of the processor's HTML parsed in a ``<span>``, or None when it is blank."""
    if not html_text.strip():
        return None
    return lxml_html.fragment_fromstring(html_text, create_parent="span")


def text_of(html_text: str) -> str:
    """The text of a fragment of the processor's HTML (for hover text)."""
    fragment = _fragment(html_text)
    return "" if fragment is None else str(fragment.text_content())


def _raw(value: object) -> str:
    """A shielded data value (see :func:`.csl_data.shield`) as the text it stands for."""
    from .csl_data import unshield

    return unshield(str(value)).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


#: How styles print a DOI as an address; each is linked to the DOI's https://doi.org/ address.
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/")


def _link_targets(item: dict[str, str]) -> list[tuple[str, str]]:
    """What may become a link in a reference, as (text the style prints, address).

    Only a well-formed DOI (:func:`..bibliography.identifiers.identifier_url`) and the entry's
    URL, which :func:`.csl_data.csl_item` kept only when :func:`..links.safe_url` allows it;
    every address goes through :func:`..links.safe_url` again, so only http(s) and mailto links
    come from the data, whatever the style prints.
    """
    targets: list[tuple[str, str]] = []
    doi = item.get("DOI", "")
    address = identifier_url("doi", doi) if doi else None
    if address:
        targets += [(prefix + doi, address) for prefix in _DOI_PREFIXES]
        targets.append((doi, address))
    if item.get("URL"):
        targets.append((item["URL"], item["URL"]))
    safe = {href: safe_url(href) == href for href in {href for _, href in targets}}  # once each
    return [(shown, href) for shown, href in targets if shown and safe[href]]


def _split_links(text: str, targets: list[tuple[str, str]]) -> tuple[str, list[Any]]:
    """``text`` cut at every place a target is printed: the text before, and the links.

    Each link element carries the text up to the next one as its tail. Where two targets start
    at the same place, the longer one wins (``https://doi.org/10.x/y`` over ``10.x/y``).
    """
    links: list[Any] = []
    before = text
    rest = text
    while True:
        found = [(rest.find(shown), -len(shown), shown, href) for shown, href in targets]
        found = [hit for hit in found if hit[0] >= 0]
        if not found:
            break
        at, _, shown, href = min(found)
        link = lxml_html.Element("a", href=href)
        link.text = shown
        if links:
            links[-1].tail = rest[:at]
        else:
            before = rest[:at]
        links.append(link)
        rest = rest[at + len(shown) :]
    if links:
        links[-1].tail = rest
    return before, links


def _in_link(node: Any) -> bool:
    while node is not None:
        if node.tag == "a":
            return True
        node = node.getparent()
    return False


def _linkify(html_text: str, item: dict[str, Any], fragment: Any = None) -> str:
    """Make every DOI or URL the style printed a link; add PMID/PMCID links it does not print.

    The processor's HTML is parsed (lxml; ``fragment``: already parsed by :func:`_fragment`,
    then changed here) and the links are made in its text nodes, never inside a link it wrote
    itself.
    """
    if fragment is None:
        fragment = lxml_html.fragment_fromstring(html_text, create_parent="span")
    item = {k: _raw(v) for k, v in item.items() if k in ("DOI", "URL", "PMID", "PMCID")}
    targets = _link_targets(item)
    for node in list(fragment.iter()) if targets else ():
        if node.text and not _in_link(node):
            node.text, links = _split_links(node.text, targets)
            for index, link in enumerate(links):
                node.insert(index, link)
        parent = node.getparent()
        if node.tail and parent is not None and not _in_link(parent):
            node.tail, links = _split_links(node.tail, targets)
            for index, link in enumerate(links, start=parent.index(node) + 1):
                parent.insert(index, link)
    inner = escape(fragment.text or "", quote=False) + "".join(
        etree.tostring(child, encoding="unicode", method="html") for child in fragment
    )
    extra = []
    pmid, pmcid = item.get("PMID"), item.get("PMCID")
    text = fragment.text_content()
    for label, name, value in (("PMID", "pmid", pmid), ("PMCID", "pmcid", pmcid)):
        if value and value not in text:
            url = identifier_url(name, value)
            shown = f'<a href="{escape(url)}">{escape(value)}</a>' if url else escape(value)
            extra.append(f"{label}: {shown}.")
    return " ".join([inner, *extra]) if extra else inner


#: CSL-JSON items by key and entry digest, converted once per process (a ``mkdocs serve``
#: rebuild converts only the entries that changed); each use takes a shallow copy (a build adds
#: its ``year-suffix``), citeproc only reads them.
_CONVERTED: dict[str, dict[str, Any]] = {}


def _converted_key(bib: Bibliography, key: str) -> str:
    return f"{key}\n{bib.digests.get(key.lower(), '')}"


#: citeproc-py's own form of each converted item (its ``Reference``), by the same key as
#: :data:`_CONVERTED`, with the item it was made from: made by the process that converts the
#: entry (the second one, on a cold build), so that making the processor in :meth:`CslProcessor.
#: make`, on the build's critical path, does not parse the items again (it was most of
#: that step: 0.18 of 0.2 s for 1,860 works). Used only while the item is unchanged.
_PARSED: dict[str, tuple[dict[str, Any], Any]] = {}


def _parsed(item: dict[str, Any]) -> Any:
    """The processor's ``Reference`` of one item, as ``CiteProcJSON`` makes it, or None.

    None when the processor warns about the item or fails on it: then the processor is made
    from the items as before, and says so there.
    """
    try:
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            source = CiteProcJSON([item])
    except Exception:
        return None
    return None if said or len(source) != 1 else next(iter(source.values()))


#: What a style's processor says of one work alone (:meth:`CslProcessor._alone`): the texts of
#: the list's sort keys, and its one-work citation's text with whether the processor counted
#: the cite (None: not made).
Alone = tuple[tuple[Any, ...], tuple[str, bool] | None]

#: :data:`Alone` for each converted item, by the same key as :data:`_CONVERTED`, with the item
#: and the style version it was made for.
_SORTED: dict[str, tuple[dict[str, Any], str, Alone]] = {}

#: A numeric style's list entry of each converted item, made by the converting process
#: (:meth:`CslProcessor._entry_alone`; :class:`.base.FormattedReference`'s fields), by the same key
#: as :data:`_CONVERTED`, with the item and the style version it was made for.
_FORMATTED: dict[str, tuple[dict[str, Any], str, tuple[str, ...]]] = {}

#: One converted entry: its key, CSL-JSON item, parsed form, :data:`Alone` and list entry
#: (each None when not made).
Converted = tuple[str, dict[str, Any], Any, Alone | None, tuple[str, ...] | None]


def _convert(bib: Bibliography, key: str, processor: CslProcessor | None = None) -> Converted:
    """One entry's CSL-JSON item and its parsed form (a job of :meth:`CslProcessor.convert_ahead`).

    With ``processor``, also what it says of the work alone: for an author-date style its sort
    keys and one-work citation (:meth:`CslProcessor._alone`), for a numeric style whose list
    entries read only their work, the entry (:meth:`CslProcessor._entry_alone`).
    """
    from .csl_data import csl_item  # pybtex's data and LaTeX (latexcodec): loaded only now

    item = csl_item(key, bib.entry(key))
    reference = _parsed(item)
    alone = entry = None
    if processor is not None and processor.kind == "author-date":
        alone = processor._alone(key, reference)
    elif processor is not None:
        entry = processor._entry_alone(bib, key, item, reference)
    return key, item, reference, alone, entry


class CslProcessor:
    """citeproc-py for one CSL style: its entries, citations and list order for a build's works.

    Made by :class:`.csl.CslStyle` on first need (the file is checked by reading it here, on
    a build that kept nothing). :meth:`make` meets the works of a build; the style keeps what
    is decided (list order, letters, problems) and asks for texts (:meth:`format_entry`,
    :meth:`cite`) only when its caches lack them.

    Arguments:
        info: The style as read from its file (:func:`read_csl`).
        name: The style's name, in messages.
        version: The style's version (:attr:`.csl.CslStyle.version`): what is made ahead for
            it is used only by a processor of the same version.
    """

    def __init__(self, info: CslInfo, name: str, version: str) -> None:
        self.info = info
        self.kind: StyleKind = info.kind
        self.version = version
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._style = CitationStylesStyle(io.BytesIO(info.xml), validate=False)
        except Exception as exc:  # whatever the processor dislikes is a message, not a traceback
            raise CoreError(
                f"{name}: the CSL processor cannot read '{info.title}' ({exc}); check the file "
                "against the CSL 1.0 schema or choose another style"
            ) from None
        self._bib: Bibliography | None = None
        #: The processor for the works of the last :meth:`make` (None: not made, or failed).
        self._engine: CitationStylesBibliography | None = None
        self._items: dict[str, dict[str, Any]] = {}
        #: The year suffix of each work: the style's own table, filled by :meth:`make`.
        self._suffix: dict[str, str] = {}
        self._registered: dict[str, CitationItem] = {}
        #: Sort keys' texts for this build's works (:func:`_sort_keys_once`), emptied by make.
        self._sort_keys: dict[tuple[Any, Any, str, str | None], Any] = {}
        #: The list's sort keys that read only their work, and its layout (:meth:`_list_keys`).
        self._list_sort: tuple[list[Any], Any] | None = None
        #: The citation prints no citation number (:meth:`_citation_alone`); None: not known.
        self._alone_citation: bool | None = None
        #: One-work citations made ahead, for :meth:`_disambiguate` (:meth:`_take_alone`).
        self._cited_alone: dict[str, tuple[str, bool]] = {}
        #: A numeric style's list entries made ahead, for :meth:`format_entry`.
        self._formatted_alone: dict[str, FormattedReference] = {}
        #: Its list entries read only their work (:meth:`_entries_alone`); None: not known.
        self._alone_entries: bool | None = None
        #: Entries being converted in a second process (:meth:`convert_ahead`).
        self._converting: SharedWork[str, Converted] | None = None
        self._converting_bib: Bibliography | None = None

    def convert_ahead(self, bib: Bibliography, first: First | None = None) -> bool:
        """Start converting every entry to CSL-JSON in a second process, while pages are read.

        The conversion of an entry depends on that entry alone (unlike its formatted reference,
        which a style may letter or number by the other works), so a cold build can do it before
        the works are known, on a second CPU (:class:`~monograph.core.parallel.SharedWork`);
        :meth:`make` (or :meth:`take_converted`) takes the items. ``first``: a job for that
        process to do before the entries (what a deferred parse of the .bib left: its checks
        and snapshot), and what takes its result here, as :class:`.ahead.AheadFormatting` does;
        done here if the process sends nothing back. Returns whether a process was started.
        """
        from ..parallel import SharedWork, can_fork
        from .ahead import MIN_ENTRIES

        todo = [key for key in bib if _converted_key(bib, key) not in _CONVERTED]
        if self._converting is not None or len(todo) < MIN_ENTRIES or not can_fork():
            return False
        ahead = self.kind == "author-date" or self._entries_alone()
        processor = self if ahead and not self.info.dates_change else None
        convert = functools.partial(_convert, bib, processor=processor)
        self._converting = SharedWork(todo, convert, first)
        self._converting_bib = bib
        return True

    def take_converted(self) -> None:
        """Take what the converting process made (waiting for it): its first job, the items."""
        if self._converting is None or self._converting_bib is None:
            return
        bib = self._converting_bib
        done = self._converting.collect()
        self._converting = None
        for _, (key, item, reference, alone, entry) in done:
            _CONVERTED[_converted_key(bib, key)] = item
            _PARSED[_converted_key(bib, key)] = (item, reference)
            if alone is not None:
                _SORTED[_converted_key(bib, key)] = (item, self.version, alone)
            if entry is not None:
                _FORMATTED[_converted_key(bib, key)] = (item, self.version, entry)

    def _list_keys(self) -> tuple[list[Any], Any]:
        """The list's sort keys whose text depends on the work alone, and the list's layout."""
        if self._list_sort is None:
            root = self._style.root
            bibliography = root.find("csl:bibliography", _NS)
            layout = bibliography.find("csl:layout", _NS) if bibliography is not None else None
            sort = bibliography.find("csl:sort", _NS) if bibliography is not None else None
            if layout is None or sort is None:
                self._list_sort = ([], None)
            else:
                keys = sort.findall("csl:key", _NS)
                alone = [key for key in keys if _what_a_sort_key_reads(key)[0]]
                self._list_sort = (alone, layout)
        return self._list_sort

    def _alone(self, key: str, reference: Any) -> Alone | None:
        """What the processor says of one work, from a processor that holds it alone, or None.

        The texts of the list's sort keys (:meth:`_list_keys`: they read only their work's
        data) and, for a style that letters years, the work's one-work citation as
        :meth:`_disambiguate` makes it: the first cite of the work (so every ``position`` test
        reads the same in any processor) by a citation that does not print citation numbers
        (:meth:`_citation_alone`). Both are the same in the build's processor, so the
        converting process makes them while the pages are read and :meth:`make`, on the
        build's critical path, does not (measured under APA: its first sort of the list and
        the citations that find the works to letter, 2.6 -> 0.7 s). None when the processor
        fails here: then they are made in :meth:`make`.
        """
        elements, layout = self._list_keys()
        citing = self.info.year_suffix and self._citation_alone()
        if reference is None or not (elements or citing):
            return None
        try:
            source = CiteProcJSON([])
            source.add(reference)
            engine = CitationStylesBibliography(self._style, source, formatter.html)
            item = CitationItem(key)
            engine.register(Citation([item]))
            texts = tuple(element.sort_keys([item], layout)[0] for element in elements)
            cite = None
            if citing:
                citation = Citation([CitationItem(key)])
                engine.register(citation)
                text = str(engine.cite(citation, lambda item: None))
                cite = (text, citation.cites[0] in engine._cites)
            return texts, cite
        except Exception:
            return None

    def _entries_alone(self) -> bool:
        """Whether a numeric style's list entry of a work reads only that work.

        Its list (the layout and the macros it calls) prints no citation number (the engine
        took it out, :func:`read_csl`) and tests no position or locator: then an entry is the
        same from any processor that holds the work, and a numeric style letters no years.
        """
        if self._alone_entries is None:
            bibliography = self._style.root.find("csl:bibliography", _NS)
            self._alone_entries = (
                self.kind == "numeric"
                and bibliography is not None
                and not _reads_words(bibliography, _NUMBERING | {"locator", "position"})
            )
        return self._alone_entries

    def _entry_alone(
        self, bib: Bibliography, key: str, item: dict[str, Any], reference: Any
    ) -> tuple[str, ...] | None:
        """A numeric style's list entry of one work, from a processor that holds it alone.

        The converting process makes it while the pages are read (:meth:`_entries_alone`
        says it is the entry the build's processor makes), so that the entries are not all
        made after the pages, on the build's critical path. Exactly what :meth:`format_entry`
        makes, or None when that would report a problem (the processor fails, or prints
        nothing): :meth:`format_entry` then makes it and reports it.
        """
        from .csl_data import unshield
        from .latex import plain_text

        if reference is None or not self._entries_alone():
            return None
        try:  # an entry no page cites is made too: whatever fails is left to format_entry
            source = CiteProcJSON([])
            source.add(reference)
            engine = CitationStylesBibliography(self._style, source, formatter.html)
            cited = CitationItem(key)
            engine.register(Citation([cited]))
            html_text = unshield(str(self._style.render_bibliography([cited])[0]).strip())
            fragment = _fragment(html_text)
            if fragment is None or not str(fragment.text_content()).strip(" .,;:"):
                return None
            html_text = _linkify(html_text, item, fragment)
            note = plain_text(str(bib.entry(key).fields.get("note", "")))
            return (html_text, text_of(html_text), narrative_names(bib, key), note)
        except Exception:
            return None

    def _citation_alone(self) -> bool:
        """Whether the style's citation prints no citation number (nor label) of any work.

        Then a one-work citation reads the same whatever other works the processor holds.
        """
        if self._alone_citation is None:
            citation = self._style.root.find("csl:citation", _NS)
            self._alone_citation = citation is not None and not _reads_words(citation, _NUMBERING)
        return self._alone_citation

    def _items_of(self, bib: Bibliography, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The CSL-JSON items of ``keys``: converted ahead, earlier in this process, or now."""
        self.take_converted()
        if len(_CONVERTED) > 4 * max(len(bib), 1000):  # old versions of a long serve session
            _CONVERTED.clear()
            _PARSED.clear()
            _SORTED.clear()
            _FORMATTED.clear()
        items = {}
        for key in keys:
            memo = _converted_key(bib, key)
            kept = _CONVERTED.get(memo)
            if kept is None:
                _, kept, reference, _, _ = _convert(bib, key)
                _CONVERTED[memo] = kept
                _PARSED[memo] = (kept, reference)
            items[key] = dict(kept)
        return items

    def _new_engine(self, keys: Sequence[str]) -> CitationStylesBibliography:
        data = [self._items[key] for key in keys]
        if self.kind == "author-date":
            for key in keys:  # the twin that [-@key] and @key cite (author left out)
                twin = {k: v for k, v in self._items[key].items() if k not in ("editor",)}
                twin["id"] = key + SUPPRESSED
                twin["author"] = [{"literal": NO_AUTHOR}]
                data.append(twin)
        source = self._source(data)
        if not self.info.dates_change:
            source._monograph_sort_keys = self._sort_keys  # see _sort_keys_once
        engine = CitationStylesBibliography(self._style, source, formatter.html)
        self._registered = {}
        for key in keys:
            item = CitationItem(key)
            engine.register(Citation([item]))
            self._registered[key] = item
        return engine

    def _source(self, data: list[dict[str, Any]]) -> CiteProcJSON:
        """``CiteProcJSON(data)``, with the items parsed ahead (:data:`_PARSED`) taken as made.

        The items are added in order, as ``CiteProcJSON`` adds them (a later one with the same
        lower-cased id replaces an earlier one); an item changed since it was parsed (a year
        suffix) or parsed by no one is parsed here.
        """
        assert self._bib is not None
        source = CiteProcJSON([])
        for item in data:
            kept = _PARSED.get(_converted_key(self._bib, str(item["id"])))
            if kept is not None and kept[1] is not None and kept[0] == item:
                source.add(kept[1])
            else:
                source.update(CiteProcJSON([item]))
        return source

    def make(
        self,
        bib: Bibliography,
        keys: Sequence[str],
        suffix: dict[str, str],
        fail: Callable[[Bibliography, str, str], None],
    ) -> list[str] | Exception:
        """Make the processor for a build's works, in number order: returns the list order.

        Converts and registers the works; an author-date style sorts them and tells ``2019a``
        from ``2019b``, in ``suffix`` (the style's table, filled here). The same steps, in the
        same order, whether or not the style found its kept decisions: the processor's state
        is what the texts depend on. ``fail`` reports an entry the style cannot print. Returns
        what the processor raised, when it failed (then no text is made by it).
        """
        self._bib = bib
        self._engine = None
        self._registered = {}
        self._sort_keys = {}
        self._suffix = suffix
        self._items = self._items_of(bib, keys)
        self._take_alone()
        for key, item in self._items.items():  # checked every build, cached or not
            if not any(item.get(variable) for variable in _PRINTED):
                fail(
                    bib,
                    key,
                    "has none of the fields a CSL style prints (author or editor, "
                    "title, date, publisher, DOI or URL); add them from the source record",
                )
        try:
            engine = self._new_engine(keys)
            if self.kind == "author-date":
                engine.sort()
                order = self._spelled(engine)
                if self.info.year_suffix:
                    self._disambiguate(engine, order)
                    if self._suffix:
                        engine = self._new_engine(keys)
                        engine.sort()
                        order = self._spelled(engine)
            else:
                order = list(keys)
        except Exception as exc:  # a processor failure is a message, never a traceback
            return exc
        self._engine = engine
        return order

    def _take_alone(self) -> None:
        """Take what was made of each work alone (:data:`_SORTED`, :meth:`_alone`).

        The sort keys' texts go in the sort keys' table, the one-work citations to
        :meth:`_disambiguate`. Only for works whose item is the one they were made from, by
        this style, and under no year suffix (the first sort of the list; a key that reads the
        suffix is rendered again once the letters are given, :func:`_sort_keys_once`).
        """
        self._cited_alone = {}
        self._formatted_alone = {}
        if self._bib is None or self.info.dates_change:
            return
        if self.kind == "numeric":
            for key, item in self._items.items():
                made = _FORMATTED.get(_converted_key(self._bib, key))
                if made is not None and made[1] == self.version and made[0] == item:
                    self._formatted_alone[key] = FormattedReference(*made[2])
            return
        elements, layout = self._list_keys()
        for key, item in self._items.items():
            kept = _SORTED.get(_converted_key(self._bib, key))
            if kept is None or kept[1] != self.version or kept[0] != item:
                continue
            texts, cite = kept[2]
            if len(texts) == len(elements):
                for element, text in zip(elements, texts, strict=True):
                    self._sort_keys[(element, layout, key.lower(), None)] = text
            if cite is not None:
                self._cited_alone[key] = cite

    def _spelled(self, engine: CitationStylesBibliography) -> list[str]:
        """The processor's (lower-cased) keys, spelled as in the bibliography."""
        spelled = {key.lower(): key for key in self._items}
        return [spelled.get(key, key) for key in engine.keys]

    def _disambiguate(self, engine: CitationStylesBibliography, order: list[str]) -> None:
        """``2019a``/``2019b``: works whose citations read alike, lettered in list order."""
        seen: dict[str, list[str]] = {}
        for key in order:
            citation = Citation([CitationItem(key)])
            engine.register(citation)
            alone = self._cited_alone.get(key)
            if alone is None:
                text = str(engine.cite(citation, lambda item: None))
            else:  # made ahead (_alone); the processor remembers the cite as if made here
                text, counted = alone
                if counted:
                    engine._cites.append(citation.cites[0])
            seen.setdefault(text, []).append(key)
        for keys in seen.values():
            if len(keys) > 1:
                for index, key in enumerate(keys):
                    self._suffix[key] = _letters(index)
                    self._items[key]["year-suffix"] = self._suffix[key]

    def format_entry(
        self, bib: Bibliography, key: str, fail: Callable[[Bibliography, str, str], None]
    ) -> FormattedReference:
        """One entry, as the style's bibliography writes it (never raises).

        By the processor of the last :meth:`make`; when it failed, or the entry is not one of
        its works, the entry's title. ``fail`` reports an entry the style cannot print.
        """
        from .csl_data import unshield
        from .latex import plain_text

        engine = self._engine
        item = self._registered.get(key)
        made = self._formatted_alone.get(key)
        if made is not None and engine is not None and item is not None:
            return made  # made ahead (_entry_alone), as below
        note = plain_text(str(bib.entry(key).fields.get("note", "")))
        names = narrative_names(bib, key)
        html_text = ""
        if engine is not None and item is not None:
            try:
                html_text = unshield(str(self._style.render_bibliography([item])[0]).strip())
            except Exception as exc:  # reported with the entry's line
                fail(bib, key, f"cannot be formatted in '{self.info.title}' ({exc})")
        # Parsed once for the emptiness check and the links (it was parsed twice, measured).
        fragment = _fragment(html_text)
        if fragment is None or not str(fragment.text_content()).strip(" .,;:"):
            fragment = None
            if engine is not None:
                fail(
                    bib,
                    key,
                    f"is empty in '{self.info.title}'; the style prints none of the "
                    "entry's fields; add author, title and year",
                )
            title = escape(plain_text(str(bib.entry(key).fields.get("title", key))))
            html_text = f"{title}."
        html_text = _linkify(html_text, self._items.get(key, {}), fragment)
        return FormattedReference(html_text, text_of(html_text), names, note)

    def cite(self, items: Sequence[CitedItem], *, narrative: bool) -> str:
        """The processor's text of a citation, each work between marks.

        :data:`.csl_info.FAILED` if the processor fails on it. Only after a :meth:`make` that
        did not fail.
        """
        from .csl_data import shield, unshield

        engine = self._engine
        assert engine is not None
        cites = []
        for index, cited in enumerate(items):
            kind, value, rest = parse_locator(cited.item.locator)
            twin = self.kind == "author-date" and (narrative or cited.item.suppress_author)
            options: dict[str, Any] = {
                "prefix": (shield(cited.item.prefix) + " " if cited.item.prefix else "")
                + f"{OPEN}{index}{MID}",
                "suffix": (f", {shield(rest)}" if rest else "") + CLOSE,
            }
            if kind:
                options["locator"] = Locator(kind, shield(value))
            cites.append(CitationItem(cited.key + SUPPRESSED if twin else cited.key, **options))
        citation = Citation(cites)
        engine.register(citation)
        try:
            out = unshield(str(engine.cite(citation, lambda item: None)))
        except Exception:  # the engine writes the citation instead
            return FAILED
        return _NO_AUTHOR_RE.sub("", out)


def _letters(index: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa (as CSL numbers year suffixes)."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("a") + rest) + out
    return out
