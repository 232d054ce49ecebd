# Commonpot: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test test-fast install lint benchmark messages clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Commonpot needs Python 3.11 or newer.")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

run: install
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo --if-empty
	@echo
	@echo "  Commonpot runs at http://127.0.0.1:8000/"
	@echo "  Log in as coordinator, lead or volunteer; the password is commonpot-demo."
	@echo "  Ctrl-C stops the web server and the worker."
	@echo
	DEBUG=true $(PY) manage.py devserver

# Two workers: the machines we test on have two cores. Browser tests share one
# worker (one Chromium, one live server); see tests/conftest.py.
PYTEST_XDIST := -n 2 --dist loadgroup

# The suite starts many Python processes (xdist workers, manage.py subprocesses):
# keep their compiled modules, and pytest's rewritten test modules, under var/
# even where the environment asks not to write bytecode beside the source.
test test-fast: export PYTHONDONTWRITEBYTECODE :=
test test-fast: export PYTHONPYCACHEPREFIX := $(CURDIR)/var/pycache

test: install
	@bash .ci/system-packages
	$(PY) -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

# Everything but the browser and benchmark tests, for a quick check while working.
test-fast: install
	@bash .ci/system-packages
	$(PY) -m pytest $(PYTEST_XDIST) -m "not browser and not benchmark" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check --exclude "*.md" .

# Gather the strings marked for translation into each language's catalog
# (locale/<language>/LC_MESSAGES/django.po and djangojs.po), then compile them
# into the .mo files Django reads. Needs GNU gettext; see docs/translating.md.
LANGUAGE_DIRS := es pt_BR fr ar uk
MESSAGES_FLAGS := $(foreach l,$(LANGUAGE_DIRS),-l $(l)) --no-obsolete --add-location=file \
	--ignore=.venv --ignore=var --ignore=tests --ignore=docs --ignore=static/vendor \
	--ignore=staticfiles --ignore=node_modules --ignore='*/benchmark*' --ignore='*/demo*'

messages: install
	@bash .ci/system-packages
	$(PY) manage.py makemessages $(MESSAGES_FLAGS) -d django
	$(PY) manage.py makemessages $(MESSAGES_FLAGS) -d djangojs
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var

benchmark: install
	$(PY) manage.py benchmark --list

clean:
	rm -rf $(VENV) var
