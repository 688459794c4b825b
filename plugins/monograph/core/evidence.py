"""Evidence rows and the claim audit of an intervention page: model, derivation and validation.

An intervention page carries its study data in front matter (``evidence``, ``evidence_caveat``,
``claims``; the schema is in CONTRIBUTING.md). This module validates that data with pydantic and
turns every error into a :class:`~monograph.core.model.Problem` that names the file, the line and
the fix. Derived values (the OCEBM level, the ``indirect`` flag) are computed, never typed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from types import MappingProxyType
from typing import Annotated, Any, Literal, Protocol, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .evidence_messages import describe
from .model import Problem
from .yaml_lines import YamlPath, dotted_path, front_matter_lines, line_of

Design = Literal[
    "systematic-review",
    "rct",
    "controlled-trial",
    "cohort",
    "case-control",
    "cross-sectional",
    "case-series",
    "case-report",
    "animal",
    "in-vitro",
    "narrative-review",
    "textbook",
]
Result = Literal["benefit", "no-difference", "harm", "mixed", "not-reported", "not-applicable"]
AppliesTo = Literal["rls", "other-condition", "healthy", "animal", "mechanism"]
Certainty = Literal["high", "moderate", "low", "very-low"]
Verdict = Literal["supported", "partly", "not-supported", "not-testable"]

#: Oxford CEBM 2011 level for "does this intervention help?", by study design.
#:
#: The OCEBM table ranks: 1 systematic review of randomised trials; 2 randomised trial;
#: 3 non-randomised controlled cohort/follow-up study; 4 case series, case-control or historically
#: controlled study; 5 mechanism-based reasoning. A ``controlled-trial`` (allocation not random)
#: and a ``cohort`` (followed forward with a comparison group) are both level 3. A
#: ``cross-sectional`` study measures exposure and outcome at one moment, so it cannot show
#: that the treatment came first: it sits with case-control studies at level 4, as does a case
#: report (a series of one). Animal and in-vitro work, narrative reviews and textbooks support
#: mechanism-based reasoning at best: level 5. The level is a shortcut for the design only;
#: indirectness is shown separately (``indirect``) and GRADE certainty only where a source gives it.
LEVELS: Mapping[str, int] = MappingProxyType(
    {
        "systematic-review": 1,
        "rct": 2,
        "controlled-trial": 3,
        "cohort": 3,
        "case-control": 4,
        "cross-sectional": 4,
        "case-series": 4,
        "case-report": 4,
        "animal": 5,
        "in-vitro": 5,
        "narrative-review": 5,
        "textbook": 5,
    }
)

#: Designs that are no study of people: never counted as a human RLS study.
NON_HUMAN_DESIGNS = frozenset({"animal", "in-vitro", "narrative-review", "textbook"})

#: The columns of the evidence-type matrix, and the designs each one counts.
EVIDENCE_TYPES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "Systematic review": ("systematic-review",),
        "RCT": ("rct",),
        "Other human study": ("controlled-trial", "cohort", "case-control", "cross-sectional"),
        "Case report/series": ("case-series", "case-report"),
        "Animal": ("animal",),
        "Mechanism/review": ("in-vitro", "narrative-review", "textbook"),
    }
)

_CHOICES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "design": get_args(Design),
        "result": get_args(Result),
        "applies_to": get_args(AppliesTo),
        "certainty": get_args(Certainty),
        "verdict": get_args(Verdict),
    }
)
_CROSS_CHECK = "monograph_cross_check"


def _as_tuple(value: object) -> object:
    """Accept one key as a string or a list of keys; pydantic rejects anything else."""
    if isinstance(value, str):
        return (value,)
    return tuple(value) if isinstance(value, list) else value


Text = Annotated[StrictStr, StringConstraints(pattern=r"\S")]
Keys = Annotated[tuple[Text, ...], BeforeValidator(_as_tuple), Field(min_length=1)]
Count = Annotated[StrictInt, Field(ge=0)]


def cross_field_errors(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Check the rules that tie two fields of an evidence row together.

    Arguments:
        row: One row, raw from YAML or validated.

    Returns:
        ``(field, message)`` pairs; empty when the row is consistent.
    """
    errors: list[tuple[str, str]] = []
    has_certainty = row.get("certainty") is not None
    has_source = row.get("certainty_source") is not None
    if has_certainty and not has_source:
        errors.append(
            (
                "certainty",
                "given without certainty_source; add the source that grades it "
                "(e.g. 'Cochrane summary of findings') or remove certainty",
            )
        )
    elif has_source and not has_certainty:
        errors.append(
            ("certainty_source", "given without certainty; add certainty or remove the source")
        )
    design, applies_to = row.get("design"), row.get("applies_to")
    if design == "animal" and applies_to in {"rls", "other-condition", "healthy"}:
        errors.append(("applies_to", f"{applies_to!r} for an animal study; use 'animal'"))
    if applies_to == "animal" and design in LEVELS and design not in {"animal", "in-vitro"}:
        errors.append(("design", f"{design!r} for a study in animals; use 'animal'"))
    return errors


