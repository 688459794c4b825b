"""Files named by an http(s) URL (a CSL style, a Zotero export), fetched once and kept.

The cached copy is used from then on, also offline; delete it to fetch again.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from ..model import CoreError

TIMEOUT = 30


def is_url(value: str) -> bool:
    """True for an http(s) URL."""
    return value.lower().startswith(("https://", "http://"))


def fetch_cached(
    url: str,
    cache_dir: Path | None,
    *,
    suffix: str,
    config_path: str = "mkdocs.yml",
    refresh: bool = False,
) -> Path:
    """The local copy of ``url``: the cached one, or one fetched now (and cached).

    With ``refresh`` (a bibliography that changes, such as a Zotero library), the URL is fetched
    on every call and the cached copy is only used when fetching fails.
    """
    name = hashlib.sha256(url.encode()).hexdigest()[:20] + suffix
    folder = cache_dir / "downloads" if cache_dir else Path(tempfile.gettempdir()) / "monograph"
    target = folder / name
    if target.is_file() and not refresh:
        return target
    import urllib.error  # with http.client and ssl: only a build that fetches pays for them
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "mkdocs-monograph"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # only http(s)
            data = response.read()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        if target.is_file():
            return target  # offline: the last copy
        reason = getattr(exc, "reason", exc)
        raise CoreError(
            f"{config_path}: {url} could not be fetched ({reason}) and there is no cached copy "
            f"({target}); check the URL, or download the file and give its path instead"
        ) from None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(target)
    except OSError as exc:
        raise CoreError(
            f"{config_path}: {url} fetched but not stored in {folder} ({exc})"
        ) from None
    return target
