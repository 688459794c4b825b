"""Run MkDocs with prototype fixes to the engine applied at runtime, to measure what they gain.

Measurement only: nothing here changes ``plugins/monograph``; each patch is the smallest change
that shows the effect of a fix proposed in ``RESULTS.md``. (The first fix found, counting entry
lines incrementally in ``_LocatingParser.parse_string``, is in the engine since 0342be4.)
Usage, like the ``mkdocs`` command:

    python benchmarks/whatif.py --patch all build -q -f SITE/mkdocs-warm-fixed.yml

Patches (``--patch`` takes a comma-separated list or ``all``):

- ``lazy-yaml``: re-read a page's front matter for line numbers only when a problem needs one.
- ``snapshot``: keep the parsed bibliography in the cache directory, keyed by the sha256 of the
  .bib file, and load it with the garbage collector paused (a warm build then never runs
  pybtex's parser).
- ``memo``: memoise the LaTeX-to-text decoding of name parts (authors recur across entries).
- ``gcfreeze``: ``gc.freeze()`` once the bibliography is loaded, so the collector stops
  re-scanning the many long-lived pybtex objects during the build.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import pickle
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

PATCHES: dict[str, Callable[[], None]] = {}
_STATE: dict[str, Path] = {}


def _patch(name: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def register(func: Callable[[], None]) -> Callable[[], None]:
        PATCHES[name] = func
        return func

    return register


class _LazyLines(Mapping[Any, int]):
    """``front_matter_lines(source)``, computed on first look-up."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._lines: dict[Any, int] | None = None

    def _get(self) -> dict[Any, int]:
        if self._lines is None:
            from monograph.core.yaml_lines import front_matter_lines

            self._lines = front_matter_lines(self.source)
        return self._lines

    def __getitem__(self, key: Any) -> int:
        return self._get()[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


@_patch("lazy-yaml")
def _lazy_yaml() -> None:
    from monograph.core import evidence

    evidence.front_matter_lines = _LazyLines


@_patch("snapshot")
def _snapshot() -> None:
    import pybtex
    from monograph import plugin
    from monograph.core import bibliography

    original_load = bibliography.load_bibliography
    original_on_config = plugin.MonographPlugin.on_config

    def on_config(self: Any, config: Any) -> Any:
        if self.config.cache_dir:
            _STATE["cache"] = Path(config.config_file_path).parent / self.config.cache_dir
        return original_on_config(self, config)

    def load(path: Path, display_path: str | None = None) -> Any:
        cache = _STATE.get("cache")
        if cache is None:
            return original_load(path, display_path)
        raw = path.read_bytes() + f"\n{pybtex.__version__}\n{display_path}".encode()
        snap = cache / f"bibliography-{hashlib.sha256(raw).hexdigest()[:20]}.pickle"
        if snap.is_file():
            gc.disable()
            try:
                return pickle.loads(snap.read_bytes())
            finally:
                gc.enable()
        bib = original_load(path, display_path)
        snap.parent.mkdir(parents=True, exist_ok=True)
        snap.write_bytes(pickle.dumps(bib, protocol=pickle.HIGHEST_PROTOCOL))
        return bib

    plugin.MonographPlugin.on_config = on_config
    plugin.load_bibliography = load
    bibliography.load_bibliography = load


@_patch("memo")
def _memo() -> None:
    from monograph.core import references, vancouver
    from pybtex.richtext import Text

    plain = functools.lru_cache(maxsize=None)(vancouver._plain)
    vancouver._plain = plain

    def narrative(bib: Any, key: str) -> str:
        entry = bib.entry(key)
        persons = list(entry.persons.get("author") or entry.persons.get("editor") or ())
        surnames = [
            " ".join(plain(n) for n in p.prelast_names + p.last_names)
            for p in persons
            if str(p) != "others"
        ]
        if not surnames:
            return str(Text.from_latex(str(entry.fields.get("title", key))))
        if len(surnames) == 1 and len(persons) == 1:
            return surnames[0]
        if len(surnames) == 2 and len(persons) == 2:
            return f"{surnames[0]} and {surnames[1]}"
        return f"{surnames[0]} et al."

    references._narrative = narrative


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
