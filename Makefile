# Two commands for a fresh machine: `make run` and `make test`.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
PYBABEL := $(BIN)/pybabel

.PHONY: run test lint unit slow catalogs compile-catalogs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

compile-catalogs: $(VENV)/.installed
	$(PYBABEL) compile --domain messages --directory locales --statistics 2>&1 \
	  | grep -v '^compiling' || true
	@test -f locales/vi/LC_MESSAGES/messages.mo && test -f locales/en/LC_MESSAGES/messages.mo

run: compile-catalogs
	$(BIN)/cdht run

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The heavy process tests (marked slow) run in `make slow`, a required second step of .ci/run.
# Two pytest workers, one per core of the machine this runs on; each worker has its own
# PostgreSQL database (tests/support.py).
unit: $(VENV)/.installed-dev compile-catalogs
	$(BIN)/pytest -m "not slow" -n 2

# pytest exits 5 when no test is selected: no slow test left is not a failure.
slow: $(VENV)/.installed-dev compile-catalogs
	$(BIN)/pytest -m slow; status=$$?; [ $$status -eq 5 ] && status=0; exit $$status

test: lint unit

# `make bench` runs bench/answer_path.py beside the anchors when CDHT_BENCH_ANCHORS names their
# folder, and on PostgreSQL when CDHT_TEST_POSTGRES_URL is set (that database is emptied).

# For developers: re-extract the texts after changing them in code, then translate the .po files.
catalogs: $(VENV)/.installed-dev
	$(PYBABEL) extract -F pyproject.toml -k t -k N_ --no-location --sort-output \
	  --project cdht --copyright-holder cdht -o locales/messages.pot conversations storage bot
	$(PYBABEL) update --domain messages --input-file locales/messages.pot --output-dir locales \
	  --no-fuzzy-matching --ignore-obsolete

bench: $(VENV)/.installed-dev compile-catalogs
	$(BIN)/python -m bench.console_flow
	$(BIN)/python -m bench.telegram_updates
	$(BIN)/python -m bench.answer_path
	$(BIN)/python -m bench.province_digest
	$(BIN)/python -m bench.workers

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache .hypothesis
