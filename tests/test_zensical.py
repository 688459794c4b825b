"""A fixture site built by Zensical, with the engine's Markdown extension (no MkDocs plugin).

Zensical and the engine go into their own virtual environment under ``.cache/zensical/`` (never
the project's ``.venv``): the newest Zensical the package registry serves, checked again on
every test session, and this checkout's engine in editable mode, held to the project's pinned
versions. The test is skipped, saying why, only when Zensical itself cannot be installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import html as lxml_html

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".cache" / "zensical"

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

MKDOCS_YML = """
site_name: Zensical fixture
markdown_extensions:
  - monograph:
      bib_file: refs.bib
      cache_dir: ""
# Zensical drops plugins it does not know, silently; MkDocs would use this one site-wide.
plugins:
  - monograph:
      bib_file: refs.bib
"""
# What the migration guide adds: rebuild every page when refs.bib changes, and the engine's
# stylesheet and script (copied by `python -m monograph.copy_assets`).
ZENSICAL_LINES = """
watch:
  - refs.bib
extra_css:
  - assets/monograph/monograph.css
extra_javascript:
  - assets/monograph/evidence.js
"""

PAGES = {
    "index.md": """
        # Home

        First [@beta2002]. Then [@alpha2001; @beta2002, p. 3] and @delta2004 said so.

        ## Details

        Shown as code: `[@alpha2001]`, and escaped: \\[@alpha2001].
        """,
    "valerian.md": """
        ---
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
            finding: "Both arms <b>improved</b>."
            applies_to: condition
            question: effect
            record: verified
        claims:
          - claim: "Valerian beats placebo."
            cite: [rct2009]
            verdict: not-supported
            note: "No between-group difference."
        ---

        # Valerian

        Background [@alpha2001].

        <!-- monograph:evidence -->

        <!-- monograph:claims -->
        """,
    "typo.md": """
        ---
        title: Typo
        reviewed: 2026-11-02
        ---

        # Typo

        A citation with a typo [@alpa2001].
        """,
}

ZENSICAL_TOML = """
[project]
site_name = "Zensical fixture"
strict = true
watch = ["refs.bib"]
extra_css = ["assets/monograph/monograph.css"]
extra_javascript = ["assets/monograph/evidence.js"]

