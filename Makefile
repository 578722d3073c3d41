# edgetax build chain. Versions and commands follow ../shared/toolchain.md.
#
#   make setup   install every tool (idempotent; seconds when all is there)
#   make build   release pkg/ (npm package `edgetax`: browser and server builds), prints the .wasm sizes
#   make test    cargo test, clippy, fmt, browser tests, release build, Node tests
#   make demo    build, then the demo shop at http://127.0.0.1:8080 and the Worker on :8787 (Ctrl-C stops all)
#   make screenshots  rewrite docs/screenshots/*.png from the storefront tests
#   make load    bounded load test: wrangler dev + the fake TaxJar, autocannon at 1, 16, 64 connections
#   make bench   every figure of docs/BENCHMARKS.md, with the machine (not part of make test)
#   make size-check  the size guards of both builds (bench/size.mjs; also in make test)
#   make fuzz    run every fuzz target 1M times (cargo +nightly fuzz; not in test)
#   make clean   remove build output (keeps .tools/ and node_modules/)
#   make distclean  also remove .tools/ and node_modules/

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --no-print-directory

WASM_TARGET          := wasm32-unknown-unknown
WASM_PACK_VERSION    := 0.15.1
# Must equal the wasm-bindgen version in Cargo.lock (checked by setup), or
# wasm-pack tries to download a matching CLI, which fails here.
WASM_BINDGEN_VERSION := 0.2.130
GECKODRIVER_VERSION  := 0.37.1
APT_PACKAGES         := chromium chromium-driver firefox-esr

# Tools live under an ignored .tools/ so later runs skip the ~5 min install.
TOOLS ?= $(CURDIR)/.tools
export PATH := $(TOOLS)/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export DEBIAN_FRONTEND := noninteractive
export WRANGLER_SEND_METRICS := false

# The WebDriver clients are handed to wasm-pack as flags, never exported: the
# test runner picks the first of GECKODRIVER, ..., CHROMEDRIVER it finds in
# its environment, so an exported GECKODRIVER turns the Chrome run into a
# second Firefox run without a word.
CHROMEDRIVER ?= /usr/bin/chromedriver
GECKODRIVER ?= $(TOOLS)/bin/geckodriver
unexport CHROMEDRIVER GECKODRIVER

SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
NPM_STAMP := node_modules/.edgetax-setup-stamp
PKG_WASM := pkg/edgetax_bg.wasm
SERVER_WASM := pkg/server/edgetax_server_bg.wasm

.PHONY: setup setup-rust setup-tools setup-browsers setup-node setup-worker setup-e2e setup-load setup-fuzz build test demo screenshots bench bench-memo size-check load fuzz clean distclean

## setup ---------------------------------------------------------------------

setup: setup-rust setup-tools setup-node setup-browsers

setup-rust:
	@rustup target list --installed | grep -x '$(WASM_TARGET)' >/dev/null \
	  || rustup target add $(WASM_TARGET)
	@locked=$$(grep -A1 '^name = "wasm-bindgen"$$' Cargo.lock | sed -n 's/^version = "\(.*\)"$$/\1/p'); \
	if [[ -n "$$locked" && "$$locked" != '$(WASM_BINDGEN_VERSION)' ]]; then \
	  echo "Cargo.lock has wasm-bindgen $$locked but the Makefile pins wasm-bindgen-cli $(WASM_BINDGEN_VERSION): make them equal" >&2; \
	  exit 1; \
	fi

# Each tool is guarded by its version, so a pin bump reinstalls. A tool
# already built on this machine (any clone) is copied from TOOL_CACHE
# instead of rebuilt: a cold `cargo install` of the three costs 10-20 min.
# --force: one crate installs two of these tools (wasm-bindgen-cli), so
# with one copied from the cache the other's install must overwrite it.
# wasm-bindgen-cli goes without --locked: its own lock file wants a crate
# version the registry lacks.
TOOL_CACHE ?= $(HOME)/.cache/edgetax-tools/bin
define tool
@if [[ "$$($(TOOLS)/bin/$(1) --version 2>/dev/null | head -n 1)" == "$(2)"* ]]; then :; \
elif [[ "$$($(TOOL_CACHE)/$(1) --version 2>/dev/null | head -n 1)" == "$(2)"* ]]; then \
  mkdir -p '$(TOOLS)/bin' && cp '$(TOOL_CACHE)/$(1)' '$(TOOLS)/bin/'; \
