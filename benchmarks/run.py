"""Benchmark the monograph plugin against the plain build and mkdocs-bibtex 4.4.0.

For each size (pages x .bib entries) a synthetic monograph is generated and built, alternating,
``--runs`` times each (default 3, and 1 for 1,000-page sizes; mkdocs-bibtex-csl once), every
build a fresh
``mkdocs build -q`` process with theme ``mkdocs`` and no other plugin:

- plain: no citation plugin (citations stay as text);
- cold: our plugin with an empty cache directory (and, being a new process, an empty memory cache);
- warm: our plugin with the cache file of an earlier build present;
- mkdocs-bibtex: mkdocs-bibtex 4.4.0 in pybtex mode, from its own venv, on the same files;
- csl-cold, csl-warm: our plugin with a CSL style (the shipped Nature style, citeproc-py);
- mkdocs-bibtex-csl: mkdocs-bibtex 4.4.0 in CSL mode (pandoc from pypandoc-binary) with the
  same Nature style file.

Prints medians, peak RSS and ratios to plain; with several sizes also times the internal link
check of the largest built site. Then ``mkdocs serve``, plain and ours, on the 200-page site and on
a copy of the monograph: from saving a page (and, ours only, refs.bib) to the rebuilt page being
served over HTTP, median of ``--edits`` saves (``--no-serve`` skips it). ``--make build test``
also times those make targets of the project. The last
lines are ``cold/plain``, ``warm/plain``, ``mkdocs-bibtex/plain`` and the same for CSL
(``csl-cold/plain``, ``csl-warm/plain``, ``mkdocs-bibtex-csl/plain``) of the 200 x 2,000 size (or
of the last size run, when that one is not).

Usage: ``python benchmarks/run.py`` (all sizes, 15-20 minutes on 2 cores) or
``python benchmarks/run.py --pages 200 --entries 2000 --runs 3`` (one size).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import bench_env
import report
from generate import generate
from measure import Edit, Sample, bib_edit, page_edit, run_timed, serve_latency

VARIANTS = ("plain", "cold", "warm", "mkdocs-bibtex", "csl-cold", "csl-warm", "mkdocs-bibtex-csl")
#: Variants built once per size whatever ``--runs`` says: mkdocs-bibtex in CSL mode takes about
#: eleven minutes a build at 200 pages (one pandoc process per page), hundreds of times the
#: plain build, so a second run would change nothing but the benchmark's length.
ONCE = frozenset({"mkdocs-bibtex-csl"})
TARGET = (200, 2000)
LARGE = 1000
#: Our plugin with its cache folder (``{}``: the variant's name).
OURS = "plugins:\n  - monograph:\n      bib_file: refs.bib\n      cache_dir: .bench-cache/{}\n"
_OURS_CSL = OURS + "      style: nature\n"
#: The CSL file both CSL variants use (mkdocs-bibtex needs a file; ours names the same one).
CSL_FILE = bench_env.ROOT / "plugins" / "monograph" / "core" / "styles" / "csl" / "nature.csl"
_CONFIGS = {
    "plain": "plugins: []\n",
    "cold": OURS.format("cold"),
    "warm": OURS.format("warm"),
    "mkdocs-bibtex": "plugins:\n  - bibtex:\n      bib_file: refs.bib\n",
    "csl-cold": _OURS_CSL.format("csl-cold"),
    "csl-warm": _OURS_CSL.format("csl-warm"),
    "mkdocs-bibtex-csl": (
        "plugins:\n  - bibtex:\n      bib_file: refs.bib\n      csl_file: nature.csl\n"
    ),
}


def write_configs(site: Path, extra: Mapping[str, str] | None = None) -> dict[str, Path]:
    """One mkdocs-<variant>.yml per variant, inheriting the generated mkdocs.yml.

    ``extra``: more variants (name -> the ``plugins:`` part), as ``instructions.py`` adds.
    """
    paths = {}
    shutil.copyfile(CSL_FILE, site / "nature.csl")
    for variant, plugins in {**_CONFIGS, **(extra or {})}.items():
        path = site / f"mkdocs-{variant}.yml"
        path.write_text(f"INHERIT: mkdocs.yml\nsite_dir: site-{variant}\n{plugins}", "utf-8")
        paths[variant] = path
    return paths


def prepare_site(
    pages: int, entries: int, citations: int, seed: int, extra: Mapping[str, str] | None = None
) -> tuple[Path, dict[str, Path]]:
    """Generate one size afresh, with a config per variant; return its folder and the configs."""
    site = bench_env.WORK / "sites" / f"p{pages}-e{entries}-c{citations}-s{seed}"
    shutil.rmtree(site, ignore_errors=True)
    counts = generate(site, pages=pages, entries=entries, citations=citations, seed=seed)
    configs = write_configs(site, extra)
    print(f"# {pages} pages x {entries} entries: {json.dumps(counts)}", flush=True)
    return site, configs


def build_command(variant: str, config: Path, bibtex_mkdocs: Path) -> list[str]:
    """``mkdocs build -q`` with the executable of the variant's environment."""
    theirs = variant.startswith("mkdocs-bibtex")
    mkdocs = bibtex_mkdocs if theirs else bench_env.project_bin("mkdocs")
    return [str(mkdocs), "build", "-q", "-f", str(config)]


