"""A cold build that shares its work with a second process writes the same site.

Two steps are shared with a forked process (:mod:`monograph.core.parallel`): formatting the
entries while MkDocs converts the pages (more entries than
:data:`monograph.core.styles.ahead.MIN_ENTRIES`), and filling the pages (more pages to fill than
:data:`monograph.adapter.fill.MIN_PAGES`). Each fixture site is compared, file by file, with the
same site built in one process, and its problems with that build's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from monograph.adapter import fill
from monograph.core import parallel
from monograph.core.rendering import reuse
from monograph.core.styles import ahead, csl, csl_processor
from monograph.core.styles import formatter as references

from .conftest import build_project
from .test_build_reuse import _build, _differences

ENTRIES = 120


def _as_new_process() -> None:
    """Forget what earlier builds of this process keep in memory (references, pages, items)."""
    references._MEMORY.clear()
    references._MEMORY_PROBLEMS.clear()
    reuse._IN_MEMORY.clear()
    for table in (
        csl_processor._CONVERTED,
        csl_processor._PARSED,
        csl_processor._SORTED,
        csl_processor._FORMATTED,
    ):
        table.clear()


def _write_site(root: Path, style: str | None = None) -> None:
    root.mkdir(parents=True)
    entries = [
        f"@article{{e{n},\n  author = {{Author{n}, Ann and Roe, R{{\\'e}}my}},\n"
        f"  title = {{Study {n} of restless legs}},\n  journal = {{Leg J}},\n"
        f"  year = {{{1990 + n % 30}}},\n  volume = {{{n}}},\n  pages = {{{n}--{n + 5}}},\n"
        f"  doi = {{10.1000/leg.{n}}},\n}}\n"
        for n in range(ENTRIES - 2)
    ]
    entries += [  # two works an author-date style tells apart as 2019a and 2019b
        f"@article{{e{n},\n  author = {{Twin, Tom}},\n  title = {{Twin study {n}}},\n"
        f"  journal = {{Leg J}},\n  year = {{2019}},\n  volume = {{{n}}},\n}}\n"
        for n in range(ENTRIES - 2, ENTRIES)
    ]
    (root / "refs.bib").write_text("".join(entries), encoding="utf-8")
    pages = {
        "index.md": "# Home\n\n" + "".join(f"Claim [@e{n}; @e{n + 1}].\n\n" for n in range(0, 40)),
        "more.md": "# More\n\n" + "".join(f"Claim @e{n} [p. {n}].\n\n" for n in range(30, 90)),
        "bibliography.md": "# Bibliography\n\n<!-- monograph:bibliography -->\n",
    }
    for name, text in pages.items():
        path = root / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    config = {
        "site_name": "Ahead",
        "theme": {"name": "mkdocs"},
        "nav": [{"Home": "index.md"}, {"More": "more.md"}, {"Bibliography": "bibliography.md"}],
        "plugins": [
            {
                "monograph": {
                    "bib_file": "refs.bib",
                    "cache_dir": ".cache",
                    "nocite": ["*"],
                    **({"style": style} if style else {}),
                }
            }
        ],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")


def _count_starts(
    monkeypatch: pytest.MonkeyPatch,
    cls: type,
    kind: type | None = None,
    started: list[int] | None = None,
) -> list[int]:
    """How many jobs each ``cls`` (forking on creation) is given from now on; with ``kind``,
    only lists of that kind of job are counted. Appends to ``started`` when given."""
    counts: list[int] = [] if started is None else started
    original = cls.__init__

    def spy(self: object, jobs: list[object], *args: object) -> None:
        if kind is None or (jobs and isinstance(jobs[0], kind)):
            counts.append(len(jobs))
        original(self, jobs, *args)  # type: ignore[misc]

    monkeypatch.setattr(cls, "__init__", spy)
    return counts


def _count_ahead(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of entries of each formatting-ahead process started from now on."""
    return _count_starts(monkeypatch, ahead.AheadFormatting)


