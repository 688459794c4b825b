"""Citations collected while pages are converted, and the tokens that hold their place.

Numbers are site-wide and follow the order of first citation in navigation order, which is only
known once every page is converted. So conversion leaves a token per citation group (an HTML
comment, invisible, ignored by the table of contents and search) and the engine fills the tokens
in once all pages are read. The tokens are generated here and never come from the source: the
Markdown extension defuses a literal ``<!--monograph-cite:N-->`` typed by an author.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..charrefs import ascii_html
from ..model import CitationGroup

#: ``<!--monograph-cite:12-->`` marks citation group 12; ``<!--monograph-marker:name-->`` a marker.
TOKEN_RE = re.compile(r"<!--monograph-(cite|marker):([\w-]+)-->")


def token(kind: str, value: str) -> str:
    """The token of citation group ``value`` (kind ``cite``) or of marker ``value``."""
    return f"<!--monograph-{kind}:{value}-->"


def marker_token(name: str) -> str:
    """The token left where a page asks for site-wide content (``bibliography``...)."""
    return token("marker", name)


@dataclass
class CitationRegistry:
    """Every citation group of the build; which page holds it is read from the page's tokens."""

    groups: list[CitationGroup] = field(default_factory=list)

    def register(self, group: CitationGroup) -> str:
        """Record ``group`` and return the token that holds its place."""
        self.groups.append(group)
        return token("cite", str(len(self.groups) - 1))


def scan(html: str) -> Iterator[tuple[str, str]]:
    """Yield ``("cite", "12")`` / ``("marker", "bibliography")`` in document order."""
    for match in TOKEN_RE.finditer(html):
        yield match.group(1), match.group(2)


def fill(html: str, replace: Callable[[str, str], str]) -> str:
    """Replace every token by ``replace(kind, value)`` in one pass.

    What replaces a token is HTML the engine made: it is placed in ASCII (:func:`.ascii_html`),
    so it never makes the page a wider string than the author's own text does.
    """
    return TOKEN_RE.sub(lambda m: ascii_html(replace(m.group(1), m.group(2))), html)
