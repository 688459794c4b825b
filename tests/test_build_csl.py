"""CSL styles: fixture sites in tests/sites built through MkDocs, asserted on their HTML."""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import SITES, BuiltSite, build_project

Build = Callable[..., BuiltSite]


def texts(page: object, selector: str) -> list[str]:
    return [el.text_content() for el in page.cssselect(selector)]  # type: ignore[attr-defined]


def test_author_date_style_cites_sorts_and_disambiguates(build_fixture: Build) -> None:
    site = build_fixture("csl-author-date")
    assert site.aborted is None, site.warnings
    home = site.page("")
    groups = texts(home, ".citation-group")
    assert groups == [
        "(Trotti & Becker, 2019)",
        "(Smith, 2020a, 2020b)",  # APA's collapse="year": the names once
        "Trotti and Becker (2019)",  # narrative @key
        "(see Adams et al., 2010, pp. 100, 200)",  # prefix and locator through the style
        "(2020a)",  # [-@key]: author suppressed
    ]
    # Every work keeps its own link to the bibliography, with the reference as hover text.
    links = home.cssselect("a.citation")
    assert [a.get("data-cite") for a in links] == [
        "trotti2019",
        "smith2020first",
        "smith2020second",
        "trotti2019",
        "adams2010",
        "smith2020first",
    ]
    assert links[0].get("href") == "bibliography/#ref-trotti2019"
    assert links[0].get("title", "").startswith("Trotti, L. M., & Becker, L. A. (2019). Iron")
    # The page's list: unnumbered, sorted as APA sorts (author, then year and suffix).
    entries = home.cssselect("ul.references.references-author-date > li")
    assert [li.get("id") for li in entries] == [
        "ref-adams2010",
        "ref-smith2020first",
        "ref-smith2020second",
        "ref-trotti2019",
    ]
    assert entries[1].cssselect(".reference")[0].text_content() == (
        "Smith, J. (2020a). A first look at leg movements. Sleep Fixture Journal, 3, 1–10."
    )
    doi = entries[3].cssselect(".reference a")[0]
    assert doi.get("href") == "https://doi.org/10.1002/14651858.CD007834.pub3"
    assert len(entries[1].cssselect("a.citation-backref")) == 2  # cited twice on the page
    bibliography = site.page("bibliography/")
    assert [li.get("id") for li in bibliography.cssselect("ul.bibliography > li")] == [
        "ref-adams2010",
        "ref-smith2020first",
        "ref-smith2020second",
        "ref-trotti2019",
    ]
    assert texts(bibliography, "#ref-smith2020second .citation-backref") == [
        "Home",
        "Second ×3",
    ]


def test_author_date_style_groups_and_collapses_cites_as_the_style_says(
    build_fixture: Build,
) -> None:
    site = build_fixture("csl-author-date")
    assert site.aborted is None, site.warnings
    second = site.page("second/")
    groups = second.cssselect(".citation-group")
    # APA: cites of one author together, the names once (collapse="year"); a cite with a
    # locator keeps its names and is not collapsed.
    assert [g.text_content() for g in groups] == [
        "(Smith, 2020b)",
        "(Smith, 2020a, 2020b; Trotti & Becker, 2019)",
        "(Smith, 2020a; Smith, 2020b, p. 5)",
    ]
    # Each work keeps its own link: the later work of a group is its year, linked.
    links = groups[1].cssselect("a.citation")
    assert [(a.get("data-cite"), a.text_content()) for a in links] == [
        ("smith2020first", "Smith, 2020a"),
        ("smith2020second", "2020b"),
        ("trotti2019", "Trotti & Becker, 2019"),
    ]
    assert links[1].get("href") == "../bibliography/#ref-smith2020second"
    assert links[1].get("title", "").startswith("Smith, J. (2020b). A second look")
    # Back-links reach every citing place, the collapsed one too.
    entry = second.cssselect("#ref-smith2020second")[0]
    backrefs = [a.get("href") for a in entry.cssselect("a.citation-backref")]
    anchors = {a.get("id") for a in second.cssselect("a.citation[data-cite=smith2020second]")}
    assert len(backrefs) == 3 and {href.lstrip("#") for href in backrefs} == anchors


