"""The ``reviewed:`` date a page may carry in its front matter, shown under its title."""

from __future__ import annotations

import datetime as dt
from html import escape

from ..model import Problem
from ..source.yaml_lines import front_matter_lines, line_of


def parse_reviewed(value: object) -> dt.date | None:
    """Accept a YAML date (``2026-11-24``) or an ISO string; None when it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def reviewed_html(date: dt.date) -> str:
    """``<p class="page-reviewed">Last reviewed: <time ...>24 November 2026</time></p>``."""
    label = f"{date.day} {date.strftime('%B')} {date.year}"
    return (
        f'<p class="page-reviewed">Last reviewed: '
        f'<time datetime="{date.isoformat()}">{escape(label)}</time></p>'
    )


def insert_after_title(content: str, snippet: str) -> str:
    """Put ``snippet`` right after the page's first ``<h1>`` (or first, if there is none).

    Python-Markdown always closes a heading with the literal ``</h1>``; the content is the
    converter's own output, so a plain search is exact here.
    """
    end = content.find("</h1>")
    if end < 0:
        return snippet + "\n" + content
    end += len("</h1>")
    return content[:end] + "\n" + snippet + content[end:]


def read_reviewed(
    value: object, *, source: str, path: str, require: bool
) -> tuple[dt.date | None, Problem | None]:
    """The page's ``reviewed:`` date, or the problem with it.

    Arguments:
        value: ``page.meta.get("reviewed")`` (None when the page has none).
        source: The whole Markdown file, to find the line of the ``reviewed:`` key.
        path: The file path to name in the problem.
        require: Every page must have the date (the plugin's ``require_reviewed``).

    Returns:
        The date (or None) and a ``page.reviewed`` problem (or None).
    """
    date = parse_reviewed(value) if value is not None else None
    if date is not None or (value is None and not require):
        return date, None
    line = line_of(front_matter_lines(source), ("reviewed",)) if value else 1
    what = f"reviewed: {value!r} is not a date" if value else "no 'reviewed:' date"
    message = (
        f"{what}; add 'reviewed: YYYY-MM-DD' to the front matter "
        "(the day the page was last checked against its sources)"
    )
    return None, Problem("page.reviewed", message, path, line)
