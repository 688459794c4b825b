"""Shared fixtures: build a small MkDocs site in a temp dir, plugin loaded from its entry point."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import html as lxml_html
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


#: Where tests save files for a reader (screenshots, axe reports), listed at the end of the run.
ARTIFACTS = REPO / "test-artifacts"
#: Files attached by tests of this process.
ATTACHED: list[Path] = []
_STARTED: list[float] = []


def attach(path: Path) -> None:
    """Attach a saved file to the test output: it is named in the run's terminal summary."""
    ATTACHED.append(path)


def pytest_sessionstart(session: Any) -> None:
    _STARTED.append(time.time())


def pytest_terminal_summary(terminalreporter: Any) -> None:
    # With pytest-xdist (make test runs in parallel) the tests attach in worker processes: the
    # summary, written by the controller, names what they saved in ARTIFACTS during this run.
    since = _STARTED[0] if _STARTED else time.time()
    saved = [p for p in ARTIFACTS.rglob("*") if p.is_file() and p.stat().st_mtime >= since]
    files = sorted(set(ATTACHED) | set(saved))
    if files:
        terminalreporter.section("attached test artifacts")
        for path in files:
            shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
            terminalreporter.write_line(str(shown))


@dataclass
class BuiltSite:
    """A fixture site after ``mkdocs build``: where it is, what was logged, whether it aborted."""

    root: Path
    warnings: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)
    problems: list[Any] = field(default_factory=list)
    aborted: str | None = None

    @property
    def site(self) -> Path:
        return self.root / "site"

    def page(self, url: str) -> Any:
        """Parse a built page (``"b/"`` -> ``site/b/index.html``) with lxml."""
        path = self.site / url / "index.html" if not url.endswith(".html") else self.site / url
        return lxml_html.fromstring(path.read_text(encoding="utf-8"))


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


_FRESH_BUILD = """
import json, logging, os, sys
from mkdocs.commands.build import build
from mkdocs.config import load_config

messages = []

class Keep(logging.Handler):
    def emit(self, record):
        if record.name.startswith("mkdocs.plugins.monograph"):
            messages.append(record.getMessage())

logging.getLogger("mkdocs").addHandler(Keep())
if os.environ.get("ENGINE"):  # another engine: its digest differs
    import monograph.adapter.plugin as plugin
    plugin._PACKAGE_DIGEST = os.environ["ENGINE"]
config = load_config("mkdocs.yml")
config.plugins.run_event("startup", command="build", dirty=False)
build(config)
config.plugins.run_event("shutdown")
loaded = sorted(n for n in sys.modules if n.startswith(tuple(json.loads(sys.argv[1]))))
print(json.dumps({"loaded": loaded, "messages": messages}))
"""


def build_in_fresh_process(
    root: Path, *, modules: tuple[str, ...], engine: str = ""
) -> dict[str, Any]:
    """Build ``root`` in a Python process of its own: what a build imports is the point.

    Returns ``loaded`` (the modules whose names start with one of ``modules``) and
    ``messages`` (what the plugin logged). ``engine``: build as an engine of that digest.
    """
    run = subprocess.run(
        [sys.executable, "-c", _FRESH_BUILD, json.dumps(modules)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "ENGINE": engine},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def build_project(root: Path, *, strict: bool) -> BuiltSite:
    """Build the MkDocs project in ``root``; record what was logged and whether it aborted."""
    result = BuiltSite(root)
    capture = _Capture()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(capture)
    try:
        cfg = load_config(str(root / "mkdocs.yml"), strict=strict)
        cfg.plugins.run_event("startup", command="build", dirty=False)
        try:
            build(cfg)
        finally:
            cfg.plugins.run_event("shutdown")
    except Abort as exc:
        result.aborted = str(exc)
    finally:
        logger.removeHandler(capture)
    for record in capture.records:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            result.warnings.append(message)
        else:
            result.infos.append(message)
        if hasattr(record, "monograph_problem"):
            result.problems.append(record.monograph_problem)
        result.problems.extend(getattr(record, "monograph_problems", []))
    return result


SiteBuilder = Callable[..., BuiltSite]

SHIM = REPO / "docs" / "assets" / "vendor" / "iframe-worker" / "shim.js"


@pytest.fixture(scope="session")
def offline_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real offline edition, built strictly from mkdocs.offline.yml, once per test session."""
    if not SHIM.is_file():
        pytest.skip(f"{SHIM.relative_to(REPO)} is missing: run `make vendor` first")
    out = tmp_path_factory.mktemp("offline") / "site-offline"
    cfg = load_config(str(REPO / "mkdocs.offline.yml"), site_dir=str(out), strict=True)
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    build(cfg)
    return out


@pytest.fixture
def build_site(tmp_path: Path) -> Iterator[SiteBuilder]:
    """Return ``build(pages, bib, *, nav=None, strict=False, theme="mkdocs", **options)``."""

    def _build(
        pages: dict[str, str],
        bib: str | None,
        *,
        nav: list[Any] | None = None,
        strict: bool = False,
        theme: str = "mkdocs",
        extra_config: dict[str, Any] | None = None,
        **options: Any,
    ) -> BuiltSite:
        root = tmp_path / "project"
        _write(root, {f"docs/{name}": text for name, text in pages.items()})
        if bib is not None:  # None keeps the refs.bib a test wrote itself
            _write(root, {"refs.bib": bib})
        config: dict[str, Any] = {
            "site_name": "Fixture",
            "theme": {"name": theme},
            "plugins": [{"monograph": {"bib_file": "refs.bib", "cache_dir": "", **options}}],
        }
        if nav is not None:
            config["nav"] = nav
        config.update(extra_config or {})
        (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
        return build_project(root, strict=strict)

    yield _build


SITES = Path(__file__).resolve().parent / "sites"


@pytest.fixture
def build_fixture(tmp_path: Path) -> Callable[..., BuiltSite]:
    """Return ``build(name, *, strict=True)``: copy ``tests/sites/<name>`` and build it."""

    def _build(name: str, *, strict: bool = True) -> BuiltSite:
        root = tmp_path / name
        shutil.copytree(SITES / name, root)
        return build_project(root, strict=strict)

    return _build
