# The two commands a newcomer needs: `make demo` and `make test`.
# Everything is set up from the registries on first use and reused after.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STATIC_VENDOR := src/icp/site/static/vendor/nhsuk
export ICP_DATA_DIR ?= $(CURDIR)/data

.PHONY: demo test bench lint typecheck contracts pytest assets install install-dev browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps make a second run reuse what the first installed.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# nhsuk-frontend comes from the npm registry and is served as our own static files: no CDN.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(STATIC_VENDOR)/.built: node_modules/.package-lock.json scripts/build_assets.py
	$(PYTHON) scripts/build_assets.py
	touch $@

assets: $(STATIC_VENDOR)/.built

# The browser tests drive Debian's Chromium through Playwright (no browser download). Needs root.
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

demo: install assets
	$(BIN)/icp demo

lint: install-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install-dev
	ICP_TESTING=1 $(BIN)/mypy

contracts: install-dev
	$(BIN)/lint-imports

pytest: install-dev assets
	$(BIN)/pytest -n 2 --dist loadgroup

test: lint typecheck contracts pytest

bench: install-dev
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) node_modules $(STATIC_VENDOR) .pytest_cache .mypy_cache .ruff_cache
