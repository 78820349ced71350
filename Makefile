# Two commands for a newcomer: `make dev` runs the whole system on embedded
# defaults, `make test` runs every check CI runs. Both install what they need
# into ./.venv first.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Installs come from the lock files, so a deploy runs exactly what was tested:
# requirements/lock.txt (everything, with the test and docs extras) for .venv and CI,
# requirements/runtime.txt (no extras, same versions) for the Docker image.
LOCK := requirements/lock.txt
RUNTIME_LOCK := requirements/runtime.txt
PIP := $(BIN)/python -m pip --disable-pip-version-check
# universal (every OS) and pinned by hash; `make lock LOCK_ARGS=--upgrade` moves every
# pin to the newest release, plain `make lock` keeps the pins that still fit
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock" $(LOCK_ARGS)

.PHONY: install lock dev test lint typecheck docs pytest bench clean web web-test web-client

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet -r $(LOCK)
	$(PIP) install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# Refresh both lock files after changing dependencies in pyproject.toml, then commit
# them; tests/test_lock.py fails while they disagree with pyproject.toml.
lock: $(STAMP)
	$(UV_COMPILE) pyproject.toml --extra test --extra docs -o $(LOCK)
	$(UV_COMPILE) pyproject.toml --constraint $(LOCK) -o $(RUNTIME_LOCK)

dev: $(STAMP) web
	$(BIN)/reservations dev

# The web front ends (web/): Node 20.19+ and npm. `npm ci` installs exactly
# web/package-lock.json; the build type-checks every API call against web/openapi.json
# (refresh it with `make web-client` after an API change) and writes web/dist, which the
# API serves at /book/ and /console/. Rebuilt only when a source changed.
WEB_STAMP := web/node_modules/.installed
WEB_BUILT := web/dist/.built
WEB_SOURCES := $(shell find web/src web/book web/console web/public -type f 2>/dev/null) \
	web/openapi.json web/vite.config.ts web/tsconfig.json

$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(WEB_BUILT): $(WEB_STAMP) $(WEB_SOURCES)
	cd web && npm run build
	touch $@

web: $(WEB_BUILT)

web-test: $(WEB_STAMP)
	cd web && npm test

web-client: $(STAMP)
	$(BIN)/python -m api.openapi_export web/openapi.json

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy .

docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir var/site

# two workers (pytest-xdist), each with its own template database and Temporal dev
# server; --dist loadgroup keeps the 40-connection race tests on one worker
pytest: $(STAMP) web
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

test: lint typecheck docs web-test pytest

bench: $(STAMP) web
	$(BIN)/python -m benchmarks.engine
	$(BIN)/python -m benchmarks.http_availability
	$(BIN)/python -m benchmarks.search
	$(BIN)/python -m benchmarks.rush
	$(BIN)/python -m benchmarks.availability_push
	$(BIN)/python -m benchmarks.contention
	$(BIN)/python -m benchmarks.booking_latency
	$(BIN)/python -m benchmarks.workflow_dispatch
	$(BIN)/python -m benchmarks.messages
	$(BIN)/python -m benchmarks.payment_webhooks
	$(BIN)/python -m benchmarks.waitlist
	$(BIN)/python -m benchmarks.google_lookup
	$(BIN)/python -m benchmarks.partner_webhooks
	$(BIN)/python -m benchmarks.webhooks
	$(BIN)/python -m benchmarks.guest_search
	$(BIN)/python -m benchmarks.table_assignment
	$(BIN)/python -m benchmarks.load
	$(BIN)/python -m benchmarks.memory
	$(BIN)/python -m benchmarks.web_first_paint

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache .hypothesis web/node_modules web/dist
