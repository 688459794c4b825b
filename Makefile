# Two commands for a fresh machine: `make build` and `make test` (see README.md).
# Each creates .venv when needed and installs the pinned set from requirements/lock.txt.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed-stamp
# Material 9.7+ prints a banner about MkDocs 2 on every build; it is noise in CI logs.
export NO_MKDOCS_2_WARNING := 1

.PHONY: offline offline-build offline-package vendor system-deps pdf-deps browser-deps axe
.PHONY: install build site serve test lint typecheck unit strict check check-external bench
.PHONY: bench-instructions lock clean

# The engine is its own distribution (plugins/pyproject.toml); the monograph project depends on it.
$(STAMP): requirements/lock.txt pyproject.toml plugins/pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e ./plugins
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

install: $(STAMP)

## build: the website (site/), its PDF and the offline edition; installs what the PDF needs
build: install pdf-deps site

# The two editions are built at once, one process each (each converts every page; on two CPUs
# the offline edition then costs no wait): they share only the cache folder, whose files are
# written whole. Each build's messages are shown when both have ended, the website's first; either
# failing fails the target. Then the PDF goes into the offline edition, and the zip is made.
site: install vendor
	@echo "mkdocs build --strict   (website and PDF; and, at the same time, the offline edition)"
	@mkdir -p .cache/logs
	@$(BIN)/mkdocs build --strict > .cache/logs/website.log 2>&1 & website=$$!; \
	 $(BIN)/mkdocs build --strict -f mkdocs.offline.yml > .cache/logs/offline.log 2>&1; \
	 offline=$$?; wait $$website; website=$$?; \
	 cat .cache/logs/website.log; echo "mkdocs build --strict -f mkdocs.offline.yml"; \
	 cat .cache/logs/offline.log; test $$website -eq 0 && test $$offline -eq 0
	@$(MAKE) --no-print-directory offline-package

## offline: the offline edition (site-offline/) and its zip (site/downloads/rls-monograph-offline.zip)
offline: install vendor offline-build

offline-build:
	$(BIN)/mkdocs build --strict -f mkdocs.offline.yml
	@$(MAKE) --no-print-directory offline-package

# The PDF, when site/ has it, goes into the offline edition too; the zip goes into site/downloads/.
offline-package:
	@if [ -f site/downloads/rls-monograph.pdf ]; then \
	  mkdir -p site-offline/downloads && cp site/downloads/rls-monograph.pdf site-offline/downloads/; fi
	$(PY) scripts/zip_offline.py site-offline site/downloads/rls-monograph-offline.zip

# The iframe-worker shim that lets search run from file:// (npm registry, pinned, hash-checked).
# The hash-checked tarball stays in .cache/vendor/ (a test compares the shim with it): fetched
# again when that folder was cleared.
vendor: docs/assets/vendor/iframe-worker/shim.js
	@ls .cache/vendor/iframe-worker-*.tgz >/dev/null 2>&1 || $(PY) scripts/fetch_iframe_worker.py

docs/assets/vendor/iframe-worker/shim.js: scripts/fetch_iframe_worker.py
	$(PY) scripts/fetch_iframe_worker.py && touch $@

## system-deps: the Debian packages of system-packages.txt (apt as root or through sudo; waits for
## the dpkg lock; when neither is possible, one line names what to install)
system-deps:
	@scripts/system-packages.sh pdf browser

pdf-deps:
	@scripts/system-packages.sh pdf

browser-deps:
	@scripts/system-packages.sh browser

## axe: axe-core for the browser tests' accessibility audit (npm registry, exact version in
## package.json and package-lock.json; node_modules/ is not committed)
axe: node_modules/axe-core/axe.min.js

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts && touch $@

## serve: live preview on http://127.0.0.1:8000
serve: install
	$(BIN)/mkdocs serve

## test: every test, lint, type check and the strict build
test: install system-deps axe vendor lint typecheck strict unit check

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

typecheck: install
	$(BIN)/mypy

# Never add -v here: in MkDocs 1.6.1 it silently turns anchor validation off.
strict: install
	$(BIN)/mkdocs build --strict

# On every CPU; a test file's tests stay on one worker, so its module fixtures build once.
unit: install
	$(BIN)/pytest -n auto --dist loadfile

## check: citations, MkDocs link validation and every link in the built HTML (in its own build
## under .cache/monograph/check-site; site/ is left as `make build` made it)
## (CHECK_FLAGS adds options, e.g. make check CHECK_FLAGS="--format github")
check: install
	$(PY) -m monograph.checks all $(CHECK_FLAGS)

## check-external: external URLs, DOIs (doi.org) and PMIDs (PubMed); needs the network, not in `make test`
check-external: install
	$(PY) -m monograph.checks external $(CHECK_FLAGS)

## bench: speed and memory against the plain build and mkdocs-bibtex (benchmarks/RESULTS.md);
## one size: make bench PAGES=200 ENTRIES=2000 RUNS=3; it also times `mkdocs serve` (save -> page
## served); BENCH_MAKE="build test" adds the wall time of those targets; VARIANTS="plain cold warm"
## builds only those (mkdocs-bibtex-csl, about 11 minutes a build at 200 pages, runs once)
bench: install
	$(PY) benchmarks/run.py $(if $(PAGES),--pages $(PAGES)) $(if $(ENTRIES),--entries $(ENTRIES)) $(if $(RUNS),--runs $(RUNS)) $(if $(VARIANTS),--variants $(VARIANTS)) $(if $(BENCH_MAKE),--make $(BENCH_MAKE))

## bench-instructions: the instructions a build executes (Valgrind), plain and ours, at 200 and
## 1,000 pages: the plugin's work a page without the machine's noise (about 20 minutes);
## PAGES="200 1000" ENTRIES=2000 VARIANTS="plain warm warm-one cold" choose
bench-instructions: install
	@scripts/system-packages.sh bench
	$(PY) benchmarks/instructions.py $(if $(PAGES),--pages $(PAGES)) $(if $(ENTRIES),--entries $(ENTRIES)) $(if $(VARIANTS),--variants $(VARIANTS))

## lock: re-resolve requirements/requirements.in into requirements/lock.txt
lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/pip install --quiet -r requirements/requirements.in
	.lockvenv/bin/pip freeze --exclude-editable > requirements/lock.txt
	rm -rf .lockvenv

clean:
	rm -rf site site-offline .cache
