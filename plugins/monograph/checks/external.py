"""``make check-external``: every distinct external URL, DOI and PMID of the project, verified.

What is checked comes from :mod:`monograph.checks.targets`; how requests are made (limits,
timeouts, retries honouring ``Retry-After``, redirects) from :mod:`monograph.checks.fetch`, which
also records why httpx was chosen over lychee; DOIs and PMIDs go through their registries
(:mod:`monograph.checks.registries`). Successes are cached (:mod:`monograph.checks.cache`).

This check needs the network, so it is opt-in and never part of ``make test``; its base URLs are
settings (``doi_base``, ``eutils_base``) so tests can point them at a loopback server.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from lxml import etree

from monograph.checks.build import Project
from monograph.checks.cache import LinkCache
from monograph.checks.fetch import Fetched, Fetcher, RateLimiter
from monograph.checks.internal import edit_prefix
from monograph.checks.registries import FOUND, NOT_FOUND, check_doi, check_pmids
from monograph.checks.settings import CheckSettings
from monograph.checks.targets import SourcePlace, Targets, collect
from monograph.core.model import Problem, Severity

#: Statuses that mean "the server will not talk to robots" rather than "the page is gone".
_REFUSING = frozenset({401, 403, 999})


@dataclass
class ExternalResult:
    """The outcome of an external check.

    Attributes:
        problems: Broken links, unregistered DOIs, unknown PMIDs, and redirects (info).
        summary: What was checked, and how much came from the cache.
    """

    problems: list[Problem]
    summary: dict[str, object] = field(default_factory=dict)


def _problem(code: str, message: str, places: list[SourcePlace], severity: Severity) -> Problem:
    first = places[0] if places else SourcePlace("")
    if len(places) > 1:
        message += f" (also at {len(places) - 1} other place{'s' if len(places) > 2 else ''})"
    return Problem(code, message, first.path or None, first.line, severity)


def _exclude(targets: Targets, settings: CheckSettings) -> int:
    patterns = settings.excludes()
    if not patterns:
        return 0
    forms: dict[str, Any] = {
        "urls": lambda v: [v],
        "dois": lambda v: [v, f"https://doi.org/{v}"],
        "pmids": lambda v: [v, f"https://pubmed.ncbi.nlm.nih.gov/{v}/"],
    }
    dropped = 0
    for kind, spell in forms.items():
        table: dict[str, list[SourcePlace]] = getattr(targets, kind)
        for value in list(table):
            if any(p.search(form) for p in patterns for form in spell(value)):
                del table[value]
                dropped += 1
    return dropped


def check_external(
    project: Project,
    settings: CheckSettings,
    *,
    use_cache: bool = True,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ExternalResult:
    """Check every external URL, DOI and PMID of the project.

    Arguments:
        project: The project (its site already built).
        settings: Limits, base URLs, excludes and cache.
        use_cache: Read and update the cache of successes.
        transport: An httpx transport to use instead of the network (tests).

    Returns:
        The problems and a summary.
    """
    started = time.monotonic()
    targets = collect(project, edit_prefix(project.repo_url, project.edit_uri))
    excluded = _exclude(targets, settings)
    cache = LinkCache(project.root / settings.cache_file, settings.cache_ttl_hours * 3600)
    run = _Run(settings, cache if use_cache else None)
    problems, requests = asyncio.run(run.all(targets, transport))
    if use_cache:
        cache.save()
    summary: dict[str, object] = {
        "urls": len(targets.urls),
        "DOIs": len(targets.dois),
        "PMIDs": len(targets.pmids),
        "excluded": excluded,
        "from cache": cache.hits if use_cache else 0,
        "requests": requests,
        "seconds": round(time.monotonic() - started, 1),
    }
    return ExternalResult(problems, summary)


class _Run:
    """One external check: the settings, the cache and the problems found so far."""

    def __init__(self, settings: CheckSettings, cache: LinkCache | None) -> None:
        self.settings = settings
        self.cache = cache
        self.problems: list[Problem] = []

    def cached(self, key: str) -> dict[str, Any] | None:
        return self.cache.get(key) if self.cache is not None else None

    def remember(self, key: str, **details: Any) -> None:
        if self.cache is not None:
            self.cache.put(key, **details)

    async def all(
        self, targets: Targets, transport: httpx.AsyncBaseTransport | None
    ) -> tuple[list[Problem], int]:
        headers = {"User-Agent": self.settings.user_agent}
        async with httpx.AsyncClient(
            timeout=self.settings.timeout, headers=headers, transport=transport, max_redirects=10
        ) as client:
            fetcher = Fetcher(client, self.settings)
            jobs = [self.url(fetcher, url, places) for url, places in targets.urls.items()]
            jobs += [self.doi(fetcher, doi, places) for doi, places in targets.dois.items()]
            jobs.append(self.pmids(fetcher, targets.pmids))
            await asyncio.gather(*jobs)
        return self.problems, fetcher.requests

    async def url(self, fetcher: Fetcher, url: str, places: list[SourcePlace]) -> None:
        key = f"url:{url}"
        record = self.cached(key)
        if record is None:
            base, _, fragment = url.partition("#")
            fragment = fragment if _checkable(fragment) and self.settings.check_fragments else ""
            fetched = await fetcher.get(base, want_body=bool(fragment))
            found = _url_problems(url, fragment, fetched, places, self.settings)
            self.problems += found
            if not any(p.severity != "info" for p in found):
                self.remember(key, final=fetched.final_url, redirects=fetched.redirects)
            return
        if record.get("redirects"):
            redirects = [(int(s), str(loc)) for s, loc in record["redirects"]]
            self.problems.append(_redirect(url, str(record.get("final")), redirects, places))

    async def doi(self, fetcher: Fetcher, doi: str, places: list[SourcePlace]) -> None:
        key = f"doi:{doi.lower()}"
        if self.cached(key) is not None:
            return
        verdict, detail = await check_doi(fetcher, self.settings.doi_base, doi)
        if verdict == FOUND:
            self.remember(key)
        elif verdict == NOT_FOUND:
            message = (
                f"DOI '{doi}' is not registered at doi.org; check it against the article "
                "(PubMed or the journal's page) and correct the doi field"
            )
            self.problems.append(_problem("external.doi_not_found", message, places, "error"))
        else:
            message = f"could not verify DOI '{doi}' ({detail}); run the check again later"
            self.problems.append(_problem("external.lookup_failed", message, places, "warning"))

    async def pmids(self, fetcher: Fetcher, pmids: dict[str, list[SourcePlace]]) -> None:
        wanted = [p for p in pmids if p.isdigit() and self.cached(f"pmid:{p}") is None]
        if not wanted:
            return
        limiter = RateLimiter(self.settings.eutils_rate)
        verdicts = await check_pmids(fetcher, self.settings.eutils_base, wanted, limiter)
        for pmid, (verdict, detail) in verdicts.items():
            if verdict == FOUND:
                self.remember(f"pmid:{pmid}")
                continue
            severity: Severity
            if verdict == NOT_FOUND:
                code, severity = "external.pmid_not_found", "error"
                message = (
                    f"PMID '{pmid}' is not in PubMed; check it against the article and correct "
                    "the pmid field"
                )
            else:
                code, severity = "external.lookup_failed", "warning"
                message = f"could not verify PMID '{pmid}' ({detail}); run the check again later"
            self.problems.append(_problem(code, message, pmids[pmid], severity))


def _checkable(fragment: str) -> bool:
    # "#/route" and "#!x" are client-side routes; ":~:" is a text fragment: no element to find.
    return bool(fragment) and not fragment.startswith(("/", "!")) and ":~:" not in fragment


def _redirect(
    url: str, final: str, redirects: list[tuple[int, str]], places: list[SourcePlace]
) -> Problem:
    chain = " -> ".join(str(status) for status, _ in redirects)
    message = f"'{url}' redirects to '{final}' ({chain}); link to the final address"
    return _problem("external.redirect", message, places, "info")


def _url_problems(
    url: str, fragment: str, fetched: Fetched, places: list[SourcePlace], settings: CheckSettings
) -> list[Problem]:
    found: list[Problem] = []
    if fetched.redirects:
        found.append(_redirect(url, fetched.final_url, fetched.redirects, places))
    tries = f"{fetched.attempts} attempt{'s' if fetched.attempts != 1 else ''}"
    if fetched.error == "timeout":
        message = (
            f"'{url}' did not answer within {settings.timeout:g} s ({tries}); open it in a "
            "browser, and if it works but is slow, add it to exclude"
        )
        return [*found, _problem("external.timeout", message, places, "error")]
    if fetched.error is not None:
        message = f"'{url}' cannot be reached ({fetched.error}); correct the address or remove it"
        return [*found, _problem("external.unreachable", message, places, "error")]
    status = fetched.status or 0
    if status >= 400:
        return [*found, _status_problem(url, status, tries, fetched, places)]
    if fragment and "html" in fetched.content_type and not _has_anchor(fetched.body, fragment):
        message = (
            f"'{url}': the page has no element with id '{fragment}'; correct the fragment or "
            "link to the page without it"
        )
        found.append(_problem("external.anchor_missing", message, places, "error"))
    return found


def _status_problem(
    url: str, status: int, tries: str, fetched: Fetched, places: list[SourcePlace]
) -> Problem:
    if status in _REFUSING:
        message = (
            f"'{url}' answers HTTP {status} to automated requests; open it in a browser, and if "
            "it works add it to exclude in [tool.monograph.checks]"
        )
        return _problem("external.refused", message, places, "warning")
    if fetched.retry_after is not None:
        message = (
            f"'{url}' still answers HTTP {status} after {tries} (Retry-After: "
            f"{fetched.retry_after:g} s); run the check again later"
        )
    else:
        message = (
            f"'{url}' answers HTTP {status} ({tries}); find the page's new address "
            "(or an archived copy) or remove the link"
        )
    return _problem("external.status", message, places, "error")


def _has_anchor(body: bytes, fragment: str) -> bool:
    if not body:
        return False
    try:
        root = etree.fromstring(body, etree.HTMLParser(no_network=True))
    except (etree.XMLSyntaxError, ValueError):
        return False
    if root is None:
        return False
    return bool(root.xpath("//*[@id=$f] | //a[@name=$f]", f=fragment))
