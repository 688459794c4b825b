"""What the CSL processor is asked once instead of again and again gives the same answers.

:func:`monograph.core.styles.csl_processor._faster_citeproc` keeps answers that depend only on
the style's tree (group suppression, name options, child elements) and finds cites' places
through an index.
These tests render the same works in different orders and contexts, so an answer kept for one
element, work or context and wrongly given to another would show.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from monograph.core.bibliography.loading import load_bibliography
from monograph.core.model import CitationGroup, CitationItem
from monograph.core.styles.base import CitedItem, StyledWork
from monograph.core.styles.registry import load_style

BIB = r"""
@article{alpha, author = {Doe, Jane and Roe, Richard and Poe, Edgar}, title = {Alpha},
  journal = {Journal One}, year = {2001}}
@book{beta, editor = {Moe, Mary}, title = {Beta}, year = {2002}}
@misc{gamma, author = {Low, Lee}, title = {Gamma}, year = {2003}}
"""

STYLE = """<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
<info><title>Speed</title><category citation-format="numeric"/></info>
<citation et-al-min="2" et-al-use-first="1">
  <sort><key variable="citation-number"/></sort>
  <layout delimiter="," prefix="[" suffix="]">
    <text variable="citation-number"/>
    <names variable="author" prefix=" (" suffix=")"><name/></names>
  </layout>
</citation>
<bibliography>
  <layout suffix=".">
    <group delimiter=". ">
      <names variable="author"><name/></names>
      <names variable="editor"/>
      <text variable="title" font-style="italic" quotes="true"/>
      <group delimiter=" "><text term="in"/><text variable="container-title"/></group>
      <date variable="issued"><date-part name="year"/></date>
    </group>
  </layout>
</bibliography>
</style>
"""


def _write(tmp_path: Path, bib: str = BIB, style: str = STYLE) -> None:
    """A site's ``refs.bib`` and its CSL style file ``style.csl``."""
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    (tmp_path / "style.csl").write_text(style, encoding="utf-8")


def _load(tmp_path: Path) -> tuple[Any, Any]:
    """The bibliography and the style :func:`_write` wrote, read afresh."""
    data = load_bibliography(tmp_path / "refs.bib", "refs.bib")
    return data, load_style(csl_file="style.csl", base_dir=tmp_path)


def _style(tmp_path: Path, bib: str = BIB, style: str = STYLE) -> tuple[Any, Any]:
    _write(tmp_path, bib, style)
    return _load(tmp_path)


def _cite(style: Any, keys: list[str], numbers: dict[str, int]) -> str:
    items = [CitedItem(key, CitationItem(key), numbers[key]) for key in keys]
    styled = style.render_citation(CitationGroup(tuple(item.item for item in items)), items)
    return "".join(part.html if isinstance(part, StyledWork) else part for part in styled.parts)


def test_entries_keep_their_own_groups_names_and_formatting_in_any_order(tmp_path: Path) -> None:
    expected = {
        # All three authors in the list (the citation's et-al options are not the list's);
        # the group with "in" and the journal printed because the journal is there.
        "alpha": "Jane Doe, Richard Roe, Edgar Poe. “<i>Alpha</i>”. in Journal One. 2001.",
        # No author and no journal: the editor printed through the bare <names> (the processor
        # gives it a <name> of its own), and the "in" group left out, with its delimiter.
        "beta": "Mary Moe. “<i>Beta</i>”. 2002.",
        "gamma": "Lee Low. “<i>Gamma</i>”. 2003.",
    }
    for order in (["alpha", "beta", "gamma"], ["gamma", "beta", "alpha"]):
        data, style = _style(tmp_path)
        style.prepare(data, order)
        for key in (*order, *order):  # twice: the second time from what was kept
            assert style.format_entry(data, key).html == expected[key], (order, key)


def test_citations_number_and_sort_works_registered_in_any_order(tmp_path: Path) -> None:
    data, style = _style(tmp_path)
    order = ["gamma", "alpha", "beta"]
    style.prepare(data, order)
    numbers = {key: place for place, key in enumerate(order, start=1)}
    # One author in a citation, "et al." after the first of two or more (the citation's own
    # name options), while the list entry of the same work names all three.
    assert _cite(style, ["alpha"], numbers) == "[2 (Jane Doe et al.)]"
    written = ["beta", "alpha", "gamma"]  # sorted by number, whatever the order written
    assert _cite(style, written, numbers) == "[1 (Lee Low),2 (Jane Doe et al.),3]"
    assert "Edgar Poe" in style.format_entry(data, "alpha").html
    assert _cite(style, ["gamma"], numbers) == "[1 (Lee Low)]"


