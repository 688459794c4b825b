"""The extension on its own (`markdown_extensions: [monograph: ...]`), in plain Python-Markdown."""

from __future__ import annotations

import http.server
import logging
import os
import sys
import threading
from pathlib import Path

import markdown
import markdown.extensions
import markdown.preprocessors
import pytest
import yaml
from lxml import html as lxml_html
from monograph import pagewise
from monograph.pagewise import MonographProblems

BIB = """
@article{alpha2001, author = {Alpha, Ann}, title = {First work}, journal = {J A}, year = {2001},
  doi = {10.1000/alpha}}
@article{beta2002, author = {Beta, Bob and Gamma, Gil}, title = {Second work}, journal = {J B},
  year = {2002}, pmid = {123}}
@article{delta2004, author = {Delta, Dee},
  title = {Fourth <script>alert(1)</script> " onmouseover="x}, journal = {J D}, year = {2004},
  doi = {10.1000/delta}}
@article{rct2009, author = {Rct, Ann}, title = {A trial}, journal = {J}, year = {2009}, pmid = {1}}
"""

EVIDENCE_PAGE = """---
title: Valerian
evidence_caveat: "One small trial."
evidence:
  - cite: [rct2009]
    design: rct
    population: "Adults with RLS"
    participants: 37
    intervention: "Valerian 800 mg"
    comparator: "Placebo"
    duration: "8 weeks"
    outcomes: "PSQI"
    result: no-difference
    finding: "Both arms improved."
    applies_to: condition
    question: effect
    record: verified
---

# Valerian

Intro [@alpha2001].

<!-- monograph:evidence -->
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # outside Zensical, bib_file is relative to the working folder
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # strict failures install their own
    monkeypatch.setattr(pagewise, "_SAID", set())  # what is said once per process
    monkeypatch.setattr(pagewise, "_UNWATCHED", set())
    monkeypatch.setattr(pagewise, "_REPORTED_BIBS", set())
    return tmp_path


def convert(text: str, **options: object) -> tuple[lxml_html.HtmlElement, markdown.Markdown]:
    md = markdown.Markdown(
        extensions=["toc", "monograph"],
        extension_configs={"monograph": {"bib_file": "refs.bib", "cache_dir": "", **options}},
    )
    html = md.convert(text)
    return lxml_html.fromstring(f"<div>{html}</div>"), md


def cited(tree: lxml_html.HtmlElement) -> list[tuple[str | None, str]]:
    return [(a.get("data-cite"), a.text_content()) for a in tree.cssselect("a.citation")]


def test_numbers_follow_first_citation_on_the_page_and_link_to_its_list(project: Path) -> None:
    tree, md = convert("# Page\n\nFirst [@beta2002]. Then [@alpha2001; @beta2002, p. 3].\n")
    assert cited(tree) == [("beta2002", "1"), ("alpha2001", "2"), ("beta2002", "1")]
    first = tree.cssselect("a.citation")[0]
    assert first.get("href") == "#ref-beta2002"
    assert first.get("title") == "Beta B, Gamma G. Second work. J B. 2002. PMID: 123."
    items = tree.cssselect("ol.references > li")
    assert [(li.get("id"), li.get("value")) for li in items] == [
        ("ref-beta2002", "1"),
        ("ref-alpha2001", "2"),
    ]
    backrefs = [a.get("href") for a in items[0].cssselect("a.citation-backref")]
    assert backrefs == ["#cite-beta2002-1", "#cite-beta2002-2"]
    # The list is the page's last section and is in its table of contents.
    assert tree[-2].tag == "h2" and tree[-2].get("id") == "references"
    assert md.toc_tokens[0]["children"][-1]["id"] == "references"  # type: ignore[attr-defined]


def test_each_page_numbers_on_its_own_and_the_bib_is_parsed_once(project: Path) -> None:
    first, _ = convert("# A\n\n[@alpha2001] [@beta2002]\n")
    second, _ = convert("# B\n\n[@beta2002] [@alpha2001]\n")
    assert cited(first) == [("alpha2001", "1"), ("beta2002", "2")]
    assert cited(second) == [("beta2002", "1"), ("alpha2001", "2")]
    bib, _ = pagewise.shared_bibliography(project / "refs.bib", "refs.bib", None)
    assert pagewise.shared_bibliography(project / "refs.bib", "refs.bib", None) == (bib, [])


def test_an_edited_bib_is_read_again(project: Path) -> None:
    convert("[@alpha2001]\n")
    (project / "refs.bib").write_text(
        BIB + "@book{new2020, author = {New, Ned}, title = {New}, year = {2020}}\n",
        encoding="utf-8",
    )
    tree, _ = convert("[@new2020]\n")
    assert cited(tree) == [("new2020", "1")]


def test_reference_text_is_escaped(project: Path) -> None:
    tree, _ = convert("[@delta2004]\n")
    assert tree.cssselect("script") == []
    link = tree.cssselect("a.citation")[0]
    assert link.get("onmouseover") is None and "<script>" in (link.get("title") or "")


def test_evidence_table_from_front_matter(project: Path) -> None:
    tree, _ = convert(EVIDENCE_PAGE)
    rows = tree.cssselect("table.evidence-table tbody tr")
    assert [r.get("data-result") for r in rows] == ["no-difference"]
    # The front matter is not shown as text, and the table's citation is numbered on the page.
    assert "design: rct" not in tree.text_content()
    assert cited(tree) == [("alpha2001", "1"), ("rct2009", "2")]


def test_problems_have_lines_and_hints(project: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mkdocs.plugins.monograph")
    text = "---\ntitle: T\n---\n# T\n\nText [@alpa2001].\n\n<!-- monograph:evidnce -->\n"
    tree, _ = convert(text)
    problems = [r.monograph_problem for r in caplog.records if hasattr(r, "monograph_problem")]
    found = {(p.code, p.line) for p in problems}
    assert ("cite.unknown_key", 6) in found
    assert ("marker.unknown", 8) in found
    assert any("did you mean 'alpha2001'" in p.message for p in problems)
    assert tree.cssselect(".citation-unknown")[0].text_content() == "?alpa2001"


def test_strict_stops_on_a_page_with_a_problem(project: Path) -> None:
    with pytest.raises(MonographProblems):
        convert("[@nope]\n", strict=True)
    convert("[@alpha2001]\n", strict=True)  # a clean page passes


def test_an_unknown_option_names_the_right_one(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="mkdocs.plugins.monograph")
    tree, _ = convert("[@beta2002]\n", styel="apa")  # said, and the page is still built
    assert "did you mean 'style'?" in caplog.text
    assert cited(tree) == [("beta2002", "1")]
    pagewise._SAID.clear()  # said once per process: a new build
    with pytest.raises(MonographProblems):
        convert("[@beta2002]\n", styel="apa", strict=True)


def test_without_bib_file_the_build_stops_saying_what_to_write(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    md = markdown.Markdown(extensions=["monograph"], extension_configs={"monograph": {}})
    with pytest.raises(MonographProblems):
        md.convert("[@beta2002]\n")
    assert "markdown_extensions: [monograph: {bib_file: refs.bib}]" in caplog.text


def test_site_wide_marker_says_so_on_the_page(project: Path) -> None:
    tree, _ = convert("# S\n\n<!-- monograph:evidence-summary -->\n")
    assert (
        "produced by the MkDocs build" in tree.cssselect(".monograph-unavailable")[0].text_content()
    )


def test_bibliography_page_lists_every_entry(project: Path) -> None:
    tree, _ = convert("# Bibliography\n\n<!-- monograph:bibliography -->\n\nAfter.\n")
    ids = [li.get("id") for li in tree.cssselect("ol.references > li")]
    assert ids == ["ref-alpha2001", "ref-beta2002", "ref-delta2004", "ref-rct2009"]
    assert tree[-1].text_content() == "After."  # in the marker's place, not appended


def test_style_option_uses_the_engine_styles(project: Path) -> None:
    vancouver, _ = convert("[@beta2002]\n")
    apa, _ = convert("[@beta2002]\n", style="apa")
    assert vancouver.cssselect(".reference")[0].text_content().startswith("Beta B, Gamma G.")
    assert apa.cssselect(".reference")[0].text_content() != (
        vancouver.cssselect(".reference")[0].text_content()
    )
    with pytest.raises(MonographProblems):
        convert("[@beta2002]\n", style="nosuch")


def test_csl_styles_format_each_page_as_the_style_says(project: Path) -> None:
    apa, _ = convert("[@beta2002] and @alpha2001.\n", style="apa")
    assert [g.text_content() for g in apa.cssselect(".citation-group")] == [
        "(Beta & Gamma, 2002)",
        "Alpha (2001)",
    ]
    assert [li.get("id") for li in apa.cssselect("ul.references > li")] == [
        "ref-alpha2001",  # sorted as APA sorts, not in order of citation
        "ref-beta2002",
    ]
    assert apa.cssselect("#ref-beta2002 .reference")[0].text_content() == (
        "Beta, B., & Gamma, G. (2002). Second work. J B. PMID: 123."
    )
    # A numeric style numbers each page's works on their own and collapses runs.
    for text, shown in [
        ("[@rct2009; @beta2002; @alpha2001]\n", "1–3"),
        ("[@beta2002] [@alpha2001; @beta2002]\n", "1"),
    ]:
        ama, _ = convert(text, style="ama")
        group = ama.cssselect(".citation-group")[0]
        for link in group.cssselect(".citation-in-range"):
            link.drop_tree()
        assert group.text_content() == shown
        first = ama.cssselect("ol.references > li")[0]
        assert first.get("value") == "1"
        assert (
            first.cssselect(".reference")[0]
            .text_content()
            .startswith({"1–3": "Rct A. A trial.", "1": "Beta B, Gamma G. Second work."}[shown])
        )


def test_references_marker_and_mkdocs_bibtex_commands_place_the_list(project: Path) -> None:
    for line in ("<!-- monograph:references -->", "\\bibliography"):
        tree, _ = convert(f"# P\n\n[@beta2002]\n\n## Sources\n\n{line}\n\nAfter.\n")
        assert [li.get("id") for li in tree.cssselect("ol.references > li")] == ["ref-beta2002"]
        assert tree.cssselect("h2.page-references") == []  # the author's heading, not ours
        assert tree[-1].text_content() == "After."


def test_full_bibliography_lists_cited_works_first_then_the_rest(project: Path) -> None:
    tree, _ = convert("# P\n\n[@rct2009]\n\n\\full_bibliography\n")
    ids = [li.get("id") for li in tree.cssselect("ol.references > li")]
    assert ids == ["ref-rct2009", "ref-alpha2001", "ref-beta2002", "ref-delta2004"]


def test_mkdocs_bibtex_switches(project: Path) -> None:
    tree, _ = convert("# P\n\n[@beta2002] and @alpha2001.\n", bib_by_default=False)
    assert tree.cssselect("ol.references") == []
    tree, _ = convert("# P\n\n[@beta2002] and @alpha2001.\n", enable_inline_citations=False)
    assert cited(tree) == [("beta2002", "1")]
    assert "@alpha2001" in tree.text_content()


def test_a_second_list_marker_is_reported(project: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="mkdocs.plugins.monograph")
    convert("# P\n\n[@beta2002]\n\n\\bibliography\n\n<!-- monograph:bibliography -->\n")
    problems = [r.monograph_problem for r in caplog.records if hasattr(r, "monograph_problem")]
    assert [(p.code, p.line) for p in problems] == [("marker.duplicate", 7)]


class _Bib(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = BIB.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


def test_bib_file_may_be_a_url_fetched_once(project: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Bib)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/library.bib"
        tree, _ = convert("[@beta2002]\n", bib_file=url, cache_dir=".cache")
        assert cited(tree) == [("beta2002", "1")]
        server.shutdown()
        tree, _ = convert("[@alpha2001]\n", bib_file=url, cache_dir=".cache")  # no refetch
        assert cited(tree) == [("alpha2001", "1")]
    finally:
        server.shutdown()
        server.server_close()


class _FakeZensical(markdown.extensions.Extension):
    """What Zensical 0.0.x registers: a ``rendering_context`` preprocessor with page and config."""

    def __init__(self, page: object, config: dict[str, object]) -> None:
        super().__init__()
        self.page, self.site = page, config

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        context = markdown.preprocessors.Preprocessor(md)
        context.run = lambda lines: lines  # type: ignore[method-assign]
        context.page, context.config = self.page, self.site  # type: ignore[attr-defined]
        md.preprocessors.register(context, "rendering_context", 0)


def zensical_convert(root: Path, name: str, **config: object) -> lxml_html.HtmlElement:
    source = (root / "docs" / name).read_text(encoding="utf-8")
    meta_end = source.index("\n---\n", 4) + 5
    page = type("Page", (), {"path": name, "url": name[:-3] + "/", "title": "T"})()
    page.meta = yaml.safe_load(source[4 : meta_end - 4])  # type: ignore[attr-defined]
    site = {"root_dir": str(root), "docs_dir": "docs", "watch": ["refs.bib"], **config}
    md = markdown.Markdown(
        extensions=[_FakeZensical(page, site), "toc", "monograph"],
        extension_configs={"monograph": {"bib_file": "refs.bib", "cache_dir": ""}},
    )
    return lxml_html.fromstring(f"<div>{md.convert(source[meta_end:])}</div>")


def test_zensical_page_context_gives_path_and_file_lines(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="mkdocs.plugins.monograph")
    (project / "docs").mkdir()
    (project / "docs" / "p.md").write_text(
        "---\ntitle: P\nreviewed: nope\n---\n# P\n\nText [@alpa2001].\n", encoding="utf-8"
    )
    tree = zensical_convert(project, "p.md")
    problems = [r.monograph_problem for r in caplog.records if hasattr(r, "monograph_problem")]
    assert {(p.code, p.path, p.line) for p in problems} == {
        ("cite.unknown_key", "docs/p.md", 7),
        ("page.reviewed", "docs/p.md", 3),
    }
    assert tree.cssselect(".citation-unknown")


def test_zensical_strict_stops_but_never_stops_serve(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "docs").mkdir()
    (project / "docs" / "p.md").write_text("---\ntitle: P\n---\n[@nope]\n", encoding="utf-8")
    with pytest.raises(MonographProblems):
        zensical_convert(project, "p.md", strict=True)
    monkeypatch.setattr(sys, "argv", ["/venv/bin/zensical", "serve"])
    zensical_convert(project, "p.md", strict=True)  # printed, and the server goes on


def test_bib_problems_are_said_once_and_count_for_strict(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="mkdocs.plugins.monograph")
    (project / "refs.bib").write_text(BIB + "@article{broken, title = {No end}\n", "utf-8")
    with pytest.raises(MonographProblems):
        convert("[@beta2002]\n", strict=True)
    assert "[bib.syntax]" in caplog.text
    caplog.clear()
    convert("[@beta2002]\n")  # the same version of the file: not said again
    assert "[bib." not in caplog.text


def _override(folder: Path) -> None:
    (folder / "monograph").mkdir(parents=True)
    (folder / "monograph" / "citation.html").write_text(
        "{% macro group(parts, plain, narrative, names) -%}\n"
        '<sup class="house-cite">{{ parts | join(",") }}</sup>\n'
        "{%- endmacro %}\n",
        encoding="utf-8",
    )
    (folder / "monograph" / "entry.html").write_text(
        '<li id="{{ entry.id }}" class="house-entry">{{ entry.reference }}</li>\n',
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    "config",
    [
        {"theme_dirs": ["overrides", "/nonexistent/theme"]},  # what Zensical 0.0.x resolves
        {"theme": {"custom_dir": "overrides"}},  # as written in mkdocs.yml / zensical.toml
    ],
)
def test_zensical_pages_use_the_templates_of_the_theme_custom_dir(
    project: Path, config: dict[str, object]
) -> None:
    _override(project / "overrides")
    (project / "docs").mkdir()
    (project / "docs" / "p.md").write_text(
        "---\ntitle: P\n---\n# P\n\nTwo [@alpha2001; @beta2002].\n", encoding="utf-8"
    )
    tree = zensical_convert(project, "p.md", **config)
    assert [s.text_content() for s in tree.cssselect("sup.house-cite")] == ["1,2"]
    assert tree.cssselect(".citation-group") == []
    entries = tree.cssselect("ol.references > li")
    assert [(li.get("class"), li.get("id")) for li in entries] == [
        ("house-entry", "ref-alpha2001"),
        ("house-entry", "ref-beta2002"),
    ]


def test_templates_dir_option_outside_zensical_and_its_changes_are_read(project: Path) -> None:
    _override(project / "tpl")
    tree, _ = convert("# P\n\nTwo [@alpha2001; @beta2002].\n", templates_dir="tpl")
    assert [s.text_content() for s in tree.cssselect("sup.house-cite")] == ["1,2"]
    citation = project / "tpl" / "monograph" / "citation.html"
    citation.write_text(
        citation.read_text(encoding="utf-8").replace("house-cite", "house-cite-2"), "utf-8"
    )
    stat = citation.stat()  # the same second on a coarse clock: make the change visible
    os.utime(citation, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    tree, _ = convert("# P\n\nTwo [@alpha2001; @beta2002].\n", templates_dir="tpl")
    assert [s.text_content() for s in tree.cssselect("sup.house-cite-2")] == ["1,2"]
    plain, _ = convert("# P\n\nTwo [@alpha2001; @beta2002].\n")  # no option: the engine's own
    assert plain.cssselect("span.citation-group") and not plain.cssselect("sup")


def test_a_broken_site_template_stops_the_page_naming_its_file(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _override(project / "tpl")
    (project / "tpl" / "monograph" / "citation.html").write_text(
        "{% macro group(parts) %}\n{{ parts }\n{% endmacro %}\n", encoding="utf-8"
    )
    with pytest.raises(MonographProblems):
        convert("# P\n\n[@alpha2001]\n", templates_dir="tpl")
    assert f"{project / 'tpl' / 'monograph' / 'citation.html'}:2: template" in caplog.text
    (project / "tpl" / "monograph" / "citation.html").write_text(
        "{% macro group(parts, plain, narrative, names) %}{{ parts[7] }}{% endmacro %}\n",
        encoding="utf-8",
    )
    caplog.clear()
    with pytest.raises(MonographProblems):
        convert("# P\n\n[@alpha2001]\n", templates_dir="tpl")
    assert "citation.html: template failed" in caplog.text
