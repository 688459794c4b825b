"""Turn benchmark samples into medians, ratios and Markdown tables."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from measure import Sample

RATIO_LABELS = (
    ("cold", "cold/plain"),
    ("warm", "warm/plain"),
    ("mkdocs-bibtex", "mkdocs-bibtex/plain"),
    ("csl-cold", "csl-cold/plain"),
    ("csl-warm", "csl-warm/plain"),
    ("mkdocs-bibtex-csl", "mkdocs-bibtex-csl/plain"),
)


def summarise(pages: int, entries: int, samples: dict[str, list[Sample]]) -> dict[str, Any]:
    """Medians (and extremes) of one size, with each variant's ratio to plain."""
    variants: dict[str, dict[str, Any]] = {}
    for variant, found in samples.items():
        seconds = [s.seconds for s in found]
        variants[variant] = {
            "median": statistics.median(seconds),
            "min": min(seconds),
            "max": max(seconds),
            "rss_mib": statistics.median(s.rss_mib for s in found),
            "cpu": statistics.median(s.cpu for s in found),
            "load": max(s.load for s in found),
            "samples": [[s.seconds, s.rss_mib, s.cpu, s.load] for s in found],
        }
    plain, plain_cpu = variants["plain"]["median"], variants["plain"]["cpu"]
    for values in variants.values():
        values["ratio"] = values["median"] / plain
        values["cpu_ratio"] = values["cpu"] / plain_cpu
    return {"pages": pages, "entries": entries, "variants": variants}


def table(results: Sequence[dict[str, Any]]) -> str:
    """A Markdown table: one row per size and variant."""
    rows = [
        "| pages | entries | variant | median s | min s | max s | x plain | CPU s | CPU x plain "
        "| peak RSS MiB | load |",
        "|------:|--------:|:--------|---------:|------:|------:|--------:|------:|------------:"
        "|-------------:|-----:|",
    ]
    for result in results:
        for variant, v in result["variants"].items():
            rows.append(
                f"| {result['pages']} | {result['entries']} | {variant} | {v['median']:.2f} | "
                f"{v['min']:.2f} | {v['max']:.2f} | {v['ratio']:.2f} | {v['cpu']:.2f} | "
                f"{v['cpu_ratio']:.2f} | {v['rss_mib']:.0f} | {v['load']:.1f} |"
            )
    return "\n".join(rows)


def _overhead(result: dict[str, Any], variant: str) -> float:
    """Seconds the variant adds to the plain build of the same size."""
    return float(result["variants"][variant]["median"] - result["variants"]["plain"]["median"])


def linearity(results: Sequence[dict[str, Any]]) -> str:
    """Marginal cost per page between consecutive sizes of the same .bib, time and memory.

    Time is the variant's overhead over plain (the plain build itself is not linear: the
    ``mkdocs`` theme renders the whole navigation into every page). Linear in pages means the
    two segments (e.g. 50->200 and 200->1000) cost the same per page: the ``later/earlier``
    columns are 1.00 for a perfectly linear cost.
    """
    rows = [
        "| entries | variant | overhead s by size | ms/page, 1st span | ms/page, 2nd span "
        "| later/earlier | RSS KiB/page, 1st | RSS KiB/page, 2nd | later/earlier |",
        "|--:|:--|:--|--:|--:|--:|--:|--:|--:|",
    ]
    spans = ""
    by_entries: dict[int, list[dict[str, Any]]] = {}
    for result in results:
        by_entries.setdefault(result["entries"], []).append(result)
    for entries, group in sorted(by_entries.items()):
        group.sort(key=lambda r: r["pages"])
        if len(group) < 3:
            continue
        a, b, c = group[0], group[len(group) // 2], group[-1]
        spans = f"{a['pages']}->{b['pages']} and {b['pages']}->{c['pages']} pages"
        for variant in a["variants"]:
            sizes = " / ".join(f"{_overhead(r, variant):.2f}" for r in group)
            t1 = (_overhead(b, variant) - _overhead(a, variant)) / (b["pages"] - a["pages"])
            t2 = (_overhead(c, variant) - _overhead(b, variant)) / (c["pages"] - b["pages"])
            m1 = _rss(b, variant) - _rss(a, variant)
            m2 = _rss(c, variant) - _rss(b, variant)
            m1, m2 = m1 / (b["pages"] - a["pages"]), m2 / (c["pages"] - b["pages"])
            rows.append(
                f"| {entries} | {variant} | {sizes} | {t1 * 1000:.2f} | {t2 * 1000:.2f} | "
                f"{_ratio(t2, t1)} | {m1:.0f} | {m2:.0f} | {_ratio(m2, m1)} |"
            )
    if not spans:
        return "Linearity: needs three page counts per .bib size"
    return f"Marginal cost per page ({spans}):\n\n" + "\n".join(rows)


def _rss(result: dict[str, Any], variant: str) -> float:
    return float(result["variants"][variant]["rss_mib"]) * 1024


def _ratio(later: float, earlier: float) -> str:
    return f"{later / earlier:.2f}" if abs(earlier) > 1e-9 else "n/a"


def extras(found: dict[str, Any]) -> str:
    """The link check and serve timings, as text."""
    size = found.get("size")
    lines = [f"On the {size[0]} x {size[1]} site:" if size else "Extras:"]
    checker = found.get("checker")
    if checker:
        lines.append(
            f"- internal link check: {checker['seconds']:.2f} s (median), "
            f"{checker['rss_mib']:.0f} MiB, exit {checker['status']}: {checker['summary']}"
        )
    serve = found.get("serve") or {}
    if serve:
        lines.append("- mkdocs serve, save -> rebuilt page served (median s; MkDocs' own figure):")
    for site, measured in serve.items():
        for label, values in measured.items():
            lines.append(
                f"  - {site}, {label} edit ({values['page']}): {values['seconds']:.2f} s "
                f"(MkDocs reports {_reported(values['reported'])}; first build "
                f"{values['first_build']:.2f} s; load {values['load']:.1f})"
            )
        plain, ours = measured.get("plain page"), measured.get("warm page")
        if plain and ours:
            lines.append(
                f"  - {site}: page edit ours/plain {ours['seconds'] / plain['seconds']:.2f}"
            )
    for target, values in (found.get("make") or {}).items():
        lines.append(
            f"- make {target}: {values['seconds']:.1f} s wall, {values['cpu']:.1f} s CPU, "
            f"exit {values['status']} (load {values['load']:.1f})"
        )
    return "\n".join(lines)


def _reported(seconds: float) -> str:
    """MkDocs' own figure for a rebuild (median; 0 when its log line was not caught)."""
    return f"{seconds:.2f} s" if seconds > 0 else "n/a"


def ratio_lines(result: dict[str, Any]) -> str:
    """The closing lines: each variant's median over plain's (n/a when not run)."""
    variants = result["variants"]
    return "\n".join(
        f"{label} {variants[name]['ratio']:.2f}" if name in variants else f"{label} n/a"
        for name, label in RATIO_LABELS
    )
