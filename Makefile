# GNU make. Targets:
#   make book    set up .venv, execute every notebook, build the site in _build/html
#   make test    unit tests, nbval on every notebook, browser check of the built site
#   make lab     JupyterLab on book/ with the course environment
#   make clean   remove build outputs (make distclean also removes .venv)
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := book

# The pins in constraints.txt were chosen on Python 3.11 (3.11-3.13 resolve);
# override with e.g. `make PYTHON=python3.12 book`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SITE := _build/html/index.html

# Everything the site is built from. A change in lessonlib re-executes every
# notebook, so the build always starts from a fresh environment (--all).
BOOK_SOURCES := $(shell find book -type f ! -path '*/.ipynb_checkpoints/*' ! -path '*/__pycache__/*' 2>/dev/null)
LIB_SOURCES := $(shell find lessonlib -name '*.py' ! -path '*/__pycache__/*' 2>/dev/null)

# -n 2 --dist loadscope: one notebook (or test module) per worker at a time.
PYTEST_ARGS ?= -n 2 --dist loadscope
NBVAL_ARGS := --nbval --nbval-current-env --nbval-cell-timeout=120

.PHONY: book test lab clean distclean constraints

book: $(SITE)
	@echo
	@echo "The site is built. Open it in a browser:"
	@echo "    $(abspath $(SITE))"

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@if [ ! -x $(PY) ]; then \
	  $(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 11) <= v <= (3, 13) else "need Python 3.11-3.13 for the pinned packages, found %d.%d: run make PYTHON=python3.12" % v)'; \
	  echo "==> creating $(VENV) with $$($(PYTHON) --version)"; \
	  $(PYTHON) -m venv $(VENV); \
	fi
	@echo "==> installing requirements.txt (pinned by constraints.txt) and lessonlib into $(VENV)"
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet -c constraints.txt -e .
	@touch $@

# Executes every notebook (execute_notebooks: force) and fails on any warning,
# including a notebook cell that raises. A failed build leaves no index.html,
# so the next make builds again instead of testing a broken site.
$(SITE): $(STAMP) _config.yml _toc.yml $(BOOK_SOURCES) $(LIB_SOURCES)
	@echo "==> building the site (every notebook is executed)"
	@start=$$(date +%s); \
	if $(VENV)/bin/jupyter-book build . --builder html -W -n --keep-going --all; then \
	  touch $@; echo "==> site built in $$(( $$(date +%s) - start )) s"; \
	else \
	  rm -f $@; echo "==> site build FAILED (see the warnings above; notebook tracebacks are in _build/html/reports/)"; exit 1; \
	fi

test: $(STAMP) $(SITE)
	@echo "==> pytest: unit tests, nbval on every notebook in book/, browser check of _build/html"
	$(PY) -m pytest $(PYTEST_ARGS) $(NBVAL_ARGS) tests book

# JupyterLab refuses to run as root unless told (containers, CI machines).
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=book $(LAB_ARGS)

clean:
	rm -rf _build .pytest_cache .jupyter_cache

distclean: clean
	rm -rf $(VENV) *.egg-info

# Regenerate constraints.txt from the current .venv: everything but lessonlib and
# torch with what only torch brings (torch is for maintainers' reference checks).
constraints: $(STAMP)
	@{ echo "# Every package of the environment the book is built and tested with (pip freeze"; \
	   echo "# on Python 3.11, without torch and what only torch brings, without lessonlib)."; \
	   echo "# Used by requirements.txt through -c; regenerate with: make constraints"; \
	   $(PY) -m pip freeze --exclude-editable --exclude lessonlib \
	     | grep -v -i -E '^(torch|filelock|fsspec|networkx|sympy|mpmath|nvidia-.*|triton)=='; \
	 } > constraints.txt.new && mv constraints.txt.new constraints.txt
	@echo "==> wrote constraints.txt"
