"""The PDF edition, rendered by WeasyPrint from real MkDocs builds and read back with pypdf.

Two builds, each with the plugin's ``pdf_file`` option as its mkdocs.yml sets it: the fixture
monograph ``tests/sites/print-basic`` (every behaviour in a few pages) and the real monograph.
"""

from __future__ import annotations

import itertools
import logging
import re
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.plugins import BasePlugin
from mkdocs.structure.nav import Navigation
from pybtex.database import parse_file
from pypdf import PdfReader
from pypdf.generic import Destination

pytestmark = pytest.mark.pdf

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "sites" / "print-basic"
PDF_FILE = "downloads/rls-monograph.pdf"
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z


class NavRecorder(BasePlugin):  # type: ignore[type-arg]
    """Keeps the build's nav, to know which pages the PDF must hold."""

    nav: Navigation | None = None

    def on_nav(self, nav: Navigation, **kwargs: Any) -> None:
        self.nav = nav


@dataclass
class Built:
    site: Path
    pdf: Path
    nav_pages: list[tuple[str, str]]  # (url, src_path) in nav order
    warnings: list[str] = field(default_factory=list)

    def page(self, url: str) -> lxml_html.HtmlElement:
        path = self.site / url / "index.html"
        return lxml_html.fromstring(path.read_text(encoding="utf-8"))


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build_with_pdf(project: Path, site_dir: Path, *, strict: bool = True) -> Built:
    """Build ``project/mkdocs.yml`` into ``site_dir`` with the PDF edition; keep the warnings."""
    cfg = load_config(str(project / "mkdocs.yml"), site_dir=str(site_dir), strict=strict)
    assert cfg.plugins["monograph"].config.pdf_file == PDF_FILE
    recorder = NavRecorder()
    recorder.load_config({})
    cfg.plugins["nav-recorder"] = recorder
    capture = _Capture()
    logging.getLogger("mkdocs").addHandler(capture)
    try:
        cfg.plugins.run_event("startup", command="build", dirty=False)
        try:
            build(cfg)
        finally:
            cfg.plugins.run_event("shutdown")
    finally:
        logging.getLogger("mkdocs").removeHandler(capture)
    assert recorder.nav is not None
    pages = [(p.url, p.file.src_path) for p in recorder.nav.pages]
    return Built(site_dir, site_dir / PDF_FILE, pages, capture.messages)


@pytest.fixture(scope="module")
def fixture_pdf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        yield build_with_pdf(FIXTURE, tmp_path_factory.mktemp("print-basic") / "site")


@pytest.fixture(scope="module")
def monograph_pdf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        yield build_with_pdf(REPO, tmp_path_factory.mktemp("monograph") / "site")


