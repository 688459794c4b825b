"""Any CSL 1.0.x style behind the style seam: what a build asks of it, answered from caches.

A CSL style's references and citation texts are made by citeproc-py (:mod:`.csl_processor`),
and kept: references and citation texts in the reference cache file
(:class:`.formatter.ReferenceFormatter`), what :meth:`CslStyle.prepare` decides about a build's
works (list order, year letters, problems) and what the engine read of the CSL file
(:class:`.csl_info.CslInfo`) in the cache folder. A build that finds everything kept (a warm
build of unchanged sources) is answered here, and never loads citeproc-py or lxml (their
import and the reading of the style were a tenth of what the engine adds to a warm build of
the benchmark site); the processor is made on the first text missing from the caches.

Each work of a citation is marked with private control characters as CSL affixes, and the
processor's output is cut at the marks (:class:`.base.StyledCitation`): the processor returns a
string, not a tree, and the marks never occur in escaped text. The engine then puts each work in
its link (id, hover text, back-links) and wraps the citation, from the template
``monograph/citation.html`` a site may override (:mod:`..rendering.citations`). Numeric styles'
``collapse="citation-number"`` and author-date styles' cite grouping and year collapsing, which
citeproc-py does not do, are done here, on the texts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, fields
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..cachefile import PACKAGE, code_digest, versions
from ..model import CoreError, Problem
from .base import (
    CitedItem,
    FormattedReference,
    StyledCitation,
    StyledRange,
    StyledWork,
    StyleKind,
)
from .csl_info import FAILED, CslInfo, marked_parts

if TYPE_CHECKING:
    from ..bibliography.loading import Bibliography
    from ..model import CitationGroup
    from ..parallel import First
    from .csl_processor import CslProcessor

#: ``collapse`` values of author-date styles (CSL "Cite Collapsing").
_YEAR_COLLAPSE = ("year", "year-suffix", "year-suffix-ranged")

#: The code that decides a style's list order, letters and problems, and what the engine reads
#: of a CSL file (kept records' key).
_CODE_DIGEST = code_digest(
    PACKAGE / "core" / name
    for name in (
        "styles/csl.py",
        "styles/csl_info.py",
        "styles/csl_processor.py",
        "styles/csl_data.py",
        "styles/latex.py",
        "links.py",
        "bibliography/identifiers.py",
    )
)
#: The shape of a kept record (see :class:`_Kept`).
_PREPARED_VERSION = 1


class _Kept:
    """A record of what a CSL style decided, kept in the cache folder under a fingerprint.

    One small JSON file per fingerprint in a folder of ``cache_dir``: ``csl-prepared/``, what
    :meth:`CslStyle.prepare` decided for one set of works (a MkDocs build has one, a per-page
    build, Zensical, one per page), and ``csl-read/``, what the engine read of a CSL file
    (:func:`load_csl`). Only the newest :attr:`KEEP` files of a folder stay. A file that
    cannot be read or is of the wrong shape (``valid``) is ignored, and decided again.
    """

    KEEP = 256
    FOLDER = "csl-prepared"

    def __init__(
        self,
        cache_dir: Path | None,
        fingerprint: str,
        *,
        folder: str = FOLDER,
        valid: Callable[[object], bool] | None = None,
    ) -> None:
        self.path = cache_dir / folder / f"{fingerprint}.json" if cache_dir else None
        self.valid = valid or _is_record

    def read(self) -> dict[str, Any] | None:
        """The kept record, or None."""
        if self.path is None:
            return None
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record if self.valid(record) else None

    def write(self, record: dict[str, Any]) -> None:
        """Keep ``record`` (never fails the build: a read-only checkout decides again)."""
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
            tmp.replace(self.path)
            kept = sorted(self.path.parent.glob("*.json"), key=_modified, reverse=True)
            for old in kept[self.KEEP :]:
                old.unlink(missing_ok=True)
        except OSError:
            return


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _is_record(record: object) -> bool:
    """A record as :meth:`CslStyle._record` writes it."""
    if not isinstance(record, dict) or set(record) != {"order", "suffix", "problems", "failed"}:
        return False
    order, suffix, problems = record["order"], record["suffix"], record["problems"]
    return (
        isinstance(order, list)
        and all(isinstance(key, str) for key in order)
        and isinstance(suffix, dict)
        and all(isinstance(value, str) for value in suffix.values())
        and isinstance(problems, list)
        and all(
            isinstance(row, list)
            and len(row) == 3
            and (row[0] is None or isinstance(row[0], str))
            and all(isinstance(text, str) for text in row[1:])
            for row in problems
        )
        and isinstance(record["failed"], bool)
    )


#: The types of :class:`.csl_info.CslInfo`'s fields in a kept record (``xml`` as text).
_INFO_TYPES: dict[str, tuple[type, ...]] = {
    "title": (str,),
    "kind": (str,),
    "year_suffix": (bool,),
    "xml": (str,),
    "collapse": (str,),
    "delimiter": (str,),
    "after_collapse": (str, type(None)),
    "range_delimiter": (str,),
    "cite_group_delimiter": (str, type(None)),
    "year_suffix_delimiter": (str, type(None)),
    "dates_change": (bool,),
}
assert set(_INFO_TYPES) == {f.name for f in fields(CslInfo)}  # a new field is kept too


def _is_read(record: object) -> bool:
    """A record as :func:`load_csl` writes it: the style's :class:`.csl_info.CslInfo`."""
    if not isinstance(record, dict) or set(record) != {"info", "processor"}:
        return False
    info = record["info"]
    return (
        isinstance(record["processor"], str)
        and isinstance(info, dict)
        and set(info) == set(_INFO_TYPES)
        and all(isinstance(info[name], kinds) for name, kinds in _INFO_TYPES.items())
        and info["kind"] in ("numeric", "author-date")
    )