SUFFIX_STYLE = """<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
<info><title>Suffix sort</title><category citation-format="author-date"/></info>
<macro name="year"><date variable="issued"><date-part name="year"/></date></macro>
<macro name="letter"><text variable="year-suffix"/></macro>
<macro name="where"><choose><if locator="page"><text value="page"/></if></choose></macro>
<citation disambiguate-add-year-suffix="true">
  <sort><key macro="where"/><key variable="title"/></sort>
  <layout delimiter="; " prefix="(" suffix=")">
    <group delimiter=" ">
      <names variable="author"><name form="short"/></names>
      <group><text macro="year"/><text variable="year-suffix"/></group>
    </group>
  </layout>
</citation>
<bibliography>
  <sort><key macro="letter" sort="descending"/><key variable="title"/></sort>
  <layout><text variable="title"/></layout>
</bibliography>
</style>
"""

SUFFIX_BIB = r"""
@misc{one, author = {Lee, Ann}, title = {Zeta}, year = {2021}}
@misc{two, author = {Lee, Ann}, title = {Alpha}, year = {2021}}
@misc{three, author = {Kim, Bo}, title = {Beta}, year = {2000}}
"""


def test_a_sort_key_that_reads_the_year_suffix_sorts_by_the_letters_given(
    tmp_path: Path,
) -> None:
    data, style = _style(tmp_path, SUFFIX_BIB, SUFFIX_STYLE)
    keys = ["one", "two", "three"]
    style.prepare(data, keys)
    # Letters in the first order (title, as no work has a letter yet): Alpha a, Zeta b; then
    # the list sorts by letter, descending, which only the lettered data can say.
    assert style.entry_context("two") == "a"
    assert style.entry_context("one") == "b"
    assert style.order(keys, {"one": 1, "two": 2, "three": 3}) == ["one", "two", "three"]
    # A citation sort key that reads the cite (a locator condition) is rendered per cite: the
    # cite with a page first (the other has no key, and goes last), then without one, by title.
    numbers = {key: place for place, key in enumerate(keys, start=1)}
    items = [
        CitedItem("three", CitationItem("three"), 3),
        CitedItem("one", CitationItem("one", locator="p. 4"), 1),
    ]
    styled = style.render_citation(CitationGroup(tuple(item.item for item in items)), items)
    text = "".join(part.html if isinstance(part, StyledWork) else part for part in styled.parts)
    assert text == "(Lee 2021b; Kim 2000)"
    assert _cite(style, ["one", "two"], numbers) == "(Lee 2021a; Lee 2021b)"


def test_processor_data_text_keeps_its_pieces_and_their_kinds() -> None:
    import monograph.core.styles.csl_processor  # noqa: F401 - the processor as the engine uses it
    from citeproc.source.json import CiteProcJSON
    from citeproc.string import MixedString, NoCase, String

    source = CiteProcJSON(
        [
            {
                "id": "A",
                "type": "book",
                "title": "Plain title",
                "publisher": 'The <span class="nocase">DNA</span> press',
                "note": "",
            }
        ]
    )
    work = source["a"]
    pieces = [(type(piece), str(piece)) for piece in work["title"]]
    assert isinstance(work["title"], MixedString)
    assert pieces == [(String, "Plain title")]
    assert [(type(piece), str(piece)) for piece in work["publisher"]] == [
        (String, "The "),
        (NoCase, "DNA"),
        (String, " press"),
    ]
    assert work["note"] == MixedString()


