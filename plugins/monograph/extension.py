"""The Python-Markdown extension: Pandoc citations and monograph markers.

It runs inside Python-Markdown's own parsing, so fenced and inline code, link URLs and link
text, e-mail addresses and raw HTML are never taken for citations. It knows nothing of MkDocs:
whatever converts the pages supplies a :class:`PageSink` that receives citations and markers.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as etree
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any, Protocol

from markdown import Markdown
from markdown import __version__ as markdown_version
from markdown.extensions import Extension
from markdown.inlinepatterns import HtmlInlineProcessor, InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.serializers import to_html_string
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER_RE, INLINE_PLACEHOLDER_RE

from .core.citations.kept import Finished, KeptCitations
from .core.citations.registry import TOKEN_RE
from .core.citations.syntax import (
    BRACKET_PATTERN,
    NARRATIVE_PATTERN,
    parse_bracketed,
    parse_narrative,
)
from .core.markers import MARKER_LINE, MISPLACED_MARKER
from .core.model import CitationGroup, CitationItem

_ESCAPED = re.compile("\x02(\\d+)\x03")
#: Python-Markdown's placeholders (stashed nodes, escaped characters) all start with STX.
_PLACEHOLDER_START = "\x02"
_STASH_PLACEHOLDER: re.Pattern[str] = HTML_PLACEHOLDER_RE


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


#: Raw inline HTML that Python-Markdown would only stash after the citation patterns ran: an
#: HTML comment, or a tag with an ``@`` in its attributes (``<span title="[@key]">``). Stashed
#: first, so a citation is never looked for inside it. Autolinks (``<https://...>``,
#: ``<a@b.org>``) have no space after their first word and are left to their own pattern.
_RAW_HTML_FIRST = r"(<!--(?:(?!<!--|-->).)*-->|<[a-zA-Z][a-zA-Z0-9-]*\s[^<>]*@[^<>]*>)"
_RAW_HTML_FIRST_RE = re.compile(_RAW_HTML_FIRST, re.DOTALL | re.UNICODE)
#: Compiled as Python-Markdown compiles an inline pattern.
_BRACKET_RE = re.compile(BRACKET_PATTERN, re.DOTALL | re.UNICODE)
#: Finished citation groups kept per processor (as many as `parse_bracketed` keeps parsed).
_KEPT_FINISHED = 65_536

#: Inline Markdown in a prefix or locator; without any of these it is plain text.
_INLINE_SYNTAX = re.compile(r"[*_`\x02\\\[<&]")


class _CitationProcessor(InlineProcessor):
    """Shared by both citation forms: parse the match and leave a placeholder.

    The group is handed to the sink only by :class:`_PlaceCitations`, once the page's inline
    Markdown is done: by then it is known whether the placeholder landed in running text (a
    citation), in an attribute (image alt, link title) or in link text (plain text then).
    """

    def __init__(self, pattern: str, md: Markdown, ext: CitationExtension) -> None:
        super().__init__(pattern, md)
        self.ext = ext
        #: Finished groups (None: no citation) by the text matched, for texts without
        #: placeholders: the extension's, as MkDocs makes new processors for every page.
        kind = type(self).__name__
        self._done = ext.finished.setdefault(kind, {})
        self._kept = ext.kept.get(kind, {})  # an earlier build's, if kept

    def group(self, m: re.Match[str]) -> CitationGroup | None:
        """The citation group for a match, or None if the text is no citation after all."""
        raise NotImplementedError

    def plain(self, text: str) -> str:
        """Text with every placeholder replaced by what it stands for, as text."""
        if _PLACEHOLDER_START not in text:
            return text  # no stashed node and no escaped character
        # Stashed nodes first: raw HTML stashed before the citation is read is such a node,
        # holding the raw-HTML placeholder, which then stands for the HTML as written.
        text = _STASH_PLACEHOLDER.sub(self._stashed_text, self.unescape(text))
        return _unescape(text)

    def _stashed_text(self, m: re.Match[str]) -> str:
        """What a raw-HTML placeholder stands for, as written.

        Raw HTML stashed before a citation is read (:data:`_RAW_HTML_FIRST`), or a citation's
        own placeholder (its text as written).
        """
        pending = self.ext.pending.get(m.group(0))
        if pending is not None:
            return pending[0].source
        blocks = self.md.htmlStash.rawHtmlBlocks
        index = int(m.group(1))
        return str(blocks[index]) if index < len(blocks) else ""

    def inline_html(self, text: str) -> str:
        """A prefix or locator as HTML, keeping its inline Markdown (``*p.* 12``, code)."""
        if not _INLINE_SYNTAX.search(text):
            return escape(text, quote=False)
        kept: list[str] = []

        mark = self.ext.keep_mark  # random per process: no author can type it

        def keep(html: str) -> str:
            kept.append(html)
            return f"{mark}{len(kept) - 1}X"

        stash = self.md.treeprocessors["inline"].stashed_nodes  # type: ignore[attr-defined]

        def node(m: re.Match[str]) -> str:
            value = stash.get(m.group(1))
            if value is None:
                return ""
            if isinstance(value, str):
                return keep(escape(self.plain(value), quote=False))
            return keep(to_html_string(value))  # Python-Markdown's serializer: text pre-escaped

        # Raw HTML in a prefix or locator is shown as written, as text (as a tag without an "@"
        # is): never as markup inside a citation, and never as a leftover placeholder.
        text = _STASH_PLACEHOLDER.sub(lambda m: keep(escape(self._stashed_text(m))), text)
        text = INLINE_PLACEHOLDER_RE.sub(node, text)
        text = _ESCAPED.sub(lambda m: keep(escape(chr(int(m.group(1))))), text)
        html = self.ext.inline_markdown.reset().convert(escape(text, quote=False))
        html = html.removeprefix("<p>").removesuffix("</p>")
        return re.sub(rf"{mark}(\d+)X", lambda m: kept[int(m.group(1))], html)

    def finish(self, group: CitationGroup) -> CitationGroup:
        """Plain text and HTML for every prefix and locator; the source as plain text."""
        if _PLACEHOLDER_START not in group.source:
            for item in group.items:  # a loop, not any(): this runs for every citation
                if item.prefix or item.locator:
                    break
            else:
                return group  # most citations: bare keys, nothing escaped
        items = tuple(self._finish_item(item) for item in group.items)
        source = self.plain(group.source)
        if source == group.source and all(a is b for a, b in zip(items, group.items, strict=True)):
            return group  # most citations: bare keys, nothing escaped
        return CitationGroup(items, group.narrative, source, group.path, group.line)

    def _finish_item(self, item: CitationItem) -> CitationItem:
        if not item.prefix and not item.locator and _PLACEHOLDER_START not in item.key:
            return item
        return CitationItem(
            _unescape(item.key),
            self.plain(item.prefix),
            self.plain(item.locator),
            item.suppress_author,
            self.inline_html(item.prefix) if item.prefix else "",
            self.inline_html(item.locator) if item.locator else "",
        )

    def finished(self, m: re.Match[str]) -> CitationGroup | None:
        """The finished group of a match (`group`, then `finish`), or None.

        A match with no placeholder in it reads the same wherever it is (its prefixes and
        locators are converted from their own text alone), so it is finished once per text:
        a site cites the same works in the same words again and again.
        """
        text = m.group(0)
        if _PLACEHOLDER_START in text:  # stashed nodes or escapes: this page's own
            group = self.group(m)
            return None if group is None else self.finish(group)
        if text in self._done:
            return self._done[text]
        if text in self._kept:  # read so by an earlier build (of the same engine)
            done = self._kept[text]
        else:
            group = self.group(m)
            done = None if group is None else self.finish(group)
        if len(self._done) >= _KEPT_FINISHED:
            self._done.clear()
        self._done[text] = done
        return done

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[str | etree.Element | None, int | None, int | None]:
        if self.ext.sink is None:
            return None, None, None
        group = self.finished(m)
        if group is None:
            return None, None, None
        stash = self.md.htmlStash
        index = stash.html_counter
        placeholder = stash.store("")
        self.ext.pending[placeholder] = (group, index)
        return placeholder, m.start(0), m.end(0)


class _BracketCitation(_CitationProcessor):
    """``[@key]``, ``[see @a, p. 3; @b]``, ``[-@key]``; and first the raw HTML to stash.

    One inline pattern does what two would: Python-Markdown tries every inline pattern on every
    text of a page (about 1.7 microseconds each, so 6 ms of a 200-page build per pattern).
    Within one text it first stashes, one by one, the raw HTML that must be out of the way
    (:data:`_RAW_HTML_FIRST`), exactly as a pattern of its own above this one would, and only
    then looks for citations, from the start of the text (see :meth:`finditer`).
    """

    def __init__(self, md: Markdown, ext: CitationExtension) -> None:
        super().__init__(BRACKET_PATTERN, md, ext)
        #: Whether the raw HTML of the text being searched is all stashed (citations next).
        self._html_done = False
        self._html: HtmlInlineProcessor | None = None  # made for the first raw HTML met

    def getCompiledRegExp(self) -> _BracketCitation:  # type: ignore[override]
        """Python-Markdown searches with this processor's :meth:`finditer`."""
        return self

    def finditer(self, data: str, pos: int = 0) -> Iterator[re.Match[str]]:
        """The next raw HTML to stash while there is any, then the candidate citations.

        Python-Markdown calls this again after every replacement, from just past it, and
        from 0 for each new text (its ``__applyPattern``). Raw HTML is searched on from there,
        as it would be by a pattern of its own; once there is no more, the citations are
        searched from the start of the text, and then on from each replacement, as they
        would be by the next pattern. (A Python-Markdown older than the lock's, from before
        Python-Markdown/markdown#1621, starts every search at 0: raw HTML is then looked for
        again before each citation, which differs from two patterns only if stashing a
        citation completed a tag holding an ``@``.)
        """
        if pos == 0:
            self._html_done = False
        if not self._html_done:
            if "<" in data:
                html = _RAW_HTML_FIRST_RE.search(data, pos)
                if html is not None:
                    return iter((html,))
            self._html_done = True
            pos = 0
        return _BRACKET_RE.finditer(data, pos)

    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[str | etree.Element | None, int | None, int | None]:
        if m.re is _RAW_HTML_FIRST_RE:
            if self._html is None:
                self._html = HtmlInlineProcessor(_RAW_HTML_FIRST, self.md)
            node, start, end = self._html.handleMatch(m, data)  # Python-Markdown's own stash
            return node, start, end
        return super().handleMatch(m, data)

    def group(self, m: re.Match[str]) -> CitationGroup | None:
        """Parse the bracket's content; None when it is ordinary bracketed prose."""
        return parse_bracketed(m.group("body"), source=m.group(0))


