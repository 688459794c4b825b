"""Validate the evidence front matter of an intervention page into :class:`PageEvidence`.

An intervention page carries its study data in front matter (``evidence``, ``evidence_caveat``,
``claims``; the schema is in CONTRIBUTING.md and :mod:`monograph.core.evidence.model`). This
module validates that data with pydantic and turns every error into a
:class:`~monograph.core.model.Problem` that names the file, the line and the fix.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from types import MappingProxyType
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, ValidationError

from ..model import Problem
from ..source.yaml_lines import YamlPath, dotted_path, front_matter_lines, line_of
from . import FRONT_MATTER_KEYS
from .messages import describe
from .model import (
    CHOICES,
    CROSS_CHECK,
    EVIDENCE_TYPES,
    LEVELS,
    NON_HUMAN_DESIGNS,
    Claim,
    EvidenceRow,
    PageEvidence,
    Text,
    cross_field_errors,
    sort_rows,
)

__all__ = [
    "EVIDENCE_TYPES",
    "LEVELS",
    "NON_HUMAN_DESIGNS",
    "Claim",
    "EvidenceRow",
    "PageEvidence",
    "parse_page_evidence",
    "sort_rows",
]


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
        known_keys: The refs.bib keys (compared case-insensitively, as BibTeX does); a
            frozenset must hold them in lower case already.
        suggest: The closest known key to an unknown one, or ``None``.

    Returns:
        ``(None, [])`` when the page has no evidence data; ``(None, problems)`` with every
        problem found when anything is wrong (a broken table is never rendered in part);
        otherwise ``(PageEvidence, [])``.
    """
    if not any(name in meta for name in FRONT_MATTER_KEYS):
        return None, []
    lines: dict[YamlPath, int] = {}

    def problem(code: str, loc: YamlPath, message: str, at: YamlPath | None = None) -> Problem:
        # Line numbers need a second YAML pass; valid pages (nearly all) never pay for it.
        if not lines:
            lines.update(front_matter_lines(source))
        line = line_of(lines, loc if at is None else at)
        return Problem(code, f"{dotted_path(loc)}: {message}", path, line)

    problems = _page_problems(meta, problem)
    # A frozenset is taken to be lower-cased already (the bibliography's own, built once).
    known = known_keys if isinstance(known_keys, frozenset) else {k.lower() for k in known_keys}
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
            if error["type"] != CROSS_CHECK:
                message = describe(error, choices=CHOICES, fields=_FIELDS, required=_REQUIRED)
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
