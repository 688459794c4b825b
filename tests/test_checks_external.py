"""The external checker against a loopback HTTP server started by the test (no other network)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from monograph.checks.cli import main
from monograph.checks.fetch import Fetcher, RateLimiter, retry_after
from monograph.checks.settings import CheckSettings
from monograph.checks.targets import SourcePlace, Targets, markdown_urls

PAGE = b'<!doctype html><html><body><h1 id="here">Here</h1><a name="old"></a></body></html>'


class _Handler(BaseHTTPRequestHandler):
    hits: dict[str, int]
    esummary_times: list[float]
    lock = threading.Lock()

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            for name, value in (headers or {"Content-Type": "text/html"}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the slow route)

    def _json(self, status: int, data: object) -> None:
        self._send(status, json.dumps(data).encode(), {"Content-Type": "application/json"})

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        with self.lock:
            self.hits[parts.path] = count = self.hits.get(parts.path, 0) + 1
        routes = {
            "/ok": lambda: self._send(200, PAGE),
            "/r1": lambda: self._send(301, headers={"Location": "/r2"}),
            "/r2": lambda: self._send(301, headers={"Location": "/ok"}),
            "/gone": lambda: self._send(404, b"gone"),
            "/forbidden": lambda: self._send(403, b"no robots"),
            "/flaky": lambda: (
                self._send(200, PAGE)
                if count > 1
                else self._send(429, headers={"Retry-After": "1"})
            ),
            "/busy": lambda: (
                self._send(200, PAGE)
                if count > 1
                else self._send(503, headers={"Retry-After": "1"})
            ),
            "/down": lambda: self._send(503, headers={"Retry-After": "1"}),
            "/later": lambda: self._send(503, headers={"Retry-After": "120"}),
            "/slow": self._slow,
            "/entrez/eutils/esummary.fcgi": lambda: self._esummary(parts.query),
        }
        if parts.path.startswith("/api/handles/"):
            self._handle(parts.path[len("/api/handles/") :])
        else:
            routes.get(parts.path, lambda: self._send(404))()

    def _slow(self) -> None:
        time.sleep(2.5)
        self._send(200, PAGE)

    def _handle(self, doi: str) -> None:
        if doi == "10.1000/good":
            self._json(200, {"responseCode": 1, "handle": doi, "values": []})
        else:
            self._json(404, {"responseCode": 100, "handle": doi})

    def _esummary(self, query: str) -> None:
        with self.lock:
            self.esummary_times.append(time.monotonic())
        ids = parse_qs(query)["id"][0].split(",")
        result: dict[str, object] = {"uids": ids}
        for pmid in ids:
            ok = pmid == "111"
            result[pmid] = {"uid": pmid, "title": "T"} if ok else {"uid": pmid, "error": "no"}
        self._json(200, {"header": {"type": "esummary"}, "result": result})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 drops concurrent connections under load


@pytest.fixture
def server() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {"hits": {}, "esummary_times": []})
    httpd = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Send anything not on loopback to a closed port, so no test can reach the internet."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    for name in ("ALL_PROXY", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.setenv(name, closed)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


def _project(root: Path, base: str) -> Path:
    files = {
        "mkdocs.yml": (
            "site_name: External\ntheme: mkdocs\nnav:\n  - index.md\n"
            "plugins:\n  - monograph:\n      bib_file: refs.bib\n      cache_dir: ''\n"
        ),
        "pyproject.toml": (
            "[tool.monograph.checks]\n"
            'exclude = ["cdnjs\\\\.cloudflare\\\\.com", "mkdocs\\\\.org"]\n'
            "timeout = 1.0\nretries = 1\nbackoff = 0.1\nper_host = 8\neutils_rate = 10\n"
        ),
        "refs.bib": (
            "@article{good2020,\n  author = {Good, A},\n  title = {T},\n  journal = {J},\n"
            "  year = {2020},\n  doi = {10.1000/good},\n  pmid = {111},\n"
            f"  url = {{{base}/ok}},\n}}\n\n"
            "@article{bad2021,\n  author = {Bad, B},\n  title = {T},\n  journal = {J},\n"
            "  year = {2021},\n  doi = {10.1000/bad},\n  pmid = {222},\n}\n"
        ),
        "docs/index.md": "\n".join(
            [
                "# Links",
                "",
                f"Cited [@good2020; @bad2021]. [ok]({base}/ok#here) and <{base}/ok#old>.",
                f"[redirected]({base}/r1)",
                f"[gone]({base}/gone)",
                f"[flaky]({base}/flaky) [busy]({base}/busy)",
                f"[down]({base}/down)",
                f"[later]({base}/later)",
                f"[slow]({base}/slow)",
                f"[forbidden]({base}/forbidden)",
                f"[no such fragment]({base}/ok#nowhere)",
                "",
                "```",
                f"{base}/in-a-code-block-is-not-checked",
                "```",
                "",
            ]
        ),
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root / "mkdocs.yml"


def _check(
    config: Path, base: str, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, dict]:
    argv = ["external", "--config", str(config), "--doi-base", base, "--eutils-base", base]
    status = main([*argv, "--format", "json", *extra])
    return status, json.loads(capsys.readouterr().out)


def test_external_links_dois_and_pmids(
    tmp_path: Path,
    server: tuple[str, type[_Handler]],
    no_internet: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base, handler = server
    config = _project(tmp_path, base)
    started = time.monotonic()
    status, report = _check(config, base, capsys)
    elapsed = time.monotonic() - started
    assert status == 1
    found = {(p["code"], p["path"], p["line"], p["severity"]) for p in report["problems"]}
    assert found == {
        ("external.redirect", "docs/index.md", 4, "info"),
        ("external.status", "docs/index.md", 5, "error"),
        ("external.status", "docs/index.md", 7, "error"),
        ("external.status", "docs/index.md", 8, "error"),
        ("external.timeout", "docs/index.md", 9, "error"),
        ("external.refused", "docs/index.md", 10, "warning"),
        ("external.anchor_missing", "docs/index.md", 11, "error"),
        ("external.doi_not_found", "refs.bib", 11, "error"),
        ("external.pmid_not_found", "refs.bib", 11, "error"),
    }
    messages = {p["line"]: p["message"] for p in report["problems"] if p["path"] == "docs/index.md"}
    assert (
        messages[4]
        == f"'{base}/r1' redirects to '{base}/ok' (301 -> 301); link to the final address"
    )
    assert "answers HTTP 404 (1 attempt)" in messages[5]
    assert "still answers HTTP 503 after 2 attempts (Retry-After: 1 s)" in messages[7]
    assert "still answers HTTP 503 after 1 attempt (Retry-After: 120 s)" in messages[8]
    assert "did not answer within 1 s (2 attempts)" in messages[9]
    assert "no element with id 'nowhere'" in messages[11]
    # 429 and 503 with Retry-After: 1 were retried once, after waiting, then passed.
    assert handler.hits["/flaky"] == 2
    assert handler.hits["/busy"] == 2
    assert handler.hits["/down"] == 2
    assert handler.hits["/later"] == 1
    assert "/in-a-code-block-is-not-checked" not in handler.hits
    assert len(handler.esummary_times) == 1  # both PMIDs in one request
    summary = report["summary"]
    assert (summary["urls"], summary["DOIs"], summary["PMIDs"]) == (12, 2, 2)
    assert summary["excluded"] >= 1  # the theme's CDN and footer links
    assert elapsed < 10


def test_successes_are_cached_and_failures_checked_again(
    tmp_path: Path,
    server: tuple[str, type[_Handler]],
    no_internet: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base, handler = server
    config = _project(tmp_path, base)
    first_status, first = _check(config, base, capsys, "--exclude", "/(slow|down|flaky|busy)")
    cache = json.loads((tmp_path / ".cache" / "monograph" / "links.json").read_text("utf-8"))
    keys = set(cache["entries"])
    assert f"url:{base}/ok#here" in keys
    assert "doi:10.1000/good" in keys and "pmid:111" in keys
    assert not any("gone" in k or "bad" in k or "222" in k for k in keys)  # failures not cached
    hits_before = dict(handler.hits)
    second_status, second = _check(config, base, capsys, "--exclude", "/(slow|down|flaky|busy)")
    assert second_status == first_status == 1
    assert second["summary"]["from cache"] >= 5
    assert second["summary"]["requests"] < first["summary"]["requests"]
    # ok#here, ok#old and the bibliography's url are cached; only ok#nowhere (failed) is fetched.
    assert handler.hits["/ok"] == hits_before["/ok"] + 1
    assert handler.hits["/gone"] == hits_before["/gone"] + 1  # checked again
    codes = sorted(p["code"] for p in second["problems"])
    assert codes == sorted(p["code"] for p in first["problems"])  # redirect note kept
    _, third = _check(config, base, capsys, "--exclude", "/(slow|down|flaky|busy)", "--no-cache")
    assert third["summary"]["from cache"] == 0


def test_markdown_urls_outside_code() -> None:
    text = (
        "See <https://a.example/x>, and [b](https://b.example/p_(q)).\n"
        "~~~\nhttps://code.example/\n~~~\n"
        "Plain https://c.example/y. End\n"
        '<svg xmlns="http://www.w3.org/2000/svg"><a href="https://d.example/">d</a></svg>\n'
    )
    assert markdown_urls(text) == [
        ("https://a.example/x", 1),
        ("https://b.example/p_(q)", 1),
        ("https://c.example/y", 5),
        ("https://d.example/", 6),
    ]


def test_markdown_urls_follow_the_engines_fence_rule() -> None:
    # A longer fence holds a shorter one (CommonMark); the citation locator reads it the same way.
    text = "````\n```\nhttps://in.example/\n```\n````\nhttps://out.example/\n"
    assert markdown_urls(text) == [("https://out.example/", 6)]


def test_registry_links_become_dois_and_pmids() -> None:
    targets = Targets()
    place = SourcePlace("docs/a.md", 1)
    targets.add_url("https://doi.org/10.1002/14651858.CD007834.pub3", place)
    targets.add_url("https://pubmed.ncbi.nlm.nih.gov/30609006/", place)
    targets.add_url("https://example.org/", place)
    assert list(targets.dois) == ["10.1002/14651858.CD007834.pub3"]
    assert list(targets.pmids) == ["30609006"]
    assert list(targets.urls) == ["https://example.org/"]


def test_retry_after_parses_seconds_and_dates() -> None:
    assert retry_after("7") == 7.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after("soon") is None
    assert retry_after(None) is None


def test_rate_limiter_spaces_requests() -> None:
    async def four() -> float:
        limiter = RateLimiter(10.0)
        start = asyncio.get_running_loop().time()
        for _ in range(4):
            await limiter.wait()
        return asyncio.get_running_loop().time() - start

    assert asyncio.run(four()) >= 0.29


def test_unreachable_and_invalid_urls_are_reported_not_raised(no_internet: None) -> None:
    async def fetch(url: str) -> str | None:
        async with httpx.AsyncClient(timeout=2) as client:
            fetcher = Fetcher(client, CheckSettings(retries=1, backoff=0.01))
            return (await fetcher.get(url)).error

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    error = asyncio.run(fetch(closed))
    assert error is not None and error.startswith("unreachable: ")
    invalid = asyncio.run(fetch("http://[::1/"))
    assert invalid is not None and invalid.startswith("unreachable: ")
