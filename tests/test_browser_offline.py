"""The offline edition in a real browser: Debian's chromium, opened from ``file://``, no network.

Every request that is not for a ``file:`` URL is aborted and counted; the edition must make none.
Screenshots of the home page and an intervention page, light and dark, go to ``test-artifacts/``.
Needs ``/usr/bin/chromium`` (``make browser-deps``) and the iframe-worker shim (``make vendor``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .conftest import REPO, attach

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed at /usr/bin/chromium: run `make browser-deps` "
        "(as root) to run the browser tests",
    ),
]

sync_api = pytest.importorskip("playwright.sync_api")


@dataclass
class Session:
    """One browser context with every request recorded and every non-file request aborted."""

    context: sync_api.BrowserContext
    blocked: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def open(self, path: Path) -> sync_api.Page:
        page = self.context.new_page()
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        return page

    @property
    def errors(self) -> list[str]:
        return [m for m in self.console if m.startswith(("error", "pageerror"))]


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def _session(browser: sync_api.Browser, scheme: str) -> Iterator[Session]:
    context = browser.new_context(
        color_scheme=scheme,  # type: ignore[arg-type]
        viewport={"width": 1280, "height": 900},
    )
    session = Session(context)

    def route(route: sync_api.Route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort()

    def record(request: sync_api.Request) -> None:
        # Fired for every request, routed or not (workers, iframes), before it is aborted.
        if not request.url.startswith("file:"):
            session.blocked.append(request.url)

    context.route("**/*", route)
    context.on("request", record)
    yield session
    context.close()


@pytest.fixture
def light(browser: sync_api.Browser) -> Iterator[Session]:
    yield from _session(browser, "light")


@pytest.fixture
def dark(browser: sync_api.Browser) -> Iterator[Session]:
    yield from _session(browser, "dark")


PAGES = [
    "index.html",
    "interventions/iron.html",
    "pathophysiology/dopamine.html",
    "evidence/index.html",
    "references.html",
    "glossary.html",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_make_no_network_request_and_log_no_error(
    offline_site: Path, light: Session, path: str
) -> None:
    page = light.open(offline_site / path)
    page.wait_for_timeout(500)  # let deferred scripts (search worker, tooltips) start
    assert light.blocked == []
    assert light.errors == []
    assert page.locator("article h1").count() == 1


def test_search_for_ferritin_lists_the_iron_pages(offline_site: Path, light: Session) -> None:
    page = light.open(offline_site / "index.html")
    page.locator("input.md-search__input").click()
    page.keyboard.type("ferritin")
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    hrefs = [
        a.get_attribute("href") or ""
        for a in page.locator(".md-search-result__item a.md-search-result__link").all()
    ]
    pages = {href.split("?")[0].removeprefix(offline_site.as_uri() + "/") for href in hrefs}
    assert {"interventions/iron.html", "pathophysiology/iron.html"} <= pages
    assert light.blocked == []
    assert light.errors == []


def test_search_ranks_pages_titled_iron_first(offline_site: Path, light: Session) -> None:
    page = light.open(offline_site / "index.html")
    page.locator("input.md-search__input").click()
    page.keyboard.type("iron")
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    # Material lists one item per page (its sections nested); the first two are the Iron pages.
    items = page.locator("ol.md-search-result__list > li.md-search-result__item").all()
    firsts = [item.locator("a.md-search-result__link").first for item in items[:2]]
    top = [(a.get_attribute("href") or "").split("#")[0].split("?")[0] for a in firsts]
    pages = {href.removeprefix(offline_site.as_uri() + "/") for href in top}
    assert pages == {"interventions/iron.html", "pathophysiology/iron.html"}


def test_a_citation_shows_its_reference_on_hover(offline_site: Path, light: Session) -> None:
    page = light.open(offline_site / "interventions" / "iron.html")
    citation = page.locator("article a.citation").first
    reference = citation.get_attribute("title") or ""
    assert reference.endswith(".")
    citation.hover()
    tooltip = page.locator(".md-tooltip2--active[role=tooltip]")
    tooltip.wait_for(state="visible", timeout=5000)
    assert tooltip.inner_text().strip() == reference


def test_a_back_link_lands_on_the_citing_element(offline_site: Path, light: Session) -> None:
    page = light.open(offline_site / "references.html")
    backref = page.locator("a.citation-backref[href^='interventions/iron.html#cite-']").first
    target_id = (backref.get_attribute("href") or "").partition("#")[2]
    backref.click()
    page.wait_for_load_state("load")
    assert page.url == (offline_site / "interventions" / "iron.html").as_uri() + f"#{target_id}"
    landed = page.evaluate(
        """() => {
            const el = document.querySelector(':target');
            if (!el) return null;
            const box = el.getBoundingClientRect();
            return {id: el.id, cls: el.className, top: box.top, bottom: box.bottom,
                    height: window.innerHeight};
        }"""
    )
    assert landed is not None
    assert landed["id"] == target_id
    assert "citation" in landed["cls"].split()
    assert landed["top"] >= 0 and landed["bottom"] <= landed["height"]
    assert light.blocked == []


def test_evidence_table_and_diagram_are_shown(offline_site: Path, light: Session) -> None:
    page = light.open(offline_site / "interventions" / "iron.html")
    table = page.locator("table.evidence-table")
    assert table.is_visible()
    assert table.locator("tbody tr").count() >= 1
    diagram = light.open(offline_site / "pathophysiology" / "dopamine.html").locator("figure svg")
    box = diagram.bounding_box()
    assert box is not None
    assert box["width"] > 300 and box["height"] > 50


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots(offline_site: Path, request: pytest.FixtureRequest, scheme: str) -> None:
    session: Session = request.getfixturevalue(scheme)
    ARTIFACTS.mkdir(exist_ok=True)
    expected = {"light": "default", "dark": "slate"}[scheme]
    for name, path in (("home", "index.html"), ("iron", "interventions/iron.html")):
        page = session.open(offline_site / path)
        assert page.evaluate("document.body.dataset.mdColorScheme") == expected
        shot = ARTIFACTS / f"offline-{name}-{scheme}.png"
        page.screenshot(path=str(shot), full_page=False)
        assert shot.stat().st_size > 10_000
        attach(shot)
    assert session.blocked == []
    assert session.errors == []
