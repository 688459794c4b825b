"""Find the line of a citation, a marker or any text in a source, for error messages.

This is the engine's one source-location helper for text: :class:`SourceLocator` follows the
citations of one page left to right; :func:`find_line` finds the first line holding a needle (the
checks use it to point at a page, ``mkdocs.yml`` or a ``.bib`` file). Lines of YAML keys come from
the YAML parser itself (:mod:`.yaml_lines`).


Python-Markdown does not track lines, so the engine finds each matched citation's text in the
source, in order, skipping fenced and inline code. This is a best-effort lookup used only to
say where a problem is; it never decides what gets rendered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?^ {0,3}\1[`~]*[ \t]*$", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)


def fenced_blocks(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` offsets of the fenced code blocks of a Markdown text.

    A fence is three or more backticks or tildes indented by at most three spaces, closed by a
    run of the same character (the one fence rule of the engine and its checks).
    """
    return [m.span() for m in _FENCE.finditer(text)]


#: YAML front matter at the top of a page (``---`` ... ``---`` or ``...``).
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def markdown_start_line(source: str, markdown: str) -> int:
    """The file line on which a page's Markdown (its front matter removed) starts.

    Arguments:
        source: The whole file as read.
        markdown: The Markdown that is converted (MkDocs' or Zensical's, front matter removed).
    """
    if markdown and source.endswith(markdown):
        return source.count("\n", 0, len(source) - len(markdown)) + 1
    match = FRONT_MATTER.match(source)
    return source.count("\n", 0, match.end()) + 1 if match else 1


class SourceLocator:
    """Lines of snippets in one Markdown source, found left to right.

    Arguments:
        text: The Markdown as converted (front matter already removed).
        first_line: The file line on which ``text`` starts.
    """

    def __init__(self, text: str, first_line: int = 1) -> None:
        self.text = text
        self.first_line = first_line
        self._code: list[tuple[int, int]] | None = None  # found when first asked
        self._cursor: dict[str, int] = {}
        self._counted = (0, 0)  # (offset, newlines before it): snippets come left to right

    def _in_code(self, index: int) -> bool:
        code = self._code
        if code is None:
            code = self._code = self._code_spans()
        return bool(code) and any(start <= index < end for start, end in code)

    def _code_spans(self) -> list[tuple[int, int]]:
        """Fenced blocks and code spans; a text with neither character has none to look for."""
        text = self.text
        code = fenced_blocks(text) if "```" in text or "~~~" in text else []
        if "`" in text:
            code += [m.span() for m in _CODE_SPAN.finditer(text)]
        return code

    def line_of(self, snippet: str) -> int | None:
        r"""The line of the next occurrence of ``snippet`` outside code, or None.

        A snippet read as plain text (a citation whose locator holds a code span, ``p. `12```,
        or an escape, ``\*``) is not in the source as it stands: when it is found no further,
        it is looked for again with any backticks and backslashes between its characters.
        """
        start = self._cursor.get(snippet, 0)
        while snippet:
            index = self.text.find(snippet, start)
            if index < 0:
                return self._loose_line_of(snippet, self._cursor.get(snippet, 0))
            if not self._in_code(index):
                self._cursor[snippet] = index + len(snippet)
                return self.first_line + self._newlines_before(index)
            start = index + 1
        return None

    def _loose_line_of(self, snippet: str, start: int) -> int | None:
        """The line of the next occurrence of ``snippet`` written with backticks or escapes."""
        pattern = re.compile("[`\\\\]*".join(re.escape(char) for char in snippet))
        while (match := pattern.search(self.text, start)) is not None:
            if not self._in_code(match.start()):
                self._cursor[snippet] = match.end()
                return self.first_line + self._newlines_before(match.start())
            start = match.start() + 1
        return None

    def _newlines_before(self, index: int) -> int:
        """Line breaks before ``index``, counted on from the last answer when it is further on."""
        offset, count = self._counted
        if index < offset:
            offset, count = 0, 0
        count += self.text.count("\n", offset, index)
        self._counted = (index, count)
        return count


def _needle_pattern(needle: str, whole_word: bool) -> re.Pattern[str]:
    escaped = re.escape(needle)
    if whole_word and (needle.startswith("@") or needle[:1].isalnum()):
        # Keys and bare words must stand alone: "@smith2020" is not inside "@smith2020a".
        return re.compile(rf"(?<![\w@]){escaped}(?![\w:./-]*\w)")
    return re.compile(escaped)


def find_line(
    lines: Sequence[str], needles: Sequence[str], *, whole_word: bool = True
) -> int | None:
    """The 1-based number of the first line holding one of ``needles``, tried in order.

    Arguments:
        lines: The source's lines.
        needles: Texts to look for, most specific first (empty ones are skipped).
        whole_word: A needle that is a key (``@key``) or starts with a letter or digit must not
            run on into a longer word.
    """
    for needle in needles:
        if not needle:
            continue
        pattern = _needle_pattern(needle, whole_word)
        for number, line in enumerate(lines, start=1):
            if pattern.search(line):
                return number
    return None
