"""What a newcomer and a contributor meet first: system packages, live preview, `make check`
leaving a finished build alone, the published addresses, quiet build output, and the workflow."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from lxml import etree
from lxml import html as lxml_html
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError
from monograph.adapter import pdf as print_edition
from monograph.checks.cli import main as check_main
from monograph.core.model import Problem, summarise

from tests.conftest import REPO, SiteBuilder

SITES = Path(__file__).resolve().parent / "sites"
SCRIPT = REPO / "scripts" / "system-packages.sh"


# --- System packages: listed once, installed by the project ------------------------------------


def _listed(*groups: str) -> list[str]:
    out = subprocess.run(
        [str(SCRIPT), "--list", *groups], check=True, capture_output=True, text=True
    )
    return out.stdout.split()


def test_system_packages_are_listed_once_and_cover_the_pdf_the_browser_and_the_bench() -> None:
    assert _listed("pdf") == [
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "libharfbuzz-subset0",
        "fonts-dejavu-core",
        "fonts-dejavu-extra",
    ]
    assert _listed("browser") == ["chromium"]
    assert _listed("bench") == ["valgrind"]  # make bench-instructions only


def test_make_build_and_make_test_install_them_and_nothing_else_does() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    rules = {
        line.split(":")[0]: line.split(":", 1)[1].split()
        for line in makefile.splitlines()
        if line and not line[0].isspace() and ":" in line and not line.startswith((".", "#"))
    }
    assert "pdf-deps" in rules["build"]
    assert "system-deps" in rules["test"]
    assert "scripts/system-packages.sh bench" in makefile  # bench-instructions: Valgrind
    for path in [REPO / "Makefile", *(REPO / ".github" / "workflows").glob("*.yml")]:
        assert "apt-get" not in path.read_text(encoding="utf-8"), path


def _fake_bin(tmp_path: Path, scripts: dict[str, str]) -> dict[str, str]:
    """A PATH whose `id`, `dpkg-query`, `sudo` and `apt-get` are the given shell snippets."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in scripts.items():
        path = bin_dir / name
        path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        path.chmod(0o755)
    for tool in ("bash", "cat", "grep", "seq", "sleep", "dirname", "env", "touch"):
        found = shutil.which(tool)
        if found and not (bin_dir / tool).exists():
            (bin_dir / tool).symlink_to(found)
    return {"PATH": str(bin_dir), "SYSTEM_PACKAGES_RETRY_SECONDS": "0"}


def test_not_root_without_sudo_one_line_names_what_to_install(tmp_path: Path) -> None:
    env = _fake_bin(
        tmp_path,
        {
            "id": "echo 1000",
            "dpkg-query": 'case "$3" in libpango-1.0-0) printf installed;; esac',
            "sudo": "exit 1",
        },
    )
    out = subprocess.run(["bash", str(SCRIPT), "pdf"], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "system packages missing: libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core "
        "fonts-dejavu-extra; install them with: sudo apt-get install libpangoft2-1.0-0 "
        "libharfbuzz-subset0 fonts-dejavu-core fonts-dejavu-extra"
    ]


