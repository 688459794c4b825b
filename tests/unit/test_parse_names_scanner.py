"""The parser's scanner (``parsing._Scanner``) reads exactly what pybtex's ``LowLevelParser`` reads.

It reads braced and quoted values in one step and counts lines in fewer calls; everything it
yields and every error it reports (message, line, position, context) must be pybtex's. Compared
over every .bib in the repo and over generated files, many of them damaged (seeded, so a
failure repeats): missing and stray braces, quotes, commas, ``@``, line endings of all three
kinds, 100 nested braces, a file cut anywhere.
"""

from __future__ import annotations

import pickle
import random
from pathlib import Path
from typing import Any

import pytest
from monograph.core.bibliography import parsing
from monograph.core.bibliography.parsing import (
    LocatingParser,
    _Scanner,
    normalize_whitespace,
    parse_bib,
)
from pybtex import textutils
from pybtex.database.input.bibtex import LowLevelParser, month_names

ROOT = Path(__file__).resolve().parents[2]

VALUES = [
    "{Plain title}",
    '{Title with {Nested {deeper}} braces and "quotes" and a } ',
    '"Quoted {with braces} and {a \\"{o}}"',
    '"quoted, with commas"',
    "1999",
    "jan",
    "undefinedmacro",
    'jan # " 1"',
    'lj # {, } # "x" # 12',
    "{}",
    '""',
    "{multi\nline\n  value}",
    "{crlf\r\nline}",
    "{cr\rline\r}",
    '{M{\\"u}ller, Anna and van der Berg, J. H. and others}',
    "{" + "{" * 100 + "deep" + "}" * 100 + "}",
    "{" + "{" * 98 + "deep" + "}" * 98 + "}",
    '"' + "{" * 101 + "}" * 101 + '"',
]
FIELDS = ["title", "author", "editor", "journal", "year", "note", "Title", "month"]
DAMAGE = ["{", "}", '"', "@", ",", "=", "#", "\n", "\r", "\r\n", " ", "(", ")", "x", "%", "\t"]
LINE_ENDS = ["\n", "\r\n", "\r", "\n\n"]


def _entry(rng: random.Random, number: int) -> str:
    fields = [
        f"  {rng.choice(FIELDS)} {rng.choice(['=', ' = '])} {rng.choice(VALUES)}"
        for _ in range(rng.randint(0, 5))
    ]
    end = rng.choice(LINE_ENDS)
    body = f",{end}".join([f"key{number}", *fields]) + rng.choice(["", ",", f",{end}"])
    kind = rng.choice(["article", "book", "ARTICLE", "misc"])
    if rng.random() < 0.2:
        return f"@{kind}({body}{end}){end}"
    return f"@{kind}{{{body}{end}}}{end}"


def _file(seed: int) -> str:
    rng = random.Random(seed)
    pieces = ["% a comment line\n"]
    if rng.random() < 0.5:
        pieces.append('@string{lj = {Leg Journal}}\n@STRING(x = "X")\n')
    if rng.random() < 0.3:
        pieces.append('@preamble{ "\\newcommand{\\noop}[1]{}" }\n@comment{anything {at} all}\n')
    pieces += [_entry(rng, number) for number in range(rng.randint(1, 6))]
    text = "".join(pieces)
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):  # damage it
        at = rng.randint(0, len(text))
        if rng.random() < 0.5:
            text = text[:at] + rng.choice(DAMAGE) + text[at:]
        else:
            text = text[:at] + text[at + rng.randint(1, 3) :]
    if rng.random() < 0.15:
        text = text[: rng.randint(0, len(text))]  # cut anywhere
    return text


def _scan(scanner_class: type[Any], text: str) -> tuple[object, ...]:
    """Everything a scanner yields and reports, and where it ends."""
    errors: list[tuple[object, ...]] = []

    def handle_error(error: Exception) -> None:
        context = error.get_context() if hasattr(error, "get_context") else None
        errors.append(
            (
                type(error).__name__,
                str(error),
                getattr(error, "lineno", None),
                getattr(error, "error_context_info", None),
                context,
            )
        )

    scanner = scanner_class(text, handle_error=handle_error, macros=dict(month_names))
    commands = []
    for command in scanner:
        commands.append((command, scanner.command_start, scanner.pos, scanner.lineno))
    return commands, errors, scanner.pos, scanner.lineno, scanner.macros


