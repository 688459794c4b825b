"""The citation syntax, through the Python-Markdown extension alone (no MkDocs)."""

from __future__ import annotations

import dataclasses
import html as html_module
from html import escape

import markdown
import pytest
from monograph.core.citations.syntax import parse_bracketed, parse_narrative
from monograph.core.model import CitationGroup, CitationItem
from monograph.extension import CitationExtension


class RecordingSink:
    """Stands in for the MkDocs adapter: records groups, renders them as ``{CITE n}``."""

    def __init__(self) -> None:
        self.groups: list[CitationGroup] = []
        self.markers: list[str] = []

    def cite(self, group: CitationGroup) -> str:
        self.groups.append(group)
        return f"{{CITE {len(self.groups) - 1}}}"

    def marker(self, name: str, source: str) -> str:
        self.markers.append(name)
        return f"<div>MARKER {name}</div>"

    def misplaced_marker(self, name: str, source: str) -> None:
        self.markers.append(f"misplaced {name}")


def convert(text: str) -> tuple[str, RecordingSink]:
    ext = CitationExtension()
    sink = RecordingSink()
    ext.sink = sink
    md = markdown.Markdown(extensions=[ext, "fenced_code", "tables", "attr_list"])
    return md.convert(text), sink


def item(key: str, prefix: str = "", locator: str = "", suppress: bool = False) -> CitationItem:
    return CitationItem(
        key=key,
        prefix=prefix,
        locator=locator,
        suppress_author=suppress,
        prefix_html=escape(prefix, quote=False),
        locator_html=escape(locator, quote=False),
    )


@pytest.mark.parametrize(
    ("text", "items", "narrative"),
    [
        ("A [@kwatra2018].", [item("kwatra2018")], False),
        ("A [@weinstock2011; @rezvani2018].", [item("weinstock2011"), item("rezvani2018")], False),
        ("A [@trotti2019, p. 12].", [item("trotti2019", locator="p. 12")], False),
        ("A [see @connor2017].", [item("connor2017", prefix="see")], False),
        ("A [-@guo2017].", [item("guo2017", suppress=True)], False),
        ("As @cuellar2009 found.", [item("cuellar2009")], True),
        ("As @cuellar2009 [p. 24] found.", [item("cuellar2009", locator="p. 24")], True),
        ("Keys [@doe:2020.a/b-c_d].", [item("doe:2020.a/b-c_d")], False),
        ("Braced [@{weird key!}].", [item("weird key!")], False),
        ("Ends a sentence: @guo2017.", [item("guo2017")], True),
        (
            "[see @a, pp. 3-4; also @b, chap. 2]",
            [
                item("a", prefix="see", locator="pp. 3-4"),
                item("b", prefix="also", locator="chap. 2"),
            ],
            False,
        ),
    ],
)
def test_citation_forms(text: str, items: list[CitationItem], narrative: bool) -> None:
    _, sink = convert(text)
    assert len(sink.groups) == 1
    assert list(sink.groups[0].items) == items
    assert sink.groups[0].narrative is narrative


@pytest.mark.parametrize(
    ("text", "visible"),
    [
        ("Inline `[@kwatra2018]` code.", "[@kwatra2018]"),
        ("```\n[@kwatra2018] and @guo2017\n```", "[@kwatra2018] and @guo2017"),
        ("    [@kwatra2018] indented code", "[@kwatra2018]"),
        ("Mail someone@example.com today.", "someone@example.com"),
        ("Mail <someone@example.com>.", "someone@example.com"),
        ("A [link to @guo2017](https://example.org/@guo2017).", "link to @guo2017"),
        ("A [@guo2017](https://example.org/) link.", "@guo2017"),
        ('<span title="@guo2017">x</span>', "x"),
        ("Profile https://example.org/@guo2017 here.", "https://example.org/@guo2017"),
        (r"Escaped \@guo2017 stays.", "Escaped @guo2017 stays."),
        (r"Escaped \[@guo2017] stays.", "Escaped [@guo2017] stays."),
        ("Brackets [not a citation] and [x@y].", "[not a citation] and [x@y]"),
    ],
)
def test_never_touched(text: str, visible: str) -> None:
    html, sink = convert(text)
    assert sink.groups == []
    assert visible in html_module.unescape(html)
    assert "\\" not in html


def test_html_attribute_is_untouched() -> None:
    html, sink = convert('<a href="mailto:x@y.org" title="@guo2017">write</a>')
    assert sink.groups == []
    assert 'title="@guo2017"' in html


