"""Which URLs may become links: the one rule every link the engine writes goes through.

Only ``http``, ``https`` and ``mailto`` URLs are ever links; a DOI written as ``doi:10.x/y`` becomes
its ``https://doi.org/`` address. Anything else (``javascript:``, ``data:``, ``file:``, a relative
path taken from a data field) is refused: shown as text and reported by the caller.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
#: What the refusal message tells a contributor to use instead.
ALLOWED = "only http://, https:// and mailto: addresses (or doi:10.NNNN/suffix) may be links"


#: ASCII control characters (U+0000-U+001F), deleted by ``str.translate``.
_CONTROLS = dict.fromkeys(range(0x20))


def _strip(url: str) -> str:
    # Browsers ignore ASCII control characters and surrounding spaces in a URL, so
    # "java\tscript:" is "javascript:"; urlsplit does the same for tabs and newlines only.
    return url.translate(_CONTROLS).strip()


def safe_url(url: str) -> str | None:
    """Return the URL to link to, or None when ``url`` must not become a link.

    >>> safe_url("https://example.org/a?b=1")
    'https://example.org/a?b=1'
    >>> safe_url("doi:10.1002/x.y")
    'https://doi.org/10.1002/x.y'
    >>> safe_url("javascript:alert(1)") is None
    True
    """
    cleaned = _strip(url)
    if not cleaned:
        return None
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme == "doi" and cleaned[4:].lstrip("/").startswith("10."):
        return "https://doi.org/" + cleaned[4:].lstrip("/")
    if scheme not in SAFE_SCHEMES:
        return None
    if scheme != "mailto" and not parts.netloc:
        return None  # "https:evil" or "http:/x": no host, nothing a reader should follow
    return cleaned


# Pure, and a site repeats its link targets (every citation links to a reference list): memoised,
# bounded so that a long `mkdocs serve` session cannot grow it without end.
@lru_cache(maxsize=16384)
def page_link_allowed(href: str) -> bool:
    """A link written in a page: relative links and fragments are fine, schemes must be safe."""
    cleaned = _strip(href)
    if ":" not in cleaned and not cleaned.startswith("//"):
        return True  # "#ref-3", "../iron/": no scheme and no host, as urlsplit would find
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return False
    if not parts.scheme:
        return not cleaned.startswith("//") or safe_url("https:" + cleaned) is not None
    return safe_url(cleaned) is not None
