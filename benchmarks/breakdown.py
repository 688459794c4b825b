"""Where the plugin's time goes, measured with plain timers (no profiler overhead).

cProfile (``profile_build.py``) finds the hot functions but slows pure-Python code 2-3x; this
script wraps just the engine's main functions with ``perf_counter`` accumulators, builds once
in-process, and prints real seconds. Nested entries include their children. It also measures
what importing the plugin costs on top of MkDocs, in a fresh interpreter.

Usage: ``python benchmarks/breakdown.py SITE_DIR/mkdocs-cold.yml [--warm] [--cpu]``. The build
runs in one process (no work shared with a forked one), so every step is on these timers.
"""

from __future__ import annotations

import argparse
import functools
import gc
import importlib
import logging
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: (label, module, attribute path) - a function of a module or a method of a class.
TIMED = (
    ("on_config", "monograph.adapter.plugin", "MonographPlugin.on_config"),
    (
        "  load_bibliography (snapshot index, or parse)",
        "monograph.core.bibliography.loading",
        "load_bibliography",
    ),
    (
        "    pybtex parse with lines (LocatingParser.parse_string)",
        "monograph.core.bibliography.parsing",
        "LocatingParser.parse_string",
    ),
    ("  check_bibliography", "monograph.core.bibliography.checks", "check_bibliography"),
    (
        "on_page_markdown (per-page sink)",
        "monograph.adapter.plugin",
        "MonographPlugin.on_page_markdown",
    ),
    ("  parse_page_evidence", "monograph.core.evidence.validation", "parse_page_evidence"),
    (
        "    front_matter_lines (YAML re-parse)",
        "monograph.core.source.yaml_lines",
        "front_matter_lines",
    ),
    (
        "citation tokens (extension handleMatch)",
        "monograph.extension",
        "_BracketCitation.handleMatch",
    ),
    ("narrative citations (handleMatch)", "monograph.extension", "_NarrativeCitation.handleMatch"),
    ("markers incl. evidence tables", "monograph.extension", "_Markers.run"),
    ("on_env", "monograph.adapter.plugin", "MonographPlugin.on_env"),
    ("  number_citations", "monograph.core.citations.numbering", "number_citations"),
    ("  check_unknown_keys + check_unused", "monograph.core.bibliography.checks", "check_unused"),
    ("  plan_fill (fingerprints, kept pages)", "monograph.adapter.plugin", "plan_fill"),
    ("  fill_pages (all pages)", "monograph.adapter.plugin", "fill_pages"),
    ("    render_group (citations)", "monograph.adapter.fill", "render_group"),
    ("    render_page_references", "monograph.adapter.fill", "render_page_references"),
    (
        "    unsafe-link check (CheckedPages.refuse)",
        "monograph.core.rendering.page_links",
        "CheckedPages.refuse",
    ),
    (
        "      refuse_unsafe_links (lxml)",
        "monograph.core.rendering.page_links",
        "refuse_unsafe_links",
    ),
    ("    render_bibliography", "monograph.adapter.fill", "render_bibliography"),
    (
        "    format_reference (pybtex, cache misses)",
        "monograph.core.styles.vancouver",
        "format_reference",
    ),
    ("  ReferenceFormatter.save", "monograph.core.styles.formatter", "ReferenceFormatter.save"),
    (
        "ReferenceFormatter.__init__ (read cache file)",
        "monograph.core.styles.formatter",
        "ReferenceFormatter.__init__",
    ),
    ("MkDocs: read + convert pages (_populate_page)", "mkdocs.commands.build", "_populate_page"),
    ("MkDocs: theme + write pages (_build_page)", "mkdocs.commands.build", "_build_page"),
)

#: The clock of every timer: wall time, or with ``--cpu`` this process's CPU time (robust when
#: other work shares the machine).
CLOCK: list[Callable[[], float]] = [time.perf_counter]
TOTALS: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)


