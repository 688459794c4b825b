"""The evidence data model: study rows, claims, derived levels and ordering.

The pydantic models here define the front-matter schema of an intervention page (documented in
CONTRIBUTING.md). Derived values (the OCEBM level, the ``indirect`` flag, the matrix column) are
computed from the typed fields, never typed by hand. Validation with messages for contributors
lives in :mod:`monograph.core.evidence.validation`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

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
Result = Literal[
    "benefit",
    "no-difference",
    "harm",
    "mixed",
    "uncontrolled-improvement",
    "not-reported",
    "not-applicable",
]
Question = Literal["effect", "association", "mechanism", "background"]
Record = Literal["verified", "partly", "unverified", "secondary-only"]
AppliesTo = Literal["condition", "other-condition", "healthy", "animal", "mechanism"]
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
#: The level answers the treatment question only, so it is given only to rows that test the
#: intervention (``question: effect``); an association, mechanism or background row gets none.
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

#: Designs that are no study of people: never counted as a human study of the condition.
NON_HUMAN_DESIGNS = frozenset({"animal", "in-vitro", "narrative-review", "textbook"})
#: Designs without a comparison group: they can show that people improved, never a benefit.
UNCONTROLLED_DESIGNS = frozenset({"case-series", "case-report"})
#: Designs that are no study at all: they report others' findings and carry no direction.
NOT_A_STUDY = frozenset({"narrative-review", "textbook"})
#: Designs that allocate an intervention, so they always answer the question ``effect``.
ALLOCATING_DESIGNS = frozenset({"rct", "controlled-trial"})
#: Results that state a direction of effect (a difference, or none, against a comparison).
DIRECTIONS = frozenset({"benefit", "no-difference", "harm", "mixed"})
#: Records that a summary may rest on (``../shared/refs``: verified or partly verified).
TRUSTED_RECORDS = frozenset({"verified", "partly"})

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

#: The allowed values of each enumerated field, for messages and hints.
CHOICES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "design": get_args(Design),
        "result": get_args(Result),
        "applies_to": get_args(AppliesTo),
        "question": get_args(Question),
        "record": get_args(Record),
        "certainty": get_args(Certainty),
        "verdict": get_args(Verdict),
    }
)
#: pydantic error type of :func:`cross_field_errors` raised inside a model (see evidence.py).
CROSS_CHECK = "monograph_cross_check"


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
    if design == "animal" and applies_to in {"condition", "other-condition", "healthy"}:
        errors.append(("applies_to", f"{applies_to!r} for an animal study; use 'animal'"))
    if applies_to == "animal" and design in LEVELS and design not in {"animal", "in-vitro"}:
        errors.append(("design", f"{design!r} for a study in animals; use 'animal'"))
    return errors + _question_errors(row)


def _question_errors(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The rules that tie the question a row answers to its design, record and result.

    A treatment level and a direction belong only to a row that tests the intervention
    (``question: effect``); a direction needs a comparison group and a record that was
    verified at least in part. See "Evidence rules" in CONTRIBUTING.md.
    """
    question, design, result = row.get("question"), row.get("design"), row.get("result")
    record, comparator = row.get("record"), row.get("comparator")
    if result not in get_args(Result) or question not in get_args(Question):
        return []  # a missing or mistyped value is reported by the schema itself
    errors: list[tuple[str, str]] = []
    if design in ALLOCATING_DESIGNS and question != "effect":
        errors.append(
            (
                "question",
                f"{question!r} for a {design!r}, which tests an intervention; use 'effect'",
            )
        )
    if question == "background" and design in LEVELS and design not in NOT_A_STUDY:
        errors.append(
            (
                "question",
                f"'background' is for a narrative review or textbook, not a {design!r}; "
                "use 'effect', 'association' or 'mechanism'",
            )
        )
    if question != "effect" and result != "not-applicable":
        errors.append(
            (
                "result",
                f"{result!r} on a row that answers {question!r}: only a row that tests the "
                "intervention (question 'effect') has a result; use 'not-applicable' and say "
                "what was found in 'finding'",
            )
        )
        return errors
    uncontrolled = design in UNCONTROLLED_DESIGNS or design in NOT_A_STUDY or comparator is None
    if result in DIRECTIONS and uncontrolled:
        why = (
            f"a {design!r} has no comparison group"
            if design in UNCONTROLLED_DESIGNS or design in NOT_A_STUDY
            else "the row has no comparator"
        )
        errors.append(
            (
                "result",
                f"{result!r} needs a comparison, but {why}; use 'uncontrolled-improvement' "
                "when people improved without one, or 'not-reported'",
            )
        )
    elif result in DIRECTIONS and record in get_args(Record) and record not in TRUSTED_RECORDS:
        errors.append(
            (
                "result",
                f"{result!r} rests on a record that is {record!r}; a direction needs a verified "
                "or partly verified record, so use 'not-reported' and say why in 'finding'",
            )
        )
    if result == "uncontrolled-improvement" and not uncontrolled:
        errors.append(
            (
                "result",
                f"'uncontrolled-improvement' on a row with a comparator ({comparator!r}); give "
                "the result against the comparator ('benefit', 'no-difference', 'harm', 'mixed')",
            )
        )
    return errors


