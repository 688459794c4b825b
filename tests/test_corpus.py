"""The test corpora (tests/corpus/) built as sites, with their website and PDF read back.

``real-world/`` holds .bib files shaped as Zotero, Mendeley, JabRef and EndNote export them; a
site citing every entry must build strictly and format each sensibly. ``hostile/`` holds
dangerous URLs, HTML in every field and option, and placeholder syntax; its build must report
them, never crash, and never emit a live link other than http(s)/mailto or markup inside an
attribute, neither on the website nor in the PDF.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import html as lxml_html
from mkdocs.commands.build import build
from mkdocs.config import load_config
from pybtex.database import parse_file
from pypdf import PdfReader

CORPUS = Path(__file__).resolve().parent / "corpus"
REAL_WORLD = sorted((CORPUS / "real-world").glob("*.bib"))
SAFE_SCHEMES = ("http", "https", "mailto")


@dataclass
class Corpus:
    root: Path
    problems: list[Any] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def site(self) -> Path:
        return self.root / "site"

    def page(self, url: str) -> Any:
        return lxml_html.fromstring((self.site / url / "index.html").read_text(encoding="utf-8"))

    def pages(self) -> list[Any]:
        return [
            lxml_html.fromstring(path.read_text(encoding="utf-8"))
            for path in sorted(self.site.rglob("*.html"))
        ]


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def build_project(root: Path, *, strict: bool) -> Corpus:
    """Build ``root/mkdocs.yml``; keep the plugin's problems and every warning."""
    cfg = load_config(str(root / "mkdocs.yml"), strict=strict)
    capture = _Capture()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(capture)
    level = logger.level
    logger.setLevel(logging.INFO)  # info notes too (the plugin's problems of severity info)
    try:
        cfg.plugins.run_event("startup", command="build", dirty=False)
        try:
            build(cfg)
        finally:
            cfg.plugins.run_event("shutdown")
    finally:
        logger.removeHandler(capture)
        logger.setLevel(level)
    corpus = Corpus(root)
    for record in capture.records:
        if hasattr(record, "monograph_problem"):
            corpus.problems.append(record.monograph_problem)
        corpus.problems.extend(getattr(record, "monograph_problems", []))  # info notes
        if record.levelno >= logging.WARNING:
            corpus.warnings.append(record.getMessage())
    return corpus


def pdf_uris(pdf: Path) -> list[str]:
    """The target of every URI link annotation in the PDF."""
    uris = []
    for page in PdfReader(pdf).pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            action = annot.get("/A")
            if annot.get("/Subtype") == "/Link" and action is not None and "/URI" in action:
                uris.append(str(action["/URI"]))
    return uris


def scheme(url: str) -> str:
    head = url.split("/", 1)[0]
    return head.split(":", 1)[0].lower() if ":" in head else ""


#: What the engine's own markup and placeholders look like: never inside an attribute value
#: (hostile text there is escaped text, which may well contain "<a ").
ENGINE_MARKUP = re.compile(r"\x02|\x03|class=\"citation|data-cite=|class=\"reference")


def assert_safe_html(corpus: Corpus, *, text_may_hold_brackets: bool = False) -> None:
    """No unsafe link target and no markup inside an attribute, on any page of the site."""
    for page in corpus.pages():
        for element in page.iter():
            if not isinstance(element.tag, str):
                continue
            for name, value in element.attrib.items():
                assert not ENGINE_MARKUP.search(value), (element.tag, name, value)
                if not text_may_hold_brackets:
                    assert "<" not in value and ">" not in value, (element.tag, name, value)
                if name in ("href", "src", "action", "formaction", "data", "poster"):
                    assert scheme(value) in ("", *SAFE_SCHEMES), (element.tag, name, value)


# Real-world exports -----------------------------------------------------------------------------


