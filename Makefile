# The two commands a newcomer types: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint install clean screenshots

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/ketamine-clinic demo

lint: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	KC_DATA_DIR=$$(mktemp -d) $(BIN)/ketamine-clinic makemigrations --check --dry-run

# The long crawls and the API fuzzing (marked `once`) run on PostgreSQL, the production
# database, when it is available, and on SQLite otherwise. Tests run on every core (one
# worker per core, each test module on one worker so its fixtures are built once).
PYTEST := $(BIN)/pytest -n auto --dist loadfile
test: lint
	@if [ -n "$$KC_TEST_POSTGRES_URL" ]; then \
		$(PYTEST) -m "not once" || [ $$? -eq 5 ]; \
		echo "== again on PostgreSQL (the tests that use a database) =="; \
		DATABASE_URL="$$KC_TEST_POSTGRES_URL" $(PYTEST) -m "not pure" || [ $$? -eq 5 ]; \
	else \
		echo "KC_TEST_POSTGRES_URL not set: PostgreSQL run skipped"; \
		$(PYTEST) || [ $$? -eq 5 ]; \
	fi

# The screenshots of every main screen at phone, tablet and desktop width, into docs/img, for
# review of a change in look (the same walk runs in `make test`, into test-artifacts).
screenshots: $(STAMP)
	KC_SCREENSHOTS=docs/img $(BIN)/pytest -p no:xdist -m once tests/browser/test_screenshots.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
