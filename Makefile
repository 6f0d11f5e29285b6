# The two front-door commands: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Re-install whenever the dependency list changes.
INSTALLED := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# The suite runs as a role with no superuser rights, so row-level security binds
# it as it binds the app in production; the admin URL makes that role and its database.
PG_ADMIN_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
PG_URL ?= postgresql://inkwell_test@127.0.0.1:5432/test_inkwell
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
PORT ?= 5000

.PHONY: run test lint install clean bench

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(INSTALLED)

# Links printed and mailed must name the port the server listens on.
run: export INKWELL_APP_HOST ?= localhost:$(PORT)
run: export INKWELL_BLOG_DOMAIN ?= localhost:$(PORT)
run: $(INSTALLED)
	$(BIN)/inkwell db upgrade
	$(BIN)/inkwell demo
	@echo "Platform:   http://localhost:$(PORT)/   (Ctrl-C stops it)"
	@# The scheduler publishes scheduled posts on time (no celery beat in the embedded mode).
	$(BIN)/inkwell scheduler & scheduler=$$!; trap "kill $$scheduler" EXIT INT TERM; \
	$(BIN)/inkwell run --host 127.0.0.1 --port $(PORT)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Once on the embedded defaults (SQLite, in-process cache), then again on real
# PostgreSQL and Redis when they answer (with CI=true, they must).
test: lint
	$(BIN)/pytest
	@$(BIN)/python scripts/services.py $(PG_URL) $(REDIS_TEST_URL); status=$$?; \
	if [ $$status -eq 0 ]; then \
	  $(BIN)/python scripts/test_database.py $(PG_ADMIN_URL) $(PG_URL) || exit 1; \
	  echo "== again on PostgreSQL and Redis"; \
	  DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) $(BIN)/pytest; \
	elif [ $$status -ne 3 ]; then exit $$status; fi

# Not part of `make test`: ~10 minutes, root for apt (wrk, nginx, hugo), and a
# local PostgreSQL and Redis. Writes bench/RESULTS.md. One part only:
# `make bench BENCH=http`, `BENCH=static`, `BENCH=media`, `BENCH=search`, `BENCH=newsletter`,
# `BENCH=import`, `BENCH=edge`, `BENCH=freshness` or `BENCH=hosts` (several: `BENCH="freshness hosts"`).
BENCH ?=
bench: $(INSTALLED)
	$(BIN)/python -m bench.run $(BENCH)

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
