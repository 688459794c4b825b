"""One list of independent jobs, shared between this process and one forked child.

A build is one Python process, so it uses one CPU. Two of its steps are many independent jobs of
about a millisecond each: formatting entries (:mod:`.styles.ahead`) and filling pages
(:mod:`monograph.adapter.fill`). :class:`SharedWork` forks a child that takes jobs from the front
of the list; this process takes jobs from the back when it calls :meth:`SharedWork.collect`, then
receives the child's results. Each job is done once, by one of the two.

Jobs must be pure: what a job changes in the child's memory is lost, only its result comes back
(pickled). Whatever the child does not send (it died, or was stopped) is done here.

A fork is made only when it is safe and useful (:func:`can_fork`): on Linux (macOS system
libraries may crash in a forked child, which is why Python stopped forking there by default;
Windows has no fork), in a process that runs one thread (a lock held by another thread at the
fork would stay held in the child; ``mkdocs serve`` runs its server in threads, so serve rebuilds
stay in one process), and with at least two CPUs available. Python's ``multiprocessing`` with
the ``fork`` start method does the process and pipe handling; a process pool is not used,
because its workers would have to import the engine and receive the parsed bibliography, which
is what the fork gives for free.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")

#: A job done before the list's (a fresh parse's checks and snapshot): its work, and what takes
#: its result in this process.
First = tuple[Callable[[], object], Callable[[object], None]]

_FIRST: Any = object()  # stands for the first job in the list the two processes share

#: Seconds to wait for the shared claim; the lock is held for a few instructions at a time.
LOCK_TIMEOUT = 5.0


def cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    """A fork is safe here (see the module's notes) and there is a CPU to run it on."""
    return (
        sys.platform.startswith("linux")
        and hasattr(os, "fork")
        and threading.active_count() == 1
        and cpus() >= 2
    )


def _fork(context: Any, child: Callable[[Any], None]) -> tuple[Any, Any]:
    """Start ``child(sender)`` in a forked process; return it and this process's end of the pipe.

    ``context``: multiprocessing's fork context, with which the caller made what the child
    shares (locks, arrays) before the fork.
    """
    receiver, sender = context.Pipe(duplex=False)
    for stream in (sys.stdout, sys.stderr):  # the child must not write their buffers again
        stream.flush()
    process = context.Process(target=child, args=(sender,), daemon=True)
    process.start()
    sender.close()  # the child holds its end: a dead child means EOF, not a hang
    return process, receiver


class SharedWork(Generic[Job, Result]):
    """Jobs done by a forked child from the front of the list and by this process from the back.

    Arguments:
        jobs: The jobs, in the order the child takes them.
        work: Does one job. An exception in the child ends its share silently (the caller does
            the jobs without a result, and reports the error as it would without a child); in
            this process it stops the child and propagates.
        first: A job the child does before the others, and what takes its result in this
            process (:meth:`collect`); done here when the child did not send it.
    """

    def __init__(
        self, jobs: Sequence[Job], work: Callable[[Job], Result], first: First | None = None
    ) -> None:
        import multiprocessing  # only a build with enough work pays for the import

        context = multiprocessing.get_context("fork")
        self._first = first
        self._jobs: list[Any] = [_FIRST] if first is not None else []
        self._jobs += jobs
        self._work = work
        # Two claims on one list, under one lock: the child takes from the front, this process
        # from the back; they stop where they meet.
        self._bounds = context.RawArray("l", [0, len(self._jobs) - 1])
        self._lock = context.Lock()
        self._process, self._receiver = _fork(context, self._child)
        self._collected: list[tuple[int, Result]] | None = None

    def _claim(self, *, front: bool) -> int | None:
        """The next job from one end, or None when none is left."""
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
        results: list[tuple[int, Result]] = []
        try:
            while (index := self._claim(front=True)) is not None:
                results.append((index, self._do(index)))
        except Exception:  # no traceback here: the build does the job
            pass  # again and reports what fails, with its own messages
        finally:
            # Whatever was done goes back, even after an unexpected error.
            sender.send(results)
            sender.close()

    def collect(self) -> list[tuple[int, Result]]:
        """Do the jobs the child has not reached, then return every ``(index, result)``.

        A job the child claimed but did not finish (it died) has no result: the caller does it.
        """
        if self._collected is not None:
            return self._collected
        results: list[tuple[int, Result]] = []
        try:
            while self._process.is_alive() and (index := self._claim(front=False)) is not None:
                results.append((index, self._do(index)))
        except BaseException:
            self._process.terminate()  # the build stops: so does the child
            self._receiver.close()
            raise
        try:
            results += self._receiver.recv()
        except (EOFError, OSError):
            pass  # the child died without sending: the caller does its jobs
        finally:
            self._receiver.close()
            self._process.join()
        if self._first is not None:
            work, take = self._first
            firsts = [result for index, result in results if index == 0]
            take(firsts[0] if firsts else work())
            results = [(index - 1, result) for index, result in results if index != 0]
        self._collected = results
        return results

    def _do(self, index: int) -> Any:
        """Do job ``index`` of the shared list (the first job, or one of the caller's)."""
        job = self._jobs[index]
        if job is _FIRST:
            assert self._first is not None
            return self._first[0]()
        return self._work(job)


class StreamedWork(Generic[Job, Result]):
    """Jobs a forked child does in list order while this process goes on with other work.

    The child sends each result as soon as it is done. This process asks for results one at a
    time (:meth:`take`), in about the order of the list, when it needs them: a job the child has
    not started is done here instead (the child then skips it); while the child is doing the job
    asked for, this process does jobs from the back of the list (as :class:`SharedWork` does), so
    neither process waits while there is work left. The adapter fills pages this way while MkDocs
    writes the pages before them.

    Arguments:
        jobs: The jobs, in the order the child does them.
        work: Does one job. An exception in the child ends its share (the jobs it did not send
            are done here, where the error is raised and reported as without a child).
    """

    _FREE, _CHILD, _HERE = 0, 1, 2

    def __init__(self, jobs: Sequence[Job], work: Callable[[Job], Result]) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._jobs = list(jobs)
        self._work = work
        #: Who does each job; set once, under the lock.
        self._claims = context.RawArray("b", len(self._jobs))
        self._lock = context.Lock()
        self._results: dict[int, Result] = {}
        self._open = True  # the child may still send
        self._back = len(self._jobs) - 1  # no job after this one is free
        self._process, self._receiver = _fork(context, self._child)

    def _claim(self, index: int, who: int) -> bool:
        """Claim job ``index`` for ``who``; False when it is claimed already (or the lock hangs)."""
        if not self._lock.acquire(timeout=LOCK_TIMEOUT):
            return False
        try:
            if self._claims[index] != self._FREE:
                return False
            self._claims[index] = who
            return True
        finally:
            self._lock.release()

    def _child(self, sender: Any) -> None:
        try:
            for index, job in enumerate(self._jobs):
                if self._claim(index, self._CHILD):
                    sender.send((index, self._work(job)))
        except Exception:  # the job is done again here, which reports the error
            pass
        finally:
            sender.close()

    def _receive(self, *, wait: bool) -> None:
        """Take the results the child has sent (``wait``: at least one, or its end)."""
        while self._open and (wait or self._receiver.poll()):
            wait = False
            try:
                index, result = self._receiver.recv()
            except (EOFError, OSError):  # the child is done, or died
                self.close()
                return
            self._results[index] = result

    def _claim_last(self) -> int | None:
        """Claim the last free job for this process; None when no job is free."""
        while self._back >= 0:
            index, self._back = self._back, self._back - 1
            if self._claim(index, self._HERE):
                return index
        return None

    def _do(self, index: int) -> Result:
        try:
            return self._work(self._jobs[index])
        except BaseException:
            self.close()  # the build stops: so does the child
            raise

    def take(self, index: int) -> Result:
        """The result of job ``index``: the child's, or done here now."""
        self._receive(wait=False)  # empty the pipe, so the child never waits for this process
        while index not in self._results:
            if not self._open or self._claim(index, self._HERE):
                return self._do(index)
            # The child is doing it: meanwhile, a job from the back, or wait for the child.
            if self._receiver.poll() or (last := self._claim_last()) is None:
                self._receive(wait=True)
            else:
                self._results[last] = self._do(last)
        return self._results.pop(index)

    def close(self) -> None:
        """Stop the child, if it is still running, and let it go."""
        if not self._open:
            return
        self._open = False
        if self._process.is_alive():
            self._process.terminate()
        self._receiver.close()
        self._process.join()


_END: Any = object()  # the end of a Background child's messages


class Background:
    """One piece of work done by a forked child from start to end, its messages read here in order.

    The child runs ``work(send)``; each ``send(message)`` is pickled to this process at once, so
    this process can take the first message (:meth:`receive`) while the child goes on. Whatever the
    child did not send (it failed, or died) is simply not received: :meth:`receive` then returns
    None, and the caller does the rest itself, as without a child. An exception in the child
    ends its work silently for the same reason: the caller meets it again and reports it.

    Arguments:
        work: What the child does; ``send`` hands a message to this process.
    """

    def __init__(self, work: Callable[[Callable[[object], None]], None]) -> None:
        import multiprocessing

        self._work = work
        self._open = True
        self._process, self._receiver = _fork(multiprocessing.get_context("fork"), self._child)

    def _child(self, sender: Any) -> None:
        # Messages go out from a thread of the child's own: a message larger than the pipe holds
        # would otherwise stop the work until this process reads it, which may be much later.
        # (The child forks nothing, so its threads are safe.)
        import queue

        outbox: queue.SimpleQueue[object] = queue.SimpleQueue()

        def post() -> None:
            try:
                while (message := outbox.get()) is not _END:
                    sender.send(message)
            except OSError:  # this process stopped reading: nothing more to send
                pass

        thread = threading.Thread(target=post, daemon=True)
        thread.start()
        try:
            self._work(outbox.put)
        except Exception:  # no traceback here: the caller does the work again and reports
            pass
        finally:
            outbox.put(_END)
            thread.join()
            sender.close()

    def ready(self) -> bool:
        """A message (or the child's end) is waiting: :meth:`receive` would not block."""
        return not self._open or self._receiver.poll()

    def receive(self) -> object | None:
        """The child's next message, waiting for it; None once the child ended without more."""
        if not self._open:
            return None
        try:
            message: object = self._receiver.recv()
        except (EOFError, OSError):  # the child is done, or died
            self.close()
            return None
        return message

    def close(self) -> None:
        """Wait for the child to end, and let it go.

        What the child does after its last message (writing a cache file) is finished then.
        """
        if not self._open:
            return
        self._open = False
        self._receiver.close()
        self._process.join()

    def stop(self) -> None:
        """Stop the child now (the build stopped), and let it go."""
        if self._open and self._process.is_alive():
            self._process.terminate()
        self.close()