def test_references_formatted_ahead_build_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _count_ahead(monkeypatch)
    monkeypatch.setattr(parallel, "cpus", lambda: 2)  # whatever this machine has
    _as_new_process()
    root = tmp_path / "ahead"
    _write_site(root)
    _build(root)
    assert started == [ENTRIES]

    _as_new_process()
    alone = tmp_path / "alone"
    shutil.copytree(root, alone, ignore=shutil.ignore_patterns(".cache", "site"))
    monkeypatch.setattr(parallel, "cpus", lambda: 1)
    _build(alone)
    assert started == [ENTRIES]  # no second process this time
    assert _differences(root / "site", alone / "site") == []
    page = (root / "site" / "bibliography" / "index.html").read_text(encoding="utf-8")
    assert page.count('<li id="ref-') == ENTRIES
    assert "Author7 A, Roe R. Study 7 of restless legs. Leg J. 1997;7:7-12." in page

    # The cache file holds the cited entries, as after an in-process build: a warm build
    # formats nothing and starts no process.
    _as_new_process()
    monkeypatch.setattr(parallel, "cpus", lambda: 2)
    _build(root)
    assert started == [ENTRIES]


@pytest.mark.parametrize("style", ["nature", "apa"])
def test_csl_references_formatted_in_two_processes_build_the_same_site(
    style: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CSL style's entries depend on the works cited: shared once the style has met them."""
    started = _count_ahead(monkeypatch)
    converted: list[bool] = []
    convert_ahead = csl.CslStyle.convert_ahead

    def convert_spy(self: csl.CslStyle, bib: object, first: object = None) -> bool:
        converted.append(convert_ahead(self, bib, first))  # type: ignore[arg-type]
        return converted[-1]

    monkeypatch.setattr(csl.CslStyle, "convert_ahead", convert_spy)
    monkeypatch.setattr(parallel, "cpus", lambda: 2)
    _as_new_process()
    root = tmp_path / "two"
    _write_site(root, style)
    two = build_project(root, strict=True)
    assert converted == [True]  # the CSL-JSON items made while the pages were read
    assert started == [ENTRIES - 1]  # the first is formatted before the fork
    assert two.aborted is None

    _as_new_process()
    one_root = tmp_path / "one"
    shutil.copytree(root, one_root, ignore=shutil.ignore_patterns(".cache", "site"))
    monkeypatch.setattr(parallel, "cpus", lambda: 1)
    one = build_project(one_root, strict=True)
    assert started == [ENTRIES - 1]
    assert _differences(root / "site", one_root / "site") == []
    assert two.warnings == one.warnings
    page = (root / "site" / "bibliography" / "index.html").read_text(encoding="utf-8")
    assert page.count('<li id="ref-') == ENTRIES
    assert "Study 7 of restless legs" in page
    if style == "apa":
        assert "Twin, T. (2019a)" in page and "Twin, T. (2019b)" in page
    # The items kept for later builds of this process are as converted, without the letters.
    items = csl_processor._CONVERTED
    assert items and not any("year-suffix" in i for i in items.values())


PAGES = 40


def _write_pages_site(
    root: Path, style: str | None = None, edit: Callable[[dict[str, Any]], None] | None = None
) -> None:
    """Many pages to fill: reference lists, a bibliography, and an unsafe link on late pages.

    ``edit`` changes the configuration before it is written.
    """
    root.mkdir(parents=True)
    entries = [
        f"@article{{w{n},\n  author = {{Writer{n}, Wim}},\n  title = {{Report {n}}},\n"
        f"  journal = {{Leg J}},\n  year = {{2001}},\n  volume = {{{n}}},\n"
        "  pages = {1--2},\n}\n"
        for n in range(PAGES + 3)
    ]
    (root / "refs.bib").write_text("".join(entries), encoding="utf-8")
    nav = []
    for n in range(PAGES):
        text = f"# Page {n}\n\nFirst [@w{n}; @w{n + 1}; @w{n + 2}; @w{n + 3}].\n\n"
        text += f"Again [see @w{n + 1}, p. {n}] and @w{n + 2}.\n"
        if n % 13 == 12:
            text += "\nA [bad link](javascript:alert(1)) here.\n"
        (root / "docs").mkdir(exist_ok=True)
        (root / "docs" / f"p{n:02}.md").write_text(text, encoding="utf-8")
        nav.append({f"Page {n}": f"p{n:02}.md"})
    (root / "docs" / "bibliography.md").write_text(
        "# Bibliography\n\n<!-- monograph:bibliography -->\n", encoding="utf-8"
    )
    nav.append({"Bibliography": "bibliography.md"})
    config = {
        "site_name": "Pages",
        "theme": {"name": "mkdocs"},
        "nav": nav,
        "plugins": [
            {
                "monograph": {
                    "bib_file": "refs.bib",
                    "cache_dir": ".cache",
                    **({"style": style} if style else {}),
                }
            }
        ],
    }
    if edit is not None:
        edit(config)
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")


@pytest.mark.parametrize("style", [None, "nature", "apa"])
def test_pages_filled_in_two_processes_build_the_same_site(
    style: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = _count_starts(monkeypatch, parallel.StreamedWork, fill.FillJob)
    _count_starts(monkeypatch, parallel.SharedWork, fill.FillJob, shared)
    monkeypatch.setattr(parallel, "cpus", lambda: 2)
    parent, log = os.getpid(), tmp_path / "filled-by-child.txt"
    fill_shared = fill._fill_shared

    def traced(job: fill.FillJob, groups: list[object], style: object, pages: object) -> object:
        if os.getpid() != parent:
            time.sleep(0.03)  # the build waits for the child's page: it fills from the back
            with log.open("a", encoding="utf-8") as out:
                out.write(job.page.file.src_uri + "\n")
        return fill_shared(job, groups, style, pages)  # type: ignore[arg-type]

    monkeypatch.setattr(fill, "_fill_shared", traced)
    _as_new_process()
    root = tmp_path / "two"
    _write_pages_site(root, style)
    two = build_project(root, strict=False)
    assert shared == [PAGES + 1]  # every page cites, and the bibliography page
    by_child = log.read_text(encoding="utf-8").split()
    # The child starts with the page MkDocs writes first (files in order: bibliography.md).
    assert by_child and by_child[0] == "bibliography.md"
    assert len(by_child) < PAGES + 1

    one_root = tmp_path / "one"
    shutil.copytree(root, one_root, ignore=shutil.ignore_patterns(".cache", "site"))
    monkeypatch.setattr(fill, "can_fork", lambda: False)
    _as_new_process()
    one = build_project(one_root, strict=False)
    assert shared == [PAGES + 1]
    assert _differences(root / "site", one_root / "site") == []
    assert two.warnings == one.warnings
    # A first build fingerprints each page in the process that fills it: the same kept pages.
    assert _kept_pages(root) == _kept_pages(one_root)
    assert len(_kept_pages(root)) == PAGES + 1
    # The citation texts a CSL style keeps came back from the second process too.
    cached = [json.loads((r / ".cache" / "references.json").read_text()) for r in (root, one_root)]
    assert cached[0] == cached[1]
    assert bool(cached[0].get("citations")) == (style is not None)
    unsafe = [p for p in two.problems if p.code == "link.unsafe_url"]
    assert [(p.path, p.line) for p in unsafe] == [
        ("docs/p12.md", 7),
        ("docs/p25.md", 7),
        ("docs/p38.md", 7),
    ]
    page = (root / "site" / "p25" / "index.html").read_text(encoding="utf-8")
    assert "javascript:" not in page
    assert 'href="#references"' in page  # the reference list in the table of contents
    assert page.count('class="citation') >= 4

    # A warm build after one page changed fills that page and the bibliography only (with
    # Vancouver: a CSL page reads the whole site's numbering, so every page is filled again).
    # Each page is looked up among the kept ones by the process that fills it, the second one
    # mostly, as MkDocs writes the pages; kept pages with an unsafe link are checked again.
    monkeypatch.undo()
    _count_starts(monkeypatch, parallel.StreamedWork, fill.FillJob, shared)
    _count_starts(monkeypatch, parallel.SharedWork, fill.FillJob, shared)
    monkeypatch.setattr(parallel, "cpus", lambda: 2)
    filled_log, looked_up_by_child = tmp_path / "filled-warm.txt", tmp_path / "by-child.txt"
    fill_or_take = fill._fill_or_take

    def logged(job: fill.FillJob, groups: list[object], style: object, pages: object) -> object:
        with filled_log.open("a", encoding="utf-8") as out:
            out.write(job.page.file.src_uri + "\n")
        return fill_shared(job, groups, style, pages)  # type: ignore[arg-type]

    def looked_up(job: fill.FillJob, *args: object, **kwargs: object) -> object:
        if os.getpid() != parent:
            with looked_up_by_child.open("a", encoding="utf-8") as out:
                out.write(job.page.file.src_uri + "\n")
        return fill_or_take(job, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fill, "_fill_shared", logged)
    monkeypatch.setattr(fill, "_fill_or_take", looked_up)
    page_path = root / "docs" / "p03.md"
    page_path.write_text(page_path.read_text(encoding="utf-8") + "\nMore [@w0].\n", "utf-8")
    _as_new_process()
    warm = build_project(root, strict=False)
    assert shared == [PAGES + 1, PAGES + 1]
    filled = set(filled_log.read_text(encoding="utf-8").split())
    every = {f"p{n:02}.md" for n in range(PAGES)} | {"bibliography.md"}
    assert filled == ({"p03.md", "bibliography.md"} if style is None else every)
    assert looked_up_by_child.exists()  # the second process took part
    assert [(p.path, p.line) for p in warm.problems if p.code == "link.unsafe_url"] == [
        (p.path, p.line) for p in unsafe
    ]
    assert len(_kept_pages(root)) == PAGES + 1  # the pages it did not fill stay kept
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".cache", "site"))
    monkeypatch.undo()
    monkeypatch.setattr(fill, "can_fork", lambda: False)
    _as_new_process()
    build_project(fresh, strict=False)
    assert _differences(root / "site", fresh / "site") == []


