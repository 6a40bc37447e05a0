# Two set-up commands for a fresh machine: `make run` and `make test`.
# Everything installs into the checkout: uv in .uv/, the project in .venv/ (from uv.lock).

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .uv/bin/uv
VENV := .venv
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home

.PHONY: install run test ui lint format bench clean

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-extras --quiet
	touch $@

install: $(VENV)/.synced

## Materialize every asset on the bundled samples into data/warehouse.duckdb.
run: install
	$(VENV)/bin/ogi run

## Run the test suite (pytest's "no tests collected" counts as a failure here).
test: install
	$(VENV)/bin/pytest -q

## Dagster UI on http://127.0.0.1:3000 (same instance as `make run`).
ui: install
	mkdir -p "$(DAGSTER_HOME)" && touch "$(DAGSTER_HOME)/dagster.yaml"
	$(VENV)/bin/dagster dev -h 127.0.0.1 -p 3000

## Print parse throughput, warehouse load time and peak memory (no assertions).
bench: install
	$(VENV)/bin/python scripts/bench.py

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

clean:
	rm -rf data/archive data/staging data/dagster_home data/warehouse.duckdb data/warehouse.duckdb.wal
