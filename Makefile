# School Logistics: `make run` to use it, `make test` to test it (see README).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# XStatic packages still build with pkg_resources, which newer setuptools dropped; pip >= 25.3
# applies constraints to build environments only through PIP_BUILD_CONSTRAINT.
export PIP_CONSTRAINT := $(CURDIR)/constraints.txt
export PIP_BUILD_CONSTRAINT := $(CURDIR)/constraints.txt
export PIP_DISABLE_PIP_VERSION_CHECK := 1
SITE ?= default
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres lint install messages messages-extract serve collectstatic clean

$(BIN)/school-logistics: pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11 (python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade "pip>=24"
	$(BIN)/pip install -q -e ".[test]"
	@touch $@

install: $(BIN)/school-logistics

# Chinese is the source language; compiled catalogues are only needed for English.
messages: install
	@if ls apps/school_logistics/locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
	  if command -v msgfmt >/dev/null; then \
	    $(BIN)/python manage.py compilemessages -v 0 -i .venv -i sites -i staticfiles; \
	  else echo "未安装 gettext (msgfmt)：跳过翻译编译，英文界面不可用"; fi; fi

# Refresh the English catalogue after adding messages (one line per msgstr: the i18n test reads them so).
messages-extract: install
	$(BIN)/python manage.py makemessages -l en --no-wrap -i .venv -i sites -i staticfiles -i test-artifacts

# Development server with the demo school; logins are printed before it starts.
run: install messages
	PORT=$(PORT) $(BIN)/school-logistics --site $(SITE) setup
	SITE=$(SITE) DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

collectstatic: install
	SITE=$(SITE) $(BIN)/python manage.py collectstatic --noinput -v 0

# Production-style processes from the Procfile (gunicorn, RQ worker, scheduler); reads .env.
serve: install messages collectstatic
	PORT=$(PORT) $(BIN)/school-logistics --site $(SITE) setup
	SITE=$(SITE) PYTHONUNBUFFERED=1 PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -p $(PORT)

lint: install
	$(BIN)/ruff check apps config tests benchmarks
	$(BIN)/ruff format --check apps config tests benchmarks
	$(BIN)/mypy
	DATABASE_URL=sqlite://:memory: $(BIN)/python manage.py makemigrations --check --dry-run

# Lint, then the whole suite on SQLite and on PostgreSQL + Redis (tests/run_suite.py).
test: install lint messages
	$(BIN)/python tests/run_suite.py $(PYTEST_ARGS)

test-sqlite: install
	$(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/school_logistics} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) staticfiles
