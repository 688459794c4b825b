"""The ``nocite`` option: works listed in the bibliography although no page cites them.

As in Pandoc and LaTeX, ``*`` lists every entry of the bibliography; any other item is a key,
checked against the bibliography so that a misspelt key is reported rather than ignored.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..bibliography.loading import Bibliography
from ..model import Problem
from ..source.locate import SourceLocator

WILDCARD = "*"


def resolve_nocite(
    bib: Bibliography, nocite: Sequence[str], *, path: str | None = None, source: str = ""
) -> tuple[tuple[str, ...], list[Problem]]:
    """Return the canonical keys ``nocite`` lists, and a problem per unknown key.

    Arguments:
        bib: The bibliography.
        nocite: The option as written (keys, or ``*`` for every entry).
        path: The configuration file to name in problems (``mkdocs.yml``).
        source: Its text, to find the line of an unknown key.

    Returns:
        The keys in bibliography order for ``*``, else in the order listed (no duplicates),
        and a ``cite.unknown_nocite`` problem, with a "did you mean", for each unknown key.
    """
    keys: dict[str, None] = {}
    problems: list[Problem] = []
    locator = SourceLocator(source)
    for item in nocite:
        if item == WILDCARD:
            keys.update(dict.fromkeys(bib))
        elif item in bib:
            keys[bib.canonical_key(item)] = None
        else:
            guess = bib.suggest(item)
            hint = f"did you mean '{guess}'?" if guess else "remove it or add the entry"
            problems.append(
                Problem(
                    "cite.unknown_nocite",
                    f"nocite lists '{item}', which {bib.path} does not define; {hint}",
                    path,
                    locator.line_of(item) if source else None,
                )
            )
    return tuple(keys), problems
