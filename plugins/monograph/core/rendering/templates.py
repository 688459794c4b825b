"""The Jinja templates citations and reference lists are rendered from, which a site can override.

The engine ships ``monograph/citation.html`` (macros for in-text citations),
``monograph/entry.html`` (one entry) and ``monograph/list.html`` (a list with its heading) in its
``templates/`` folder. A file of the same name in one of the override
folders (the MkDocs adapter passes the theme's ``custom_dir``, as mkdocstrings and Material's
partials do) is used instead. Every value handed to a template is HTML, already escaped.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
)
from jinja2.runtime import new_context
from markupsafe import Markup, escape

from .. import ids
from ..model import CoreError

CITATION = "monograph/citation.html"
ENTRY = "monograph/entry.html"
LIST = "monograph/list.html"

#: The macros of ``citation.html``; a site's file may define some, the engine's does the rest.
CITATION_MACROS = ("link", "unknown", "range", "item", "group", "styled")
#: The engine's own templates under this prefix, whatever the site overrides.
ENGINE_PREFIX = "engine/"


class Templates:
    """The engine's templates, each looked up first in the override folders.

    Arguments:
        overrides: Folders that may hold ``monograph/citation.html``, ``monograph/entry.html``
            or ``monograph/list.html``.

    Attributes:
        digest: A hash of the override folders' ``monograph/`` files ("" without overrides).
        citation: The macros of ``citation.html`` (``citation.link(...)``...). Citations are
            many and small: the template is compiled and its module made once per build, and a
            citation is a few macro calls, not a template render.

    Raises:
        CoreError: An override does not parse (with its file and line).
    """

    def __init__(self, overrides: Sequence[Path] = ()) -> None:
        self.digest = _overrides_digest(overrides)
        self._overrides = [str(folder) for folder in overrides]
        if overrides:  # a site's own templates are compiled now, so a broken one stops the build
            self.citation  # noqa: B018  (compiles the three templates)

    @functools.cached_property
    def environment(self) -> Environment:
        """The Jinja environment: the override folders first, then the engine's templates.

        Made (and the templates compiled) on first use: a build whose pages all come filled
        from the cache compiles nothing.
        """
        loaders: list[Any] = [FileSystemLoader(self._overrides)]
        engine = PackageLoader("monograph", "templates")
        loaders += [engine, PrefixLoader({ENGINE_PREFIX.rstrip("/"): engine})]
        environment = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=StrictUndefined,
        )
        environment.globals["ids"] = ids
        environment.template_class = _Template
        return environment

    @functools.cached_property
    def entry(self) -> Template:
        """``monograph/entry.html``: one entry of a list."""
        return self._load(ENTRY)

    @functools.cached_property
    def list(self) -> Template:
        """``monograph/list.html``: a list with its heading."""
        return self._load(LIST)

    @functools.cached_property
    def citation_template(self) -> Template:
        """``monograph/citation.html``: the citation macros' file."""
        return self._load(CITATION)

    @functools.cached_property
    def citation(self) -> SimpleNamespace:
        """The macros of ``citation.html`` (see the class's description)."""
        self.entry, self.list  # noqa: B018  (compiled with it: one place for a broken file)
        return self._macros(self.citation_template, CITATION_MACROS)

    def _load(self, name: str) -> Template:
        try:
            return self.environment.get_template(name)
        except TemplateSyntaxError as exc:
            where = f"{exc.filename or name}:{exc.lineno}"
            raise CoreError(f"{where}: template {name} does not parse: {exc.message}") from exc

    def _macros(self, template: Template, names: Sequence[str]) -> SimpleNamespace:
        """The macros of ``template`` (its module made once); the engine's for any it lacks.

        A site's ``citation.html`` may define only the macros it changes, and may call the
        engine's own through ``{% import "engine/monograph/citation.html" as engine %}``.
        Each is called with its values in the order of the engine's own macro (see
        :class:`ByName` for a site's macro that declares them otherwise).
        """
        engine = self._load(ENGINE_PREFIX + str(template.name))
        found: dict[str, Any] = {}
        order: dict[str, tuple[str, ...]] = {}
        for source in (engine,) if engine.filename == template.filename else (engine, template):
            try:
                module = source.module
            except TemplateError as exc:
                raise failure(source, exc) from exc
            for name in names:
                macro = getattr(module, name, None)
                if not callable(macro):
                    continue
                if source is engine:
                    order[name] = tuple(macro.arguments)
                    found[name] = macro
                elif tuple(getattr(macro, "arguments", ())) == order[name]:
                    found[name] = macro
                else:
                    found[name] = ByName(macro, order[name])
        return SimpleNamespace(**found)

    @functools.cached_property
    def _entry_globals(self) -> dict[str, Any]:
        """The globals ``entry.html`` sees (``ids`` and Jinja's), copied once."""
        return dict(self.entry.globals)

    def render_entry(self, entry: EntryValues) -> str:
        """``entry.html`` for one entry: what ``render(self.entry, entry=entry)`` returns.

        Lists render thousands of entries, and :meth:`Template.render` makes each one's
        context from the template's globals (a chain of two dictionaries, walked on every
        call): here they are copied once, and each entry's context (a new one, as ever) is made
        from them as they are, through Jinja's documented low-level API (``new_context`` with
        ``shared=True``, ``root_render_func``). A third less per entry. The context is made by
        the function :meth:`Template.new_context` calls, given the copy rather than the chain as
        the globals (the context makes a set of their names: walking the chain for it was a
        tenth of an entry's time; the same names).
        """
        template = self.entry
        context = new_context(
            template.environment,
            template.name,
            template.blocks,
            {**self._entry_globals, "entry": entry},
            True,  # shared: these values as they are
            self._entry_globals,
        )
        try:
            return "".join(template.root_render_func(context))
        except TemplateError as exc:
            raise failure(template, exc) from exc

    def render(self, template: Template, **values: Any) -> str:
        """Render ``template``; a template that fails is a :class:`CoreError` naming it."""
        try:
            return template.render(**values)
        except TemplateError as exc:
            raise failure(template, exc) from exc