def test_citation_in_table_and_heading() -> None:
    html, sink = convert("# Iron [@trotti2019]\n\n| a | b |\n|---|---|\n| x [@guo2017] | y |\n")
    assert [g.keys for g in sink.groups] == [("trotti2019",), ("guo2017",)]
    assert "{CITE 1}" in html


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("<!-- monograph:bibliography -->", ["bibliography"]),
        ("<!--monograph:evidence-->", ["evidence"]),
        ("```\n<!-- monograph:bibliography -->\n```", []),
        ("    <!-- monograph:bibliography -->", []),
        ("  <!-- monograph:bibliography -->", ["misplaced bibliography"]),
        ("See <!-- monograph:claims -->", ["misplaced claims"]),
    ],
)
def test_markers(line: str, expected: list[str]) -> None:
    html, sink = convert(line)
    assert sink.markers == expected
    if expected and not expected[0].startswith("misplaced"):
        assert f"MARKER {expected[0]}" in html
    if expected and expected[0].startswith("misplaced"):
        assert "MARKER" not in html  # reported, not expanded


def test_parse_helpers_reject_non_citations() -> None:
    assert parse_bracketed("just text") is None
    assert parse_bracketed("@a; plain") is None
    assert parse_bracketed("x@y") is None
    assert parse_narrative("{odd key}", None).keys == ("odd key",)


def test_placeholder_typed_by_an_author_is_defused() -> None:
    from monograph.core.citations.registry import TOKEN_RE

    html, sink = convert("Text <!--monograph-cite:0--> more.\n")
    assert sink.groups == []
    assert TOKEN_RE.search(html) is None


def test_narrative_pattern_matches_as_its_plain_look_behind_form() -> None:
    """The pattern starts with its ``@`` (for speed); it must match exactly what the form with
    the look-behind before the ``@`` matches, at every start, on texts made of the characters
    that matter (key characters, the excluded ones before ``@``, brackets, spaces, braces)."""
    import itertools
    import random
    import re

    from monograph.core.citations.syntax import _BRACED_KEY, KEY, NARRATIVE_PATTERN

    plain = re.compile(
        rf"(?<![\w@.:/\\\x03])@(?P<key>{_BRACED_KEY}|{KEY})(?:[ \t]+\[(?P<locator>[^\[\]@]*)\])?"
    )
    fast = re.compile(NARRATIVE_PATTERN)
    alphabet = "a1_@.:/\\\x03 \t[]{}-;,é"
    rng = random.Random(7)
    texts = ["".join(p) for n in range(4) for p in itertools.product("a@. [", repeat=n)]
    texts += ["".join(rng.choices(alphabet, k=rng.randint(1, 16))) for _ in range(20_000)]
    texts += ["see @smith2020 [p. 4]", "a@b.org", "/@user", "@{odd key} [x]", "\x03@k", "@k."]
    for text in texts:
        for start in range(len(text) + 1):
            expected, found = plain.search(text, start), fast.search(text, start)
            assert (expected and (expected.span(), expected.groupdict())) == (
                found and (found.span(), found.groupdict())
            ), (text, start)


def test_a_placed_group_is_a_copy_with_its_place() -> None:
    group = parse_bracketed("see @a, p. 3; @b", source="[see @a, p. 3; @b]")
    assert group is not None
    placed = group.placed("docs/x.md", 7)
    assert placed == dataclasses.replace(group, path="docs/x.md", line=7)
    assert (placed.keys, placed.path, placed.line) == (("a", "b"), "docs/x.md", 7)
    assert (group.path, group.line) == (None, None)  # the shared parsed group is untouched


def test_the_same_citation_text_reads_the_same_on_every_page() -> None:
    """One extension converts many pages: a citation met again is finished once, alike."""
    ext = CitationExtension()
    md = markdown.Markdown(extensions=[ext])
    texts = [
        "A [see *also* @a, p. `12`] and @b [ch. 2].",
        r"A [see *also* @a, p. `12`] and \@b.",  # an escape: this page's own placeholders
        "A [see *also* @a, p. `12`] and @b [ch. 2].",
    ]
    results = []
    for text in texts:
        sink = RecordingSink()
        ext.sink = sink
        results.append((md.reset().convert(text), sink.groups))
    assert results[0] == results[2]
    assert results[0][1][0] == results[1][1][0]
    first = results[0][1][0].items[0]
    assert (first.prefix_html, first.locator_html) == ("see <em>also</em>", "p. <code>12</code>")
    assert [g.keys for g in results[1][1]] == [("a",)]
    ext.narrative = False  # narrative citations switched off: none, though one was met before
    sink = RecordingSink()
    ext.sink = sink
    md.reset().convert(texts[0])
    assert [g.keys for g in sink.groups] == [("a",)]


