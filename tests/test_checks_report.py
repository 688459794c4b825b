"""Report formats, exit status, de-duplication, and MkDocs messages turned into problems."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from monograph.checks import report
from monograph.checks.mkdocs_messages import convert
from monograph.checks.sources import SourceTree
from monograph.core.model import Problem

PROBLEMS = [
    Problem("link.not_found", "link 'b.md' is broken; fix it", "docs/a.md", 7, "warning"),
    Problem("cite.unknown_key", "unknown citation key 'x'; add it", "docs/a.md", 3),
    Problem("cite.unused_entry", "entry 'y' is never cited", "refs.bib", 12, "warning"),
    Problem("cite.no_identifier", "article 'z' has no DOI", "refs.bib", 20, "info"),
    Problem("build.aborted", "Aborted, 50% done:\nsee above", None),
]


def test_text_groups_by_file_and_ends_with_a_total() -> None:
    text = report.render(PROBLEMS, "text", summary={"pages": 3})
    assert text.splitlines() == [
        "docs/a.md",
        "  docs/a.md:3: unknown citation key 'x'; add it [cite.unknown_key]",
        "  docs/a.md:7: warning: link 'b.md' is broken; fix it [link.not_found]",
        "",
        "refs.bib",
        "  refs.bib:12: warning: entry 'y' is never cited [cite.unused_entry]",
        "  refs.bib:20: info: article 'z' has no DOI [cite.no_identifier]",
        "",
        "(no file)",
        "  Aborted, 50% done:",
        "    see above [build.aborted]",
        "",
        "Found 4 problems (2 errors, 2 warnings) in 3 files; 1 notes. pages: 3.",
    ]


def test_json_lists_every_field() -> None:
    document = json.loads(report.render(PROBLEMS, "json", summary={"pages": 3}))
    assert document["counts"] == {"error": 2, "warning": 2, "info": 1}
    assert document["summary"] == {"pages": 3}
    assert document["problems"][0] == {
        "path": "docs/a.md",
        "line": 3,
        "code": "cite.unknown_key",
        "severity": "error",
        "message": "unknown citation key 'x'; add it",
    }


def test_github_workflow_commands_escape_data_and_properties() -> None:
    lines = report.render(PROBLEMS, "github").splitlines()
    assert lines[0] == (
        "::error file=docs/a.md,line=3,title=cite.unknown_key::unknown citation key 'x'; add it"
    )
    assert lines[1].startswith("::warning file=docs/a.md,line=7,title=link.not_found::")
    assert lines[3].startswith("::notice file=refs.bib,line=20,title=cite.no_identifier::")
    assert lines[4] == "::error title=build.aborted::Aborted, 50%25 done:%0Asee above"
    weird = Problem("x.y", "m", "docs/a,b:c.md", 1)
    assert report.render([weird], "github").startswith("::error file=docs/a%2Cb%3Ac.md,line=1,")


@pytest.mark.parametrize(
    ("severities", "status"),
    [((), 0), (("info",), 0), (("info", "warning"), 1), (("error",), 1)],
)
def test_exit_status(severities: tuple[str, ...], status: int) -> None:
    problems = [Problem("c.d", "m", severity=s) for s in severities]  # type: ignore[arg-type]
    assert report.exit_status(problems) == status


def test_clean_text_report() -> None:
    assert report.render([], "text") == "No problems found.\n"


def test_deduplicate_keeps_the_first_report_of_a_defect() -> None:
    mkdocs = Problem("link.not_found", "MkDocs' wording", "docs/a.md", 7, "warning")
    html = Problem("link.not_found", "HTML check's wording", "docs/a.md", 7)
    other = Problem("link.not_found", "HTML check's wording", "docs/a.md", 9)
    assert report.deduplicate([mkdocs], [html, other]) == [mkdocs, other]


def test_deduplicate_keeps_every_distinct_problem_of_one_checker() -> None:
    unknown = [
        Problem("cite.unknown_key", f"unknown citation key '{key}'", "docs/a.md", 3)
        for key in ("x", "y", "z")
    ]
    links = [
        Problem("link.not_found", f"link '{target}' is broken", "docs/a.md", 5)
        for target in ("a.md", "b.md")
    ]
    mkdocs_repeat = Problem("link.not_found", "MkDocs' wording", "docs/a.md", 5, "warning")
    kept = report.deduplicate([*unknown, links[0], unknown[0]], [mkdocs_repeat, links[1]])
    assert kept == [*unknown, links[0], links[1]]


@pytest.fixture
def tree(tmp_path: Path) -> SourceTree:
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n\n[x](missing.md)\n[y](sub/page.md#nope)\n", "utf-8")
    (docs / "sub" / "page.md").write_text("# Page\n\nSee [home](../index.md#gone).\n", "utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: T\nnav:\n  - index.md\n  - gone.md\ntheme: mkdocs\n", "utf-8"
    )
    return SourceTree(tmp_path, docs)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "Doc file 'index.md' contains a link 'missing.md', but the target is not found "
            "among documentation files.",
            ("link.not_found", "docs/index.md", 3),
        ),
        (
            "Doc file 'index.md' contains a link 'sub/page.md#nope', but the doc 'sub/page.md' "
            "does not contain an anchor '#nope'.",
            ("link.anchor_missing", "docs/index.md", 4),
        ),
        (
            "Doc file 'sub/page.md' contains a link '../index.md#gone', but the doc 'index.md' "
            "does not contain an anchor '#gone'.",
            ("link.anchor_missing", "docs/sub/page.md", 3),
        ),
        (
            "Doc file 'index.md' contains an unrecognized relative link 'sub/', it was left as "
            "is. Did you mean 'sub/page.md'?",
            ("link.unrecognized", "docs/index.md", None),
        ),
        (
            "A reference to 'gone.md' is included in the 'nav' configuration, which is not "
            "found in the documentation files.",
            ("nav.not_found", "mkdocs.yml", 4),
        ),
        (
            "Config value 'theme': Unrecognised theme name: 'nope'.",
            ("config.invalid", "mkdocs.yml", 5),
        ),
        ("Something else entirely.", ("mkdocs.warning", None, None)),
    ],
)
def test_mkdocs_messages_become_located_problems(
    tree: SourceTree, message: str, expected: tuple[str, str | None, int | None]
) -> None:
    (problem,) = convert(message, "warning", tree, "mkdocs.yml")
    assert (problem.code, problem.path, problem.line) == expected
    assert problem.severity == "warning"
    assert ";" in problem.message or problem.code == "mkdocs.warning"


def test_pages_missing_from_nav_are_one_problem_each(tree: SourceTree) -> None:
    message = (
        "The following pages exist in the docs directory, but are not included in the "
        '"nav" configuration:\n  - sub/page.md\n  - other.md'
    )
    problems = convert(message, "warning", tree, "mkdocs.yml")
    assert [(p.code, p.path) for p in problems] == [
        ("nav.omitted_file", "docs/sub/page.md"),
        ("nav.omitted_file", "docs/other.md"),
    ]


def test_did_you_mean_is_kept(tree: SourceTree) -> None:
    message = (
        "Doc file 'index.md' contains a link 'missing.md', but the target is not found among "
        "documentation files. Did you mean 'sub/page.md'?"
    )
    (problem,) = convert(message, "warning", tree, "mkdocs.yml")
    assert "(did you mean 'sub/page.md'?)" in problem.message


@pytest.mark.parametrize(
    ("directory_urls", "built", "source"),
    [
        (True, "index.html", "index.md"),
        (True, "a/index.html", "a/index.md"),  # index.md wins over README.md
        (True, "a/b/index.html", "a/b.md"),
        (True, "c/index.html", "c/README.md"),
        (False, "a/b.html", "a/b.md"),
        (False, "c/index.html", "c/README.md"),
        (True, "404.html", None),
    ],
)
def test_built_pages_map_to_sources_by_mkdocs_rules(
    tmp_path: Path, directory_urls: bool, built: str, source: str | None
) -> None:
    docs = tmp_path / "docs"
    for name in ("index.md", "a/index.md", "a/README.md", "a/b.md", "c/README.md"):
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text("# x\n", encoding="utf-8")
    assert SourceTree(tmp_path, docs, directory_urls).source_of(built) == source
