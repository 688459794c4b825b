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
    """

    root: Path
    docs_dir: Path
    _lines: dict[str, list[str]] = field(default_factory=dict, repr=False)

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
        for candidate in _candidates(html_rel):
            if (self.docs_dir / candidate).is_file():
                return candidate
        return None

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


def _candidates(html_rel: str) -> list[str]:
    """Return the source files (relative to docs_dir) that MkDocs would build into ``html_rel``."""
    html_rel = html_rel.replace("\\", "/")
    directory, name = posixpath.split(html_rel)
    if name == "index.html":
        if not directory:
            return ["index.md", "README.md"]
        return [
            f"{directory}.md",
            f"{directory}/index.md",
            f"{directory}/README.md",
        ]
    if name.endswith(".html"):
        stem = posixpath.join(directory, name[: -len(".html")])
        return [f"{stem}.md"]
    return []
