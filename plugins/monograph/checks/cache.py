"""A JSON cache of successful external checks, so a rerun within the time-to-live is cheap.

Only successes are stored: a failure is checked again on the next run, so a fixed link clears at
once and a flaky server gets another chance. The file (default ``.cache/monograph/links.json``) is
a plain object ``{"version": 1, "entries": {key: {"checked": epoch seconds, ...}}}``; keys are
``url:<url>``, ``doi:<doi>`` and ``pmid:<pmid>``. A corrupt file is ignored and rewritten.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

_VERSION = 1


class LinkCache:
    """Successful checks with the time they were made.

    Arguments:
        path: The JSON file (created on :meth:`save`).
        ttl_seconds: How long an entry is trusted; 0 disables reading.
        now: Clock, replaceable in tests.
    """

    def __init__(self, path: Path, ttl_seconds: float, now: Any = time.time) -> None:
        self.path = path
        self.ttl = ttl_seconds
        self._now = now
        self.entries: dict[str, dict[str, Any]] = self._load()
        self.hits = 0

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != _VERSION:
            return {}
        entries = data.get("entries")
        if not isinstance(entries, dict):
            return {}
        return {k: v for k, v in entries.items() if isinstance(v, dict) and "checked" in v}

    def get(self, key: str) -> dict[str, Any] | None:
        """Return the stored success for ``key`` while it is younger than the time-to-live.

        Arguments:
            key: ``url:...``, ``doi:...`` or ``pmid:...``.

        Returns:
            The stored record, or ``None`` when absent or expired.
        """
        record = self.entries.get(key)
        if record is None or self.ttl <= 0:
            return None
        checked = record.get("checked")
        if not isinstance(checked, int | float) or self._now() - checked > self.ttl:
            return None
        self.hits += 1
        return record

    def put(self, key: str, **details: Any) -> None:
        """Record a success now.

        Arguments:
            key: ``url:...``, ``doi:...`` or ``pmid:...``.
            **details: JSON-serialisable facts to keep (the final URL of a redirect, ...).
        """
        self.entries[key] = {"checked": self._now(), **details}

    def save(self) -> None:
        """Write the cache atomically, dropping expired entries."""
        now = self._now()
        fresh = {k: v for k, v in self.entries.items() if now - float(v["checked"]) <= self.ttl}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump({"version": _VERSION, "entries": fresh}, stream, indent=1, sort_keys=True)
        os.replace(temporary, self.path)
