# The two commands of the README:
#   make start   set up, train the default models if there are none, and start the UI
#   make test    set up (Python packages, and Chromium for the browser test) and run the tests
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PORT ?= 8501
ADDRESS ?= 127.0.0.1

.PHONY: start test lint

# Trains each default model whose data is found (progress per epoch), says what is
# missing and how to get it, then always starts the UI on $(ADDRESS):$(PORT)
# (ADDRESS=0.0.0.0 make start serves other machines).
start: $(STAMP)
	$(PY) -m app_pages.launch --address $(ADDRESS) --port $(PORT)

test: $(STAMP) $(CHROMIUM)
	$(PY) -m pytest

# Debian's Chromium and its driver drive the real-browser UI test (no browser download).
$(CHROMIUM):
	$(SUDO) apt-get install -y --no-install-recommends chromium chromium-driver \
		|| ($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium chromium-driver)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Reinstall whenever a requirements file changes.
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation --editable .
	touch $(STAMP)
