"""Build the site in-process and collect every problem the build reports.

Two kinds of log records become problems: records from the monograph plugin, which carry the
:class:`~monograph.core.model.Problem` itself as ``record.monograph_problem``, and every other
WARNING or ERROR from the ``mkdocs`` logger tree (MkDocs' link, anchor, nav and config validation),
converted by :mod:`monograph.checks.mkdocs_messages`.

The build is never verbose: in MkDocs 1.6.1 a DEBUG level on the ``mkdocs`` logger switches anchor
validation off, so the logger is held at INFO while the build runs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monograph.checks.mkdocs_messages import convert
from monograph.checks.sources import SourceTree
from monograph.core.model import Problem, Severity


@dataclass(frozen=True)
class Project:
    """Where a site's parts live, read from its ``mkdocs.yml`` without building.

    Attributes:
        config_file: The ``mkdocs.yml`` file.
        root: Its folder, the project root that reported paths are relative to.
        docs_dir: The documentation folder.
        site_dir: The built site.
        theme_dir: The theme's ``custom_dir`` (overrides), if any.
        site_url: The configured ``site_url`` ('' when unset).
        repo_url: The configured ``repo_url`` ('' when unset).
        edit_uri: The configured ``edit_uri`` ('' when unset).
        bib_file: The monograph plugin's ``bib_file``, when the plugin is enabled.
        bib_dir: Its ``bib_dir`` (a folder of .bib files, read recursively), instead.
        watch: MkDocs' ``watch`` option: more folders and files the site is built from
            (snippets, plugin code), which ``mkdocs serve`` watches too.
        use_directory_urls: MkDocs' option: how built pages map back to their sources.
    """

    config_file: Path
    root: Path
    docs_dir: Path
    site_dir: Path
    theme_dir: Path | None = None
    site_url: str = ""
    repo_url: str = ""
    edit_uri: str = ""
    bib_file: Path | None = None
    watch: tuple[Path, ...] = ()
    use_directory_urls: bool = True
    bib_dir: Path | None = None

    @property
    def bib_files(self) -> list[Path]:
        """The .bib files the plugin reads (``bib_file``, or every one under ``bib_dir``)."""
        if self.bib_file is not None:
            return [self.bib_file] if self.bib_file.is_file() else []
        if self.bib_dir is not None and self.bib_dir.is_dir():
            return sorted(p for p in self.bib_dir.rglob("*.bib") if p.is_file())
        return []

    @property
    def tree(self) -> SourceTree:
        """A fresh view of the Markdown sources."""
        return SourceTree(self.root, self.docs_dir, self.use_directory_urls)

    @property
    def config_name(self) -> str:
        """``mkdocs.yml`` relative to the project root."""
        return self.config_file.name


class _Capture(logging.Handler):
    """Collect problems from log records while a build runs."""

    def __init__(self, project: Project) -> None:
        super().__init__(level=logging.INFO)
        self.project = project
        self.tree = project.tree
        self.problems: list[Problem] = []

    def emit(self, record: logging.LogRecord) -> None:
        problem = getattr(record, "monograph_problem", None)
        if isinstance(problem, Problem):
            self.problems.append(problem)
            return
        grouped = getattr(record, "monograph_problems", None)
        if isinstance(grouped, list):  # notes said in one summary line
            self.problems.extend(p for p in grouped if isinstance(p, Problem))
            return
        if record.levelno < logging.WARNING:
            return
        severity: Severity = "error" if record.levelno >= logging.ERROR else "warning"
        message = _strip_prefix(record.getMessage())
        self.problems.extend(convert(message, severity, self.tree, self.project.config_name))


def _strip_prefix(message: str) -> str:
    # Plugin loggers prefix "name: "; MkDocs' own messages start with a capital letter.
    head, sep, rest = message.partition(": ")
    return rest if sep and head.isidentifier() and head.islower() else message


@contextmanager
def _capturing(project: Project) -> Iterator[_Capture]:
    logger = logging.getLogger("mkdocs")
    handler = _Capture(project)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def build_site(project: Project, *, skip_pdf: bool = False) -> list[Problem]:
    """Build the site into ``project.site_dir`` (non-strict) and return what it reported.

    A configuration MkDocs rejects, or a build that aborts, is reported as a problem rather than
    raised, so the caller can print every problem with its place.

    Arguments:
        project: The project to build.
        skip_pdf: Leave out the monograph plugin's PDF edition (``pdf_file``), which takes most
            of the build time and is not needed to check citations.

    Returns:
        Every problem the build reported, in the order they were logged.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    with _capturing(project) as capture:
        try:
            cfg = load_config(
                str(project.config_file), site_dir=str(project.site_dir), strict=False
            )
        except (ConfigurationError, Abort) as exc:
            capture.problems.append(_aborted(project, exc, "config.invalid"))
            return capture.problems
        if skip_pdf:
            _skip_pdf(cfg)
        cfg.plugins.on_startup(command="build", dirty=False)
        try:
            build(cfg)
        except Abort as exc:
            capture.problems.append(_aborted(project, exc, "build.aborted"))
        except Exception as exc:  # a plugin crash is reported, not raised
            message = (
                f"the build crashed: {type(exc).__name__}: {exc}; run 'mkdocs build' to see "
                "the traceback"
            )
            capture.problems.append(Problem("build.crashed", message, project.config_name))
        finally:
            cfg.plugins.on_shutdown()
    return capture.problems


