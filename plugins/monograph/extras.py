"""Optional dependencies: the ``[pdf]`` (WeasyPrint) and ``[checks]`` (httpx) extras.

Material's social plugin sets the example: when an optional package is missing, say which extra
installs it, in one line, instead of failing with an import traceback.
"""

from __future__ import annotations

import importlib.util

DISTRIBUTION = "mkdocs-monograph"


class MissingExtra(RuntimeError):
    """An optional package is not installed; the message names the extra that installs it."""


def require_extra(module: str, extra: str, purpose: str) -> None:
    """Raise :class:`MissingExtra` unless ``module`` can be imported.

    Arguments:
        module: The import name (``weasyprint``).
        extra: The extra of this distribution that installs it (``pdf``).
        purpose: What needs it, for the message (``the PDF edition (pdf_file)``).

    Raises:
        MissingExtra: The module is not installed.
    """
    if importlib.util.find_spec(module) is None:
        raise MissingExtra(
            f"{purpose} needs {module}, which is not installed; "
            f'install it with: pip install "{DISTRIBUTION}[{extra}]"'
        )
