"""refs.bib loading, Vancouver formatting golden strings, and each bibliography check's message."""

from __future__ import annotations

from pathlib import Path

import pytest
from monograph.core.bibliography.checks import check_bibliography, check_unknown_keys, check_unused
from monograph.core.bibliography.loading import load_bibliography
from monograph.core.model import CitationGroup, CitationItem, Problem
from monograph.core.styles.builtin import VancouverReferences
from monograph.core.styles.formatter import ReferenceFormatter
from monograph.core.styles.vancouver import format_reference

TROTTI = """@article{trotti2019,
  author = {Trotti, L. M. and Becker, L. A.},
  title = {Iron for the treatment of restless legs syndrome},
  journal = {Cochrane Database Syst Rev},
  year = {2019},
  number = {1},
  pages = {CD007834},
  doi = {10.1002/14651858.CD007834.pub3},
  pmid = {30609006},
  pmcid = {PMC6353229},
}
"""


def load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    return load_bibliography(path, "refs.bib")


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            TROTTI,
            "Trotti LM, Becker LA. Iron for the treatment of restless legs syndrome. Cochrane "
            "Database Syst Rev. 2019;1:CD007834. doi:10.1002/14651858.CD007834.pub3. "
            "PMID: 30609006. PMCID: PMC6353229.",
        ),
        (
            "@article{guo2017, author = {Guo, Shiyi and Huang, Jinsha and Jiang, Haiyang and "
            "Han, Chao and Li, Jie and Xu, Xiaoyun and Zhang, Guoxin}, title = {Restless legs "
            "syndrome: from pathophysiology to clinical diagnosis and management}, journal = "
            "{Front Aging Neurosci}, year = {2017}, volume = {9}, pages = {171}, "
            "doi = {10.3389/fnagi.2017.00171}}",
            "Guo S, Huang J, Jiang H, Han C, Li J, Xu X, et al. Restless legs syndrome: from "
            "pathophysiology to clinical diagnosis and management. Front Aging Neurosci. "
            "2017;9:171. doi:10.3389/fnagi.2017.00171.",
        ),
        (
            "@article{debaaij2015, author = {de Baaij, Jeroen H. F. and Hoenderop, Joost G. J. "
            "and Bindels, Ren{\\'e} J. M.}, title = {Magnesium in man: implications for health "
            "and disease}, journal = {Physiol Rev}, year = {2015}, volume = {95}, number = {1}, "
            "pages = {1--46}, pubmed = {25540137}}",
            "de Baaij JHF, Hoenderop JGJ, Bindels RJM. Magnesium in man: implications for health "
            "and disease. Physiol Rev. 2015;95(1):1-46. PMID: 25540137.",
        ),
        (
            "@article{kwatra2018, author = {Kwatra, V. and Khan, MA and Quadri, S. A. and "
            "others}, title = {Does it work?}, journal = {Cureus}, year = {2018}, volume = {10}, "
            "number = {9}, pages = {e3297}}",
            "Kwatra V, Khan MA, Quadri SA, et al. Does it work? Cureus. 2018;10(9):e3297.",
        ),
        (
            "@book{braun2010, author = {Braun, L. and Cohen, M.}, title = {Herbs and natural "
            "supplements: an evidence-based guide}, edition = {3rd}, address = {Sydney}, "
            "publisher = {Churchill Livingstone Elsevier}, year = {2010}}",
            "Braun L, Cohen M. Herbs and natural supplements: an evidence-based guide. 3rd ed. "
            "Sydney: Churchill Livingstone Elsevier; 2010.",
        ),
        (  # NLM's translated book: the translators after the title (an invented example)
            "@book{kafka2009, author = {Kafka, Franz}, translator = {Roe, Richard and Poe, Ann}, "
            "title = {The trial}, edition = {2nd}, address = {City}, publisher = {Pub}, "
            "year = {2009}}",
            "Kafka F. The trial. Roe R, Poe A, translators. 2nd ed. City: Pub; 2009.",
        ),
    ],
)
def test_vancouver_golden(tmp_path: Path, entry: str, expected: str) -> None:
    bib = load(tmp_path, entry)
    key = next(iter(bib))
    assert format_reference(bib, key).text == expected


