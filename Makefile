# The two commands of the README: `make demo` and `make test`.
# Each installs what it needs on a fresh machine (Debian's graphviz and chromium
# through apt-get, the Python packages into .venv) and then does its job.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
APT_PACKAGES := graphviz chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test lint system-packages

demo: $(BIN)/.installed-demo system-packages
	$(BIN)/driftwatch demo --workdir demo-output

test: $(BIN)/.installed-test system-packages lint
	$(BIN)/python -m pytest -n 2 -q

lint: $(BIN)/.installed-test
	$(BIN)/ruff check driftwatch tests benchmarks
	$(BIN)/ruff format --check driftwatch tests benchmarks
	$(BIN)/mypy

system-packages:
	@missing=""; \
	command -v dot >/dev/null || missing="$$missing graphviz"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(BIN)/.installed-demo: $(VENV)/bin/python setup.cfg pyproject.toml
	$(BIN)/pip install -q -e '.[demo]'
	touch $@

$(BIN)/.installed-test: $(VENV)/bin/python setup.cfg pyproject.toml
	$(BIN)/pip install -q -e '.[test,demo]'
	touch $@
