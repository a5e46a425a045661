# The two commands a fresh machine needs (see README):
#   make sample-class   set up, regenerate the release, grade the bundled sample class
#   make test           set up, then run the whole test suite and build the manual
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# Debian's interpreter: processes run as other users (the grading sandbox) can execute it.
BASE_PYTHON ?= /usr/bin/python3
# nbgrader runs `alembic` by name, so the venv's bin must be on PATH.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

# Debian packages the tests drive for real: Chromium for Playwright (never a download), PostgreSQL;
# Graphviz draws the manual's diagrams.
SYSTEM_PACKAGES := chromium chromium-driver postgresql nodejs graphviz

# What students install (README, "The student environment"): the pinned stack and helpers, no grader.
STUDENT_VENV ?= .venv-student
STUDENT_PY := $(STUDENT_VENV)/bin/python

# The grader as course staff install it for a hub (copies, no link to this checkout).
GRADER_VENV ?= .venv-grader
GRADER_PY := $(GRADER_VENV)/bin/python

.PHONY: setup student-env grader-env hub system-packages sandbox-user sample-class test docs lab lint format release clean-sample

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml helpers/pyproject.toml jupyter-config/nbgrader_labgrader.json
	@if ! $(BASE_PYTHON) -c 'import ensurepip, venv' 2>/dev/null; then \
		apt-get update && apt-get install -y python3-venv; fi
	$(BASE_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check pip==26.3
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e ./helpers -e .
	@# The course's Formgrader in place of nbgrader's (an editable install copies no data files).
	install -D -m 644 jupyter-config/nbgrader_labgrader.json $(VENV)/etc/jupyter/jupyter_server_config.d/nbgrader_labgrader.json
	touch $@

student-env: $(STUDENT_VENV)/.installed

# A copy of helpers, not a link to this checkout, as in a course's student image: so it is
# reinstalled whenever helpers changes.
$(STUDENT_VENV)/.installed: requirements-student.txt helpers/pyproject.toml $(wildcard helpers/*.py)
	@if ! $(BASE_PYTHON) -c 'import ensurepip, venv' 2>/dev/null; then \
		apt-get update && apt-get install -y python3-venv; fi
	$(BASE_PYTHON) -m venv $(STUDENT_VENV)
	$(STUDENT_PY) -m pip install --quiet --disable-pip-version-check pip==26.3
	$(STUDENT_PY) -m pip install --quiet --disable-pip-version-check -r requirements-student.txt
	$(STUDENT_PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --force-reinstall ./helpers
	touch $@

grader-env: $(GRADER_VENV)/.installed

GRADER_FILES := $(shell find labgrader -name '*.py' -o -name '*.j2' -o -name '*.json')

$(GRADER_VENV)/.installed: requirements.txt pyproject.toml helpers/pyproject.toml $(wildcard helpers/*.py) $(GRADER_FILES) jupyter-config/nbgrader_labgrader.json
	$(BASE_PYTHON) -m venv $(GRADER_VENV)
	$(GRADER_PY) -m pip install --quiet --disable-pip-version-check pip==26.3
	$(GRADER_PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(GRADER_PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --force-reinstall ./helpers .
	touch $@

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	else echo "Not root, so not installing: $$missing (the tests that need them will say they are skipped)"; fi
	@# Debian's nodejs comes without npm; NodeSource's brings its own (and refuses Debian's).
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends npm; }

# The unprivileged user that grading kernels run as (labgrader.sandbox).
sandbox-user:
	@if id nbgrader-sandbox >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then useradd --system --no-create-home --shell /usr/sbin/nologin nbgrader-sandbox; \
	else echo "Not root, so no sandbox user: grading will run student code unconfined, and say so"; fi

sample-class: setup sandbox-user
	$(PY) -m labgrader.sample

# The whole suite (pytest-xdist spreads it over the cores: tests that share an expensive fixture
# run on one worker), then the manual, offline, warnings as errors.
test: setup system-packages sandbox-user
	$(PY) -m pytest
	$(MAKE) --no-print-directory docs

# The manual: a Sphinx site from docs/ and the docstrings, built offline (no theme, font or
# script is fetched), every warning an error: a broken cross-reference fails.
docs: setup
	rm -rf docs/_build
	$(VENV)/bin/sphinx-build -W --keep-going -q -b html docs docs/_build/html

# Course staff: a JupyterHub for the course on this machine, from a roster (README, "Running the
# course on JupyterHub"). Idempotent: run it again after editing the roster.
ROSTER ?= hub/roster.example.csv
hub: setup system-packages
	$(PY) -m labgrader.hub up --roster $(ROSTER)

# Students: JupyterLab with the lab in student-work/, instructor tools off and locked, in the
# student environment (no grader).
lab: student-env
	$(STUDENT_PY) -m helpers.student_lab

lint: setup
	$(VENV)/bin/ruff check helpers labgrader tests benchmarks docs nbgrader_config.py
	$(VENV)/bin/ruff format --check helpers labgrader tests benchmarks docs nbgrader_config.py
	$(VENV)/bin/lint-imports

format: setup
	$(VENV)/bin/ruff format helpers labgrader tests benchmarks docs nbgrader_config.py
	$(VENV)/bin/ruff check --fix helpers labgrader tests benchmarks docs nbgrader_config.py

release: setup
	cd $(CURDIR) && $(VENV)/bin/nbgrader generate_assignment multiannotator --force

clean-sample:
	rm -rf submitted/sample_* autograded/sample_* feedback/sample_*
