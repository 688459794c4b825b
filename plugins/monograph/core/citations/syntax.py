"""Pandoc citation syntax: turn the text of one citation into a :class:`CitationGroup`.

The Markdown extension (``monograph.markdown``) decides *where* a citation is, working on
Python-Markdown's inline tokens, so code, links, e-mail addresses and raw HTML are never seen here.
This module only reads the small string of one citation, e.g. ``see @connor2017, p. 12; @guo2017``.
"""

from __future__ import annotations

import functools
import re

from ..model import CitationGroup, CitationItem

# Pandoc's citation key: starts with a letter, digit or underscore; internal punctuation
# (:.#$%&-+?<>~/) is allowed when followed by a word character, so ``@key.`` ends at ``key``.
KEY = r"[\w](?:[\w]|[:.#$%&\-+?<>~/](?=[\w]))*"
_BRACED_KEY = r"\{[^{}]+\}"

#: One item of a bracketed citation: optional prefix, optional ``-``, ``@key``, optional locator.
_ITEM_RE = re.compile(
    rf"^(?P<prefix>.*?)(?:(?<=\s)|^)(?P<suppress>-?)@(?P<key>{_BRACED_KEY}|{KEY})(?P<rest>.*)$",
    re.DOTALL,
)

#: Where a bracketed citation may start inside Markdown inline text: ``[`` ... ``@key`` ... ``]``
#: not followed by ``(`` or ``[`` (that would be a link) and with no nested brackets.
BRACKET_PATTERN = r"\[(?P<body>[^\[\]]*?-?@[^\[\]]+?)\](?![(\[])"

#: A narrative citation ``@key`` (optionally ``@key [locator]``). The look-behind keeps e-mail
#: addresses, URLs (``/@user``) and escaped text (Python-Markdown's ETX marker) out. It is
#: written after the ``@`` (the character before it, then the ``@`` itself), which matches the
#: same texts as a look-behind before it: a pattern that starts with a literal lets ``re`` skip
#: to the next ``@``, five times faster over a page (Python-Markdown tries it on all text).
NARRATIVE_PATTERN = (
    rf"@(?<![\w@.:/\\\x03]@)(?P<key>{_BRACED_KEY}|{KEY})(?:[ \t]+\[(?P<locator>[^\[\]@]*)\])?"
)


def _clean_key(raw: str) -> str:
    return raw[1:-1] if raw.startswith("{") and raw.endswith("}") else raw


#: An item that is a bare key (``@key``): most items. ``_ITEM_RE`` reads it alike (no prefix,
#: no locator, the same key: the key's steps are taken greedily either way).
_BARE_ITEM_RE = re.compile(rf"@({KEY})")
#: The commonest bare key, all word characters (``@smith2020``): a simpler pattern that reads it
#: as `_BARE_ITEM_RE` does, in half the time.
_WORD_ITEM_RE = re.compile(r"@(\w+)")


def parse_item(text: str) -> CitationItem | None:
    """Parse one ``;``-separated part of a bracketed citation; None if it is not one."""
    text = text.strip()
    bare = _WORD_ITEM_RE.fullmatch(text) or _BARE_ITEM_RE.fullmatch(text)
    if bare is not None:
        return CitationItem.bare(bare.group(1))
    match = _ITEM_RE.match(text)
    if match is None:
        return None
    rest = match.group("rest")
    if rest and not rest[0].isspace() and rest[0] != ",":
        return None  # "@key" glued to more text: not a citation item
    locator = rest.strip()
    if locator.startswith(","):
        locator = locator[1:].strip()
    return CitationItem(
        key=_clean_key(match.group("key")),
        prefix=match.group("prefix").strip(),
        locator=locator,
        suppress_author=match.group("suppress") == "-",
    )


#: Parsed citations by their text: every rebuild under ``mkdocs serve`` meets the same ones
#: again. The groups are frozen, so one is safely shared by every place that reads alike.
_KEPT = 65_536


@functools.lru_cache(maxsize=_KEPT)
def parse_bracketed(body: str, *, source: str = "") -> CitationGroup | None:
    """Parse the inside of ``[...]``; None unless every ``;``-part is a citation item.

    Arguments:
        body: The text between the brackets.
        source: The whole matched text, kept for locating the citation in the file.

    Returns:
        The citation group, or None when the brackets hold something else (Pandoc then treats the
        text as ordinary prose, and so do we).
    """
    if ";" not in body:  # one item: most citations
        item = parse_item(body)
        return None if item is None else CitationGroup.parsed((item,), False, source or f"[{body}]")
    items = []
    for part in body.split(";"):
        item = parse_item(part)
        if item is None:
            return None
        items.append(item)
    return CitationGroup.parsed(tuple(items), False, source or f"[{body}]")


@functools.lru_cache(maxsize=_KEPT)
def parse_narrative(key: str, locator: str | None, *, source: str = "") -> CitationGroup:
    """Build the group for a narrative citation ``@key`` or ``@key [locator]``."""
    item = CitationItem(_clean_key(key), "", locator.strip() if locator else "")
    return CitationGroup.parsed((item,), True, source or f"@{key}")
