"""Compare two PDF editions: page count, metadata, outline (bookmarks) and normalised text.

Usage::

    .venv/bin/python scripts/compare_pdf.py OLD.pdf NEW.pdf [--context 2] [--pages]

It prints the page counts, the document metadata that differ, the outline of each (title, level
and page) as a unified diff, and a unified diff of the text (pypdf's layout extraction). The text
is normalised before the diff so that only what a reader would see as a change remains: runs of
spaces are collapsed, lines are stripped, empty lines are dropped, dates (``2026-11-29``,
``29 November 2026``) become ``<DATE>`` and long hexadecimal strings (build ids, hashes) become
``<HEX>``. By default the pages are joined, so that text pushed onto the next page shows as no
difference; ``--pages`` keeps a ``--- page N ---`` line between pages, and ``--reflow`` compares
sentences instead of lines, so that a change of line breaks, hyphenation or page breaks shows
as no difference (see :func:`reflowed`). The exit status is 0 when nothing differs and 1
otherwise.

Build both PDFs with the same ``SOURCE_DATE_EPOCH`` for the fewest spurious differences. To
tell what the engine changed from what the pages changed, build a third PDF: the old ``docs/``
with the new engine and configuration; then compare old with it (the engine) and it with new
(the content).
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pypdf import PdfReader

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATES = re.compile(
    rf"\b\d{{4}}-\d{{2}}-\d{{2}}(?:[T ][\d:.]+(?:Z|[+-]\d{{2}}:?\d{{2}})?)?\b"
    rf"|\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}\b|\b(?:{_MONTHS}) \d{{1,2}}, \d{{4}}\b"
)
_HEX = re.compile(r"\b[0-9a-f]{12,64}\b")
_SPACES = re.compile(r"[ \t\u00a0]+")


def normalise(line: str) -> str:
    """One line of extracted text with dates, hashes and spacing made comparable."""
    line = _DATES.sub("<DATE>", line)
    line = _HEX.sub("<HEX>", line)
    return _SPACES.sub(" ", line).strip()


def page_texts(reader: PdfReader) -> list[list[str]]:
    """Each page's normalised, non-empty lines."""
    pages = []
    for page in reader.pages:
        try:
            text = page.extract_text(extraction_mode="layout")
        except Exception:  # an extraction pypdf cannot do in layout mode: plain mode instead
            text = page.extract_text()
        pages.append([n for line in text.splitlines() if (n := normalise(line))])
    return pages


def outline(reader: PdfReader) -> list[str]:
    """The bookmarks as ``title (page N)`` lines, indented by level, in order (page 0: none)."""

    def walk(items: Iterable[Any], level: int) -> Iterator[str]:
        for item in items:
            if isinstance(item, list):
                yield from walk(item, level + 1)
                continue
            try:
                number = reader.get_destination_page_number(item)
            except Exception:  # a bookmark without a page in this document
                number = None
            page = 0 if number is None else number + 1
            yield f"{'  ' * level}{normalise(str(item.title))} (page {page})"

    return list(walk(reader.outline, 0))


_PAGE = re.compile(r" \(page \d+\)$")


def _moved(old: list[str], new: list[str]) -> list[str]:
    """Bookmarks in both outlines whose page changed: ``title: page A -> page B``.

    A title used several times (``Evidence at a glance`` on every intervention) is matched by
    its occurrence: the second in the old outline with the second in the new.
    """

    def keyed(lines: list[str]) -> dict[tuple[str, int], str]:
        seen: dict[str, int] = {}
        out = {}
        for line in lines:
            title = _PAGE.sub("", line).strip()
            seen[title] = seen.get(title, 0) + 1
            out[(title, seen[title])] = line[line.rfind("(") + 1 : -1]
        return out

    before, after = keyed(old), keyed(new)
    return [
        f"{title} #{n}: {before[(title, n)]} -> {page}"
        if n > 1
        else f"{title}: {before[(title, n)]} -> {page}"
        for (title, n), page in after.items()
        if (title, n) in before and before[(title, n)] != page
    ]


