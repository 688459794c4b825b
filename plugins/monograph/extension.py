"""The Python-Markdown extension: Pandoc citations and monograph markers.

It runs inside Python-Markdown's own parsing, so fenced and inline code, link URLs and link
text, e-mail addresses and raw HTML are never taken for citations. It knows nothing of MkDocs:
whatever converts the pages supplies a :class:`PageSink` that receives citations and markers.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from typing import Any, Protocol

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor

from .core.citations.registry import TOKEN_RE
from .core.citations.syntax import (
    BRACKET_PATTERN,
    NARRATIVE_PATTERN,
    parse_bracketed,
    parse_narrative,
)
from .core.model import CitationGroup

_MARKER_LINE = re.compile(r"^<!--\s*monograph:([\w-]+)\s*-->\s*$")
#: A marker indented by one to three spaces or after other text is an invisible HTML comment,
#: not a marker (four spaces or a tab make it an indented code block, shown as written).
_MISPLACED_MARKER = re.compile(
    r"^(?! {4}|\t)(?P<before>.*?\S.*?| {1,3})<!--\s*monograph:([\w-]+)\s*-->"
)
_ESCAPED = re.compile("\x02(\\d+)\x03")


class PageSink(Protocol):
    """Receives what the extension finds on the page being converted."""

    def cite(self, group: CitationGroup) -> str:
        """Record a citation group; return the HTML to put in its place."""

    def marker(self, name: str, source: str) -> str:
        """Return the HTML for a marker line (``source`` is the line as written)."""

    def misplaced_marker(self, name: str, source: str) -> None:
        """Report a marker that is not alone at the start of its line (it is not expanded)."""


def _unescape(text: str) -> str:
    r"""Undo Python-Markdown's escape placeholders (``\\x0264\\x03`` is ``@``)."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1))), text)


class _CitationProcessor(InlineProcessor):
    """Shared by both citation forms: parse the match, hand the group to the sink."""

    def __init__(self, pattern: str, md: Markdown, ext: CitationExtension) -> None:
        super().__init__(pattern, md)
        self.ext = ext

    def group(self, m: re.Match[str]) -> CitationGroup | None:
        """The citation group for a match, or None if the text is no citation after all."""
        raise NotImplementedError

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[str | etree.Element | None, int | None, int | None]:
        group = self.group(m) if self.ext.sink is not None else None
        if group is None or self.ext.sink is None:
            return None, None, None
        return self.md.htmlStash.store(self.ext.sink.cite(group)), m.start(0), m.end(0)


class _BracketCitation(_CitationProcessor):
    """``[@key]``, ``[see @a, p. 3; @b]``, ``[-@key]``."""

    def group(self, m: re.Match[str]) -> CitationGroup | None:
        """Parse the bracket's content; None when it is ordinary bracketed prose."""
        return parse_bracketed(_unescape(m.group("body")), source=_unescape(m.group(0)))


class _NarrativeCitation(_CitationProcessor):
    """``@key`` and ``@key [p. 3]`` in running text (never inside link text)."""

    ANCESTOR_EXCLUDES = ("a",)

    def group(self, m: re.Match[str]) -> CitationGroup | None:
        """A narrative citation always parses."""
        return parse_narrative(m.group("key"), m.group("locator"), source=m.group(0))


class _Markers(Preprocessor):
    """Replace marker lines (``<!-- monograph:evidence -->``) with generated HTML.

    Runs after fenced code is stashed (priority 25) and before raw HTML blocks are (20), so a
    marker shown inside a code block stays as written.
    """

    def __init__(self, md: Markdown, ext: CitationExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, lines: list[str]) -> list[str]:
        if self.ext.sink is None:
            return lines
        out: list[str] = []
        for line in lines:
            match = _MARKER_LINE.match(line)
            misplaced = _MISPLACED_MARKER.match(line) if match is None else None
            if misplaced is not None:
                self.ext.sink.misplaced_marker(misplaced.group(2), line)
            if match is None:
                # The engine's own placeholder syntax, typed in a page, must not be filled in.
                out.append(TOKEN_RE.sub(lambda m: m.group(0).replace("<!--", "<!-- ", 1), line))
                continue
            html = self.ext.sink.marker(match.group(1), line)
            out.extend(["", self.md.htmlStash.store(html), ""])
        return out


class CitationExtension(Extension):
    """Pandoc-style citations and monograph markers for Python-Markdown.

    Set :attr:`sink` before converting a page; with no sink the extension leaves text alone.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sink: PageSink | None = None

    def extendMarkdown(self, md: Markdown) -> None:
        r"""Register the processors; ``@`` becomes escapable as ``\\@``."""
        if "@" not in md.ESCAPED_CHARS:
            md.ESCAPED_CHARS.append("@")
        # Above "reference" (170) so "[@key]" is ours; below "escape" (180) and "backtick" (190)
        # so escaped brackets and code spans are already out of the way.
        md.inlinePatterns.register(_BracketCitation(BRACKET_PATTERN, md, self), "citation", 175)
        # Below "html" (90), "automail" (110) and "link" (160): attributes, e-mail addresses and
        # link text are already taken when narrative citations are looked for.
        md.inlinePatterns.register(
            _NarrativeCitation(NARRATIVE_PATTERN, md, self), "narrative_citation", 85
        )
        md.preprocessors.register(_Markers(md, self), "monograph_markers", 22)