def test_html_links_markup_and_escaping(tmp_path: Path) -> None:
    bib = load(
        tmp_path,
        '@article{x, author={H{\\"o}gl, Birgit}, title={The {\\emph{Valeriana}} '
        "\\textit{officinalis} <script>alert(1)</script> {RLS} story}, journal={J}, year={2020}, "
        'doi={10.1000/a"b}}',
    )
    ref = format_reference(bib, "x")
    assert ref.html.startswith("Högl B. The <em>Valeriana</em> <em>officinalis</em> &lt;script&gt;")
    assert "bibtex-protected" not in ref.html
    assert 'href="https://doi.org/10.1000/a&quot;b"' in ref.html
    assert ref.narrative == "Högl"


def test_syntax_error_has_file_and_line(tmp_path: Path) -> None:
    bib = load(tmp_path, TROTTI + "\n@article{broken, title = {x}\n  year = 2019,\n}\n")
    messages = [str(p) for p in bib.problems]
    assert len(messages) == 1
    assert messages[0].startswith("refs.bib:14: entry 'broken': syntax error")
    assert messages[0].endswith("[bib.syntax]")


def test_duplicate_key_is_case_insensitive(tmp_path: Path) -> None:
    bib = load(tmp_path, TROTTI + TROTTI.replace("trotti2019", "Trotti2019"))
    assert [str(p) for p in bib.problems] == [
        "refs.bib:12: duplicate entry key 'Trotti2019' (keys are case-insensitive; first defined "
        "at line 1); rename or remove one of them [cite.duplicate_key]"
    ]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "@article{nojournal, author = {A, B}, title = {T}, year = {2000}, pmid = {1}}",
            "refs.bib:12: entry 'nojournal' (@article) lacks journal; add it from the source "
            "record [cite.missing_field]",
        ),
        (
            "@article{baddoi, author = {A, B}, title = {T}, journal = {J}, year = {2000}, "
            "doi = {https://doi.org/10.1/x}}",
            "refs.bib:12: entry 'baddoi': doi 'https://doi.org/10.1/x' is malformed; expected "
            "10.NNNN/suffix, without https://doi.org/ [cite.malformed_doi]",
        ),
        (
            "@article{badpmid, author = {A, B}, title = {T}, journal = {J}, year = {2000}, "
            "pmid = {PMID123}}",
            "refs.bib:12: entry 'badpmid': pmid 'PMID123' is malformed; expected digits only "
            "[cite.malformed_pmid]",
        ),
        (
            "@article{samedoi, author = {A, B}, title = {T}, journal = {J}, year = {2000}, "
            "doi = {10.1002/14651858.cd007834.pub3}}",
            "refs.bib:12: entries 'trotti2019' and 'samedoi' share doi "
            "'10.1002/14651858.cd007834.pub3'; merge them into one entry [cite.duplicate_doi]",
        ),
        (
            "@article{samepmid, author = {A, B}, title = {T}, journal = {J}, year = {2000}, "
            "pmid = {30609006}}",
            "refs.bib:12: entries 'trotti2019' and 'samepmid' share pmid '30609006'; merge them "
            "into one entry [cite.duplicate_pmid]",
        ),
    ],
)
def test_entry_checks(tmp_path: Path, extra: str, expected: str) -> None:
    bib = load(tmp_path, TROTTI + extra + "\n")
    problems = [str(p) for p in check_bibliography(bib) if p.severity != "info"]
    assert problems == [expected]


def test_article_without_identifier_is_info(tmp_path: Path) -> None:
    bib = load(tmp_path, "@article{a, author={A, B}, title={T}, journal={J}, year={2000}}")
    [problem] = check_bibliography(bib)
    assert (problem.code, problem.severity) == ("cite.no_identifier", "info")