def real_world_project(root: Path, **options: Any) -> Path:
    """One site: every corpus .bib in one refs.bib, one page per exporter citing all its keys."""
    (root / "docs").mkdir()
    bib = "\n".join(path.read_text(encoding="utf-8") for path in REAL_WORLD)
    (root / "refs.bib").write_text(bib, encoding="utf-8")
    nav = []
    for path in REAL_WORLD:
        keys = list(parse_file(str(path)).entries)
        cites = "; ".join(f"@{key}" for key in keys)
        page = f"# {path.stem}\n\nEvery entry [{cites}].\n\nNarrative: @{keys[0]} [p. 2].\n"
        (root / "docs" / f"{path.stem}.md").write_text(page, encoding="utf-8")
        nav.append(f"{path.stem}.md")
    (root / "docs" / "references.md").write_text(
        "# References\n\n<!-- monograph:bibliography -->\n", encoding="utf-8"
    )
    config = {
        "site_name": "Real-world corpus",
        "theme": {"name": "mkdocs"},
        "nav": [*nav, "references.md"],
        "plugins": [{"monograph": {"bib_file": "refs.bib", "cache_dir": "", **options}}],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def real_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    root = real_world_project(
        tmp_path_factory.mktemp("real-world"), pdf_file="downloads/corpus.pdf"
    )
    yield build_project(root, strict=True)


def references(corpus: Corpus) -> dict[str, str]:
    entries = corpus.page("references").xpath("//ol[@class='bibliography']/li")
    return {li.get("id"): li.xpath("string(span[@class='reference'])") for li in entries}


@pytest.mark.pdf
def test_real_world_exports_build_strictly(real_world: Corpus) -> None:
    assert not real_world.warnings, real_world.warnings
    keys = {key for path in REAL_WORLD for key in parse_file(str(path)).entries}
    refs = references(real_world)
    assert set(refs) == {f"ref-{key}" for key in keys}
    for text in refs.values():
        # LaTeX fully decoded, nothing of the exporters' bookkeeping fields shown
        assert not any(ch in text for ch in "\\{}$"), text
        assert "Zotero/storage" not in text and "Mendeley" not in text and ".pdf" not in text
        assert "editors." not in text or ", editors." in text, text
    assert_safe_html(real_world)


@pytest.mark.pdf
@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (
            "larsen_iron_2019",
            "Larsen K, Østergaard M, van der Berg J. Iron status and Restless Legs: a "
            "Cross-sectional Study in Nordic Adults. Journal of Corpus Medicine. "
            "2019;12(3):201-210. doi:10.5555/corpus.0001.",
        ),
        (
            "world_health_organization_sleep_2021",
            "World Health Organization. Sleep Disorders: a Corpus Handbook. 2nd ed. Geneva: "
            "Corpus Press; 2021.",
        ),
        (
            "de_souza_chapter_2020",
            "de Souza J Jr, O'Brien S. Periodic limb movements. In: Madonna, Ng W, editors. The "
            "Corpus Companion to Sleep. Oxford: Corpus University Press; 2020. p. 45-67.",
        ),
        (
            "noauthor_rls_2022",
            "RLS patient leaflet. 2022. Available from: https://example.org/leaflet.",
        ),
        (
            "nakamura_iron_2019",
            "Nakamura Y. Brain iron imaging in RLS [master's thesis]. Kyoto: Corpus Graduate "
            "School; 2019.",
        ),
        (
            "dupont_legscore_2022",
            "Dupont É. legscore: scoring leg movements [software]. Version 2.1.0. 2022. Available "
            "from: https://example.org/legscore.",
        ),
        (
            "Nguyen2018",
            "Nguyễn VA, O'Brien S, De la Cruz M, Smith J, et al. Dopamine agonists and sleep "
            "quality: a randomised trial. Sleep & Corpus. 2018;41(2):e123. "
            "doi:10.5555/corpus.0005.",
        ),
        (
            "Schmidt2017",
            "Schmidt HP, Müller-Lüdenscheidt K, et al. Naïve Bayes models for α-synuclein and Fe²⁺ "
            "in restless legs. Corpus Neurology. 2017;8(1):1-12. doi:10.5555/corpus.0006.",
        ),
        (
            "Weber2012",
            "Weber M. Sleep medicine for practitioners. Vienna: Corpus Medical; 2012. Chapter 7. "
            "p. 150-172.",
        ),
        (
            "Corpus2020",
            "Corpus Software Group. LegScore user manual. 2nd ed. 2020. Available from: "
            "https://example.org/legscore/manual.",
        ),
        ("Ivanova2023", "Ivanova E. Ferritin thresholds revisited. Unpublished; 2023."),
        (
            "RN14",
            "Novak P. Pharmacology of sleep. In: Horvat M, editor. Corpus Pharmacology. Zagreb: "
            "Corpus Medical; 2013. p. 210-240.",
        ),
        ("RN16", "Moreau C. Iron and sleep [Thesis]. Corpus University; 2014."),
    ],
)
def test_real_world_entries_format_sensibly(real_world: Corpus, key: str, expected: str) -> None:
    assert references(real_world)[f"ref-{key}"] == expected


