"""Checks run by ``make check`` and ``make check-external``: citations, internal and external links.

Every checker returns :class:`monograph.core.model.Problem` objects; :mod:`monograph.checks.report`
prints them as text, JSON or GitHub annotations, and :mod:`monograph.checks.cli` is the command line
(``python -m monograph.checks`` or ``monograph-check``).
"""
