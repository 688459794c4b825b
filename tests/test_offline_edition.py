"""The offline edition without a browser: its config, its built HTML, its zip and the shim fetch."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import tarfile
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from lxml import html as lxml_html
from mkdocs.commands.build import build
from mkdocs.config import load_config

from .conftest import REPO, SHIM


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


zip_offline = _script("zip_offline")
fetch_iframe_worker = _script("fetch_iframe_worker")


class _Loader(yaml.SafeLoader):
    """YAML loader that reads MkDocs' ``!ENV`` tags as plain values."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)


def _plugins(path: Path) -> dict[str, Any]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    entries: dict[str, Any] = {}
    for item in data["plugins"]:
        name, options = (item, {}) if isinstance(item, str) else next(iter(item.items()))
        entries[name] = options or {}
    return entries


def test_offline_config_keeps_the_site_plugins_except_the_pdf_and_repeated_notices() -> None:
    site = _plugins(REPO / "mkdocs.yml")
    offline = _plugins(REPO / "mkdocs.offline.yml")
    assert set(offline) == set(site) | {"offline", "privacy"}
    monograph = {k: v for k, v in site["monograph"].items() if k != "pdf_file"}
    assert offline["monograph"] == {**monograph, "notices": False}
    assert "pdf_file" not in offline["monograph"]
    assert offline["privacy"]["assets_fetch"] is False


def test_offline_config_resolves_as_intended() -> None:
    cfg = load_config(str(REPO / "mkdocs.offline.yml"))
    assert cfg.use_directory_urls is False
    assert cfg.repo_url is None
    assert cfg.theme["font"] is False
    assert "navigation.instant" not in cfg.theme["features"]
    assert cfg.extra["polyfills"] == ["assets/vendor/iframe-worker/shim.js"]
    assert Path(cfg.site_dir).name == "site-offline"


def test_two_builds_are_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offline_site: Path
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    trees = []
    for name in ("one", "two"):
        cfg = load_config(str(REPO / "mkdocs.offline.yml"), site_dir=str(tmp_path / name))
        build(cfg)
        root = tmp_path / name
        trees.append({p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()})
    assert trees[0].keys() == trees[1].keys()
    assert [k for k in trees[0] if trees[0][k] != trees[1][k]] == []


def test_built_pages_load_nothing_from_outside(offline_site: Path) -> None:
    # 404.html is for web servers (root-absolute URLs); nothing links to it from file://.
    pages = sorted(p for p in offline_site.rglob("*.html") if p.name != "404.html")
    assert len(pages) > 20
    for path in pages:
        tree = lxml_html.fromstring(path.read_bytes())
        urls = tree.xpath("//script/@src | //link[@rel='stylesheet']/@href | //img/@src")
        urls += tree.xpath("//link[@rel='preconnect']/@href | //iframe/@src")
        for url in urls:
            assert "://" not in url and not url.startswith("//"), (path, url)
            target = (path.parent / url.split("#")[0].split("?")[0]).resolve()
            assert target.is_file(), (path, url)


def test_search_index_is_inlined_for_file_urls(offline_site: Path) -> None:
    script = (offline_site / "search" / "search_index.js").read_text(encoding="utf-8")
    assert script.startswith("var __index = {")
    assert "ferritin" in script.lower()
    assert (offline_site / "assets" / "vendor" / "iframe-worker" / "shim.js").is_file()


def test_zip_is_reproducible_sorted_and_dated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "edition"
    (source / "b").mkdir(parents=True)
    (source / "index.html").write_text("<p>home</p>", encoding="utf-8")
    (source / "b" / "page.html").write_text("<p>b</p>", encoding="utf-8")
    (source / "a.css").write_text("p{}", encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    first, second = tmp_path / "one.zip", tmp_path / "two.zip"
    assert zip_offline.write_zip(source, first, "edition") == 3
    (source / "a.css").touch()  # a newer mtime must not change the zip
    zip_offline.write_zip(source, second, "edition")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == [
            "edition/a.css",
            "edition/b/page.html",
            "edition/index.html",
        ]
        assert {i.date_time for i in infos} == {(2026, 1, 1, 0, 0, 0)}
        assert archive.read("edition/index.html") == b"<p>home</p>"


@pytest.mark.parametrize(
    ("epoch", "stamp"),
    [
        ("", (1980, 1, 1, 0, 0, 0)),
        ("0", (1980, 1, 1, 0, 0, 0)),
        ("1767225661", (2026, 1, 1, 0, 1, 1)),
    ],
)
def test_zip_timestamp(epoch: str, stamp: tuple[int, ...]) -> None:
    assert zip_offline.zip_timestamp({"SOURCE_DATE_EPOCH": epoch}) == stamp


def test_zip_cli_refuses_a_folder_without_index(tmp_path: Path) -> None:
    assert zip_offline.main([str(tmp_path), str(tmp_path / "x.zip")]) == 1
    assert not (tmp_path / "x.zip").exists()


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_fetch_refuses_a_tarball_with_another_hash(tmp_path: Path) -> None:
    forged = tmp_path / "forged.tgz"
    forged.write_bytes(_tarball({"package/shim/index.js": b"evil()", "package/LICENSE": b"MIT"}))
    cache = tmp_path / "cache" / "iframe-worker.tgz"
    with pytest.raises(fetch_iframe_worker.FetchError, match="expected"):
        fetch_iframe_worker.tarball(cache, forged.as_uri())
    assert not cache.exists()


def test_fetch_uses_a_checked_cache_and_extracts_the_shim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _tarball({"package/shim/index.js": b"shim()", "package/LICENSE": b"MIT"})
    monkeypatch.setattr(fetch_iframe_worker, "TARBALL_SHA256", hashlib.sha256(data).hexdigest())
    cache = tmp_path / "cache.tgz"
    cache.write_bytes(data)
    # The URL is never opened: the cached copy has the pinned hash.
    assert fetch_iframe_worker.tarball(cache, "https://registry.invalid/x.tgz") == data
    written = fetch_iframe_worker.extract(data, tmp_path / "dest")
    assert [p.name for p in written] == ["shim.js", "LICENSE"]
    assert (tmp_path / "dest" / "shim.js").read_bytes() == b"shim()"


def test_the_fetched_shim_is_the_pinned_one() -> None:
    cached = fetch_iframe_worker.CACHE
    if not cached.is_file() or not SHIM.is_file():
        pytest.skip("the shim has not been fetched here: run `make vendor`")
    data = cached.read_bytes()
    assert hashlib.sha256(data).hexdigest() == fetch_iframe_worker.TARBALL_SHA256
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        member = archive.extractfile("package/shim/index.js")
        assert member is not None
        assert member.read() == SHIM.read_bytes()
