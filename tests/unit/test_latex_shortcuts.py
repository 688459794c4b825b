"""The shortcuts in latex.py give exactly what latexcodec and pybtex give the long way.

``_decode`` returns a string without LaTeX as it is, and decodes a string with some only in the
pieces that hold it (see the comment above ``_CODEC_SYNTAX`` in latex.py); ``latex_text`` skips
work that cannot change a field without commands. These tests compare both with latexcodec and
pybtex themselves on generated strings and on every field of every .bib in the repository, and
check that latexcodec's lexer and table still are what that reasoning assumes.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from latexcodec import lexer
from latexcodec.codec import _LATEX_UNICODE_TABLE
from monograph.core.bibliography.loading import load_bibliography
from monograph.core.styles.latex import (
    _CODEC_SYNTAX,
    _LATEX_SYNTAX,
    _codec,
    _decode,
    _escape_percent,
    _link,
    _post,
    _replace_math,
    _segments,
    latex_text,
    url_text,
)
from monograph.core.styles.vancouver import SafeHtmlBackend
from pybtex.exceptions import PybtexError
from pybtex.richtext import Text

REPO = Path(__file__).resolve().parents[2]

#: Pieces of text that latexcodec treats in every way it has: plain words and punctuation it copies,
#: whitespace it drops or changes, control words and symbols, comments, math and the entries of its
#: table that need no backslash. Generated strings join them, often with single spaces between.
FRAGMENTS = [
    *["a", "Zb", "word", "é", "ı", "1", "23", "TM", "M", "T", "c", "e", "par"],
    *[".", ",", ":", ";", "(", ")", "[", "]", "/", "&", "#", "#1", "_", "^", "@", "*", "+", "="],
    *["{", "}", "{}", "{RLS}", "-", "--", "---", "`", "``", "'", "''", ",,", "!", "?", "!`", "?`"],
    *["~", "$", "$$", "$-$", "$^2$", "$^{TM}$", "%", "% comment", "\\%", "\\\\%", "\\\\"],
    *["\\", "\\'", '\\"', "\\`", "\\~", "\\^", "\\.", "\\=", "\\ ", "\\!", "\\,", "\\&", "\\{"],
    *["\\c", "\\c c", "\\c{c}", "\\'e", "\\'{e}", "{\\`e}", '{\\"o}', "\\ss", "\\o", "\\i"],
    *["\\emph", "\\emph{in vitro}", "\\LaTeX", "\\par", "\\textbf{b}", "\\dots"],
    *[" ", "  ", "\t", "\n", " \n", "\n\n", "\u00a0", "\r"],
]


def _outcome(function: object, text: str) -> tuple[str, str]:
    try:
        return ("text", function(text))  # type: ignore[operator]
    except ValueError as exc:  # latexcodec's UnicodeDecodeError: a lone backslash at the end
        return ("error", type(exc).__name__)


def _generated(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    strings = []
    for _ in range(count):
        pieces = [rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 10))]
        joiner = rng.choice(["", " ", " ", " "])  # mostly words: the pieces _decode cuts between
        strings.append(joiner.join(pieces))
    return strings


@pytest.mark.parametrize(
    "text",
    [
        "Folic acid for {MEIS1} variants",  # braces only: copied
        "Willis-Ekbom disease, patients' views: a #1 trial (n = 12) [sic] 5^2 a_b",
        "a -- b",  # en dash
        "a --- b",  # em dash
        "``quoted''",  # curly quotes
        "a ,,b",  # low quote
        "a~b",  # no-break space
        "!`Hola! ?`Que?",  # inverted marks
        "$-$1 and $^2$",  # formulas in latexcodec's table
        " lead",  # a leading space is dropped
        "two  spaces and\ttab \t mixed",  # a space after a space is dropped
        "line\nbreak and\n\nparagraph",  # newlines become a space or \par
        "a % comment\nb",  # a comment is dropped
        "50\\% and \\\\% b",  # \% is a per cent sign; after \\ a % starts a comment
        "Ferr{\\`e}s and Ferr\\`es et al",  # accents
        "an \\emph{in vitro} study of \\LaTeX is \\c c ok",  # a control word swallows a space
        "x\\' e and \\c c",  # ... and so does a control symbol: its accent goes on the e
        "a \\par b",  # the one table entry with a space: " \par"
        "a\\\\ b and a\\ b",  # a space after \\ is kept, after "\ " it is part of the symbol
        "end \\",  # a lone backslash: latexcodec refuses it
    ],
)
def test_decode_is_latexcodec_on_chosen_cases(text: str) -> None:
    assert _outcome(_decode, text) == _outcome(_codec, text)


def test_decode_skips_latexcodec_where_it_copies() -> None:
    assert not _CODEC_SYNTAX.search("Folic acid for {MEIS1} variants: a trial")
    assert _codec("Folic acid for {MEIS1} variants: a trial") == (
        "Folic acid for {MEIS1} variants: a trial"
    )


def test_decode_is_latexcodec_on_generated_strings() -> None:
    strings = _generated(20000, seed=15)
    assert sum(bool(_CODEC_SYNTAX.search(s)) for s in strings) > 10000  # most take the long way
    differing = [s for s in strings if _outcome(_decode, s) != _outcome(_codec, s)]
    assert differing == []


def _bib_fields() -> list[str]:
    paths = [REPO / "refs.bib", *sorted((REPO / "tests").rglob("*.bib"))]
    assert len(paths) > 10
    values = []
    for path in paths:
        bib = load_bibliography(path)
        for key in bib.data.entries:
            entry = bib.entry(key)
            values += [str(value) for value in entry.fields.values()]
            for persons in entry.persons.values():
                for person in persons:
                    values += [str(person), *person.first_names, *person.middle_names]
                    values += [*person.prelast_names, *person.last_names, *person.lineage_names]
    return values


def test_decode_is_latexcodec_on_every_bib_field_of_the_repository() -> None:
    values = _bib_fields()
    # as latex_text hands them over: per cent signs escaped and formulas rendered
    values += [_replace_math(_escape_percent(value)) for value in values]
    values = sorted(set(values))
    assert sum(bool(_CODEC_SYNTAX.search(v)) for v in values) > 50
    assert [v for v in values if _outcome(_decode, v) != _outcome(_codec, v)] == []


def _control(token: lexer.Token) -> bool:
    return token.name.startswith("control")


def test_latexcodec_table_needs_backslash_or_codec_syntax() -> None:
    """Every entry of latexcodec's table that could match text without a backslash has syntax."""
    for tokens in _LATEX_UNICODE_TABLE.unicode_map:
        if not any(_control(token) for token in tokens):
            assert _CODEC_SYNTAX.search("".join(token.text for token in tokens)), tokens


