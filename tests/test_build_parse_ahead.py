"""A cold build parses a large .bib in a second process while MkDocs converts the pages.

The second process (:class:`monograph.core.styles.ahead.ParsedAhead`) parses the file, sends its
index, formats the entries and sends them, then checks the file, writes its snapshot and sends the
checks. Conversion reads nothing of the bibliography: a page's evidence data is read once every
page is converted (its tables fill the tokens their markers left). Each site here is compared,
file by file and problem by problem, with the same site built in one process; a second process
that stops early leaves the rest of its work to the build.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from monograph.core import parallel
from monograph.core.bibliography import loading
from monograph.core.styles import ahead

from .conftest import BuiltSite, build_project
from .test_build_parallel import _as_new_process
from .test_build_reuse import _differences
from .test_evidence_kept import _row

#: Entries enough for the file to be parsed in the second process (LATER_MIN_CHARS or more).
PADDING = 160

BIB = "".join(
    f"@article{{e{n},\n  author = {{Author{n}, Ann}},\n  title = {{Study {n} of restless legs}},\n"
    f"  journal = {{Leg J}},\n  year = {{{1990 + n % 30}}},\n  volume = {{{n}}},\n"
    f"  pages = {{{n}--{n + 5}}},\n}}\n"
    for n in range(PADDING)
) + (
    "@article{rct2009, author = {Rct, Ann}, title = {A trial}, journal = {J}, year = {2009}}\n"
    "@article{rct2015, author = {Two, Tia}, title = {Two}, journal = {J}, year = {2015}}\n"
    "@article{rev2019, author = {Rev, Bob}, title = {A review}, journal = {J}, year = {2019}}\n"
    "@article{nojournal, author = {No, Jo}, title = {No journal}, year = {2000}}\n"
    "@article{e7, author = {Again, Al}, title = {A second e7}, journal = {J}, year = {2001}}\n"
)

VALERIAN = (
    '---\ntitle: Valerian\nevidence_caveat: "Small trials."\nevidence:\n'
    + _row("rct2015", "rct", "no-difference", "condition", "37")
    + _row("rct2009", "rct", "benefit", "condition", "20")
    + "---\n\n# Valerian\n\nBefore [@rev2019].\n\n<!-- monograph:evidence -->\n\n"
    "After [@e3; @nojournal].\n"
)
BROKEN = (
    '---\ntitle: Broken\nevidence_caveat: "One trial."\nevidence:\n'
    + _row("rct2016", "rct", "benefit", "condition", "12")
    + "---\n\n# Broken\n\nText [@e4].\n\n<!-- monograph:evidence -->\n"
)
MANY = "# Many\n\n" + "".join(f"Claim [@e{n}] and @e{n + 1}.\n\n" for n in range(0, 60))
SUMMARY = "# Evidence\n\n<!-- monograph:evidence-summary -->\n"


def _write_site(root: Path) -> None:
    pages = {
        "index.md": "# Home\n\nWelcome [@e1].\n",
        "valerian.md": VALERIAN,
        "broken.md": BROKEN,
        "many.md": MANY,
        "summary.md": SUMMARY,
    }
    for name, text in pages.items():
        path = root / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "refs.bib").write_text(BIB, encoding="utf-8")
    assert len(BIB) >= loading.LATER_MIN_CHARS
    config = {
        "site_name": "Parsed ahead",
        "theme": {"name": "mkdocs"},
        "nav": [{name.removesuffix(".md"): name} for name in pages],
        "plugins": [{"monograph": {"bib_file": "refs.bib", "cache_dir": ".cache"}}],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")


def _trace_parses(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    """Append ``child`` or ``build`` to ``log`` whenever the .bib is parsed, by the process."""
    parent, parse = os.getpid(), loading._parse

    def traced(*args: object, **kwargs: object) -> loading.Bibliography:
        with log.open("a", encoding="utf-8") as out:
            out.write("child\n" if os.getpid() != parent else "build\n")
        return parse(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(loading, "_parse", traced)


def _parses(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").split() if log.exists() else []


def _one_process_build(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> BuiltSite:
    """The same site built in one process (one CPU: no fork), from a copy without caches."""
    _as_new_process()
    alone = tmp_path / "alone"
    shutil.copytree(root, alone, ignore=shutil.ignore_patterns(".cache", "site"))
    with monkeypatch.context() as one_cpu:
        one_cpu.setattr(parallel, "cpus", lambda: 1)
        built = build_project(alone, strict=False)
    return built


def _problems(built: BuiltSite) -> list[str]:
    return sorted(map(str, built.problems))


def test_a_cold_build_parses_formats_and_checks_the_bib_in_a_second_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "parsed-in.txt"
    _trace_parses(monkeypatch, log)
    monkeypatch.setattr(parallel, "cpus", lambda: 2)  # whatever this machine has
    started: list[int] = []
    original = ahead.ParsedAhead.__init__

    def spy(self: ahead.ParsedAhead, *args: object) -> None:
        started.append(1)
        original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(ahead.ParsedAhead, "__init__", spy)
    _as_new_process()
    root = tmp_path / "two"
    _write_site(root)
    two = build_project(root, strict=False)
    assert started == [1]
    assert _parses(log) == ["child"]  # the build itself parsed nothing
    assert len(list((root / ".cache").glob("bibliography-*.pickle"))) == 1  # written there

    # Every kind of problem, with its file and line: the parse's (a key defined twice), the
    # checks' (a missing field), the evidence data's (an unknown key, with "did you mean").
    codes = {(p.code, p.path, p.line) for p in two.problems}
    lines = BIB.splitlines()
    assert ("cite.duplicate_key", "refs.bib", len(lines)) in codes
    assert ("cite.missing_field", "refs.bib", len(lines) - 1) in codes
    unknown = [p for p in two.problems if p.code == "evidence.unknown_key"]
    assert len(unknown) == 1 and unknown[0].path == "docs/broken.md"
    assert "did you mean 'rct2015'?" in unknown[0].message

    # The evidence table sits where its marker is, its works numbered where they are cited:
    # after the text before the marker, before the text after it.
    page = (root / "site" / "valerian" / "index.html").read_text(encoding="utf-8")
    assert page.count('class="evidence-design"') >= 2  # a row for each of the two trials
    at = {key: page.index(f'<li id="ref-{key}"') for key in ("rev2019", "rct2015", "rct2009", "e3")}
    assert at["rev2019"] < min(at["rct2015"], at["rct2009"]) < max(at["rct2015"], at["rct2009"])
    assert max(at["rct2015"], at["rct2009"]) < at["e3"]
    assert "monograph-marker" not in page  # no token is left

    one = _one_process_build(root, tmp_path, monkeypatch)
    assert _parses(log) == ["child", "build"]
    assert _differences(root / "site", tmp_path / "alone" / "site") == []
    assert _problems(two) == _problems(one)

    # The next build reads the snapshot the second process wrote: nothing parsed, same problems.
    _as_new_process()
    warm = build_project(root, strict=False)
    assert _parses(log) == ["child", "build"]
    assert started == [1]
    assert _problems(warm) == _problems(two)


def _stops_after(sent: int) -> Callable[[ahead.ParsedAhead, Callable[[object], None]], None]:
    """The child's work, stopped (as if it failed) once it has sent ``sent`` messages."""
    work = ahead.ParsedAhead._work

    def stopping(self: ahead.ParsedAhead, send: Callable[[object], None]) -> None:
        count = [0]

        def limited(message: object) -> None:
            if count[0] >= sent:
                raise RuntimeError("the child stops here")
            count[0] += 1
            send(message)

        work(self, limited)

    return stopping


