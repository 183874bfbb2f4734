# Social Value Annual Report pipeline. `make report` and `make test` are all a new user needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)
A11Y   := tests/a11y/node_modules/.installed
DENO   := tests/deno/node_modules/.installed
YEAR   ?= 2025
AS_AT  ?= 2025-05-31
CONFIG ?= config/rotherham.yml

.PHONY: help install report update test test-fast lint notebooks sample screenshots docs lock clean
.DEFAULT_GOAL := help

## List the commands.
help:
	@awk '/^## /{doc = doc substr($$0, 4) " "} /^[a-z-]+:/{if (doc) printf "  make %-12s %s\n", substr($$1, 1, length($$1) - 1), doc; doc = ""} !/^## /{if ($$0 !~ /^[a-z-]+:/) doc = ""}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the pinned environment into $(VENV) (first run only)..."
	@$(BIN)/python -m pip install -qq --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

$(A11Y): tests/a11y/package.json tests/a11y/package-lock.json
	@npm ci --prefix tests/a11y --no-audit --no-fund --silent
	@touch $@

# Deno for testing report/prerender.ts (npm's lock files cannot hold its per-platform binaries; the
# version is pinned exactly in package.json, and so are the binaries it depends on).
$(DENO): tests/deno/package.json
	@npm install --prefix tests/deno --no-package-lock --no-audit --no-fund --silent
	@touch $@

## Install the pinned Python environment into .venv (the other commands do this when needed).
install: $(STAMP)

## Run the pipeline notebooks for the report year (default: 2025 on the bundled sample; another council:
## CONFIG=config/<council>.yml) and render
## the report: HTML, PDF and DOCX for the paper and each appendix, and the combined pack PDF.
report: $(STAMP)
	@$(BIN)/svreport --config $(CONFIG) run --year $(YEAR)
	@$(BIN)/svreport --config $(CONFIG) render --year $(YEAR)

## The position at a date between reports and its mid-year update for scrutiny (exports in
## data/raw/as-at-<date>/; default: the sample's 2025-05-31). Outputs: _output/as-at-<date>/.
update: $(STAMP)
	@$(BIN)/svreport --config $(CONFIG) run --as-at $(AS_AT)
	@$(BIN)/svreport --config $(CONFIG) render --as-at $(AS_AT)

## Everything CI runs: lint, unit tests, pipeline and render tests (PDF/UA, axe-core in Chromium) and nbval
## over the notebooks. Tests marked `quarto` run Quarto when it is on PATH, and are skipped otherwise.
test: lint $(A11Y) $(DENO)
	@$(BIN)/python -m pytest --nbval --nbval-current-env tests notebooks

## The unit tests alone (under 30 s): for the edit-test loop.
test-fast: $(STAMP)
	@$(BIN)/python -m pytest -m unit

## Lint: ruff, the import-layer contracts, notebooks outside notebooks/ stripped, no secrets (the pre-commit hooks).
lint: $(STAMP)
	@$(BIN)/pre-commit run --all-files --show-diff-on-failure

## Re-execute the committed notebooks in place after changing them or the package.
notebooks: $(STAMP)
	@$(BIN)/svreport refresh-notebooks

## Regenerate the bundled sample data (deterministic: same bytes every time).
sample: $(STAMP)
	@$(BIN)/svreport-dev sample

## PNGs of the paper's first pages and of the HTML report, for reviewers (needs poppler-utils, Chromium).
screenshots: report $(A11Y)
	@mkdir -p docs/screenshots
	@pdftoppm -r 70 -png -f 1 -l 4 _output/report/cabinet-report.pdf docs/screenshots/paper-page
	@node tests/a11y/axe-check.mjs --screenshot docs/screenshots/html-report.png _output/report/cabinet-report.html 1100
	@ls docs/screenshots

## Regenerate docs/bad-inputs.md from the bad-input corpus (tests/bad_inputs/cases.yml).
docs: $(STAMP)
	@$(BIN)/python tests/bad_inputs/corpus.py

## Re-pin every Python dependency (run when pyproject.toml changes).
lock: $(STAMP)
	@$(BIN)/python -m pip install --quiet uv
	@$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --quiet -o requirements.lock

## Remove the environment and every generated file.
clean:
	rm -rf $(VENV) data/processed/[0-9]* data/processed/.[a-z]* build .pytest_cache _output report/_generated _variables.yml .quarto tests/a11y/node_modules tests/deno/node_modules
