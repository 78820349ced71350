# Two commands for a newcomer: `make dev` runs the whole system on embedded
# defaults, `make test` runs every check CI runs. Both install what they need
# into ./.venv first.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install dev test lint typecheck docs pytest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,docs]'
	touch $(STAMP)

install: $(STAMP)

dev: $(STAMP)
	$(BIN)/reservations dev

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy .

docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir var/site

# two workers (pytest-xdist), each with its own template database and Temporal dev
# server; --dist loadgroup keeps the 40-connection race tests on one worker
pytest: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

test: lint typecheck docs pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks.engine
	$(BIN)/python -m benchmarks.http_availability
	$(BIN)/python -m benchmarks.search
	$(BIN)/python -m benchmarks.rush
	$(BIN)/python -m benchmarks.availability_push
	$(BIN)/python -m benchmarks.contention
	$(BIN)/python -m benchmarks.booking_latency
	$(BIN)/python -m benchmarks.messages
	$(BIN)/python -m benchmarks.payment_webhooks
	$(BIN)/python -m benchmarks.waitlist
	$(BIN)/python -m benchmarks.google_lookup
	$(BIN)/python -m benchmarks.partner_webhooks
	$(BIN)/python -m benchmarks.webhooks
	$(BIN)/python -m benchmarks.guest_search

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache .hypothesis
