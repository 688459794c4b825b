"""Copy the engine's stylesheet and script into a site's docs folder (for Zensical).

The MkDocs plugin serves them itself. A Markdown extension can add neither files nor ``<link>``
tags to a site, so a Zensical site keeps a copy in its docs folder and lists it in ``extra_css``
and ``extra_javascript``; this prints those lines::

    python -m monograph.copy_assets              # docs/assets/monograph/
    python -m monograph.copy_assets --docs-dir site-docs --to css/monograph

Run it again after upgrading the engine: the copies are overwritten.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path, PurePosixPath

#: The same files the MkDocs plugin adds to a site.
STYLESHEETS = ("monograph.css",)
SCRIPTS = ("evidence.js",)


def copy_assets(docs_dir: Path, to: str) -> tuple[list[str], list[str]]:
    """Copy the files to ``docs_dir/to``; return their URLs for extra_css and extra_javascript."""
    target = docs_dir / to
    target.mkdir(parents=True, exist_ok=True)
    assets = resources.files("monograph") / "assets"
    for name in (*STYLESHEETS, *SCRIPTS):
        (target / name).write_bytes((assets / name).read_bytes())
    base = PurePosixPath(to)
    return [str(base / n) for n in STYLESHEETS], [str(base / n) for n in SCRIPTS]


def main(argv: list[str] | None = None) -> int:
    """Copy the assets and print the mkdocs.yml lines that load them."""
    import argparse  # here: the plugin imports this module for its file names, on every build

    parser = argparse.ArgumentParser(prog="python -m monograph.copy_assets", description=__doc__)
    parser.add_argument("--docs-dir", default="docs", help="the site's docs_dir (default: docs)")
    parser.add_argument(
        "--to", default="assets/monograph", help="folder inside docs_dir (assets/monograph)"
    )
    args = parser.parse_args(argv)
    docs_dir = Path(args.docs_dir)
    if not docs_dir.is_dir():
        print(
            f"{docs_dir}: no such folder; run this in the folder of mkdocs.yml, or pass --docs-dir",
            file=sys.stderr,
        )
        return 2
    if PurePosixPath(args.to).is_absolute() or ".." in PurePosixPath(args.to).parts:
        print(f"--to {args.to}: give a folder inside docs_dir, without '..'", file=sys.stderr)
        return 2
    try:
        css, js = copy_assets(docs_dir, args.to)
    except OSError as exc:
        print(f"{docs_dir / args.to}: cannot write there: {exc.strerror}", file=sys.stderr)
        return 1
    print("# mkdocs.yml (Zensical): load the engine's stylesheet and script")
    print("extra_css:")
    print("\n".join(f"  - {url}" for url in css))
    print("extra_javascript:")
    print("\n".join(f"  - {url}" for url in js))
    return 0


if __name__ == "__main__":
    sys.exit(main())
