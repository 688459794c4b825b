"""Format entries in a second process while MkDocs converts the site's pages.

A cold build formats every cited entry (about 1 ms each with pybtex, most of a cold build's own
cost), but needs none of them until every page is converted and numbered. When the style formats
each entry on its own (its output does not depend on which other works are cited), a forked
process formats the bibliography's entries during that time, on the machine's second CPU. When
the build needs its first reference, this process takes over the entries the other has not
reached yet (from the far end of the list, so the two never format the same one) and then
receives what the other formatted.

The results only fill the formatter's memory: anything the child did not send (it failed, or
was stopped) is formatted here as before, and a style's problems come back with each entry as
they do from the cache file. So the output is the same with or without this; only the time
differs.

Forking is done only when it is safe and useful: ``os.fork`` exists, the process has one thread
(a lock held by another thread at the fork would stay held in the child: ``mkdocs serve`` runs
its server in threads, so a serve rebuild formats in-process), at least two CPUs are available,
and enough entries are missing.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

#: Fewer missing entries than this are formatted in-process when needed (a fork costs more).
MIN_ENTRIES = 64
#: Seconds to wait for the shared claim; the lock is held for a few instructions at a time.
LOCK_TIMEOUT = 5.0

#: One formatted entry: its cache digest, its fields (``FormattedReference`` as a tuple) and the
#: problems the style found, as ``(code, message, severity)``.
Result = tuple[str, tuple[str, ...], tuple[tuple[str, str, str], ...]]


def cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    """A fork is safe here (see the module's notes) and there is a CPU to run it on."""
    return hasattr(os, "fork") and threading.active_count() == 1 and cpus() >= 2


class AheadFormatting:
    """Entries formatted by a forked child, shared out with this process at :meth:`collect`.

    Arguments:
        work: ``(digest, key)`` of each entry to format, in the order the child takes them.
        format_one: Formats one key: returns its :data:`Result` (never raises).
    """

    def __init__(self, work: Sequence[tuple[str, str]], format_one: Callable[[str], Result]):
        import multiprocessing  # only a cold build with enough to format pays for the import

        context = multiprocessing.get_context("fork")
        self._work = list(work)
        self._format_one = format_one
        # Two claims on one list, under one lock: the child takes from the front, this process
        # (once it needs the references) from the back; they stop where they meet.
        self._bounds = context.RawArray("l", [0, len(self._work) - 1])
        self._lock = context.Lock()
        receiver, sender = context.Pipe(duplex=False)
        self._receiver = receiver
        self._process = context.Process(target=self._child, args=(sender,), daemon=True)
        self._process.start()
        sender.close()  # the child holds its end: a dead child means EOF, not a hang
        self._collected: list[Result] | None = None

    def _claim(self, *, front: bool) -> int | None:
        """The next entry to format from one end, or None when none is left."""
        # A child killed while holding the lock must not hang the build: stop sharing then.
        if not self._lock.acquire(timeout=LOCK_TIMEOUT):
            return None
        try:
            low, high = self._bounds[0], self._bounds[1]
            if low > high:
                return None
            if front:
                self._bounds[0] = low + 1
                return int(low)
            self._bounds[1] = high - 1
            return int(high)
        finally:
            self._lock.release()

    def _child(self, sender: Any) -> None:
        results: list[Result] = []
        try:
            while (index := self._claim(front=True)) is not None:
                results.append(self._format_one(self._work[index][1]))
        finally:
            # Whatever was formatted goes back, even after an unexpected error: the parent
            # formats the rest itself.
            sender.send(results)
            sender.close()

    def collect(self) -> list[Result]:
        """Format what the child has not reached, then return everything both formatted."""
        if self._collected is not None:
            return self._collected
        results: list[Result] = []
        while self._process.is_alive() and (index := self._claim(front=False)) is not None:
            results.append(self._format_one(self._work[index][1]))
        try:
            results += self._receiver.recv()
        except (EOFError, OSError):
            pass  # the child died without sending: its entries are formatted when asked for
        finally:
            self._receiver.close()
            self._process.join()
        self._collected = results
        return results