@pytest.mark.pdf
def test_real_world_markup_and_pdf_links(real_world: Corpus) -> None:
    page = real_world.page("references")
    schmidt = page.get_element_by_id("ref-Schmidt2017")
    assert schmidt.xpath(".//em/text()") == ["restless legs"]
    uris = pdf_uris(real_world.site / "downloads" / "corpus.pdf")
    assert "https://doi.org/10.5555/corpus.0001" in uris
    assert "https://example.org/legscore" in uris
    assert all(scheme(uri) in SAFE_SCHEMES for uri in uris), uris


# Hostile input ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    root = tmp_path_factory.mktemp("hostile") / "project"
    shutil.copytree(CORPUS / "hostile", root)
    yield build_project(root, strict=False)


@pytest.mark.pdf
def test_hostile_corpus_builds_and_reports(hostile: Corpus) -> None:
    assert (hostile.site / "index.html").is_file()
    codes = [(p.code, p.line) for p in hostile.problems]
    unsafe_bib = sorted(line for code, line in codes if code == "cite.unsafe_url")
    assert unsafe_bib == [3, 9, 15, 21, 21, 28, 28, 34]
    assert ("cite.endnote_url", 40) in codes  # EndNote's Web of Science pointer: a note
    unsafe_page = sorted(line for code, line in codes if code == "link.unsafe_url")
    assert unsafe_page == [11, 11, 12, 12, 13]
    assert ("cite.malformed_group", 19) in codes


@pytest.mark.pdf
def test_hostile_corpus_html_is_inert(hostile: Corpus) -> None:
    assert_safe_html(hostile, text_may_hold_brackets=True)
    page = hostile.page("")
    main = page.xpath("//div[@role='main']")[0]
    assert not main.xpath(".//script | .//iframe | .//object | .//form | .//svg | .//style")
    assert not main.xpath(".//marquee | .//b[ancestor::h2] | .//img[@onerror]")
    assert not [
        name
        for el in main.iter()
        if isinstance(el.tag, str)
        for name in el.attrib
        if name.startswith("on")
    ]
    heading = main.xpath(".//h2[@class='page-references']")[0]
    assert heading.text_content() == "<img src=x onerror=alert('heading')>Works <b>cited</b>"
    cited = {a.get("data-cite") for a in main.xpath(".//a[@data-cite]")}
    assert cited == {
        "js2020",
        "mixedcase2020",
        "data2021",
        "vb2021",
        "latexurl2022",
        "entity2022",
        "endnoteisi2016",
        "html2019",
        "htmlbook2018",
        "htmlchapter2017",
        "htmlthesis2016",
        "placeholder2023",
        "evil<b>key",
    }
    text = lxml_html.tostring(main, encoding="unicode")
    assert "klzzwxh" not in text.replace("klzzwxh:0001", "") and "\x02" not in text
    assert main.xpath(".//img[@alt='alt [@js2020]'][@title='title [@data2021]']")
    assert main.xpath(".//img[@alt='pixel'][not(@src)]")  # its data:image/svg+xml was refused
    assert main.xpath(".//a[@href='https://doi.org/10.5555/corpus.0001']")
    assert not main.xpath(".//a[contains(@href, 'example.org/ok')]")  # a note is plain text