def test_numeric_style_keeps_site_numbers_through_the_csl_file(build_fixture: Build) -> None:
    site = build_fixture("csl-numeric")
    assert site.aborted is None, site.warnings
    home = site.page("")
    groups = home.cssselect(".citation-group")
    # AMA: superscript numbers, in the engine's site-wide order of first citation.
    assert [g.text_content() for g in groups] == [
        "1,2",
        "3",
        "Trotti and Becker 3",
        "see 4(pp100, 200)",
    ]
    assert all(g.cssselect("sup") for g in groups)
    entries = home.cssselect("ol.references > li")
    assert [(li.get("id"), li.get("value")) for li in entries] == [
        ("ref-smith2020first", "1"),
        ("ref-smith2020second", "2"),
        ("ref-trotti2019", "3"),
        ("ref-adams2010", "4"),
    ]
    # The number is the list's, not repeated in the entry; AMA writes the rest.
    assert entries[2].cssselect(".reference")[0].text_content() == (
        "Trotti LM, Becker LA. Iron for the treatment of restless legs syndrome. Cochrane "
        "Database of Systematic Reviews. 2019;1:CD007834. doi:10.1002/14651858.CD007834.pub3"
    )
    second = site.page("second/")
    assert texts(second, ".citation-group")[0] == "2"  # the same number on every page
    assert [li.get("value") for li in site.page("bibliography/").cssselect("ol > li")] == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]


def test_numeric_style_collapses_runs_of_site_numbers_as_the_style_says(
    build_fixture: Build,
) -> None:
    site = build_fixture("csl-numeric")
    assert site.aborted is None, site.warnings
    groups = site.page("second/").cssselect(".citation-group")
    visible = []
    for group in groups:
        for link in group.cssselect(".citation-in-range"):
            link.drop_tree()  # inside a range: read by screen readers, not shown
        visible.append(group.text_content())
    # AMA's collapse="citation-number" on the engine's site-wide numbers (cole2015 is 5): a
    # run of three or more becomes a range, two stay apart, a locator breaks the run.
    assert visible == ["2", "1–3,5", "1,2", "1,2(p5),3"]
    assert all(group.cssselect("sup") for group in groups)


def test_every_work_of_a_collapsed_csl_range_keeps_its_link(build_fixture: Build) -> None:
    site = build_fixture("csl-numeric")
    assert site.aborted is None, site.warnings
    collapsed = site.page("second/").cssselect(".citation-group")[1]
    links = collapsed.cssselect("a.citation")
    assert [a.get("data-cite") for a in links] == [
        "smith2020first",
        "smith2020second",
        "trotti2019",
        "cole2015",
    ]
    assert [a.get("href") for a in links][:2] == [
        "../bibliography/#ref-smith2020first",
        "../bibliography/#ref-smith2020second",
    ]
    hidden = links[1]
    assert hidden.get("class") == "citation citation-in-range"
    assert (hidden.get("aria-label"), hidden.get("tabindex"), hidden.text) == ("2", "-1", None)
    assert hidden.get("title", "").startswith("Smith J. A second look at leg movements.")
    # The range's dash is the style's (CSL's default citation-range-delimiter), hidden from
    # screen readers, which read the hidden link's number instead.
    dash = collapsed.cssselect("sup > span[aria-hidden='true']")
    assert [span.text for span in dash] == ["–"]
    # Each work's back-links reach the citation inside the range.
    bibliography = site.page("bibliography/")
    backrefs = bibliography.cssselect("#ref-smith2020second .citation-backref")
    assert [a.get("href") for a in backrefs] == [
        "../#cite-smith2020second-1",
        "../second/#cite-smith2020second-1",
    ]


