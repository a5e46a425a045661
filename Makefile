# The two commands a fresh machine needs (see README):
#   make sample-class   set up, regenerate the release, grade the bundled sample class
#   make test           set up, then run the whole test suite
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# Debian's interpreter: processes run as other users (the grading sandbox) can execute it.
BASE_PYTHON ?= /usr/bin/python3
# nbgrader runs `alembic` by name, so the venv's bin must be on PATH.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

# Debian packages the tests drive for real: Chromium for Playwright (never a download), PostgreSQL.
SYSTEM_PACKAGES := chromium chromium-driver postgresql

.PHONY: setup system-packages sandbox-user sample-class test lab lint format release clean-sample

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	@if ! $(BASE_PYTHON) -c 'import ensurepip, venv' 2>/dev/null; then \
		apt-get update && apt-get install -y python3-venv; fi
	$(BASE_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check pip==26.3
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	else echo "Not root, so not installing: $$missing (the tests that need them will say they are skipped)"; fi

# The unprivileged user that grading kernels run as (helpers.grading.sandbox).
sandbox-user:
	@if id nbgrader-sandbox >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then useradd --system --no-create-home --shell /usr/sbin/nologin nbgrader-sandbox; \
	else echo "Not root, so no sandbox user: grading will run student code unconfined, and say so"; fi

sample-class: setup sandbox-user
	$(PY) -m helpers.grading.sample_class

test: setup system-packages sandbox-user
	$(PY) -m pytest

# Students: JupyterLab with the lab in student-work/, instructor tools off and locked.
lab: setup
	$(PY) -m helpers.student_lab

lint: setup
	$(VENV)/bin/ruff check helpers tests benchmarks nbgrader_config.py
	$(VENV)/bin/ruff format --check helpers tests benchmarks nbgrader_config.py

format: setup
	$(VENV)/bin/ruff format helpers tests benchmarks nbgrader_config.py
	$(VENV)/bin/ruff check --fix helpers tests benchmarks nbgrader_config.py

release: setup
	cd $(CURDIR) && $(VENV)/bin/nbgrader generate_assignment multiannotator --force

clean-sample:
	rm -rf submitted/sample_* autograded/sample_* feedback/sample_*
