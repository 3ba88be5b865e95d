# 社区集市: every set-up step lives here, so a fresh clone needs only Python 3.11+.
#   make run    develop: venv, install, translations, migrate, demo data, serve on 127.0.0.1:8000
#   make test   install test tools, run the linters and the whole suite (honours DATABASE_URL / REDIS_URL)
#   make serve  production-style: migrate, collect static files, uvicorn with $(WORKERS) processes
#               (HTTP through Django's WSGI handler on threads, websockets through channels; one address)
#   make worker only the job workers (Huey: reminders, email, no-shows, expiring redemptions)

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
PYTEST_ARGS ?=

.PHONY: run serve worker test lint fuzz install messages migrate demo check clean bench bench-dashboard cluster-test

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)

# --no-compile: pip would byte-compile every module of every package (half the install's time on a
# fresh clone); Python compiles the modules it imports on first use anyway.
$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PIP) install --quiet --disable-pip-version-check --no-compile -r requirements.txt
	touch $@

# The demo data's and the benchmarks' tools (time-machine, gunicorn); never needed to serve.
$(VENV)/.demo-installed: requirements-demo.txt $(VENV)/.installed
	$(PIP) install --quiet --disable-pip-version-check --no-compile -r requirements-demo.txt
	touch $@

$(VENV)/.test-installed: requirements-test.txt requirements-demo.txt $(VENV)/.installed
	$(PIP) install --quiet --disable-pip-version-check --no-compile -r requirements-test.txt
	touch $@

install: $(VENV)/.installed

# Compiled with Babel (pure Python), so no system gettext is needed.
messages: $(VENV)/.installed
	$(VENV)/bin/pybabel -q compile -d locale -D django

migrate: messages
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput

demo: migrate $(VENV)/.demo-installed
	DEBUG=$${DEBUG:-1} $(PY) manage.py load_demo

# `make run` and `make serve` start one job worker in the background; it stops with them.
run: demo
	@echo "社区集市 is at http://$(HOST):$(PORT)/  (Ctrl-C stops it and its job worker)"
	DEBUG=$${DEBUG:-1} $(PY) manage.py run_jobs & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG:-1} $(VENV)/bin/uvicorn config.asgi:application --host $(HOST) --port $(PORT) \
		--reload --reload-dir core --reload-dir accounts --reload-dir points --reload-dir marketplace --reload-dir orders --reload-dir records \
		--reload-dir funds --reload-dir relief --reload-dir affairs --reload-dir budgets --reload-dir deliberation --reload-dir resources --reload-dir reach --reload-dir dashboards --reload-dir config --reload-dir demo --reload-dir templates

serve: messages
	@test -n "$$SECRET_KEY" -o "$$DEBUG" = "1" || { echo "Set SECRET_KEY (and ALLOWED_HOSTS) for make serve; see docs/serving.md"; exit 2; }
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py serve_plan --workers $(WORKERS)
	$(PY) manage.py run_jobs & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/uvicorn config.asgi:application --host $(HOST) --port $(PORT) --workers $(WORKERS) --lifespan off \
		--timeout-graceful-shutdown $${GRACEFUL_SECONDS:-30} --http config.httpserver:HeadLimitedHttpToolsProtocol \
		$${ACCESS_LOG:+--access-log} $${ACCESS_LOG:---no-access-log} --proxy-headers --forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}"

# Only the job workers, for a site that runs them on machines of their own (REDIS_URL shared).
# HUEY_WORKERS threads each; run the periodic jobs on one machine only: WORKER_ARGS=--no-periodic elsewhere.
worker: messages
	$(PY) manage.py run_huey $(WORKER_ARGS)

test: lint messages
	$(PY) -m pytest $(PYTEST_ARGS)

# The linters: ruff, the layers contract of .importlinter (a backward import between apps fails), and
# tests/test_ladder.py's checks without a database: no module over 400 lines unless listed with a reason,
# model references and migration dependencies down the same ladder.
lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .
	DJANGO_SETTINGS_MODULE=config.settings_test $(VENV)/bin/lint-imports
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider tests/test_ladder.py tests/test_error_codes.py -k "over_400 or down_the_ladder or error_codes"

# The API fuzzer of the suite (tests/test_api_fuzz.py), with many more examples per operation.
fuzz: $(VENV)/.test-installed messages
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-500} $(PY) -m pytest tests/test_api_fuzz.py $(PYTEST_ARGS)

check: $(VENV)/.installed
	DEBUG=$${DEBUG:-1} $(PY) manage.py check

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
	find locale -name '*.mo' -delete

# The district-scale load run (issue #9): builds the data, serves it with `make serve`, measures with
# wrk and prints one line per figure. Needs PostgreSQL and Redis on 127.0.0.1 (see bench/README.md).
bench: $(VENV)/.demo-installed messages
	$(PY) bench/run.py $(BENCH_ARGS)

# Dashboards on a 100,000-task district (SQLite by default; set DATABASE_URL for PostgreSQL).
bench-dashboard: $(VENV)/.installed messages
	$(PY) bench/dashboard_latency.py --tasks $${TASKS:-100000}

# Two app hosts (network namespaces, `make serve` each) behind HAProxy, sharing a PostgreSQL, Redis
# and an S3 server (moto) of their own: a claim storm and 200 websockets while a host is killed, an
# upload crossing hosts, PostgreSQL restarted under load (tests/cluster/run.py, docs/deploy.md).
# Root only (ip netns); needs Debian's haproxy, redis-server and PostgreSQL binaries.
cluster-test: $(VENV)/.test-installed messages
	$(PY) tests/cluster/run.py