else \
  cargo install --force $(3) --root '$(TOOLS)' $(4) --version $(5) && \
  mkdir -p '$(TOOL_CACHE)' && cp '$(TOOLS)/bin/$(1)' '$(TOOL_CACHE)/'; \
fi
endef

setup-tools:
	$(call tool,wasm-pack,wasm-pack $(WASM_PACK_VERSION),--locked,wasm-pack,$(WASM_PACK_VERSION))
	$(call tool,wasm-bindgen,wasm-bindgen $(WASM_BINDGEN_VERSION),,wasm-bindgen-cli,$(WASM_BINDGEN_VERSION))
	$(call tool,wasm-bindgen-test-runner,wasm-bindgen-test-runner $(WASM_BINDGEN_VERSION),,wasm-bindgen-cli,$(WASM_BINDGEN_VERSION))
	$(call tool,geckodriver,geckodriver $(GECKODRIVER_VERSION),--locked,geckodriver,$(GECKODRIVER_VERSION))

setup-node: $(NPM_STAMP)

# binaryen@132.0.0 gives wasm-opt (Debian's v108 makes a broken .wasm).
$(NPM_STAMP): package.json $(wildcard package-lock.json)
	@if [[ -f package-lock.json ]]; then npm ci --no-audit --no-fund; \
	 else npm install --no-audit --no-fund; fi
	@touch $@

setup-browsers:
	@if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver && -x /usr/bin/firefox-esr ]]; then :; else \
	  $(SUDO) apt-get update && \
	  $(SUDO) apt-get install -y --no-install-recommends $(APT_PACKAGES); \
	fi

## build ---------------------------------------------------------------------

# Shared by build, test and demo so each runs it once after its own setup.
# Two builds of one crate (Cargo.toml [features]): the browser build is the
# package's root (`edgetax`), the server build goes to pkg/server/
# (`edgetax/server`); scripts/package.mjs assembles the rest. Old JS
# snippets go first: wasm-pack leaves files of earlier builds in place.
define build_pkg
rm -rf pkg/snippets target/pkg-server/snippets
wasm-pack build --target web --release --out-dir pkg --out-name edgetax -- --no-default-features --features js
wasm-pack build --target web --release --out-dir target/pkg-server --out-name edgetax_server
node scripts/package.mjs
scripts/size.sh $(PKG_WASM) $(SERVER_WASM)
endef

build: setup
	$(build_pkg)

## test ----------------------------------------------------------------------

test: setup
	cargo test
	@# The core alone is plain Rust: no wasm-bindgen, js-sys or web-sys.
	cargo check --no-default-features
	cargo clippy --all-targets -- -D warnings
	cargo clippy --no-default-features --features js --target $(WASM_TARGET) -- -D warnings
	@# The browser tests and bindings compile for wasm only: lint them there too.
	cargo clippy --target $(WASM_TARGET) --all-targets -- -D warnings
	cargo fmt --check
	@# The browser tests of the Estimator talk to the local TaxJar fake; a
	@# headless browser that hangs at start-up is given one more run.
	scripts/wasm-browser-tests.sh '$(CHROMEDRIVER)' '$(GECKODRIVER)'
	@for b in Chrome Firefox; do grep -q "Running headless tests in $$b" target/wasm-pack-test.log \
	  || { echo "wasm-pack test ran no browser tests in $$b" >&2; exit 1; }; done
	$(build_pkg)
	@# Size guards of both builds (bench/size.mjs): the browser .wasm under
	@# its 120 KB limit, the server's under its ceiling.
	node bench/size.mjs --check
	node --test tests/fake-taxjar/ tests/node/
	$(MAKE) setup-worker setup-e2e
	@# workerd suite; its global teardown prints the secret-scan and fault totals.
	cd worker && npx vitest run
	@# The official client through wrangler dev, and the pkg/ + bundle secret scan.
	cd worker && node --test test-node/
	node --test tests/e2e/

# worker/ depends on the built pkg/ (`edgetax: file:../pkg`), so it installs
# after the build; the stamps skip `npm ci` when nothing changed.
WORKER_STAMP := worker/node_modules/.edgetax-setup-stamp
E2E_STAMP    := tests/e2e/node_modules/.edgetax-setup-stamp

