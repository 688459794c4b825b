"""Jobs shared between a build and one forked child: each done once, none lost."""

from __future__ import annotations

import os
import time

import pytest
from monograph.core import parallel
from monograph.core.parallel import SharedWork


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
