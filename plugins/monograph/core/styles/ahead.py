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

from ..parallel import First, SharedWork

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
