"""The fingerprint of a page's fill, and the numbering's index of places by page, on the core.

The build-level tests (``tests/test_build_reuse.py``) change each input of a site and compare
with a build from scratch; these check the fingerprint itself: equal inputs give equal prints
(also when the page's citation tokens are renumbered), and each input it reads changes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from monograph.core.bibliography.loading import Bibliography, load_bibliography
from monograph.core.citations.numbering import Numbering, PageInfo, number_citations
from monograph.core.citations.registry import CitationRegistry
from monograph.core.model import CitationGroup, CitationItem
from monograph.core.rendering import page_links, reuse
from monograph.core.rendering.citations import RenderContext
from monograph.core.rendering.reuse import FilledPages, fingerprint, site_digest
from monograph.core.styles.formatter import ReferenceFormatter

BIB = "\n".join(
    f"@article{{{key}, author = {{{name}, A}}, title = {{T {key}}}, journal = {{J}}, "
    f"year = {{2000}}}}"
    for key, name in [("a", "Ames"), ("b", "Bell"), ("c", "Cole")]
)


def _bib(tmp_path: Path, text: str = BIB) -> Bibliography:
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    return load_bibliography(path, "refs.bib")


def _group(*keys: str, locator: str = "", narrative: bool = False) -> CitationGroup:
    return CitationGroup(tuple(CitationItem(k, locator=locator) for k in keys), narrative)


class Site:
    """Two pages citing works: the second page's fingerprint, from the parts it reads."""

    def __init__(self, bib: Bibliography, *, padding: int = 0, title: str = "Two") -> None:
        self.registry = CitationRegistry()
        for _ in range(padding):  # groups of no page: the second page's tokens get other numbers
            self.registry.register(_group("a"))
        first = PageInfo("one.md", "one/", "One", self.registry.register(_group("a")))
        self.groups = [_group("b", locator="p. 2"), _group("a", "c", narrative=True)]
        tokens = [self.registry.register(group) for group in self.groups]
        self.html = f"<p>Text {tokens[0]} and {tokens[1]}.</p>"
        self.page = PageInfo("two.md", "two/", title, self.html, part="Part")
        self.bib = bib
        self.numbering = number_citations([first, self.page], self.registry, bib)
        self.formatter = ReferenceFormatter(bib)

    def print_(self, **changed: object) -> str:
        args: dict[str, object] = {
            "page_url": "two/",
            "bibliography_url": "refs/",
            "html": self.html,
            "settings": ("References", "references", date(2024, 1, 2)),
            "site": None,
        }
        args.update(changed)
        ctx = RenderContext(
            self.numbering,
            self.formatter,
            str(args["page_url"]),
            args["bibliography_url"],  # type: ignore[arg-type]
        )
        keys = self.numbering.page_keys["two.md"]
        return fingerprint(
            ctx,
            str(args["html"]),
            self.registry.groups,
            keys,
            args["settings"],  # type: ignore[arg-type]
            args["site"],  # type: ignore[arg-type]
            {},
        )


def test_the_same_inputs_give_the_same_print_whatever_the_token_numbers(tmp_path: Path) -> None:
    bib = _bib(tmp_path)
    site = Site(bib)
    assert site.print_() == Site(bib).print_()
    renumbered = Site(bib, padding=3)
    assert renumbered.html != site.html
    assert renumbered.print_() == site.print_()


def _other_reference(site: Site, tmp_path: Path) -> str:
    folder = tmp_path / "other"
    folder.mkdir()
    other = Site(_bib(folder, BIB.replace("T c", "Title c")))
    return other.print_()


CHANGES: dict[str, Callable[[Site, Path], str]] = {
    "page text": lambda site, _: site.print_(html=site.html.replace("Text", "Words")),
    "text moved across a token": lambda site, _: site.print_(
        html=site.html.replace("Text ", "").replace(" and", " and Text")
    ),
    "page URL": lambda site, _: site.print_(page_url="other/"),
    "bibliography URL": lambda site, _: site.print_(bibliography_url=None),
    "a setting": lambda site, _: site.print_(
        settings=("References", "references", date(2024, 1, 3))
    ),
    "the site's digest": lambda site, _: site.print_(site="0" * 64),
    "a locator": lambda site, _: _changed_group(site, 0, locator="p. 3"),
    "narrative": lambda site, _: _changed_group(site, 1, narrative=False),
    "an anchor": lambda site, _: _changed_anchor(site),
    "a number": lambda site, _: _changed_number(site),
    "a reference": _other_reference,
    "the page's title in back-links": lambda site, tmp: Site(site.bib, title="Deux").print_(),
}