[project.markdown_extensions.monograph]
bib_file = "refs.bib"
styel = "apa"
"""


@dataclass
class Build:
    root: Path
    returncode: int
    output: str

    def page(self, url: str) -> lxml_html.HtmlElement:
        path = self.root / "site" / url / "index.html"
        tree: lxml_html.HtmlElement = lxml_html.fromstring(path.read_text(encoding="utf-8"))
        return tree.cssselect("article")[0]


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False
    )


def _last_lines(result: subprocess.CompletedProcess[str]) -> str:
    return " | ".join((result.stdout + result.stderr).strip().splitlines()[-3:])


@pytest.fixture(scope="session")
def zensical() -> Path:
    """The ``zensical`` command of a venv holding the newest Zensical and this engine."""
    venv = CACHE / "venv"
    python = venv / "bin" / "python"
    if not python.exists():
        made = _run(sys.executable, "-m", "venv", venv)
        assert made.returncode == 0, _last_lines(made)
    pip = (python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check")
    got = _run(*pip, "--upgrade", "zensical")
    if got.returncode != 0 and not (venv / "bin" / "zensical").exists():
        pytest.skip(f"Zensical cannot be installed from the package registry: {_last_lines(got)}")
    # (Without the registry, a Zensical installed by an earlier session is used as it is.)
    # This checkout's engine, editable, with the project's pinned versions of what it needs.
    wanted = hashlib.sha256(
        (REPO / "plugins" / "pyproject.toml").read_bytes() + str(REPO).encode()
    ).hexdigest()
    stamp = CACHE / "engine.stamp"
    if not stamp.is_file() or stamp.read_text(encoding="utf-8") != wanted:
        engine = _run(*pip, "-c", REPO / "requirements" / "lock.txt", "-e", REPO / "plugins")
        assert engine.returncode == 0, _last_lines(engine)
        stamp.write_text(wanted, encoding="utf-8")
    return venv / "bin" / "zensical"


def _write_site(
    root: Path, pages: dict[str, str], config: str = MKDOCS_YML + ZENSICAL_LINES
) -> None:
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(textwrap.dedent(config).lstrip(), encoding="utf-8")
    (root / "refs.bib").write_text(BIB, encoding="utf-8")
    for name, text in pages.items():
        (root / "docs" / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def _build(zensical: Path, root: Path, *args: str) -> Build:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    result = subprocess.run(
        [str(zensical), "build", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    return Build(root, result.returncode, result.stdout + result.stderr)


@pytest.fixture(scope="module")
def built(zensical: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    root = tmp_path_factory.mktemp("zensical") / "project"
    _write_site(root, PAGES)
    copied = _run(zensical.parent / "python", "-m", "monograph.copy_assets", cwd=root)
    assert copied.returncode == 0, _last_lines(copied)
    assert "  - assets/monograph/monograph.css" in copied.stdout
    yield _build(zensical, root, "--clean")


def _citations(page: lxml_html.HtmlElement) -> list[tuple[str | None, str]]:
    return [(a.get("data-cite"), a.text_content()) for a in page.cssselect("a.citation")]


def test_citations_are_numbered_per_page_with_previews_and_a_list(built: Build) -> None:
    assert built.returncode == 0, built.output
    home = built.page("")
    assert _citations(home) == [
        ("beta2002", "1"),
        ("alpha2001", "2"),
        ("beta2002", "1"),
        ("delta2004", "3"),
    ]
    first = home.cssselect("a.citation")[0]
    assert first.get("href") == "#ref-beta2002"
    assert first.get("title") == "Beta B, Gamma G. Second work. J B. 2002. PMID: 123."
    items = home.cssselect("ol.references > li")
    assert [li.get("id") for li in items] == ["ref-beta2002", "ref-alpha2001", "ref-delta2004"]
    assert [a.get("href") for a in items[0].cssselect("a.citation-backref")] == [
        "#cite-beta2002-1",
        "#cite-beta2002-2",
    ]
    # The narrative citation names the authors; code and escaped brackets stay as written.
    assert "Delta [" in home.cssselect(".citation-narrative")[0].text_content()
    code = [c.text_content() for c in home.cssselect("code")]
    assert "[@alpha2001]" in code
    assert "[@alpha2001]." in home.text_content().replace("`[@alpha2001]`", "")


def test_each_page_has_its_own_numbers(built: Build) -> None:
    # The evidence table and the claims table both cite rct2009: one number on this page.
    assert _citations(built.page("valerian/")) == [
        ("alpha2001", "1"),
        ("rct2009", "2"),
        ("rct2009", "2"),
    ]


def test_reference_list_is_in_the_table_of_contents(built: Build) -> None:
    path = built.root / "site" / "index.html"
    whole = lxml_html.fromstring(path.read_text(encoding="utf-8"))
    toc = [a.get("href") for a in whole.cssselect("nav.md-nav--secondary a")]
    assert "#references" in toc, toc


def test_bibliography_text_is_escaped(built: Build) -> None:
    home = built.page("")
    assert home.cssselect("script") == []
    assert all(a.get("onmouseover") is None for a in home.cssselect("a"))


def test_evidence_and_claim_tables_from_front_matter(built: Build) -> None:
    page = built.page("valerian/")
    rows = page.cssselect("table.evidence-table tbody tr")
    assert [(r.get("data-level"), r.get("data-result")) for r in rows] == [("2", "no-difference")]
    assert rows[0].cssselect("b") == [] and "<b>improved</b>" in rows[0].text_content()
    assert len(page.cssselect("table.claims-table tbody tr")) == 1
    assert "design: rct" not in page.text_content()


def test_problems_are_printed_with_path_and_line(built: Build) -> None:
    assert (
        "docs/typo.md:8: unknown citation key 'alpa2001'; did you mean 'alpha2001'?" in built.output
    ), built.output
    assert "Traceback" not in built.output


def test_the_engine_stylesheet_and_script_are_served(built: Build) -> None:
    path = built.root / "site" / "index.html"
    whole = lxml_html.fromstring(path.read_text(encoding="utf-8"))
    assert any(
        (link.get("href") or "").endswith("assets/monograph/monograph.css")
        for link in whole.cssselect('link[rel="stylesheet"]')
    )
    assert (built.root / "site" / "assets" / "monograph" / "evidence.js").is_file()


def test_strict_fails_the_build_in_one_line(zensical: Path, tmp_path: Path) -> None:
    # Without `watch: [refs.bib]`, which the extension asks for once.
    _write_site(tmp_path, {"typo.md": PAGES["typo.md"]}, MKDOCS_YML + "strict: true\n")
    result = _build(zensical, tmp_path, "--clean")
    assert result.returncode == 1, result.output
    assert "docs/typo.md:8: unknown citation key 'alpa2001'" in result.output
    assert "mkdocs.yml: 'refs.bib' is not in the 'watch' list of mkdocs.yml" in result.output
    assert "the build failed because of the problems listed above" in result.output
    assert "Traceback" not in result.output
    # The page with the problem is not cached: the next build fails again.
    again = _build(zensical, tmp_path)
    assert again.returncode == 1, again.output


def test_a_second_build_keeps_unchanged_pages_resolved(built: Build, zensical: Path) -> None:
    page = built.root / "docs" / "valerian.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nAdded [@beta2002].\n", "utf-8")
    again = _build(zensical, built.root)
    assert again.returncode == 0, again.output
    assert _citations(built.page("valerian/"))[-1] == ("beta2002", "3")
    assert _citations(built.page(""))[0] == ("beta2002", "1")
    assert "watch:" not in again.output  # the site watches refs.bib: no warning


def test_an_edited_bib_reaches_every_page_through_watch(built: Build, zensical: Path) -> None:
    bib = built.root / "refs.bib"
    bib.write_text(bib.read_text("utf-8").replace("{First work}", "{First work, revised}"), "utf-8")
    again = _build(zensical, built.root)
    assert again.returncode == 0, again.output
    link = built.page("").cssselect('a.citation[data-cite="alpha2001"]')[0]
    assert "First work, revised." in (link.get("title") or "")


def _as_the_guide_says(config: str) -> str:
    """This monograph's mkdocs.yml with the additions plugins/ZENSICAL.md lists."""
    extension = "markdown_extensions:\n  - monograph:\n      bib_file: refs.bib\n"
    assert "markdown_extensions:\n" in config and "\nextra_css:" not in config
    config = config.replace("markdown_extensions:\n", extension, 1)
    if "\nwatch:\n" in config:
        config = config.replace("\nwatch:\n", "\nwatch:\n  - refs.bib\n", 1)
    else:
        config += "\nwatch:\n  - refs.bib\n"
    return config + ZENSICAL_LINES.replace("watch:\n  - refs.bib\n", "")


