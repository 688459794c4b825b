"""The ``reviewed:`` date every monograph page carries, shown under its title."""

from __future__ import annotations

import datetime as dt
from html import escape


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