def metadata(reader: PdfReader) -> dict[str, str]:
    """The document information dictionary, normalised."""
    info: dict[Any, Any] = dict(reader.metadata or {})
    return {str(key): normalise(str(value)) for key, value in info.items()}


def text_lines(pages: list[list[str]], *, keep_pages: bool) -> list[str]:
    """The document's lines, with page separators when asked for."""
    lines: list[str] = []
    for number, page in enumerate(pages, start=1):
        if keep_pages:
            lines.append(f"--- page {number} ---")
        lines.extend(page)
    return lines


_FOOTER = re.compile(r"^\d+ / \d+$")
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+(?=[A-Z0-9•(\[“\"])")
_HYPHENS = ("\u2010", "\u00ad", "-")


def reflowed(pages: list[list[str]]) -> list[str]:
    """The text as sentences, whatever the line and page breaks (``--reflow``).

    Page footers (``3 / 56``) and running headers (a page's first line when it is also the
    first line of another page) are left out; a word broken at a line end by hyphenation
    (U+2010 or a soft hyphen) is joined again; the text is cut after each full stop, question
    mark, exclamation mark or colon that starts a new sentence, and at each bullet.
    """
    firsts = [page[0] for page in pages if page]
    repeated = {line for line in firsts if firsts.count(line) > 1}
    words: list[str] = []
    for page in pages:
        for index, line in enumerate(page):
            if _FOOTER.match(line) or (index == 0 and line in repeated):
                continue
            if words and words[-1].endswith(_HYPHENS[:2]):
                words[-1] = words[-1][:-1] + line
            else:
                words.append(line)
    text = " ".join(words).replace(" • ", "\n• ")
    return [part.strip() for chunk in text.split("\n") for part in _SENTENCE_END.split(chunk)]


def _diff(title: str, old: list[str], new: list[str], names: tuple[str, str], context: int) -> bool:
    diff = list(difflib.unified_diff(old, new, *names, n=context, lineterm=""))
    print(f"\n## {title}: {'no difference' if not diff else f'{len(diff)} diff lines'}")
    for line in diff:
        print(line)
    return bool(diff)


def main(argv: list[str] | None = None) -> int:
    """Print the differences; 0 when there are none, else 1."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--context", type=int, default=2, help="lines of context in diffs")
    parser.add_argument("--pages", action="store_true", help="compare page by page")
    parser.add_argument(
        "--reflow", action="store_true", help="compare sentences, not lines (layout aside)"
    )
    args = parser.parse_args(argv)
    readers = [PdfReader(str(path)) for path in (args.old, args.new)]
    names = (str(args.old), str(args.new))
    counts = [len(reader.pages) for reader in readers]
    print(f"## pages: {counts[0]} -> {counts[1]}")
    changed = counts[0] != counts[1]
    old_meta, new_meta = (metadata(reader) for reader in readers)
    for key in sorted(set(old_meta) | set(new_meta)):
        if old_meta.get(key) != new_meta.get(key):
            print(f"## metadata {key}: {old_meta.get(key)!r} -> {new_meta.get(key)!r}")
            changed = True
    old_outline, new_outline = (outline(reader) for reader in readers)
    changed |= _diff(
        "outline (titles and levels)",
        [_PAGE.sub("", line) for line in old_outline],
        [_PAGE.sub("", line) for line in new_outline],
        names,
        args.context,
    )
    moved = _moved(old_outline, new_outline)
    print(f"\n## bookmarks on another page: {len(moved)}")
    for line in moved:
        print(line)
    old_text, new_text = (
        reflowed(page_texts(reader))
        if args.reflow
        else text_lines(page_texts(reader), keep_pages=args.pages)
        for reader in readers
    )
    changed |= _diff("text", old_text, new_text, names, args.context)
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
