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
            "samples": [[s.seconds, s.rss_mib] for s in found],
        }
    plain = variants["plain"]["median"]
    for values in variants.values():
        values["ratio"] = values["median"] / plain
    return {"pages": pages, "entries": entries, "variants": variants}


def table(results: Sequence[dict[str, Any]]) -> str:
    """A Markdown table: one row per size and variant."""
    rows = [
        "| pages | entries | variant | median s | min s | max s | peak RSS MiB | x plain |",
        "|------:|--------:|:--------|---------:|------:|------:|-------------:|--------:|",
    ]
    for result in results:
        for variant, v in result["variants"].items():
            rows.append(
                f"| {result['pages']} | {result['entries']} | {variant} | {v['median']:.2f} | "
                f"{v['min']:.2f} | {v['max']:.2f} | {v['rss_mib']:.0f} | {v['ratio']:.2f} |"
            )
    return "\n".join(rows)


def _slope(a: dict[str, Any], b: dict[str, Any], variant: str, field: str) -> float:
    pages = b["pages"] - a["pages"]
    return (b["variants"][variant][field] - a["variants"][variant][field]) / pages


def linearity(results: Sequence[dict[str, Any]]) -> str:
    """Marginal cost per page between consecutive sizes of the same .bib: time and memory.

    Linear in pages means the two segments (e.g. 50->200 and 200->1000) cost the same per page;
    the last column divides the later segment's slope by the earlier one's (1.00 = linear).
    """
    rows = [
        "| entries | variant | ms/page | ms/page | later/earlier | KiB/page | KiB/page "
        "| later/earlier |",
        "|--------:|:--------|--------:|--------:|--------------:|---------:|---------:"
        "|--------------:|",
    ]
    by_entries: dict[int, list[dict[str, Any]]] = {}
    for result in results:
        by_entries.setdefault(result["entries"], []).append(result)
    for entries, group in sorted(by_entries.items()):
        group.sort(key=lambda r: r["pages"])
        if len(group) < 3:
            continue
        first, middle, last = group[0], group[len(group) // 2], group[-1]
        spans = f"{first['pages']}->{middle['pages']} / {middle['pages']}->{last['pages']}"
        for variant in group[0]["variants"]:
            t1 = _slope(first, middle, variant, "median") * 1000
            t2 = _slope(middle, last, variant, "median") * 1000
            m1 = _slope(first, middle, variant, "rss_mib") * 1024
            m2 = _slope(middle, last, variant, "rss_mib") * 1024
            rows.append(
                f"| {entries} | {variant} | {t1:.2f} | {t2:.2f} | {_ratio(t2, t1)} | "
                f"{m1:.0f} | {m2:.0f} | {_ratio(m2, m1)} |"
            )
    header = f"Marginal cost per page ({spans}):" if len(rows) > 2 else "Linearity: needs 3 sizes"
    return header + "\n\n" + "\n".join(rows)


def _ratio(later: float, earlier: float) -> str:
    return f"{later / earlier:.2f}" if earlier > 0 else "n/a"


def extras(found: dict[str, Any]) -> str:
    """The link check and serve timings, as text."""
    lines = [f"On the {found['size'][0]} x {found['size'][1]} site:"]
    checker = found.get("checker")
    if checker:
        lines.append(
            f"- internal link check: {checker['seconds']:.2f} s (median), "
            f"{checker['rss_mib']:.0f} MiB, exit {checker['status']}: {checker['summary']}"
        )
    for variant, values in (found.get("serve") or {}).items():
        lines.append(
            f"- mkdocs serve ({variant}): first build {values['first_build']:.2f} s; edit -> "
            f"rebuilt {values['rebuild_seconds']:.2f} s (MkDocs reports "
            f"{values['rebuild_reported']:.2f} s)"
        )
    return "\n".join(lines)


def ratio_lines(result: dict[str, Any]) -> str:
    """The three closing lines: each variant's median over plain's."""
    variants = result["variants"]
    return "\n".join(
        f"{label} {variants[name]['ratio']:.2f}" if name in variants else f"{label} n/a"
        for name, label in RATIO_LABELS
    )
