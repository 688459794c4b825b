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
