# The two commands a fresh machine needs: `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install chromium serve build test record update-examples gpu-test gpu-record bench lint format

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

## the site's JavaScript libraries, from npm with the lock file (served from the site, no CDN)
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(STAMP) node_modules/.installed

## Debian's chromium, for the browser tests (Playwright drives it; no browser download)
chromium:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

## serve the site on http://127.0.0.1:8000
serve: install
	$(VENV)/bin/mkdocs serve --strict -a 127.0.0.1:8000

build: install
	$(VENV)/bin/mkdocs build --strict

## the whole test suite (CPU, stand-in checkpoints)
test: install chromium
	$(PY) -m pytest

## re-verify every snippet and rewrite verification/cpu.json
record: install
	$(PY) -m kb.verify record

## rewrite the #> output lines of snippets from what they print now
update-examples: install
	$(PY) -m kb.verify update-examples

## on a machine with a CUDA GPU: full-size stand-ins, GPU claims included
gpu-test: install
	$(PY) -m pytest tests/test_snippets.py --kb-env gpu --kb-scale full

gpu-record: install
	$(PY) -m kb.verify record --env gpu --scale full

bench: install
	$(PY) benchmarks/runner_benchmark.py
	$(PY) benchmarks/graph_benchmark.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check src tests benchmarks

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format src tests benchmarks