def test_latexcodec_table_has_spaces_only_before_control_sequences() -> None:
    """A space token in a table entry comes first and before a control sequence (`` \\par``)."""
    for tokens in _LATEX_UNICODE_TABLE.unicode_map:
        assert not any(t.name in ("newline", "comment", "unknown") for t in tokens), tokens
        for index, token in enumerate(tokens):
            if token.name == "space":
                assert index == 0 and len(tokens) > 1 and _control(tokens[1]), tokens


def test_latexcodec_lexer_is_the_one_reasoned_about() -> None:
    """The token kinds and patterns the shortcuts rely on (latex.py, above ``_CODEC_SYNTAX``)."""
    assert list(lexer.LatexLexer.tokens) == [
        ("control_symbol_x2", r"[\\][\\]|[\\]%"),
        ("comment", r"%[^\n]*"),
        ("control_word", r"[\\][a-zA-Z]+"),
        ("control_symbol", r"[\\][~" r"'" r'"` =^!.]'),
        ("control_symbol_x", r"[\\][^a-zA-Z]"),
        ("parameter", r"\#[0-9]|\#"),
        ("space", r" |\t"),
        ("newline", r"\n"),
        ("mathshift", r"[$][$]|[$]"),
        ("chars", r"---|--|-|[`][`]" r"|['][']" r"|[?][`]|[!][`]" r"|(?![ %#$\n\t\\])."),
        ("unknown", r"."),
    ]


def _from_latex_long_way(value: str) -> Text:
    stripped = value.strip()
    lead = value[: len(value) - len(value.lstrip())]
    trail = value[len(value.rstrip()) :] if stripped else ""
    try:
        parsed = _post(Text.from_latex(stripped))
    except (PybtexError, ValueError):
        parsed = Text(_codec(stripped.replace("{", "").replace("}", "")))
    return Text(*(p for p in (lead and " ", parsed, trail and " ") if p))


def _latex_text_long_way(value: str) -> Text:
    """latex_text with pybtex's Text.from_latex, _post everywhere and no shortcut."""
    if not _LATEX_SYNTAX.search(value):
        return Text(value)
    value = _replace_math(_escape_percent(value))
    pieces: list[object] = []
    for kind, url, body in _segments(value):
        if kind == "text":
            pieces.append(_from_latex_long_way(body))
        elif kind == "url":
            pieces.append(_link(url, Text(url_text(url))))
        else:
            pieces.append(_link(url, _from_latex_long_way(body)))
    return Text(*pieces)


def _rich_outcome(function: object, text: str) -> tuple[str, str]:
    try:
        rich = function(text)  # type: ignore[operator]
    except ValueError as exc:
        return ("error", type(exc).__name__)
    return (repr(rich), rich.render(SafeHtmlBackend()))


#: Fields' LaTeX beyond what latexcodec sees: links, commands with arguments, math, groups.
FIELD_FRAGMENTS = [
    *FRAGMENTS,
    *["\\url{https://example.org/a\\_b}", "\\href{https://example.org}{the \\emph{site}}"],
    *["\\textsuperscript{2}", "\\enquote{q}", "\\textsc{Caps}", "\\noopsort{a}", "{\\i}"],
    *["$x^2$", "$\\alpha$", "Fe$^{2+}$", "$\\geq 5$", "{{nested} group}", "{", "}"],
]


def test_latex_text_is_the_long_way_on_generated_fields() -> None:
    rng = random.Random(15)
    fields = []
    for _ in range(6000):
        pieces = [rng.choice(FIELD_FRAGMENTS) for _ in range(rng.randint(1, 8))]
        fields.append(rng.choice(["", " "]).join(pieces))
    with_syntax = [field for field in fields if _LATEX_SYNTAX.search(field)]
    assert sum("\\" not in field for field in with_syntax) > 500  # braces and the like only
    assert sum("\\" in field for field in with_syntax) > 3000
    differing = [
        field
        for field in fields
        if _rich_outcome(latex_text, field) != _rich_outcome(_latex_text_long_way, field)
        and _rich_outcome(_latex_text_long_way, field)[0] != "error"
    ]
    assert differing == []


def test_latex_text_is_the_long_way_on_every_bib_field_of_the_repository() -> None:
    values = sorted(set(_bib_fields()))
    assert [
        value
        for value in values
        if _rich_outcome(latex_text, value) != _rich_outcome(_latex_text_long_way, value)
    ] == []


@pytest.mark.parametrize("value", ["Ends with a backslash \\", "{Unbalanced \\", "a {b} \\"])
def test_a_field_ending_in_a_lone_backslash_keeps_it(value: str) -> None:
    """latexcodec refuses a lone backslash at the end (BibTeX reads ``{a \\}`` as ``a \\``)."""
    assert str(latex_text(value)) == value.replace("{", "").replace("}", "")
