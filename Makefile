# kinetz: `make demo` runs the Kreis Kleve demo, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: venv demo serve test e2e lint format vendor messages bench worker chromium clean

venv: $(STAMP)

# Re-install only when the lock file or the project metadata changed (idempotent).
$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

lock:
	$(VENV)/bin/pip-compile -q --extra dev --strip-extras --no-emit-find-links \
	  --no-emit-index-url --no-emit-trusted-host -o requirements.lock pyproject.toml

demo: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py load_territory kleve
	$(PY) manage.py import_hsds kinetz/interop/demo/kleve
	$(PY) manage.py search_index rebuild
	$(PY) manage.py create_demo_users
	$(PY) manage.py load_demo_network
	@echo "kinetz serves on http://127.0.0.1:$(PORT)/ (Ctrl-C stops)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

serve: venv
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

worker: venv
	KINETZ_TASKS=database $(PY) manage.py db_worker

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser).
chromium:
	@test -x $(CHROMIUM) || { \
	  echo "installing Debian chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core; }

test: venv chromium
	$(PY) -m pytest -n 2 --create-db -q

e2e: venv chromium
	$(PY) -m pytest tests/e2e --create-db -q

lint: venv
	$(VENV)/bin/ruff check kinetz tests bench
	$(VENV)/bin/ruff format --check kinetz tests bench
	$(VENV)/bin/mypy

format: venv
	$(VENV)/bin/ruff check --fix kinetz tests bench
	$(VENV)/bin/ruff format kinetz tests bench

# Front-end libraries from the npm registry, copied into kinetz/static/vendor (committed,
# so that `make demo` needs no npm and no build step).
vendor:
	npm ci --no-audit --no-fund
	./scripts/vendor.sh

messages: venv
	cd kinetz && ../$(PY) ../manage.py makemessages --all --ignore "static/*" --no-obsolete
	cd kinetz && ../$(PY) ../manage.py compilemessages

bench: venv
	mkdir -p bench/results
	@shopt -s nullglob; for script in bench/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) staticfiles .mypy_cache .ruff_cache
