# cinecode — two commands do everything: `make film` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EXAMPLE := examples/the-lighthouse-keeper
BRANCHING := examples/the-last-ferry

.PHONY: film film-branching test lint typecheck unit farm bench clean setup

$(BIN)/.installed: pyproject.toml scripts/setup-system
	@scripts/setup-system
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip >/dev/null
	@$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

setup: $(BIN)/.installed

## Render the bundled example film; the master's absolute path is the last line.
film: $(BIN)/.installed
	@$(BIN)/cinecode make $(EXAMPLE)

## Render the bundled branching film's default path (every scene is built once);
## the master's absolute path is the last line. `cinecode story $(BRANCHING)` draws its graph.
film-branching: $(BIN)/.installed
	@$(BIN)/cinecode make $(BRANCHING)

## The whole suite: lint, types, tests (the farm's slow cluster tests included).
test: lint typecheck unit farm

lint: $(BIN)/.installed
	$(BIN)/ruff check cinecode tests bench
	$(BIN)/ruff format --check cinecode tests bench

typecheck: $(BIN)/.installed
	$(BIN)/mypy

## Timing tests (frames presented at a switch) run alone, after the rest: a busy machine drops frames.
unit: $(BIN)/.installed
	$(BIN)/pytest -q -n 2 --dist loadgroup -m "not timing and not farm"
	$(BIN)/pytest -q -p no:xdist -m timing

## The slow farm tests (Ray clusters started on this machine, one at a time, ~3 min); `make unit`
## keeps the fast ones, `make test` runs both.
farm: $(BIN)/.installed
	$(BIN)/pytest -q -p no:xdist -m farm tests/test_farm.py

bench: $(BIN)/.installed
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build .mypy_cache .ruff_cache .pytest_cache
