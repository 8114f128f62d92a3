# Rembuk: `make run` serves the app with demo data; `make test` sets up and runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask
export FLASK_APP := app.py

.PHONY: run test bench lint translations extract-messages system-deps clean

$(VENV)/.installed-runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed-runtime
	$(PIP) install -q -r requirements-dev.txt
	touch $@

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

translations: $(VENV)/.installed-runtime
	$(VENV)/bin/pybabel -q compile -d collab/translations

extract-messages: $(VENV)/.installed-dev
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --project=Rembuk --version=0.1.0 -o collab/translations/messages.pot .
	$(VENV)/bin/pybabel -q update -N -i collab/translations/messages.pot -d collab/translations

run: $(VENV)/.installed-runtime translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(PY) app.py

system-deps:
	@scripts/system-deps.sh

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .

test: $(VENV)/.installed-dev node_modules/axe-core/axe.min.js translations system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit -q -r collab app.py -ll
	$(PY) -m pytest -q -n 2 tests/unit tests/integration tests/scale
	$(PY) -m pytest -q tests/e2e
	REMBUK_TEST_POSTGRES=1 $(PY) -m pytest -q -n 2 -m "not browser" tests/unit tests/integration

bench: $(VENV)/.installed-dev translations
	$(PY) -m bench

clean:
	rm -rf $(VENV) node_modules
