"""Turn MkDocs' own log messages (link, anchor, nav and config validation) into problems.

MkDocs 1.6.1 reports a broken link as "Doc file 'x.md' contains a link 'y.md', but the target 'y.md'
is not found among documentation files." with no line. These functions parse the message, name the
Markdown file relative to the project root, find the line of the link in the source, and attach a
stable ``link.*`` / ``nav.*`` / ``config.*`` code and a hint on how to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from monograph.checks.sources import SourceTree
from monograph.core.model import Problem, Severity
from monograph.core.source.locate import find_line

_DOC = r"Doc file '(?P<src>[^']+)' contains "
_NOT_FOUND = re.compile(
    _DOC + r"a link '(?P<link>.*)', but the target(?: '(?P<target>[^']*)')? is not found "
    r"among documentation files\.(?: Did you mean '(?P<hint>[^']*)'\?)?",
    re.DOTALL,
)
_ANCHOR = re.compile(
    _DOC + r"a link '(?P<link>.*)', but (?:there is no such anchor on this page|the doc "
    r"'(?P<doc>[^']*)' does not contain an anchor '#(?P<anchor>[^']*)')\.(?P<rest>.*)",
    re.DOTALL,
)
_UNRECOGNIZED = re.compile(
    _DOC + r"an unrecognized relative link '(?P<link>.*)', it was left as is\."
    r"(?: Did you mean '(?P<hint>[^']*)'\?)?",
    re.DOTALL,
)
_ABSOLUTE = re.compile(
    _DOC
    + r"an absolute link '(?P<link>.*)', it was left as is\.(?: Did you mean '(?P<hint>[^']*)'\?)?",
    re.DOTALL,
)
_EXCLUDED = re.compile(
    _DOC + r"a link to '(?P<link>[^']*)' which is excluded from the built site\."
)
_NAV_NOT_FOUND = re.compile(
    r"A reference to '(?P<link>[^']*)' is included in the 'nav' configuration, which is not found"
)
_NAV_ABSOLUTE = re.compile(r"An absolute path to '(?P<link>[^']*)' is included in the 'nav'")
_OMITTED = re.compile(r"The following pages exist in the docs directory, but are not included in")
_CONFIG = re.compile(r"Config value '(?P<name>[^']*)': (?P<detail>.*)", re.DOTALL)
_ANY_DOC = re.compile(r"(?:Doc file|Error reading page|page) '(?P<src>[^']+\.md)'")

_Converter = Callable[["re.Match[str]", SourceTree, str, Severity], list[Problem]]


def _did_you_mean(match: re.Match[str]) -> str:
    hint = match.groupdict().get("hint")
    return f" (did you mean '{hint}'?)" if hint else ""


def _doc_problem(
    match: re.Match[str], tree: SourceTree, code: str, message: str, severity: Severity
) -> Problem:
    src = match.group("src")
    line = tree.find_line(src, [match.group("link")]) if "link" in match.groupdict() else None
    return Problem(code, message, tree.doc_path(src), line, severity)


def _not_found(
    m: re.Match[str], tree: SourceTree, config: str, severity: Severity
) -> list[Problem]:
    target = m.group("target") or m.group("link")
    message = (
        f"link '{m.group('link')}' points to '{target}', which is not among the documentation "
        f"files; correct the path (relative to this file){_did_you_mean(m)} or add the file"
    )
    return [_doc_problem(m, tree, "link.not_found", message, severity)]


def _anchor(m: re.Match[str], tree: SourceTree, config: str, severity: Severity) -> list[Problem]:
    where = f"'{m.group('doc')}'" if m.group("doc") else "this page"
    anchor = m.group("anchor") or m.group("link").partition("#")[2]
    message = (
        f"link '{m.group('link')}' points to anchor '#{anchor}', which {where} does not have; "
        "use an existing heading id (see the page's table of contents) or add "
        "'{ #" + anchor + " }' to the heading"
    )
    return [_doc_problem(m, tree, "link.anchor_missing", message, severity)]


def _unrecognized(
    m: re.Match[str], tree: SourceTree, config: str, severity: Severity
) -> list[Problem]:
    message = (
        f"link '{m.group('link')}' does not name a documentation file; link to the .md file "
        f"(e.g. 'page.md' rather than 'page/'){_did_you_mean(m)}"
    )
    return [_doc_problem(m, tree, "link.unrecognized", message, severity)]


def _absolute(m: re.Match[str], tree: SourceTree, config: str, severity: Severity) -> list[Problem]:
    message = (
        f"absolute link '{m.group('link')}' breaks when the site is not served from the domain "
        f"root; use a relative link to the .md file{_did_you_mean(m)}"
    )
    return [_doc_problem(m, tree, "link.absolute", message, severity)]


def _excluded(m: re.Match[str], tree: SourceTree, config: str, severity: Severity) -> list[Problem]:
    message = (
        f"link to '{m.group('link')}', which is excluded from the built site; "
        "remove the link or stop excluding the file"
    )
    return [_doc_problem(m, tree, "link.excluded", message, severity)]


def _config_problem(
    code: str, message: str, needle: str, tree: SourceTree, config: str, severity: Severity
) -> Problem:
    line = _find_in_file(tree.root / config, needle)
    return Problem(code, message, config, line, severity)


def _nav_not_found(
    m: re.Match[str], tree: SourceTree, config: str, severity: Severity
) -> list[Problem]:
    link = m.group("link")
    message = (
        f"nav entry '{link}' is not a file in the docs directory; correct the path "
        "(relative to docs/) or remove the entry"
    )
    return [_config_problem("nav.not_found", message, link, tree, config, severity)]


def _nav_absolute(
    m: re.Match[str], tree: SourceTree, config: str, severity: Severity
) -> list[Problem]:
    link = m.group("link")
    message = f"nav entry '{link}' is an absolute path; use a path relative to docs/ or a full URL"
    return [_config_problem("nav.absolute_link", message, link, tree, config, severity)]


def _omitted(m: re.Match[str], tree: SourceTree, config: str, severity: Severity) -> list[Problem]:
    names = [
        line.strip()[2:] for line in m.string.splitlines()[1:] if line.strip().startswith("- ")
    ]
    message = (
        f"page is not in the nav of {config}; add it under 'nav:' or list it under 'not_in_nav:'"
    )
    return [Problem("nav.omitted_file", message, tree.doc_path(n), None, severity) for n in names]


def _config(m: re.Match[str], tree: SourceTree, config: str, severity: Severity) -> list[Problem]:
    name = m.group("name")
    message = f"setting '{name}': {m.group('detail').strip().rstrip('.')}; correct it in {config}"
    top = name.split(".")[0]
    return [_config_problem("config.invalid", message, f"{top}:", tree, config, severity)]


_CONVERTERS: tuple[tuple[re.Pattern[str], _Converter], ...] = (
    (_NOT_FOUND, _not_found),
    (_ANCHOR, _anchor),
    (_UNRECOGNIZED, _unrecognized),
    (_ABSOLUTE, _absolute),
    (_EXCLUDED, _excluded),
    (_NAV_NOT_FOUND, _nav_not_found),
    (_NAV_ABSOLUTE, _nav_absolute),
    (_OMITTED, _omitted),
    (_CONFIG, _config),
)


def convert(message: str, severity: Severity, tree: SourceTree, config: str) -> list[Problem]:
    """Turn one MkDocs log message into problems with a file, a line where known, and a code.

    Arguments:
        message: The log record's message.
        severity: ``error`` for ERROR records, ``warning`` for WARNING records.
        tree: The project's sources, to find lines.
        config: Path of ``mkdocs.yml`` relative to the project root.

    Returns:
        One problem, or one per file for a list (pages missing from the nav).
    """
    for pattern, converter in _CONVERTERS:
        match = pattern.match(message)
        if match:
            return converter(match, tree, config, severity)
    any_doc = _ANY_DOC.search(message)
    path = tree.doc_path(any_doc.group("src")) if any_doc else None
    code = "mkdocs.error" if severity == "error" else "mkdocs.warning"
    return [Problem(code, message.strip(), path, None, severity)]


def _find_in_file(path: Path, needle: str) -> int | None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return find_line(lines, [needle], whole_word=False)
