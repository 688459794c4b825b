"""The unsafe-link check of finished pages: its quick pass over URL values and the walk agree."""

from __future__ import annotations

import itertools

import pytest
from monograph.core.links import page_link_allowed
from monograph.core.rendering import page_links
from monograph.core.rendering.page_links import refuse_unsafe_links

#: Many links a page may hold: fragments, relative paths, https, mailto.
ALLOWED = "".join(
    f'<p id="p{n}"><a class="citation" href="#ref-{n}">{n}</a> '
    f'<a href="../page-{n}/">page</a> <a href="https://example.org/{n}">web</a> '
    f'<img src="img/{n}.png" alt=""> <a href="mailto:a{n}@example.org">mail</a></p>'
    for n in range(200)
)

PAGES = [
    ALLOWED,
    ALLOWED + '<p><a href="javascript:alert(1)">bad</a></p>' + ALLOWED,
    ALLOWED + '<a href="doi:10.1000/182">doi</a>',
    '<svg><a XLINK:HREF="javascript:alert(1)">x</a><use xlink:href="#icon"/></svg>',
    '<form action="javascript:a()"><button formaction="vbscript:b">go</button></form>',
    '<video poster="javascript:p" src="ok.mp4"></video><object data="data:text/html,x"></object>',
    '<img src="data:image/png;base64,AAAA" alt="ok"><iframe src="data:image/png;base64,AA">',
    '<a href="">empty</a><a href=" #top ">spaced</a><a href="HTTPS://EXAMPLE.ORG">caps</a>',
    '<a href="https:evil">no host</a><a href="//example.org/x">protocol-relative</a>',
    "<p>No links at all</p><!-- a comment --><?pi x?>",
]


@pytest.mark.parametrize("page", PAGES)
def test_the_quick_pass_changes_nothing_the_walk_would_not(
    page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick = refuse_unsafe_links(page)
    monkeypatch.setattr(page_links, "_nothing_to_change", lambda root: False)
    assert quick == refuse_unsafe_links(page)


def test_one_unsafe_link_among_many_allowed_ones_is_the_only_one_removed() -> None:
    page = ALLOWED + '<p><a href="javascript:alert(1)">bad</a> <a href="data:x">x</a></p>' + ALLOWED
    cleaned, refused = refuse_unsafe_links(page)
    assert refused == ["javascript:alert(1)", "data:x"]  # in document order
    assert "<p><a>bad</a> <a>x</a></p>" in cleaned
    assert cleaned.count('href="#ref-7"') == 2 and cleaned.count("mailto:") == 400


def test_a_doi_link_among_allowed_ones_is_rewritten() -> None:
    cleaned, refused = refuse_unsafe_links(ALLOWED + '<a href=" DOI:10.1000/182">doi</a>')
    assert refused == []
    assert cleaned.endswith('<a href="https://doi.org/10.1000/182">doi</a>')


def test_an_xlink_href_in_any_case_is_checked() -> None:
    cleaned, refused = refuse_unsafe_links(PAGES[3])
    assert refused == ["javascript:alert(1)"]
    assert "javascript" not in cleaned and 'xlink:href="#icon"' in cleaned


@pytest.mark.parametrize(
    ("page", "refused"),
    [
        (PAGES[4], ["javascript:a()", "vbscript:b"]),
        (PAGES[5], ["javascript:p", "data:text/html,x"]),
        (PAGES[6], ["data:image/png;base64,AA"]),  # an inline image only in an <img>
        (PAGES[8], ["https:evil"]),
    ],
)
def test_every_url_attribute_is_checked(page: str, refused: list[str]) -> None:
    assert refuse_unsafe_links(page)[1] == refused


@pytest.mark.parametrize("page", [ALLOWED, PAGES[7], PAGES[9], PAGES[6].split("<iframe")[0]])
def test_a_page_with_nothing_to_change_is_returned_as_it_is(page: str) -> None:
    checked, refused = refuse_unsafe_links(page)
    assert checked is page and refused == []


def test_a_clean_page_is_not_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    def walked(tag: str, name: str, value: str) -> bool:
        raise AssertionError(f"walked to {value}")

    monkeypatch.setattr(page_links, "_allowed", walked)
    assert refuse_unsafe_links(ALLOWED) == (ALLOWED, [])
    with pytest.raises(AssertionError, match="walked to #ref-0"):
        refuse_unsafe_links(ALLOWED + '<a href="javascript:x">x</a>')


def test_a_value_taken_as_plainly_relative_is_one_the_link_rule_allows() -> None:
    # Every string of up to four of these characters: slashes, colons, controls, spaces...
    alphabet = ["/", ":", "\t", "\x00", " ", "\u3000", "#", "a", ".", "[", "\x7f"]
    values = ["".join(chars) for n in range(5) for chars in itertools.product(alphabet, repeat=n)]
    relative = [value for value in values if page_links._plainly_relative(value)]
    assert len(relative) > 1000
    assert all(page_link_allowed(value) for value in relative)
    assert not page_links._plainly_relative("/\t/evil.example")  # "//evil.example" to a browser
    assert not page_links._plainly_relative("doi:10.1/x")


def test_a_value_taken_as_plainly_web_is_one_the_link_rule_allows() -> None:
    # After each scheme (and a few near misses), every string of up to four tricky characters.
    alphabet = ["/", ":", "\t", "\x00", " ", "\u3000", "#", "?", "a", "[", "]", "@", "\x7f", "é"]
    tails = ["".join(chars) for n in range(5) for chars in itertools.product(alphabet, repeat=n)]
    heads = ["https://", "http://", "HTTPS://", "https:/", "http:", "https//", "javascript://"]
    values = [head + tail for head in heads for tail in tails]
    web = [value for value in values if page_links._plainly_web(value)]
    assert len(web) > 2000
    assert all(page_link_allowed(value) for value in web)
    for value in [
        "https://",
        "https:///x",
        "http://?a",
        "https://[::1/",
        "https://a ",
        "javascript:x",
    ]:
        assert not page_links._plainly_web(value)
    assert page_links._plainly_web("https://doi.org/10.1002/x.y?a=1#b")
