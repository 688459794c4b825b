"""What the CSL style (:mod:`.csl`) and its processor (:mod:`.csl_processor`) both know.

The style answers a warm build from its caches without loading the processor (citeproc-py,
lxml); the processor is loaded on the first answer missing from them. What both read is here,
so neither imports the other's module for it:

- :class:`CslInfo`: what the engine reads from a CSL file (:func:`.csl_processor.read_csl`),
  kept in the cache folder by :mod:`.csl` so that a warm build does not read the file again;
- the marks the processor's text of a citation carries around each work
  (:meth:`.csl_processor.CslProcessor.cite` puts them, :func:`marked_parts` cuts at them).
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import StyledWork, StyleKind

#: Private control characters around each work of a citation (as CSL affixes), and in place of
#: a suppressed author; they never occur in the processor's escaped text.
OPEN, MID, CLOSE, NO_AUTHOR = "\x01", "\x02", "\x03", "\x04"
#: The id suffix of a work's twin, cited by ``[-@key]`` and ``@key`` (author left out).
SUPPRESSED = "\x00suppressed"
#: A citation's text when the processor failed on it (the engine writes the citation).
FAILED = "\x00failed"


@dataclass(frozen=True)
class CslInfo:
    """What the engine reads from a CSL file before handing it to the processor."""

    title: str
    kind: StyleKind
    year_suffix: bool
    xml: bytes  # the file, with the citation number left out of list entries of numeric styles
    #: ``collapse`` of ``<citation>`` (``citation-number``: ``1, 2, 3, 5`` -> ``1–3, 5``).
    collapse: str = ""
    #: The delimiter between works (``delimiter`` of the citation's ``<layout>``).
    delimiter: str = ""
    #: ``after-collapse-delimiter`` of ``<citation>``: after a range (the delimiter if None).
    after_collapse: str | None = None
    #: The ``citation-range-delimiter`` term of the style's locale; CSL's default is an en dash.
    range_delimiter: str = "–"
    #: ``cite-group-delimiter`` of ``<citation>``: between the cites of one author group; its
    #: presence alone turns cite grouping on (CSL's default, when ``collapse`` does: ``, ``).
    cite_group_delimiter: str | None = None
    #: ``year-suffix-delimiter`` of ``<citation>``: between collapsed year suffixes (the
    #: delimiter if None).
    year_suffix_delimiter: str | None = None
    #: A localized date of the style sets date parts (``<date form="..."><date-part/>``):
    #: citeproc-py then copies their attributes onto the locale's date parts as it renders,
    #: so a text with a localized date may read differently later in the build. Nothing
    #: rendered is kept or made ahead for such a style (see :mod:`.csl_processor`).
    dates_change: bool = False


def marked_parts(out: str, count: int) -> list[str | StyledWork] | None:
    """The processor's text of a citation, cut at the marks around each work.

    Returns the style's own text and the works in order, or None when the marks are not where
    :meth:`.csl_processor.CslProcessor.cite` put them (the processor merged or dropped works).
    """
    parts: list[str | StyledWork] = []
    rest = out
    while (start := rest.find(OPEN)) >= 0:
        mid = rest.find(MID, start)
        close = rest.find(CLOSE, mid)
        number = rest[start + 1 : mid]
        inner = rest[mid + 1 : close]
        if mid < 0 or close < 0 or not number.isdigit() or int(number) >= count:
            return None
        if OPEN in inner or MID in inner:
            return None
        if start:
            parts.append(rest[:start])
        parts.append(StyledWork(int(number), inner))
        rest = rest[close + 1 :]
    if rest:
        parts.append(rest)
    text = "".join(part for part in parts if isinstance(part, str))
    if any(mark in text for mark in (OPEN, MID, CLOSE)):
        return None
    return parts