class CslStyle:
    """A CSL style: entries, citations and list order as its file says.

    Arguments:
        info: What the engine read of the file (:func:`.csl_processor.read_csl`).
        name: The style's name, in messages.
        processor_version: citeproc-py's version (part of :attr:`version`).
        cache_dir: Where what :meth:`prepare` decides is kept between builds (None: never).
        processor: The processor, when already made for ``info`` (by :func:`load_csl`);
            else made on first need.
    """

    def __init__(
        self,
        info: CslInfo,
        name: str,
        processor_version: str,
        *,
        cache_dir: Path | None = None,
        processor: CslProcessor | None = None,
    ) -> None:
        self.info = info
        self.name = name
        self.kind: StyleKind = info.kind
        self.page_local = False  # sorting and year letters are decided across the whole site
        self.formats_alone = False  # a reference can depend on the others cited (year letters)
        self.version = _version(info, processor_version)
        #: Where what :meth:`prepare` decides is kept between builds (None: never kept).
        self.cache_dir = cache_dir
        #: citeproc-py for this style (:mod:`.csl_processor`), made on first need.
        self._back = processor
        self._bib: Bibliography | None = None
        self._keys: tuple[str, ...] = ()
        #: The processor was made for this build's works (on first use, :meth:`_ready`).
        self._built = False
        #: ... and did not fail.
        self._working = False
        #: The processor failed on this build's works (found now, or by the kept record).
        self._failed = False
        #: The entry each of :attr:`problems` is about (kept with it, see :meth:`_record`).
        self._about: dict[Problem, str] = {}
        self._suffix: dict[str, str] = {}
        self._rank: dict[str, int] = {}
        self.problems: list[Problem] = []
        #: Citation texts by signature, kept in the reference cache file between builds.
        self.citation_cache: dict[str, str] = {}

    def processor(self) -> CslProcessor:
        """citeproc-py for this style (loading it, and lxml, on the first call)."""
        if self._back is None:
            from .csl_processor import CslProcessor

            self._back = CslProcessor(self.info, self.name, self.version)
        return self._back

    def convert_ahead(self, bib: Bibliography, first: First | None = None) -> bool:
        """Convert every entry to CSL-JSON in a second process, on a cold build.

        See :meth:`.csl_processor.CslProcessor.convert_ahead`; returns whether one was started.
        """
        return self.processor().convert_ahead(bib, first)

    def take_converted(self) -> None:
        """Take what the converting process made, if one was started."""
        if self._back is not None:
            self._back.take_converted()

    def prepare(self, bib: Bibliography, keys: Sequence[str]) -> list[Problem]:
        """Meet the works in number order: their list order, year suffixes and problems.

        What this decides depends only on the style and on the works in number order with their
        entries' digests, so it is kept in the cache folder under a hash of those
        (:class:`_Kept`). When it is there, nothing is converted and the processor is not
        loaded: a warm build takes every reference and citation text from the reference cache,
        and the processor is made (:meth:`_ready`) only when one of them is missing. The
        problems are reported on every build, from the kept record or found again.
        """
        self._bib = bib
        self._keys = tuple(keys)
        self.problems = []
        self._about = {}
        self._built = False
        self._working = False
        self._failed = False
        self._suffix = {}
        self._rank = {}
        store = _Kept(self.cache_dir, self._fingerprint(bib, self._keys))
        record = store.read()
        if record is not None and self._restore(bib, record):
            return []
        self._ready()
        store.write(self._record())
        return []

    def _fingerprint(self, bib: Bibliography, keys: Sequence[str]) -> str:
        """Everything :meth:`prepare` decides from: the style, the code, the works in order."""
        works = [[key, bib.digests.get(key.lower(), "")] for key in keys]
        seed = json.dumps([_PREPARED_VERSION, self.version, _CODE_DIGEST, works])
        return hashlib.sha256(seed.encode()).hexdigest()

    def _record(self) -> dict[str, Any]:
        """What :meth:`prepare` decided, to keep: the list order, the letters, the problems.

        A problem is kept with the entry it is about, never with its place: an entry that
        moves in the .bib file (another one added above it) is reported at its new line.
        """
        problems = [[self._about.get(p), p.code, p.message] for p in self.problems]
        order = sorted(self._rank, key=self._rank.__getitem__)
        return {
            "order": order,
            "suffix": self._suffix,
            "problems": problems,
            "failed": self._failed,
        }

    def _restore(self, bib: Bibliography, record: dict[str, Any]) -> bool:
        """Take a kept record's decisions; False when it does not fit this build's works."""
        order, suffix, problems = record["order"], record["suffix"], record["problems"]
        known = set(self._keys)
        if not set(order) <= known or not set(suffix) <= known:
            return False
        self._rank = {key: index for index, key in enumerate(order)}
        self._suffix = dict(suffix)
        self._failed = record["failed"]
        for key, code, message in problems:
            if key is None or key not in known:
                self.problems.append(Problem(code, message, bib.path))
            else:
                problem = Problem(code, message, bib.path_of(key), bib.line_of(key))
                self._about[problem] = key
                self.problems.append(problem)
        return True

    def _ready(self) -> CslProcessor | None:
        """The processor, made for this build's works on first use (None if the style failed).

        It registers the works in number order, sorts them and letters them
        (:meth:`.csl_processor.CslProcessor.make`), whether or not :meth:`prepare` found its
        record: the processor's state is what the texts depend on.
        """
        if self._built or self._bib is None:
            return self._back if self._working else None
        self._built = True
        processor = self.processor()
        self._suffix = {}
        made = processor.make(self._bib, self._keys, self._suffix, self._fail)
        if isinstance(made, Exception):  # a processor failure is a message, never a traceback
            failed = Problem(
                "cite.style",
                f"the CSL style '{self.info.title}' failed ({type(made).__name__}: {made}); "
                "choose another style or report the style",
                self._bib.path,
            )
            if failed not in self.problems:  # once, when a kept record already said it
                self.problems.append(failed)
            self._failed = True
            self._rank = {}
            return None
        self._working = True
        self._rank = {key: index for index, key in enumerate(made)}
        return processor

    # -- formatting -----------------------------------------------------------------------
    def entry_context(self, key: str) -> str:
        """An author-date reference depends on its year suffix."""
        return self._suffix.get(key, "")

    def format_entry(self, bib: Bibliography, key: str) -> FormattedReference:
        """One entry, as the style's bibliography writes it (never raises)."""
        self._ready()
        return self.processor().format_entry(bib, key, self._fail)

    def _fail(self, bib: Bibliography, key: str, what: str) -> None:
        if any(p.message.startswith(f"entry '{key}' ") for p in self.problems):
            return  # one problem per entry
        problem = Problem("cite.style", f"entry '{key}' {what}", bib.path_of(key), bib.line_of(key))
        self._about[problem] = key
        self.problems.append(problem)

    def order(self, keys: Sequence[str], numbers: dict[str, int]) -> list[str]:
        """Number order (numeric) or the style's sort (author-date)."""
        if self.kind == "numeric":
            return sorted(keys, key=numbers.__getitem__)
        return sorted(keys, key=lambda k: (self._rank.get(k, len(self._rank)), numbers.get(k, 0)))

    def render_citation(
        self, group: CitationGroup, items: Sequence[CitedItem]
    ) -> StyledCitation | None:
        """The citation as the style writes it: its text, and each work for the engine to link."""
        if self._bib is None or not items or self._failed:
            return None
        narrative = group.narrative and len(items) == 1
        signature = self._signature(items, narrative=narrative)
        out = self.citation_cache.get(signature)
        if out is None:
            processor = self._ready()
            if processor is None:
                return None
            out = processor.cite(items, narrative=narrative)
            self.citation_cache[signature] = out
        if out == FAILED:
            return None
        parts = marked_parts(out, len(items))
        if parts is None:
            return None  # the processor merged works: the engine writes the citation
        if self.kind == "numeric" and self.info.collapse == "citation-number":
            return StyledCitation(tuple(self._collapse(parts, items)), narrative=narrative)
        if not narrative and len(items) > 1 and self._groups_cites():
            grouped = self._group(parts, items)
            if grouped is not None:
                return StyledCitation(tuple(grouped))
        return StyledCitation(tuple(parts), narrative=narrative)

    def _groups_cites(self) -> bool:
        """CSL cite grouping is on: ``collapse`` (by year) or ``cite-group-delimiter`` is set."""
        return self.kind == "author-date" and (
            self.info.collapse in _YEAR_COLLAPSE or self.info.cite_group_delimiter is not None
        )

    def _group(
        self, parts: list[str | StyledWork], items: Sequence[CitedItem]
    ) -> list[str | StyledWork | StyledRange] | None:
        """``(A, 2020; B, 2019; A, 2021)`` -> ``(A, 2020, 2021; B, 2019)``, as CSL 1.0.2 says.

        citeproc-py 0.11 neither groups nor collapses author-date cites; the engine does, on the
        processor's own text (CSL "Cite Grouping" and "Cite Collapsing"): cites whose rendered
        names are the same are put next to each other, at the place of the first of them, in
        the order written, joined by ``cite-group-delimiter`` (``, ``). With ``collapse="year"``
        the names are shown once (each later work shows what the style writes for it with its
        author suppressed: its year); ``year-suffix`` also writes a repeated year once
        (``2020a, b``, joined by ``year-suffix-delimiter``) and ``year-suffix-ranged`` makes
        three or more letters in a row a range (``2020a–c``). ``after-collapse-delimiter``
        follows a group of two or more. Every work keeps its own link.

        The names of a cite are its text less its year: what the processor writes for the same
        work with the author suppressed (the twin of ``[-@key]``), which the full text must end
        with; a cite that does not (a style that puts the year first) is left alone. The
        specification does not say how a prefix or locator bears on grouping; a cite with a
        prefix, a locator or a suppressed author is neither grouped nor collapsed: it stays at
        its place, as written (so a locator is never separated from its work's names).
        Returns None when nothing groups: the citation stays as the processor wrote it.
        """
        layout = {self.info.delimiter, escape(self.info.delimiter, quote=False)}
        body = list(parts)
        lead = [body.pop(0)] if body and isinstance(body[0], str) else []
        tail = [body.pop()] if body and isinstance(body[-1], str) else []
        works = [part for part in body[0::2] if isinstance(part, StyledWork)]
        between = [part for part in body[1::2] if isinstance(part, str) and part in layout]
        if (
            len(works) < 2
            or len(works) + len(between) != len(body)
            or len(between) + 1 != len(works)
        ):
            return None  # not "work, delimiter, work, ...": the style wrote more between them
        delimiter = between[0]  # as the processor wrote it
        years = self._years(items)
        if years is None:
            return None
        names: dict[int, str] = {}
        for work in works:
            year = years.get(work.index, "")
            if year and work.html.endswith(year) and len(work.html) > len(year):
                names[work.index] = work.html[: -len(year)]
        groups: list[list[StyledWork]] = []
        by_names: dict[str, list[StyledWork]] = {}
        for work in works:
            name = names.get(work.index)
            if name is not None and name in by_names:
                by_names[name].append(work)
                continue
            groups.append([work])
            if name is not None:
                by_names[name] = groups[-1]
        if all(len(group) == 1 for group in groups):
            return None
        after = self.info.after_collapse
        out: list[str | StyledWork | StyledRange] = [*lead]
        for number, group in enumerate(groups):
            if number:
                if after is not None and len(groups[number - 1]) > 1:
                    out.append(escape(after, quote=False))
                else:
                    out.append(delimiter)
            out.extend(self._collapsed(group, items, years, delimiter))
        out.extend(tail)
        return out

    def _collapsed(
        self,
        group: list[StyledWork],
        items: Sequence[CitedItem],
        years: dict[int, str],
        delimiter: str,
    ) -> list[str | StyledWork | StyledRange]:
        """One group of cites with the same names, as the style's ``collapse`` writes it."""
        collapse = self.info.collapse
        within = escape(
            ", " if self.info.cite_group_delimiter is None else self.info.cite_group_delimiter,
            quote=False,
        )
        if collapse not in _YEAR_COLLAPSE:  # cite-group-delimiter alone: grouped, names kept
            shown = list(group)
        else:
            shown = [group[0], *(StyledWork(work.index, years[work.index]) for work in group[1:])]
        # Runs of works of one year told apart by letters (``2020a``, ``2020b``): year-suffix.
        runs: list[list[StyledWork]] = []
        last_year: str | None = None
        for work in shown:
            letter = self._suffix.get(items[work.index].key, "")
            year = years.get(work.index, "")
            base = year[: -len(letter)] if letter and year.endswith(letter) else None
            by_suffix = collapse in ("year-suffix", "year-suffix-ranged")
            if by_suffix and runs and base is not None and base == last_year:
                runs[-1].append(work)
            else:
                runs.append([work])
            last_year = base
        suffix_delimiter = (
            delimiter
            if self.info.year_suffix_delimiter is None
            else escape(self.info.year_suffix_delimiter, quote=False)
        )
        out: list[str | StyledWork | StyledRange] = []
        for number, run in enumerate(runs):
            if number:
                out.append(within)
            out.extend(self._suffix_run(run, items, years, suffix_delimiter))
        return out

    def _suffix_run(
        self,
        run: list[StyledWork],
        items: Sequence[CitedItem],
        years: dict[int, str],
        delimiter: str,
    ) -> list[str | StyledWork | StyledRange]:
        """One year's works: ``2020a, b, c`` (``year-suffix``) or ``2020a–c``.

        ``year-suffix-ranged`` makes three or more letters in a row a range, as the numeric
        ``1–3``; the works between keep hidden links.
        """
        letters = [self._suffix.get(items[work.index].key, "") for work in run]
        shown = [run[0]]
        shown += [StyledWork(work.index, escape(letters[place])) for place, work in enumerate(run)][
            1:
        ]
        spans: list[list[int]] = []  # places in the run, letters following each other
        for place in range(len(run)):
            if (
                spans
                and _letter_number(letters[place]) == _letter_number(letters[spans[-1][-1]]) + 1
            ):
                spans[-1].append(place)
            else:
                spans.append([place])
        out: list[str | StyledWork | StyledRange] = []
        for number, span in enumerate(spans):
            if number:
                out.append(delimiter)
            ranged = self.info.collapse == "year-suffix-ranged" and len(span) >= 3
            if not ranged:
                for count, place in enumerate(span):
                    if count:
                        out.append(delimiter)
                    out.append(shown[place])
                continue
            hidden = tuple(run[place].index for place in span[1:-1])
            # The text of kept HTML: lxml's (with the processor's module, a rare path).
            from .csl_processor import text_of

            labels = tuple(escape(text_of(years.get(index, "")), quote=False) for index in hidden)
            out.append(
                StyledRange(
                    shown[span[0]], hidden, shown[span[-1]], self.info.range_delimiter, labels
                )
            )
        return out

    def _years(self, items: Sequence[CitedItem]) -> dict[int, str] | None:
        """What the style writes for each plain work with its author suppressed (``2020a``).

        Each work alone, as its narrative citation (``@key``) writes it: the text is the
        same, and so is the place it is kept in :attr:`citation_cache` (one text per work,
        whatever citations it is in). Works with a prefix, a locator or a suppressed author
        are left out (never collapsed). None when the processor fails.
        """
        years: dict[int, str] = {}
        for index, cited in enumerate(items):
            item = cited.item
            if item.prefix or item.locator or item.suppress_author:
                continue
            alone = [cited]
            signature = self._signature(alone, narrative=True)
            out = self.citation_cache.get(signature)
            if out is None:
                processor = self._ready()
                if processor is None:
                    return None
                out = processor.cite(alone, narrative=True)
                self.citation_cache[signature] = out
            parts = marked_parts(out, 1) if out != FAILED else None
            works = [part for part in parts or () if isinstance(part, StyledWork)]
            if len(works) != 1:
                return None
            years[index] = works[0].html
        return years

    def _collapse(
        self, parts: list[str | StyledWork], items: Sequence[CitedItem]
    ) -> list[str | StyledWork | StyledRange]:
        """``1, 2, 3, 5`` -> ``1–3, 5``, as CSL's ``collapse="citation-number"`` says.

        citeproc-py 0.11 does not collapse; the engine does, on its own site-wide numbers: a
        run of three or more works whose numbers increase by one, written next to each other
        with only the layout's delimiter between them and with no prefix or locator, becomes a
        range (two stay as they are, as in citeproc-js). Every work of the range keeps its link.
        """
        delimiters = {self.info.delimiter, escape(self.info.delimiter, quote=False)}

        def plain(part: object) -> StyledWork | None:
            if not isinstance(part, StyledWork):
                return None
            item = items[part.index].item
            return None if item.prefix or item.locator else part

        out: list[str | StyledWork | StyledRange] = []
        index = 0
        while index < len(parts):
            first = plain(parts[index])
            if first is None:
                out.append(parts[index])
                index += 1
                continue
            run = [first]
            start = index
            while index + 2 < len(parts) and parts[index + 1] in delimiters:
                following = plain(parts[index + 2])
                if following is None:
                    break
                if items[following.index].number != items[run[-1].index].number + 1:
                    break
                run.append(following)
                index += 2
            index += 1
            if len(run) < 3:
                out.extend(parts[start:index])
                continue
            hidden = tuple(work.index for work in run[1:-1])
            out.append(StyledRange(run[0], hidden, run[-1], self.info.range_delimiter))
            after = self.info.after_collapse
            if after is not None and index < len(parts) and parts[index] in delimiters:
                out.append(escape(after, quote=False))
                index += 1
        return out

    def _signature(self, items: Sequence[CitedItem], *, narrative: bool) -> str:
        """Everything a citation's text depends on: the style, the works, their numbers/letters."""
        assert self._bib is not None
        parts: list[object] = [self.version, narrative]
        for cited in items:
            item = cited.item
            parts.append(
                [
                    cited.key,
                    self._bib.digests.get(cited.key.lower(), ""),
                    cited.number if self.kind == "numeric" else self._suffix.get(cited.key, ""),
                    item.prefix,
                    item.locator,
                    item.suppress_author,
                ]
            )
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _version(info: CslInfo, processor_version: str) -> str:
    """A style's version: its file as read, and the processor's version."""
    return f"csl-{hashlib.sha256(info.xml).hexdigest()[:16]}/citeproc-{processor_version}"


