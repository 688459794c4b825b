"""The PDF edition is rendered once per change: an unchanged document and its files reuse the PDF.

Builds the print fixture (with a picture) into a project that keeps a cache folder. The second
build must not even load WeasyPrint and must write the same bytes; a changed picture, which the
print document names but does not hold, must make a new PDF; a render that warned is never kept.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from monograph.adapter import pdf as pdf_module
from monograph.core.printing.reuse import RenderedPdfs

from .conftest import build_project

pytestmark = pytest.mark.pdf

FIXTURE = Path(__file__).resolve().parent / "sites" / "print-basic"
PDF = Path("downloads/rls-monograph.pdf")
PICTURE = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="{}"/></svg>\n'  # noqa: E501


def _project(tmp_path: Path, picture: str | None = "teal") -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace('cache_dir: ""', "cache_dir: .cache"),
        encoding="utf-8",
    )
    (root / "docs" / "img").mkdir()
    if picture is not None:
        (root / "docs" / "img" / "bar.svg").write_text(PICTURE.format(picture), encoding="utf-8")
    index = root / "docs" / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8") + "\n\n![A bar](img/bar.svg)\n", encoding="utf-8"
    )
    return root


def _build(root: Path) -> tuple[bytes, list[str]]:
    """Build the project; the PDF's bytes and the warnings."""
    built = build_project(root, strict=False)
    return (built.site / PDF).read_bytes(), built.warnings


def test_an_unchanged_document_reuses_its_pdf_and_a_changed_picture_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path)
    first, warnings = _build(root)
    assert first.startswith(b"%PDF") and warnings == []
    [manifest] = (root / ".cache" / "pdf").glob("*.json")
    assert "img/bar.svg" in manifest.read_text(encoding="utf-8")  # the picture it read

    def no_renderer() -> None:
        raise AssertionError("WeasyPrint was loaded for an unchanged document")

    with monkeypatch.context() as patched:
        patched.setattr(pdf_module, "import_weasyprint", no_renderer)
        (root / "site").joinpath(PDF).unlink()
        again, _ = _build(root)
    assert again == first

    (root / "docs" / "img" / "bar.svg").write_text(PICTURE.format("orange"), encoding="utf-8")
    changed, _ = _build(root)
    assert changed != first and b"%PDF" in changed[:8]


def test_a_render_that_warned_is_never_kept(tmp_path: Path) -> None:
    root = _project(tmp_path, picture=None)  # the page names a picture that is not there
    _, first = _build(root)
    _, second = _build(root)
    pdf_warnings = [m for m in first if "PDF edition: WeasyPrint" in m]
    assert pdf_warnings and [m for m in second if "PDF edition: WeasyPrint" in m] == pdf_warnings
    assert list((root / ".cache" / "pdf").glob("*.pdf")) == []


def test_kept_pdfs_need_every_file_they_read(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.png").write_bytes(b"one")
    kept = RenderedPdfs(tmp_path / "cache", "v1")
    key = kept.key("<p>doc</p>", "css")
    kept.put(key, b"%PDF-1", site, [(site / "a.png").as_uri(), "data:image/png;base64,AA=="])
    assert kept.get(key, site) == b"%PDF-1"
    assert kept.get(kept.key("<p>other</p>", "css"), site) is None  # another document
    assert RenderedPdfs(tmp_path / "cache", "v2").get(key, site) == b"%PDF-1"  # name holds all
    assert RenderedPdfs(tmp_path / "cache", "v2").key("<p>doc</p>", "css") != key
    (site / "a.png").write_bytes(b"two")
    assert kept.get(key, site) is None
    (site / "a.png").unlink()
    assert kept.get(key, site) is None
    for number in range(RenderedPdfs.LIMIT + 2):
        kept.put(kept.key(f"<p>{number}</p>", "css"), b"%PDF", site, [])
    assert len(list((tmp_path / "cache").glob("*.pdf"))) == RenderedPdfs.LIMIT