def runs_for(args: argparse.Namespace, pages: int) -> int:
    """``--runs`` when given; otherwise 3, or 1 for sizes of 1,000 pages and more."""
    if args.runs:
        return int(args.runs)
    return 1 if pages >= LARGE else 3


def bench_size(
    pages: int, entries: int, args: argparse.Namespace, bibtex_mkdocs: Path
) -> tuple[Path, dict[str, list[Sample]]]:
    """Generate one size and build it ``runs_for(pages)`` times per variant, alternating."""
    site, configs = prepare_site(pages, entries, args.citations, args.seed)
    variants = [
        v for v in args.variants if v != "mkdocs-bibtex-csl" or pages <= args.pandoc_max_pages
    ]
    if variants != args.variants:
        print(f"  (mkdocs-bibtex-csl skipped above {args.pandoc_max_pages} pages)", flush=True)
    commands = {v: build_command(v, configs[v], bibtex_mkdocs) for v in variants}
    run_timed(commands["plain"], site)  # untimed: fill the OS file cache
    samples: dict[str, list[Sample]] = {v: [] for v in variants}
    runs = runs_for(args, pages)
    for round_ in range(runs):
        shift = round_ % len(variants)  # rotate, so no variant always runs first
        order = variants[shift:] + variants[:shift]
        for variant in order:
            if variant in ONCE and samples[variant]:
                continue
            if "cold" in variant.split("-"):
                shutil.rmtree(site / ".bench-cache" / variant, ignore_errors=True)
            if "warm" in variant.split("-"):
                _prime_warm_cache(site, variant, commands[variant])
            sample, _output = run_timed(commands[variant], site)
            samples[variant].append(sample)
            print(
                f"  run {round_ + 1}/{runs} {variant:<14} {sample.seconds:7.2f} s "
                f"{sample.rss_mib:7.1f} MiB  cpu {sample.cpu:6.2f} s  load {sample.load:.1f}",
                flush=True,
            )
    return site, samples


#: Warm variants given their cache in this run (each size's site is generated afresh).
_PRIMED: set[tuple[Path, str]] = set()


def _prime_warm_cache(site: Path, variant: str, command: list[str]) -> None:
    """Give a warm variant its cache, once per run: what the cold build wrote, then one untimed
    build (the cold build's filled pages are kept under its own configuration's name, so without
    it the first timed warm build would fill every page again)."""
    if (site, variant) in _PRIMED:
        return
    _PRIMED.add((site, variant))
    warm = site / ".bench-cache" / variant
    cold = warm.with_name(variant.replace("warm", "cold", 1))
    if not warm.is_dir() and (cold / "references.json").is_file():
        shutil.copytree(cold, warm)
    run_timed(command, site)


def time_checker(site: Path, runs: int) -> dict[str, object]:
    """Time ``python -m monograph.checks internal`` on the cold variant's built site."""
    command = [
        str(bench_env.project_bin("python")),
        "-m",
        "monograph.checks",
        "internal",
        "--no-build",
        "--config",
        "mkdocs-cold.yml",
        "--site-dir",
        "site-cold",
    ]
    samples, output = [], ""
    for _ in range(runs):
        sample, output = run_timed(command, site, ok=(0, 1))
        samples.append(sample)
    return {
        "command": " ".join(command[1:]),
        "seconds": statistics.median(s.seconds for s in samples),
        "rss_mib": statistics.median(s.rss_mib for s in samples),
        "status": samples[-1].status,
        "summary": output.strip().splitlines()[-1] if output.strip() else "",
    }


#: Files of the project that the monograph's serve benchmark copies (docs/ and what mkdocs.yml
#: reads), so that its edits never touch the working tree.
_MONOGRAPH_FILES = ("docs", "includes", "overrides", "refs.bib", "mkdocs.yml")
#: The monograph page edited (one with citations, a reference list and evidence tables).
MONOGRAPH_PAGE = "interventions/valerian.md"
_CITED = re.compile(r"\[[^\]]*?@([\w:.-]+)")