def _texts() -> list[str]:
    files = [ROOT / "refs.bib", *sorted((ROOT / "tests").rglob("*.bib"))]
    return [path.read_text(encoding="utf-8", errors="replace") for path in files]


@pytest.mark.parametrize("text", _texts(), ids=lambda text: str(len(text)))
def test_the_repo_files_scan_as_with_pybtex(text: str) -> None:
    assert _scan(_Scanner, text) == _scan(LowLevelParser, text)
    crlf = text.replace("\n", "\r\n")
    assert _scan(_Scanner, crlf) == _scan(LowLevelParser, crlf)


@pytest.mark.parametrize("block", range(4))
def test_generated_and_damaged_files_scan_as_with_pybtex(block: int) -> None:
    errors = 0
    for seed in range(block * 400, (block + 1) * 400):
        text = _file(seed)
        ours = _scan(_Scanner, text)
        assert ours == _scan(LowLevelParser, text), repr(text)
        errors += bool(ours[1])
    assert 40 < errors < 360  # damaged files and clean ones were both read


def test_random_character_soup_scans_as_with_pybtex() -> None:
    """Short texts of BibTeX's structural characters in any order: every odd path."""
    rng = random.Random(11)
    alphabet = ["@", "@article", "{", "}", "(", ")", '"', "=", ",", "#", " ", "\n", "\r", "a"]
    alphabet += ["\t", "1", "%", "\\", "title", "k", "{x}", '"y"', " = ", ", t = {v}"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        if rng.random() < 0.7:
            text = rng.choice(["@article{k, t = ", "@misc(k,t=", "@book{k,\r\n t\t= "]) + text
        assert _scan(_Scanner, text) == _scan(LowLevelParser, text), repr(text)


def _parse(text: str) -> tuple[object, ...]:
    data, parser = parse_bib(text, "refs.bib")
    return (
        pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL),
        parser.lines,
        parser.digests,
        [(p.code, p.message, p.path, p.line) for p in parser.problems],
    )


def test_damaged_files_parse_as_with_pybtex_scanner(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole parse (entries, lines, problems and their lines) with either scanner."""
    for seed in range(5000, 5300):
        text = _file(seed)
        ours = _parse(text)
        with monkeypatch.context() as patch:
            patch.setattr(parsing, "_Scanner", LowLevelParser)
            assert _parse(text) == ours, repr(text)


def test_the_scanner_reads_values_in_one_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not pybtex's piecewise reading (a ``skip_to`` search for each brace)."""
    scanner = _Scanner('{a {b} c} "d {e} f" ', macros={})
    monkeypatch.setattr(scanner, "skip_to", None)  # calling it would fail
    assert scanner.parse_value_part() == "a {b} c"
    assert scanner.parse_value_part() == "d {e} f"
    text = "@article{k, title = {x}}\n"
    parser = LocatingParser("refs.bib")
    parser.parse_string(text)
    assert isinstance(parser._scanner, _Scanner)


def test_whitespace_is_normalized_as_pybtex_does() -> None:
    """Every whitespace character there is (and some that are not), in random runs."""
    spaces = [chr(code) for code in range(0x110000) if chr(code).isspace()]
    others = ["a", "B", "{", "}", "\\", "~", "é", "李", "\u200b", "\ufeff", ".", ",", "x y"]
    rng = random.Random(9)
    texts = ["", " ", "January", "A", " é ", " 李 ", "a  b", *spaces]
    for _ in range(20000):
        texts.append("".join(rng.choice(spaces + others) for _ in range(rng.randint(0, 12))))
    for text in texts:
        ours = normalize_whitespace(text)
        theirs = textutils.normalize_whitespace(text)
        assert ours == theirs, repr(text)
        # The same object when nothing changes (a macro's text shared by entries stays shared
        # in the snapshot's pickle), a new one otherwise.
        assert (ours is text) == (theirs is text), repr(text)
