r"""LaTeX in BibTeX fields, as reference managers export it, to pybtex rich text.

pybtex's ``Text.from_latex`` (with latexcodec) decodes accents and symbols and turns braces into
``Protected`` groups, but leaves commands with arguments as literal text (``\emph It``), splits
``\"{\i}`` into ``\"ı``, treats ``%`` as a comment and knows no math. This module keeps pybtex and
latexcodec for the decoding and adds, on top of their output:

- ``\url{u}`` and ``\href{u}{text}`` as links (only when :func:`links.safe_url` allows the URL);
- ``\emph``, ``\textit``, ``\textbf``, ``\textsuperscript``, ``\textsubscript``, ``\enquote`` as
  tags; any other command with an argument (``\textsc``, ``\mbox``...) as its argument's text;
- accents with a braced argument (``\"{\i}`` is ``ï``) by Unicode composition;
- ``\LaTeX``, ``\TeX``, ``\dots`` and a few other argument-less macros latexcodec leaves alone;
- simple inline math (``$x^2$``, ``$\alpha$``, ``$\beta_2$``, ``Fe$^{2+}$``) as Unicode.

A field pybtex cannot parse at all (unbalanced braces) degrades to its text without braces;
formatting never raises.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import latexcodec  # noqa: F401  (registers the "ulatex" codec)
from pybtex.exceptions import PybtexError
from pybtex.markup import LaTeXParser
from pybtex.richtext import BaseMultipartText, HRef, Protected, String, Tag, Text

from ..links import safe_url

# LaTeX commands and groups, plus the ligatures pybtex turns into typography (-- en dash,
# --- em dash, `` and '' curly quotes).
_LATEX_SYNTAX = re.compile(r"[\\{}$~%&^_]|--|``|''")

_WRAPPERS = {
    "emph": "em",
    "textit": "em",
    "textsl": "em",
    "mkbibemph": "em",
    "textbf": "strong",
    "mkbibbold": "strong",
    "textsuperscript": "sup",
    "mkbibsuperscript": "sup",
    "textsubscript": "sub",
    "mkbibsubscript": "sub",
}
_QUOTES = frozenset({"enquote", "mkbibquote", "textquote"})
#: Commands whose argument is not printed (``\noopsort`` is the classic BibTeX sorting trick).
_DROPPED = frozenset({"noopsort", "nocite", "label", "index"})
# Accent commands and the Unicode combining mark each stands for.
_ACCENTS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}
# Argument-less macros latexcodec (1.x/3.x) does not decode; names of logos and a few symbols.
_MACROS = {
    "LaTeX": "LaTeX",
    "LaTeXe": "LaTeX2e",
    "TeX": "TeX",
    "BibTeX": "BibTeX",
    "XeTeX": "XeTeX",
    "dots": "…",
    "textquotesingle": "'",
    "textquotedblleft": "“",
    "textquotedblright": "”",
    "textquoteleft": "‘",
    "textquoteright": "’",
    "textmu": "µ",
    "textbackslash": "\\",
    "slash": "/",
    "nobreakspace": "\u00a0",
    "textasciicircum": "^",
    "textunderscore": "_",
}
# Math symbols: latexcodec decodes a symbol only as a whole formula (``$\alpha$``), so a formula is
# decoded symbol by symbol; the few it does not know are listed here.
_MATH = {
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "ne": "≠",
    "neq": "≠",
    "approx": "≈",
    "sim": "∼",
    "pm": "±",
    "mp": "∓",
    "times": "×",
    "cdot": "·",
    "infty": "∞",
    "to": "→",
    "rightarrow": "→",
    "leftarrow": "←",
    "mu": "μ",
    "circ": "°",
    "degree": "°",
    "prime": "′",
    "ldots": "…",
    "cdots": "⋯",
    "%": "%",
    ",": "\u2009",
    ";": "\u2009",
    " ": " ",
}
_SUPERSCRIPT = dict(zip("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ", strict=True))
_SUBSCRIPT = dict(zip("0123456789+-=()aeoxhklmnpst", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜ", strict=True))

_COMMAND_AT_END = re.compile(r"\\([A-Za-z]+|[\"'`^~=.])\s*$")
_BARE_COMMAND = re.compile(r"\\([A-Za-z]+)\b\s?")
_ACCENT_LETTER = re.compile(r"\\([uvHckrdb])\s+(\w)|\\([\"'`^~=.])(\w)")
_MATH_COMMAND = re.compile(r"\\([A-Za-z]+|[,;% ])")
_SCRIPT = re.compile(r"([\^_])(\{[^{}]*\}|\\[A-Za-z]+|.)")


def _codec(latex: str) -> str:
    """Latexcodec's decoder (its codec is registered for ``str`` input; typeshed does not know)."""
    decoded: str = codecs.decode(latex, "ulatex")  # type: ignore[call-overload]
    return decoded


