"""Format entries in a second process while MkDocs converts the site's pages.

A cold build formats every cited entry (about 1 ms each with pybtex, most of a cold build's own
cost), but needs none of them until every page is converted and numbered. When the style formats
each entry on its own (its output does not depend on which other works are cited), a forked
process (:class:`~monograph.core.parallel.SharedWork`) formats the bibliography's entries during
that time, on the machine's second CPU. When the build needs its first reference, this process
takes over the entries the other has not reached yet and then receives what the other formatted.

The results only fill the formatter's memory: anything the child did not send is formatted here
as before, and a style's problems come back with each entry as they do from the cache file. So
the output is the same with or without this; only the time differs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..parallel import Background, First, SharedWork

if TYPE_CHECKING:
    from ..bibliography.loading import Bibliography

#: Fewer missing entries than this are formatted in-process when needed (a fork costs more).
MIN_ENTRIES = 64

#: One formatted entry: its cache digest, its fields (``FormattedReference`` as a tuple) and the
#: problems the style found, as ``(code, message, severity)``.
Result = tuple[str, tuple[str, ...], tuple[tuple[str, str, str], ...]]


class AheadFormatting:
    """Entries formatted by a forked child, shared out with this process at :meth:`collect`.

    Arguments:
        keys: The entries to format, in the order the child takes them.
        format_one: Formats one key: returns its :data:`Result` (never raises).
        first: A job for the child to do before the entries (a fresh parse's checks and
            snapshot), and what takes its result here; done here if the child did not send it.
    """

    def __init__(
        self,
        keys: Sequence[str],
        format_one: Callable[[str], Result],
        first: First | None = None,
    ):
        self._shared = SharedWork(keys, format_one, first)

    def collect(self) -> list[Result]:
        """Format what the child has not reached, then return everything both formatted."""
        return [result for _, result in self._shared.collect()]


class ParsedAhead:
    """A fresh .bib parsed, formatted and checked by a forked child while this process goes on.

    A cold build's bibliography is parsed before anything can be formatted, and the pages'
    conversion needs none of it (a page's evidence tables wait for the index). So the child
    parses the file, sends its index, formats the entries that are in no cache and sends them,
    then runs the file's checks, writes its snapshot and sends the checks' results. This process
    takes the index at :meth:`Bibliography.arrive`, the formatted entries at :meth:`collect` and
    the checks at :meth:`finish`, as late as the build can say them. Whatever the child did not
    send is done here, as without it (the parse, a format, the checks).

    Arguments:
        bib: A bibliography whose parse was left to later (``load_bibliography(later=True)``).
        missing: Whether an entry's reference is in no cache yet (asked in the child).
        format_one: Formats one key, as for :class:`AheadFormatting`.
    """

    def __init__(
        self,
        bib: Bibliography,
        missing: Callable[[str], bool],
        format_one: Callable[[str], Result],
    ) -> None:
        self._bib = bib
        self._missing = missing
        self._format_one = format_one
        self._child = Background(self._work)
        bib.parse_elsewhere(self._index)  # here only: the child has parsed by then

    def _work(self, send: Callable[[object], None]) -> None:
        """In the child: parse, then send the index, the formatted entries and the checks."""
        bib = self._bib
        bib.arrive()  # nothing to receive in the child: it parses
        send(bib.index_message())
        send([self._format_one(key) for key in bib if self._missing(key)])
        send(bib.finish_parse())  # the checks, then the snapshot

    def _index(self) -> dict[str, Any] | None:
        message = self._child.receive()
        return message if isinstance(message, dict) else None

    def collect(self) -> list[Result]:
        """The entries the child formatted, once sent (its checks come at :meth:`finish`)."""
        self._bib.arrive()
        formatted = self._child.receive()
        return formatted if isinstance(formatted, list) else []

    def finish(self) -> None:
        """Take the child's checks into ``bib`` (or check here), once its snapshot is written."""
        checked = self._child.receive()
        self._child.close()
        if isinstance(checked, tuple):
            self._bib.took_checks(checked)
        else:
            self._bib.finish_parse()  # the child sent no checks: they are done here

    def stop(self) -> None:
        """Stop the child (the build stopped)."""
        self._child.stop()