def test_a_bare_key_item_reads_as_the_full_item_syntax_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``@key`` takes a shortcut; every text reads the same with the shortcut turned off."""
    import random
    import re

    from monograph.core.citations import syntax

    rng = random.Random(7)
    alphabet = list("ab1_:.#$%&-+?<>~/@ ,é{}")
    texts = [
        rng.choice(["@", " @", "@@", "-@", ""])
        + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        + rng.choice(["", " ", "\t"])
        for _ in range(20_000)
    ]
    texts += [  # keys with inner punctuation, some of it trailing (no longer a bare key)
        "@" + "".join(rng.choice("ab1_:.-/") for _ in range(rng.randint(1, 6)))
        for _ in range(5_000)
    ]
    texts += ["@a", " @doe:2020.a/b-c_d ", "@a.", "@a-", "@a:b", "@{x y}", "@é1"]
    fast = [syntax.parse_item(text) for text in texts]
    assert sum(syntax._BARE_ITEM_RE.fullmatch(text.strip()) is not None for text in texts) > 1_000
    monkeypatch.setattr(syntax, "_BARE_ITEM_RE", re.compile(r"(?!)"))
    monkeypatch.setattr(syntax, "_WORD_ITEM_RE", re.compile(r"(?!)"))
    assert [syntax.parse_item(text) for text in texts] == fast


def test_a_citation_is_finished_once_for_all_pages_of_a_site() -> None:
    """MkDocs makes a Markdown instance per page; the finished citations are the extension's."""
    ext = CitationExtension()
    groups = []
    for _ in range(2):
        sink = RecordingSink()
        ext.sink = sink
        markdown.Markdown(extensions=[ext]).convert("A [see *also* @a, p. 3] and @b [ch. 2].")
        groups.append(sink.groups)
    assert [g.keys for g in groups[0]] == [("a",), ("b",)]
    assert all(a is b for a, b in zip(groups[0], groups[1], strict=True))


def test_citations_reach_the_sink_in_reading_order_wherever_they_are_nested() -> None:
    """The sink is handed the citations in the order a reader meets them (not the order the
    patterns found them: brackets are found before narrative citations), through emphasis,
    lists, tables and tails; link text, image alt text and titles keep theirs as written."""
    text = (
        "@a said *that [@b] **and @c** [see [@d]](https://x.org) then* [@e].\n\n"
        '- item @f [p. 2] and ![alt [@g]](i.png "t [@h]") after\n'
        "- [@i] and [*[@j]*](https://y.org) and @k\n\n"
        "| x | y |\n|---|---|\n| @l and [@m] | [@n] |\n"
    )
    html, sink = convert(text)
    assert [g.keys[0] for g in sink.groups] == ["a", "b", "c", "e", "f", "i", "k", "l", "m", "n"]
    assert [f"{{CITE {n}}}" in html for n in range(10)] == [True] * 10
    assert '<a href="https://x.org">see [@d]</a>' in html
    assert '<a href="https://y.org"><em>[@j]</em></a>' in html
    assert 'alt="alt [@g]"' in html and 'title="t [@h]"' in html
    assert html.index("{CITE 0}") < html.index("{CITE 1}") < html.index("{CITE 2}")


def test_one_pattern_stashes_raw_html_then_finds_citations_as_two_patterns_would() -> None:
    """The citation pattern also stashes the raw HTML that must go first (comments, tags with
    an ``@``); every text converts exactly as with that HTML stashed by a pattern of its own
    above it, as the extension once registered it."""
    import random
    import re

    from markdown.inlinepatterns import HtmlInlineProcessor
    from monograph import extension

    class BracketsOnly(extension._BracketCitation):
        def getCompiledRegExp(self) -> re.Pattern[str]:  # type: ignore[override]
            return extension._BRACKET_RE

    def two_patterns(text: str) -> tuple[str, list[CitationGroup]]:
        ext = CitationExtension()
        ext.sink = sink = RecordingSink()
        md = markdown.Markdown(extensions=[ext, "attr_list"])
        md.inlinePatterns.register(BracketsOnly(md, ext), "citation", 175)
        html_first = HtmlInlineProcessor(extension._RAW_HTML_FIRST, md)
        md.inlinePatterns.register(html_first, "monograph_html", 176)
        return md.convert(text), sink.groups

    def one_pattern(text: str) -> tuple[str, list[CitationGroup]]:
        ext = CitationExtension()
        ext.sink = sink = RecordingSink()
        return markdown.Markdown(extensions=[ext, "attr_list"]).convert(text), sink.groups

    tokens = ["[", "]", "@a", "@b", " ", "see ", "<!-- ", " -->", '<b x="@y">', "</b>", "<b "]
    tokens += ["x@y", ">", "<", ", p. 3", "; ", "(u)", "-@c", "`", "\\[", "*", "<i>", "\n"]
    rng = random.Random(15)
    paragraphs = ["".join(rng.choices(tokens, k=rng.randint(1, 14))) for _ in range(2_000)]
    texts = ["\n\n".join(paragraphs[n : n + 1 + n % 3]) for n in range(0, 2_000, 2)]
    texts += [
        "[see @a [@b] more]",
        "<!-- a <!-- b --> c --> [@a]",
        "[<!-- ] -->@a] and [@b]",
        "<b [@a <] x@y> [@b]",
        "[@a <!-- c --> @b] [see <!-- c --> @a, p. 3] [@b]",
        '[@a] <span title="[@b]">[@a]</span> <!-- [@b] --> [@b]',
        "[@a] and [@b]\n\n[see <!-- c --> @a] and <!-- [@b] -->",
    ]
    found = 0
    for text in texts:
        expected, got = two_patterns(text), one_pattern(text)
        assert got == expected, text
        found += len(got[1])
    assert found > 400  # the texts hold citations, not only prose


