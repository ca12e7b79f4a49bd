# GNU make. Targets:
#   make book    set up .venv, execute every notebook, build the site in _build/html
#   make test    unit tests, nbval on every notebook, browser check of the built site
#   make lab     JupyterLab on book/ with the course environment
#   make execute re-execute notebooks in place (all, or NB=book/…/x.ipynb)
#   make test-foreign  nbval under other BLAS kernels, threads, SIMD levels (part of make test)
#   make clean   remove build outputs (make distclean also removes .venv)
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := book

# A user's matplotlib backend (e.g. MPLBACKEND=Agg) must not reach the notebook
# kernels: figures would not be displayed and nbval would miss their outputs.
unexport MPLBACKEND

# Python 3.10-3.13; choose one with e.g. `make PYTHON=python3.10 book` (switching
# the Python of an existing .venv needs `make distclean` first).
# The pins in constraints.txt were chosen on Python 3.11 and serve 3.11-3.13;
# Python 3.10 gets constraints-py310.txt (numpy, matplotlib, scikit-learn,
# ipykernel and what they bring at the newest releases that support 3.10).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SITE := _build/html/index.html

# The venv's Python picks its constraints file (3.10: constraints-py310.txt, else
# constraints.txt), read in the recipes, once the venv exists.
PY_MINOR := $(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])'
CONSTRAINTS_FOR_VENV := $(PY) -c 'import sys; print("constraints-py310.txt" if sys.version_info[:2] == (3, 10) else "constraints.txt")'

# PYTHON given while .venv exists with another Python: say so instead of going on
# with the old one.
ifneq ($(filter command line environment,$(origin PYTHON)),)
ifeq ($(filter clean distclean,$(MAKECMDGOALS)),)
ifneq ($(wildcard $(PY)),)
ifneq ($(shell $(PY_MINOR) 2>&1),$(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>&1))
$(error $(VENV) was made with Python $(shell $(PY_MINOR)), not with $(PYTHON): run make distclean first)
endif
endif
endif
endif

# Everything the site is built from. A change in lessonlib re-executes every
# notebook, so the build always starts from a fresh environment (--all).
BOOK_SOURCES := $(shell find book -type f ! -path '*/.ipynb_checkpoints/*' ! -path '*/__pycache__/*' 2>/dev/null)
LIB_SOURCES := $(shell find lessonlib -name '*.py' ! -path '*/__pycache__/*' 2>/dev/null)

# -n 2 --dist loadscope: one notebook (or test module) per worker at a time.
PYTEST_ARGS ?= -n 2 --dist loadscope
NBVAL_ARGS := --nbval --nbval-current-env --nbval-cell-timeout=600

NOTEBOOKS := $(shell find book -name '*.ipynb' ! -path '*/.ipynb_checkpoints/*' 2>/dev/null | sort)

.PHONY: book test test-foreign execute lab clean distclean constraints

book: $(SITE)
	@echo
	@echo "The site is built. Open it in a browser:"
	@echo "    $(abspath $(SITE))"

$(STAMP): requirements.txt constraints.txt constraints-py310.txt pyproject.toml
	@if [ ! -x $(PY) ]; then \
	  $(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 10) <= v <= (3, 13) else "need Python 3.10-3.13 for the pinned packages, found %d.%d: run e.g. make PYTHON=python3.12" % v)'; \
	  echo "==> creating $(VENV) with $$($(PYTHON) --version)"; \
	  $(PYTHON) -m venv $(VENV); \
	fi
	@c=$$($(CONSTRAINTS_FOR_VENV)); \
	  echo "==> installing requirements.txt (pinned by $$c) and lessonlib into $(VENV)"; \
	  echo "$(PY) -m pip install --quiet -r requirements.txt -c $$c"; \
	  $(PY) -m pip install --quiet -r requirements.txt -c $$c; \
	  echo "$(PY) -m pip install --quiet -c $$c -e ."; \
	  $(PY) -m pip install --quiet -c $$c -e .
	@touch $@

# Executes every notebook (in parallel, tools/execute_for_build.py, into the cache
# the build reads: execute_notebooks: cache) and fails on any warning,
# including a notebook cell that raises. A failed build leaves no index.html,
# so the next make builds again instead of testing a broken site.
# LESSONLIB_PROGRESS: a fresh, empty progress file, so the build and nbval never
# read the exercise progress of the person running them.
$(SITE): $(STAMP) _config.yml _toc.yml $(BOOK_SOURCES) $(LIB_SOURCES)
	@echo "==> building the site (every notebook is executed)"
	@start=$$(date +%s); \
	export LESSONLIB_PROGRESS="$$(mktemp -d)/progress.json"; \
	$(PY) tools/execute_for_build.py --cache _build/.jupyter_cache $(NOTEBOOKS); \
	if $(VENV)/bin/jupyter-book build . --builder html -W -n --keep-going --all; then \
	  touch $@; echo "==> site built in $$(( $$(date +%s) - start )) s"; \
	else \
	  rm -f $@; echo "==> site build FAILED (see the warnings above; notebook tracebacks are in _build/html/reports/)"; exit 1; \
	fi

test: $(STAMP) $(SITE)
	@echo "==> pytest: unit tests, nbval on every notebook in book/, browser check of _build/html"
	LESSONLIB_PROGRESS="$$(mktemp -d)/progress.json" $(PY) -m pytest $(PYTEST_ARGS) $(NBVAL_ARGS) tests book
	@$(MAKE) --no-print-directory test-foreign

# The stored outputs must reproduce on other machines: nbval again under another
# OpenBLAS kernel with one thread, and under numpy's baseline SIMD (in parallel).
test-foreign: $(STAMP)
	@echo "==> nbval as on other machines (tools/foreign_machines.py)"
	LESSONLIB_PROGRESS="$$(mktemp -d)/progress.json" $(PY) tools/foreign_machines.py book

# Re-execute notebooks in place, as they are committed (fresh kernel, no timing metadata).
execute: $(STAMP)
	$(PY) tools/execute_notebooks.py $(or $(NB),$(NOTEBOOKS))

# JupyterLab refuses to run as root unless told (containers, CI machines).
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=book $(LAB_ARGS)

clean:
	rm -rf _build .pytest_cache .jupyter_cache

distclean: clean
	rm -rf $(VENV) *.egg-info

# Regenerate the constraints file of the .venv's Python (constraints.txt on 3.11,
# constraints-py310.txt on 3.10; constraints.txt is not frozen on 3.12/3.13, which
# share it with 3.11): everything but lessonlib and torch with what only torch
# brings (torch is for maintainers' reference checks).
constraints: $(STAMP)
	@v=$$($(PY_MINOR)); c=$$($(CONSTRAINTS_FOR_VENV)); \
	case "$$v" in 3.10|3.11) ;; \
	  *) echo "constraints.txt is frozen on Python 3.11 (constraints-py310.txt on 3.10); $(VENV) has $$v"; exit 1;; \
	esac; \
	{ echo "# Every package of the environment the book is built and tested with (pip freeze"; \
	  echo "# on Python $$v, without torch and what only torch brings, without lessonlib)."; \
	  echo "# make installs requirements.txt with -c this file; regenerate with: make constraints"; \
	  $(PY) -m pip freeze --exclude-editable --exclude lessonlib \
	    | grep -v -i -E '^(torch|filelock|fsspec|networkx|sympy|mpmath|nvidia-.*|triton)=='; \
	} > $$c.new && mv $$c.new $$c && echo "==> wrote $$c"