setup-worker: $(WORKER_STAMP)
setup-e2e: $(E2E_STAMP)

$(WORKER_STAMP): worker/package.json worker/package-lock.json
	cd worker && npm ci --no-audit --no-fund
	@touch $@

$(E2E_STAMP): tests/e2e/package.json tests/e2e/package-lock.json
	cd tests/e2e && npm ci --no-audit --no-fund
	@touch $@

## bench ---------------------------------------------------------------------

# Prints every figure of docs/BENCHMARKS.md (issue #9), each after the
# command that makes it. Benchmarks print figures, they never fail on them;
# only size-check enforces a budget. The machine is shared, so the load
# average is printed before and after.
define machine
@echo "== machine: $$(nproc) cores, $$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
@echo "   node $$(node --version), $$(rustc --version), wasm-pack $$(wasm-pack --version | cut -d' ' -f2)"
@echo "   load average: $$(cut -d' ' -f1-3 /proc/loadavg)"
endef

bench: build
	$(MAKE) setup-worker setup-e2e
	$(machine)
	@echo; echo "== size: node bench/size.mjs"
	node bench/size.mjs
	@echo; echo "== memo hit: node bench/memo-hit.mjs"
	node bench/memo-hit.mjs
	@echo; echo "== allocation: node bench/allocate.mjs"
	node bench/allocate.mjs
	@echo; echo "== scale, native: cargo bench --bench scale -- --output-format bencher"
	cargo bench --bench scale -- --output-format bencher
	@echo; echo "== Worker CPU: node worker/scripts/bench-worker.mjs"
	node worker/scripts/bench-worker.mjs
	@echo; echo "== P6, instant figures in Chromium: node bench/p6.mjs"
	node bench/p6.mjs
	@echo
	$(machine)

bench-memo: build
	node bench/memo-hit.mjs

# Not part of `make test`: ~1 min, prints a table per concurrency and fails
# on an error or when TaxJar calls exceed distinct carts (bench/load/README.md).
LOAD_STAMP := bench/load/node_modules/.edgetax-setup-stamp

setup-load: $(LOAD_STAMP)

$(LOAD_STAMP): bench/load/package.json bench/load/package-lock.json
	cd bench/load && npm ci --no-audit --no-fund
	@touch $@

load: setup
	$(build_pkg)
	$(MAKE) setup-worker setup-load
	node bench/load/load.mjs

# The size guards alone (also in `make test`), with the 120 KB limit and
# 80 KB goal of the browser build printed.
size-check:
	@[[ -f $(PKG_WASM) ]] || $(MAKE) build
	node bench/size.mjs --check

## fuzz ----------------------------------------------------------------------

# Not part of `make test`: about 10 minutes on 2 cores. See fuzz/README.md.
CARGO_FUZZ_VERSION := 0.13.2
FUZZ_TARGETS       := cart response order legacy_query
export FUZZ_RUNS      ?= 1000000
export FUZZ_SANITIZER ?= none

# cargo-fuzz needs the nightly toolchain; setup never downloads a
# toolchain (only package registries are used), so it must be installed.
setup-fuzz:
	@cargo +nightly --version >/dev/null 2>&1 \
	  || { echo "make fuzz needs the nightly toolchain: rustup toolchain install nightly" >&2; exit 1; }
	$(call tool,cargo-fuzz,cargo-fuzz $(CARGO_FUZZ_VERSION),--locked,cargo-fuzz,$(CARGO_FUZZ_VERSION))

fuzz: setup-fuzz
	node fuzz/seed.mjs
	scripts/fuzz.sh $(FUZZ_TARGETS)

## demo ----------------------------------------------------------------------

demo: setup
	$(build_pkg)
	$(MAKE) setup-worker
	node scripts/demo-storefront.mjs

# Rewrites docs/screenshots/*.png from the storefront tests.
screenshots: setup
	$(build_pkg)
	$(MAKE) setup-worker setup-e2e
	UPDATE_SCREENSHOTS=1 node --test tests/e2e/

## clean ---------------------------------------------------------------------

clean:
	cargo clean
	rm -rf pkg fuzz/target

distclean: clean
	rm -rf node_modules .tools
