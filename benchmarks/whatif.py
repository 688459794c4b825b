"""Run MkDocs with prototype fixes to the engine applied at runtime, to measure what they gain.

Measurement only: nothing here changes ``plugins/monograph``; each patch is the smallest change
that shows the effect of a fix proposed in ``RESULTS.md``. The fixes prototyped here earlier
(incremental line count, bibliography snapshot, lazy front-matter lines, memoised LaTeX
decoding, gc.freeze) are in the engine since 0342be4, 0f13276 and 90bef0f.
Usage, like the ``mkdocs`` command:

    python benchmarks/whatif.py --patch all build -q -f SITE/mkdocs-warm-fixed.yml

Patches (``--patch`` takes a comma-separated list or ``all``):

- ``keys``: iterate the bibliography's keys from a tuple built once, instead of walking pybtex's
  case-insensitive dict for every page (``PageContext`` passes ``list(bib)`` to
  ``parse_page_evidence`` for each page: O(pages x entries)).
- ``gcfreeze``: ``gc.freeze()`` once the bibliography is loaded, so the collector stops
  re-scanning the many long-lived pybtex objects during the build (in the engine since 90bef0f;
  kept to measure it).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

PATCHES: dict[str, Callable[[], None]] = {}
_STATE: dict[str, Path] = {}


def _patch(name: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def register(func: Callable[[], None]) -> Callable[[], None]:
        PATCHES[name] = func
        return func

    return register


@_patch("keys")
def _cached_keys() -> None:
    from monograph.core.bibliography.loading import Bibliography

    def iterate(self: Any) -> Any:
        keys = self.__dict__.get("_bench_keys")
        if keys is None:
            keys = self.__dict__["_bench_keys"] = tuple(self.data.entries.keys())
        return iter(keys)

    Bibliography.__iter__ = iterate


@_patch("gcfreeze")
def _gc_freeze() -> None:
    from monograph import plugin

    original_on_config = plugin.MonographPlugin.on_config

    def on_config(self: Any, config: Any) -> Any:
        result = original_on_config(self, config)
        gc.freeze()
        return result

    plugin.MonographPlugin.on_config = on_config


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[0] != "--patch":
        sys.exit("usage: whatif.py --patch NAME[,NAME...]|all MKDOCS-ARGS...")
    names = list(PATCHES) if argv[1] == "all" else argv[1].split(",")
    for name in names:
        PATCHES[name]()  # gcfreeze last: it wraps whatever on_config the others installed
    from mkdocs.__main__ import cli

    cli.main(args=argv[2:], prog_name="mkdocs")


if __name__ == "__main__":
    main(sys.argv[1:])
