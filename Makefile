# Tocsin: the two commands you need are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.NOTPARALLEL:

export PATH := $(HOME)/.cargo/bin:$(PATH)
# Incremental compilation caches (GBs) buy nothing on a one-off CI build; set CARGO_INCREMENTAL=1 to keep them.
export CARGO_INCREMENTAL ?= 0

CARGO   ?= cargo
TOCSIN  := target/debug/tocsin
TOCSIN_LISTEN ?= 127.0.0.1:8787
PYTEST_ARGS ?=

, := ,
say = @printf '==> [make] %s\n' "$(1)"

.PHONY: help setup web build release run test test-postgres lint fmt e2e crash-test bench-ingest bench-streams bench-web soak clean distclean

help:
	@echo "Tocsin make targets:"
	@echo "  make run     install what is missing, build the SPA and the server, start tocsin on http://$(TOCSIN_LISTEN)/ with an example plan and rule"
	@echo "  make test    install what is missing, build, then fmt check, clippy, cargo test and the end-to-end tests (boto3, headless Chromium)"
	@echo "  make setup   install missing tools only (scripts/setup.sh)"
	@echo "  make web     build the SPA into dist/ (scripts/build-web.sh)"
	@echo "  make build   build the SPA, then the server carrying it (target/debug/tocsin, feature embed-web)"
	@echo "  make release the release binary with the app compiled in (target/release/tocsin): copy it anywhere and run"
	@echo "  make lint    cargo fmt --check and cargo clippy"
	@echo "  make e2e     only the end-to-end tests (tests/e2e, needs build and web)"
	@echo "  make test-postgres  the whole end-to-end suite with every server on PostgreSQL (a throwaway cluster)"
	@echo "  make crash-test  the full crash test: 10,000 PutEvents while the server is killed 20 times (make test runs it scaled)"
	@echo "  make bench-ingest   PutEvents throughput against Alertmanager (wrk, release build; docs/benchmarks.md)"
	@echo "  make bench-streams  1,000 streams' latency and 10,000 idle streams' memory (release build)"
	@echo "  make bench-web  the app's brotli size, 500-incident first render and a 1-hour memory soak with boards rotating (Chromium)"
	@echo "  make soak    an hour at 1,000 events/s with 100 streams open, RSS sampled (release build)"
	@echo "  make clean   remove build output (target/, dist/, test artefacts); keeps data/ and .venv/"

setup:
	@scripts/setup.sh

web: setup
	@scripts/build-web.sh

# The binary carries the app built by `web` (feature embed-web); --web-dir still overrides it.
build: web
	$(call say,cargo build -p tocsin-server --features embed-web (debug))
	$(CARGO) build -p tocsin-server --features embed-web

release: setup web
	$(call say,cargo build --release -p tocsin-server --features embed-web)
	$(CARGO) build --release -p tocsin-server --features embed-web

run: setup web build
	@mkdir -p data
	@echo
	@echo "==> Tocsin is starting on http://$(TOCSIN_LISTEN)/  (wall screen: http://$(TOCSIN_LISTEN)/wall)"
	@echo "    Database: $(or $(TOCSIN_DATABASE_URL),sqlite://./data/tocsin.db). --seed-example puts the example response plan"
	@echo "    'example-cloudwatch-alarm' and a rule (CloudWatch alarm entering ALARM -> that plan) into an empty database."
	@echo "    Every request needs an access key. The first start writes an admin key to data/admin-credentials"
	@echo "    (AWS shared-credentials format, profile [tocsin]); more keys: target/debug/tocsin keys create --name NAME --role viewer"
	@echo "    Sign in to the app: open http://$(TOCSIN_LISTEN)/sign-in and paste aws_access_key_id and aws_secret_access_key from it."
	@echo "    AWS CLI / boto3: AWS_SHARED_CREDENTIALS_FILE=data/admin-credentials AWS_PROFILE=tocsin aws events list-rules --endpoint-url http://$(TOCSIN_LISTEN) --region us-east-1"
	@echo "    Send a sample CloudWatch alarm event from another terminal:"
	@echo "      examples/send-event.sh examples/events/cloudwatch-alarm-state-change-single-metric.json http://$(TOCSIN_LISTEN)"
	@echo "    Stop with Ctrl-C."
	@echo
	$(TOCSIN) serve --listen $(TOCSIN_LISTEN) --seed-example

# The embed-web feature compiles dist/ in, so lint needs the app built first.
lint: web
	$(call say,cargo fmt --all -- --check)
	$(CARGO) fmt --all -- --check
	$(call say,cargo clippy --workspace --all-targets -- -D warnings)
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(call say,cargo clippy with the test-only hooks and the embedded app (tocsin-server/test-hooks,embed-web))
	$(CARGO) clippy -p tocsin-server --all-targets --features test-hooks,embed-web -- -D warnings

fmt:
	$(CARGO) fmt --all

e2e:
	$(call say,end-to-end tests: .venv/bin/pytest -v tests/e2e)
	.venv/bin/pytest -v tests/e2e $(PYTEST_ARGS)

# `cargo test` also builds target/debug/tocsin (the integration tests run it), with the app
# compiled in: the end-to-end tests use that binary, so no separate `build` is needed.
test: setup web lint
	$(call say,cargo test --workspace --features tocsin-server/test-hooks$(,)tocsin-server/embed-web)
	$(CARGO) test --workspace --features tocsin-server/test-hooks,tocsin-server/embed-web
	@$(MAKE) --no-print-directory e2e

# The whole end-to-end suite with every server on PostgreSQL (a throwaway cluster that
# scripts/with-postgres.sh starts and deletes); `make test` runs the store suite on both
# backends, the multi-node tests and the `postgres_too` end-to-end tests on PostgreSQL.
test-postgres: setup web
	$(call say,end-to-end tests on PostgreSQL: TOCSIN_E2E_DATABASE=postgres pytest tests/e2e)
	$(CARGO) build -p tocsin-server --features test-hooks,embed-web
	scripts/with-postgres.sh env TOCSIN_E2E_DATABASE=postgres .venv/bin/pytest -v tests/e2e $(PYTEST_ARGS)

crash-test: setup
	$(call say,crash test at full size: 10000 events and 20 SIGKILLs)
	TOCSIN_CRASH_EVENTS=10000 $(CARGO) test -p tocsin-server --features test-hooks --test it -- crash --nocapture

bench-ingest: release
	.venv/bin/python scripts/bench-ingest.py

bench-streams: release
	.venv/bin/python scripts/bench-streams.py latency --streams 1000 --changes 200 --procs 2
	.venv/bin/python scripts/bench-streams.py idle --streams 10000

bench-web: release
	.venv/bin/python scripts/bench-web.py --bin target/release/tocsin --soak-minutes 60 --rotate-every 30

soak: release
	.venv/bin/python scripts/soak.py --duration 3600 --rate 1000 --streams 100 --warmup 720

clean:
	$(call say,cleaning build output)
	$(CARGO) clean
	rm -rf dist wall.html tests/e2e/artifacts tests/e2e/.pytest_cache .pytest_cache

distclean: clean
	rm -rf .venv
