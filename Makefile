# Rembuk: `make run` serves the app with demo data; `make test` sets up and runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask
export FLASK_APP := app.py

.PHONY: run test test-steps check check-steps bench bench-dashboard bench-district lint \
	translations extract-messages system-deps clean lock upgrade

# Unit and integration tests on SQLite, two workers (pytest-xdist); the browser and scale
# tests are elsewhere (tests/e2e, tests/scale).
PYTEST_FAST := $(PY) -m pytest -q -n 2 tests/unit tests/integration
# Runs `make $(1)` and prints how long it took, whether it passed or not.
timed = @start=$$(date +%s); status=0; $(MAKE) --no-print-directory $(1) || status=$$?; \
	echo "make $(2): $$( [ $$status -eq 0 ] && echo passed || echo FAILED) in \
	$$(( $$(date +%s) - start )) s"; exit $$status

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

# The inner loop (under 5 minutes on two cores): ruff, then the unit and integration tests.
check:
	$(call timed,check-steps,check)

check-steps: $(VENV)/.installed-dev translations
	$(VENV)/bin/ruff check .
	$(PYTEST_FAST)

# CI (.ci/run): everything. The PostgreSQL pass runs the tests marked `dialect` (they depend
# on the database: search, locking, constraints, schema, concurrency, backup, the access
# matrix) and `smoke` (everyday journeys); all the rest runs on SQLite only.
test:
	$(call timed,test-steps,test)

test-steps: $(VENV)/.installed-dev node_modules/axe-core/axe.min.js translations system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit -q -r collab app.py -ll
	$(PYTEST_FAST)
	$(PY) -m pytest -q tests/scale
	$(PY) -m pytest -q -n 2 --dist worksteal tests/e2e
	REMBUK_TEST_POSTGRES=1 $(PY) -m pytest -q -n 2 -m "(dialect or smoke) and not browser" \
		tests/unit tests/integration

bench: $(VENV)/.installed-dev translations system-deps
	$(PY) -m bench

# Not in `make bench` (bench/README.md): the dashboard's school of 120 on SQLite and
# PostgreSQL (a few minutes), and 500 schools on PostgreSQL (about half an hour on 2 cores).
bench-dashboard: $(VENV)/.installed-dev translations system-deps
	$(PY) -m bench dashboard

bench-district: $(VENV)/.installed-dev translations system-deps
	$(PY) -m bench dashboard-district

# requirements*.txt are generated from requirements*.in by pip-tools, with hashes. `make lock`
# re-resolves keeping every pin that still fits (`make lock P="flask werkzeug"` upgrades just
# those); `make upgrade` moves everything to the newest releases the .in files allow.
LOCK_VENV := .venv-lock
PIP_COMPILE := $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras \
	--no-emit-index-url --no-emit-find-links

$(LOCK_VENV)/.installed:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install -q pip-tools==7.6.2 pip==26.3
	touch $@

lock: $(LOCK_VENV)/.installed
	$(PIP_COMPILE) $(foreach p,$(P),--upgrade-package $(p)) requirements.in -o requirements.txt
	$(PIP_COMPILE) $(foreach p,$(P),--upgrade-package $(p)) requirements-dev.in \
		-o requirements-dev.txt

upgrade: $(LOCK_VENV)/.installed
	$(PIP_COMPILE) --upgrade requirements.in -o requirements.txt
	$(PIP_COMPILE) --upgrade requirements-dev.in -o requirements-dev.txt

clean:
	rm -rf $(VENV) $(LOCK_VENV) node_modules
