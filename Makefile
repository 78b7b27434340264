# Stanchion: `make demo` runs the whole backend workflow on embedded defaults; `make test` proves it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?= --durations=20
STAMP := $(VENV)/.stamp

.PHONY: test lint demo bench system venv clean

$(STAMP): pyproject.toml src/stanchion/load/engine/_hotloop.c
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

system:
	@scripts/setup-system.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test: system $(STAMP) lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

demo: $(STAMP)
	@PATH="$(CURDIR)/$(BIN):$$PATH" scripts/demo.sh

bench: system $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@rc=0; for b in benchmarks/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b || rc=1; done; exit $$rc

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build demo-output
