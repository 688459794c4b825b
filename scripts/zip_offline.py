"""Pack the offline edition into a reproducible zip.

Entries are sorted, carry one fixed timestamp (``SOURCE_DATE_EPOCH`` if set, else 1980-01-01, the
earliest a zip can hold) and fixed permissions, and sit under one top folder, so the same folder
always gives the same bytes.

Usage: ``python scripts/zip_offline.py site-offline site/downloads/rls-monograph-offline.zip``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import zipfile
from pathlib import Path

#: The earliest date a zip entry can carry.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def zip_timestamp(environ: dict[str, str] | None = None) -> tuple[int, int, int, int, int, int]:
    """Return the entry date: ``SOURCE_DATE_EPOCH`` in UTC (not before 1980), else 1980-01-01."""
    epoch = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return ZIP_EPOCH
    stamp = time.gmtime(int(epoch))[:6]
    return max(stamp, ZIP_EPOCH)


def write_zip(source: Path, target: Path, top: str | None = None) -> int:
    """Write every file under ``source`` into the zip ``target``; return the number of files.

    Arguments:
        source: The folder to pack (the built offline edition).
        target: The zip to write; its folder is created.
        top: Name of the folder inside the zip (default: the zip's name without ``.zip``).

    Returns:
        How many files were packed.
    """
    top = top or target.stem
    files = sorted(p for p in source.rglob("*") if p.is_file())
    stamp = zip_timestamp()
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in files:
            info = zipfile.ZipInfo(f"{top}/{path.relative_to(source).as_posix()}", stamp)
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    return len(files)


def main(argv: list[str] | None = None) -> int:
    """Zip the folder given on the command line; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the built offline edition, e.g. site-offline")
    parser.add_argument("target", type=Path, help="the zip to write")
    args = parser.parse_args(argv)
    if not (args.source / "index.html").is_file():
        sys.stderr.write(f"zip_offline: {args.source} has no index.html; build it first\n")
        return 1
    count = write_zip(args.source, args.target)
    sys.stdout.write(f"{args.target}: {count} files\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
