# Two commands do everything: `make run` (the main job) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test torch bench docs

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[all,test]'
	touch $@

# The data first: scripts/setup_data.py installs Debian's dataset-fashion-mnist when it can.
run: $(VENV)/.installed
	$(PY) scripts/setup_data.py
	$(VENV)/bin/passos train

test: $(VENV)/.installed
	$(PY) -m pytest

# Optional: PyTorch for the parity tests and benchmarks (the pinned CPU build on this kind of machine).
torch: $(VENV)/.installed
	$(PY) -m pip install -q torch==2.13.0

bench: $(VENV)/.installed
	$(PY) benchmarks/overhead.py

# The documentation site in site/: the tutorials executed in quick mode, then mkdocs build --strict.
docs: $(VENV)/.installed
	$(PY) docs/build.py