# Reading the PDF back -----------------------------------------------------------------------------


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """Every bookmark as (depth, title, 1-based page), depth-first."""
    found: list[tuple[int, str, int]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, str(item.title), reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


@dataclass(frozen=True)
class Link:
    page: int  # 0-based
    target: str  # named destination, or the URI
    is_uri: bool
    text: str  # the text drawn inside the link's rectangle


def links(reader: PdfReader) -> list[Link]:
    """Every link annotation with the text drawn inside it."""
    found = []
    for number, page in enumerate(reader.pages):
        runs = _text_runs(page)
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
            left, right, bottom, top = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
            text = "".join(
                t for x, y, t in runs if left - 1 <= x < right - 0.5 and bottom - 2 <= y <= top + 2
            )
            if "/Dest" in annot:
                found.append(Link(number, str(annot["/Dest"]), False, text))
            else:
                action = annot["/A"]
                assert action["/S"] == "/URI", action
                found.append(Link(number, str(action["/URI"]), True, text))
    return found


def _text_runs(page: Any) -> list[tuple[float, float, str]]:
    runs: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((x, y, text))

    page.extract_text(visitor_text=visit)
    return runs


def squeeze(text: str) -> str:
    """Text without whitespace, so that line breaks in the PDF do not matter."""
    return re.sub(r"\s+", "", text)


def site_citations(built: Built) -> list[lxml_html.HtmlElement]:
    """Every citation link of every nav page of the website."""
    return [
        anchor
        for url, _ in built.nav_pages
        for anchor in built.page(url).xpath("//article//a[@data-cite]")
    ]


def site_numbers(built: Built) -> dict[str, str]:
    """Citation key -> number, as the website shows it (``aria-label`` inside a range ``2-4``)."""
    numbers: dict[str, set[str]] = {}
    for anchor in site_citations(built):
        number = anchor.text_content() or anchor.get("aria-label", "")
        numbers.setdefault(anchor.get("data-cite"), set()).add(number)
    assert all(len(v) == 1 for v in numbers.values()), numbers
    return {key: next(iter(v)) for key, v in numbers.items()}


def check_links_resolve(reader: PdfReader) -> list[Link]:
    named = reader.named_destinations
    found = links(reader)
    for link in found:
        if link.is_uri:
            assert link.target.startswith(("https://", "http://", "mailto:")), link
        else:
            assert link.target in named, link
            assert isinstance(named[link.target], Destination)
    return found


def check_citations(reader: PdfReader, built: Built) -> None:
    """Each citation links to its bibliography entry and shows the website's number."""
    numbers = site_numbers(built)
    # Inside a range such as [2-4] the middle citations are links without text.
    in_range = {a.get("data-cite") for a in site_citations(built) if not a.text_content()}
    cited = [link for link in links(reader) if "--ref-" in link.target]
    assert cited
    for link in cited:
        key = link.target.partition("--ref-")[2]
        assert link.text == numbers[key] or (key in in_range and not link.text), link
    assert {link.target.partition("--ref-")[2] for link in cited} == set(numbers)
    # Every numbered citation of the site is a link in the PDF (a wrapped one may be two).
    assert len([link for link in cited if link.text]) >= len(
        [a for a in site_citations(built) if a.text_content()]
    )


# The fixture monograph ----------------------------------------------------------------------------


def test_fixture_pdf_is_written_without_warnings(fixture_pdf: Built) -> None:
    assert fixture_pdf.pdf.is_file()
    assert fixture_pdf.warnings == []
    assert 5 <= len(PdfReader(fixture_pdf.pdf).pages) <= 20


def test_fixture_outline_follows_the_nav(fixture_pdf: Built) -> None:
    bookmarks = [(depth, title) for depth, title, _ in outline(PdfReader(fixture_pdf.pdf))]
    assert bookmarks == [
        (0, "Contents"),
        (0, "Overview"),
        (0, "Interventions"),
        (1, "Iron"),
        (2, "Dosing"),
        (2, "Evidence at a glance"),
        (1, "Magnesium"),
        (0, "Reference"),
        (1, "References"),
        (1, "Glossary"),
    ]


def test_fixture_metadata_language_and_tags(fixture_pdf: Built) -> None:
    reader = PdfReader(fixture_pdf.pdf)
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Print fixture monograph"
    assert meta.author == "Fixture Authors"
    assert meta.subject == "A tiny monograph that exercises the PDF edition."
    assert meta["/CreationDate"].startswith("D:20260101")
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog


def test_fixture_cover_and_contents(fixture_pdf: Built) -> None:
    reader = PdfReader(fixture_pdf.pdf)
    cover = squeeze(reader.pages[0].extract_text())
    for text in ("Printfixturemonograph", "Edition2026-01-01", "Version9.9", "Fixturedisclaimer"):
        assert text in cover
    contents = reader.pages[1].extract_text()
    starts = {title: page for depth, title, page in outline(reader) if depth <= 1}
    for title in ("Overview", "Iron", "Magnesium", "Glossary"):
        # Each contents line ends with the page its chapter starts on.
        assert re.search(rf"{title}\s*\.*\s*{starts[title]}\b", contents), title


def test_fixture_internal_links_resolve(fixture_pdf: Built) -> None:
    reader = PdfReader(fixture_pdf.pdf)
    found = check_links_resolve(reader)
    targets = {link.target for link in found}
    assert "p-interventions-iron--dosing" in targets
    assert "p-glossary" in targets  # the cover disclaimer's link


def test_fixture_citations_match_the_site(fixture_pdf: Built) -> None:
    check_citations(PdfReader(fixture_pdf.pdf), fixture_pdf)


def test_fixture_text_has_every_reference_title_once(
    fixture_pdf: Built,
) -> None:
    text = squeeze("".join(page.extract_text() for page in PdfReader(fixture_pdf.pdf).pages))
    for entry in parse_file(str(FIXTURE / "refs.bib")).entries.values():
        assert text.count(squeeze(entry.fields["title"])) == 1, entry.fields["title"]


def test_fixture_evidence_table_header_repeats_and_rows_never_split(fixture_pdf: Built) -> None:
    reader = PdfReader(fixture_pdf.pdf)
    table_pages = [p for p in reader.pages if re.search(r"Trial \d+\b", p.extract_text())]
    assert len(table_pages) >= 2
    for page in table_pages:
        assert page.mediabox.width < page.mediabox.height  # it fits portrait: no landscape
        text = page.extract_text()
        assert "Comparator" in text  # the header row, repeated
        for number in re.findall(r"Trial (\d+)\b", text):
            assert f"(n = {20 + int(number)})" in text, number


def test_fixture_diagram_and_glossary_are_printed(fixture_pdf: Built) -> None:
    text = "".join(page.extract_text() for page in PdfReader(fixture_pdf.pdf).pages)
    assert "Iron is a cofactor." in text
    assert "The protein that stores iron" in text
    assert "¶" not in text


def test_fixture_pdf_is_reproducible(fixture_pdf: Built, tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        again = build_with_pdf(FIXTURE, tmp_path / "site")
    assert again.pdf.read_bytes() == fixture_pdf.pdf.read_bytes()


def test_remote_resources_are_refused_and_reported(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    with (project / "docs" / "glossary.md").open("a", encoding="utf-8") as handle:
        handle.write('\n<img src="https://example.invalid/remote.png" alt="remote">\n')

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"network access attempted: {args}")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", no_network)
        mp.setattr(socket, "getaddrinfo", no_network)
        built = build_with_pdf(project, tmp_path / "site", strict=False)
    assert built.pdf.is_file()
    refused = [w for w in built.warnings if "example.invalid" in w]
    assert refused
    assert all(w.startswith("monograph: PDF edition: WeasyPrint:") for w in refused)
    assert all("disallowed protocol" in w for w in refused)


# The real monograph -------------------------------------------------------------------------------


def test_monograph_pdf_has_sane_length_and_no_warnings(monograph_pdf: Built) -> None:
    assert monograph_pdf.warnings == []
    assert 30 <= len(PdfReader(monograph_pdf.pdf).pages) <= 150


def test_monograph_outline_has_every_nav_page(monograph_pdf: Built) -> None:
    titles = {title for _, title, _ in outline(PdfReader(monograph_pdf.pdf))}
    for url, src in monograph_pdf.nav_pages:
        (h1,) = monograph_pdf.page(url).xpath("//article//h1")
        title = h1.text_content().replace("¶", "").strip()
        assert title in titles, src


def test_monograph_internal_links_resolve(monograph_pdf: Built) -> None:
    found = check_links_resolve(PdfReader(monograph_pdf.pdf))
    assert sum(not link.is_uri for link in found) > 100


def test_monograph_citations_match_the_site(monograph_pdf: Built) -> None:
    check_citations(PdfReader(monograph_pdf.pdf), monograph_pdf)


def test_monograph_text_has_every_cited_reference_title(monograph_pdf: Built) -> None:
    text = squeeze("".join(page.extract_text() for page in PdfReader(monograph_pdf.pdf).pages))
    bibliography = parse_file(str(REPO / "refs.bib")).entries
    for key in site_numbers(monograph_pdf):
        title = bibliography[key].fields["title"].replace("{", "").replace("}", "")
        assert squeeze(title) in text, key


# The real monograph as a printed book -------------------------------------------------------------

MM = 72 / 25.4
#: The content area of a page (print.css @page margins: top, bottom), in points.
MARGINS = {"portrait": (22 * MM, 20 * MM), "landscape": (18 * MM, 16 * MM)}


@dataclass(frozen=True)
class PrintedPage:
    number: int  # 1-based
    landscape: bool
    head: str  # the running head (chapter title), "" on the cover
    fill: float  # share of the content area's height down to the lowest line of text
    text: str


def printed_pages(reader: PdfReader) -> list[PrintedPage]:
    found = []
    for number, page in enumerate(reader.pages, 1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        landscape = width > height
        top_margin, bottom_margin = MARGINS["landscape" if landscape else "portrait"]
        top, bottom = height - top_margin, bottom_margin
        runs = _text_runs(page)
        body = [y for _, y, _ in runs if bottom - 2 <= y <= top + 2]
        head = [(x, t) for x, y, t in runs if y > top + 2]
        # The running head's left half is the chapter (print.css @top-left).
        chapter = "".join(t for x, t in sorted(head) if x < width / 2).strip()
        fill = (top - min(body)) / (top - bottom) if body else 0.0
        found.append(PrintedPage(number, landscape, chapter, fill, page.extract_text()))
    return found


@pytest.fixture(scope="module")
def book(monograph_pdf: Built) -> list[PrintedPage]:
    return printed_pages(PdfReader(monograph_pdf.pdf))


def test_monograph_landscape_at_most_once_per_intervention_with_an_evidence_table(
    monograph_pdf: Built, book: list[PrintedPage]
) -> None:
    with_table = [
        url
        for url, _ in monograph_pdf.nav_pages
        if monograph_pdf.page(url).xpath("//table[contains(@class, 'evidence-table')]")
    ]
    assert len(with_table) >= 7
    landscape = [page for page in book if page.landscape]
    assert len(landscape) <= len(with_table)
    per_chapter: dict[str, int] = {}
    for page in landscape:
        per_chapter[page.head] = per_chapter.get(page.head, 0) + 1
    assert all(count <= 1 for count in per_chapter.values()), per_chapter


def test_monograph_no_page_under_a_fifth_filled_except_chapter_ends(
    book: list[PrintedPage],
) -> None:
    assert len(book) >= 30
    for page, following in itertools.pairwise(book):
        chapter_end = following.head != page.head
        assert chapter_end or page.fill >= 0.2, (page.number, page.head, round(page.fill, 2))


def _allowed_break(identifier: str, at: int) -> bool:
    """A line may break after ``/``, ``.`` or ``-``, but not inside a number (``10.1|002``)."""
    before, after = identifier[at - 1], identifier[at]
    if before not in "/.-":
        return False
    return before == "/" or not (identifier[at - 2 : at - 1].isdigit() and after.isdigit())


def test_monograph_identifiers_break_only_after_slash_dot_or_hyphen(
    monograph_pdf: Built, book: list[PrintedPage]
) -> None:
    bibliography = monograph_pdf.page("references")
    identifiers = {
        " ".join(a.text_content().split())
        for a in bibliography.xpath("//ol[@class='bibliography']//span[@class='reference']//a")
    }
    assert any(i.isdigit() for i in identifiers) and any(i.startswith("10.") for i in identifiers)
    text = "\n".join(page.text for page in book).replace("\u200b", "")
    broken = []
    for identifier in identifiers:
        assert squeeze(identifier) in squeeze(text), identifier
        for at in range(1, len(identifier)):
            head, tail = re.escape(identifier[:at]), re.escape(identifier[at:])
            if re.search(head + r"[ \u2010-]?\n" + tail, text) and not _allowed_break(
                identifier, at
            ):
                broken.append(f"{identifier[:at]}|{identifier[at:]}")
    assert broken == []


def test_monograph_body_text_is_hyphenated_but_tables_never_break_words(
    monograph_pdf: Built, book: list[PrintedPage]
) -> None:
    text = "\n".join(page.text for page in book)
    assert re.search(r"[a-z]\u2010\n[a-z]", text)  # WeasyPrint's hyphen, from hyphens: auto
    verdicts = {"Supported", "Partly supported", "Not supported", "Not testable"}
    for page in book:
        if "Verdict" not in page.text:
            continue
        for word in ("Suppor", "Not test", "Partly suppor"):
            assert not re.search(re.escape(word) + r"[\u2010-]?\n", page.text), page.number
    assert any(v in t.text for t in book for v in verdicts)


def test_monograph_no_part_heading_sits_on_a_chapter_heading(
    monograph_pdf: Built, book: list[PrintedPage]
) -> None:
    # "Reference" is a nav section without an index page: its first chapter is "References".
    titles = [title for _, title, _ in outline(PdfReader(monograph_pdf.pdf))]
    assert "Reference" in titles and "References" in titles
    for page in book:
        lines = [line.strip() for line in page.text.splitlines()]
        assert not any(
            a == "Reference" and b == "References" for a, b in itertools.pairwise(lines)
        ), page.number
    (first,) = [page for page in book if page.head == "References"][:1]
    assert first.text.lstrip().startswith("References")


def test_monograph_back_references_name_the_part_and_the_page(book: list[PrintedPage]) -> None:
    text = " ".join(" ".join(page.text.split()) for page in book if page.head == "References")
    assert re.search(r"Mechanisms › Iron( ×\d+)?, p\. \d+", text)
    assert re.search(r"Interventions › Iron( ×\d+)?, p\. \d+", text)
    assert "↩" not in text


def test_monograph_table_captions_stay_with_their_tables(
    monograph_pdf: Built, book: list[PrintedPage]
) -> None:
    pairs = {"Evidence table:": "Design and level", "Claim audit:": "Verdict"}
    tables = sum(
        len(
            monograph_pdf.page(url).xpath(
                "//table[@class='evidence-table' or @class='claims-table']"
            )
        )
        for url, _ in monograph_pdf.nav_pages
    )
    seen = 0
    for page in book:
        for caption, header in pairs.items():
            if caption in page.text:
                seen += 1
                assert header in page.text.partition(caption)[2], (page.number, caption)
    assert seen == tables >= 7
