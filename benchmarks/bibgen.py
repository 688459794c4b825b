r"""A synthetic BibTeX file with realistic entries, for the benchmark.

Mostly journal articles (1-8 authors, some ``and others``), with books and chapters; names with
LaTeX accents (``M{\"u}ller``, ``Garc{\'\i}a``, ``{\O}stergaard``), von parts, braces and
``\emph`` in titles, DOIs on most articles, PMIDs on about half (some in a ``pubmed`` field),
abstracts and keywords on some, as a reference manager exports them. Keys are unique,
lower-case and made of word characters only, so mkdocs-bibtex (``[\w-]+``) reads them too.
"""

from __future__ import annotations

import random
from pathlib import Path

#: (BibTeX surname, the ASCII form used in keys)
SURNAMES = (
    ('M{\\"u}ller', "muller"),
    ("Garc{\\'\\i}a", "garcia"),
    ("Nov{\\'a}k", "novak"),
    ("{\\O}stergaard", "ostergaard"),
    ("Dvo{\\v{r}}{\\'a}k", "dvorak"),
    ("Smith", "smith"),
    ('Sch{\\"o}nberg', "schonberg"),
    ("Ib{\\'a}{\\~n}ez", "ibanez"),
    ("L{\\'o}pez", "lopez"),
    ("Nakamura", "nakamura"),
    ("Okafor", "okafor"),
    ("van der Berg", "berg"),
    ("O'Brien", "obrien"),
    ("Ben-David", "bendavid"),
    ("{\\AA}kesson", "akesson"),
    ("Gonz{\\'a}lez", "gonzalez"),
    ("Ferr{\\`e}s", "ferres"),
    ("Br{\\o}ndum", "brondum"),
    ("Ja{\\'s}kiewicz", "jaskiewicz"),
    ("Trotti", "trotti"),
    ("Allen", "allen"),
    ("Earley", "earley"),
    ("Winkelmann", "winkelmann"),
    ("Ferini-Strambi", "ferinistrambi"),
    ("Manconi", "manconi"),
    ("Kim", "kim"),
    ("Singh", "singh"),
    ("Patel", "patel"),
    ("Rossi", "rossi"),
    ("da Silva", "silva"),
    ("Andr{\\'e}", "andre"),
    ("Wei{\\ss}", "weiss"),
    ('H{\\"o}gl', "hogl"),
    ("Chen", "chen"),
    ("Zhang", "zhang"),
    ("Kowalski", "kowalski"),
    ("Nguyen", "nguyen"),
    ("Haschka", "haschka"),
    ("de Baaij", "baaij"),
    ("Connor", "connor"),
)
FIRST_NAMES = (
    "Lynn M.",
    "Jos{\\'e}",
    "Fran{\\c{c}}oise",
    'Bj{\\"o}rn',
    'Zo{\\"e}',
    "Mar{\\'\\i}a",
    "S{\\o}ren",
    "J.",
    "Ana",
    "Hiroshi",
    "Chinwe",
    "Piotr",
    "A. J.",
    "Jeroen H. F.",
    "In-Young",
    "Ren{\\'e}e",
    'G{\\"u}nter',
    "Birgit",
    "Richard P.",
    "Ulrike H.",
    "MA",
    "Nian",
)
JOURNALS = (
    "Sleep Med",
    "Mov Disord",
    "Neurology",
    "Sleep",
    "J Clin Sleep Med",
    "Cochrane Database Syst Rev",
    "Eur J Neurol",
    "J Neurol",
    "Nutrients",
    "Sleep Med Rev",
    "Ann Neurol",
    "Lancet Neurol",
    "BMJ",
    "PLoS One",
    "Front Neurol",
    "Am J Hematol",
)
TOPICS = (
    "restless legs syndrome",
    "{Willis-Ekbom} disease",
    "periodic limb movements",
    "brain iron deficiency",
    "dopaminergic augmentation",
    "{RLS} in pregnancy",
    "uraemic {RLS}",
    "sleep quality",
    "{MEIS1} variants",
    "small intestinal bacterial overgrowth",
)
INTERVENTIONS = (
    "Ferric carboxymaltose",
    "Oral iron",
    "Magnesium",
    "Valerian",
    "Lavender oil massage",
    "Pramipexole",
    "Gabapentin enacarbil",
    "Exercise",
    "Vitamin D",
    "Pneumatic compression",
    "Tyrosine",
    "Folic acid",
    "Acupuncture",
    "Near-infrared light",
)
DESIGNS = (
    "a randomized, double-blind, placebo-controlled trial",
    "a systematic review and meta-analysis",
    "a prospective cohort study",
    "a case report",
    "a pilot study",
    "an \\emph{in vitro} study",
    "a cross-sectional survey",
    "a narrative review",
)
WORDS = (
    "patients",
    "symptoms",
    "severity",
    "ferritin",
    "transferrin",
    "placebo",
    "dopamine",
    "sleep",
    "latency",
    "night",
    "legs",
    "urge",
    "movement",
    "treatment",
    "dose",
    "response",
    "baseline",
    "score",
    "improvement",
    "adverse",
    "events",
    "iron",
    "serum",
    "brain",
)