# latexcodec makes a token of every character and looks every run of up to seven tokens up in its
# table: the largest single cost of formatting a field. Yet most fields it is given hold only
# braces, or one accented word in a long title. The two shortcuts below give exactly what
# latexcodec gives; tests/unit/test_latex_shortcuts.py compares them with it, and checks that its
# lexer and table are still the ones this reasoning is about.
#
# 1. A string without _CODEC_SYNTAX is its own decoding. latexcodec's lexer (LatexLexer.tokens)
#    copies every token's text except: control sequences (they need a "\"), comments ("%"),
#    newlines, a space or tab at the start or after another one (dropped), and its table's
#    entries. The entries that need no "\" are "--", "---", "``", "''", ",,", "~", "!`", "?`"
#    and a few formulas between "$". Braces are copied like letters.
# 2. Otherwise the string is cut after single spaces, and only the pieces with syntax are decoded.
#    A cut at p (s[p-1] == " ") is exact when: the token before the space leaves latexcodec in
#    its state "M", so the space is output rather than swallowed (that token ends with a character
#    that is neither whitespace nor "\", nor a letter of a control word, nor a control symbol's
#    second character: see _CUT); s[p] is neither whitespace nor "\" (so the next piece decodes
#    the same from any state, and " \par", the only table entry with a space, cannot straddle
#    the cut); and no "%" starts a comment, which would swallow the space (_COMMENT: any "%" not
#    written "\%"). Then no token and no table entry spans a cut: the decoding is the pieces'
#    decodings joined.
_CODEC_SYNTAX = re.compile(r"[\\$%~\n]|--|``|''|,,|[!?]`|^[ \t]|[ \t][ \t]")
_COMMENT = re.compile(r"(?<!\\)%|\\\\%")
_CUT = re.compile(r"(?:(?<![\\A-Za-z])[A-Za-z]+|(?<!\\)[^\sA-Za-z\\]) (?=[^\s\\])")


def _decode(latex: str) -> str:
    """What latexcodec's ``ulatex`` decoder gives; latexcodec runs only where it changes text."""
    if not _CODEC_SYNTAX.search(latex):
        return latex
    if _COMMENT.search(latex):
        return _codec(latex)
    pieces = []
    start = 0
    for cut in _CUT.finditer(latex):
        pieces.append(latex[start : cut.end()])
        start = cut.end()
    pieces.append(latex[start:])
    return "".join(_codec(p) if _CODEC_SYNTAX.search(p) else p for p in pieces)


def _group_end(text: str, start: int) -> int:
    """Index just after the brace group opening at ``text[start]``.

    An unclosed group runs to the end of the text, as if a ``}`` followed it: ``len(text) + 1``,
    so that ``text[start + 1 : end - 1]`` (the group's content) is all the rest of the text.
    """
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return len(text) + 1


def _escape_percent(value: str) -> str:
    """A bare ``%`` in a field is a per cent sign, not a LaTeX comment that hides the rest."""
    return re.sub(r"(?<!\\)((?:\\\\)*)%", r"\1\\%", value)


