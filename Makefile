# Two commands for a fresh machine: `make build` and `make test` (see README.md).
# Each creates .venv when needed and installs the pinned set from requirements/lock.txt.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed-stamp
# Material 9.7+ prints a banner about MkDocs 2 on every build; it is noise in CI logs.
export NO_MKDOCS_2_WARNING := 1

.PHONY: install build site serve test lint typecheck unit strict check check-external bench lock clean

$(STAMP): requirements/lock.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

install: $(STAMP)

## build: the website (site/)
build: install site

site: install
	$(BIN)/mkdocs build --strict

## serve: live preview on http://127.0.0.1:8000
serve: install
	$(BIN)/mkdocs serve

## test: every test, lint, type check and the strict build
test: install lint typecheck strict unit

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

# Never add -v here: in MkDocs 1.6.1 it silently turns anchor validation off.
strict: install
	$(BIN)/mkdocs build --strict

unit: install
	$(BIN)/pytest

## lock: re-resolve requirements/requirements.in into requirements/lock.txt
lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/pip install --quiet -r requirements/requirements.in
	.lockvenv/bin/pip freeze --exclude-editable > requirements/lock.txt
	rm -rf .lockvenv

clean:
	rm -rf site site-offline .cache
