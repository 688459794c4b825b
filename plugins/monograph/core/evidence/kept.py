"""What each page's evidence front matter produced, kept so a warm build needs no pydantic.

Validating evidence needs pydantic and the evidence model, which take longer to import (about
0.08 s) than the validation of every page takes to run. What the validation and the tables of a
page produce depends only on what they read: the page's path, its front matter (values and
text, for line numbers), the bibliography's keys and years, and the engine. So a build keeps,
in one JSON file of the cache folder, per page: its problems, whether it has evidence rows, and
the HTML of each of its tables with the citations they make (:class:`KeptTable`); and the HTML
of the evidence summary likewise. The next build with the same inputs reads them back
(:class:`KeptEvidence` stands in for the model) and never imports this package's pydantic
modules; any changed input is a miss, validated and rendered as on a first build.

This module loads no pydantic: the model is imported only on a miss, by the caller.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..cachefile import parts_digest, write_atomically
from ..model import Problem

if TYPE_CHECKING:
    from .validation import PageEvidence

#: Registers a citation of the given keys and returns its token (``render.CiteFn``, without
#: importing that module).
CiteFn = Callable[[Sequence[str]], str]

#: Changes whenever the layout of the file changes (the engine's digest covers the rest).
_FORMAT = "1"


def digest(*parts: str) -> str:
    """A kept entry's key: :func:`~monograph.core.cachefile.parts_digest`, 32 hex digits."""
    return parts_digest(parts)[:32]


@dataclass(frozen=True)
class KeptTable:
    """HTML made with citations, and the citations to make again to put it back.

    The HTML is cut where each citation's token went: ``segments[0]``, then the token of call
    ``slots[0]``, then ``segments[1]``, and so on.

    Attributes:
        segments: The HTML between the citations (one more than ``slots``).
        slots: For each gap, the index in ``calls`` of the citation that fills it.
        calls: The keys of each citation, in the order the renderer made them (the order in
            which they are registered again: it sets the numbering).
    """

    segments: tuple[str, ...]
    slots: tuple[int, ...]
    calls: tuple[tuple[str, ...], ...]

    @classmethod
    def record(cls, render: Callable[[CiteFn], str]) -> KeptTable | None:
        """Run ``render`` with a cite that only notes its keys; None if the HTML cannot be cut.

        Each citation leaves a placeholder no data can hold (a random tag of this call), then
        the HTML is cut at them. A renderer that drops or repeats a citation's token is not
        kept (None): the caller renders it live.
        """
        tag = f"\x00{os.urandom(8).hex()}:"
        calls: list[tuple[str, ...]] = []

        def note(keys: Sequence[str]) -> str:
            calls.append(tuple(keys))
            return f"{tag}{len(calls) - 1}\x00"

        html = render(note)
        first, *rest = html.split(tag)
        segments = [first]
        slots: list[int] = []
        for part in rest:
            number, _, after = part.partition("\x00")
            slots.append(int(number))
            segments.append(after)
        if sorted(slots) != list(range(len(calls))):
            return None
        return cls(tuple(segments), tuple(slots), tuple(calls))

    def replay(self, cite: CiteFn) -> str:
        """The HTML, with each citation registered again through ``cite`` in its first order."""
        tokens = [cite(keys) for keys in self.calls]
        parts = [self.segments[0]]
        for slot, segment in zip(self.slots, self.segments[1:], strict=True):
            parts += (tokens[slot], segment)
        return "".join(parts)

    def to_json(self) -> list[Any]:
        """The table as JSON data."""
        return [list(self.segments), list(self.slots), [list(keys) for keys in self.calls]]

    @classmethod
    def from_json(cls, data: Any) -> KeptTable:
        """The table from :meth:`to_json`'s data."""
        segments, slots, calls = data
        return cls(
            tuple(str(s) for s in segments),
            tuple(int(s) for s in slots),
            tuple(tuple(str(k) for k in keys) for keys in calls),
        )


@dataclass
class KeptEvidence:
    """A page's valid evidence data as an earlier build (or this one) rendered it.

    Stands in for :class:`~monograph.core.evidence.model.PageEvidence` wherever a page context
    holds its evidence: the markers ask :meth:`has_data` and :meth:`table`; the evidence
    summary asks :attr:`has_rows`, :attr:`key` and, when it is not kept itself,
    :meth:`validated`.

    Attributes:
        key: The hash of everything the page's evidence was made from.
        has_rows: The page has evidence rows (it is listed in the evidence summary).
        tables: By front-matter list (``evidence``, ``claims``), the table it renders, for each
            list the page has data for.
    """

    key: str
    has_rows: bool
    tables: Mapping[str, KeptTable]
    #: The validated model: set on a miss; loaded by :meth:`validated` when the summary needs it.
    model: PageEvidence | None = field(default=None, repr=False, compare=False)
    #: Validates the page's front matter again (pydantic), for :meth:`validated`.
    load: Callable[[], PageEvidence] | None = field(default=None, repr=False, compare=False)

    def has_data(self, data: str) -> bool:
        """Whether the page has data for the front-matter list ``data``."""
        return data in self.tables

    def table(self, data: str, cite: CiteFn) -> str:
        """The HTML of the table of ``data``, its citations registered through ``cite``."""
        return self.tables[data].replay(cite)

    def validated(self) -> PageEvidence:
        """The validated model (imports pydantic when it was kept from an earlier build)."""
        if self.model is None:
            assert self.load is not None, "a kept page knows how to validate itself"
            self.model = self.load()
        return self.model