@pytest.mark.parametrize(
    ("csl", "message"),
    [
        ("<style", "styles/bad.csl:1: not a valid CSL style"),
        ("<html/>", "styles/bad.csl:1: not a CSL style"),
        (
            '<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">'
            "<info><title>Notes</title></info><citation><layout/></citation>"
            "<bibliography><layout/></bibliography></style>",
            "'Notes' is a note (footnote) style",
        ),
    ],
)
def test_unusable_csl_file_is_one_line(tmp_path: Path, csl: str, message: str) -> None:
    root = tmp_path / "copy"
    shutil.copytree(SITES / "csl-numeric", root)
    (root / "styles" / "bad.csl").write_text(csl, encoding="utf-8")
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(config.replace("ama-copy.csl", "bad.csl"), encoding="utf-8")
    result = build_project(root, strict=True)
    assert result.aborted is not None
    assert any(message in w for w in [*result.warnings, result.aborted]), result.warnings


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No request lines in the test output."""


def _serve(folder: Path) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_csl_and_bib_urls_are_fetched_and_the_cached_copies_used_offline(tmp_path: Path) -> None:
    served = tmp_path / "served"
    served.mkdir()
    shutil.copy(SITES / "csl-numeric" / "refs.bib", served / "library.bib")
    shutil.copy(SITES / "csl-numeric" / "styles" / "ama-copy.csl", served / "ama.csl")
    root = tmp_path / "site"
    shutil.copytree(SITES / "csl-numeric", root)
    server = _serve(served)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("bib_file: refs.bib", f"bib_file: {base}/library.bib")
    config = config.replace("csl_file: styles/ama-copy.csl", f"csl_file: {base}/ama.csl")
    config = config.replace('cache_dir: ""', "cache_dir: .cache")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    (root / "refs.bib").unlink()
    try:
        online = build_project(root, strict=True)
    finally:
        server.shutdown()
        server.server_close()
    assert online.aborted is None, online.warnings
    offline = build_project(root, strict=True)  # the server is gone: the cached copies serve
    assert offline.aborted is None, offline.warnings
    assert [g.text_content() for g in offline.page("").cssselect(".citation-group")][:2] == [
        "1,2",
        "3",
    ]


def test_unreachable_csl_url_without_a_cached_copy_is_one_line(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(SITES / "csl-numeric", root)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    url = f"http://127.0.0.1:{port}/style.csl"
    config = config.replace("csl_file: styles/ama-copy.csl", f"csl_file: {url}")
    (root / "mkdocs.yml").write_text(config.replace('cache_dir: ""', "cache_dir: .c"), "utf-8")
    site = build_project(root, strict=True)
    assert site.aborted is not None
    assert any(f"{url} could not be fetched" in w and "no cached copy" in w for w in site.warnings)


def test_a_work_without_author_shows_its_title_once_in_the_built_site(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(SITES / "csl-author-date", root)
    with (root / "refs.bib").open("a", encoding="utf-8") as bib:
        bib.write(
            "\n@manual{nice2020,\n  title = {Iron and {RLS} care},\n"
            "  publisher = {Fixture Institute},\n  year = {2020}\n}\n"
        )
    (root / "docs" / "second.md").write_text("# Second\n\nA report [@nice2020].\n", "utf-8")
    site = build_project(root, strict=True)
    assert site.aborted is None, site.warnings
    second = site.page("second/")
    # APA cites it by its title, which stands in for the author, and prints that title once.
    assert texts(second, ".citation-group") == ["(Iron and RLS Care, 2020)"]
    entry = second.cssselect("#ref-nice2020")[0]
    assert entry.text_content().startswith("Iron and RLS care. (2020). Fixture Institute.")
    bibliography = site.page("bibliography/").cssselect("#ref-nice2020")[0]
    assert bibliography.text_content().count("Iron and RLS") == 1


def test_an_entry_lacking_what_the_style_needs_is_reported_at_its_line(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(SITES / "csl-author-date", root)
    with (root / "refs.bib").open("a", encoding="utf-8") as bib:
        bib.write("\n@misc{bare,\n  note = {Nothing else.}\n}\n")
    (root / "docs" / "second.md").write_text("# Second\n\nA bare entry [@bare].\n", "utf-8")
    site = build_project(root, strict=True)
    assert site.aborted is not None
    line = (root / "refs.bib").read_text(encoding="utf-8").splitlines().index("@misc{bare,") + 1
    # The bibliography's checks apply whatever the style: the line of the entry, what to add.
    assert any(f"refs.bib:{line}: entry 'bare' (@misc) lacks title" in w for w in site.warnings)


def test_pdf_edition_in_an_author_date_style(tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    from pypdf import PdfReader

    root = tmp_path / "print"
    shutil.copytree(SITES / "print-basic", root)
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace(
        "      bib_file: refs.bib\n", "      bib_file: refs.bib\n      style: apa\n"
    )
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    site = build_project(root, strict=True)
    assert site.aborted is None, site.warnings
    pdf = next(site.site.rglob("*.pdf"))
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Restless legs syndrome is common (Alpha & Beta, 2020)." in text
    bibliography = text[text.index("Every work cited") :]
    assert bibliography.index("Alpha, A., & Beta, B. (2020).") < bibliography.index("Delta, D.")
    assert "•" not in bibliography  # an unnumbered list without stray bullets


def test_a_site_citation_template_shapes_csl_citations_too(tmp_path: Path) -> None:
    root = tmp_path / "override"
    shutil.copytree(SITES / "template-override", root)
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace(
        "      bib_file: refs.bib\n", "      bib_file: refs.bib\n      style: nature\n"
    )
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    page = root / "docs" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n@knuth1997 wrote it.\n", "utf-8")
    site = build_project(root, strict=True)
    assert site.aborted is None, site.warnings
    home = site.page("")
    # The site's `styled` macro wraps what Nature writes (superscripts, its own range), the
    # site's `link` macro wraps every work's link, the engine's `range` macro makes the range.
    cites = home.cssselect("cite.house-styled")
    assert [c.text_content() for c in cites][:2] == ["1", "1–3"]
    assert home.cssselect(".citation-group") == []
    assert (
        cites[1].cssselect("sup > span.house-link > a.citation-in-range")[0].get("data-cite")
        == "knuth1997"
    )
    narrative = cites[-1]
    assert narrative.cssselect("b")[0].text == "Knuth"
    assert narrative.text_content() == "Knuth 2"


def test_braced_words_keep_their_case_in_a_style_that_changes_case(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(SITES / "csl-author-date", root)
    with (root / "refs.bib").open("a", encoding="utf-8") as bib:
        bib.write(
            "\n@misc{anon2019,\n  title = {the {pH} of {iron} stores in {RLS}},\n"
            "  publisher = {Fixture Institute},\n  year = {2019}\n}\n"
        )
    second = root / "docs" / "second.md"
    second.write_text(second.read_text(encoding="utf-8") + "\nA report [@anon2019].\n", "utf-8")
    site = build_project(root, strict=True)
    assert site.aborted is None, site.warnings
    page = site.page("second/")
    # APA cites a work without author by its title in title case: the unbraced "stores" is
    # capitalised, the braced "pH" and "iron" stay as written.
    assert texts(page, ".citation-group")[-1] == "(The pH of iron Stores in RLS, 2019)"
    reference = page.cssselect("#ref-anon2019 .reference")[0].text_content()
    assert "the pH of iron stores in RLS" in reference  # APA's list keeps the title as written


def test_nature_prints_dois_as_its_rules_say_each_a_doi_org_link(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(SITES / "csl-numeric", root)
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        config.replace("csl_file: styles/ama-copy.csl", "style: nature"), "utf-8"
    )
    with (root / "refs.bib").open("a", encoding="utf-8") as bib:
        bib.write(
            "\n@article{online2021,\n  author = {Doe, Dana},\n  title = {Online before print},\n"
            "  journal = {Sleep Fixture Journal},\n  year = {2021},\n"
            "  doi = {10.1000/online.2021}\n}\n"
            "\n@book{book2018,\n  author = {Roe, Rory},\n  title = {A fixture book},\n"
            "  publisher = {Fixture Press},\n  year = {2018},\n  doi = {10.1000/book.2018}\n}\n"
        )
    second = root / "docs" / "second.md"
    second.write_text(
        second.read_text(encoding="utf-8") + "\nEarly online [@online2021; @book2018].\n", "utf-8"
    )
    site = build_project(root, strict=True)
    assert site.aborted is None, site.warnings
    page = site.page("bibliography/")

    def reference(key: str) -> tuple[str, list[tuple[str | None, str | None]]]:
        element = page.cssselect(f"#ref-{key} .reference")[0]
        return element.text_content(), [(a.get("href"), a.text) for a in element.iter("a")]

    # The official Nature style leaves the DOI out of a journal article with a volume...
    text, links = reference("trotti2019")
    assert "10.1002" not in text and links == []
    # ...prints it for an article published online without a volume, and for a book; each
    # time the DOI is a link to its https://doi.org/ address.
    address = "https://doi.org/10.1000/online.2021"
    text, links = reference("online2021")
    assert text == (
        f"Doe, D. Online before print. Sleep Fixture Journal {address} (2021) "
        "doi:10.1000/online.2021."
    )
    assert links == [(address, address), (address, "10.1000/online.2021")]
    text, links = reference("book2018")
    assert text == "Roe, R. A Fixture Book. (Fixture Press, 2018). doi:10.1000/book.2018."
    assert links == [("https://doi.org/10.1000/book.2018", "10.1000/book.2018")]
