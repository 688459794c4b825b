"""Verify DOIs with the doi.org handle API and PMIDs with NCBI E-utilities.

- DOI: ``GET {doi_base}/api/handles/<doi>`` answers JSON with ``responseCode`` 1 when the DOI is
  registered and 100 (HTTP 404) when it is not. Publisher landing pages are not fetched: many
  answer automated requests with 403 although the DOI is fine.
- PMID: ``GET {eutils_base}/entrez/eutils/esummary.fcgi?db=pubmed&id=<a,b,...>&retmode=json``,
  up to 200 PMIDs per request and at most ``eutils_rate`` requests a second (NCBI's limit without
  an API key is 3). A PMID is found when its summary has no ``error``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlencode

from monograph.checks.fetch import Fetched, Fetcher, RateLimiter

PMID_BATCH = 200
FOUND, NOT_FOUND, UNKNOWN = "found", "not-found", "unknown"


def handle_url(doi_base: str, doi: str) -> str:
    """Return the handle API address of a DOI.

    Arguments:
        doi_base: e.g. ``https://doi.org``.
        doi: e.g. ``10.1002/14651858.CD007834.pub3``.

    Returns:
        The URL to GET.
    """
    return f"{doi_base.rstrip('/')}/api/handles/{quote(doi, safe='/:;()._-')}"


def esummary_url(eutils_base: str, pmids: Sequence[str]) -> str:
    """Return the E-utilities esummary address for some PMIDs.

    Arguments:
        eutils_base: e.g. ``https://eutils.ncbi.nlm.nih.gov``.
        pmids: PMIDs (digits).

    Returns:
        The URL to GET.
    """
    query = urlencode(
        {"db": "pubmed", "id": ",".join(pmids), "retmode": "json", "tool": "mkdocs-monograph"}
    )
    return f"{eutils_base.rstrip('/')}/entrez/eutils/esummary.fcgi?{query}"


def _json(fetched: Fetched) -> Any:
    try:
        return json.loads(fetched.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def doi_verdict(fetched: Fetched) -> tuple[str, str]:
    """Read the handle API's answer.

    Arguments:
        fetched: The response to :func:`handle_url`.

    Returns:
        ``(FOUND | NOT_FOUND | UNKNOWN, detail)``.
    """
    if fetched.error is not None:
        return UNKNOWN, fetched.error
    data = _json(fetched)
    code = data.get("responseCode") if isinstance(data, dict) else None
    if code == 1:
        return FOUND, ""
    if code == 100:
        return NOT_FOUND, ""
    return UNKNOWN, f"HTTP {fetched.status}, responseCode {code}"


async def check_doi(fetcher: Fetcher, doi_base: str, doi: str) -> tuple[str, str]:
    """Ask doi.org whether a DOI is registered.

    Arguments:
        fetcher: The shared fetcher.
        doi_base: The doi.org base URL.
        doi: The DOI.

    Returns:
        ``(FOUND | NOT_FOUND | UNKNOWN, detail)``.
    """
    return doi_verdict(await fetcher.get(handle_url(doi_base, doi), want_body=True))


def pmid_verdicts(fetched: Fetched, pmids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Read an esummary answer.

    Arguments:
        fetched: The response to :func:`esummary_url`.
        pmids: The PMIDs asked for.

    Returns:
        PMID to ``(FOUND | NOT_FOUND | UNKNOWN, detail)``.
    """
    if fetched.error is not None or fetched.status != 200:
        detail = fetched.error or f"HTTP {fetched.status}"
        return {pmid: (UNKNOWN, detail) for pmid in pmids}
    data = _json(fetched)
    result = data.get("result") if isinstance(data, dict) else None
    if not isinstance(result, dict):
        return {pmid: (UNKNOWN, "the answer has no 'result'") for pmid in pmids}
    verdicts: dict[str, tuple[str, str]] = {}
    for pmid in pmids:
        summary = result.get(pmid)
        if isinstance(summary, dict) and "error" not in summary:
            verdicts[pmid] = (FOUND, "")
        else:
            error = summary.get("error", "") if isinstance(summary, dict) else ""
            verdicts[pmid] = (NOT_FOUND, str(error))
    return verdicts


async def check_pmids(
    fetcher: Fetcher, eutils_base: str, pmids: Sequence[str], limiter: RateLimiter
) -> dict[str, tuple[str, str]]:
    """Ask PubMed about PMIDs, in batches, within the rate limit.

    Arguments:
        fetcher: The shared fetcher.
        eutils_base: The E-utilities base URL.
        pmids: The PMIDs (digits only).
        limiter: The E-utilities rate limit.

    Returns:
        PMID to ``(FOUND | NOT_FOUND | UNKNOWN, detail)``.
    """
    verdicts: dict[str, tuple[str, str]] = {}
    for start in range(0, len(pmids), PMID_BATCH):
        batch = list(pmids[start : start + PMID_BATCH])
        url = esummary_url(eutils_base, batch)
        fetched = await fetcher.get(url, want_body=True, limiter=limiter)
        verdicts.update(pmid_verdicts(fetched, batch))
    return verdicts