class _PlaceCitations(Treeprocessor):
    """Hand each citation in running text to the sink; put the others back as plain text.

    A citation placeholder inside an attribute (an image's alt, a link's title) or inside link
    text is replaced by the citation as written: a link cannot hold a link, an attribute cannot
    hold markup. Elements are visited in document order, so the sink receives the citations in
    the order a reader meets them.
    """

    def __init__(self, md: Markdown, ext: CitationExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        if self.ext.pending:
            self._place_all(root)
        self.ext.pending.clear()

    def _as_text(self, text: str) -> str:
        def source(m: re.Match[str]) -> str:
            pending = self.ext.pending.get(m.group(0))
            return str(pending[0].source) if pending else str(m.group(0))

        return _STASH_PLACEHOLDER.sub(source, text)

    def _place_all(self, root: etree.Element) -> None:
        """Put back as text what is in attributes and link text, then cite the rest in order.

        Three passes in ElementTree's own iterators rather than a recursive walk in Python
        (every element of every page passes here; a third less time on the 200-page
        benchmark). ``itertext`` yields every element's text and tail in document order, the
        order a reader meets the citations; attributes and link text hold no citation by then.
        """
        for element in root.iter():
            if element.attrib:
                for name, value in element.attrib.items():
                    if "\x02" in value:
                        element.set(name, self._as_text(value))
        for link in root.iter("a"):
            for element in link.iter():  # the link's own tail is outside it
                text = element.text
                if text and "\x02" in text:
                    element.text = self._as_text(text)
                tail = element.tail
                if element is not link and tail and "\x02" in tail:
                    element.tail = self._as_text(tail)
        sink = self.ext.sink
        if sink is None:
            return
        pending = self.ext.pending
        blocks = self.md.htmlStash.rawHtmlBlocks
        for text in root.itertext():
            if "\x02" in text:
                for match in _STASH_PLACEHOLDER.finditer(text):
                    found = pending.get(match.group(0))
                    if found is not None:
                        group, index = found
                        blocks[index] = sink.cite(group)


class _NarrativeCitation(_CitationProcessor):
    """``@key`` and ``@key [p. 3]`` in running text (never inside link text)."""

    ANCESTOR_EXCLUDES = ("a",)

    def group(self, m: re.Match[str]) -> CitationGroup | None:
        """A narrative citation always parses (when narrative citations are on)."""
        if not self.ext.narrative:
            return None
        return parse_narrative(m.group("key"), m.group("locator"), source=m.group(0))

    def finished(self, m: re.Match[str]) -> CitationGroup | None:
        """None when narrative citations are off (checked before the texts kept)."""
        return super().finished(m) if self.ext.narrative else None


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
        commands = self.ext.commands
        for line in lines:
            command = commands.get(line.strip()) if commands else None
            if command is not None:  # mkdocs-bibtex's \bibliography: a marker by another name
                html = self.ext.sink.marker(command, line)
                out.extend(["", self.md.htmlStash.store(html), ""])
                continue
            if "monograph" not in line:  # every pattern below needs the word: most lines end here
                out.append(line)
                continue
            match = MARKER_LINE.match(line)
            misplaced = MISPLACED_MARKER.match(line) if match is None else None
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
        #: Lines that stand for a marker (``{"\\bibliography": "references"}``), alone on a line.
        self.commands: dict[str, str] = {}
        #: Narrative citations (``@key`` in running text); off, only ``[@key]`` is a citation.
        self.narrative = True
        #: Citation placeholders of the page being converted: the group and its stash index.
        self.pending: dict[str, tuple[CitationGroup, int]] = {}
        #: Finished citation groups by the text matched, per kind of citation (see
        #: `_CitationProcessor.finished`): those of this build.
        self.finished: Finished = {}
        #: Those an earlier build kept (:meth:`keep_in`), taken into `finished` when met again.
        self.kept: Finished = {}
        self._kept_file: KeptCitations | None = None
        #: Renders the inline Markdown of prefixes and locators (no extensions needed).
        self.inline_markdown = Markdown()
        self.keep_mark = "monographkept" + uuid.uuid4().hex

    def keep_in(self, path: Path | None, engine: str) -> None:
        """Read the citations an earlier build kept in ``path``; :meth:`save_kept` writes them.

        Arguments:
            path: The file in the cache folder, or None (nothing is kept).
            engine: The digest of the engine's code: a file written by another is not read.
        """
        self._kept_file = KeptCitations(path, f"{engine}/markdown-{markdown_version}")
        self.kept = self._kept_file.read()

    def save_kept(self) -> None:
        """Keep the citations this build read for the next one (see :meth:`keep_in`)."""
        if self._kept_file is not None:
            self._kept_file.save(self.finished)

    def extendMarkdown(self, md: Markdown) -> None:
        r"""Register the processors; ``@`` becomes escapable as ``\\@``."""
        if "@" not in md.ESCAPED_CHARS:
            md.ESCAPED_CHARS.append("@")
        # Above "reference" (170) so "[@key]" is ours; below "escape" (180) and "backtick" (190)
        # so escaped brackets and code spans are already out of the way. Raw HTML comments and
        # tags with an "@" are stashed first, by the same pattern (see _BracketCitation).
        md.inlinePatterns.register(_BracketCitation(md, self), "citation", 175)
        # Below "html" (90), "automail" (110) and "link" (160): attributes, e-mail addresses and
        # link text are already taken when narrative citations are looked for.
        md.inlinePatterns.register(
            _NarrativeCitation(NARRATIVE_PATTERN, md, self), "narrative_citation", 85
        )
        md.preprocessors.register(_Markers(md, self), "monograph_markers", 22)
        # After "inline" (20): every placeholder is where Python-Markdown put it.
        md.treeprocessors.register(_PlaceCitations(md, self), "monograph_citations", 19)