def _letter_number(letters: str) -> int:
    """The place of year-suffix letters: a -> 0, aa -> 26 (as CSL numbers them); -2 if none."""
    if not letters or not all("a" <= letter <= "z" for letter in letters):
        return -2
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("a") + 1
    return number - 1


def _read_key(raw: bytes, shown: str, encoding: str | None) -> str:
    """Everything :func:`load_csl` reads a style from: the file, the code, lxml and citeproc-py."""
    seed = json.dumps(
        [
            _PREPARED_VERSION,
            _CODE_DIGEST,
            versions("citeproc-py", "lxml"),
            hashlib.sha256(raw).hexdigest(),
            shown,
            encoding,
        ]
    )
    return hashlib.sha256(seed.encode()).hexdigest()


def load_csl(
    raw: bytes,
    shown: str,
    name: str,
    *,
    encoding: str | None = None,
    cache_dir: Path | None = None,
) -> CslStyle:
    """A CSL style from its file's bytes; CoreError (``path:line: ...``) when it is unusable.

    The file is checked and read (:func:`.csl_processor.read_csl`), and read by the processor,
    which says whether it can use it. With ``cache_dir``, what was read of a usable file is
    kept there (``csl-read/``), under a hash of the file, of the code and of the versions of
    lxml and citeproc-py; a later build takes it and loads neither until it needs the
    processor. A file that cannot be used is never kept: it is read, and refused, every time.

    Arguments:
        raw: The file's bytes.
        shown: The file as named in messages.
        name: The style's name.
        encoding: Read the file in this encoding instead of the one its XML declaration names.
        cache_dir: The cache folder (None: nothing kept).
    """
    store = _Kept(cache_dir, _read_key(raw, shown, encoding), folder="csl-read", valid=_is_read)
    record = store.read()
    if record is not None:
        kept = dict(record["info"], xml=record["info"]["xml"].encode("utf-8"))
        return CslStyle(CslInfo(**kept), name, record["processor"], cache_dir=cache_dir)
    from .csl_processor import PROCESSOR_VERSION, CslProcessor, read_csl

    info = read_csl(raw, shown, encoding=encoding)
    processor = CslProcessor(info, name, _version(info, PROCESSOR_VERSION))  # CoreError if unread
    style = CslStyle(info, name, PROCESSOR_VERSION, cache_dir=cache_dir, processor=processor)
    store.write(
        {"info": dict(asdict(info), xml=info.xml.decode("utf-8")), "processor": PROCESSOR_VERSION}
    )
    return style


def load_csl_file(
    path: Path, shown: str, *, encoding: str | None = None, cache_dir: Path | None = None
) -> CslStyle:
    """Read a CSL file (path:line messages when it cannot be used), as :func:`load_csl`."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CoreError(
            f"{shown}: cannot read the CSL style ({exc.strerror}); check csl_file (a path "
            "relative to mkdocs.yml, or an https URL)"
        ) from None
    return load_csl(raw, shown, path.stem, encoding=encoding, cache_dir=cache_dir)
