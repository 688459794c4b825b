"""Where snippets are in a page's Markdown: lines of citations, found left to right."""

from __future__ import annotations

import pytest
from monograph.core.source.locate import SourceLocator, markdown_start_line

TEXT = """# Title

Iron helps [@a]. Zinc too [@b].

```
[@a] in code is no citation
```

Later [@a] again, and `[@b]` in a code span.
Last [@b].
"""


def test_each_occurrence_is_found_in_turn_outside_code() -> None:
    locator = SourceLocator(TEXT, first_line=5)
    assert [locator.line_of("[@a]"), locator.line_of("[@b]")] == [7, 7]
    assert locator.line_of("[@a]") == 13  # the one in the fenced block is skipped
    assert locator.line_of("[@b]") == 14  # the one in the code span too
    assert locator.line_of("[@a]") is None  # no more


def test_a_snippet_met_before_the_last_answer_is_counted_from_the_start() -> None:
    """Lines are counted on from the previous answer; a snippet further up is counted anew."""
    locator = SourceLocator(TEXT)
    assert locator.line_of("Last") == 10
    assert locator.line_of("Zinc") == 3
    assert locator.line_of("Later") == 9


@pytest.mark.parametrize(
    ("source", "markdown", "line"),
    [
        ("---\ntitle: x\n---\n# Page\n", "# Page\n", 4),  # MkDocs' Markdown ends the file
        ("# Page\n", "# Page\n", 1),  # no front matter
        ("---\ntitle: x\n---\n# Page\n", "# Changed by a plugin\n", 4),  # after the front matter
        ("# Page\n", "# Changed\n", 1),
    ],
)
def test_the_line_where_a_pages_markdown_starts(source: str, markdown: str, line: int) -> None:
    assert markdown_start_line(source, markdown) == line


def test_tilde_fences_are_code_and_a_page_without_code_needs_no_search() -> None:
    locator = SourceLocator("~~~\n[@a]\n~~~\n\n[@a] here\n")
    assert locator.line_of("[@a]") == 5
    plain = SourceLocator("No code [@a].\nAgain [@a].\n")
    assert [plain.line_of("[@a]"), plain.line_of("[@a]"), plain.line_of("[@a]")] == [1, 2, None]


def test_a_snippet_read_as_plain_text_is_found_with_its_backticks_and_escapes() -> None:
    text = "First [see *x* @a].\n\nThen [see \\*x\\* @a]\nand [@b, p. `12`].\n`[@b, p. 12]`\n"
    locator = SourceLocator(text, first_line=3)
    assert locator.line_of("[see *x* @a]") == 3  # as written
    assert locator.line_of("[see *x* @a]") == 5  # written with escapes: after the first
    assert locator.line_of("[@b, p. 12]") == 6  # with a code span in it
    assert locator.line_of("[@b, p. 12]") is None  # the last one is code


def test_every_citation_has_its_line_whatever_inline_markdown_it_holds() -> None:
    """Through the extension: a citation holding a code span or an escape is read as plain
    text, yet its problems still name its line."""
    import markdown
    from monograph.core.citations.registry import CitationRegistry
    from monograph.core.page import CitingPage
    from monograph.extension import CitationExtension

    text = (
        "# T\n\nA [see *x* @a].\n\nB [see \\*x\\* @a] and\n[@b, p. `12`; @c].\n\nC @d [p. `3`].\n"
    )

    class Page(CitingPage):
        def __init__(self) -> None:
            self.path = "docs/p.md"
            self.locator = SourceLocator(text, first_line=4)
            self.registry = CitationRegistry()

    page = Page()
    ext = CitationExtension()
    ext.sink = page
    markdown.Markdown(extensions=[ext]).convert(text)
    assert [(g.keys, g.line) for g in page.registry.groups] == [
        (("a",), 6),
        (("a",), 8),
        (("b", "c"), 9),
        (("d",), 11),
    ]
