# make run: set everything up and serve the app at http://127.0.0.1:8000 on SQLite (var/db.sqlite3).
# make test: set up the same way and run the whole test suite (DATABASE_URL picks the database).
# Every step leaves a stamp, so running either twice does no needless work.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VAR := var
export DEBUG ?= 1

.PHONY: run test lint format setup migrate demo worker clean

# The background worker (agenda packs) runs beside the web server, supervised (started again
# whenever it ends), and stops with it.
run: $(VAR)/.disarmed
	$(BIN)/python manage.py run_worker --supervise --queue-name '*' --interval 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

worker: $(VENV)/.runtime
	$(BIN)/python manage.py run_worker --supervise --queue-name '*'

test: $(VENV)/.dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

setup: $(VENV)/.runtime

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

# Migrations run every time (Django skips applied ones quickly); demo data loads once per database.
migrate: $(VENV)/.runtime
	@mkdir -p $(VAR)
	$(BIN)/python manage.py migrate --no-input -v 0

$(VAR)/.demo: $(VENV)/.runtime $(wildcard */migrations/*.py) reports/demo.py
	@mkdir -p $(VAR)
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py load_demo
	touch $@

demo: $(VAR)/.demo

# Appendices stored before the current rebuild rules are rebuilt (reports/pdfdisarm.py); until then
# they are neither served nor joined into packs.
$(VAR)/.disarmed: $(VAR)/.demo reports/pdfdisarm.py
	$(BIN)/python manage.py disarm_appendices
	touch $@

clean:
	rm -rf $(VAR) $(VENV)