def test_groups_and_items_built_for_speed_equal_those_built_by_their_constructors() -> None:
    """The parser builds bare items and groups without the dataclasses' ``__init__``; they
    hold every field, compare, hash, copy and pickle as the constructors' own do."""
    import pickle

    bare, made = CitationItem.bare("smith2020"), CitationItem("smith2020")
    assert (bare, hash(bare), vars(bare)) == (made, hash(made), vars(made))
    items = (bare, CitationItem("doe", "see", "p. 3", True, "see", "p. 3"))
    for narrative in (False, True):
        parsed, group = (
            CitationGroup.parsed(items, narrative, "[@smith2020; see -@doe, p. 3]"),
            CitationGroup(items, narrative, "[@smith2020; see -@doe, p. 3]"),
        )
        assert (parsed, hash(parsed), vars(parsed)) == (group, hash(group), vars(group))
        assert list(vars(parsed)) == [f.name for f in dataclasses.fields(CitationGroup)]
        assert pickle.loads(pickle.dumps(parsed)) == group
        assert parsed.placed("x.md", 3) == dataclasses.replace(group, path="x.md", line=3)
    assert list(vars(bare)) == [f.name for f in dataclasses.fields(CitationItem)]


def test_a_key_of_word_characters_reads_as_the_full_key_syntax_reads_it() -> None:
    """``@smith2020`` takes the simpler pattern; it reads every such text as the key syntax."""
    import random

    from monograph.core.citations import syntax

    rng = random.Random(15)
    texts = ["@" + "".join(rng.choices("ab1_é:.-", k=rng.randint(0, 8))) for _ in range(20_000)]
    words = 0
    for text in texts:
        word = syntax._WORD_ITEM_RE.fullmatch(text)
        if word is not None:
            words += 1
            full = syntax._BARE_ITEM_RE.fullmatch(text)
            assert full is not None and full.group(1) == word.group(1), text
    assert words > 1_000


@pytest.mark.parametrize(
    ("text", "prefix", "locator", "prefix_html", "locator_html"),
    [
        ("[see <!-- c --> @a]", "see <!-- c -->", "", "see &lt;!-- c --&gt;", ""),
        (
            '[see <b title="x@y">b</b> @a]',
            'see <b title="x@y">b</b>',
            "",
            'see &lt;b title="x@y"&gt;b&lt;/b&gt;',
            "",
        ),
        (
            "[see *x* <!-- c --> @a, p. <!--q--> 3]",
            "see *x* <!-- c -->",
            "p. <!--q--> 3",
            "see <em>x</em> &lt;!-- c --&gt;",
            "p. &lt;!--q--&gt; 3",
        ),
    ],
)
def test_raw_html_in_a_prefix_or_locator_reads_as_written(
    text: str, prefix: str, locator: str, prefix_html: str, locator_html: str
) -> None:
    """Raw HTML that is stashed before citations are read (a comment, a tag with an "@") is
    text in a citation, as any other tag there is: never a placeholder left in the page."""
    html, sink = convert(f"Claim {text} here.")
    assert "\x02" not in html and "\x03" not in html
    (group,) = sink.groups
    assert group.source == text
    (found,) = group.items
    assert (found.key, found.prefix, found.locator) == ("a", prefix, locator)
    assert (found.prefix_html, found.locator_html) == (prefix_html, locator_html)
