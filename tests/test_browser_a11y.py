"""Accessibility and layout in a real browser: axe-core over every page, light and dark.

The offline edition is served from a local HTTP server (so its 404 page, which uses absolute
URLs, is styled as on a web server) and opened in Debian's chromium; every request that does not
go to that server is aborted. axe-core comes from the npm registry at the exact version pinned in
package.json/package-lock.json (``make axe``). Reports and screenshots go to ``test-artifacts/``;
their paths are listed under "attached test artifacts" at the end of the test run.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from .conftest import REPO, attach
from .test_browser_offline import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed at /usr/bin/chromium: run `make browser-deps`",
    ),
    pytest.mark.skipif(
        not AXE.exists(), reason="axe-core is not installed: run `make axe` (npm ci)"
    ),
]

sync_api = pytest.importorskip("playwright.sync_api")

#: axe impacts that fail the test (WCAG 2.2 AA: none of these on any page).
FAILING = ("serious", "critical")
#: Pages with an evidence or claim table, and the evidence summary.
TABLE_PAGES = [
    "interventions/iron.html",
    "interventions/valerian.html",
    "interventions/lavender.html",
    "interventions/tyrosine.html",
    "interventions/magnesium.html",
    "interventions/supporting-nutrients.html",
    "interventions/lifestyle.html",
    "evidence/index.html",
]
TABLES = "table.evidence-table, table.claims-table, table.evidence-summary, table.evidence-matrix"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def _serve(directory: Path) -> Iterator[str]:
    """Serve a built site on http://127.0.0.1:<port>/ while the block runs."""
    handler = functools.partial(_Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def served(offline_site: Path) -> Iterator[str]:
    """The offline edition on http://127.0.0.1:<port>/ for the duration of the module."""
    with _serve(offline_site) as url:
        yield url


@pytest.fixture(scope="module")
def served_online(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The website edition (mkdocs.yml: repository link, edit buttons), without its PDF."""
    out = tmp_path_factory.mktemp("online") / "site"
    cfg = load_config(str(REPO / "mkdocs.yml"), site_dir=str(out), strict=True)
    cfg.plugins["monograph"].config.pdf_file = None  # the PDF is tested on its own
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    build(cfg)
    with _serve(out) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def _context(
    browser: sync_api.Browser, base: str, scheme: str, width: int = 1280
) -> tuple[sync_api.BrowserContext, list[str]]:
    context = browser.new_context(
        color_scheme=scheme,  # type: ignore[arg-type]
        viewport={"width": width, "height": 900},
    )
    blocked: list[str] = []

    def route(route: sync_api.Route) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    return context, blocked


def _pages(site: Path) -> list[str]:
    return sorted(
        path.relative_to(site).as_posix()
        for path in site.rglob("*.html")
        if "vendor" not in path.relative_to(site).parts
    )


def _open(context: sync_api.BrowserContext, url: str) -> sync_api.Page:
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("load")
    return page


def _axe(page: sync_api.Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run(document, {
            rules: {'target-size': {enabled: true}},
            resultTypes: ['violations'],
        })"""
    )
    return [v for v in result["violations"] if v["impact"] in FAILING]


def _attach(path: Path) -> None:
    """Name a saved file in the test log (and the run's summary), so the output points at it."""
    print(f"attached: {path.relative_to(REPO)}")
    attach(path)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_or_critical_violation_on_any_page(
    offline_site: Path, served: str, browser: sync_api.Browser, scheme: str
) -> None:
    context, blocked = _context(browser, served, scheme)
    expected = {"light": "default", "dark": "slate"}[scheme]
    report: dict[str, list[dict[str, Any]]] = {}
    pages = _pages(offline_site)
    assert "404.html" in pages and "interventions/iron.html" in pages
    for path in pages:
        page = _open(context, served + path)
        assert page.evaluate("document.body.dataset.mdColorScheme") == expected, path
        found = _axe(page)
        if found:
            report[path] = [
                {
                    "rule": v["id"],
                    "impact": v["impact"],
                    "help": v["help"],
                    "nodes": [n["target"] for n in v["nodes"]],
                    "summary": v["nodes"][0]["failureSummary"],
                }
                for v in found
            ]
        page.close()
    context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    out = ARTIFACTS / f"axe-{scheme}.json"
    out.write_text(json.dumps({"pages": pages, "violations": report}, indent=1), encoding="utf-8")
    _attach(out)
    summary = {path: sorted({v["rule"] for v in found}) for path, found in report.items()}
    assert report == {}, f"axe: serious or critical violations (details in {out}): {summary}"
    assert blocked == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_website_edition_header_and_edit_links_pass_axe_and_ask_no_api(
    served_online: str, browser: sync_api.Browser, scheme: str
) -> None:
    # The website adds what the offline edition leaves out: the repository link in the header
    # and the edit button. Material would ask api.github.com for the repository's facts;
    # overrides/partials/source.html stops that, and every outside request is recorded here.
    context, blocked = _context(browser, served_online, scheme)
    found = {}
    for path in ("", "interventions/iron/", "references/"):
        page = _open(context, served_online + path)
        page.wait_for_timeout(500)  # Material fetches repository facts after load
        assert page.locator("a.md-source").count() >= 1  # header and mobile drawer
        assert page.locator("a.md-content__button").count() >= 1
        if violations := _axe(page):
            found[path] = sorted({v["id"] for v in violations})
        page.close()
    context.close()
    assert found == {}
    assert [url for url in blocked if "api.github.com" in url] == []
    assert blocked == []


def _overflow(page: sync_api.Page) -> list[dict[str, Any]]:
    """Every monograph table wider than its text column, and the page's own overflow."""
    return list(
        page.evaluate(
            """(selector) => {
                const out = [];
                const doc = document.documentElement;
                if (doc.scrollWidth > window.innerWidth + 1)
                    out.push({what: 'page', width: doc.scrollWidth, room: window.innerWidth});
                const article = document.querySelector('article');
                const room = article.getBoundingClientRect();
                for (const table of document.querySelectorAll(selector)) {
                    const box = table.getBoundingClientRect();
                    const wrap = table.parentElement;
                    if (box.width > room.width + 1 || box.right > room.right + 1
                        || wrap.scrollWidth > wrap.clientWidth + 1)
                        out.push({what: table.className, width: box.width, room: room.width});
                    for (const cell of table.querySelectorAll('tbody th, tbody td')) {
                        if (cell.scrollWidth > cell.clientWidth + 1)
                            out.push({what: table.className + ' cell', text:
                                cell.textContent.trim().slice(0, 40),
                                width: cell.scrollWidth, room: cell.clientWidth});
                    }
                }
                return out;
            }""",
            TABLES,
        )
    )


@pytest.mark.parametrize("width", [1280, 375])
def test_evidence_and_claim_tables_fit_the_text_column(
    served: str, browser: sync_api.Browser, width: int
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    problems: dict[str, list[dict[str, Any]]] = {}
    for scheme in ("light", "dark"):
        context, blocked = _context(browser, served, scheme, width)
        for path in TABLE_PAGES:
            page = _open(context, served + path)
            assert page.locator(TABLES).count() >= 1, path
            if found := _overflow(page):
                problems[f"{scheme} {path}"] = found
            table = page.locator(TABLES).first
            table.scroll_into_view_if_needed()
            shot = ARTIFACTS / f"tables-{width}-{scheme}-{path.replace('/', '-')[:-5]}.png"
            page.screenshot(path=str(shot), full_page=False)
            assert shot.stat().st_size > 10_000
            _attach(shot)
            page.close()
        context.close()
        assert blocked == []
    assert problems == {}


def test_keyboard_tabbing_reaches_citations_and_opens_their_preview(
    served: str, browser: sync_api.Browser
) -> None:
    context, blocked = _context(browser, served, "light")
    page = _open(context, served + "pathophysiology/index.html")
    assert page.locator("article a.citation-in-range").count() >= 1
    reached: list[dict[str, Any]] = []
    for _ in range(400):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const el = document.activeElement;
                const box = el.getBoundingClientRect();
                return {cls: el.className || '', inArticle: !!el.closest('article'),
                        width: box.width, height: box.height,
                        outline: getComputedStyle(el).outlineStyle};
            }"""
        )
        if focused["inArticle"] and "citation" in str(focused["cls"]).split():
            reached.append(focused)
            if len(reached) == 1:
                tooltip = page.locator(".md-tooltip2--active[role=tooltip]")
                tooltip.wait_for(state="visible", timeout=5000)
                # Material moves the title into the tooltip; the page's reference list has it.
                entry = page.evaluate(
                    """() => document.getElementById(
                        'ref-' + document.activeElement.dataset.cite
                    ).querySelector('.reference').textContent"""
                )
                assert tooltip.inner_text().strip() == entry.strip()
            if len(reached) >= 12:
                break
    assert len(reached) >= 12
    for focused in reached:
        assert "citation-in-range" not in focused["cls"].split()
        assert focused["width"] > 4 and focused["height"] > 4
        assert focused["outline"] != "none"
    shot = ARTIFACTS / "keyboard-citation-preview.png"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(shot))
    _attach(shot)
    context.close()
    assert blocked == []


def test_summary_table_sorts_by_keyboard(served: str, browser: sync_api.Browser) -> None:
    context, blocked = _context(browser, served, "light")
    page = _open(context, served + "evidence/index.html")
    table = page.locator("table.evidence-summary")
    first = table.locator("thead th").first
    names = table.locator("tbody tr > :first-child")
    before = [name.strip() for name in names.all_inner_texts()]
    first.focus()
    page.keyboard.press("Enter")
    assert first.get_attribute("aria-sort") == "ascending"
    ascending = [name.strip() for name in names.all_inner_texts()]
    assert ascending == sorted(before, key=str.casefold)
    page.keyboard.press(" ")
    assert first.get_attribute("aria-sort") == "descending"
    assert [name.strip() for name in names.all_inner_texts()] == ascending[::-1]
    context.close()
    assert blocked == []