def _key_suffix(n: int) -> str:
    """0 -> '', 1 -> 'a', 26 -> 'z', 27 -> 'aa' (bijective base 26)."""
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("a") + rem) + out
    return out


def _authors(rng: random.Random) -> tuple[str, str]:
    count = rng.choices(range(1, 9), weights=(8, 10, 12, 12, 10, 10, 8, 10))[0]
    people = rng.sample(SURNAMES, count)
    names = [f"{surname}, {rng.choice(FIRST_NAMES)}" for surname, _ in people]
    if count >= 4 and rng.random() < 0.15:
        names.append("others")
    return " and ".join(names), people[0][1]


def _abstract(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(60, 120))).capitalize() + "."


def _entry(rng: random.Random, index: int) -> tuple[str, str, dict[str, str]]:
    """Return (type, key stem, fields) of one entry."""
    authors, stem = _authors(rng)
    year = rng.randint(1990, 2026)
    title = f"{rng.choice(INTERVENTIONS)} for {rng.choice(TOPICS)}: {rng.choice(DESIGNS)}"
    fields: dict[str, str] = {"author": authors, "title": title, "year": str(year)}
    roll = rng.random()
    if roll < 0.85:
        kind = "article"
        fields["journal"] = rng.choice(JOURNALS)
        fields["volume"] = str(rng.randint(1, 120))
        if rng.random() < 0.7:
            fields["number"] = str(rng.randint(1, 12))
        first = rng.randint(1, 2000)
        fields["pages"] = f"{first}--{first + rng.randint(3, 18)}"
        if rng.random() < 0.85:
            fields["doi"] = f"10.{1000 + index % 9000}/bench.{year}.{index:06d}"
        if rng.random() < 0.55:
            fields["pubmed" if rng.random() < 0.2 else "pmid"] = str(20000000 + index * 7)
        if rng.random() < 0.1:
            fields["pmcid"] = f"PMC{5000000 + index}"
    elif roll < 0.93:
        kind = "book"
        fields["publisher"] = rng.choice(("Springer", "Elsevier", "Oxford University Press"))
        fields["address"] = rng.choice(("Cham", "Amsterdam", "Oxford", "New York"))
        if rng.random() < 0.5:
            fields["edition"] = rng.choice(("2nd", "3rd", "4th"))
    else:
        kind = "incollection"
        editors, _ = _authors(rng)
        fields["editor"] = editors.replace(" and others", "")
        fields["booktitle"] = f"Sleep medicine: {rng.choice(TOPICS)}"
        fields["publisher"] = rng.choice(("Springer", "Elsevier", "Wiley"))
        fields["address"] = rng.choice(("Cham", "Philadelphia", "Hoboken"))
        first = rng.randint(1, 600)
        fields["pages"] = f"{first}--{first + rng.randint(8, 30)}"
    if rng.random() < 0.4:
        fields["abstract"] = _abstract(rng)
    if rng.random() < 0.3:
        fields["keywords"] = ", ".join(rng.sample(WORDS, 5))
    if rng.random() < 0.03:
        fields["note"] = "Bibliographic details as printed; not independently verified."
    return kind, f"{stem}{year}", fields


def write_bib(path: Path, entries: int, rng: random.Random) -> list[str]:
    """Write ``entries`` entries to ``path``; return their keys in file order."""
    used: dict[str, int] = {}
    keys: list[str] = []
    chunks = ["% Synthetic bibliography generated by benchmarks/bibgen.py\n"]
    for index in range(entries):
        kind, stem, fields = _entry(rng, index)
        used[stem] = used.get(stem, 0) + 1
        key = stem + _key_suffix(used[stem] - 1)
        keys.append(key)
        width = max(len(name) for name in fields)
        body = ",\n".join(f"  {name:<{width}} = {{{value}}}" for name, value in fields.items())
        chunks.append(f"@{kind}{{{key},\n{body}\n}}\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(chunks), encoding="utf-8")
    return keys