def monograph_copy() -> Path:
    """A copy of the monograph with a plain and a plugin config (``mkdocs-<variant>.yml``)."""
    copy = bench_env.WORK / "monograph"
    shutil.rmtree(copy, ignore_errors=True)
    copy.mkdir(parents=True)
    for name in _MONOGRAPH_FILES:
        source = bench_env.ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name)
        else:
            shutil.copy2(source, copy / name)
    # `watch: plugins` of mkdocs.yml names the engine's source, which the copy does not hold.
    common = "INHERIT: mkdocs.yml\nwatch: [includes]\n"
    (copy / "mkdocs-plain.yml").write_text(common + "plugins: [search]\n", "utf-8")
    (copy / "mkdocs-warm.yml").write_text(common, "utf-8")
    return copy


def _serve_edits(docs: Path, page: str, bib: Path) -> dict[str, Edit]:
    """The page edit and the .bib edit (the title of the page's first cited entry)."""
    source = docs / page
    url = page.removesuffix(".md").removesuffix("index") + (
        "" if page.endswith("index.md") else "/"
    )
    found = _CITED.search(source.read_text("utf-8"))
    edits = {"page": page_edit(source, url)}
    if found:
        edits["bib"] = bib_edit(bib, found.group(1), url)
    return edits


def time_serve(sites: dict[str, Path], edits: int) -> dict[str, object]:
    """``mkdocs serve``: from saving a page, and refs.bib, to the rebuilt page being served.

    For each site (name -> directory with ``mkdocs-plain.yml`` and ``mkdocs-warm.yml``): the
    plain build and ours, the page edit each; the .bib edit ours only (plain MkDocs does not read
    refs.bib). The first build of ours starts with the cache of an earlier build when there is
    one (as a contributor's second ``make serve`` does).
    """
    result: dict[str, object] = {}
    mkdocs = bench_env.project_bin("mkdocs")
    for name, site in sites.items():
        first = next(iter(sorted((site / "docs").glob("section-01/page-*.md"))), None)
        page = first.relative_to(site / "docs").as_posix() if first else MONOGRAPH_PAGE
        kinds = _serve_edits(site / "docs", page, site / "refs.bib")
        found: dict[str, dict[str, object]] = {}
        for variant, kind in (("plain", "page"), ("warm", "page"), ("warm", "bib")):
            if kind not in kinds:
                continue
            samples = serve_latency(
                mkdocs, site / f"mkdocs-{variant}.yml", kinds[kind], edits=edits
            )
            seconds = statistics.median(s.seconds for s in samples)
            found[f"{variant} {kind}"] = {
                "page": page,
                "first_build": samples[0].first_build,
                "seconds": seconds,
                "reported": statistics.median(s.reported for s in samples),
                "samples": [s.seconds for s in samples],
                "load": os.getloadavg()[0],
            }
            print(
                f"  serve {name:<10} {variant:<5} {kind:<4} edit -> served {seconds:5.2f} s "
                f"(median of {edits}; first build {samples[0].first_build:.2f} s)",
                flush=True,
            )
        result[name] = found
    return result


