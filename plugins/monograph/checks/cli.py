"""Command line: ``python -m monograph.checks [all|citations|internal|external]``.

- ``citations``: build the site in-process and report what the build reports: the citation engine's
  problems (unknown keys, unused entries, duplicates, malformed identifiers, evidence data) and
  MkDocs' own link, anchor and nav validation.
- ``internal``: check every link and ``#fragment`` inside the built HTML.
- ``all`` (the default, run by ``make check``): ``citations`` then ``internal``; offline.
- ``external``: opt-in, uses the network (``make check-external``).

Exit status: 0 when clean ("info" notes never fail), 1 on any error or warning, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from monograph.checks import report
from monograph.checks.build import Project, ProjectError, build_site, is_stale, load_project
from monograph.checks.internal import check_internal
from monograph.checks.settings import CheckSettings, SettingsError, load_settings
from monograph.core.model import Problem
from monograph.extras import MissingExtra, require_extra

COMMANDS = ("all", "citations", "internal", "external")
_BUILD_FAILURES = ("build.", "config.")
#: Where the checks build the site, relative to the project root (``--site-dir`` overrides).
CHECK_SITE_DIR = Path(".cache", "monograph", "check-site")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m monograph.checks",
        description="Check citations, internal links and (opt-in) external links of the site.",
    )
    parser.add_argument("command", nargs="?", default="all", choices=COMMANDS)
    parser.add_argument("--config", "-f", default="mkdocs.yml", help="the MkDocs configuration")
    parser.add_argument(
        "--site-dir",
        help="where to build the site, or the built site to check with --no-build (default: "
        f"{CHECK_SITE_DIR.as_posix()} when a build is needed, else site_dir of the configuration)",
    )
    parser.add_argument("--format", default="text", choices=report.FORMATS)
    parser.add_argument("--exclude", action="append", metavar="REGEX", help="skip matching links")
    parser.add_argument(
        "--no-build",
        action="store_true",
        help="check site_dir in place, unless it is missing or older than a source (internal, "
        "external)",
    )
    parser.add_argument("--report", metavar="FILE", help="also write the report as JSON to FILE")
    external = parser.add_argument_group("external links")
    external.add_argument("--doi-base", help="doi.org base URL (handle API)")
    external.add_argument("--eutils-base", help="NCBI E-utilities base URL")
    external.add_argument("--timeout", type=float, help="seconds per request")
    external.add_argument("--retries", type=int, help="extra attempts on 429/503/timeouts")
    external.add_argument("--concurrency", type=int, help="requests in flight")
    external.add_argument("--per-host", type=int, help="requests in flight per host")
    external.add_argument("--cache-file", help="JSON cache of successful checks")
    external.add_argument("--cache-ttl-hours", type=float, help="how long a success is trusted")
    external.add_argument("--no-cache", action="store_true", help="ignore and keep the cache")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the checks and print the report.

    Arguments:
        argv: Command-line arguments without the program name (default: ``sys.argv[1:]``).

    Returns:
        0 when clean, 1 on any error or warning, 2 on a usage error.
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    config_file = Path(args.config)
    if not config_file.is_file():
        return _usage(f"{config_file}: no such file; pass the MkDocs configuration with --config")
    try:
        settings = load_settings(config_file.resolve().parent, _overrides(args))
        project = load_project(config_file, Path(args.site_dir) if args.site_dir else None)
    except SettingsError as exc:
        return _usage(str(exc))
    except ProjectError as exc:
        return _finish(args, _rebase(list(exc.problems), config_file), {})
    if args.command == "external":
        try:
            require_extra("httpx", "checks", "monograph-check external")
        except MissingExtra as exc:
            return _usage(str(exc))
    problems, summary = _run(args.command, project, settings, args)
    return _finish(args, _rebase(problems, project.config_file), summary)


def _usage(message: str) -> int:
    print(f"monograph.checks: error: {message}", file=sys.stderr)
    return 2


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    names = ("exclude", "doi_base", "eutils_base", "timeout", "retries", "concurrency", "per_host")
    values: dict[str, Any] = {name: getattr(args, name) for name in names}
    values["cache_file"] = args.cache_file
    values["cache_ttl_hours"] = args.cache_ttl_hours
    return values


def _run(
    command: str, project: Project, settings: CheckSettings, args: argparse.Namespace
) -> tuple[list[Problem], dict[str, object]]:
    problems: list[Problem] = []
    reports: list[list[Problem]] = [problems]  # one per checker, for deduplicate()
    summary: dict[str, object] = {}
    must_build = command in ("all", "citations") or not args.no_build or is_stale(project)
    if command == "external":
        must_build = is_stale(project)  # the network check never needs a fresh build otherwise
    if must_build:
        if not args.site_dir:
            # A finished build (site/, with what `make build` adds after MkDocs) is never
            # touched: the check builds its own copy.
            project = replace(project, site_dir=project.root / CHECK_SITE_DIR)
        found = build_site(project, skip_pdf=command == "citations")
        keep_all = command in ("all", "citations")
        problems += [p for p in found if keep_all or p.code.startswith(_BUILD_FAILURES)]
        summary["built"] = project.tree.display(project.site_dir)
        if any(p.code.startswith(_BUILD_FAILURES) for p in found):
            return problems, summary
    if command in ("all", "internal"):
        result = check_internal(project, settings.excludes())
        reports.append(list(result.problems))
        summary.update(pages=result.pages, links=result.links)
    if command == "external":
        from monograph.checks.external import check_external

        outcome = check_external(project, settings, use_cache=not args.no_cache)
        reports.append(list(outcome.problems))
        summary.update(outcome.summary)
    return report.deduplicate(*reports), summary


def _rebase(problems: list[Problem], config_file: Path) -> list[Problem]:
    """Make paths relative to the working directory when the project lies inside it.

    Problems name files relative to the project root (the folder of mkdocs.yml). Run from the
    repository root on a project in a subfolder, they must name ``sub/docs/x.md`` so that GitHub
    annotations and editors find the file.
    """
    root = config_file.resolve().parent
    try:
        prefix = root.relative_to(Path.cwd().resolve())
    except ValueError:
        return problems
    if prefix == Path("."):
        return problems
    return [
        replace(p, path=(prefix / p.path).as_posix())
        if p.path is not None and not Path(p.path).is_absolute()
        else p
        for p in problems
    ]


def _finish(args: argparse.Namespace, problems: list[Problem], summary: dict[str, object]) -> int:
    sys.stdout.write(report.render(problems, args.format, summary=summary))
    if args.report:
        path = Path(args.report)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(report.render(problems, "json", summary=summary), encoding="utf-8")
    return report.exit_status(problems)
