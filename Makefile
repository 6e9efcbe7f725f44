# Two commands matter: `make run` (set up and serve) and `make test` (set up and test).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app rsflask
HOST ?= 127.0.0.1
PORT ?= 5000

# The Nu HTML Checker that tests/test_valid_html.py runs (on Java), from the npm registry.
VNU_VERSION := 26.9.27
VNU_JAR := .tools/node_modules/vnu-jar/build/dist/vnu.jar

.PHONY: run test test-fast test-postgres setup checker database lint format clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "rsflask needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

setup: $(VENV)/.installed

$(VNU_JAR):
	@if command -v npm >/dev/null; then \
		npm install --silent --no-save --no-audit --no-fund --prefix .tools vnu-jar@$(VNU_VERSION); \
	else echo "npm not found: the HTML validity test will skip (CI=true: fail)"; fi

checker: $(VNU_JAR)

database: setup
	@$(FLASK) db upgrade
	@$(FLASK) seed-demo --if-empty
	@$(FLASK) create-demo-editor

run: database
	$(FLASK) run --host $(HOST) --port $(PORT)

# Tests run in as many processes as the machine has cores (pytest-xdist; an idle process takes
# tests queued for a busy one, so no long test holds up the end); TEST_WORKERS=0 runs them in
# this one, e.g. to use a debugger.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

test: setup checker
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PYTEST)

# The edit-test loop: every test but those that start servers (marked slow in tests/conftest.py).
test-fast: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PYTEST) -m "not slow"

# The same suite on PostgreSQL: each test process empties a database of its own beside this
# one (test_gw0, ...; made when missing), or this one with TEST_WORKERS=0.
TEST_POSTGRES_URI ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
test-postgres: setup checker
	RSFLASK_TEST_DATABASE_URI=$(TEST_POSTGRES_URI) $(PYTEST)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .tools .pytest_cache .ruff_cache *.egg-info