class EvidenceRow(BaseModel):
    """One study (or one outcome of a study) in an intervention's evidence table.

    Attributes:
        cite: refs.bib keys of the work(s) reporting the study (one string is accepted too).
        design: The study design; the OCEBM level is derived from it (:data:`LEVELS`).
        population: Who was studied, e.g. ``Adults aged 36-65 (USA)``.
        participants: Number of participants, or ``None`` when not reported.
        intervention: What was given: substance, dose, route.
        comparator: Placebo, another treatment, or ``None`` when uncontrolled.
        duration: How long, or ``None`` when not reported.
        outcomes: The outcome measures, e.g. ``symptom score; sleep quality (PSQI)``.
        result: The direction of the main result.
        finding: One neutral sentence on what the study found.
        applies_to: Whom the result is about; anything but ``condition`` (people with the
            condition the site is about) is indirect evidence.
        question: What the row can answer: ``effect`` (it tests the intervention),
            ``association`` (a link or a prevalence, no intervention tested), ``mechanism``
            or ``background`` (a review or textbook cited for context).
        record: How far the cited work was checked (``../shared/refs``): ``verified``,
            ``partly``, ``unverified``, or ``secondary-only`` (known only from another text).
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
    question: Question
    record: Record
    certainty: Certainty | None = None
    certainty_source: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> EvidenceRow:
        errors = cross_field_errors(self.__dict__)
        if errors:
            field, message = errors[0]
            raise PydanticCustomError(
                CROSS_CHECK, "{field}: {message}", {"field": field, "message": message}
            )
        return self

    @property
    def level(self) -> int | None:
        """The OCEBM 2011 treatment level (1 strongest, 5 weakest), derived from the design.

        Only a row that tests the intervention (``question: effect``) has one; ``None`` for any
        other question, which the treatment scale does not grade.
        """
        return LEVELS[self.design] if self.question == "effect" else None

    @property
    def rank(self) -> int:
        """Sort rank: the treatment level, then every row without one (after level 5)."""
        return self.level if self.level is not None else 6

    @property
    def controlled(self) -> bool:
        """True when the study compared the intervention with something.

        That needs a comparator and a design with a comparison group (not a case series or
        report, review or textbook).
        """
        return (
            self.comparator is not None
            and self.design not in UNCONTROLLED_DESIGNS
            and self.design not in NOT_A_STUDY
        )

    @property
    def trusted(self) -> bool:
        """True when the cited work's record was verified at least in part."""
        return self.record in TRUSTED_RECORDS

    @property
    def tests_in_condition(self) -> bool:
        """True for a human study that tested the intervention in people with the condition."""
        return self.question == "effect" and self.human_condition

    @property
    def indirect(self) -> bool:
        """True when the study is not of people with the condition (another one, animals...)."""
        return self.applies_to != "condition"

    @property
    def human_condition(self) -> bool:
        """True for a study of people with the condition (not animals, in vitro or a review)."""
        return self.applies_to == "condition" and self.design not in NON_HUMAN_DESIGNS

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


def sort_rows(
    rows: Iterable[EvidenceRow], year_of: Callable[[str], int | None]
) -> list[EvidenceRow]:
    """Order rows by OCEBM level (strongest first; rows without a level last), then by year.

    Arguments:
        rows: The rows in the order written.
        year_of: Publication year of a refs.bib key, or ``None`` when unknown.

    Returns:
        A new list; rows with an unknown year come last within their level, and ties keep the
        order written (the sort is stable).
    """

    def key(row: EvidenceRow) -> tuple[int, int, int]:
        year = year_of(row.cite[0])
        return (row.rank, 0 if year is not None else 1, year or 0)

    return sorted(rows, key=key)
