# The two commands of the README: `make demo` and `make test`. Both create .venv on first use.
# They install the exact versions pinned in $(CONSTRAINTS) (pyproject.toml keeps the ranges Headwater
# supports); `make lock` refreshes the pins from a fresh virtualenv of the newest versions in range.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=
CONSTRAINTS := requirements/constraints.txt
LOCK_VENV   := .venv-lock

.PHONY: demo test lint format bench clean lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade -c $(CONSTRAINTS) pip

$(VENV)/.installed-base: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e '.[dev]'
	touch $@ $(VENV)/.installed-base

# Every package of `.[dev]` (and pip itself) at one version, from a fresh virtualenv; the project is left
# out. Review the diff before committing it.
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/pip install --quiet -e '.[dev]'
	mkdir -p $(dir $(CONSTRAINTS))
	{ echo "# Exact versions for make demo / make test; refresh with \`make lock\` (Python $$($(LOCK_VENV)/bin/python -c 'import platform; print(platform.python_version())'))."; \
	  $(LOCK_VENV)/bin/pip freeze --all --exclude-editable | grep -v -i -E '^(headwater|setuptools|wheel)=='; \
	} > $(CONSTRAINTS).new
	mv $(CONSTRAINTS).new $(CONSTRAINTS)
	rm -rf $(LOCK_VENV)

demo: $(VENV)/.installed-base
	$(BIN)/headwater demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: $(VENV)/.installed-dev
	@cat bench/README.md

clean:
	rm -rf $(VENV) $(LOCK_VENV) .pytest_cache .mypy_cache .ruff_cache
