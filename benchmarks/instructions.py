"""Instructions a build executes, counted by Valgrind: the benchmark's measure without noise.

Wall and CPU time on a shared 2-CPU machine move by a second or more between two 20-second builds
of 1,000 pages, more than the plugin's whole cost there. The number of instructions a process
executes hardly moves: Valgrind's cachegrind counts them, and two builds of one site differ by a
few thousand instructions in billions (a build takes about 17 times as long under it). So this
script answers "does the plugin's work per page stay flat as the site grows?" without noise; what
it cannot show is the time an instruction takes (cache misses, page faults, the other CPU's
work), for which ``run.py`` measures time.

For each size (pages x entries) the synthetic site of ``run.py`` is generated, and each variant
is built once under ``valgrind --tool=cachegrind --cache-sim=no`` with ``PYTHONHASHSEED=0``:

- plain: no citation plugin;
- warm: our plugin with its caches from an untimed build just before (as ``run.py``'s warm);
- warm-one: the same in one process (``parallel: false``): every step of the plugin in the counted
  process, where ``warm`` leaves the kept pages' lookup to a forked process. Its count is the
  plugin's whole work, and the same from run to run; warm's depends on how many lookups the
  build's process did itself when the fork fell behind (under Valgrind, more when other builds
  share the CPUs), so compare warm-one across sizes;
- cold: our plugin with an empty cache folder (its count, like warm's, depends on the pace of
  the forked processes that parse and fill).

Only the build's own process is counted: the one MkDocs runs in, whose instructions are the
build's critical path (a forked process works beside it, on the other CPU). A forked process's
count cannot be read apart: cachegrind's counters are copied with the process at the fork, so its
file also holds everything the build did before. "Over plain a page" is (variant - plain) /
pages; the last column divides it by the same figure at the first size.

Usage: ``python benchmarks/instructions.py --pages 200 1000 --entries 2000`` (about 20 minutes on
2 CPUs: two builds run at once) or ``make bench-instructions``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import bench_env
from measure import run_timed
from run import OURS, compile_engine, engine_version, prepare_site

VARIANTS = ("plain", "warm", "warm-one", "cold")
#: One size: (pages, entries, the instructions of each variant's build process).
Size = tuple[int, int, dict[str, int]]
#: The variant this script adds to the configs ``run.py`` writes: warm, in one process.
_EXTRA = {"warm-one": OURS.format("warm-one") + "      parallel: false\n"}


def valgrind() -> str:
    """The ``valgrind`` executable; exits with what to install when there is none."""
    found = shutil.which("valgrind")
    if found is None:
        sys.exit(
            "valgrind is not installed: `make bench-instructions` installs it (system-packages.txt,"
            " group bench), or install Debian's valgrind package"
        )
    return found


def count(command: list[str], cwd: Path, tool: str) -> int:
    """Run ``command`` under cachegrind; the instructions its own process executed."""
    with tempfile.TemporaryDirectory(prefix="instructions-") as folder:
        counted = [
            tool,
            "--tool=cachegrind",
            "--cache-sim=no",
            f"--cachegrind-out-file={folder}/out.%p",
            *command,
        ]
        environment = {**os.environ, "PYTHONHASHSEED": "0"}
        process = subprocess.Popen(
            counted, cwd=cwd, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        output, _ = process.communicate()
        if process.returncode != 0:
            sys.exit(
                f"{' '.join(command)} failed under valgrind:\n{output.decode(errors='replace')}"
            )
        return _summary(Path(folder) / f"out.{process.pid}")


def _summary(path: Path) -> int:
    """The total of cachegrind's output file (its ``summary:`` line)."""
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("summary:"):
            return int(line.split()[1])
    raise ValueError(f"{path}: no summary line; was cachegrind stopped?")


def measure_size(pages: int, entries: int, args: argparse.Namespace, tool: str) -> dict[str, int]:
    """Count every variant of one size (two at a time: each build uses one CPU)."""
    site, configs = prepare_site(pages, entries, args.citations, args.seed, _EXTRA)
    python = str(bench_env.project_bin("python"))
    commands = {v: [python, "-m", "mkdocs", "build", "-q", "-f", str(configs[v])] for v in configs}
    for variant in args.variants:  # untimed: the caches of a warm variant, the OS file cache
        if variant.startswith("warm"):
            run_timed(commands[variant], site)
        if variant == "cold":
            shutil.rmtree(site / ".bench-cache" / "cold", ignore_errors=True)

    def one(variant: str) -> tuple[str, int]:
        found = count(commands[variant], site, tool)
        print(f"  {pages} x {entries} {variant:<9} {found / 1e9:8.3f} G instructions", flush=True)
        return variant, found

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, args.variants))


def table(sizes: list[Size]) -> str:
    """Markdown table: instructions of each build and, a page, over plain."""
    lines = [
        "| pages | entries | variant | instructions, G | over plain a page, M "
        "| a page against the first size |",
        "|------:|--------:|:--------|------:|------:|------:|",
    ]
    first: dict[str, float] = {}
    for pages, entries, counts in sizes:
        plain = counts["plain"]
        for variant, found in counts.items():
            over, against = "", ""
            if variant != "plain":
                a_page = (found - plain) / pages / 1e6
                first.setdefault(variant, a_page)
                over, against = f"{a_page:.2f}", f"{a_page / first[variant]:.2f}"
            lines.append(
                f"| {pages} | {entries} | {variant} | {found / 1e9:.3f} | {over} | {against} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--entries", type=int, nargs="+", default=[2000])
    parser.add_argument("--citations", type=int, default=20, help="citation groups per page")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--variants", nargs="+", default=["plain", "warm", "warm-one"], choices=VARIANTS
    )
    args = parser.parse_args(argv)
    if "plain" not in args.variants:
        parser.error("the plain variant is the baseline; keep it in --variants")
    tool = valgrind()
    compile_engine()
    engine, started = engine_version(), time.perf_counter()
    print(f"# {engine}, instructions counted by {tool} (cachegrind)", flush=True)
    sizes: list[Size] = []
    for entries in args.entries:
        for pages in args.pages:
            sizes.append((pages, entries, measure_size(pages, entries, args, tool)))
    out = bench_env.WORK / "results" / time.strftime("instructions-%Y%m%d-%H%M%S.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    results = [{"pages": p, "entries": e, "counts": c} for p, e, c in sizes]
    record = {"date": time.strftime("%Y-%m-%d %H:%M"), "engine": engine, "results": results}
    out.write_text(json.dumps(record, indent=2), encoding="utf-8")
    print()
    print(table(sizes))
    elapsed = (time.perf_counter() - started) / 60
    print(f"\n(total {elapsed:.1f} min; counts in {out.relative_to(bench_env.ROOT)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
