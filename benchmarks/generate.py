"""Generate a synthetic monograph for the benchmark: pages, citations, evidence rows and a .bib.

Deterministic: the same ``--pages/--entries/--citations/--seed`` always give the same files.
Every page cites ~1.2 keys per citation group (C=20 gives 24 keys a page) in four forms:
``[@key]``, ``[@a; @b]``, ``[see @key, p. 12]`` and narrative ``@key``. Keys are drawn uniformly
from the whole .bib (the worst case for a cold cache: most entries get cited at 200+ pages).
A quarter of the pages carry evidence rows in front matter and the ``monograph:evidence`` marker.

Usage: ``python benchmarks/generate.py OUT_DIR --pages 200 --entries 2000``.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from bibgen import write_bib

PAGES_PER_SECTION = 50
SECTIONS = ("Background", "Mechanism", "Clinical evidence", "Safety", "Dosing")
SUBJECTS = (
    "Oral ferrous sulfate",
    "Intravenous ferric carboxymaltose",
    "Magnesium citrate",
    "Valerian root extract",
    "Lavender oil",
    "Pneumatic compression",
    "Aerobic exercise",
    "Vitamin D supplementation",
    "Folate",
    "Sleep hygiene counselling",
    "Yoga",
    "Acupuncture",
    "Near-infrared light",
    "L-tyrosine",
    "Vitamin C with vitamin E",
    "Cognitive behavioural therapy",
)
VERBS = (
    "reduced",
    "did not change",
    "modestly improved",
    "was associated with lower",
    "worsened",
    "increased",
    "had no measurable effect on",
)
OBJECTS = (
    "IRLS severity scores",
    "periodic limb movements in sleep",
    "serum ferritin",
    "sleep latency",
    "the PSQI global score",
    "daytime sleepiness",
    "brain iron indices",
    "dopamine transporter binding",
    "quality-of-life ratings",
    "symptom frequency",
)
POPULATIONS = (
    "in adults with primary RLS",
    "in haemodialysis patients",
    "in pregnant women",
    "in older adults with insomnia",
    "in a mouse model of iron deficiency",
    "in children with growing pains",
    "in people with low-normal ferritin",
)
DESIGNS = (
    "systematic-review",
    "rct",
    "controlled-trial",
    "cohort",
    "case-report",
    "animal",
    "in-vitro",
    "narrative-review",
)
RESULTS = ("benefit", "no-difference", "harm", "mixed", "not-reported")
NO_STUDY = frozenset({"narrative-review", "textbook"})
UNCONTROLLED = NO_STUDY | {"case-series", "case-report"}
#: One cycle of group kinds: 12 single, 3 multi (2+3+2 keys), 2 locator, 3 narrative = 24 keys.
KINDS = ("single",) * 12 + ("multi",) * 3 + ("locator",) * 2 + ("narrative",) * 3
MULTI_SIZES = (2, 3, 2)
LOCATORS = ("p. 12", "pp. 3-5", "table 2", "fig. 1", "p. 104")
PREFIXES = ("see", "e.g.", "cf.", "")


def _sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
        f"{rng.choice(POPULATIONS)}"
    )


def _citation(rng: random.Random, kind: str, keys: list[str], multi_index: int) -> str:
    if kind == "multi":
        chosen = rng.sample(keys, MULTI_SIZES[multi_index % len(MULTI_SIZES)])
        return "[" + "; ".join(f"@{k}" for k in chosen) + "]"
    key = rng.choice(keys)
    if kind == "locator":
        prefix = rng.choice(PREFIXES)
        return f"[{prefix + ' ' if prefix else ''}@{key}, {rng.choice(LOCATORS)}]"
    if kind == "narrative":
        return f"@{key}"
    return f"[@{key}]"


def _cited_sentences(rng: random.Random, keys: list[str], groups: int) -> list[str]:
    """Sentences of a page; ``groups`` of them carry one citation group each."""
    kinds = list(KINDS)
    rng.shuffle(kinds)
    count = max(36, groups + 12)
    cited = set(rng.sample(range(count), groups)) if groups <= count else set(range(count))
    out: list[str] = []
    placed = multi = 0
    for index in range(count):
        text = _sentence(rng)
        if index in cited:
            kind = kinds[placed % len(kinds)]
            placed += 1
            citation = _citation(rng, kind, keys, multi)
            multi += kind == "multi"
            if kind == "narrative":
                text = f"{citation} reported that {text[0].lower()}{text[1:]}"
            else:
                text = f"{text} {citation}"
        out.append(text + ".")
    return out


def _evidence(rng: random.Random, keys: list[str]) -> list[str]:
    """Front-matter lines for 2-5 valid evidence rows."""
    lines = [
        f"evidence_caveat: {json.dumps('Synthetic rows; small trials, mostly indirect.')}",
        "evidence:",
    ]
    for _ in range(rng.randint(2, 5)):
        design = rng.choice(DESIGNS)
        applies = {"animal": "animal", "in-vitro": "mechanism"}.get(
            design, rng.choice(("condition", "condition", "other-condition", "healthy"))
        )
        cite = ", ".join(rng.sample(keys, rng.randint(1, 2)))
        row = {
            "design": design,
            "population": _sentence(rng).split(" in ", 1)[-1],
            "participants": rng.choice((None, rng.randint(8, 900))),
            "intervention": f"{rng.choice(SUBJECTS)} {rng.randint(1, 9) * 100} mg daily",
            "comparator": rng.choice(("Placebo", None, "Usual care")),
            "duration": rng.choice(("8 weeks", "12 weeks", None, "6 months")),
            "outcomes": rng.choice(OBJECTS),
            "result": rng.choice(RESULTS),
            "finding": _sentence(rng) + ".",
            "applies_to": applies,
            "question": "effect",
            "record": "verified",
        }
        uncontrolled = row["comparator"] is None or design in UNCONTROLLED
        if row["result"] != "not-reported" and uncontrolled:
            # The schema gives a direction only to controlled rows (evidence_model rules).
            row["result"] = "not-reported" if design in NO_STUDY else "uncontrolled-improvement"
        lines.append(f"  - cite: [{cite}]")
        lines += [f"    {name}: {json.dumps(value)}" for name, value in row.items()]
        if design == "systematic-review" and rng.random() < 0.5:
            lines += ["    certainty: moderate", '    certainty_source: "Synthetic GRADE table"']
    return lines


def _page(
    rng: random.Random, index: int, paths: list[str], keys: list[str], groups: int, evidence: bool
) -> tuple[str, str]:
    """Return (title, Markdown) of one page."""
    title = f"{rng.choice(SUBJECTS)} {index:04d}"
    front = ["---", f"title: {json.dumps(title)}", "reviewed: 2026-11-24"]
    if evidence:
        front += _evidence(rng, keys)
    body = [*front, "---", "", f"# {title}", ""]
    sentences = _cited_sentences(rng, keys, groups)
    if evidence:
        body += ["The studies behind this page:", "", "<!-- monograph:evidence -->", ""]
    per_section = -(-len(sentences) // len(SECTIONS))
    here = paths[index]
    for number, heading in enumerate(SECTIONS):
        chunk = sentences[number * per_section : (number + 1) * per_section]
        body += [f"## {heading}", ""]
        for start in range(0, len(chunk), 4):
            body += [" ".join(chunk[start : start + 4]), ""]
        if heading == "Clinical evidence":
            body += ["| Outcome | Change |", "| --- | --- |"]
            body += [f"| {rng.choice(OBJECTS)} | {rng.randint(-40, 10)}% |" for _ in range(3)]
            body.append("")
    other = paths[rng.randrange(len(paths))]
    nxt = paths[(index + 1) % len(paths)]
    body += [
        f"See also [the next page]({_rel(here, nxt)}) and "
        f"[its safety notes]({_rel(here, other)}#safety).",
        "",
    ]
    return title, "\n".join(body)


def _rel(src: str, dst: str) -> str:
    up = "../" * src.count("/")
    return up + dst


def generate(
    out: Path,
    *,
    pages: int,
    entries: int,
    citations: int = 20,
    seed: int = 7,
    evidence_share: float = 0.25,
) -> dict[str, int]:
    """Write ``docs/``, ``refs.bib`` and ``mkdocs.yml`` (the plain build) under ``out``.

    Returns:
        Counts: pages, entries, citation groups and evidence pages written.
    """
    keys = write_bib(out / "refs.bib", entries, random.Random(f"bib-{seed}-{entries}"))
    rng = random.Random(f"pages-{seed}-{pages}-{entries}-{citations}")
    docs = out / "docs"
    paths = [f"section-{i // PAGES_PER_SECTION + 1:02d}/page-{i:04d}.md" for i in range(pages)]
    nav: dict[str, list[str]] = {}
    evidence_pages = 0
    for index, path in enumerate(paths):
        has_evidence = rng.random() < evidence_share
        evidence_pages += has_evidence
        _title, text = _page(rng, index, paths, keys, citations, has_evidence)
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        (docs / path).write_text(text, encoding="utf-8")
        nav.setdefault(path.split("/")[0], []).append(path)
    (docs / "index.md").write_text(
        "# Synthetic monograph\n\nGenerated by `benchmarks/generate.py`.\n", encoding="utf-8"
    )
    (docs / "references.md").write_text(
        "# References\n\n<!-- monograph:bibliography -->\n", encoding="utf-8"
    )
    lines = [
        f"site_name: Synthetic monograph ({pages} pages, {entries} entries)",
        "theme:",
        "  name: mkdocs",
        "plugins: []",
        "markdown_extensions:",
        "  - footnotes",
        "  - toc:",
        "      permalink: true",
        "nav:",
        "  - Home: index.md",
    ]
    for section, section_paths in nav.items():
        lines.append(f"  - {section.replace('-', ' ').title()}:")
        lines += [f"      - {p}" for p in section_paths]
    lines.append("  - References: references.md")
    (out / "mkdocs.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {
        "pages": pages,
        "entries": entries,
        "groups": pages * citations,
        "evidence_pages": evidence_pages,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--citations", type=int, default=20, help="citation groups per page")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    counts = generate(
        args.out, pages=args.pages, entries=args.entries, citations=args.citations, seed=args.seed
    )
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
