"""The one URL model of the engine (``core/urls.py``), against MkDocs' own where it has one."""

from __future__ import annotations

import pytest
from mkdocs.utils import get_relative_url
from monograph.core.urls import file_target, link_target, normal_path, page_key, relative_url

PAGES = ["", "index.html", "a/", "a/b/", "a/b.html", "a.html", "a/index.html", "a/b/c/"]


@pytest.mark.parametrize("source", PAGES)
@pytest.mark.parametrize("target", PAGES)
def test_relative_url_is_mkdocs_own_but_for_the_home_pages_slash(target: str, source: str) -> None:
    ours = relative_url(target, source)
    mkdocs = get_relative_url(target, source)
    if target == "":  # MkDocs writes ".." for the home page; the engine's pages say "../"
        assert ours == mkdocs + "/"
    else:
        assert ours == mkdocs


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("", ""),
        ("index.html", ""),
        ("a/index.html", "a/"),
        ("a/b.html", "a/b/"),
        ("a/b/", "a/b/"),
        ("/a/b", "a/b/"),
        ("files/x.pdf", "files/x.pdf"),
    ],
)
def test_page_key_is_the_directory_form_of_a_page_url(url: str, key: str) -> None:
    assert page_key(url) == key


@pytest.mark.parametrize(
    ("href", "page", "site_path", "target"),
    [
        ("../iron/#dosing", "interventions/ferritin/", "/", "interventions/iron/"),
        ("#x", "a/b/", "/", "a/b/"),
        ("iron.html", "interventions/ferritin.html", "/", "interventions/iron.html"),
        ("/sub/references/", "a/", "/sub/", "references/"),
        ("../../../../x/", "a/", "/", "x/"),  # above the root: kept at the root, as browsers do
        ("caf%C3%A9/", "", "/", "café/"),
        ("https://example.org/a", "a/", "/", None),
        ("//example.org/a", "a/", "/", None),
    ],
)
def test_link_target_resolves_as_a_browser(
    href: str, page: str, site_path: str, target: str | None
) -> None:
    assert link_target(href, page, site_path) == target


@pytest.mark.parametrize(
    ("page", "path", "root", "target"),
    [
        ("a/b/index.html", "../c/", "/", "a/c"),
        ("a/b/index.html", "", "/", "a/b/index.html"),
        ("a/b/index.html", "/sub/x/", "/sub/", "x"),
        ("a/b/index.html", "/x/", "/sub/", "x"),
        ("index.html", "../x/", "/", None),  # out of the site: the checker reports it
        ("a/index.html", "./", "/", "a"),
    ],
)
def test_file_target_is_strict_about_leaving_the_site(
    page: str, path: str, root: str, target: str | None
) -> None:
    assert file_target(page, path, root) == target


def test_normal_path() -> None:
    assert normal_path("a/./b/../c") == "a/c"
    assert normal_path("a/..") == ""
    assert normal_path("") == ""
    assert normal_path("a/../..") is None
