# Entry points of the project. A newcomer needs two: `make run` and `make test`.
# Everything works on a fresh clone with nothing running (SQLite, eager Celery);
# set DATABASE_URL and REDIS_URL to use PostgreSQL and Redis instead.
# The logic lives in scripts/; CI runs .ci/run.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
MANAGE := $(VENV)/bin/python manage.py
TEST_SETTINGS := DJANGO_SETTINGS_MODULE=config.settings.test
ARGS ?=

.PHONY: help setup run test api-fuzz lint ci-checks migrations-check system-check schema-check messages \
	migrate worker beat clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) \
		| awk 'BEGIN {FS = ":.*## "} {printf "  make %-17s %s\n", $$1, $$2}'

setup: ## create .venv, install dependencies and system packages, compile translations
	@bash scripts/setup.sh

run: migrate ## set up, migrate, load areas and demo data, serve http://127.0.0.1:8000
	$(MANAGE) load_areas
	$(MANAGE) seed_demo
	$(MANAGE) runserver 127.0.0.1:8000

test: setup ## run the whole test suite; extra pytest arguments with ARGS="-k bids"
	@bash scripts/test.sh $(ARGS)

api-fuzz: setup ## the API against its OpenAPI schema (schemathesis, demo data, four roles)
	@bash scripts/api_fuzz.sh $(ARGS)

lint: setup ## ruff lint and format check (both run, either fails the target)
	@status=0; \
	$(VENV)/bin/ruff check . || status=1; \
	$(VENV)/bin/ruff format --check . || status=1; \
	exit $$status

ci-checks: lint migrations-check system-check schema-check ## the checks CI runs before the suites

migrations-check: setup ## every model change has its migration
	$(TEST_SETTINGS) $(MANAGE) makemigrations --check --dry-run

system-check: setup ## Django's system checks under the test settings
	$(TEST_SETTINGS) $(MANAGE) check

schema-check: setup ## the OpenAPI schema generates without warnings and is valid
	$(TEST_SETTINGS) $(MANAGE) spectacular --validate --fail-on-warn --file /dev/null

messages: setup ## extract new strings into locale/zh_Hans and compile the catalogue
	$(MANAGE) makemessages -l zh_Hans --ignore=.venv --ignore=tests --ignore=node_modules --no-obsolete
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules

migrate: setup ## apply database migrations
	$(MANAGE) migrate --noinput

worker: setup ## Celery worker (set REDIS_URL: without it tasks run in the web process)
	@[[ -n "$${REDIS_URL:-}" ]] || echo "note: REDIS_URL is not set, so the broker is in-memory and this worker receives nothing."
	$(VENV)/bin/celery -A config worker -l info

beat: setup ## Celery beat, the one scheduler of timed transitions (set REDIS_URL)
	@[[ -n "$${REDIS_URL:-}" ]] || echo "note: REDIS_URL is not set, so the broker is in-memory and beat's tasks reach no worker."
	$(VENV)/bin/celery -A config beat -l info

clean: ## remove caches, build and test leftovers (keeps .venv and db.sqlite3)
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache .test-media .test-private-media test-results staticfiles \
		*.egg-info build celerybeat-schedule*