def test_as_root_it_waits_for_the_apt_lock_and_installs_only_what_is_missing(
    tmp_path: Path,
) -> None:
    calls = tmp_path / "calls"
    attempts = tmp_path / "attempts"
    env = _fake_bin(
        tmp_path,
        {
            "id": "echo 0",
            "dpkg-query": 'case "$3" in chromium) printf absent;; *) printf installed;; esac',
            # The first `update` finds the lists locked by another apt process.
            "apt-get": f"""echo "$@" >> {calls}
case "$*" in *update*)
  if [ ! -f {attempts} ]; then touch {attempts}
    echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 42" >&2; exit 100
  fi;;
esac""",
        },
    )
    out = subprocess.run(
        ["bash", str(SCRIPT), "pdf", "browser"], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    lines = calls.read_text(encoding="utf-8").splitlines()
    assert [line.endswith("update") for line in lines] == [True, True, False]
    assert all("DPkg::Lock::Timeout=" in line for line in lines)
    assert lines[-1].endswith("install -y --no-install-recommends chromium")
    assert "waiting" in out.stdout


def test_nothing_to_do_when_everything_is_installed(tmp_path: Path) -> None:
    env = _fake_bin(tmp_path, {"id": "echo 1000", "dpkg-query": "printf installed"})
    out = subprocess.run(
        ["bash", str(SCRIPT), "pdf", "browser"], env=env, capture_output=True, text=True
    )
    assert (out.returncode, out.stdout, out.stderr) == (0, "", "")


# --- WeasyPrint: the machine's notices never fail --strict, the document's problems do ---------


def _record(pathname: str, message: str) -> logging.LogRecord:
    return logging.makeLogRecord(
        {
            "name": "weasyprint",
            "levelno": logging.WARNING,
            "levelname": "WARNING",
            "pathname": pathname,
            "msg": message,
        }
    )


def test_font_subsetting_fallbacks_are_info_and_document_problems_stay_warnings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fonts = "/venv/lib/python3.11/site-packages/weasyprint/pdf/fonts.py"
    images = "/venv/lib/python3.11/site-packages/weasyprint/images.py"
    with (
        caplog.at_level(logging.DEBUG, logger="mkdocs"),
        print_edition._relay_weasyprint_warnings(),
    ):
        logger = logging.getLogger("weasyprint")
        for _ in range(9):
            logger.handle(_record(fonts, 'Using fontTools instead of HarfBuzz-Subset for "X"'))
        logger.handle(_record(images, "Failed to load image at 'a.png'"))
    by_level = [(r.levelno, r.getMessage()) for r in caplog.records]
    warned = [m for level, m in by_level if level >= logging.WARNING]
    assert len(warned) == 1
    assert warned[0].endswith("PDF edition: WeasyPrint: Failed to load image at 'a.png'")
    notices = [m for level, m in by_level if level == logging.INFO]
    assert len(notices) == 1  # nine alike notices, said once
    assert "fontTools instead of HarfBuzz-Subset" in notices[0]


def test_missing_weasyprint_stops_with_one_line_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # makes `import weasyprint` fail
    with pytest.raises(PluginError) as info:
        print_edition.import_weasyprint()
    message = str(info.value)
    assert "\n" not in message
    assert "'pdf' extra" in message
    assert "pdf_file" in message


# --- make check never alters a finished build --------------------------------------------------


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_make_check_leaves_a_finished_site_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "project"
    shutil.copytree(SITES / "checks-clean", root)
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"], cwd=root, check=True
    )
    # What `make build` adds after MkDocs (the offline zip) must survive too.
    (root / "site" / "downloads").mkdir()
    (root / "site" / "downloads" / "edition.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    before = _snapshot(root / "site")
    os.utime(root / "docs" / "index.md")  # a source newer than the site: a stale build
    status = check_main(["all", "--config", str(root / "mkdocs.yml")])
    out = capsys.readouterr().out
    assert status == 0, out
    assert _snapshot(root / "site") == before
    assert (root / ".cache" / "monograph" / "check-site" / "index.html").is_file()
    assert "check-site" in out


# --- Live preview: a real `mkdocs serve` picks up refs.bib ------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # loopback only
        return str(response.read().decode("utf-8"))


def _wait_for(url: str, text: str, process: subprocess.Popen[str], seconds: float) -> str:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        assert process.poll() is None, "mkdocs serve exited"
        try:
            last = _get(url)
        except OSError:
            last = ""
        if text in last:
            return last
        time.sleep(0.25)
    raise AssertionError(f"{text!r} never appeared at {url}")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str, subprocess.Popen[str]]]:
    root = tmp_path / "project"
    shutil.copytree(SITES / "checks-clean", root)
    port = _free_port()
    with (tmp_path / "serve.log").open("w", encoding="utf-8") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
            cwd=root,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )
        try:
            yield root, f"http://127.0.0.1:{port}/", process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_serve_rebuilds_when_refs_bib_changes(
    served: tuple[Path, str, subprocess.Popen[str]],
) -> None:
    root, url, process = served
    references = url + "references/"
    _wait_for(references, "Iron and restless legs", process, 60)
    bib = root / "refs.bib"
    bib.write_text(
        bib.read_text(encoding="utf-8").replace(
            "Iron and restless legs", "Iron stores and restless legs"
        ),
        encoding="utf-8",
    )
    page = _wait_for(references, "Iron stores and restless legs", process, 30)
    assert "Iron and restless legs" not in page
    # The citing page's hover preview is refreshed too.
    assert "Iron stores and restless legs" in _get(url)


def test_the_monograph_watches_its_snippets() -> None:
    cfg = load_config(str(REPO / "mkdocs.yml"))
    assert str(REPO / "includes") in cfg.watch


# --- Published addresses: site_url, sitemap, canonical links, offline 404 --------------------


def test_site_url_comes_from_the_environment_with_a_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MONOGRAPH_SITE_URL", raising=False)
    assert load_config(str(REPO / "mkdocs.yml")).site_url.startswith("https://")
    monkeypatch.setenv("MONOGRAPH_SITE_URL", "https://example.org/fork/")
    assert load_config(str(REPO / "mkdocs.yml")).site_url == "https://example.org/fork/"


