"""LaTeX in BibTeX fields to rich text, and the rule deciding which URLs may become links."""

from __future__ import annotations

import pytest
from monograph.core.bibliography.types import TEMPLATES
from monograph.core.links import page_link_allowed, safe_url
from monograph.core.rendering.page_links import refuse_unsafe_links
from monograph.core.styles.latex import latex_text, urls_in
from monograph.core.styles.vancouver import SafeHtmlBackend, VancouverStyle


def html(latex: str) -> str:
    return str(latex_text(latex).render(SafeHtmlBackend()))


@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        (r"na\"{\i}ve", "naïve"),
        (r"{\"U}ber \"{u}ber \'{e}t\'e", "Über über été"),
        (r"{\c{c}}a \v{s} \o{} \aa{} \ss{}", "ça š ø å ß"),
        (r"\emph{It} \textit{x} \textbf{y}", "<em>It</em> <em>x</em> <strong>y</strong>"),
        (r"{\emph{nested \textbf{b}}}", "<em>nested <strong>b</strong></em>"),
        (r"\LaTeX\ and \TeX", "LaTeX and TeX"),
        (r"$x^2$, $\alpha$-synuclein, $\beta_2$, Fe$^{2+}$", "x², α-synuclein, β₂, Fe²⁺"),
        (r"$\geq 5$ mg", "≥ 5 mg"),
        (r"H\textsubscript{2}O and m\textsuperscript{2}", "H<sub>2</sub>O and m<sup>2</sup>"),
        (r"\enquote{quoted}", "“quoted”"),
        (r"\textsc{Small caps}", "Small caps"),
        (r"50\% \& 5% more -- yes --- no", "50% &amp; 5% more – yes — no"),
        (
            r"\url{https://example.org/a_b?c=1&d=2}",
            '<a href="https://example.org/a_b?c=1&amp;d=2">https://example.org/a_b?c=1&amp;d=2</a>',
        ),
        (
            r"see \href{https://example.org}{the \emph{site}}.",
            'see <a href="https://example.org">the <em>site</em></a>.',
        ),
        (
            r"\url{javascript:alert(1)} and \href{data:text/html,x}{click}",
            "javascript:alert(1) and click",
        ),
        (r"{\url{javascript:alert(1)}}", "javascript:alert(1)"),
        (r"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        (r"unbalanced {brace", "unbalanced brace"),
    ],
)
def test_latex_fields_become_unicode_and_tags(latex: str, expected: str) -> None:
    assert html(latex) == expected


def test_urls_in_fields_are_found_at_any_depth() -> None:
    assert urls_in(r"a \url{https://x.org/a\_b} {\href{javascript:x}{y}}") == [
        "https://x.org/a_b",
        "javascript:x",
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/", "https://example.org/"),
        ("HTTP://example.org/", "HTTP://example.org/"),
        ("mailto:editor@example.org", "mailto:editor@example.org"),
        ("doi:10.1002/14651858", "https://doi.org/10.1002/14651858"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:text/html;base64,PHNjcmlwdD4=", None),
        ("vbscript:x", None),
        ("file:///etc/passwd", None),
        ("https:evil", None),
        ("relative/path", None),
        ("", None),
    ],
)
def test_only_http_https_mailto_and_doi_are_links(url: str, expected: str | None) -> None:
    assert safe_url(url) == expected


@pytest.mark.parametrize(
    ("href", "allowed"),
    [
        ("../iron/#dosing", True),
        ("#references", True),
        ("//cdn.example.org/x", True),
        ("javascript:alert(1)", False),
        ("data:text/html,x", False),
    ],
)
def test_page_links_may_be_relative(href: str, allowed: bool) -> None:
    assert page_link_allowed(href) is allowed


def test_unsafe_targets_are_removed_from_page_html() -> None:
    page = (
        '<p>A <a href="javascript:alert(1)">bad</a> &amp; <a href="https://x.org">good</a>'
        '<img src="data:image/png;base64,AAAA" alt="ok"><img src="data:image/svg+xml,x">'
        '<a href="doi:10.1000/182">doi</a></p>'
    )
    cleaned, refused = refuse_unsafe_links(page)
    assert refused == ["javascript:alert(1)", "data:image/svg+xml,x"]
    assert "javascript" not in cleaned and "svg" not in cleaned
    assert '<a href="https://x.org">good</a>' in cleaned and "&amp;" in cleaned
    assert 'src="data:image/png;base64,AAAA"' in cleaned
    assert 'href="https://doi.org/10.1000/182"' in cleaned


def test_a_page_without_unsafe_links_is_returned_unchanged() -> None:
    page = "<p>Plain <a href='../x/'>link</a></p>\n<!-- kept -->"
    assert refuse_unsafe_links(page) == (page, [])


def test_every_known_type_has_a_template() -> None:
    assert all(hasattr(VancouverStyle, f"get_{kind}_template") for kind in TEMPLATES)


def test_a_lone_surrogate_does_not_hide_the_links_after_it() -> None:
    cleaned, refused = refuse_unsafe_links('<p>x\ud800<a href="javascript:alert(1)">y</a></p>')
    assert refused == ["javascript:alert(1)"]
    assert "javascript" not in cleaned and "<a>y</a>" in cleaned


def test_pagewise_toc_entry_escapes_the_heading() -> None:
    from types import SimpleNamespace

    from monograph.pagewise import _add_toc_entry

    md = SimpleNamespace(toc_tokens=[])
    _add_toc_entry(md, "<img src=x onerror=alert(1)>Refs", "references")  # type: ignore[arg-type]
    [entry] = md.toc_tokens
    assert entry["name"] == entry["html"] == "&lt;img src=x onerror=alert(1)&gt;Refs"


@pytest.mark.parametrize(
    ("latex", "text", "urls"),
    [
        (r"see \url{https://example.org/a", "see https://example.org/a", ["https://example.org/a"]),
        (r"x \url{a", "x a", ["a"]),
        (r"see \href{https://a.org}{here", "see here", ["https://a.org"]),
    ],
)
def test_an_unclosed_url_keeps_its_last_character(latex: str, text: str, urls: list[str]) -> None:
    """An unclosed ``\\url{`` or ``\\href{}{`` group runs to the end of the field, all of it."""
    assert str(latex_text(latex)) == text
    assert urls_in(latex) == urls
