r"""Settings of the checks: defaults, then ``pyproject.toml``, then the command line.

The settings live in the ``[tool.monograph.checks]`` table of the ``pyproject.toml`` beside
``mkdocs.yml``::

    [tool.monograph.checks]
    exclude = ["^https://example\\.org/edit/"]
    doi_base = "https://doi.org"
    eutils_base = "https://eutils.ncbi.nlm.nih.gov"
    timeout = 15.0
    retries = 3
    concurrency = 16
    per_host = 4
    eutils_rate = 3.0
    cache_file = ".cache/monograph/links.json"
    cache_ttl_hours = 168

``exclude`` applies to every link check; the other keys to the external check only.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from monograph import __version__

TABLE = "tool.monograph.checks"


class SettingsError(ValueError):
    """The settings cannot be used; the message names the file and the key."""


class CheckSettings(BaseModel):
    """Every tunable of the link checks.

    Attributes:
        exclude: Regular expressions; a link matching any is not checked.
        doi_base: Where the doi.org handle API lives (``{doi_base}/api/handles/<doi>``).
        eutils_base: Where NCBI E-utilities live (``{eutils_base}/entrez/eutils/esummary.fcgi``).
        timeout: Seconds to wait for a server, per request.
        retries: Extra attempts after a timeout, a connection error, 429 or 503.
        backoff: First wait between attempts in seconds, doubled each time (unless Retry-After).
        max_retry_after: Longest ``Retry-After`` honoured, in seconds; longer waits fail the link.
        concurrency: Requests in flight at once, over all hosts.
        per_host: Requests in flight at once to one host.
        eutils_rate: Requests per second to E-utilities (NCBI allows 3 without an API key).
        cache_file: JSON cache of successful checks, relative to the project root.
        cache_ttl_hours: How long a successful check is trusted.
        check_fragments: Whether ``#fragment``s of external HTML pages are checked.
        user_agent: The User-Agent header sent with every request.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    exclude: tuple[str, ...] = ()
    doi_base: str = "https://doi.org"
    eutils_base: str = "https://eutils.ncbi.nlm.nih.gov"
    timeout: float = Field(15.0, gt=0)
    retries: int = Field(3, ge=0, le=10)
    backoff: float = Field(1.0, ge=0)
    max_retry_after: float = Field(60.0, ge=0)
    concurrency: int = Field(16, ge=1)
    per_host: int = Field(4, ge=1)
    eutils_rate: float = Field(3.0, gt=0, le=10)
    cache_file: str = ".cache/monograph/links.json"
    cache_ttl_hours: float = Field(168.0, ge=0)
    check_fragments: bool = True
    user_agent: str = f"mkdocs-monograph-linkcheck/{__version__}"

    def excludes(self) -> list[re.Pattern[str]]:
        """Compile the exclude patterns (already validated).

        Returns:
            The compiled patterns.
        """
        return [re.compile(pattern) for pattern in self.exclude]


def load_settings(root: Path, overrides: dict[str, Any]) -> CheckSettings:
    """Read ``[tool.monograph.checks]`` from ``root/pyproject.toml`` and apply overrides.

    Arguments:
        root: The project root.
        overrides: Values from the command line (``None`` values are ignored; ``exclude`` adds).

    Returns:
        The settings.

    Raises:
        SettingsError: The file or a value is invalid.
    """
    values = _read_table(root / "pyproject.toml")
    extra_excludes = tuple(overrides.pop("exclude", None) or ())
    values["exclude"] = tuple(values.get("exclude", ())) + extra_excludes
    values.update({key: value for key, value in overrides.items() if value is not None})
    try:
        settings = CheckSettings(**values)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise SettingsError(f"invalid check settings ([{TABLE}] or options): {details}") from exc
    for pattern in settings.exclude:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise SettingsError(
                f"exclude pattern {pattern!r} is not a regular expression: {exc}"
            ) from exc
    return settings


def _read_table(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read: {exc}") from exc
    table: Any = data
    for part in TABLE.split("."):
        table = table.get(part, {}) if isinstance(table, dict) else {}
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: [{TABLE}] must be a table")
    return dict(table)
