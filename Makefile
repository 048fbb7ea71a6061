# Siaga 110: the commands the README names.
SIAGA := .venv/bin/siaga
PY := .venv/bin/python

.PHONY: setup demo stop test bench lint format services

setup:
	@scripts/setup.sh

services: setup
	@$(SIAGA) services up

demo: setup
	@$(SIAGA) demo

stop:
	@if [ -x $(SIAGA) ]; then $(SIAGA) stop; else echo "nothing to stop"; fi

test: services
	@$(PY) -m pytest $(PYTEST_ARGS)

bench: services
	@$(PY) -m bench.run $(BENCH_ARGS)

lint: setup
	@.venv/bin/ruff check . && .venv/bin/ruff format --check .

format: setup
	@.venv/bin/ruff check --fix . && .venv/bin/ruff format .
