# gridgov: `make run` sets up and runs the default world; `make test` sets up and tests.
# Python 3.12 is found as: $PYTHON, then python3.12 if it runs, then pyenv's 3.12.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

PY312 := $(shell \
  ok() { "$$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' >/dev/null 2>&1; }; \
  if [ -n "$(PYTHON)" ] && ok "$(PYTHON)"; then echo "$(PYTHON)"; \
  elif ok python3.12; then command -v python3.12; \
  elif command -v pyenv >/dev/null 2>&1; then \
    for p in $$(ls -d "$$(pyenv root)"/versions/3.12*/bin/python3.12 2>/dev/null | sort -V -r); do \
      if ok "$$p"; then echo "$$p"; break; fi; done; \
  fi)

.PHONY: setup run test lint format bench baseline clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@if [ -z "$(PY312)" ]; then \
	  echo "gridgov needs Python 3.12: install it (e.g. 'pyenv install 3.12' or your OS package python3.12)," >&2; \
	  echo "or point to it with 'make PYTHON=/path/to/python3.12 ...'." >&2; exit 1; fi
	@echo "Using $(PY312)"
	test -x $(BIN)/python || $(PY312) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,ray,slurm]'   # one install: see pyproject's joblib pin
	touch $(STAMP)

run: setup
	$(BIN)/gridgov $(ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy sim

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python benchmarks/bench_run.py
	$(BIN)/python benchmarks/bench_sweep.py

baseline: setup
	$(BIN)/python -m tests.regression.update_baseline

clean:
	rm -rf $(VENV) outputs multirun .pytest_cache .mypy_cache .ruff_cache