def test_unknown_key_suggests_and_unused_warns(tmp_path: Path) -> None:
    bib = load(tmp_path, TROTTI)
    group = CitationGroup((CitationItem("trotti2091"),), path="docs/interventions/iron.md", line=14)
    assert [str(p) for p in check_unknown_keys(bib, [group])] == [
        "docs/interventions/iron.md:14: unknown citation key 'trotti2091'; did you mean "
        "'trotti2019'? [cite.unknown_key]"
    ]
    [unused] = check_unused(bib, cited=[], nocite=[])
    assert (unused.code, unused.severity, unused.line) == ("cite.unused_entry", "warning", 1)
    assert check_unused(bib, cited=[], nocite=["TROTTI2019"]) == []


def test_formatter_formats_each_entry_once_and_caches_on_disk(tmp_path: Path) -> None:
    bib = load(tmp_path, TROTTI.replace("trotti2019", "cachetest"))
    cache = tmp_path / "cache" / "references.json"
    first = ReferenceFormatter(bib, cache)
    ref = first.get("cachetest")
    assert first.get("cachetest") is ref and first.formatted == 1
    first.save()
    assert cache.is_file()
    from monograph.core.styles import formatter as references

    references._MEMORY.clear()  # a new process: memory empty, disk cache present
    second = ReferenceFormatter(bib, cache)
    assert second.get("cachetest") == ref and second.formatted == 0
    references._MEMORY.clear()
    changed = load(tmp_path, TROTTI.replace("trotti2019", "cachetest").replace("Iron", "Zinc"))
    third = ReferenceFormatter(changed, cache)
    assert "Zinc" in third.get("cachetest").text and third.formatted == 1


def test_second_load_of_unchanged_file_is_not_reparsed(tmp_path: Path) -> None:
    first = load(tmp_path, TROTTI)
    again = load_bibliography(tmp_path / "refs.bib", "refs.bib")
    assert again is first


def test_snapshot_skips_parsing_of_an_unchanged_file(tmp_path: Path) -> None:
    from monograph.core.bibliography import loading as bibliography

    path = tmp_path / "refs.bib"
    path.write_text(TROTTI, encoding="utf-8")
    cache = tmp_path / "cache"
    first = load_bibliography(path, "refs.bib", cache)
    [snapshot] = cache.glob("bibliography-*.pickle")
    bibliography._CACHE.clear()  # a new process
    second = load_bibliography(path, "refs.bib", cache)
    assert second is not first and second.lines == first.lines
    assert second.entry("trotti2019").fields["title"] == first.entry("trotti2019").fields["title"]
    path.write_text(TROTTI.replace("Iron", "Zinc"), encoding="utf-8")
    bibliography._CACHE.clear()
    changed = load_bibliography(path, "refs.bib", cache)
    assert "Zinc" in changed.entry("trotti2019").fields["title"]
    assert list(cache.glob("bibliography-*.pickle")) != [snapshot]
    snapshot_now = next(cache.glob("bibliography-*.pickle"))
    snapshot_now.write_bytes(b"corrupt")
    bibliography._CACHE.clear()
    assert load_bibliography(path, "refs.bib", cache).lines == changed.lines


def test_latex_ligatures_and_chapter_pages(tmp_path: Path) -> None:
    bib = load(
        tmp_path,
        "@incollection{ch, author = {Doe, Jane}, title = {Sleep 2010--2015: ``a review''}, "
        "booktitle = {Big Book}, editor = {Roe, Rick}, publisher = {Pub}, address = {City}, "
        "year = {2016}, pages = {282--300}}",
    )
    assert format_reference(bib, "ch").text == (
        "Doe J. Sleep 2010–2015: “a review”. In: Roe R, editor. Big Book. City: Pub; 2016. "
        "p. 282-300."
    )


