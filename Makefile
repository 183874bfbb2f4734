# Social Value Annual Report pipeline. `make report` and `make test` are all a new user needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)
YEAR   ?= 2025

.PHONY: install report test notebooks sample lock clean

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the pinned environment into $(VENV) (first run only)..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

## Run the pipeline notebooks for the report year (default: 2025 on the bundled sample).
report: $(STAMP)
	@$(BIN)/svreport run --year $(YEAR)

## Unit tests, pipeline tests, and nbval over the committed notebooks.
test: $(STAMP)
	@$(BIN)/python -m pytest

## Re-execute the committed notebooks in place after changing them or the package.
notebooks: $(STAMP)
	@$(BIN)/svreport refresh-notebooks

## Regenerate the bundled sample data (deterministic: same bytes every time).
sample: $(STAMP)
	@$(BIN)/svreport sample

## Re-pin every Python dependency (run when pyproject.toml changes).
lock: $(STAMP)
	@$(BIN)/python -m pip install --quiet uv
	@$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --quiet -o requirements.lock

clean:
	rm -rf $(VENV) data/processed/[0-9]* build .pytest_cache
