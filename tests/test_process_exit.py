"""The engine's exit hook: garbage is still finalized at exit, and the hook is registered once.

At exit the engine collects the garbage there is and then freezes what is still alive, so that
Python's finalization does not collect a large heap object by object (see
``monograph.adapter.plugin._collect_then_freeze``). A plain freeze would also spare garbage
made before exit, whose finalizers must still run.
"""

from __future__ import annotations

import gc
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from monograph.adapter import plugin

SITES = Path(__file__).resolve().parent / "sites"

BUILD_THEN_LEAVE_GARBAGE = """
import gc
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config

class Cycle:
    def __init__(self, path):
        self.path, self.me = path, self
    def __del__(self):
        with open(self.path, "w", encoding="utf-8") as out:
            out.write("finalized")

config = load_config("mkdocs.yml")
config.plugins.run_event("startup", command="build", dirty=False)
build(config)
config.plugins.run_event("shutdown")
gc.disable()  # only a collection at exit can finalize it
Cycle(sys.argv[1])
"""


def test_garbage_made_before_exit_is_still_finalized(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(SITES / "foreign-material", root)
    marker = tmp_path / "finalized.txt"
    run = subprocess.run(
        [sys.executable, "-c", BUILD_THEN_LEAVE_GARBAGE, str(marker)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert marker.read_text(encoding="utf-8") == "finalized"


def test_the_exit_hook_is_registered_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    registered: list[object] = []
    monkeypatch.setattr(plugin.atexit, "register", registered.append)
    monkeypatch.setattr(plugin, "_AT_EXIT", [])
    for command in ("build", "serve"):
        plugin.MonographPlugin().on_startup(command=command, dirty=False)
    assert registered == [plugin._collect_then_freeze]


BUILD_THEN_LOOK_AT_EXIT = """
import atexit
import gc
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
from monograph.adapter import plugin

config = load_config("mkdocs.yml")
config.plugins.run_event("startup", command="build", dirty=False)
build(config)
config.plugins.run_event("shutdown")
# Runs before the engine's exit hook (registered earlier): no collection ran since the build.
atexit.register(lambda: print(gc.get_freeze_count() > 0, bool(plugin._THAW)))
"""


def test_what_a_build_froze_stays_frozen_when_the_process_ends_after_it(tmp_path: Path) -> None:
    """The exit hook does not scan again the objects frozen for the build (``mkdocs build``)."""
    root = tmp_path / "site"
    shutil.copytree(SITES / "foreign-material", root)
    run = subprocess.run(
        [sys.executable, "-c", BUILD_THEN_LOOK_AT_EXIT],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["True", "True"]


def _build(root: Path) -> None:
    config = load_config(str(root / "mkdocs.yml"))
    config.plugins.run_event("startup", command="build", dirty=False)
    build(config)
    config.plugins.run_event("shutdown")


def test_a_process_that_goes_on_gets_the_frozen_objects_and_thresholds_back(
    tmp_path: Path,
) -> None:
    """At the next collection, or at the next build's start when none ran in between.

    MkDocs keeps one plugin object per process, with the thresholds it found at its first
    build: what comes back is compared with what the first cycle gave back, not with the
    thresholds of the test's process (an earlier build there may have left them raised).
    """
    root = tmp_path / "site"
    shutil.copytree(SITES / "foreign-material", root)
    before = gc.get_threshold()
    try:
        gc.collect()  # what an earlier build of this process left comes back first
        _build(root)
        gc.collect()  # the next collection
        assert gc.get_freeze_count() == 0
        assert not plugin._THAW
        restored = gc.get_threshold()
        gc.disable()  # no collection between two builds
        _build(root)
        assert plugin._THAW
        _build(root)  # its on_config thawed first: the thresholds it saves are the same
        gc.enable()
        gc.collect()
        assert gc.get_freeze_count() == 0
        assert gc.get_threshold() == restored
    finally:
        gc.enable()
        gc.unfreeze()
        gc.set_threshold(*before)