def _kept_pages(root: Path) -> dict[str, str]:
    """The filled pages a build kept, by file name (named by their fingerprints)."""
    folders = list((root / ".cache" / "filled-pages").iterdir())
    assert len(folders) == 1
    return {path.name: path.read_text(encoding="utf-8") for path in folders[0].glob("*.html")}


def test_a_kept_page_gone_before_the_build_reads_it_is_looked_up_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second process finds a kept page; the build reads it itself: if it went away
    meanwhile, the build looks it up again (or fills it), and the site is the same."""
    monkeypatch.setattr(parallel, "cpus", lambda: 2)
    root = tmp_path / "site"
    _write_pages_site(root)
    _as_new_process()
    build_project(root, strict=False)
    first = {p.relative_to(root / "site"): p.read_bytes() for p in (root / "site").rglob("*.html")}
    parent, peek = os.getpid(), reuse.FilledPages.peek
    gone: list[str] = []

    def gone_once(self: reuse.FilledPages, print_: str, digest: str | None = None) -> object:
        if os.getpid() == parent and digest is not None and print_ not in gone:
            gone.append(print_)  # the read of a page the second process found
            return None
        return peek(self, print_, digest)

    monkeypatch.setattr(reuse.FilledPages, "peek", gone_once)
    _as_new_process()
    warm = build_project(root, strict=False)
    assert gone  # the second process found pages, and the build read them itself
    assert [p.code for p in warm.problems if p.code.startswith("link.")] == ["link.unsafe_url"] * 3
    again = {p.relative_to(root / "site"): p.read_bytes() for p in (root / "site").rglob("*.html")}
    assert _without_build_date(again) == _without_build_date(first)
    assert len(_kept_pages(root)) == PAGES + 1


def _without_build_date(pages: dict[Path, bytes]) -> dict[Path, bytes]:
    return {path: re.sub(rb"Build Date UTC : [^\n]*", b"", data) for path, data in pages.items()}


def test_parallel_false_keeps_every_step_in_the_build_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _count_starts(monkeypatch, parallel.SharedWork)
    _count_starts(monkeypatch, parallel.StreamedWork, None, started)
    monkeypatch.setattr(parallel, "cpus", lambda: 2)
    _as_new_process()
    root = tmp_path / "one"

    def one_process(config: dict[str, Any]) -> None:
        config["plugins"][0]["monograph"]["parallel"] = False

    _write_pages_site(root, edit=one_process)
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    built = build_project(root, strict=False)
    assert started == []  # 41 pages to fill, and no second process
    assert [p.code for p in built.problems if p.code.startswith("link.")] == ["link.unsafe_url"] * 3

    _as_new_process()
    two = tmp_path / "two"
    shutil.copytree(root, two, ignore=shutil.ignore_patterns(".cache", "site"))
    config["plugins"][0]["monograph"]["parallel"] = True
    (two / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    build_project(two, strict=False)
    assert started == [PAGES + 1]
    assert _differences(root / "site", two / "site") == []


@pytest.mark.parametrize("style", [None, "nature", "apa"])
def test_the_bibliography_checks_run_in_the_second_process(
    style: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold build leaves the .bib's checks and snapshot to the process that formats ahead
    (Vancouver) or converts the entries to CSL-JSON (a CSL style), as its first job; they are
    reported as in one process, and the next build reads them."""
    from monograph.adapter import sources

    parent, log = os.getpid(), tmp_path / "checked-in.txt"
    check = sources.check_bibliography

    def traced(bib: object) -> object:
        with log.open("a", encoding="utf-8") as out:
            out.write("child\n" if os.getpid() != parent else "build\n")
        return check(bib)  # type: ignore[arg-type]

    monkeypatch.setattr(sources, "check_bibliography", traced)
    monkeypatch.setattr(parallel, "cpus", lambda: 2)
    _as_new_process()
    root = tmp_path / "two"
    _write_site(root, style)
    bib = root / "refs.bib"  # one article without its journal: a problem of the checks
    bib.write_text(
        bib.read_text(encoding="utf-8") + "@article{nojournal, title = {T}, year = {2000}}\n",
        encoding="utf-8",
    )
    two = build_project(root, strict=False)
    assert log.read_text(encoding="utf-8").split() == ["child"]
    missing = [p for p in two.problems if p.code == "cite.missing_field"]
    assert [(p.path, p.line) for p in missing] == [("refs.bib", bib.read_text().count("\n"))]
    assert len(list((root / ".cache").glob("bibliography-*.pickle"))) == 1

    _as_new_process()
    one_root = tmp_path / "one"
    shutil.copytree(root, one_root, ignore=shutil.ignore_patterns(".cache", "site"))
    monkeypatch.setattr(parallel, "cpus", lambda: 1)
    one = build_project(one_root, strict=False)
    assert log.read_text(encoding="utf-8").split() == ["child", "build"]
    assert _differences(root / "site", one_root / "site") == []
    assert sorted(map(str, two.problems)) == sorted(map(str, one.problems))

    # The snapshot the child wrote holds the checks: the next build says them, checking nothing.
    _as_new_process()
    warm = build_project(root, strict=False)
    assert log.read_text(encoding="utf-8").split() == ["child", "build"]
    assert sorted(map(str, warm.problems)) == sorted(map(str, two.problems))