def test_sitemap_lists_every_page_and_pages_are_canonical(build_site: SiteBuilder) -> None:
    pages = {
        "index.md": "# Home\n\nSee [@a].\n",
        "b.md": "# B\n\nText.\n",
        "c/d.md": "# D\n\nText.\n",
    }
    bib = "@misc{a, title = {A title}, year = {2020}}\n"
    site = build_site(pages, bib, strict=True, extra_config={"site_url": "https://example.org/x/"})
    assert site.aborted is None, site.warnings
    tree = etree.parse(str(site.site / "sitemap.xml"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = sorted(tree.xpath("//s:loc/text()", namespaces=ns))
    assert locs == [
        "https://example.org/x/",
        "https://example.org/x/b/",
        "https://example.org/x/c/d/",
    ]
    canonical = site.page("b/").xpath("//link[@rel='canonical']/@href")
    assert canonical == ["https://example.org/x/b/"]


def test_offline_404_page_works_from_file_urls(offline_site: Path) -> None:
    page = lxml_html.fromstring((offline_site / "404.html").read_bytes())
    urls = page.xpath("//@href | //@src")
    assert urls, "404.html has no links at all"
    rooted = [u for u in urls if u.startswith("/") and not u.startswith("//")]
    assert rooted == []
    for url in urls:
        # The PDF is copied in by `make offline` after the MkDocs build this fixture runs.
        if "://" in url or url.startswith(("#", "mailto:", "data:", "./downloads/")):
            continue
        target = (offline_site / url.split("#")[0].split("?")[0]).resolve()
        assert target.exists(), url


# --- Build output a contributor can read --------------------------------------------------------


BIB_NO_IDS = """
@article{alpha2020, author = {Alpha, A.}, title = {One}, journal = {J}, year = {2020}}
@article{beta2021, author = {Beta, B.}, title = {Two}, journal = {J}, year = {2021}}
@article{gamma2022, author = {Gamma, C.}, title = {Three}, journal = {J}, year = {2022}}
"""


def test_alike_notes_are_said_once_per_build(
    build_site: SiteBuilder, caplog: pytest.LogCaptureFixture
) -> None:
    pages = {"index.md": "# Home\n\n[@alpha2020; @beta2021; @gamma2022]\n"}
    with caplog.at_level(logging.INFO, logger="mkdocs"):
        site = build_site(pages, BIB_NO_IDS, strict=True)
    assert site.aborted is None, site.warnings
    notes = [m for m in site.infos if "cite.no_identifier" in m]
    assert notes == [
        "monograph: refs.bib: 3 articles have neither DOI nor PMID: alpha2020, beta2021, "
        "gamma2022; add one where a verified record gives it [cite.no_identifier]"
    ]
    # The checker still sees each of them, with its line.
    lines = sorted(p.line for p in site.problems if p.code == "cite.no_identifier")
    assert lines == [1, 2, 3]


def test_a_second_edition_keeps_its_notes_to_the_debug_log(
    build_site: SiteBuilder, caplog: pytest.LogCaptureFixture
) -> None:
    pages = {"index.md": "# Home\n\n[@alpha2020; @beta2021; @gamma2022]\n"}
    with caplog.at_level(logging.INFO, logger="mkdocs"):
        site = build_site(pages, BIB_NO_IDS, strict=True, notices=False)
    assert site.aborted is None, site.warnings
    assert site.infos  # info lines are captured, just not this one
    assert not [m for m in site.infos if "cite.no_identifier" in m]


def test_summary_of_codes_without_a_template_names_every_place() -> None:
    problems = [
        Problem("x.code", "something odd", "docs/a.md", 3, "info"),
        Problem("x.code", "something odd", "docs/a.md", 9, "info"),
    ]
    assert summarise(problems) == ("docs/a.md: something odd (and 1 more: docs/a.md:9) [x.code]")


# --- Publishing and review: the GitHub workflow ------------------------------------------------


def _workflow() -> dict[str, object]:
    data = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_workflow_tests_uploads_for_review_and_deploys_main_to_pages() -> None:
    jobs = _workflow()["jobs"]
    assert isinstance(jobs, dict)
    test_steps = jobs["test"]["steps"]
    runs = [s.get("run", "") for s in test_steps]
    assert any(r.startswith("make test") and "--format github" in r for r in runs)
    assert "make build" in runs
    uploads = [
        s for s in test_steps if str(s.get("uses", "")).startswith("actions/upload-artifact")
    ]
    assert {u["with"]["path"] for u in uploads} == {"site/", "site/downloads/*.pdf"}
    pages = [s for s in test_steps if str(s.get("uses", "")).startswith("actions/upload-pages")]
    assert pages and "refs/heads/main" in pages[0]["if"]
    deploy = jobs["deploy"]
    assert deploy["needs"] == "test"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert "refs/heads/main" in deploy["if"]
    assert any(str(s.get("uses", "")).startswith("actions/deploy-pages") for s in deploy["steps"])


def test_ci_runs_the_readme_test_command_and_nothing_else() -> None:
    run = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        line for line in run.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    assert commands[-1].strip() == "make test"
    assert "make test" in (REPO / "README.md").read_text(encoding="utf-8")