def test_items_parsed_in_another_process_give_the_same_entries_and_citations(
    tmp_path: Path,
) -> None:
    import pickle

    from monograph.core.styles import csl_processor as csl

    order = ["alpha", "beta", "gamma"]
    numbers = {key: place for place, key in enumerate(order, start=1)}

    def built(parsed_elsewhere: bool) -> tuple[list[str], str]:
        csl._CONVERTED.clear()
        csl._PARSED.clear()
        data, style = _style(tmp_path)
        style.processor()._items_of(data, order)  # converted and parsed, as the second process does
        assert all(reference is not None for _, reference in csl._PARSED.values())
        if parsed_elsewhere:  # what comes back from the other process: a pickled copy
            for memo, kept in list(csl._PARSED.items()):
                csl._PARSED[memo] = pickle.loads(pickle.dumps(kept))
        else:
            csl._PARSED.clear()  # parsed again when the processor is made
        style.prepare(data, order)
        entries = [style.format_entry(data, key).html for key in order]
        return entries, _cite(style, ["beta", "alpha", "gamma"], numbers)

    assert built(parsed_elsewhere=True) == built(parsed_elsewhere=False)
    entries, citation = built(parsed_elsewhere=True)
    assert entries[1] == "Mary Moe. “<i>Beta</i>”. 2002."
    assert citation == "[1 (Jane Doe et al.),2,3 (Lee Low)]"


def test_what_is_made_of_each_work_ahead_gives_the_order_and_letters_made_here(
    tmp_path: Path,
) -> None:
    import pickle

    from monograph.core.styles import csl_processor as csl

    _write(tmp_path, SUFFIX_BIB, SUFFIX_STYLE)
    keys = ["one", "two", "three"]

    def prepared(ahead: str) -> tuple[list[str], list[str]]:
        for table in (csl._CONVERTED, csl._PARSED, csl._SORTED):
            table.clear()
        data, style = _load(tmp_path)
        if ahead != "none":  # as the converting process sends them back
            for key in keys:
                key, item, reference, alone, _ = pickle.loads(
                    pickle.dumps(csl._convert(data, key, style.processor()))
                )
                assert alone is not None
                texts, cite = alone
                assert len(texts) == 2
                assert cite is not None
                memo = csl._converted_key(data, key)
                csl._CONVERTED[memo] = item
                csl._PARSED[memo] = (item, reference)
                if ahead == "stale":  # made for other data (which would letter "one" first)
                    item = {**item, "title": "Other"}
                    alone = (tuple(key for _ in texts), (key, True))
                csl._SORTED[memo] = (item, style.version, alone)
        style.prepare(data, keys)
        return style.order(keys, {}), [style.entry_context(key) for key in keys]

    expected = (["one", "two", "three"], ["b", "a", ""])
    assert prepared("none") == expected
    assert prepared("ahead") == expected
    assert prepared("stale") == expected


POSITION_STYLE = """<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
<info><title>Position</title><category citation-format="author-date"/></info>
<citation disambiguate-add-year-suffix="true">
  <layout prefix="(" suffix=")" delimiter="; ">
    <group delimiter=" ">
      <text variable="title"/>
      <choose><if position="first"><text value="first"/></if><else><text value="again"/></else>
      </choose>
    </group>
  </layout>
</citation>
<bibliography><layout><text variable="title"/></layout></bibliography>
</style>
"""


def test_one_work_citations_made_ahead_are_remembered_by_the_processor(tmp_path: Path) -> None:
    import pickle

    from monograph.core.styles import csl_processor as csl

    _write(tmp_path, SUFFIX_BIB, POSITION_STYLE)
    keys = ["one", "two", "three"]
    numbers = {key: place for place, key in enumerate(keys, start=1)}

    def cited(ahead: bool) -> str:
        for table in (csl._CONVERTED, csl._PARSED, csl._SORTED):
            table.clear()
        data, style = _load(tmp_path)
        if ahead:
            for key in keys:
                key, item, reference, alone, _ = pickle.loads(
                    pickle.dumps(csl._convert(data, key, style.processor()))
                )
                assert alone is not None and alone[1] == (
                    {"one": "(Zeta first)", "two": "(Alpha first)", "three": "(Beta first)"}[key],
                    True,
                )
                memo = csl._converted_key(data, key)
                csl._CONVERTED[memo] = item
                csl._PARSED[memo] = (item, reference)
                csl._SORTED[memo] = (item, style.version, alone)
        style.prepare(data, keys)
        return _cite(style, ["two"], numbers)

    # No titles alike: no letters, and the processor that found none goes on, remembering the
    # one-work citations it made to find them (citeproc-py's positions), made ahead or not.
    assert cited(ahead=False) == cited(ahead=True) == "(Alpha again)"


DATE_STYLE = """<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
<info><title>Dates</title><category citation-format="numeric"/></info>
<citation><layout><text variable="citation-number"/></layout></citation>
<bibliography>
  <layout>
    <group delimiter=" / ">
      <date variable="issued" form="numeric" date-parts="year"/>
      <date variable="issued" form="numeric" date-parts="year">
        <date-part name="year" prefix="[" suffix="]" font-weight="bold"/>
      </date>
    </group>
  </layout>
</bibliography>
</style>
"""


