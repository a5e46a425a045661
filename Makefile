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

.PHONY: setup sample-class test lint format release clean-sample

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	@if ! $(BASE_PYTHON) -c 'import ensurepip, venv' 2>/dev/null; then \
		apt-get update && apt-get install -y python3-venv; fi
	$(BASE_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check pip==26.3
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

sample-class: setup
	$(PY) -m helpers.grading.sample_class

test: setup
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check helpers tests nbgrader_config.py
	$(VENV)/bin/ruff format --check helpers tests nbgrader_config.py

format: setup
	$(VENV)/bin/ruff format helpers tests nbgrader_config.py
	$(VENV)/bin/ruff check --fix helpers tests nbgrader_config.py

release: setup
	cd $(CURDIR) && $(VENV)/bin/nbgrader generate_assignment multiannotator --force

clean-sample:
	rm -rf submitted/sample_* autograded/sample_* feedback/sample_*
