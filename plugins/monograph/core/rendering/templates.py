"""The Jinja templates reference lists are rendered from, which a site can override.

The engine ships ``monograph/entry.html`` (one entry) and ``monograph/list.html`` (a list with
its heading) in its ``templates/`` folder. A file of the same name in one of the override
folders (the MkDocs adapter passes the theme's ``custom_dir``, as mkdocstrings and Material's
partials do) is used instead. Every value handed to a template is HTML, already escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
)
from markupsafe import Markup

from .. import ids
from ..model import CoreError

ENTRY = "monograph/entry.html"
LIST = "monograph/list.html"


class Templates:
    """The engine's templates, each looked up first in the override folders.

    Arguments:
        overrides: Folders that may hold ``monograph/entry.html`` or ``monograph/list.html``.

    Raises:
        CoreError: An override does not parse (with its file and line).
    """

    def __init__(self, overrides: Sequence[Path] = ()) -> None:
        loaders: list[Any] = [FileSystemLoader([str(folder) for folder in overrides])]
        loaders.append(PackageLoader("monograph", "templates"))
        self.environment = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=StrictUndefined,
        )
        self.environment.globals["ids"] = ids
        self.entry = self._load(ENTRY)
        self.list = self._load(LIST)

    def _load(self, name: str) -> Template:
        try:
            return self.environment.get_template(name)
        except TemplateSyntaxError as exc:
            where = f"{exc.filename or name}:{exc.lineno}"
            raise CoreError(f"{where}: template {name} does not parse: {exc.message}") from exc

    def render(self, template: Template, **values: Any) -> str:
        """Render ``template``; a template that fails is a :class:`CoreError` naming it."""
        try:
            return template.render(**values)
        except TemplateError as exc:
            name = template.filename or template.name
            raise CoreError(f"{name}: template failed: {exc}") from exc


def html(value: str) -> Markup:
    """Mark text the engine has escaped already as HTML for a template."""
    return Markup(value)


@dataclass(frozen=True, slots=True)
class BackrefValues:
    """One back-link of an entry, as ``entry.html`` sees it (attributes: fast lookups)."""

    href: Markup
    label: Markup
    title: Markup
    count: int


@dataclass(frozen=True, slots=True)
class EntryValues:
    """What ``entry.html`` gets as ``entry``: HTML values, already escaped."""

    id: Markup
    value: Markup
    css: Markup
    reference: Markup
    note: Markup
    with_titles: bool
    backrefs: list[BackrefValues]


DEFAULT = Templates()