@pytest.mark.pdf
def test_hostile_corpus_pdf_has_only_safe_links(hostile: Corpus) -> None:
    uris = pdf_uris(hostile.site / "downloads" / "hostile.pdf")
    assert uris, "the PDF keeps its safe links"
    assert all(scheme(uri) in SAFE_SCHEMES for uri in uris), uris
    assert "https://doi.org/10.5555/corpus.0001" in uris


# Every shipped CSL style ------------------------------------------------------------------------

CSL_STYLES = ["apa", "ama", "nlm", "chicago-author-date", "nature"]


@pytest.mark.parametrize("style", CSL_STYLES)
def test_real_world_exports_in_every_csl_style(tmp_path: Path, style: str) -> None:
    corpus = build_project(real_world_project(tmp_path, style=style), strict=True)
    assert not corpus.warnings, corpus.warnings
    entries = corpus.page("references").xpath("//*[contains(@class, 'bibliography')]/li")
    keys = {key for path in REAL_WORLD for key in parse_file(str(path)).entries}
    assert {li.get("id") for li in entries} == {f"ref-{key}" for key in keys}
    for li in entries:
        text = li.text_content()
        assert not any(ch in text for ch in "\\{}$"), text
        assert "editors." not in text or ", editors." in text or "(Eds.)" in text, text
    assert_safe_html(corpus)


@pytest.mark.parametrize("style", CSL_STYLES)
def test_hostile_corpus_in_every_csl_style(tmp_path: Path, style: str) -> None:
    root = tmp_path / "project"
    shutil.copytree(CORPUS / "hostile", root)
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("pdf_file: downloads/hostile.pdf", f"style: {style}")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    corpus = build_project(root, strict=False)
    assert_safe_html(corpus, text_may_hold_brackets=True)
    main = corpus.page("").xpath("//div[@role='main']")[0]
    assert not main.xpath(".//script | .//iframe | .//object | .//form | .//svg | .//style")
    assert sum(p.code == "cite.unsafe_url" for p in corpus.problems) == 8
    assert sum(p.code == "cite.endnote_url" for p in corpus.problems) == 1


# Malformed BibTeX -------------------------------------------------------------------------------


def test_malformed_bib_gives_located_messages_and_still_builds(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "docs").mkdir(parents=True)
    shutil.copy(CORPUS / "malformed.bib", root / "refs.bib")
    keys = ["dupfield", "undefmacro", "hash", "paren", "latexerr", "noopsort", "last"]
    page = "# Malformed\n\n" + " ".join(f"[@{key}]" for key in keys) + "\n"
    (root / "docs" / "index.md").write_text(page, encoding="utf-8")
    config = {
        "site_name": "Malformed",
        "theme": {"name": "mkdocs"},
        "plugins": [{"monograph": {"bib_file": "refs.bib", "cache_dir": ""}}],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    corpus = build_project(root, strict=False)
    syntax = [(p.line, p.message.split(";")[0]) for p in corpus.problems if p.code == "bib.syntax"]
    assert syntax == [
        (1, "syntax error: entry key expected"),
        (3, "entry 'dupfield': field 'title' appears twice"),
        (4, "entry 'undefmacro': undefined string: undefinedmacro"),
        (18, "entry 'last': syntax error: premature end of file"),
    ]
    refs = {
        li.get("id"): li.xpath("string(span[@class='reference'])")
        for li in corpus.page("").xpath("//ol[@class='references']/li")
    }
    assert refs["ref-hash"] == "Concat braces and quotes."
    assert refs["ref-noopsort"] == "Sorted."
    assert refs["ref-latexerr"].startswith("bar ")
    assert len(refs) == len(keys)
