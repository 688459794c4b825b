"""Jobs shared between a build and one forked child: each done once, none lost."""

from __future__ import annotations

import os
import time

import pytest
from monograph.core import parallel
from monograph.core.parallel import SharedWork, StreamedWork


def test_every_job_is_done_once_by_one_of_the_two_processes() -> None:
    parent = os.getpid()
    jobs = list(range(400))
    shared = SharedWork(jobs, lambda n: (n * n, os.getpid() == parent))
    results = shared.collect()
    assert sorted(index for index, _ in results) == jobs
    assert all(square == jobs[index] ** 2 for index, (square, _) in results)
    assert shared.collect() is results  # collected once


def test_a_child_that_dies_sends_nothing_and_the_caller_sees_what_is_missing() -> None:
    parent = os.getpid()

    def work(n: int) -> int:
        if os.getpid() != parent:
            os._exit(3)  # the child dies on its first job
        return n + 1

    shared = SharedWork(list(range(50)), work)
    shared._process.join(timeout=30)  # the child claims job 0 and dies on it
    assert shared._process.exitcode == 3
    # Nothing came back, and the parent took no job once the child was gone: the caller
    # formats each job whose index is missing, as it would without a second process.
    assert shared.collect() == []


@pytest.mark.parametrize("child_dies", [False, True])
def test_a_first_job_is_done_once_and_taken_here(child_dies: bool) -> None:
    """The first job comes before the caller's, whose indices are their own; its result is
    taken here, from the child or, when the child sent nothing, done here."""
    parent = os.getpid()
    taken: list[object] = []

    def first() -> tuple[str, bool]:
        if child_dies and os.getpid() != parent:
            os._exit(3)
        return "first", os.getpid() == parent

    shared = SharedWork(list(range(40)), lambda n: n + 1, (first, taken.append))
    results = shared.collect()
    assert all(result == index + 1 for index, result in results)  # the caller's own indices
    if child_dies:  # it died on the first job: done here (what the child left, the caller does)
        assert taken == [("first", True)]
    else:
        assert len(taken) == 1 and taken[0][0] == "first"  # type: ignore[index]
        assert sorted(index for index, _ in results) == list(range(40))


def test_no_fork_with_one_cpu_or_a_second_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "cpus", lambda: 2)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)
    assert parallel.can_fork() is True
    monkeypatch.setattr(parallel, "cpus", lambda: 1)
    assert parallel.can_fork() is False
    monkeypatch.setattr(parallel, "cpus", lambda: 2)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 3)
    assert parallel.can_fork() is False


def test_a_job_that_raises_in_the_child_is_left_to_the_caller_without_a_traceback(
    capfd: pytest.CaptureFixture[str],
) -> None:
    parent = os.getpid()

    def work(n: int) -> int:
        if os.getpid() != parent:
            raise ValueError("broken in the child")
        return n

    shared = SharedWork(list(range(20)), work)
    shared._process.join(timeout=30)
    assert shared._process.exitcode == 0  # ended its share quietly
    assert shared.collect() == []
    assert "Traceback" not in capfd.readouterr().err


def test_a_job_that_raises_here_stops_the_child() -> None:
    parent = os.getpid()

    def work(n: int) -> int:
        if os.getpid() == parent:
            raise ValueError("broken")
        time.sleep(0.05)  # the child is still at work when the build stops
        return n

    shared = SharedWork(list(range(200)), work)
    with pytest.raises(ValueError, match="broken"):
        shared.collect()
    shared._process.join(timeout=30)
    assert not shared._process.is_alive()


# StreamedWork: the child does the jobs in order and sends each at once; results are taken one
# at a time, in about that order, while this process does other work.


def _by_whom(
    jobs: int, *, child_time: float = 0.0, head_start: float = 0.0
) -> tuple[list[tuple[int, bool]], StreamedWork[int, tuple[int, bool]]]:
    """Take every job's result in order: each says whether this process did it."""
    parent = os.getpid()

    def work(n: int) -> tuple[int, bool]:
        if os.getpid() != parent:
            time.sleep(child_time)
        return n * n, os.getpid() == parent

    streamed = StreamedWork(list(range(jobs)), work)
    time.sleep(head_start)
    return [streamed.take(n) for n in range(jobs)], streamed


def test_streamed_results_come_in_the_order_asked_each_job_done_once() -> None:
    results, streamed = _by_whom(300, head_start=0.05)
    assert [square for square, _ in results] == [n * n for n in range(300)]
    assert streamed._results == {}  # nothing left over: every job was taken once
    streamed.close()


