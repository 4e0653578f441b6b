# closecredit: `make run` runs the nightly job, `make test` runs every check. Both create the
# virtual environment (.venv, pinned by requirements.lock) when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
ARGS ?=
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
# The venv's tools (dbt, dagster) first, for every command and the processes it starts.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test lint unit demo dev status bench bench-night lock clean

$(INSTALLED): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $(INSTALLED)

## The nightly job on the embedded DuckDB (demo extracts generated when none are given).
run: $(INSTALLED)
	$(BIN)/closecredit run $(ARGS)

## Every check: ruff, sqlfluff, pytest (unit, integration, end-to-end).
test: lint unit

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	mkdir -p target
	# Models compile for real (the SQL holds no key: person keys are a function the plugin registers).
	$(BIN)/sqlfluff lint --processes 2 models tests/dbt

## Two processes; the xdist groups of tests/conftest.py keep each shared build (the end-to-end
## nights, the small scenario, a module's fixtures) in one of them. `PYTEST_WORKERS=0`: one process.
## The 30 slowest tests are listed at the end, so every run shows where the suite's time goes.
PYTEST_WORKERS ?= 2
unit: $(INSTALLED)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=30 $(ARGS)

demo: $(INSTALLED)
	$(BIN)/closecredit demo $(ARGS)

status: $(INSTALLED)
	$(BIN)/closecredit status $(ARGS)

## The Dagster UI on http://127.0.0.1:3000 with the same instance the run command uses; its daemon
## runs the nightly schedule and the sensors. PORT=3001 to move it.
PORT ?= 3000
dev: $(INSTALLED)
	$(BIN)/python -c "from pathlib import Path; from orchestration.ops.runs import ensure_dagster_home; ensure_dagster_home(Path('$(DAGSTER_HOME)'))"
	$(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p $(PORT)

bench: $(INSTALLED)
	$(BIN)/python benchmarks/bench_foundation.py $(ARGS)

## The whole night per scale, full and incremental, into docs/benchmarks.md (ARGS="--scales 0.1 --runs 3").
bench-night: $(INSTALLED)
	$(BIN)/python benchmarks/bench_night.py $(ARGS)

lock: $(INSTALLED)
	$(BIN)/pip freeze --exclude-editable | grep -v '^closecredit' > requirements.lock.new
	(echo "# Every package the project installs, pinned (pip constraints). Regenerate: make lock"; \
	  cat requirements.lock.new) > requirements.lock && rm requirements.lock.new

clean:
	rm -rf target logs .dagster_home data/warehouse
