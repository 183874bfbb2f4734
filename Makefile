# Social Value Annual Report pipeline. `make report` and `make test` are all a new user needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)
YEAR   ?= 2025

.PHONY: install report test sample lock clean

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the pinned environment into $(VENV) (first run only)..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

## Read the report year's inputs (default: the bundled sample) and summarise them.
report: $(STAMP)
	@$(BIN)/svreport inspect --year $(YEAR)

## Unit tests, reader and config tests, and the sample-figure check.
test: $(STAMP)
	@$(BIN)/python -m pytest

## Regenerate the bundled sample data (deterministic: same bytes every time).
sample: $(STAMP)
	@$(BIN)/svreport sample

## Re-pin every Python dependency (run when pyproject.toml changes).
lock: $(STAMP)
	@$(BIN)/python -m pip install --quiet uv
	@$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --quiet -o requirements.lock

clean:
	rm -rf $(VENV) data/processed/[0-9]* build .pytest_cache