def test_snapshot_keeps_the_checks_so_a_warm_load_checks_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monograph.core.bibliography import checks
    from monograph.core.bibliography import loading as bibliography

    path = tmp_path / "refs.bib"
    path.write_text("@article{a, author={A, B}, title={T}, journal={J}, year={2000}}")
    cache = tmp_path / "cache"
    first = load_bibliography(path, "refs.bib", cache, prepare=check_bibliography)
    [problem] = check_bibliography(first)
    assert problem.code == "cite.no_identifier"
    bibliography._CACHE.clear()  # a new process: only the snapshot is left

    def must_not_run(bib: object) -> list[object]:
        raise AssertionError("checked again")

    monkeypatch.setattr(checks, "check_required_fields", must_not_run)
    second = load_bibliography(path, "refs.bib", cache, prepare=check_bibliography)
    assert second is not first and check_bibliography(second) == [problem]


def test_each_bib_file_keeps_its_own_snapshot(tmp_path: Path) -> None:
    """bib_dir: two files in one cache folder both load warm, and a changed file replaces
    only its own snapshot."""
    from monograph.core.bibliography import loading as bibliography

    cache = tmp_path / "cache"
    one, two = tmp_path / "one.bib", tmp_path / "two.bib"
    one.write_text(TROTTI, encoding="utf-8")
    two.write_text(TROTTI.replace("trotti2019", "other2019"), encoding="utf-8")
    load_bibliography(one, "one.bib", cache)
    load_bibliography(two, "two.bib", cache)
    assert len(list(cache.glob("bibliography-*.pickle"))) == 2
    parsed: list[str] = []
    bibliography._CACHE.clear()  # a new process: both come from their snapshots
    load_bibliography(one, "one.bib", cache, prepare=lambda bib: parsed.append("one"))
    load_bibliography(two, "two.bib", cache, prepare=lambda bib: parsed.append("two"))
    assert parsed == []
    two.write_text(TROTTI.replace("trotti2019", "changed2019"), encoding="utf-8")
    bibliography._CACHE.clear()
    load_bibliography(two, "two.bib", cache, prepare=lambda bib: parsed.append("two"))
    assert parsed == ["two"]
    assert len(list(cache.glob("bibliography-*.pickle"))) == 2


WARM_LOAD = """
import sys
from pathlib import Path
from monograph.core.bibliography.loading import load_bibliography

bib = load_bibliography(Path(sys.argv[1]), "refs.bib", Path(sys.argv[2]))
assert "pybtex.database" not in sys.modules, "the parser was imported"
assert "TROTTI2019" in bib and "nobody" not in bib and list(bib) == ["Trotti2019"]
assert bib.canonical_key("trotti2019") == "Trotti2019" and bib.year_of("trotti2019") == 2019
assert bib.line_of("trotti2019") == 1 and bib.suggest("trotti2018") == "Trotti2019"
assert bib.digests["trotti2019"] and bib.checked is None
assert bib.entry("trotti2019").fields["year"] == "2019"  # the data, read on demand
assert "pybtex.database" in sys.modules
print("ok")
"""