def test_the_monograph_itself_builds_with_zensical(zensical: Path, tmp_path: Path) -> None:
    root = tmp_path / "monograph"
    for name in ("docs", "includes", "overrides"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "refs.bib", root / "refs.bib")
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(_as_the_guide_says(config), encoding="utf-8")
    copied = _run(zensical.parent / "python", "-m", "monograph.copy_assets", cwd=root)
    assert copied.returncode == 0, _last_lines(copied)
    result = _build(zensical, root, "--clean")
    assert result.returncode == 0, result.output
    assert "WARNING" not in result.output, result.output
    build = Build(root, result.returncode, result.output)
    pages = sorted(p.parent.relative_to(root / "site") for p in root.glob("site/**/index.html"))
    cited = tables = 0
    for url in pages:
        article = build.page(str(url) if str(url) != "." else "")
        text = article.text_content()
        assert "[@" not in text, f"{url}: a citation left as written"
        assert "monograph-cite" not in lxml_html.tostring(article, encoding="unicode")
        cited += len(article.cssselect("a.citation"))
        tables += len(article.cssselect("table.evidence-table"))
    assert len(pages) > 10 and cited > 100 and tables > 0, (len(pages), cited, tables)


def test_zensical_toml_works_the_same(zensical: Path, tmp_path: Path) -> None:
    """Zensical's own configuration format, with the same settings in TOML."""
    _write_site(tmp_path, {"typo.md": PAGES["typo.md"]}, "")
    (tmp_path / "mkdocs.yml").unlink()
    (tmp_path / "zensical.toml").write_text(ZENSICAL_TOML, encoding="utf-8")
    result = _build(zensical, tmp_path, "--clean")
    assert result.returncode == 1, result.output  # strict = true
    assert "zensical.toml: unknown option 'styel'" in result.output
    assert "docs/typo.md:8: unknown citation key 'alpa2001'" in result.output
