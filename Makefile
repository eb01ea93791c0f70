# Two commands for a newcomer: `make run` (install + serve on SQLite) and `make test` (install + suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-tools test-sqlite test-postgres lint bench migrations screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	FEDICOM_DEV=$${FEDICOM_DEV:-1} $(BIN)/fedicom serve --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

# The whole suite on SQLite, then again on PostgreSQL when FEDICOM_TEST_POSTGRES is set
# (CI sets it; locally: FEDICOM_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test make test).
# The newcomer test (make run on a clean clone) uses no test database, so it runs in the first pass only.
# Tests run in 4 processes (pytest-xdist): most of their time is spent waiting on loopback servers.
PYTEST_WORKERS ?= 4
test: $(STAMP) test-tools lint
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS)
	@if [ -n "$$FEDICOM_TEST_POSTGRES" ]; then \
		echo "== again on PostgreSQL"; \
		FEDICOM_TEST_DATABASE="$$FEDICOM_TEST_POSTGRES" $(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) \
			--deselect tests/test_newcomer.py; \
	fi

# The Debian packages the deployment and browser tests drive (nginx, caddy, apache2, docker-compose,
# chromium, Java…): only the missing ones, quietly, as root or through sudo; and the relay the
# listening tests run (activityrelay, in .relay-venv).
test-tools:
	@scripts/install-test-tools
	@PYTHON=$(PYTHON) scripts/install-test-relay

lint: $(STAMP)
	$(BIN)/ruff check fedicom tests bench
	$(BIN)/mypy fedicom
	$(BIN)/lint-imports --no-logo

# The documentation's pictures: the browser tests take them, this keeps the ones docs/ shows.
screenshots: $(STAMP) test-tools
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) tests/web
	$(BIN)/python -m tests.web.docs_screenshots

bench: $(STAMP)
	$(BIN)/python -m bench

# For developers after changing models: writes the next migration under fedicom/migrations/.
migrations: $(STAMP)
	$(BIN)/python -m fedicom.devtools makemigrations

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
