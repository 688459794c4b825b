"""Profile one ``mkdocs build`` in-process with cProfile and show where the plugin's time goes.

Usage: ``python benchmarks/profile_build.py SITE_DIR/mkdocs-cold.yml [--warm] [--top 30]``.
Cold (the default) deletes the plugin's cache directory first; ``--warm`` keeps it. Prints the
total, the cumulative time of each plugin event and of the engine's main functions, and the
functions with the most own time; writes ``<config>.prof`` for snakeviz/pstats.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import pstats
import shutil
import time
from pathlib import Path

#: (label, file suffix, function name) of the places worth a line of their own.
WATCH = (
    ("on_config (load .bib, bibliography checks)", "monograph/adapter/plugin.py", "on_config"),
    ("  load_bibliography (pybtex parse)", "core/bibliography/loading.py", "load_bibliography"),
    ("  check_bibliography", "core/bibliography/checks.py", "check_bibliography"),
    ("  ReferenceFormatter.__init__ (read cache)", "core/styles/formatter.py", "__init__"),
    ("on_page_markdown (sink, front matter)", "monograph/adapter/plugin.py", "on_page_markdown"),
    ("  parse_page_evidence", "core/evidence/validation.py", "parse_page_evidence"),
    ("  front_matter_problem", "core/source/yaml_lines.py", "front_matter_problem"),
    ("bracket citations (handleMatch)", "monograph/extension.py", "handleMatch"),
    ("markers (evidence tables)", "monograph/extension.py", "run"),
    ("on_env (number, check, fill)", "monograph/adapter/plugin.py", "on_env"),
    ("  number_citations", "core/citations/numbering.py", "number_citations"),
    ("  check_unknown_keys", "core/bibliography/checks.py", "check_unknown_keys"),
    ("  check_unused", "core/bibliography/checks.py", "check_unused"),
    ("  report (logging)", "monograph/adapter/plugin.py", "report"),
    ("  fill_pages (pages)", "monograph/adapter/fill.py", "fill_pages"),
    ("    render_bibliography", "core/rendering/citations.py", "render_bibliography"),
    ("    ReferenceFormatter.get", "core/styles/formatter.py", "get"),
    ("      format_reference (pybtex)", "core/styles/formatter.py", "format_reference"),
    ("  ReferenceFormatter.save", "core/styles/formatter.py", "save"),
    ("Markdown conversion (all)", "markdown/core.py", "convert"),
    ("theme rendering (all pages)", "mkdocs/commands/build.py", "_build_theme_template"),
    ("write pages", "mkdocs/commands/build.py", "_build_page"),
)


def _cumulative(stats: pstats.Stats, suffix: str, name: str) -> float:
    total = 0.0
    for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if func == name and filename.endswith(suffix):
            total += ct
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("--warm", action="store_true", help="keep the plugin's cache directory")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from monograph.core import parallel

    parallel.cpus = lambda: 1  # one process, so the profile sees all the work
    logging.getLogger("mkdocs").setLevel(logging.ERROR)  # as ``mkdocs build -q``
    cfg = load_config(str(args.config))
    plugin = cfg.plugins.get("monograph")
    if plugin is not None and not args.warm and plugin.config.cache_dir:
        shutil.rmtree(args.config.parent / plugin.config.cache_dir, ignore_errors=True)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    cfg.plugins.on_startup(command="build", dirty=False)
    build(cfg)
    cfg.plugins.on_shutdown()
    profiler.disable()
    wall = time.perf_counter() - start
    out = args.config.with_suffix(".warm.prof" if args.warm else ".cold.prof")
    profiler.dump_stats(out)
    stats = pstats.Stats(profiler)
    print(f"{'warm' if args.warm else 'cold'} build of {args.config}: {wall:.2f} s under cProfile")
    print(f"{'where':<48} {'cumulative s':>12} {'share':>7}")
    for label, suffix, name in WATCH:
        seconds = _cumulative(stats, suffix, name)
        print(f"{label:<48} {seconds:>12.3f} {seconds / wall:>7.1%}")
    print(f"\nTop {args.top} functions by own time:")
    stats.sort_stats("tottime").print_stats(args.top)
    print(f"profile written to {out}")


if __name__ == "__main__":
    main()