def _escape(value: Any, /) -> Markup:
    """MarkupSafe's ``escape``, returning a :class:`Markup` value itself rather than a copy.

    Every value the engine hands a template is :class:`Markup` already (see :func:`html`), and
    ``escape`` turns each one it prints into a new, equal ``Markup`` (``__html__``, then
    ``Markup.__new__``: two Python calls). The same text, without the copy: a fifth of the
    time the fill spends in templates (bench, 200 pages x 2,000 entries, CPU: citations, lists
    and bibliography 0.54 -> 0.43 s). A plain ``str`` (the class names of ``ids``, printed
    thousands of times) is escaped once and remembered: 0.40 -> 0.36 s. Any other value (a
    subclass of ``Markup`` or ``str`` too) goes to ``escape`` as before.
    """
    if type(value) is Markup:
        return value
    if type(value) is str:  # the class names of ``ids``, the same few thousands of times
        return _escape_text(value)
    return escape(value)


@functools.lru_cache(maxsize=1024)
def _escape_text(text: str) -> Markup:
    """``escape(text)``, remembered (a template prints the same few strings again and again)."""
    return escape(text)


class _Template(Template):
    """A template whose ``{{ value }}`` prints through :func:`_escape` (the same text, faster).

    Jinja compiles a template into a module whose code calls the name ``escape`` (MarkupSafe's,
    imported there); :meth:`from_code` (the documented way every template is made) gives that
    module :func:`_escape` instead. Were Jinja to name it otherwise, templates keep its own.
    """

    @classmethod
    def from_code(
        cls,
        environment: Environment,
        code: Any,
        globals: Any,
        uptodate: Any = None,
    ) -> Template:
        """Jinja's :meth:`Template.from_code`, with :func:`_escape` in the module made."""
        template = super().from_code(environment, code, globals, uptodate)
        namespace = template.root_render_func.__globals__
        if namespace.get("escape") is escape:
            namespace["escape"] = _escape
        return template


