"""Time one command in a fresh process, and one ``mkdocs serve`` rebuild.

Wall time is measured around the child process; peak memory is the child's own maximum resident
set size, from ``os.wait4`` (``ru_maxrss``, KiB on Linux), so nothing else on the machine counts.
"""

from __future__ import annotations

import os
import queue
import re
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_BUILT = re.compile(r"Documentation built in ([\d.]+) seconds")


class CommandFailed(RuntimeError):
    """A timed command exited with an unexpected status."""


@dataclass(frozen=True)
class Sample:
    """One run of a command.

    Attributes:
        seconds: Wall-clock time.
        rss_mib: Peak resident set size of the process, MiB.
        status: Exit status.
        cpu: User plus system CPU seconds of the process (less sensitive to other load).
        load: The 1-minute load average when the run started (other work on the machine).
    """

    seconds: float
    rss_mib: float
    status: int
    cpu: float = 0.0
    load: float = 0.0


def run_timed(command: list[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> tuple[Sample, str]:
    """Run ``command`` in ``cwd`` in a fresh process; return its sample and its output.

    Raises:
        CommandFailed: The exit status is not in ``ok``.
    """
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if process.returncode not in ok:
        tail = "\n".join(text.splitlines()[-20:])
        raise CommandFailed(f"{' '.join(command)} exited {process.returncode} in {cwd}:\n{tail}")
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(seconds, usage.ru_maxrss / 1024, process.returncode, cpu, load), text


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class ServeSample:
    """One ``mkdocs serve`` rebuild.

    Attributes:
        first_build: Seconds MkDocs reported for the initial build.
        seconds: Wall time from the page edit to the "Documentation built" line of the rebuild
            (includes MkDocs' 0.1 s debounce and the file watcher's latency).
        reported: Seconds MkDocs reported for the rebuild itself.
    """

    first_build: float
    seconds: float
    reported: float


def _reader(stream: object, lines: queue.Queue[tuple[float, str]]) -> None:
    for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
        lines.put((time.perf_counter(), raw.decode("utf-8", "replace")))


def _next_build(lines: queue.Queue[tuple[float, str]], timeout: float) -> tuple[float, float]:
    deadline = time.perf_counter() + timeout
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise CommandFailed(f"no 'Documentation built' line within {timeout:.0f} s")
        at, line = lines.get(timeout=remaining)
        match = _BUILT.search(line)
        if match:
            return at, float(match.group(1))


def serve_rebuilds(
    mkdocs: Path, config: Path, page: Path, edits: int = 3, timeout: float = 900.0
) -> list[ServeSample]:
    """Start ``mkdocs serve``, wait for its build, then edit ``page`` ``edits`` times.

    Each edit appends a sentence to the page and waits for the rebuild's log line. The page is
    restored (content and modification time) and the server stopped (by its own pid) afterwards.
    """
    original, stat = page.read_bytes(), page.stat()
    port = free_port()
    command = [str(mkdocs), "serve", "-f", str(config), "-a", f"127.0.0.1:{port}"]
    process = subprocess.Popen(
        command, cwd=config.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    lines: queue.Queue[tuple[float, str]] = queue.Queue()
    threading.Thread(target=_reader, args=(process.stdout, lines), daemon=True).start()
    samples = []
    try:
        _at, first = _next_build(lines, timeout)
        for edit in range(edits):
            time.sleep(1.0)  # let the watcher settle after the previous build
            start = time.perf_counter()
            page.write_bytes(original + f"\n\nEdited for the benchmark ({edit}).\n".encode())
            at, reported = _next_build(lines, timeout)
            samples.append(ServeSample(first, at - start, reported))
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        page.write_bytes(original)
        # The old mtime too, so the built sites do not look stale to the link checker.
        os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return samples