def _changed_group(site: Site, index: int, **changes: object) -> str:
    position = site.registry.groups.index(site.groups[index])
    group = site.groups[index]
    if "locator" in changes:
        items = (replace(group.items[0], locator=str(changes["locator"])), *group.items[1:])
        site.registry.groups[position] = replace(group, items=items)
    else:
        site.registry.groups[position] = replace(group, narrative=bool(changes["narrative"]))
    return site.print_()


def _changed_anchor(site: Site) -> str:
    position = site.registry.groups.index(site.groups[0])
    site.numbering.anchors[position] = ("cite-b-9",)
    return site.print_()


def _changed_number(site: Site) -> str:
    site.numbering.numbers["c"] = 9
    return site.print_()


@pytest.mark.parametrize("change", list(CHANGES))
def test_each_input_changes_the_print(tmp_path: Path, change: str) -> None:
    site = Site(_bib(tmp_path))
    before = site.print_()
    assert CHANGES[change](site, tmp_path) != before


def test_the_site_digest_reads_every_place(tmp_path: Path) -> None:
    bib = _bib(tmp_path)
    site = Site(bib)
    ctx = RenderContext(site.numbering, site.formatter, "refs/", "refs/")
    before = site_digest(ctx)
    assert site_digest(ctx, {}) == before
    renamed = Site(bib, title="Deux")
    assert site_digest(RenderContext(renamed.numbering, site.formatter, "refs/", "refs/")) != before
    site.numbering.places["a"].pop()
    assert site_digest(ctx) != before


def test_places_at_a_url_are_the_places_filtered_by_that_url(tmp_path: Path) -> None:
    """As a page's reference list reads them, also when two pages share a URL."""
    bib = _bib(tmp_path)
    registry = CitationRegistry()
    pages = [
        PageInfo("one.md", "one/", "One", registry.register(_group("a", "b"))),
        PageInfo("two.md", "two/", "Two", registry.register(_group("b", "a", "b"))),
        PageInfo("two/index.md", "two/", "Two again", registry.register(_group("a"))),
    ]
    numbering = number_citations(pages, registry, bib)
    for url in ("one/", "two/", "three/"):
        expected = {
            key: [p for p in places if p.page.url == url]
            for key, places in numbering.places.items()
        }
        assert numbering.places_at(url) == {k: v for k, v in expected.items() if v}
    assert [p.page.title for p in numbering.places_at("two/")["a"]] == ["Two", "Two again"]
    assert Numbering().places_at("one/") == {}


def test_filled_pages_hold_none_until_a_page_of_this_engine_is_kept(tmp_path: Path) -> None:
    """Only then may a build fingerprint its pages as it fills them (none can be reused)."""
    assert FilledPages(None, "v1").holds_none()
    folder = tmp_path / "filled"
    pages = FilledPages(folder, "v1")
    assert pages.holds_none()  # no folder yet
    folder.mkdir()
    (folder / "other.json").write_text("{}", encoding="utf-8")
    FilledPages(folder, "v0").put("a" * 64, "<p>an older engine's page</p>")
    reuse._IN_MEMORY.clear()
    assert pages.holds_none()
    pages.put("b" * 64, "<p>kept</p>")
    assert not pages.holds_none()  # in this process's memory, and in the folder
    reuse._IN_MEMORY.clear()
    assert not FilledPages(folder, "v1").holds_none()  # in the folder: a later process
    assert FilledPages(folder, "v1").get("b" * 64) == "<p>kept</p>"


def test_a_kept_page_reads_back_as_it_was_filled(tmp_path: Path) -> None:
    """Byte for byte, as from this process's memory: no newline translation, lone surrogates."""
    page = "<p>a\r\nb\rc \ud800 \u203a</p>\n"
    FilledPages(tmp_path, "v1").put("c" * 64, page)
    reuse._IN_MEMORY.clear()
    kept = FilledPages(tmp_path, "v1")
    assert kept.get("c" * 64) == page
    assert FilledPages(tmp_path, "v1").get("d" * 64) is None
    # Hashed from the bytes as read, for the unsafe-link check: the digest of the page's text.
    assert kept.digest_of("c" * 64) == page_links._digest(page)
    assert kept.digest_of("d" * 64) is None