def _skip_pdf(cfg: Any) -> None:
    plugin = cfg["plugins"].get("monograph")
    options = getattr(plugin, "config", None)
    if options is not None and "pdf_file" in options:
        options.pdf_file = None


def _aborted(project: Project, exc: BaseException, code: str) -> Problem:
    detail = str(exc).strip() or type(exc).__name__
    message = f"{detail}; fix the problems above and run the check again"
    return Problem(code, message, project.config_name)


class ProjectError(Exception):
    """The configuration cannot be loaded; ``problems`` say where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def load_project(config_file: Path, site_dir: Path | None = None) -> Project:
    """Read the folders of a project from its ``mkdocs.yml`` without building it.

    Arguments:
        config_file: The ``mkdocs.yml`` file.
        site_dir: Overrides the configured site directory.

    Returns:
        The project layout.

    Raises:
        ProjectError: MkDocs rejects the configuration.
    """
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    root = config_file.resolve().parent
    provisional = Project(config_file.resolve(), root, root / "docs", root / "site")
    overrides = {"site_dir": str(site_dir)} if site_dir is not None else {}
    with _capturing(provisional) as capture:
        try:
            cfg = load_config(str(config_file), **overrides)
        except (ConfigurationError, Abort, OSError) as exc:
            problems = capture.problems or [_aborted(provisional, exc, "config.invalid")]
            raise ProjectError(problems) from exc
    custom_dir = cfg["theme"].custom_dir
    return Project(
        config_file=config_file.resolve(),
        root=root,
        docs_dir=Path(cfg["docs_dir"]),
        site_dir=Path(cfg["site_dir"]),
        theme_dir=Path(custom_dir) if custom_dir else None,
        site_url=cfg["site_url"] or "",
        repo_url=cfg["repo_url"] or "",
        edit_uri=cfg["edit_uri"] or "",
        bib_file=_bib_file(cfg),
        bib_dir=_bib_file(cfg, "bib_dir"),
        watch=tuple(Path(path) for path in cfg["watch"]),
        use_directory_urls=bool(cfg["use_directory_urls"]),
    )


def _bib_file(cfg: Any, option: str = "bib_file") -> Path | None:
    plugin = cfg["plugins"].get("monograph")
    bib = getattr(getattr(plugin, "config", None), option, None)
    if not isinstance(bib, str) or not bib or bib.lower().startswith(("http://", "https://")):
        return None  # a URL is fetched by the build, not a file of the project
    return Path(bib)


def source_paths(project: Project) -> list[Path]:
    """Return every file whose change makes a built site stale.

    Arguments:
        project: The project.

    Returns:
        ``mkdocs.yml``, ``*.bib`` at the root and the plugin's .bib files (``bib_dir``), every
        file under the docs folder and the theme overrides, and every file and folder MkDocs'
        ``watch`` option names.
    """
    root_bibs = sorted(project.root.glob("*.bib"))
    extra = [p for p in project.bib_files if p not in root_bibs]
    paths = [project.config_file, *root_bibs, *extra]
    folders = [project.docs_dir, *project.watch]
    if project.theme_dir is not None:
        folders.append(project.theme_dir)
    paths.extend(path for path in project.watch if path.is_file())
    for folder in folders:
        if folder.is_dir():
            paths.extend(
                p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
            )
    return paths


def is_stale(project: Project) -> bool:
    """Tell whether ``site_dir`` is missing or older than any of its sources.

    Arguments:
        project: The project.

    Returns:
        ``True`` when the site must be rebuilt before it is checked.
    """
    built = (
        [p.stat().st_mtime for p in project.site_dir.rglob("*.html")]
        if project.site_dir.is_dir()
        else []
    )
    if not built:
        return True
    oldest_page = min(built)
    newest_source = max((_mtime(p) for p in source_paths(project)), default=0.0)
    return newest_source > oldest_page


def _mtime(path: Path) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0
