"""Turn pydantic's validation errors on evidence front matter into the project's messages.

pydantic's own wording ("Input should be a valid integer") names no fix; a contributor editing
YAML needs to know the allowed values, the closest one, and what to type instead.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Mapping, Sequence

from pydantic_core import ErrorDetails


def show(value: object) -> str:
    """Quote a value from the YAML for a message, cut short when long."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The allowed value nearest to ``word`` (ignoring case, spaces and ``_`` for ``-``)."""
    cleaned = word.strip().lower().replace("_", "-")
    matches = difflib.get_close_matches(cleaned, list(choices), 1)
    return matches[0] if matches else None


def describe(
    error: ErrorDetails,
    *,
    choices: Mapping[str, Sequence[str]],
    fields: Mapping[str, Collection[str]],
    required: Collection[str],
) -> str:
    """Say what is wrong with one value, and how to fix it.

    Arguments:
        error: One entry of ``ValidationError.errors()``.
        choices: The allowed values of each enumerated field, by field name.
        fields: The allowed field names of an item, by top-level section (``evidence``).
        required: The names of the fields that may not be null or omitted.

    Returns:
        The message without its location, e.g. ``'RCT ' is not one of ...; did you mean 'rct'?``.
    """
    kind, loc, value = error["type"], error["loc"], error.get("input")
    field = str(loc[-1]) if loc else ""
    if kind == "literal_error":
        allowed = choices.get(field, ())
        guess = closest(value, allowed) if isinstance(value, str) else None
        hint = f"; did you mean {guess!r}?" if guess else ""
        return f"{show(value)} is not one of {', '.join(allowed)}{hint}"
    if kind == "extra_forbidden":
        guess = closest(field, fields.get(str(loc[0]), ()))
        hint = f"did you mean {guess!r}? " if guess else "remove it or "
        return f"unknown field; {hint}see CONTRIBUTING.md for the allowed fields"
    if kind == "missing" and choices.get(field):
        return f"missing; this field is required: one of {', '.join(choices[field])}"
    if kind == "missing":
        return "missing; this field is required"
    if value is None:
        return "has no value; fill it in"
    return _describe_type(kind, field, value, field in required) or (
        f"{error['msg']} (got {show(value)})"
    )


def _describe_type(kind: str, field: str, value: object, is_required: bool) -> str | None:
    """Messages for a value of the wrong type or shape; ``None`` for an unforeseen error."""
    if kind == "int_type":
        unquote = "; write the number without quotes" if isinstance(value, str) else ""
        return f"expected an integer or null, got {show(value)}{unquote}"
    if kind == "string_type":
        return f"expected text, got {show(value)}; put it in quotes"
    if kind == "string_pattern_mismatch":
        return "is blank; fill it in" if is_required else "is blank; fill it in or remove it"
    if kind == "greater_than_equal":
        return f"must be 0 or more, got {show(value)}"
    if kind == "too_short":
        return "is empty; list at least one refs.bib key"
    if kind == "tuple_type" and field == "cite":
        return f"expected a refs.bib key or a list of keys, got {show(value)}"
    if kind == "tuple_type":
        return f"expected a list ('- ' items), got {show(value)}"
    if kind == "model_type":
        return f"expected 'field: value' lines, got {show(value)}"
    return None
