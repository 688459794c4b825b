"""The plugin reads each page file once, for MkDocs too; a source another plugin gives wins.

``on_page_read_source`` reads the file as MkDocs would (UTF-8, a BOM dropped, newlines as in
text mode), keeps it for line numbers and hands it to MkDocs, which then does not read the file
again. It runs first, so a plugin or hook that gives a page's source itself still does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.structure.files import File

from .conftest import build_project

BIB = "@article{k1, author = {Au, A}, title = {T}, journal = {J}, year = {2001}}\n"
HOOK = """
def on_page_read_source(page, config):
    if page.file.src_uri == "other.md":
        return "# Given\\n\\nGiven by a hook [@k1].\\n"
    return None
"""


def _site(root: Path, *, hook: bool) -> None:
    (root / "docs").mkdir(parents=True)
    # A BOM, Windows and old Mac newlines: read as MkDocs reads a text file.
    (root / "docs" / "index.md").write_bytes(
        b"\xef\xbb\xbf# Home\r\n\r\nOne [@k1].\rTwo [@k2].\r\n"
    )
    (root / "docs" / "other.md").write_text("# Other\n\nOn disk [@k1].\n", encoding="utf-8")
    (root / "refs.bib").write_text(BIB, encoding="utf-8")
    config = (
        "site_name: Sources\ntheme: {name: mkdocs}\nnav: [index.md, other.md]\n"
        "plugins:\n  - monograph:\n      bib_file: refs.bib\n      cache_dir: ''\n"
    )
    if hook:
        (root / "hooks.py").write_text(HOOK, encoding="utf-8")
        config += "hooks: [hooks.py]\n"
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")


def test_each_page_file_is_read_once_with_lines_as_mkdocs_counts_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[str] = []
    original = File.content_string

    def spy(self: File) -> str:
        read.append(self.src_uri)
        return original.fget(self)  # type: ignore[attr-defined,no-any-return]

    monkeypatch.setattr(File, "content_string", property(spy))
    root = tmp_path / "site"
    _site(root, hook=False)
    built = build_project(root, strict=False)
    assert [uri for uri in read if uri.endswith(".md")] == []  # MkDocs took the plugin's text
    unknown = [p for p in built.problems if p.code == "cite.unknown_key"]
    assert [(p.path, p.line) for p in unknown] == [("docs/index.md", 4)]  # "\r" ends a line
    page = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert "\ufeff" not in page and 'href="#ref-k1"' in page


def test_a_source_given_by_a_hook_wins(tmp_path: Path) -> None:
    root = tmp_path / "site"
    _site(root, hook=True)
    build_project(root, strict=False)
    page = (root / "site" / "other" / "index.html").read_text(encoding="utf-8")
    assert "Given by a hook" in page and "On disk" not in page
    assert 'href="#ref-k1"' in page