def time_make(targets: tuple[str, ...]) -> dict[str, object]:
    """Wall and CPU time of ``make <target>`` in the project (its children included)."""
    result: dict[str, object] = {}
    for target in targets:
        load = os.getloadavg()[0]
        start = time.perf_counter()
        before = os.times()
        done = subprocess.run(
            ["make", "--no-print-directory", target],
            cwd=bench_env.ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        after = os.times()
        seconds = time.perf_counter() - start
        cpu = (after.children_user - before.children_user) + (
            after.children_system - before.children_system
        )
        result[target] = {"seconds": seconds, "cpu": cpu, "status": done.returncode, "load": load}
        print(f"  make {target}: {seconds:.1f} s, CPU {cpu:.1f} s, exit {done.returncode}")
    return result


def engine_version() -> str:
    """Last commits of the engine and of the link checker (``+dirty``: uncommitted changes)."""
    parts = (
        ("engine", ["plugins", ":(exclude)plugins/monograph/checks"]),
        ("checks", ["plugins/monograph/checks"]),
    )
    return ", ".join(f"{name} {_last_commit(paths)}" for name, paths in parts)


def _last_commit(paths: list[str]) -> str:
    git = ["git", "-C", str(bench_env.ROOT)]
    try:
        head = subprocess.run(
            [*git, "log", "-1", "--format=%h", "--", *paths],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "--", *paths],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def compile_engine() -> None:
    """Cache the engine's bytecode before anything is timed, as an installed package has it.

    pip compiles what it installs (MkDocs, Material, mkdocs-bibtex), but the engine is installed
    editable: its bytecode is cached at its first import, and never where
    ``PYTHONDONTWRITEBYTECODE`` is set (sandboxes and CI images set it). Each timed build then
    compiled the engine's changed modules again, and only the engine's (12 ms a build here, more
    after a change to many modules).
    """
    import compileall

    import monograph

    compileall.compile_dir(str(Path(monograph.__file__).parent), quiet=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[50, 200, 1000])
    parser.add_argument("--entries", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument(
        "--runs",
        type=int,
        help="builds per variant and size (default: 3, but 1 for sizes of 1,000+ pages, to keep "
        "the full matrix near 15 minutes on 2 cores)",
    )
    parser.add_argument("--citations", type=int, default=20, help="citation groups per page")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument(
        "--pandoc-max-pages",
        type=int,
        default=TARGET[0],
        help="largest size that mkdocs-bibtex-csl runs at (one pandoc process per page reads the "
        "whole .bib file: minutes per build)",
    )
    parser.add_argument("--extras", action="store_true", help="link check, one size too")
    parser.add_argument("--no-extras", action="store_true", help="skip the link check")
    parser.add_argument("--edits", type=int, default=3, help="serve edits per variant and file")
    parser.add_argument(
        "--no-serve", action="store_true", help="skip the mkdocs serve timings of the 200-page site"
    )
    parser.add_argument(
        "--make",
        nargs="*",
        default=[],
        metavar="TARGET",
        help="also time these make targets in the project (e.g. build test)",
    )
    args = parser.parse_args(argv)
    if "plain" not in args.variants:
        parser.error("the plain variant is the baseline; keep it in --variants")
    theirs = any(v.startswith("mkdocs-bibtex") for v in args.variants)
    bibtex_mkdocs = bench_env.ensure_bibtex_venv() if theirs else Path()
    compile_engine()
    started = time.perf_counter()
    python, engine = platform.python_version(), engine_version()
    print(f"# {engine}, Python {python}, {os.cpu_count()} CPUs", flush=True)
    results: list[dict[str, object]] = []
    sites: dict[tuple[int, int], Path] = {}
    for entries in args.entries:
        for pages in args.pages:
            site, samples = bench_size(pages, entries, args, bibtex_mkdocs)
            sites[(pages, entries)] = site
            results.append(report.summarise(pages, entries, samples))
    extras: dict[str, object] = {}
    one_size = len(sites) == 1
    if (args.extras or not one_size) and not args.no_extras:
        largest = max(sites, key=lambda size: (size[0], size[1]))
        print(f"# internal link check and serve rebuild on {largest[0]} x {largest[1]}", flush=True)
        extras["size"] = list(largest)
        extras["checker"] = time_checker(sites[largest], args.runs or 3)
    if not args.no_serve and {"plain", "warm"} <= set(args.variants):
        target = sites.get(TARGET) or sites[max(sites)]
        print(f"# mkdocs serve: save -> rebuilt page served ({target.name}, monograph)", flush=True)
        extras["serve"] = time_serve(
            {target.name: target, "monograph": monograph_copy()}, args.edits
        )
    if args.make:
        print(f"# make {' '.join(args.make)} (wall time)", flush=True)
        extras["make"] = time_make(tuple(args.make))
    elapsed = time.perf_counter() - started
    if engine_version() != engine:  # the plugin is installed editable: a commit changes it
        engine = f"{engine} -> {engine_version()} (changed during the run)"
        print(f"# WARNING: {engine}; measure again", flush=True)
    record = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "engine": engine,
        "argv": sys.argv[1:],
        "runs": {f"{p}x{e}": runs_for(args, p) for p, e in sites},
        "elapsed_seconds": elapsed,
        "machine": platform.platform(),
        "results": results,
        "extras": extras,
    }
    out = bench_env.WORK / "results" / time.strftime("bench-%Y%m%d-%H%M%S.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2), encoding="utf-8")
    print()
    print(report.table(results))
    if len(args.pages) > 1:
        print()
        print(report.linearity(results))
    if extras:
        print()
        print(report.extras(extras))
    print(f"\n(total {elapsed / 60:.1f} min; raw samples in {out.relative_to(bench_env.ROOT)})")
    final = next((r for r in results if (r["pages"], r["entries"]) == TARGET), results[-1])
    print(report.ratio_lines(final))
    return 0


if __name__ == "__main__":
    sys.exit(main())