def test_a_slow_child_leaves_the_back_of_the_list_to_this_process() -> None:
    """While the child does the job asked for, this process takes jobs from the back."""
    results, streamed = _by_whom(60, child_time=0.02, head_start=0.1)
    here = [n for n, (_, in_parent) in enumerate(results) if in_parent]
    child = [n for n, (_, in_parent) in enumerate(results) if not in_parent]
    assert child and child[0] == 0  # the child starts at the front
    assert here and here[-1] == 59  # this process from the back
    assert max(child) < min(here)  # they met once, in the middle
    streamed.close()


def test_a_streamed_job_taken_before_the_child_reaches_it_is_done_here() -> None:
    parent = os.getpid()

    def work(n: int) -> tuple[int, bool]:
        if os.getpid() != parent:
            time.sleep(0.05)
        return n, os.getpid() == parent

    streamed = StreamedWork(list(range(50)), work)
    assert streamed.take(49) == (49, True)  # the child is still at the front
    assert [streamed.take(n)[0] for n in range(49)] == list(range(49))
    streamed.close()


def test_a_child_that_dies_leaves_its_streamed_jobs_to_this_process() -> None:
    parent = os.getpid()

    def work(n: int) -> tuple[int, bool]:
        if os.getpid() != parent and n == 5:
            os._exit(3)  # the child dies on its sixth job, after sending five
        return n, os.getpid() == parent

    streamed = StreamedWork(list(range(30)), work)
    streamed._process.join(timeout=30)
    assert streamed._process.exitcode == 3
    results = [streamed.take(n) for n in range(30)]
    assert [n for n, _ in results] == list(range(30))
    assert [in_parent for _, in_parent in results[:5]] == [False] * 5
    assert all(in_parent for _, in_parent in results[5:])  # job 5 included: claimed, never sent


def test_a_streamed_job_that_raises_here_stops_the_child() -> None:
    parent = os.getpid()

    def work(n: int) -> int:
        if os.getpid() == parent:
            raise ValueError("broken")
        time.sleep(0.05)
        return n

    streamed = StreamedWork(list(range(200)), work)
    with pytest.raises(ValueError, match="broken"):
        for n in range(200):
            streamed.take(n)
    streamed._process.join(timeout=30)
    assert not streamed._process.is_alive()


def test_background_messages_arrive_in_order_and_then_none() -> None:
    parent = os.getpid()

    def work(send: object) -> None:
        for n in range(5):
            send((n, os.getpid() != parent))  # type: ignore[operator]

    child = parallel.Background(work)
    assert [child.receive() for _ in range(5)] == [(n, True) for n in range(5)]
    assert child.receive() is None  # the child ended: nothing more
    assert child.ready() and child.receive() is None
    child.close()


def test_a_background_child_goes_on_while_its_large_message_waits_to_be_read(
    tmp_path: object,
) -> None:
    """A message larger than a pipe holds (64 KiB on Linux) is sent from a thread of the child:
    the child's work goes on before this process reads anything."""
    from pathlib import Path

    done = Path(str(tmp_path)) / "went-on"
    big = "x" * 4_000_000

    def work(send: object) -> None:
        send(big)  # type: ignore[operator]
        done.write_text("yes", encoding="utf-8")  # reached although nothing is read yet
        send("last")  # type: ignore[operator]

    child = parallel.Background(work)
    for _ in range(3000):  # a guard against a hang only (at most a minute): no timing asserted
        if done.exists():
            break
        time.sleep(0.02)
    assert done.exists()
    assert child.receive() == big and child.receive() == "last"
    child.close()


def test_a_background_child_that_fails_or_dies_sends_what_it_sent_and_then_none() -> None:
    def failing(send: object) -> None:
        send("one")  # type: ignore[operator]
        raise RuntimeError("no traceback from the child: the caller does the rest")

    child = parallel.Background(failing)
    assert child.receive() == "one" and child.receive() is None
    child.close()

    dying = parallel.Background(lambda send: os._exit(3))
    assert dying.receive() is None
    dying.close()
    assert dying._process.exitcode == 3


def test_a_background_child_is_stopped_at_once() -> None:
    def forever(send: object) -> None:
        while True:
            time.sleep(0.05)

    child = parallel.Background(forever)
    child.stop()
    assert not child._process.is_alive() and child.receive() is None