def _timed(label: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = CLOCK[0]()
        try:
            return func(*args, **kwargs)
        finally:
            TOTALS[label] += CLOCK[0]() - start
            CALLS[label] += 1

    return wrapper


def install_timers() -> None:
    """Wrap every TIMED function, also where another monograph module imported it by name."""
    for label, module_name, path in TIMED:
        module = importlib.import_module(module_name)
        owner_name, _, name = path.rpartition(".")
        owner = getattr(module, owner_name) if owner_name else module
        original = getattr(owner, name)
        wrapped = _timed(label, original)
        setattr(owner, name, wrapped)
        if owner_name:
            continue
        for other in list(sys.modules.values()):
            if getattr(other, "__name__", "").startswith(("monograph", "mkdocs")):
                for attr, value in list(vars(other).items()):
                    if value is original:
                        setattr(other, attr, wrapped)


_GC_START: list[float] = []


def _gc_timer(phase: str, info: dict[str, int]) -> None:
    """Accumulate the time the cyclic garbage collector runs, per generation."""
    if phase == "start":
        _GC_START.append(CLOCK[0]())
    elif _GC_START:
        label = f"garbage collector, generation {info['generation']}"
        TOTALS[label] += CLOCK[0]() - _GC_START.pop()
        CALLS[label] += 1


def import_cost() -> tuple[float, float]:
    """Seconds to import MkDocs' build machinery, then the plugin on top (fresh interpreter)."""
    code = (
        "import time; t0 = time.perf_counter()\n"
        "import mkdocs.commands.build, mkdocs.config.defaults, mkdocs.plugins\n"
        "t1 = time.perf_counter()\n"
        "import monograph.adapter.plugin\n"
        "t2 = time.perf_counter(); print(t1 - t0, t2 - t1)\n"
    )
    best = (float("inf"), float("inf"))
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        base, plugin = (float(x) for x in out.stdout.split())
        best = min(best, (base, plugin), key=lambda pair: pair[1])
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("--warm", action="store_true", help="keep the plugin's cache directory")
    parser.add_argument("--cpu", action="store_true", help="time CPU seconds, not wall seconds")
    args = parser.parse_args()

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    base, plugin_import = import_cost()
    if args.cpu:
        CLOCK[0] = time.process_time
    install_timers()  # before load_config: MkDocs keeps bound event methods from then on
    # The timers see one process: the work a build shares with a forked process (formatting
    # ahead, filling pages; monograph.core.parallel) is all done here, one CPU's worth.
    from monograph.core import parallel

    parallel.cpus = lambda: 1
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    cfg = load_config(str(args.config))
    plugin = cfg.plugins.get("monograph")
    if plugin is not None and not args.warm and plugin.config.cache_dir:
        shutil.rmtree(args.config.parent / plugin.config.cache_dir, ignore_errors=True)
    gc.callbacks.append(_gc_timer)
    start = CLOCK[0]()
    cfg.plugins.on_startup(command="build", dirty=False)
    build(cfg)
    cfg.plugins.on_shutdown()
    wall = CLOCK[0]() - start
    gc.callbacks.remove(_gc_timer)
    clock = "CPU" if args.cpu else "wall"
    mode = "warm" if args.warm else "cold"
    print(f"{mode} in-process build of {args.config}: {wall:.2f} s {clock}")
    print(
        f"import: MkDocs build machinery {base:.3f} s, monograph.adapter.plugin on top "
        f"{plugin_import:.3f} s (best of 5, fresh interpreter)"
    )
    print("\n| where | seconds | calls | share of build |\n|:--|--:|--:|--:|")
    labels = [label for label, _module, _path in TIMED]
    labels += [f"garbage collector, generation {n}" for n in range(3)]
    for label in labels:
        seconds = TOTALS.get(label, 0.0)
        print(f"| {label} | {seconds:.3f} | {CALLS.get(label, 0)} | {seconds / wall:.1%} |")


if __name__ == "__main__":
    main()
