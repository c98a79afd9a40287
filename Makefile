# Developer commands. On a fresh machine `make run` sets everything up and starts the site with
# its worker and scheduler; `make test` runs the test suite. Only Python 3.11 and make are needed.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
SCHEDULER := django_celery_beat.schedulers:DatabaseScheduler

# `make run DEMO_PASSWORD=...` seeds the demo users with another password. It reaches seed_demo
# through the environment, unexpanded, so any character (even $) is safe.
DEMO_PASSWORD ?= demo12345
override DEMO_PASSWORD := $(value DEMO_PASSWORD)
export DEMO_PASSWORD
# `make test ARGS="-k filing -x"` passes options to pytest.
ARGS ?=
# `make test` runs the tests in this many processes (pytest-xdist; tests/workers.py keeps them
# apart): auto is one a core. TEST_WORKERS=0 runs them in this process (for pdb, say).
TEST_WORKERS ?= auto
# `make run ADDR=127.0.0.1:8080` (or ADDR=0.0.0.0:8080) starts the web server on another address
# or port; bin/run-dev reads it, and serves on 127.0.0.1:8000 when it is empty.
export ADDR

.DEFAULT_GOAL := help
.PHONY: help venv run test lint messages worker ci

help:
	@echo "make run       set up (venv, migrate, demo data) and start the web server and worker on http://127.0.0.1:8000"
	@echo "               (ADDR=127.0.0.1:8080 for another port; Ctrl-C stops both)"
	@echo "make test      run the tests on every core (ARGS=... goes to pytest, TEST_WORKERS=n sets the processes)"
	@echo "make lint      ruff"
	@echo "make messages  update and compile the zh_Hans translation catalogue"
	@echo "make worker    the Celery worker with its embedded beat scheduler, alone"
	@echo "make ci        everything CI checks (bash .ci/run)"

venv: $(STAMP)
	@:

# Re-installs whenever requirements.txt is newer than the stamp; a failed install leaves no stamp.
$(STAMP): requirements.txt
	@if ! $(BIN)/python -c "" 2>/dev/null; then \
		command -v $(PYTHON) >/dev/null 2>&1 || { \
			echo "$(PYTHON) not found: install Python 3.11, or run make PYTHON=/path/to/python3.11" >&2; exit 1; }; \
		echo "Creating $(VENV) with $(PYTHON)"; \
		rm -rf $(VENV); \
		$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
			echo "Could not create $(VENV) (on Debian/Ubuntu: apt-get install python3.11-venv)" >&2; exit 1; }; \
	fi
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

run: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --password "$$DEMO_PASSWORD"
	bin/run-dev

# Browser tests need Chromium; on a machine without it they are left out with a notice, except on
# CI (CI=true), where a missing browser must fail loudly. pytest's exit code 5 means it collected
# no tests: that is named, and it fails.
test: venv
	@if [ -z "$$CI" ] && [ -z "$$CHROMIUM_PATH" ] && ! command -v chromium >/dev/null 2>&1; then \
		echo "Chromium not found: skipping the browser tests (install chromium to run them)."; \
		set -- -m "not e2e"; \
	fi; \
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup "$$@" $(ARGS) || { status=$$?; \
		if [ $$status = 5 ]; then echo "pytest collected no tests (exit code 5)." >&2; fi; exit $$status; }

lint: venv
	$(BIN)/ruff check .

messages: venv
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore .venv --ignore var

worker: venv
	$(BIN)/celery -A config worker -B -l info --scheduler $(SCHEDULER)

ci:
	bash .ci/run