class EvidenceRow(BaseModel):
    """One study (or one outcome of a study) in an intervention's evidence table.

    Attributes:
        cite: refs.bib keys of the work(s) reporting the study (one string is accepted too).
        design: The study design; the OCEBM level is derived from it (:data:`LEVELS`).
        population: Who was studied, e.g. ``Adults with RLS aged 36-65 (USA)``.
        participants: Number of participants, or ``None`` when not reported.
        intervention: What was given: substance, dose, route.
        comparator: Placebo, another treatment, or ``None`` when uncontrolled.
        duration: How long, or ``None`` when not reported.
        outcomes: The outcome measures, e.g. ``IRLS; PSQI``.
        result: The direction of the main result.
        finding: One neutral sentence on what the study found.
        applies_to: Whom the result is about; anything but ``rls`` is indirect evidence.
        certainty: GRADE certainty, only where the cited source grades it.
        certainty_source: Where the certainty comes from; required with ``certainty``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    cite: Keys
    design: Design
    population: Text
    participants: Count | None = None
    intervention: Text
    comparator: Text | None = None
    duration: Text | None = None
    outcomes: Text
    result: Result
    finding: Text
    applies_to: AppliesTo
    certainty: Certainty | None = None
    certainty_source: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> EvidenceRow:
        errors = cross_field_errors(self.__dict__)
        if errors:
            field, message = errors[0]
            raise PydanticCustomError(
                _CROSS_CHECK, "{field}: {message}", {"field": field, "message": message}
            )
        return self

    @property
    def level(self) -> int:
        """The Oxford CEBM 2011 level (1 strongest, 5 weakest), derived from the design."""
        return LEVELS[self.design]

    @property
    def indirect(self) -> bool:
        """True when the study is not of people with RLS (other condition, healthy, animal...)."""
        return self.applies_to != "rls"

    @property
    def human_rls(self) -> bool:
        """True for a study of people with RLS (not animal, in-vitro, review or textbook)."""
        return self.applies_to == "rls" and self.design not in NON_HUMAN_DESIGNS

    @property
    def evidence_type(self) -> str:
        """The matrix column (a key of :data:`EVIDENCE_TYPES`) this row is counted in."""
        return next(name for name, designs in EVIDENCE_TYPES.items() if self.design in designs)


class Claim(BaseModel):
    """One claim of the source article, in our words, and how the cited work bears it out.

    Attributes:
        claim: The article's claim, paraphrased.
        cite: The refs.bib key(s) the article cites for it.
        verdict: Whether the cited work supports the claim.
        note: Why, in one or two sentences.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    claim: Text
    cite: Keys
    verdict: Verdict
    note: Text


class PageEvidence(BaseModel):
    """The validated evidence data of one page.

    Attributes:
        rows: The evidence rows in the order written (see :func:`sort_rows`).
        caveat: The page's one-sentence main limitation (required when there are rows).
        claims: The claim audit, in the order written.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    rows: tuple[EvidenceRow, ...] = ()
    caveat: str | None = None
    claims: tuple[Claim, ...] = ()

    @model_validator(mode="after")
    def _caveat_with_rows(self) -> PageEvidence:
        if self.rows and not self.caveat:
            raise ValueError("evidence rows need a caveat")
        return self


_FIELDS: Mapping[str, Collection[str]] = MappingProxyType(
    {"evidence": tuple(EvidenceRow.model_fields), "claims": tuple(Claim.model_fields)}
)
_REQUIRED = frozenset(
    {"evidence_caveat"}
    | {name for name, info in EvidenceRow.model_fields.items() if info.is_required()}
    | {name for name, info in Claim.model_fields.items() if info.is_required()}
)


class _FrontMatter(BaseModel):
    """The part of a page's front matter this module owns; every other key is ignored."""

    model_config = ConfigDict(extra="ignore")

    evidence: tuple[EvidenceRow, ...] | None = None
    evidence_caveat: Text | None = None
    claims: tuple[Claim, ...] | None = None


def sort_rows(
    rows: Iterable[EvidenceRow], year_of: Callable[[str], int | None]
) -> list[EvidenceRow]:
    """Order rows by OCEBM level (strongest first), then year of the first cited work.

    Arguments:
        rows: The rows in the order written.
        year_of: Publication year of a refs.bib key, or ``None`` when unknown.

    Returns:
        A new list; rows with an unknown year come last within their level, and ties keep the
        order written (the sort is stable).
    """

    def key(row: EvidenceRow) -> tuple[int, int, int]:
        year = year_of(row.cite[0])
        return (row.level, 0 if year is not None else 1, year or 0)

    return sorted(rows, key=key)