@pytest.mark.parametrize("sent", [0, 1, 2, "dies"])
def test_what_the_second_process_did_not_send_is_done_by_the_build(
    sent: int | str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped before its index, after it, after the formatted entries, or killed at once: the
    build parses, formats or checks what is missing, with the same site and problems."""
    log = tmp_path / "parsed-in.txt"
    _trace_parses(monkeypatch, log)
    monkeypatch.setattr(parallel, "cpus", lambda: 2)
    if sent == "dies":
        monkeypatch.setattr(ahead.ParsedAhead, "_work", lambda self, send: os._exit(3))
    else:
        monkeypatch.setattr(ahead.ParsedAhead, "_work", _stops_after(int(sent)))
    _as_new_process()
    root = tmp_path / "two"
    _write_site(root)
    two = build_project(root, strict=False)
    if sent == "dies":
        assert _parses(log) == ["build"]
    elif sent == 0:  # parsed in the child, which sent nothing: parsed again in the build
        assert _parses(log) == ["child", "build"]
    else:  # the index came; the build parses only for what it lacks (formats, checks)
        assert _parses(log)[0] == "child"
    assert len(list((root / ".cache").glob("bibliography-*.pickle"))) == 1

    one = _one_process_build(root, tmp_path, monkeypatch)
    assert _differences(root / "site", tmp_path / "alone" / "site") == []
    assert _problems(two) == _problems(one)
    assert any(p.code == "cite.missing_field" for p in two.problems)


def test_a_build_with_nocite_parses_in_on_config_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``nocite`` needs the keys in on_config: the file is parsed there, in the build."""
    log = tmp_path / "parsed-in.txt"
    _trace_parses(monkeypatch, log)
    monkeypatch.setattr(parallel, "cpus", lambda: 2)
    _as_new_process()
    root = tmp_path / "two"
    _write_site(root)
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["plugins"][0]["monograph"]["nocite"] = ["e150"]
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    two = build_project(root, strict=False)
    assert _parses(log)[0] == "build"
    page = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert "Study 150 of restless legs" not in page  # nocite goes to the bibliography only
    one = _one_process_build(root, tmp_path, monkeypatch)
    assert _differences(root / "site", tmp_path / "alone" / "site") == []
    assert _problems(two) == _problems(one)


def test_a_failed_build_stops_the_second_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that fails after on_config (here: a page's macro raising) leaves no child."""
    children: list[ahead.ParsedAhead] = []
    original = ahead.ParsedAhead.__init__

    def spy(self: ahead.ParsedAhead, *args: object) -> None:
        original(self, *args)  # type: ignore[arg-type]
        children.append(self)

    monkeypatch.setattr(ahead.ParsedAhead, "__init__", spy)
    monkeypatch.setattr(parallel, "cpus", lambda: 2)
    _as_new_process()
    root = tmp_path / "failing"
    _write_site(root)
    (root / "hooks.py").write_text(
        "def on_page_markdown(markdown, page, config, files):\n"
        "    if page.file.src_uri == 'many.md':\n"
        "        raise RuntimeError('a hook fails')\n",
        encoding="utf-8",
    )
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["hooks"] = ["hooks.py"]
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    with pytest.raises(RuntimeError, match="a hook fails"):
        build_project(root, strict=False)
    assert len(children) == 1
    assert not children[0]._child._process.is_alive()
