# School Logistics: `make run` to use it, `make test` to test it (see README).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# XStatic packages still build with pkg_resources, which newer setuptools dropped.
export PIP_CONSTRAINT := $(CURDIR)/constraints.txt
export PIP_DISABLE_PIP_VERSION_CHECK := 1
SITE ?= default
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres lint install serve clean

$(BIN)/school-logistics: pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11 (python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade "pip>=24"
	$(BIN)/pip install -q -e ".[test]"
	@touch $@

install: $(BIN)/school-logistics

run: install
	$(BIN)/school-logistics setup --site $(SITE)
	SITE=$(SITE) DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

serve: install
	SITE=$(SITE) $(BIN)/honcho start

lint: install
	$(BIN)/ruff check apps config tests benchmarks
	SITE=lint-check $(BIN)/python manage.py makemigrations --check --dry-run

test: install lint
	$(BIN)/python tests/run_suite.py

test-sqlite: install
	$(BIN)/pytest -p no:cacheprovider

test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/school_logistics} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(BIN)/pytest -p no:cacheprovider

clean:
	rm -rf $(VENV) staticfiles