def parse_page_evidence(
    meta: Mapping[str, Any],
    *,
    path: str,
    source: str,
    known_keys: Collection[str],
    suggest: Callable[[str], str | None],
) -> tuple[PageEvidence | None, list[Problem]]:
    """Validate a page's ``evidence``, ``evidence_caveat`` and ``claims`` front matter.

    Arguments:
        meta: The page's front matter as parsed by MkDocs (other keys are ignored).
        path: The file path for messages, e.g. ``docs/interventions/valerian.md``.
        source: The whole file as read from disk, to find the line of each field.
        known_keys: The refs.bib keys (compared case-insensitively, as BibTeX does).
        suggest: The closest known key to an unknown one, or ``None``.

    Returns:
        ``(None, [])`` when the page has no evidence data; ``(None, problems)`` with every
        problem found when anything is wrong (a broken table is never rendered in part);
        otherwise ``(PageEvidence, [])``.
    """
    if not any(name in meta for name in ("evidence", "evidence_caveat", "claims")):
        return None, []
    lines = front_matter_lines(source)

    def problem(code: str, loc: YamlPath, message: str, at: YamlPath | None = None) -> Problem:
        line = line_of(lines, loc if at is None else at)
        return Problem(code, f"{dotted_path(loc)}: {message}", path, line)

    problems = _page_problems(meta, problem)
    known = {key.lower() for key in known_keys}
    for section in ("evidence", "claims"):
        items = meta.get(section)
        if isinstance(items, list):
            problems += _row_problems(section, items, known, suggest, problem)
    subset = {name: value for name, value in meta.items() if name in _FrontMatter.model_fields}
    subset = {name: value for name, value in subset.items() if not _is_empty(value)}
    try:
        data = _FrontMatter.model_validate(subset)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            if error["type"] != _CROSS_CHECK:
                message = describe(error, choices=_CHOICES, fields=_FIELDS, required=_REQUIRED)
                problems.append(problem("evidence.invalid", error["loc"], message))
    if problems:
        return None, sorted(problems, key=lambda p: p.line or 0)
    page = PageEvidence(
        rows=data.evidence or (), caveat=data.evidence_caveat, claims=data.claims or ()
    )
    return page, []


class _ProblemFn(Protocol):
    def __call__(
        self, code: str, loc: YamlPath, message: str, at: YamlPath | None = None
    ) -> Problem:
        """Build a problem at ``loc``; ``at`` gives the line when ``loc`` itself is absent."""


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, list) and not value)


def _page_problems(meta: Mapping[str, Any], problem: _ProblemFn) -> list[Problem]:
    """Check the page-level rules: non-empty lists, and a caveat exactly when there is evidence."""
    problems = [
        problem(
            "evidence.empty",
            (section,),
            f"the list is empty; add at least one {what} or remove the '{section}' key",
        )
        for section, what in (("evidence", "study row"), ("claims", "claim"))
        if section in meta and _is_empty(meta[section])
    ]
    has_caveat = meta.get("evidence_caveat") is not None
    if "evidence" in meta and not has_caveat:
        problems.append(
            problem(
                "evidence.invalid",
                ("evidence_caveat",),
                "missing; add one sentence on the main limitation of this evidence "
                "(required with 'evidence')",
                at=("evidence",),
            )
        )
    elif has_caveat and "evidence" not in meta:
        problems.append(
            problem("evidence.invalid", ("evidence_caveat",), "given without 'evidence'; remove it")
        )
    return problems


def _row_problems(
    section: str,
    items: list[Any],
    known: Collection[str],
    suggest: Callable[[str], str | None],
    problem: _ProblemFn,
) -> list[Problem]:
    """Check what pydantic cannot: citation keys, and the cross-field rules of every row."""
    problems: list[Problem] = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            continue
        if section == "evidence":
            for field, message in cross_field_errors(item):
                problems.append(problem("evidence.invalid", (section, index, field), message))
        cite = item.get("cite")
        keys = [cite] if isinstance(cite, str) else cite if isinstance(cite, list) else []
        for number, key in enumerate(keys):
            if isinstance(key, str) and key.strip() and key.lower() not in known:
                guess = suggest(key)
                hint = f"did you mean {guess!r}?" if guess else "add it to refs.bib or fix the key"
                loc = (section, index, "cite", number)
                problems.append(
                    problem("evidence.unknown_key", loc, f"unknown citation key {key!r}; {hint}")
                )
    return problems
