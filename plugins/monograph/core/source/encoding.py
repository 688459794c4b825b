"""Read a source file as UTF-8, reporting each undecodable byte with its line."""

from __future__ import annotations

from ..model import Problem


def decode_utf8(raw: bytes, shown: str, code: str) -> tuple[str, list[Problem]]:
    """Decode ``raw``; each line holding a byte that is not UTF-8 becomes a problem.

    The file is still read (the bad bytes become U+FFFD), so every other problem in it is
    reported too and the build goes on instead of stopping at a traceback.

    Arguments:
        raw: The file's bytes.
        shown: The path to name in messages.
        code: The problem code (``bib.encoding``, ``page.encoding``).
    """
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    problems = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            byte = line[exc.start : exc.start + 1].hex()
            problems.append(
                Problem(
                    code,
                    f"byte 0x{byte} at column {exc.start + 1} is not UTF-8; save {shown} as "
                    "UTF-8 (editors and reference managers call it 'Unicode (UTF-8)')",
                    shown,
                    number,
                )
            )
    return raw.decode("utf-8-sig", errors="replace"), problems