def test_a_warm_load_reads_the_index_and_the_entries_only_when_asked(tmp_path: Path) -> None:
    """The snapshot's index answers every question but an entry's fields, without pybtex."""
    import subprocess
    import sys

    path = tmp_path / "refs.bib"
    path.write_text(TROTTI.replace("trotti2019,", "Trotti2019,"), encoding="utf-8")
    cache = tmp_path / "cache"
    cold = load_bibliography(path, "refs.bib", cache)
    assert sorted(p.suffix for p in cache.iterdir()) == [".json", ".pickle"]
    run = subprocess.run(
        [sys.executable, "-c", WARM_LOAD, str(path), str(cache)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.stdout.strip() == "ok", run.stderr
    assert cold.year_of("TROTTI2019") == 2019


def test_a_lost_or_corrupt_snapshot_part_means_parsing_again(tmp_path: Path) -> None:
    from monograph.core.bibliography import loading as bibliography

    path = tmp_path / "refs.bib"
    path.write_text(TROTTI, encoding="utf-8")
    cache = tmp_path / "cache"
    first = load_bibliography(path, "refs.bib", cache)
    [data] = cache.glob("*.pickle")
    [index] = cache.glob("*.json")
    data.write_bytes(b"not a pickle")  # found out only when an entry is read
    bibliography._CACHE.clear()
    warm = load_bibliography(path, "refs.bib", cache, prepare=lambda bib: None)
    assert warm.entry("trotti2019").fields["title"] == first.entry("trotti2019").fields["title"]
    index.write_text("{", encoding="utf-8")
    parsed: list[str] = []
    bibliography._CACHE.clear()
    again = load_bibliography(path, "refs.bib", cache, prepare=lambda bib: parsed.append("x"))
    assert parsed == ["x"] and again.lines == first.lines


def test_an_endnote_web_of_science_pointer_is_a_note_not_an_unsafe_link(tmp_path: Path) -> None:
    """EndNote exports write ``url = {<Go to ISI>://WOS:...}`` for every Web of Science record."""
    bib = load(
        tmp_path,
        TROTTI.replace("pmcid", "url = {<Go to ISI>://WOS:000168234500010},\n  pmcid")
        + "@misc{other, author = {A, B}, title = {T}, year = {2000}, "
        "url = {javascript:alert(1)}}\n",
    )
    found = {p.code: p for p in check_bibliography(bib)}
    note = found["cite.endnote_url"]
    assert (note.severity, note.line, note.subject) == ("info", 1, "trotti2019")
    assert "Web of Science record" in note.message and "<Go to ISI>://WOS:" in note.message
    assert found["cite.unsafe_url"].severity == "error"  # a real unsafe link is still an error
    assert "WOS:" not in format_reference(bib, "trotti2019").html


class _Strict(VancouverReferences):
    """A style that finds something wrong with every entry it formats (as CSL can)."""

    version = "strict-test-1"

    def format_entry(self, bib, key):  # type: ignore[no-untyped-def]
        self.problems.append(
            Problem("cite.style", f"entry '{key}' is empty in 'Test'", bib.path, bib.line_of(key))
        )
        return super().format_entry(bib, key)


def test_a_cached_reference_brings_back_the_problems_found_when_it_was_formatted(
    tmp_path: Path,
) -> None:
    """A strict warm build must fail as the cold one did, at the entry's current line."""
    from monograph.core.styles import formatter as references

    bib = load(tmp_path, TROTTI)
    cache = tmp_path / "cache" / "references.json"
    cold = _Strict()
    first = ReferenceFormatter(bib, cache, style=cold)
    first.get("trotti2019")
    first.save()
    assert [(p.code, p.line) for p in cold.problems] == [("cite.style", 1)]
    references._MEMORY.clear()  # a new process: only the cache file is left
    references._MEMORY_PROBLEMS.clear()
    moved = load(tmp_path, "@misc{other, title = {Other}, year = {2000}}\n" + TROTTI)
    warm = _Strict()
    formatter = ReferenceFormatter(moved, cache, style=warm)
    formatter.get("trotti2019")
    formatter.get("trotti2019")  # once per build, however often the work is cited
    assert formatter.formatted == 0
    assert [(p.code, p.message, p.line) for p in warm.problems] == [
        ("cite.style", "entry 'trotti2019' is empty in 'Test'", 2)
    ]


def test_a_reference_formatted_earlier_in_the_process_is_saved_to_a_new_cache_file(
    tmp_path: Path,
) -> None:
    bib = load(tmp_path, TROTTI.replace("trotti2019", "shared"))
    ReferenceFormatter(bib, tmp_path / "one.json").get("shared")  # now in process memory
    other = ReferenceFormatter(bib, tmp_path / "two.json")
    other.get("shared")
    other.save()
    assert "Trotti" in (tmp_path / "two.json").read_text(encoding="utf-8")