def _math(formula: str) -> str:
    r"""``x^2`` -> ``x²``, ``\\beta_2`` -> ``β₂``, ``^{2+}`` -> ``²⁺``; other text kept."""

    def command(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _MATH:
            return _MATH[name]
        decoded = _decode(f"${match.group(0)}$")
        return decoded if "$" not in decoded and "\\" not in decoded else name

    def script(match: re.Match[str]) -> str:
        table = _SUPERSCRIPT if match.group(1) == "^" else _SUBSCRIPT
        body = match.group(2).strip("{}")
        body = _MATH_COMMAND.sub(command, body)
        if all(ch in table for ch in body):
            return "".join(table[ch] for ch in body)
        return ("^" if table is _SUPERSCRIPT else "_") + body

    text = _SCRIPT.sub(script, formula)
    text = _MATH_COMMAND.sub(command, text)
    text = text.replace("{", "").replace("}", "")
    # back into the surrounding LaTeX: characters that are syntax there are escaped
    return re.sub(r"([%&#_^])", r"\\\1", text).replace("\\^", "\\textasciicircum{}")


def _replace_math(value: str) -> str:
    """Every unescaped ``$...$`` replaced by its Unicode rendering."""
    return re.sub(r"(?<!\\)\$([^$]+)(?<!\\)\$", lambda m: _math(m.group(1)), value)


def _segments(value: str) -> Iterator[tuple[str, str, str]]:
    r"""Split a field at top-level ``\url{}`` and ``\href{}{}``: (kind, url, latex text)."""
    index = 0
    start = 0
    while index < len(value):
        if value[index] == "\\":
            match = re.match(r"\\(url|href)\s*\{", value[index:])
            if match is None:
                index += 2
                continue
            if start < index:
                yield "text", "", value[start:index]
            open_at = index + match.end() - 1
            end = _group_end(value, open_at)
            url = value[open_at + 1 : end - 1]
            if match.group(1) == "href" and end < len(value) and value[end] == "{":
                text_end = _group_end(value, end)
                yield "href", url, value[end + 1 : text_end - 1]
                end = text_end
            else:
                yield "url", url, ""
            index = start = end
            continue
        if value[index] == "{":
            index = _group_end(value, index)
            continue
        index += 1
    if start < len(value):
        yield "text", "", value[start:]


def url_text(url: str) -> str:
    r"""A URL as BibTeX holds it (``\_``, ``\%``, ``\#``, ``\&``, ``\~`` escapes) as plain text."""
    return re.sub(r"\\([_%#&~$])", r"\1", url).strip()


def urls_in(value: str) -> list[str]:
    r"""Every ``\url{}`` and ``\href{}`` target in a field, at any depth (for the link check)."""
    found = []
    for match in re.finditer(r"\\(?:url|href)\s*\{", value):
        open_at = match.end() - 1
        found.append(url_text(value[open_at + 1 : _group_end(value, open_at) - 1]))
    return found


def _link(url: str, text: Text) -> Any:
    target = safe_url(url_text(url))
    return HRef(target, *text.parts) if target else text


def _compose(accent: str, content: str) -> str:
    r"""``\\"{\\i}`` -> ``ï``: the combining mark on the first letter, composed (NFC)."""
    if not content:
        return content
    first = {"ı": "i", "ȷ": "j"}.get(content[0], content[0])
    return unicodedata.normalize("NFC", first + _ACCENTS[accent]) + content[1:]


def _macros(text: str) -> str:
    def accent(match: re.Match[str]) -> str:
        if match.group(1):
            return _compose(match.group(1), match.group(2))
        return _compose(match.group(3), match.group(4))

    text = _ACCENT_LETTER.sub(accent, text)
    return _BARE_COMMAND.sub(lambda m: _MACROS.get(m.group(1), m.group(0)), text)


def _post(text: BaseMultipartText) -> BaseMultipartText:
    r"""Apply commands that pybtex leaves as a literal ``\\cmd`` before a ``Protected`` group."""
    out: list[Any] = []
    parts = list(text.parts)
    index = 0
    while index < len(parts):
        part = parts[index]
        following = parts[index + 1] if index + 1 < len(parts) else None
        match = _COMMAND_AT_END.search(part.value) if isinstance(part, String) else None
        if match and isinstance(following, Protected):
            before = part.value[: match.start()]
            if before:
                out.append(String(_macros(before)))
            name = match.group(1)
            inner = _post(following)
            if name in _WRAPPERS:
                out.append(Tag(_WRAPPERS[name], *inner.parts))
            elif name in _QUOTES:
                out.extend([String("“"), *inner.parts, String("”")])
            elif name in _ACCENTS:
                out.append(String(_compose(name, str(inner))))
            elif (
                name == "href"
                and index + 2 < len(parts)
                and isinstance(parts[index + 2], Protected)
            ):
                out.extend(_post(parts[index + 2]).parts)  # nested \href: its text, no link
                index += 1
            elif name in _DROPPED:
                pass  # \noopsort{a}: a sorting key, never printed
            else:  # \textsc, \mbox and any command we do not know: its argument, as text
                out.extend(inner.parts)
            index += 2
            continue
        if isinstance(part, String):
            part = String(_macros(part.value))
        elif isinstance(part, BaseMultipartText):
            part = part._create_similar(_post(part).parts)
        out.append(part)
        index += 1
    return text._create_similar(out)


def _from_latex(value: str) -> Text:
    # pybtex's parser drops the spaces around a piece of text; between a \url{} and the words
    # that follow it they matter.
    stripped = value.strip()
    lead = value[: len(value) - len(value.lstrip())]
    trail = value[len(value.rstrip()) :] if stripped else ""
    try:
        decoded = _decode(stripped)
        parsed = LaTeXParser(decoded).parse()  # as Text.from_latex does
        if "\\" in decoded:  # _post acts on commands only: without one it rebuilds the same Text
            parsed = _post(parsed)
    except (PybtexError, ValueError):  # unbalanced braces and the like: the text, unbraced
        unbraced = stripped.replace("{", "").replace("}", "")
        try:
            parsed = Text(_decode(unbraced))
        except ValueError:  # latexcodec refuses only a lone "\" at the very end: kept as written
            parsed = Text(_decode(unbraced[:-1]) + unbraced[-1])
    if not lead and not trail:
        return parsed  # a new Text already: Text(parsed) would be an equal copy
    return Text(*(p for p in (lead and " ", parsed, trail and " ") if p))


def latex_text(value: str) -> Text:
    """A field's LaTeX as rich text (see the module docstring); never raises.

    Most fields hold no LaTeX at all; they skip pybtex's parser, the single largest cost of
    formatting.
    """
    if not _LATEX_SYNTAX.search(value):
        return Text(value)
    value = _replace_math(_escape_percent(value))
    if "\\" not in value:  # no \url or \href (a field with braces only, the usual case)
        return _from_latex(value)
    pieces: list[Any] = []
    for kind, url, body in _segments(value):
        if kind == "text":
            pieces.append(_from_latex(body))
        elif kind == "url":
            pieces.append(_link(url, Text(url_text(url))))
        else:
            pieces.append(_link(url, _from_latex(body)))
    return Text(*pieces)


@functools.lru_cache(maxsize=65536)
def plain_text(latex: str) -> str:
    r"""LaTeX to plain text (``H{\"o}gl`` -> ``Högl``); names recur, so results are kept."""
    return str(latex_text(latex))
