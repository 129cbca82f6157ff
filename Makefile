# One-command entry points. Everything runs from a local virtualenv (.venv).
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# test processes (pytest-xdist; a file's tests stay together so its fixtures load once)
TEST_WORKERS ?= 2

.PHONY: install serve test lint graph bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

serve: install ## set up and start the API on http://$(HOST):$(PORT)
	$(VENV)/bin/relos serve --host $(HOST) --port $(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

graph: install ## build (or load) the sea graph into the cache, so no test waits on it
	$(PY) -c "from routing.service import default_services; default_services().require_sea()"

test: lint graph ## set up, lint, type-check and run the tests
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile

# the benchmark-only peers (the bench extra); offline, the benchmarks skip their lines
$(VENV)/.bench-installed: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[bench]' && touch $@ \
		|| echo "bench extra not installed: the scgraph figures are left out"

bench: install $(VENV)/.bench-installed ## print the benchmark figures
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
