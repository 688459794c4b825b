"""Find the line of a citation or marker in a Markdown source, for error messages.

Python-Markdown does not track lines, so the engine finds each matched citation's text in the
source, in order, skipping fenced and inline code. This is a best-effort lookup used only to
say where a problem is; it never decides what gets rendered.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?^ {0,3}\1[`~]*[ \t]*$", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)


class SourceLocator:
    """Lines of snippets in one Markdown source, found left to right.

    Arguments:
        text: The Markdown as converted (front matter already removed).
        first_line: The file line on which ``text`` starts.
    """

    def __init__(self, text: str, first_line: int = 1) -> None:
        self.text = text
        self.first_line = first_line
        self._code = [m.span() for m in _FENCE.finditer(text)]
        self._code += [m.span() for m in _CODE_SPAN.finditer(text)]
        self._cursor: dict[str, int] = {}

    def _in_code(self, index: int) -> bool:
        return any(start <= index < end for start, end in self._code)

    def line_of(self, snippet: str) -> int | None:
        """The line of the next occurrence of ``snippet`` outside code, or None."""
        start = self._cursor.get(snippet, 0)
        while snippet:
            index = self.text.find(snippet, start)
            if index < 0:
                return None
            if not self._in_code(index):
                self._cursor[snippet] = index + len(snippet)
                return self.first_line + self.text.count("\n", 0, index)
            start = index + 1
        return None
