# LAPOR Hub: `make run` brings the hub up, `make test` runs every test tier.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: system-packages install run test test-unit lint bench bench-national chaos schemas-check clean help

help:
	@echo "make run    - install, start a local Kafka broker, create topics, run the hub on 127.0.0.1:6066"
	@echo "make test   - install and run the whole test suite (starts its own broker and PostgreSQL)"
	@echo "make lint   - ruff and mypy (configured in pyproject.toml); make test runs it first"
	@echo "make bench  - benchmark the hub against a raw Kafka passthrough"
	@echo "make bench-national - one worker holding 560,146 complaints: memory, restarts, SLA timer, store size"
	@echo "make chaos  - fault injection: kill workers and brokers under load, count lost and duplicated complaints"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install system-packages
	$(BIN)/lapor-hub run

test: install system-packages
	$(BIN)/lapor-hub schemas check
	$(MAKE) lint
	$(BIN)/python -m pytest

# mypy sees the package as installed (lapor_hub.streams, ...) through a tree of links: scripts/typecheck.
lint: install
	$(BIN)/ruff check lapor_hub streams schemas connectors tests
	$(BIN)/python scripts/typecheck

test-unit: install
	$(BIN)/python -m pytest -m "not kafka and not postgres and not mariadb and not oidc"

bench: install
	$(BIN)/lapor-hub bench

bench-national: install
	$(BIN)/lapor-hub bench national

chaos: install
	$(BIN)/lapor-hub chaos

clean:
	-$(BIN)/lapor-hub broker stop
	rm -rf $(VENV) var .cache

system-packages:
	./scripts/install-system-packages
