"""Identifiers in the PDF: DOIs, PMIDs and URLs break only after ``/``, ``.`` or ``-``."""

from __future__ import annotations

import lxml.html
import pytest
from monograph.core.printing.links import break_identifiers, identifier_breaks


@pytest.mark.parametrize(
    ("identifier", "parts"),
    [
        ("10.1002/14651858.CD007834.pub3", ["10.1002/", "14651858.", "CD007834.", "pub3"]),
        ("10.30773/pi.2018.01.12", ["10.30773/", "pi.", "2018.01.12"]),
        ("30609006", ["30609006"]),
        ("PMC6353229", ["PMC6353229"]),
        ("https://doi.org/a-b/1-2", ["https://", "doi.", "org/", "a-", "b/", "1-2"]),
    ],
)
def test_breaks_fall_after_slash_dot_or_hyphen_never_inside_a_number(
    identifier: str, parts: list[str]
) -> None:
    assert identifier_breaks(identifier) == parts
    assert "".join(parts) == identifier


def test_identifier_links_get_a_wbr_at_each_break_and_other_links_are_untouched() -> None:
    root = lxml.html.fragment_fromstring(
        '<p>doi:<a href="https://doi.org/10.1000/x.y">10.1000/x.y</a> PMID: '
        '<a href="https://pubmed.ncbi.nlm.nih.gov/123/">123</a> '
        '<a href="../iron/">Iron and the brain-gut axis</a> <a href="#a"><b>10.1/x</b></a></p>'
    )
    break_identifiers(root)
    doi, pmid, words, nested = root.iter("a")
    assert doi.get("class") == "identifier"
    assert [doi.text, *(wbr.tail for wbr in doi)] == ["10.1000/", "x.", "y"]
    assert [wbr.tag for wbr in doi] == ["wbr", "wbr"]
    assert pmid.get("class") == "identifier" and pmid.text == "123" and len(pmid) == 0
    assert words.get("class") is None and len(words) == 0
    assert nested.get("class") is None
