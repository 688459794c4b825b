"""Formatted references, each formatted once and cached by the content hash of its entry.

Formatting is the expensive part of a citation build (about 1 ms an entry with pybtex), so an
entry is formatted only when cited, only once per process, and, with a cache file, only once ever
for a given BibTeX source and style version.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, ClassVar

import pybtex
from pybtex.backends.html import Backend as HtmlBackend
from pybtex.backends.plaintext import Backend as TextBackend
from pybtex.exceptions import PybtexError
from pybtex.richtext import Text

from ..bibliography.loading import Bibliography
from .latex import plain_text
from .vancouver import STYLE_VERSION, VancouverStyle, identifier_links


class SafeHtmlBackend(HtmlBackend):  # type: ignore[misc]
    """pybtex's HTML backend, minus the stray ``bibtex-protected`` spans, with escaped URLs."""

    symbols: ClassVar[dict[str, str]] = {**HtmlBackend.symbols, "newblock": " "}

    def format_protected(self, text: str) -> str:
        """Braces only protect capitalisation in BibTeX; they carry no meaning on the web."""
        return text

    @staticmethod
    def format_href(url: str, text: str, external: bool = False) -> str:
        """Links with the URL escaped (pybtex inserts it verbatim)."""
        return f'<a href="{html.escape(url, quote=True)}">{text}</a>' if text else ""


@dataclass(frozen=True)
class FormattedReference:
    r"""One entry, formatted.

    Attributes:
        html: The reference as HTML (escaped text, ``<em>`` where BibTeX has ``\\emph``, links).
        text: The same as plain text, for tooltips.
        narrative: Author names for a narrative citation ("Cuellar and Ratcliffe").
        note: The entry's ``note`` field as plain text.
    """

    html: str
    text: str
    narrative: str
    note: str


_MEMORY: dict[str, FormattedReference] = {}
_STYLE = VancouverStyle()
_FIELDS = frozenset(f.name for f in fields(FormattedReference))


def _engine_digest() -> str:
    """A hash of the modules that decide how an entry is formatted (the engine's version)."""
    from .. import links
    from . import latex, vancouver  # their files, not their contents

    digest = hashlib.sha256()
    for module in (latex, links, vancouver):
        digest.update(Path(module.__file__ or "").read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


_VERSION = f"{STYLE_VERSION}/pybtex-{pybtex.__version__}/engine-{_engine_digest()}"


def _narrative(bib: Bibliography, key: str) -> str:
    entry = bib.entry(key)
    persons = list(entry.persons.get("author") or entry.persons.get("editor") or ())
    surnames = [
        " ".join(plain_text(n) for n in p.prelast_names + p.last_names)
        for p in persons
        if str(p) != "others"
    ]
    if not surnames:
        return plain_text(str(entry.fields.get("title", key)))
    if len(surnames) == 1 and len(persons) == 1:
        return surnames[0]
    if len(surnames) == 2 and len(persons) == 2:
        return f"{surnames[0]} and {surnames[1]}"
    return f"{surnames[0]} et al."


def format_reference(bib: Bibliography, key: str) -> FormattedReference:
    """Format one entry (no caching); a missing field degrades to what the entry has."""
    entry = bib.entry(key)
    try:
        rich = _STYLE.format_entry(key, entry).text
    except PybtexError:  # reported by check_required_fields; never crash a build on it
        rich = Text(plain_text(str(entry.fields.get("title", key))), ".")
    links = identifier_links(entry.fields)
    full = Text(rich, " ", links) if links else rich
    note = plain_text(str(entry.fields.get("note", "")))
    return FormattedReference(
        html=full.render(SafeHtmlBackend()),
        text=full.render(TextBackend()),
        narrative=_narrative(bib, key),
        note=note,
    )


class ReferenceFormatter:
    """Formats cited entries on demand, backed by memory and an optional JSON cache file."""

    def __init__(
        self,
        bib: Bibliography,
        cache_file: Path | None = None,
        debug: Callable[[str], None] | None = None,
    ) -> None:
        self.bib = bib
        self.cache_file = cache_file
        self._debug = debug or (lambda message: None)
        self._dirty = False
        self._disk: dict[str, dict[str, str]] = self._read_disk()
        self.formatted = 0  # entries actually formatted by pybtex in this run (for benchmarks)

    def _read_disk(self) -> dict[str, dict[str, str]]:
        """The cache file's entries; anything unreadable or of the wrong shape is discarded."""
        if self.cache_file is None or not self.cache_file.is_file():
            return {}
        try:
            data = json.loads(self.cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            self._debug(f"reference cache {self.cache_file} unreadable ({exc}); rebuilding it")
            return {}
        if not isinstance(data, dict) or data.get("version") != _VERSION:
            self._debug(f"reference cache {self.cache_file} is from another version; rebuilding it")
            return {}
        entries = data.get("entries")
        if not isinstance(entries, dict):
            self._debug(f"reference cache {self.cache_file} has no entries table; rebuilding it")
            return {}
        kept = {
            digest: stored
            for digest, stored in entries.items()
            if isinstance(stored, dict)
            and set(stored) == _FIELDS
            and all(isinstance(value, str) for value in stored.values())
        }
        if len(kept) != len(entries):
            self._debug(
                f"reference cache {self.cache_file}: {len(entries) - len(kept)} ill-shaped "
                "entries discarded"
            )
            self._dirty = True
        return kept

    def _digest(self, key: str) -> str:
        """The cache key: the entry's digest (fields after macros and crossref) and versions."""
        entry = self.bib.digests.get(key.lower(), key)
        return hashlib.sha256(f"{_VERSION}\n{key}\n{entry}".encode()).hexdigest()

    def get(self, key: str) -> FormattedReference:
        """Return the formatted reference for ``key`` (which must exist)."""
        digest = self._digest(key)
        if digest in _MEMORY:
            return _MEMORY[digest]
        stored = self._disk.get(digest)
        if stored is not None:
            ref = FormattedReference(**stored)
        else:
            ref = format_reference(self.bib, key)
            self.formatted += 1
            self._disk[digest] = asdict(ref)
            self._dirty = True
        _MEMORY[digest] = ref
        return ref

    def save(self) -> None:
        """Write the cache file if anything new was formatted (never fails the build)."""
        if self.cache_file is None or not self._dirty:
            return
        payload: dict[str, Any] = {"version": _VERSION, "entries": self._disk}
        try:
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(payload, sort_keys=True), encoding="utf-8")
            tmp.replace(self.cache_file)
        except OSError:
            return  # a read-only checkout still builds; it just formats again next time
        self._dirty = False
