"""Formatted references, each formatted once and cached by the content hash of its entry.

Formatting is the expensive part of a citation build (about 1 ms an entry with pybtex), so an
entry is formatted only when cited, only once per process, and, with a cache file, only once ever
for a given BibTeX source and style version.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar

import pybtex
from pybtex.backends.html import Backend as HtmlBackend
from pybtex.backends.plaintext import Backend as TextBackend
from pybtex.exceptions import PybtexError
from pybtex.richtext import Text

from ..bibliography.loading import Bibliography
from .vancouver import STYLE_VERSION, VancouverStyle, identifier_links, latex_markup, plain_text


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
_VERSION = f"{STYLE_VERSION}/pybtex-{pybtex.__version__}"


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
        rich = latex_markup(_STYLE.format_entry(key, entry).text)
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

    def __init__(self, bib: Bibliography, cache_file: Path | None = None) -> None:
        self.bib = bib
        self.cache_file = cache_file
        self._disk: dict[str, dict[str, str]] = self._read_disk()
        self._dirty = False
        self.formatted = 0  # entries actually formatted by pybtex in this run (for benchmarks)

    def _read_disk(self) -> dict[str, dict[str, str]]:
        if self.cache_file is None or not self.cache_file.is_file():
            return {}
        try:
            data = json.loads(self.cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # a corrupt cache is rebuilt, never trusted
        return data.get("entries", {}) if data.get("version") == _VERSION else {}

    def _digest(self, key: str) -> str:
        raw = self.bib.digests.get(key.lower(), key)
        return hashlib.sha256(f"{_VERSION}\n{raw}".encode()).hexdigest()

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
