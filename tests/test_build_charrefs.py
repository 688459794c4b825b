"""What the engine places in a page is written in ASCII; the author's own text is left as written.

A character beyond Latin-1 in a citation or a reference list (the back-link's ``↩``, an ``ř`` in
a name) made the whole rendered page a two-byte string for MkDocs to join and encode
(``monograph.core.charrefs``). The pages must read the same: the characters come back when the
HTML is parsed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import BuiltSite, SiteBuilder
from .test_build_evidence import BIB as EVIDENCE_BIB
from .test_build_evidence import SUMMARY, VALERIAN

BIB = (
    EVIDENCE_BIB
    + r"""
@article{dvorak2015, author = {Dvo{\v{r}}{\'a}k, Ji{\v{r}}{\'\i} and Wi{\'s}niewska, Ewa},
  title = {Sleep in {\O}rsted's cohort}, journal = {Acta Neurol Scand}, year = {2015}, pmid = {77}}
"""
)

PAGES = {
    "index.md": "# Home\n\nIron was studied [@dvorak2015]; again [@dvorak2015; @rct2009].\n",
    "own.md": "# Willis–Ekbom disease\n\nThe author’s own words stay as written [@dvorak2015].\n",
    "valerian.md": VALERIAN,
    "summary.md": SUMMARY,
    "references.md": "# Bibliography\n\n<!-- monograph:bibliography -->\n",
}
NAV = ["index.md", {"Own words": "own.md"}, "valerian.md", "summary.md", "references.md"]
NAME = "Dvořák J, Wiśniewska E"


def _raw(site: BuiltSite, url: str) -> str:
    """The page's file as written (the home page's build date aside)."""
    text = (site.site / url / "index.html").read_text(encoding="utf-8")
    return text.partition("Build Date UTC")[0]


def _check(site: BuiltSite) -> None:
    assert site.aborted is None, site.warnings
    for url in ("", "valerian/", "summary/", "references/"):
        assert _raw(site, url).isascii(), url  # the theme and the author's text are ASCII too
    home = site.page("")
    first = home.cssselect("a.citation")[0]
    assert (first.get("title") or "").startswith(f"{NAME}. Sleep in Ørsted's cohort.")
    [entry] = [li for li in home.cssselect("ol.references > li") if "Dvořák" in li.text_content()]
    assert [a.text_content() for a in entry.cssselect("a.citation-backref")] == ["↩", "↩"]
    bibliography = site.page("references/")
    assert NAME in bibliography.cssselect("ol.bibliography")[0].text_content()
    valerian = site.page("valerian/")
    animal = valerian.cssselect("table.evidence-table tbody tr")[1].text_content()
    assert "▲ Benefit" in animal  # its symbols are read as themselves
    # A page whose own text is not ASCII keeps it as written; the engine's part is references.
    own = _raw(site, "own/")
    assert '<h1 id="willisekbom-disease">Willis–Ekbom disease</h1>' in own
    assert "author’s own words" in own
    assert "Dvořák" not in own and "Dvo&#345;&#225;k" in own
    assert NAME in site.page("own/").cssselect("ol.references")[0].text_content()


@pytest.mark.parametrize("parallel", [True, False])
def test_engine_fragments_are_ascii_in_a_first_and_a_warm_build(
    build_site: SiteBuilder, parallel: bool
) -> None:
    """Filled in two processes or one; then found among the kept pages."""
    options = {"cache_dir": ".cache", "parallel": parallel}
    first = build_site(PAGES, BIB, nav=NAV, strict=True, **options)
    _check(first)
    kept = {url: _raw(first, url) for url in ("", "own/", "valerian/", "references/")}
    warm = build_site(PAGES, None, nav=NAV, strict=True, **options)
    _check(warm)
    assert {url: _raw(warm, url) for url in kept} == kept
    assert any(Path(warm.root, ".cache").rglob("*")), "the pages were kept"
