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
import urllib.error
import urllib.request
from collections.abc import Callable
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


@dataclass(frozen=True)
class Edit:
    """One kind of save during ``mkdocs serve``, and how to see that its result is served.

    Attributes:
        path: The file saved (a page, or the .bib).
        change: Original text and edit number -> the text saved; each edit must differ.
        url: The page that must show the change, relative to the site root (``a/b/``).
        proof: Edit number -> text that the rebuilt page holds (compared case-insensitively).
    """

    path: Path
    change: Callable[[str, int], str]
    url: str
    proof: Callable[[int], str]


@dataclass(frozen=True)
class ServedSample:
    """One save during ``mkdocs serve``.

    Attributes:
        first_build: Seconds MkDocs reported for the initial build.
        seconds: Wall time from writing the file to the first HTTP response of ``url`` that holds
            the change (file watcher, MkDocs' debounce, the rebuild, serving).
        reported: Seconds MkDocs reported for that rebuild (0 when it said nothing).
    """

    first_build: float
    seconds: float
    reported: float


def _fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body: bytes = response.read()
            return body.decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return ""  # 404 while the site directory is rewritten, or the server is busy


_SERVING = re.compile(r"Serving on (http://\S+)")


def _serving_url(lines: queue.Queue[tuple[float, str]], timeout: float) -> str:
    deadline = time.perf_counter() + timeout
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise CommandFailed(f"no 'Serving on' line within {timeout:.0f} s")
        _at, line = lines.get(timeout=remaining)
        match = _SERVING.search(line)
        if match:
            return match.group(1).rstrip("/") + "/"


def _reported(lines: queue.Queue[tuple[float, str]], timeout: float) -> float:
    try:
        return _next_build(lines, timeout)[1]
    except (CommandFailed, queue.Empty):
        return 0.0


def serve_latency(
    mkdocs: Path,
    config: Path,
    edit: Edit,
    *,
    edits: int = 3,
    poll: float = 0.02,
    timeout: float = 600.0,
) -> list[ServedSample]:
    """Start ``mkdocs serve``, then save ``edit.path`` ``edits`` times; time each until served.

    After each save the page is fetched every ``poll`` seconds until it holds the change. The
    file is restored (content and modification time) and the server stopped (by its own pid).
    """
    original, stat = edit.path.read_text("utf-8"), edit.path.stat()
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
        # "Serving on http://127.0.0.1:PORT/path/" follows: the path is site_url's.
        url = _serving_url(lines, 60.0) + edit.url
        for number in range(edits):
            time.sleep(1.5)  # let the watcher settle after the previous build
            while not lines.empty():
                lines.get_nowait()
            proof = edit.proof(number).lower()
            changed = edit.change(original, number)
            start = time.perf_counter()
            edit.path.write_text(changed, "utf-8")
            while proof not in _fetch(url).lower():
                if time.perf_counter() - start > timeout:
                    raise CommandFailed(f"{url} did not show {proof!r} within {timeout:.0f} s")
                time.sleep(poll)
            seconds = time.perf_counter() - start
            samples.append(ServedSample(first, seconds, _reported(lines, 5.0)))
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        edit.path.write_text(original, "utf-8")
        os.utime(edit.path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return samples


def page_edit(page: Path, url: str) -> Edit:
    """Append a sentence to ``page`` (a new one each time)."""
    return Edit(
        page,
        lambda text, n: text + f"\n\nServe benchmark sentence zqpage{n}x.\n",
        url,
        lambda n: f"zqpage{n}x",
    )


def bib_edit(bib: Path, key: str, url: str) -> Edit:
    """Put a new word at the start of the title of entry ``key`` in ``bib``.

    Raises:
        ValueError: The entry or its ``title = {`` is not in the file.
    """
    text = bib.read_text("utf-8")
    entry = re.search(r"@\w+\s*\{\s*" + re.escape(key) + r"\s*,", text, re.IGNORECASE)
    if entry is None:
        raise ValueError(f"no entry {key!r} in {bib}")
    title = re.compile(r"\btitle\s*=\s*\{", re.IGNORECASE).search(text, entry.end())
    if title is None:
        raise ValueError(f"entry {key!r} has no 'title = {{' in {bib}")
    at = title.end()

    def change(original: str, number: int) -> str:
        return original[:at] + f"zqbib{number}x " + original[at:]

    return Edit(bib, change, url, lambda n: f"zqbib{n}x")
