"""``python -m monograph.checks``: see :mod:`monograph.checks.cli`."""

from monograph.checks.cli import main

raise SystemExit(main())
