"""Plain data shared by every part of the core.

Nothing here imports MkDocs: the adapter converts MkDocs objects into these types.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]


class CoreError(Exception):
    """An input the core cannot use at all (for example an unreadable bibliography)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the sources, with the place a contributor must edit.

    Attributes:
        code: Stable dotted code, e.g. ``cite.unknown_key``; documented in CONTRIBUTING.md.
        message: What is wrong and how to fix it, without the location.
        path: File path relative to the project root (``docs/interventions/iron.md``).
        line: 1-based line in that file, when known.
        severity: ``error`` and ``warning`` fail ``--strict`` builds; ``info`` is only shown.
    """

    code: str
    message: str
    path: str | None = None
    line: int | None = None
    severity: Severity = "error"
    subject: str | None = None
    """What the problem is about (an entry key), for summaries of many alike problems."""

    @property
    def location(self) -> str:
        """``path:line`` (or just ``path``, or an empty string)."""
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else self.path

    def to_row(self) -> list[str | int | None]:
        """The problem as a JSON row (the caches that replay problems keep them so)."""
        return [self.code, self.message, self.path, self.line, self.severity, self.subject]

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> Problem:
        """The problem of a :meth:`to_row` row."""
        code, message, path, line, severity, subject = row
        return cls(code, message, path, line, severity, subject)

    def __str__(self) -> str:
        where = self.location
        return (
            f"{where}: {self.message} [{self.code}]" if where else f"{self.message} [{self.code}]"
        )


#: One line for many notes of the same kind; ``{count}`` and ``{subjects}`` are filled in.
SUMMARIES = {
    "cite.no_identifier": (
        "{count} articles have neither DOI nor PMID: {subjects}; add one where a verified "
        "record gives it"
    ),
}


def summarise(problems: list[Problem]) -> str:
    """Say many problems of one code in one line (``make check`` still lists each).

    Arguments:
        problems: Two or more problems that share their code.

    Returns:
        ``path: summary [code]``: the code's entry of `SUMMARIES`, or the first problem's
        message and where the others are.
    """
    first = problems[0]
    subjects = [p.subject or p.location for p in problems]
    template = SUMMARIES.get(first.code)
    if template is not None:
        text = template.format(count=len(problems), subjects=", ".join(subjects))
    else:
        text = f"{first.message} (and {len(problems) - 1} more: {', '.join(subjects[1:])})"
    paths = {p.path for p in problems}
    where = f"{first.path}: " if len(paths) == 1 and first.path else ""
    return f"{where}{text} [{first.code}]"


@dataclass(frozen=True)
class CitationItem:
    """One cited work inside a citation group, as written in the source.

    Attributes:
        key: The BibTeX key (without ``@``).
        prefix: Text before the key inside the brackets, e.g. ``see``.
        locator: Text after the key, e.g. ``p. 12`` (without the leading comma).
        suppress_author: ``[-@key]``: the author is named in the sentence already.
        prefix_html: The prefix as HTML, when its inline Markdown was rendered (``*see*``).
        locator_html: The locator as HTML, likewise (``p. *12*``, a code span).
    """

    key: str
    prefix: str = ""
    locator: str = ""
    suppress_author: bool = False
    prefix_html: str = ""
    locator_html: str = ""

    @classmethod
    def bare(cls, key: str) -> CitationItem:
        """``CitationItem(key)`` (no prefix, no locator), built as `CitationGroup.parsed` is."""
        item = object.__new__(cls)
        vars(item).update(
            key=key, prefix="", locator="", suppress_author=False, prefix_html="", locator_html=""
        )
        return item


@dataclass(frozen=True)
class CitationGroup:
    """A whole citation as written: ``[see @a, p. 3; @b]`` or narrative ``@a``.

    Attributes:
        items: The works cited, in the order written.
        narrative: ``@key`` in running text ("Cuellar and Ratcliffe [14]").
        source: The exact source text that was matched (used to find its line).
        path: Source file relative to the project root.
        line: 1-based line of the citation in that file, when known.
    """

    items: tuple[CitationItem, ...]
    narrative: bool = False
    source: str = ""
    path: str | None = None
    line: int | None = None
    keys: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        # Into the instance's dict (as `placed` copies it) and from a list, not a generator:
        # this runs for every citation parsed, and both are cheaper.
        vars(self)["keys"] = tuple([item.key for item in self.items])

    @classmethod
    def parsed(cls, items: tuple[CitationItem, ...], narrative: bool, source: str) -> CitationGroup:
        """A group as the citation syntax reads it (no place yet), built as `placed` copies one.

        The same as ``CitationGroup(items, narrative, source)`` without the frozen dataclass's
        field-by-field ``__init__``, which was a third of what parsing a citation costs (every
        citation of a build is parsed).
        """
        group = object.__new__(cls)
        vars(group).update(
            items=items,
            narrative=narrative,
            source=source,
            path=None,
            line=None,
            keys=tuple([item.key for item in items]),
        )
        return group

    def placed(self, path: str | None, line: int | None) -> CitationGroup:
        """This group at ``path:line`` (a copy: one parsed group is shared by every page).

        The fields are copied as they are, ``keys`` included: ``dataclasses.replace`` would
        run ``__init__`` and ``__post_init__`` again, a fifth of what a citation costs a build.
        """
        copy = object.__new__(CitationGroup)
        vars(copy).update(vars(self), path=path, line=line)
        return copy