_READER_HOOK = '''
"""Reads every page's content in on_env, after the monograph plugin, as some plugins do."""
import json
from pathlib import Path


def on_env(env, config, files):
    contents = {f.src_uri: f.page.content or "" for f in files.documentation_pages()}
    seen = {
        name: ("<!--monograph-" in html, 'class="citation' in html)
        for name, html in contents.items()
    }
    Path(config.config_file_path).with_name("seen.json").write_text(json.dumps(seen))
    return env
'''


@pytest.mark.parametrize("reader", ["hook", "extra_template"])
def test_pages_are_filled_before_on_env_ends_when_something_may_read_them_then(
    reader: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages are filled while MkDocs writes them only when nothing reads a page before then:
    another plugin's (or hook's) ``on_env`` after this one, or a site template, makes the build
    fill every page in ``on_env`` (in two processes, :class:`SharedWork`)."""
    started = _count_starts(monkeypatch, parallel.SharedWork, fill.FillJob)
    streamed = _count_starts(monkeypatch, parallel.StreamedWork)
    monkeypatch.setattr(parallel, "cpus", lambda: 2)
    _as_new_process()
    root = tmp_path / "site-with-reader"

    def add_reader(config: dict[str, Any]) -> None:
        if reader == "hook":
            config["hooks"] = ["reader.py"]
        else:
            config["extra_templates"] = ["all.txt"]

    _write_pages_site(root, edit=add_reader)
    (root / "reader.py").write_text(_READER_HOOK, encoding="utf-8")
    (root / "docs" / "all.txt").write_text(
        "{% for p in pages %}{{ p.page.content }}{% endfor %}", encoding="utf-8"
    )
    build_project(root, strict=False)
    assert streamed == []
    assert started == [PAGES + 1]
    if reader == "hook":
        seen = json.loads((root / "seen.json").read_text(encoding="utf-8"))
        assert seen and all(not token for token, _ in seen.values())
        assert all(cited for name, (_, cited) in seen.items() if name.startswith("p"))
    else:
        every = (root / "site" / "all.txt").read_text(encoding="utf-8")
        assert "<!--monograph-" not in every and 'class="citation' in every


def test_pages_filled_while_written_are_indexed_filled_by_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search plugin reads each page in ``on_page_context``, like the theme: the page is
    taken from the second process before either (the plugin's handler runs first)."""
    streamed = _count_starts(monkeypatch, parallel.StreamedWork, fill.FillJob)
    monkeypatch.setattr(parallel, "cpus", lambda: 2)
    _as_new_process()
    root = tmp_path / "searched"
    # Listed first, its handlers would run first.
    _write_pages_site(root, edit=lambda config: config["plugins"].insert(0, "search"))
    build_project(root, strict=False)
    assert streamed == [PAGES + 1]
    index = json.loads((root / "site" / "search" / "search_index.json").read_text("utf-8"))
    texts = [doc["text"] for doc in index["docs"]]
    assert not any("monograph-cite" in text or "monograph-marker" in text for text in texts)
    page = next(d["text"] for d in index["docs"] if d["location"] == "p05/")
    assert "[" in page  # the citation numbers, as the page shows them


def test_a_citation_macro_that_fails_while_pages_are_written_stops_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site's macro that fails in the second process fails the build as in one: the page is
    filled again here, which names the template; the second process is stopped."""
    import multiprocessing

    streamed = _count_starts(monkeypatch, parallel.StreamedWork, fill.FillJob)
    monkeypatch.setattr(parallel, "cpus", lambda: 2)
    _as_new_process()
    root = tmp_path / "failing"

    def own_templates(config: dict[str, Any]) -> None:
        config["theme"]["custom_dir"] = "overrides"

    _write_pages_site(root, edit=own_templates)
    macro = root / "overrides" / "monograph" / "citation.html"
    macro.parent.mkdir(parents=True)
    macro.write_text(
        "{% macro group(parts, plain, narrative, names) %}{{ parts[7] }}{% endmacro %}\n",
        encoding="utf-8",
    )
    site = build_project(root, strict=True)
    assert streamed == [PAGES + 1]
    assert site.aborted is not None
    errors = [w for w in site.warnings if "template failed" in w]
    assert errors and errors[0].startswith(f"{macro}: ")
    assert multiprocessing.active_children() == []
