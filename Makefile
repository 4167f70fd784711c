# The README's commands. Only python3 and make are needed: the first target
# that runs bootstraps uv into .tools/ and the locked environment into .venv/.
PYTHON ?= python3
UV_VERSION := 0.13.8
VENV := .venv
TOOLS := .tools
UV := $(TOOLS)/bin/uv
BIN := $(VENV)/bin
SAMPLES := feeds/samples/feeds.yaml

export AIRFLOW_HOME ?= $(CURDIR)/.airflow
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)

.PHONY: run serve test lint typecheck browser pytest bench up down clean help

help:
	@echo "make run    one ingestion cycle through the Airflow DAG over the bundled sample feeds"
	@echo "make serve  the web pages and JSON API on http://127.0.0.1:8000 (after make run)"
	@echo "make test   lint, type-check and run the test suite"
	@echo "make bench  benchmarks, printed as JSON"
	@echo "make up     the docker compose stack (needs a Docker engine)"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Bytecode compiled once here: every command then starts without compiling its imports
# (where PYTHONDONTWRITEBYTECODE is set, Python would compile them on every start).
$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --extra airflow --compile-bytecode --python $(PYTHON)
	@touch $@

run: $(VENV)/.synced
	$(BIN)/econsec run --feeds $(SAMPLES)

serve: $(VENV)/.synced
	$(BIN)/econsec serve

test: lint typecheck browser pytest

# Debian's Chromium, for the browser tests (tests/web/test_browser.py); CI runs as root.
# ECONSEC_SKIP_BROWSER_TESTS=1 skips this step and those tests.
browser:
	@command -v chromium >/dev/null 2>&1 || [ "$$ECONSEC_SKIP_BROWSER_TESTS" = 1 ] || \
	(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium) || \
	{ echo "make: the browser tests need Debian's chromium: install it as root," \
	"or set ECONSEC_SKIP_BROWSER_TESTS=1 to skip them"; exit 1; }

lint: $(VENV)/.synced
	$(BIN)/ruff check econsec extractors dags tests bench
	$(BIN)/ruff format --check econsec dags tests bench

typecheck: $(VENV)/.synced
	$(BIN)/mypy

pytest: $(VENV)/.synced
	$(BIN)/pytest -q

bench: $(VENV)/.synced
	$(BIN)/python -m bench

up:
	docker compose up -d

down:
	docker compose down

clean:
	rm -rf $(VENV) $(TOOLS) .airflow .pytest_cache .mypy_cache .ruff_cache
