# Two commands do all set-up: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# One test worker more than there are cores: many tests wait on an `ivr` process, a browser or a timer,
# and the spare worker uses that time (4 min 03 s instead of 5 min 17 s on 2 cores).
JOBS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))

.PHONY: run test quick bytecode lint format bench fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/ivr run menus/customer-service.yaml

# Tests start `ivr` a few hundred times: compile the package once, so that no process compiles it again
# (where PYTHONDONTWRITEBYTECODE is set, as in many CI images, Python would recompile it in every one).
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q ivr

test: $(STAMP) lint bytecode
	$(BIN)/python -m pytest -n $(JOBS)

# The inner loop: everything but the tests marked slow (property tests, Erlang agreement, browsers).
quick: $(STAMP) bytecode
	$(BIN)/python -m pytest -n $(JOBS) -m "not slow"

# The gates: style, types (mypy, config in pyproject.toml) and the layers (import-linter contracts).
lint: $(STAMP)
	$(BIN)/ruff check ivr tests bench
	$(BIN)/ruff format --check ivr tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format ivr tests bench
	$(BIN)/ruff check --fix ivr tests bench

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench

# 100,000 mutated files through the loaders (atheris); not part of `make test`.
fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.fuzz_loader --runs 100000

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
