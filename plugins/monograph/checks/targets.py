"""Collect what the external check verifies: http(s) URLs, DOIs and PMIDs, each with a place.

Sources: the Markdown pages (outside fenced code), the bibliography (``url``, ``doi``, ``pmid`` /
``pubmed`` fields) and the built site (links the theme and the plugin add). A ``doi.org`` link is
checked as a DOI and a PubMed link as a PMID, through their registries, because publisher pages
often answer automated requests with 403. Edit links are left to the internal check, which
verifies that each opens its page's own source; ``repo_url`` itself is still checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from monograph.checks.build import Project
from monograph.checks.pages import parse_page
from monograph.checks.sources import SourceTree
from monograph.core.source.locate import fenced_blocks

_URL = re.compile(r"https?://[^\s<>()\[\]{}\"'`|\\^]+(?:\([^\s<>()]*\)[^\s<>()\[\]{}\"'`|\\^]*)*")
_TRAILING = ".,;:!?*_~"
#: An XML namespace (``xmlns="http://www.w3.org/2000/svg"`` in inline SVG) names, not links.
_NAMESPACE = re.compile(r"xmlns(?::[\w-]+)?=[\"']$")
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org"})
_PUBMED = re.compile(
    r"^https?://(?:pubmed\.ncbi\.nlm\.nih\.gov|(?:www\.)?ncbi\.nlm\.nih\.gov/pubmed)/(\d+)/?$"
)


@dataclass(frozen=True)
class SourcePlace:
    """Where a target was found.

    Attributes:
        path: File relative to the project root.
        line: 1-based line, when known.
    """

    path: str
    line: int | None = None


@dataclass
class Targets:
    """Distinct URLs, DOIs and PMIDs, each with every place that names it.

    Attributes:
        urls: URL (with its fragment) to places.
        dois: DOI to places.
        pmids: PMID to places.
    """

    urls: dict[str, list[SourcePlace]] = field(default_factory=dict)
    dois: dict[str, list[SourcePlace]] = field(default_factory=dict)
    pmids: dict[str, list[SourcePlace]] = field(default_factory=dict)

    def add_url(self, url: str, place: SourcePlace) -> None:
        """Add a URL, turning doi.org and PubMed links into DOI and PMID targets.

        Arguments:
            url: An absolute http(s) URL.
            place: Where it was found.
        """
        parts = urlsplit(url)
        if parts.hostname in _DOI_HOSTS and parts.path.strip("/").startswith("10."):
            self.add("dois", unquote(parts.path.lstrip("/")), place)
        elif match := _PUBMED.match(url):
            self.add("pmids", match.group(1), place)
        else:
            self.add("urls", url, place)

    def add(self, kind: str, value: str, place: SourcePlace) -> None:
        """Add a DOI (``dois``), PMID (``pmids``) or URL (``urls``) at a place.

        Arguments:
            kind: ``urls``, ``dois`` or ``pmids``.
            value: The target.
            place: Where it was found.
        """
        places: dict[str, list[SourcePlace]] = getattr(self, kind)
        found = places.setdefault(value, [])
        if place not in found:
            found.append(place)


def markdown_urls(text: str) -> list[tuple[str, int]]:
    """Find the http(s) URLs of a Markdown page outside fenced code blocks.

    Arguments:
        text: The page source.

    Returns:
        ``(url, line)`` pairs in order.
    """
    found: list[tuple[str, int]] = []
    fences = fenced_blocks(text)
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        start, offset = offset, offset + len(line)
        if any(begin <= start < end for begin, end in fences):
            continue
        found.extend(
            (_trim(m.group(0)), number)
            for m in _URL.finditer(line)
            if not _NAMESPACE.search(line, 0, m.start())
        )
    return found


def _trim(url: str) -> str:
    url = url.rstrip(_TRAILING)
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1].rstrip(_TRAILING)
    return url


def collect(project: Project, edit_prefix: str = "") -> Targets:
    """Collect every URL, DOI and PMID of the project.

    Arguments:
        project: The project (its site already built).
        edit_prefix: Links starting with this are edit links and are skipped.

    Returns:
        The targets with their places.
    """
    targets = Targets()
    tree = project.tree
    if project.docs_dir.is_dir():
        for page in sorted(project.docs_dir.rglob("*.md")):
            shown = tree.display(page)
            for url, line in markdown_urls(page.read_text(encoding="utf-8", errors="replace")):
                targets.add_url(url, SourcePlace(shown, line))
    for bib_file in project.bib_files:
        _collect_bibliography(bib_file, tree, targets)
    if project.site_dir.is_dir():
        _collect_site(project, tree, targets, edit_prefix)
    return targets


def _collect_bibliography(path: Path, tree: SourceTree, targets: Targets) -> None:
    from monograph.core.bibliography.identifiers import read_identifiers
    from monograph.core.bibliography.loading import load_bibliography
    from monograph.core.model import CoreError

    shown = tree.display(path)
    try:
        bib = load_bibliography(path, shown)
    except CoreError:
        return  # reported by the citations check
    for key in bib:
        fields = bib.entry(key).fields
        place = SourcePlace(shown, bib.line_of(key))
        if url := str(fields.get("url", "")).strip():
            targets.add_url(url, place)
        ids = read_identifiers(fields)
        if ids.doi:
            targets.add("dois", ids.doi, place)
        if ids.pmid:
            targets.add("pmids", ids.pmid, place)


def _collect_site(project: Project, tree: SourceTree, targets: Targets, edit_prefix: str) -> None:
    same_site = project.site_url.rstrip("/") + "/" if project.site_url else None
    for page in sorted(project.site_dir.rglob("*.html")):
        rel = page.relative_to(project.site_dir).as_posix()
        if rel.rsplit("/", 1)[-1] == "404.html":
            continue
        src = tree.source_of(rel)
        for link in parse_page(page).links:
            url = link.url.strip()
            if not url.lower().startswith(("http://", "https://")):
                continue
            if (edit_prefix and url.startswith(edit_prefix)) or (
                same_site and url.startswith(same_site)
            ):
                continue
            line = tree.find_line(src, [url]) if src else None
            if src is not None and line is not None:
                place = SourcePlace(tree.doc_path(src), line)
            else:
                place = SourcePlace(tree.display(page), link.line)
            targets.add_url(url, place)
