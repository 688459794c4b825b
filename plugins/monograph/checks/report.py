"""Format problems for people (text), tools (JSON) and GitHub Actions (workflow commands).

Every checker returns :class:`~monograph.core.model.Problem` objects; this module only decides how
they are shown and which exit status they deserve.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from monograph.core.model import Problem

Format = Literal["text", "json", "github"]
FORMATS: tuple[Format, ...] = ("text", "json", "github")

_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def sort_key(problem: Problem) -> tuple[str, int, int, str, str]:
    """Order problems by file, line, severity, code and message.

    Arguments:
        problem: The problem to order.

    Returns:
        A tuple that sorts problems without a file last.
    """
    path = problem.path if problem.path is not None else "\uffff"
    severity = _SEVERITY_ORDER.get(str(problem.severity), 3)
    return (path, problem.line or 0, severity, problem.code, problem.message)


def deduplicate(*reports: Iterable[Problem]) -> list[Problem]:
    """Drop repeats of one defect reported by two checkers, keeping the first checker's report.

    MkDocs' own validation and the HTML link check both see a broken Markdown link; they agree on
    the file, the line and the code (not on the wording). So a problem of a later report is a
    repeat when an earlier report has one more problem at that (path, line, code) than have been
    matched already. Within one report every distinct problem is kept: three unknown keys or two
    broken links on one line are three and two problems.

    Arguments:
        reports: Each checker's problems, in the order the checkers ran.

    Returns:
        The problems without repeats, in their original order.
    """
    earlier: Counter[tuple[str | None, int | None, str]] = Counter()
    kept: list[Problem] = []
    for found in reports:
        this: Counter[tuple[str | None, int | None, str]] = Counter()
        seen: set[Problem] = set()
        for problem in found:
            if problem in seen:
                continue  # the very same problem twice in one report
            seen.add(problem)
            where = (problem.path, problem.line, problem.code)
            if problem.line is not None and earlier[where] > 0:
                earlier[where] -= 1  # the same defect, reported by an earlier checker
                continue
            this[where] += 1
            kept.append(problem)
        earlier += this
    return kept


def exit_status(problems: Iterable[Problem]) -> int:
    """Return 1 when any problem is an error or a warning, else 0 ("info" never fails).

    Arguments:
        problems: Every problem found.

    Returns:
        The process exit status.
    """
    return 1 if any(p.severity in ("error", "warning") for p in problems) else 0


def counts(problems: Iterable[Problem]) -> dict[str, int]:
    """Count problems per severity.

    Arguments:
        problems: Every problem found.

    Returns:
        ``{"error": n, "warning": n, "info": n}``.
    """
    result = {"error": 0, "warning": 0, "info": 0}
    for problem in problems:
        result[str(problem.severity)] = result.get(str(problem.severity), 0) + 1
    return result


def render(
    problems: Sequence[Problem],
    fmt: Format,
    *,
    summary: Mapping[str, object] | None = None,
) -> str:
    """Render problems in the chosen format.

    Arguments:
        problems: Every problem found.
        fmt: ``text``, ``json`` or ``github``.
        summary: Extra facts to report (e.g. how many URLs were checked).

    Returns:
        The report, ending with a newline.
    """
    ordered = sorted(problems, key=sort_key)
    if fmt == "json":
        return _render_json(ordered, summary or {})
    if fmt == "github":
        return _render_github(ordered, summary or {})
    return _render_text(ordered, summary or {})


def _severity_label(problem: Problem) -> str:
    return "" if problem.severity == "error" else f"{problem.severity}: "


def _render_text(problems: Sequence[Problem], summary: Mapping[str, object]) -> str:
    lines: list[str] = []
    current: str | None = None
    for problem in problems:
        group = problem.path or "(no file)"
        if group != current:
            if current is not None:
                lines.append("")
            lines.append(group)
            current = group
        # Continuation lines of a multi-line message stay inside the file's group.
        lines.append("  " + _text_line(problem).replace("\n", "\n    "))
    if problems:
        lines.append("")
    lines.append(_total_line(problems, summary))
    return "\n".join(lines) + "\n"


def _text_line(problem: Problem) -> str:
    where = problem.location
    text = f"{_severity_label(problem)}{problem.message} [{problem.code}]"
    return f"{where}: {text}" if where else text


def _total_line(problems: Sequence[Problem], summary: Mapping[str, object]) -> str:
    tally = counts(problems)
    files = len({p.path for p in problems if p.severity != "info"})
    failing = tally["error"] + tally["warning"]
    if failing:
        head = (
            f"Found {failing} problem{'s' if failing != 1 else ''} "
            f"({tally['error']} errors, {tally['warning']} warnings) "
            f"in {files} file{'s' if files != 1 else ''}"
        )
    else:
        head = "No problems found"
    if tally["info"]:
        head += f"; {tally['info']} notes"
    extra = ", ".join(f"{key}: {value}" for key, value in summary.items())
    return f"{head}. {extra}." if extra else f"{head}."


def _render_json(problems: Sequence[Problem], summary: Mapping[str, object]) -> str:
    document = {
        "problems": [
            {
                "path": p.path,
                "line": p.line,
                "code": p.code,
                "severity": p.severity,
                "message": p.message,
            }
            for p in problems
        ],
        "counts": counts(problems),
        "summary": dict(summary),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _github_escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_escape_property(text: str) -> str:
    return _github_escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _render_github(problems: Sequence[Problem], summary: Mapping[str, object]) -> str:
    commands = {"error": "error", "warning": "warning", "info": "notice"}
    lines: list[str] = []
    for problem in problems:
        props: list[str] = []
        if problem.path:
            props.append(f"file={_github_escape_property(problem.path)}")
            if problem.line:
                props.append(f"line={problem.line}")
        props.append(f"title={_github_escape_property(problem.code)}")
        command = commands.get(str(problem.severity), "error")
        lines.append(f"::{command} {','.join(props)}::{_github_escape_data(problem.message)}")
    lines.append(_total_line(problems, summary))
    return "\n".join(lines) + "\n"