class ByName:
    """A site's macro whose arguments are not the engine's macro's, in its order: called by name.

    The engine calls the macros of ``citation.html`` with positional values, in the order of its
    own macros' arguments: Jinja binds them faster than keywords (a twentieth of the citations'
    time). The contract names the arguments only, so a site's macro that declares them in another
    order, or not all of them, or takes ``**kwargs``, gets them by name, as it always did.

    Attributes:
        macro: The site's macro.
        names: The engine's arguments, in order: the names of the values it is called with.
        arguments: The site's macro's own arguments (which :func:`.citations._styled_range`
            reads, as of any macro).
    """

    __slots__ = ("arguments", "macro", "names")

    def __init__(self, macro: Any, names: tuple[str, ...]) -> None:
        self.macro = macro
        self.names = names
        self.arguments = tuple(getattr(macro, "arguments", ()))

    def __call__(self, *values: Any) -> Any:
        """The macro, given ``values`` (in the engine's order) by name."""
        return self.macro(**dict(zip(self.names, values, strict=False)))


def _overrides_digest(overrides: Sequence[Path]) -> str:
    """A hash of every file of the override folders: part of the keys of kept pages.

    Every file, not only ``monograph/``: an override may include or import any template of the
    folder (``{% include "partials/note.html" %}``), and a change there changes the pages.
    """
    digest = hashlib.sha256()
    for folder in overrides:
        for source in sorted(Path(folder).glob("**/*")):
            if source.is_file():
                digest.update(source.as_posix().encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:16] if overrides else ""


def failure(template: Template, exc: TemplateError) -> CoreError:
    """The :class:`CoreError` for ``template`` failing while it renders."""
    return CoreError(f"{template.filename or template.name}: template failed: {exc}")


def _html(value: str) -> Markup:
    """Mark text the engine has escaped already as HTML for a template."""
    return Markup(value)


#: :func:`_html` as it is called: ``Markup(value)`` of a string is ``str.__new__(Markup, value)``
#: (``Markup.__new__`` only adds a look for ``__html__``, which a ``str`` and a ``Markup`` answer
#: with their own text). Made in C, without two Python calls: 80,000 values a cold build of the
#: bench (200 pages x 2,000 entries), 0.03 s CPU of the fill. The tests hold the two to agree.
html: Callable[[str], Markup] = functools.partial(str.__new__, Markup)


@dataclass(slots=True)
class BackrefValues:
    """One back-link of an entry, as ``entry.html`` sees it (attributes: fast lookups).

    Not frozen, as :class:`EntryValues`: a template cannot set attributes anyway, and a frozen
    dataclass is made three times slower (thousands of entries a build).
    """

    href: Markup
    label: Markup
    title: Markup
    count: int


@dataclass(slots=True)
class EntryValues:
    """What ``entry.html`` gets as ``entry``: HTML values, already escaped (see BackrefValues)."""

    id: Markup
    value: Markup
    css: Markup
    reference: Markup
    note: Markup
    with_titles: bool
    backrefs: list[BackrefValues]


@functools.cache
def default_templates() -> Templates:
    """The engine's own templates, compiled once per process (on first use, not on import)."""
    return Templates()


def templates_for(overrides: Sequence[Path]) -> Templates:
    """The templates with ``overrides`` first; the shared defaults when they override nothing.

    Compiling the templates is the costly part (tens of milliseconds), so a site that overrides
    none of them, and every rebuild under ``mkdocs serve``, reuses the process's one compilation.
    """
    names = (CITATION, ENTRY, LIST)
    if any((Path(folder) / name).is_file() for folder in overrides for name in names):
        return Templates(overrides)
    return default_templates()
