"""Where each value of a page's YAML front matter sits in the file.

MkDocs hands the adapter ``page.meta`` as plain data with no line numbers, yet a contributor needs
``path:line`` in every message. This module re-reads the front matter with PyYAML's composer, whose
nodes keep their start positions, and maps each YAML path to a 1-based line of the file.

It also spots front matter that MkDocs dropped silently: MkDocs ignores a whole front-matter block
that is not valid YAML (or is not a mapping) and publishes the page without its metadata.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from ..model import Problem

#: The same front-matter pattern MkDocs 1.6.1 uses (``mkdocs.utils.meta.YAML_RE``).
_FRONT_MATTER_RE = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)
_OPENING_RE = re.compile(r"^-{3}[ \t]*(?:\n|$)")

#: The front-matter text starts on line 2 of the file (line 1 is the opening ``---``).
_FIRST_LINE = 2

YamlPath = tuple[str | int, ...]


def front_matter_text(source: str) -> str | None:
    """Return the YAML text between the ``---`` delimiters, or ``None`` when there is none."""
    match = _FRONT_MATTER_RE.match(source)
    return match.group(1) if match else None


#: libyaml's composer when PyYAML has it (about 10x faster than the pure-Python one, same nodes
#: and marks); every page's front matter is composed once per build.
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", None)


def _compose(text: str) -> yaml.Node | None:
    """The YAML node tree of ``text``; raises :class:`yaml.YAMLError` as ``yaml.compose`` does.

    What libyaml refuses is read again by the pure-Python composer (the one MkDocs' loader
    uses), so a page MkDocs accepts is never skipped over a difference between the two.
    """
    if _FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except (yaml.YAMLError, ValueError):  # ValueError: text libyaml cannot encode
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _walk(node: yaml.Node, path: YamlPath, lines: dict[YamlPath, int]) -> None:
    """Record the line of ``node`` under ``path`` (unless known already) and descend into it."""
    lines.setdefault(path, node.start_mark.line + _FIRST_LINE)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            child = (*path, str(key_node.value))
            # The key's line, not the value's: for a block list or a folded string the value
            # starts on a later line, but the contributor looks for the key.
            lines.setdefault(child, key_node.start_mark.line + _FIRST_LINE)
            _walk(value_node, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


def front_matter_lines(source: str) -> dict[YamlPath, int]:
    """Map each YAML path in the page's front matter to its 1-based line in the file.

    Arguments:
        source: The whole Markdown file as read from disk.

    Returns:
        For example ``{("evidence",): 5, ("evidence", 0): 6, ("evidence", 0, "design"): 7}``.
        A mapping key maps to the line of the key; a list item to the line where the item
        starts. The empty path ``()`` maps to line 1 (the opening ``---``). Returns ``{}`` when
        the file has no front matter or the front matter is not valid YAML; it never raises.
    """
    text = front_matter_text(source)
    if text is None:
        return {}
    try:
        node = _compose(text)
    except yaml.YAMLError:
        return {}
    lines: dict[YamlPath, int] = {}
    if node is not None:
        _walk(node, (), lines)
    lines[()] = 1
    return lines


def has_dropped_front_matter(source: str, meta: Mapping[str, Any] | None) -> bool:
    """Tell whether MkDocs silently dropped this page's front matter.

    MkDocs 1.6.1 ignores a front-matter block that is not valid YAML or not a mapping, and a file
    that opens with ``---`` but never closes it is read as Markdown (the ``---`` becomes a rule).
    Either way the page is published without its metadata and without a word.

    Arguments:
        source: The whole Markdown file as read from disk.
        meta: The metadata MkDocs parsed (``page.meta``).

    Returns:
        ``True`` when the file's first line is ``---`` but ``meta`` is empty, except for an empty
        front-matter block (only blank lines or comments), which holds nothing to lose.
    """
    if meta or not _OPENING_RE.match(source):
        return False
    text = front_matter_text(source)
    if text is None:
        return True
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, OverflowError):  # 2026-13-45 raises ValueError
        return True
    return data is not None


def front_matter_problem(
    source: str, meta: Mapping[str, Any] | None, *, path: str
) -> Problem | None:
    """Describe dropped front matter as a :class:`Problem` a contributor can act on.

    Arguments:
        source: The whole Markdown file as read from disk.
        meta: The metadata MkDocs parsed (``page.meta``).
        path: The file path to name in the message (``docs/interventions/iron.md``).

    Returns:
        ``None`` when nothing was dropped; otherwise a ``page.front_matter`` error at the line
        PyYAML complains about (or line 1).
    """
    if not has_dropped_front_matter(source, meta):
        return None
    text = front_matter_text(source)
    if text is None:
        empty = re.match(r"-{3}[ \t]*\n(?:\.{3}|-{3})[ \t]*(?:\n|$)", source)
        reason = (
            "front matter is empty, so MkDocs shows both '---' lines as rules; remove them"
            if empty
            else "front matter opens with '---' but is never closed; add a '---' line after it"
        )
        return Problem("page.front_matter", reason, path, 1)
    try:
        data = yaml.safe_load(text)
    except (ValueError, OverflowError) as exc:  # a date-like value that is no date: 2026-13-45
        line, value = _impossible_date(text)
        return Problem(
            "page.front_matter",
            f"front matter value '{value}' looks like a date but is none ({exc}), so MkDocs "
            "ignored all of the front matter; write a real date as YYYY-MM-DD (or quote the "
            "value if it is not a date)",
            path,
            line,
        )
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + _FIRST_LINE if mark is not None else 1
        reason = getattr(exc, "problem", None) or "not valid YAML"
        return Problem(
            "page.front_matter",
            f"front matter is not valid YAML ({reason}), so MkDocs ignored all of it; "
            "fix the YAML (quote values that contain ': ' or start with '@', '[' or '*')",
            path,
            line,
        )
    return Problem(
        "page.front_matter",
        f"front matter must be a mapping of 'key: value' lines, not a {type(data).__name__}; "
        "MkDocs ignored it",
        path,
        1,
    )


_DATE_LIKE = re.compile(r"(?<![\w-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w-])")


def _impossible_date(text: str) -> tuple[int, str]:
    """The file line and text of the first date-like value that is not a real date."""
    for number, line in enumerate(text.split("\n"), start=_FIRST_LINE):
        for match in _DATE_LIKE.finditer(line):
            try:
                dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                return number, match.group(0)
    return 1, "?"


#: A line of block YAML that :func:`_keys_differ` reads: an indent, sequence dashes, a plain
#: key and its value on the line; or sequence dashes and an item on the line.
_KEY_LINE = re.compile(r"( *)((?:- +)*)([A-Za-z_][\w-]*):(?: +(.*))?")
_ITEM_LINE = re.compile(r"( *)((?:- +)*-)(?: +(.*))?")
#: A value that ends on its line: plain (no flow collection, anchor, alias, tag, block scalar
#: or quote), a closed quoted string or a flat one-line flow sequence; then maybe a comment.
_ONE_LINE_VALUE = re.compile(
    r"""(?:[^\s"'\[\]{}&*!|>%@`#?,-][^{}\[\]]*|-[^\s{}\[\]][^{}\[\]]*"""
    r"""|"[^"\\]*(?:\\.[^"\\]*)*"|'[^']*(?:''[^']*)*'|\[[^\[\]{}"'#]*\])?(?: +#.*)? *"""
)


def _keys_differ(text: str) -> bool:
    """Tell, without composing the YAML, that no mapping of ``text`` holds a key twice.

    Every front matter is checked for repeated keys, and composing it is most of what reading
    a page's front matter costs; yet most is block YAML whose structure its indentation alone
    gives. True only when every line is blank, a comment, or a :data:`_KEY_LINE` or
    :data:`_ITEM_LINE` whose value is a :data:`_ONE_LINE_VALUE` (nothing spans lines, so no
    line can stand inside a string), and no key comes twice among the keys at one column with
    no line further left between them (the keys of one block mapping). Anything else, a
    repeated key included, is left to :func:`_repeated_keys`, which composes it.
    """
    open_keys: list[tuple[int, set[str]]] = []  # (column, keys) of open mappings, left first
    for line in text.split("\n"):
        content = line.lstrip(" ")
        if not content or content.startswith("#"):
            continue
        match = _KEY_LINE.fullmatch(line)
        key = None
        if match is not None:
            indent, dashes, key, value = match.groups()
        else:
            match = _ITEM_LINE.fullmatch(line)
            if match is None:
                return False
            indent, dashes, value = match.groups()
        if value is not None and _ONE_LINE_VALUE.fullmatch(value) is None:
            return False
        column = len(indent)
        while open_keys and open_keys[-1][0] > column:
            open_keys.pop()  # a line further left closes the mappings right of it
        if key is not None:
            at = column + len(dashes)
            if not open_keys or open_keys[-1][0] != at:
                open_keys.append((at, set()))
            keys = open_keys[-1][1]
            if key in keys:
                return False
            keys.add(key)
    return True


def duplicate_keys(source: str, *, path: str) -> list[Problem]:
    """Keys written twice in one mapping of the front matter (YAML silently keeps the last)."""
    text = front_matter_text(source)
    if text is None or _keys_differ(text):
        return []
    return [
        Problem(
            "page.front_matter",
            f"key '{key}' appears twice in the front matter (first at line {first}); only the "
            "last value would be used; keep one",
            path,
            line,
        )
        for key, first, line in _repeated_keys(text)
    ]


@functools.lru_cache(maxsize=2048)
def _repeated_keys(text: str) -> tuple[tuple[str, int, int], ...]:
    """``(key, first line, repeated line)`` of each key written twice.

    Kept per text, so a rebuild under ``mkdocs serve`` composes only the front matter that
    changed.
    """
    try:
        root = _compose(text)
    except yaml.YAMLError:
        return ()
    found = []
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, tuple[int, int]] = {}  # key -> (offset, line) where it is first
            for key_node, value_node in node.value:
                stack.append(value_node)
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                mark = key_node.start_mark
                here = (mark.index, mark.line + _FIRST_LINE)
                # By offset, not line: a flow mapping ({a: 1, a: 2}) repeats a key on one line.
                first = seen.setdefault(str(key_node.value), here)
                if first != here:
                    found.append((str(key_node.value), first[1], here[1]))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return tuple(sorted(found, key=lambda item: item[2]))


def dotted_path(path: Sequence[str | int]) -> str:
    """Write a YAML path the way messages show it.

    Arguments:
        path: For example ``("evidence", 0, "cite", 1)``.

    Returns:
        ``evidence[0].cite[1]``.
    """
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text


def line_of(lines: Mapping[YamlPath, int], path: Sequence[str | int]) -> int | None:
    """Find the line of ``path``, or of its nearest ancestor that exists.

    A missing field has no line of its own, so its row's line is the place to edit.

    Arguments:
        lines: The result of :func:`front_matter_lines`.
        path: The YAML path to look up.

    Returns:
        A 1-based line number, or ``None`` when not even the front matter has one.
    """
    for end in range(len(path), -1, -1):
        line = lines.get(tuple(path[:end]))
        if line is not None:
            return line
    return None
