"""Reference styles by name: the built-in Vancouver, the shipped CSL styles, any CSL file.

``style: vancouver`` (the default) is the engine's own pybtex style. ``style: apa`` (and the other
names in :data:`SHIPPED`) is a CSL file shipped with the plugin (see ``csl/README.md`` for their
license). ``csl_file:`` names any CSL 1.0.x file, or an http(s) URL fetched once and cached.
Other packages add styles under the ``monograph.styles`` entry-point group: a callable that takes
no argument and returns a :class:`~.base.ReferenceStyle`.
"""

from __future__ import annotations

import difflib
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import CoreError
from .base import ReferenceStyle
from .fetch import fetch_cached, is_url

if TYPE_CHECKING:
    from .csl import CslStyle

#: Shipped CSL styles by name -> file in ``csl/``.
SHIPPED = {
    "ama": "ama.csl",
    "apa": "apa.csl",
    "nature": "nature.csl",
    "nlm": "nlm.csl",
    "chicago-author-date": "chicago-author-date.csl",
}
#: Other names people use for them.
ALIASES = {
    "american-medical-association": "ama",
    "nlm-citation-sequence": "nlm",
    "vancouver-csl": "nlm",
    "chicago": "chicago-author-date",
}
DEFAULT = "vancouver"
ENTRY_POINT_GROUP = "monograph.styles"


def _entry_points() -> dict[str, metadata.EntryPoint]:
    return {ep.name: ep for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}


def style_names() -> list[str]:
    """Every name ``style:`` accepts."""
    return sorted({DEFAULT, *SHIPPED, *ALIASES, *_entry_points()})


def _shipped(name: str, cache_dir: Path | None = None) -> CslStyle:
    from .csl import load_csl  # the CSL modules load only for a CSL style

    resource = resources.files(__package__ or "monograph.core.styles") / "csl" / SHIPPED[name]
    return load_csl(resource.read_bytes(), f"{name} (shipped)", name, cache_dir=cache_dir)


def _builtin(name: str, cache_dir: Path | None = None) -> ReferenceStyle | None:
    if name == DEFAULT:  # not through entry points: the default works in any checkout
        from .builtin import VancouverReferences

        return VancouverReferences()
    name = ALIASES.get(name, name)
    if name in SHIPPED:
        return _shipped(name, cache_dir)
    return None


def load_style(
    name: str = DEFAULT,
    csl_file: str | None = None,
    *,
    base_dir: Path,
    cache_dir: Path | None = None,
    encoding: str | None = None,
    config_path: str = "mkdocs.yml",
) -> ReferenceStyle:
    """The style a site asks for; CoreError with a message to act on when it cannot be used.

    Arguments:
        name: ``style:`` (a name).
        csl_file: ``csl_file:`` (a path relative to ``base_dir`` or an http(s) URL).
        base_dir: The folder of ``mkdocs.yml``.
        cache_dir: Where a fetched style is kept (then used offline), and what a CSL style
            decides about a build's works (its list order and letters).
        encoding: ``csl_file_encoding:``, when the file is not UTF-8.
        config_path: The configuration file, as named in messages.
    """
    if csl_file:
        from .csl import load_csl_file  # the CSL modules load only for a CSL style

        if name != DEFAULT:
            raise CoreError(
                f"{config_path}: both 'style: {name}' and 'csl_file: {csl_file}'; keep one "
                "(style names a built-in or shipped style, csl_file any CSL file)"
            )
        if is_url(csl_file):
            path = fetch_cached(csl_file, cache_dir, suffix=".csl", config_path=config_path)
            style = load_csl_file(path, csl_file, encoding=encoding, cache_dir=cache_dir)
        else:
            path = base_dir / csl_file
            style = load_csl_file(path, csl_file, encoding=encoding, cache_dir=cache_dir)
        return style
    found = _builtin(name, cache_dir)
    if found is not None:
        return found
    point = _entry_points().get(name)
    if point is None:
        close = difflib.get_close_matches(name, style_names(), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"use one of {', '.join(style_names())}"
        raise CoreError(
            f"{config_path}: unknown style '{name}'; {hint} (or csl_file: for any CSL file)"
        )
    try:
        loaded = point.load()()
    except Exception as exc:  # a third-party style that fails to load is a message
        raise CoreError(
            f"{config_path}: style '{name}' ({point.value}) could not be loaded: {exc}"
        ) from None
    return loaded  # type: ignore[no-any-return]
