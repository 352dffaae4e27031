# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
# WeasyPrint's Pango and HarfBuzz, CJK fonts (Kai for official forms), pdftoppm, chromium for browser tests;
# OpenLDAP's headers (python-ldap builds against them), and slapd with its tools for the directory tests.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libfontconfig1 fontconfig \
	fonts-noto-cjk fonts-arphic-ukai poppler-utils chromium libldap2-dev libsasl2-dev slapd ldap-utils
PYTEST_ARGS ?=

.PHONY: run test system-packages install migrate demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python system-packages
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	@# Bytecode compiled once here: where the environment sets PYTHONDONTWRITEBYTECODE, every
	@# process (the server, each worker, each test's subprocess) would compile its imports again.
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev]'
	$(BIN)/python -m compileall -q -j 0 portal programs courses incentives leave >/dev/null
	@# The pip and setuptools that `venv` bundles carry published advisories (pip-audit flags them).
	$(BIN)/uv pip install --quiet --python $(BIN)/python --upgrade pip setuptools
	touch $@

install: $(VENV)/.installed

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing system packages: $$missing"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else \
		echo "Missing system packages. Please run:"; \
		echo "  sudo apt-get install -y $$missing"; exit 1; \
	fi

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

# The demo's data run to 103/07/15 (2014-07-15): the portal is served as on that day.
DEMO_TODAY ?= 2014-07-15

run: demo
	@echo "Portal: http://$(HOST)/  (admin: http://$(HOST)/admin/, log-ins in README.md; demo date $(DEMO_TODAY))"
	PORTAL_TODAY=$(DEMO_TODAY) $(BIN)/python manage.py runserver $(HOST)

# Tests that need a real Celery worker and PostgreSQL run when CELERY_BROKER_URL names a
# Redis broker and DATABASE_URL names PostgreSQL (.ci/run does both in its second pass);
# otherwise they are deselected, and said so.
test: install system-packages
	@if [ -n "$$CELERY_BROKER_URL" ] && echo "$$DATABASE_URL" | grep -q '^postgres'; then \
		$(BIN)/pytest $(PYTEST_ARGS); \
	else \
		echo "Without CELERY_BROKER_URL and a PostgreSQL DATABASE_URL, tests marked 'worker' and 'postgres' are deselected."; \
		$(BIN)/pytest -m "not worker and not postgres" $(PYTEST_ARGS); \
	fi

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
