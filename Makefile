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

# Debian packages, installed when missing: gettext (compilemessages), fonts with every
# Vietnamese diacritic (PDF documents), Chromium (browser tests), poppler and zbar
# (tests read the PDFs' text and decode their QR codes), nginx (tests run the shipped
# portal/deploy/nginx.conf in front of gunicorn, in a process of their own, not the service).
APT_INSTALL := $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q
.PHONY: .system-gettext .system-fonts .system-chromium .system-pdf-tools .system-nginx .system-clamav
.system-gettext:
	@command -v msgfmt >/dev/null || ($(APT_INSTALL) gettext)
.system-fonts:
	@[ -f /usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf ] && \
	 [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || ($(APT_INSTALL) fonts-liberation fonts-dejavu-core)
.system-chromium:
	@command -v chromium >/dev/null || ($(APT_INSTALL) chromium)
.system-pdf-tools:
	@command -v pdftotext >/dev/null && command -v zbarimg >/dev/null || ($(APT_INSTALL) poppler-utils zbar-tools)
.system-nginx:
	@[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || ($(APT_INSTALL) nginx)
# ClamAV's daemon: the upload tests start their own clamd on a local EICAR-only signature database
# (uploads/tests/conftest.py); the package's own service and freshclam are not used by the tests.
.system-clamav:
	@[ -x /usr/sbin/clamd ] || command -v clamd >/dev/null || ($(APT_INSTALL) clamav-daemon clamav)

messages: .system-gettext
	$(PY) manage.py compilemessages --ignore=$(VENV) -v 0

setup: $(VENV)/.runtime messages .system-fonts
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py demo_data

# The links printed on documents (the QR's verify page) point where this run serves.
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
# A demo machine shows whole e-mails and SMS in its logs, to read one-time codes; never production.
run: export LOG_PERSONAL_DATA ?= 1
run: setup
	@echo ""
	@echo "  MotCua is starting on http://127.0.0.1:$(PORT)  (Ctrl-C stops web, relay, workers and scheduler)"
	@echo ""
	$(VENV)/bin/honcho -f Procfile start

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=. $(VENV)/bin/lint-imports --no-cache

# Tests get a var/ of their own (Celery queue, keys, files), never the one `make run` uses.
# One pytest run, nothing deselected: it prints each skip's reason and the time per app. Tests
# marked own_process (they re-point the process's Celery app at a private Redis) run inside it in
# a pytest process of their own (tests/plugin.py), so no other test's state meets them.
test: $(VENV)/.dev .system-chromium .system-fonts .system-pdf-tools .system-nginx .system-clamav messages lint
	export MOTCUA_VAR_DIR=$$(mktemp -d /tmp/motcua-test.XXXXXX) && $(VENV)/bin/pytest

clean:
	rm -rf var/celery var/cache var/staticfiles