def test_a_locale_date_part_takes_the_style_s_affixes_and_formatting_as_it_renders(
    tmp_path: Path,
) -> None:
    # citeproc-py copies the style's <date-part> attributes onto the locale's as it renders
    # them, for good: the first date of the first entry is the only one without them. Nothing
    # kept about a date part may hide what it has taken since.
    data, style = _style(tmp_path, BIB, DATE_STYLE)
    order = ["alpha", "beta", "gamma"]
    style.prepare(data, order)
    assert [style.format_entry(data, key).html for key in order] == [
        "2001 / [<b>2001</b>]",
        "[<b>2002</b>] / [<b>2002</b>]",
        "[<b>2003</b>] / [<b>2003</b>]",
    ]


STICKY_STYLE = """<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
<info><title>Sticky dates</title><category citation-format="author-date"/></info>
<macro name="when">
  <group>
    <date variable="issued" form="numeric" date-parts="year"/><text variable="year-suffix"/>
  </group>
</macro>
<citation disambiguate-add-year-suffix="true">
  <layout prefix="(" suffix=")" delimiter="; ">
    <group delimiter=" ">
      <names variable="author"><name form="short"/></names>
      <date variable="issued" form="numeric" date-parts="year">
        <date-part name="year" prefix="!"/>
      </date>
    </group>
  </layout>
</citation>
<bibliography>
  <sort><key macro="when"/><key variable="title"/></sort>
  <layout><text variable="title"/></layout>
</bibliography>
</style>
"""

STICKY_BIB = (
    SUFFIX_BIB
    + r"""
@misc{four, author = {Park, Jo}, title = {Delta}, year = {2010}}
"""
)


def test_sort_keys_are_rendered_again_when_the_style_changes_the_locale_s_dates(
    tmp_path: Path,
) -> None:
    # The citation's localized date sets a prefix on its year: citeproc-py copies it onto the
    # locale's year as it renders the citations that find the works to letter, so the list's
    # second sort reads every year with it ("!2000" < "!2010" < "!2021a"), as a sort that
    # kept the first texts of the works without letters would not ("!2021..." < "2000").
    data, style = _style(tmp_path, STICKY_BIB, STICKY_STYLE)
    keys = ["one", "two", "three", "four"]
    style.prepare(data, keys)
    assert [style.entry_context(key) for key in keys] == ["b", "a", "", ""]
    assert style.order(keys, {}) == ["three", "four", "two", "one"]


def test_list_entries_made_ahead_are_the_entries_made_here(tmp_path: Path) -> None:
    import pickle

    from monograph.core.styles import csl_processor as csl

    order = ["gamma", "alpha", "beta"]

    def entries(ahead: str) -> list[str]:
        for table in (csl._CONVERTED, csl._PARSED, csl._SORTED, csl._FORMATTED):
            table.clear()
        data, style = _style(tmp_path)
        assert style.processor()._entries_alone()
        if ahead != "none":  # as the converting process sends them back
            for key in order:
                key, item, reference, _, entry = pickle.loads(
                    pickle.dumps(csl._convert(data, key, style.processor()))
                )
                assert entry is not None
                memo = csl._converted_key(data, key)
                csl._CONVERTED[memo] = item
                csl._PARSED[memo] = (item, reference)
                if ahead == "stale":  # made for other data: never used
                    item, entry = {**item, "title": "Other"}, ("x", "x", "x", "x")
                csl._FORMATTED[memo] = (item, style.version, entry)
        style.prepare(data, order)
        return [style.format_entry(data, key).html for key in order]

    expected = entries("none")
    assert expected[2] == "Mary Moe. “<i>Beta</i>”. 2002."
    assert entries("ahead") == expected
    assert entries("stale") == expected


def test_a_list_that_prints_citation_numbers_is_not_made_ahead(tmp_path: Path) -> None:
    numbered = STYLE.replace(
        '<layout suffix=".">', '<layout suffix="."><text macro="number"/>'
    ).replace(
        "<citation ", '<macro name="number"><text variable="citation-number"/></macro><citation '
    )
    _, style = _style(tmp_path, BIB, numbered)
    assert not style.processor()._entries_alone()
    _, plain = _style(tmp_path)
    assert plain.processor()._entries_alone()
