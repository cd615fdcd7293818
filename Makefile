# MotCua: `make run` starts the whole product, `make test` runs lint and tests.
# Both set up everything they need on a fresh machine.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PORT

.PHONY: run test setup messages lint clean

$(VENV)/.runtime: requirements.txt
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

# gettext for compilemessages, Debian's Chromium for browser tests: installed when missing.
.PHONY: .system-gettext .system-chromium
.system-gettext:
	@command -v msgfmt >/dev/null || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q gettext)
.system-chromium:
	@command -v chromium >/dev/null || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium)

messages: .system-gettext
	$(PY) manage.py compilemessages --ignore=$(VENV) -v 0

setup: $(VENV)/.runtime messages
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py demo_data

run: setup
	@echo ""
	@echo "  MotCua is starting on http://127.0.0.1:$(PORT)  (Ctrl-C stops web, worker and scheduler)"
	@echo ""
	$(VENV)/bin/honcho -f Procfile start

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: $(VENV)/.dev .system-chromium messages lint
	$(VENV)/bin/pytest

clean:
	rm -rf var/celery var/cache var/staticfiles
