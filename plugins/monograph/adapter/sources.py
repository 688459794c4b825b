"""Where the bibliography comes from: ``bib_file`` (a path or an http(s) URL) or ``bib_dir``.

These are mkdocs-bibtex's options too, with its meaning: a URL (a Zotero export) is fetched on
every build, the last copy kept for builds without a network; ``bib_dir`` reads every ``.bib``
file under the folder, recursively, in path order.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..core.bibliography.checks import check_bibliography
from ..core.bibliography.loading import Bibliography, load_bibliography, merge_bibliographies
from ..core.model import CoreError, Problem
from ..core.styles.fetch import fetch_cached, is_url
from .config import MonographConfig


def display(path: Path, project_dir: Path) -> str:
    """``path`` relative to the project (mkdocs.yml's folder) if inside, as messages show it."""
    if path.is_absolute() and project_dir.is_absolute():
        try:  # MkDocs' paths are absolute already: no file-system call for each page
            return path.relative_to(project_dir).as_posix()
        except ValueError:
            pass
    try:
        return path.resolve().relative_to(project_dir.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def bib_files(
    config: MonographConfig, project_dir: Path, cache_dir: Path | None, config_path: str
) -> list[tuple[Path, str]]:
    """The .bib files to read, each with its name in messages; CoreError when there are none."""
    if config.bib_file and config.bib_dir:
        raise CoreError(
            f"{config_path}: both bib_file and bib_dir are set; keep one (bib_dir reads every "
            ".bib file under the folder)"
        )
    if config.bib_file:
        source = str(config.bib_file)
        if is_url(source):
            path = fetch_cached(
                source, cache_dir, suffix=".bib", config_path=config_path, refresh=True
            )
            return [(path, source)]
        return [(Path(source), display(Path(source), project_dir))]
    if config.bib_dir:
        folder = Path(str(config.bib_dir))
        files = sorted(p for p in folder.rglob("*.bib") if p.is_file())
        if not files:
            raise CoreError(
                f"{config_path}: bib_dir '{display(folder, project_dir)}' holds no .bib file; "
                "put the bibliography there or point bib_dir at its folder"
            )
        return [(path, display(path, project_dir)) for path in files]
    raise CoreError(
        f"{config_path}: no bibliography; add 'bib_file: refs.bib' (a .bib file or an http(s) "
        "URL) or 'bib_dir: FOLDER' (every .bib file under it) to the plugin's options"
    )


def load_sources(
    config: MonographConfig,
    project_dir: Path,
    cache_dir: Path | None,
    config_path: str,
    *,
    debug: Callable[[str], None] | None = None,
    parallel: bool = False,
    later: bool = False,
) -> tuple[Bibliography, list[Path]]:
    """The bibliography of the site, and the files it was read from (to watch).

    ``parallel``: a large file may be parsed in two processes, and a single file's checks and
    snapshot are left to ``Bibliography.finish_parse`` (see ``load_bibliography``). ``later``:
    a single file that needs parsing is left to parse (``load_bibliography(later=True)``).
    """
    files = bib_files(config, project_dir, cache_dir, config_path)
    # One file: its checks are the site's, so they are computed with the parse and saved in
    # its snapshot. Several files are checked once merged (by the caller).
    prepare = check_bibliography if len(files) == 1 else None
    bibs = [
        load_bibliography(
            path,
            shown,
            cache_dir,
            debug=debug,
            prepare=prepare,
            parallel=parallel,
            defer=parallel and len(files) == 1,
            later=later and len(files) == 1,
        )
        for path, shown in files
    ]
    if len(bibs) == 1:
        return bibs[0], [files[0][0]]
    shown = display(Path(str(config.bib_dir)), project_dir) if config.bib_dir else bibs[0].path
    return merge_bibliographies(bibs, shown), [path for path, _ in files]


def compatibility_problems(config: MonographConfig, config_path: str) -> list[Problem]:
    """mkdocs-bibtex options that have no meaning here: said, never silently ignored."""
    problems = []
    if config.footnote_format is not None:
        problems.append(
            Problem(
                "config.footnote_format",
                f"footnote_format: '{config.footnote_format}' has no effect: citations are links "
                "to a numbered reference list (or author-date text), not footnotes; remove the "
                "option (see 'Moving from mkdocs-bibtex' in the plugin's documentation)",
                config_path,
                severity="info",
            )
        )
    return problems
