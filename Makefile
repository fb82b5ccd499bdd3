# Multilevel Modeling with PyMC: build the book, run the tests.
#   make book     set up .venv (Python 3.12 or 3.13, pinned packages) and build the website
#   make test     set up .venv and run the whole suite (unit, book, student handout, site)
#   make student  build the book, then the student edition (no solutions) into build/student/
#   make bench    time every chapter in a fresh kernel (wall time, peak memory, ESS/s)
#   make seeds    rerun chapters under several seeds (SEEDS="1 2 3", NB=chapters/x.ipynb)
#   make lab      open the chapters in JupyterLab
#   make clean    remove build outputs (keeps .venv); make distclean also removes .venv
# Every target sets up what it needs first, so each works on a fresh clone.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BUILD := _build
HTML := $(BUILD)/html
JB_FLAGS := -W -n --keep-going

.PHONY: help setup book test test-unit test-notebooks test-handout test-handout-all test-site test-colab student bench seeds lab clean distclean

STUDENT := build/student

help:
	@sed -n '2,9p' Makefile | sed 's/^# *//'

# The virtualenv is rebuilt when a requirements file or pyproject.toml changes.
# Python 3.12 or 3.13, whichever is found first (3.12 preferred); PYTHON=... overrides.
PY_OK := import sys; sys.exit(sys.version_info[:2] not in ((3, 12), (3, 13)))
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@if [ -n "$${PYTHON:-}" ]; then candidates="$$PYTHON"; else \
	  pyenv="$${PYENV_ROOT:-$$HOME/.pyenv}/versions"; \
	  candidates="python3.12 $$(ls -d "$$pyenv"/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12 2>/dev/null || true)"; \
	  candidates="$$candidates python3.13 $$(ls -d "$$pyenv"/3.13*/bin/python3.13 /usr/local/bin/python3.13 /usr/bin/python3.13 2>/dev/null || true)"; fi; \
	py=""; for c in $$candidates; do \
	  if "$$c" -c '$(PY_OK)' >/dev/null 2>&1; then py="$$c"; break; fi; \
	done; \
	if [ -z "$$py" ]; then \
	  echo "error: Python 3.12 or 3.13 was not found (tried: $$candidates)." >&2; \
	  echo "       The course needs Python 3.12 or 3.13 (PyMC 6). Install one (e.g. 'pyenv install 3.12')" >&2; \
	  echo "       or point PYTHON at it: make $(or $(MAKECMDGOALS),setup) PYTHON=/path/to/python3.12" >&2; \
	  exit 1; \
	fi; \
	if [ -x $(PY) ] && ! $(PY) -c '$(PY_OK)' >/dev/null 2>&1; then \
	  echo "$(VENV) is not Python 3.12 or 3.13: recreating it"; rm -rf $(VENV); \
	fi; \
	[ -x $(PY) ] || { echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

setup: $(STAMP)
	@command -v dot >/dev/null || echo "warning: Graphviz 'dot' not found: install the graphviz system package (model graphs need it)" >&2

book: setup
	@echo "Building the book (executing changed notebooks)..."
	@if ! $(VENV)/bin/jupyter-book build . $(JB_FLAGS) --builder html; then \
	  echo ""; echo "The book build failed (a cell error or a Sphinx warning, see above)."; \
	  if ls $(HTML)/reports/*/*.log >/dev/null 2>&1; then \
	    echo "Execution reports:"; ls -1 $(HTML)/reports/*/*.log; fi; \
	  exit 1; \
	fi
	@echo ""; echo "Book built: $(CURDIR)/$(HTML)/index.html"

# CI executes each full chapter once, in the book build (solutions and hidden checks
# included; any cell error fails it). The student handout keeps the chapter's cells minus
# its solutions, in the same order, so the book build has already run every kept cell, and
# a unit test (test_student_notebook_needs_nothing_from_solutions) checks that no kept cell
# reads a name only a solution defines. What that cannot show is that the handout folder
# runs on its own: nbval runs HANDOUT_CHAPTER's handout notebook against the handout's own
# utils/ and data/, and tests/handout loads every dataset and imports every helper from it.
# The Colab emulation runs COLAB_CHAPTER (the full chapter, through its Colab cell, on
# Python 3.13). The student website and the site tests reuse the book's execution cache.
COLAB_CHAPTER := 01_pooling
HANDOUT_CHAPTER := 02_spacex_binomial
test: test-unit test-handout test-site test-colab

test-unit: setup
	$(PY) -m pytest tests/unit

# Developer check: every full chapter in a fresh kernel, without building the book.
test-notebooks: setup
	$(PY) -m pytest --nbval-lax chapters

# nbval inside the handout folder, against its own utils/ and data/.
HANDOUT_NBVAL := cd $(STUDENT)/notebooks && PYTHONPATH=$(CURDIR)/$(STUDENT)/notebooks \
  $(CURDIR)/$(PY) -m pytest -p no:cacheprovider --nbval-lax

# Developer check: every handout notebook in a fresh kernel (CI runs one, see above).
test-handout-all: student
	$(HANDOUT_NBVAL) chapters

test-handout: student
	HANDOUT=$(CURDIR)/$(STUDENT)/notebooks $(PY) -m pytest tests/handout
	$(HANDOUT_NBVAL) chapters/$(HANDOUT_CHAPTER).ipynb

# Colab emulation: Python 3.13 with the packages of Colab's published runtime, a chapter run
# through its Colab cell (tests/colab/test_colab.py says what is and is not emulated).
test-colab: setup
	COLAB_CHAPTER=$(COLAB_CHAPTER) $(PY) -m pytest tests/colab

MATHJAX := $(VENV)/mathjax/node_modules/mathjax/es5/tex-mml-chtml.js
$(MATHJAX):
	npm install --silent --no-audit --no-fund --prefix $(VENV)/mathjax mathjax@3.2.2

test-site: student $(MATHJAX)
	$(PY) -m pytest tests/site

student: book
	$(PY) -m tools.student --out $(STUDENT)

bench: setup
	$(PY) -m tools.bench --out build/bench.json

SEEDS ?= 1 2 3
NB ?= chapters
FITS := build/fits
# Every chapter under every seed; then the worst value of each fit gate over the seeds.
seeds: setup
	@rm -rf $(FITS); mkdir -p $(FITS); failed=0; \
	notebooks=$$(if [ -d "$(NB)" ]; then ls $(NB)/*.ipynb; else echo $(NB); fi); \
	for s in $(SEEDS); do for nb in $$notebooks; do \
	  echo "== COURSE_SEED=$$s $$nb"; \
	  COURSE_SEED=$$s COURSE_FIT_LOG=$(abspath $(FITS))/$$(basename $$nb .ipynb).jsonl \
	    $(PY) -m pytest -q --nbval-lax $$nb || failed=1; \
	done; done; \
	$(PY) -m tools.seeds $(FITS)/*.jsonl; \
	exit $$failed

lab: setup
	$(VENV)/bin/jupyter lab chapters

clean:
	rm -rf $(BUILD) build .pytest_cache .ruff_cache
	find . -name __pycache__ -not -path "./$(VENV)/*" -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
