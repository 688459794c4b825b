"""Map built pages back to their Markdown sources, and find the line a defect comes from.

A contributor fixes the Markdown, not the HTML, so every checker reports ``docs/x.md:line`` when it
can. Pages are mapped by MkDocs' own URL rules (``a/b.md`` and ``a/b/index.md`` both become
``a/b/index.html`` with directory URLs); lines are found by searching the source for the text that
produced the defect (a link target, a citation key).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from monograph.core.source.locate import find_line


@dataclass
class SourceTree:
    """The Markdown sources of a site, with their text read at most once.

    Attributes:
        root: The project root (the folder of ``mkdocs.yml``); reported paths are relative to it.
        docs_dir: The documentation folder.
        use_directory_urls: MkDocs' option of that name (``a/b.md`` -> ``a/b/index.html``).
    """

    root: Path
    docs_dir: Path
    use_directory_urls: bool = True
    _lines: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _sources: dict[str, str] | None = field(default=None, repr=False)

    def display(self, path: Path) -> str:
        """Return ``path`` relative to the project root when it lies inside it.

        Arguments:
            path: Any file path.

        Returns:
            A POSIX path for reports.
        """
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def doc_path(self, src_uri: str) -> str:
        """Return the report path of a documentation file given MkDocs' ``src_uri``.

        Arguments:
            src_uri: Path relative to ``docs_dir`` (``interventions/iron.md``).

        Returns:
            The path relative to the project root (``docs/interventions/iron.md``).
        """
        return self.display(self.docs_dir / src_uri)

    def source_of(self, html_rel: str) -> str | None:
        """Find the Markdown file a built page comes from.

        Arguments:
            html_rel: Path of the page relative to ``site_dir`` (``interventions/iron/index.html``).

        Returns:
            The source path relative to ``docs_dir``, or ``None`` for theme pages.
        """
        if self._sources is None:
            self._sources = self._map_sources()
        return self._sources.get(html_rel.replace("\\", "/"))

    def _map_sources(self) -> dict[str, str]:
        """Every built page's path -> its source, by MkDocs' own ``File.dest_uri``."""
        from mkdocs.structure.files import File  # MkDocs' URL rules, not a copy of them

        sources = sorted(
            (p.relative_to(self.docs_dir).as_posix() for p in self.docs_dir.rglob("*.md")),
            key=lambda src: (posixpath.basename(src).lower() == "readme.md", src),
        )
        found: dict[str, str] = {}
        for src in sources:  # index.md wins over README.md, a/b.md over a/b/index.md
            dest = File(src, str(self.docs_dir), "", self.use_directory_urls).dest_uri
            found.setdefault(dest, src)
        return found

    def lines(self, src_uri: str) -> list[str]:
        """Return the lines of a source file (empty when it cannot be read).

        Arguments:
            src_uri: Path relative to ``docs_dir``.

        Returns:
            The lines without line endings.
        """
        if src_uri not in self._lines:
            try:
                text = (self.docs_dir / src_uri).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            self._lines[src_uri] = text.splitlines()
        return self._lines[src_uri]

    def find_line(self, src_uri: str, needles: list[str]) -> int | None:
        """Find the first line of a source that contains one of the needles, tried in order.

        Arguments:
            src_uri: Path relative to ``docs_dir``.
            needles: Texts to look for, most specific first. A needle starting with ``@`` is a
                citation key and must not run on into a longer key.

        Returns:
            The 1-based line number, or ``None``.
        """
        return find_line(self.lines(src_uri), needles)