@dataclass(frozen=True)
class KeptPage:
    """What one page's evidence front matter produced.

    Attributes:
        problems: The problems of its evidence data (none when it is valid).
        has_rows: It has evidence rows.
        tables: Its tables, as :attr:`KeptEvidence.tables` (empty when it is not valid).
    """

    problems: tuple[Problem, ...]
    has_rows: bool
    tables: Mapping[str, KeptTable]

    def to_json(self) -> dict[str, Any]:
        """The page as JSON data."""
        return {
            "problems": [p.to_row() for p in self.problems],
            "rows": self.has_rows,
            "tables": {name: table.to_json() for name, table in self.tables.items()},
        }

    @classmethod
    def from_json(cls, data: Any) -> KeptPage:
        """The page from :meth:`to_json`'s data."""
        return cls(
            tuple(Problem.from_row(row) for row in data["problems"]),
            bool(data["rows"]),
            {str(name): KeptTable.from_json(t) for name, t in data["tables"].items()},
        )


Kept = TypeVar("Kept", KeptPage, KeptTable)


class KeptEvidenceFile:
    """The kept evidence of a build's pages and summaries, read from and written to one file.

    Only what this build used is written back, so the file holds no entry of an older version
    of a page. Without a path (no cache folder) nothing is read or written, and every lookup
    misses.
    """

    def __init__(self, path: Path | None, engine: str, shared: Callable[[], str]) -> None:
        """Get ready to read the file, on first use (a site without evidence never reads it).

        Arguments:
            path: The JSON file in the cache folder, or None.
            engine: The engine's digest (its code and the versions of the libraries that shape
                what it keeps); part of every key.
            shared: The digest of what every page's evidence reads besides the page: the
                bibliography (its keys as spelled, in order, and their years) and the versions
                of the libraries that validate it; asked once, on first use.
        """
        self.path = path
        self.engine = engine
        self._shared = shared
        self._shared_digest: str | None = None
        self._read = False
        self._pages: dict[str, KeptPage] = {}
        self._summaries: dict[str, KeptTable] = {}
        self._used_pages: dict[str, KeptPage] = {}
        self._used_summaries: dict[str, KeptTable] = {}
        self._changed = False

    def _read_file(self) -> None:
        """Read what earlier builds kept (an unreadable or foreign file is ignored)."""
        if self._read:
            return
        self._read = True
        path = self.path
        if path is None or not path.is_file():
            return
        try:
            data = json.loads(path.read_bytes().decode("utf-8", "surrogatepass"))
            if data.get("format") != _FORMAT:
                return
            # Filled in place: the lookups hold these dicts (see _take).
            self._pages.update((k, KeptPage.from_json(v)) for k, v in data["pages"].items())
            self._summaries.update(
                (k, KeptTable.from_json(v)) for k, v in data["summaries"].items()
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self._pages.clear()  # rebuilt, never trusted
            self._summaries.clear()

    def page_key(self, *, path: str, front_matter: str, values: str) -> str:
        """The key of a page's evidence: the engine, the shared inputs, and the page's data.

        Arguments:
            path: The page's file as named in problems.
            front_matter: The text of its front matter (problems' lines come from it).
            values: Its evidence data as the toolchain read it (a ``repr``).
        """
        if self._shared_digest is None:
            self._shared_digest = self._shared()
        return digest(self.engine, self._shared_digest, path, front_matter, values)

    def summary_key(
        self, *, condition: str, page_url: str, items: Sequence[tuple[str, ...]]
    ) -> str:
        """The key of an evidence summary: the engine, its page, condition and listed pages."""
        return digest(self.engine, condition, page_url, *(part for item in items for part in item))

    def page(self, key: str) -> KeptPage | None:
        """The kept page of ``key``, if an earlier build or this one kept it."""
        return self._take(self._used_pages, self._pages, key)

    def keep_page(self, key: str, page: KeptPage) -> None:
        """Keep what a page produced (written by :meth:`save`)."""
        self._used_pages[key] = page
        self._changed = True

    def summary(self, key: str) -> KeptTable | None:
        """The kept summary of ``key``, if any."""
        return self._take(self._used_summaries, self._summaries, key)

    def _take(self, used: dict[str, Kept], read: dict[str, Kept], key: str) -> Kept | None:
        """``key``'s entry, kept in this build (``used``) or read from the file; now used."""
        self._read_file()
        found = used.get(key) or read.get(key)
        if found is not None:
            used[key] = found
        return found

    def keep_summary(self, key: str, table: KeptTable) -> None:
        """Keep a summary's HTML and citations (written by :meth:`save`)."""
        self._used_summaries[key] = table
        self._changed = True

    def save(self) -> None:
        """Write what this build used, when it differs from the file read (errors ignored)."""
        unchanged = not self._read or (
            not self._changed
            and self._used_pages.keys() == self._pages.keys()
            and self._used_summaries.keys() == self._summaries.keys()
        )
        if self.path is None or unchanged:
            return
        data = {
            "format": _FORMAT,
            "pages": {k: v.to_json() for k, v in self._used_pages.items()},
            "summaries": {k: v.to_json() for k, v in self._used_summaries.items()},
        }
        try:
            write_atomically(self.path, json.dumps(data, ensure_ascii=False, sort_keys=True))
        except OSError:
            return  # a cache only: the next build validates again
        self._pages, self._summaries = dict(self._used_pages), dict(self._used_summaries)
        self._changed = False
