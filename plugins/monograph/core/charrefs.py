"""The HTML the engine places in a page, written in ASCII: any other character as a reference.

CPython stores a string in the narrowest width its widest character needs: one byte a character
for ASCII and Latin-1, two up to U+FFFF, four beyond. MkDocs renders each page into its theme as
one string (with the ``mkdocs`` theme, the whole navigation is in every page), then encodes it
to write it. One character beyond Latin-1 in what the engine placed (the ``↩`` of a back-link,
an ``ř`` or ``ś`` in an author's name) made that whole string two bytes a character: widened
when joined, encoded character by character, held twice as large. On a 1,000-page site of ASCII
text that was about 3.7 M of the 8.8 M instructions a page the engine added to a warm build, and
the only part of it that grew with the site (``benchmarks/RESULTS.md``, issue 15's eighth
session). Written as numeric character references, the engine's fragments never make a page
wider than its author's own text does. Browsers, lxml, WeasyPrint and the search plugins' HTML
parsers read the references as the characters; Python-Markdown's footnotes write their
back-link the same way (``&#8617;``).

A reference is read as its character in an element's text and in an attribute's value, which
is all the engine's templates write. It is not in a raw-text element (``script``, ``style``...)
or a CDATA section, which a site's own template could hold: such a fragment is left as it is.
Python's ``xmlcharrefreplace`` error handler does the writing, in C. Detecting the raw-text
elements is a search for their start tags, not a parse: a false alarm only leaves a fragment
as it was.
"""

from __future__ import annotations

import re

#: Where a reference would not be read as its character (see the module's description).
_RAW_TEXT = re.compile(
    r"<(?:script|style|xmp|iframe|noembed|noframes|noscript|plaintext)\b|<!\[CDATA\[",
    re.IGNORECASE,
)

#: A lone surrogate (from broken input) cannot be written as a character: shown as U+FFFD,
#: as a browser shows a reference to one.
_SURROGATE = re.compile("[\ud800-\udfff]")


def ascii_html(fragment: str) -> str:
    """``fragment`` with every character beyond ASCII written as a numeric reference.

    Arguments:
        fragment: HTML the engine made (a citation, a reference list, a table).

    Returns:
        The same HTML, as a browser reads it, in ASCII; ``fragment`` itself when it is ASCII
        already (a constant-time test in CPython) or holds a raw-text element.
    """
    if fragment.isascii() or _RAW_TEXT.search(fragment):
        return fragment
    fragment = _SURROGATE.sub("\ufffd", fragment)
    return fragment.encode("ascii", "xmlcharrefreplace").decode("ascii")
