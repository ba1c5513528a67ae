# ussl: build, demo and tests. Everything the build needs is installed here when missing.
#   make          MicroPython's unix port with ussl, at build/micropython
#   make demo     a verified TLS 1.3 fetch from a local HTTPS server
#   make test     cargo test + the pytest suite against real TLS peers
SHELL := /bin/bash
ROOT := $(CURDIR)
BUILD := $(ROOT)/build
MPY_DIR := $(BUILD)/micropython-src
MPY_STAMP := $(MPY_DIR)/.fetched-1.25.0+ds-1
UNIX_DIR := $(MPY_DIR)/ports/unix
UNIX_BUILD := $(BUILD)/unix-ussl
USSL_LIB := $(ROOT)/target/release/libussl.a
PYTHON ?= python3
JOBS ?= $(shell nproc)
APT_PACKAGES := clang libclang-dev libffi-dev pkgconf dpkg-dev xz-utils openssl gnutls-bin mosquitto nginx-light
PIP_PACKAGES := pytest==9.2.0 trustme==1.2.1 cryptography==48.0.0 tlslite-ng==0.8.2

UNIX_FLAGS := MICROPY_PY_BTREE=0 MICROPY_PY_SSL=0 MICROPY_SSL_MBEDTLS=0 \
	FROZEN_MANIFEST=$(ROOT)/mpy_module/manifest.py USER_C_MODULES=$(ROOT) \
	BUILD=$(UNIX_BUILD) USSL_LIB=$(USSL_LIB)

export MICROPY_DIR := $(MPY_DIR)
export MICROPY_PORT_DIR := $(UNIX_DIR)
export MICROPY_VARIANT_DIR := $(UNIX_DIR)/variants/standard
export MICROPY_BUILD_DIR := $(UNIX_BUILD)

.PHONY: all deps apt-deps pip-deps micropython-src engine port header check-header test test-rust test-py demo clean reference bench bench-smoke

all: build/micropython

# System packages, installed only when missing (CI machines start bare).
apt-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

pip-deps:
	@$(PYTHON) -c "import pytest, trustme, cryptography, tlslite" 2>/dev/null || \
	  $(PYTHON) -m pip install -q $(PIP_PACKAGES)

deps: apt-deps pip-deps

$(MPY_STAMP):
	$(MAKE) apt-deps
	scripts/fetch-micropython.sh $(MPY_DIR)

micropython-src: $(MPY_STAMP)

$(MPY_DIR)/mpy-cross/build/mpy-cross: $(MPY_STAMP)
	$(MAKE) -C $(MPY_DIR)/mpy-cross -j$(JOBS) >/dev/null

# The engine: a no_std staticlib. bindgen needs the fetched headers (MICROPY_* exported above).
engine: $(MPY_STAMP) apt-deps
	USSL_CHECK_HEADER=1 cargo build --release --features micropython

$(USSL_LIB): engine

# The port's Makefile does not track the archive: drop the binary so a changed engine relinks.
build/micropython: engine $(MPY_DIR)/mpy-cross/build/mpy-cross
	@if [ -f $(UNIX_BUILD)/micropython ] && [ $(USSL_LIB) -nt $(UNIX_BUILD)/micropython ]; then rm -f $(UNIX_BUILD)/micropython; fi
	$(MAKE) -C $(UNIX_DIR) -j$(JOBS) $(UNIX_FLAGS) >$(BUILD)/unix-build.log 2>&1 || { tail -40 $(BUILD)/unix-build.log; exit 1; }
	@mkdir -p build && cp $(UNIX_BUILD)/micropython build/micropython
	@echo "built build/micropython"

port: build/micropython

# Regenerates the checked-in C header of the engine's API.
header:
	USSL_UPDATE_HEADER=1 cargo build

check-header:
	USSL_CHECK_HEADER=1 cargo build

test-rust: apt-deps
	USSL_CHECK_HEADER=1 cargo test

test-py: build/micropython pip-deps
	$(PYTHON) -m pytest -q tests_py

test: test-rust bench-smoke test-py

demo: build/micropython pip-deps
	$(PYTHON) scripts/demo.py

# The reference: the same tree with MicroPython's own mbedTLS module (Debian's libmbedtls-dev,
# linked dynamically), and a baseline with no TLS at all for code size.
REF_FLAGS := MICROPY_PY_BTREE=0 MICROPY_PY_SSL=1 MICROPY_SSL_MBEDTLS=1 \
	FROZEN_MANIFEST=$(ROOT)/bench/manifest-mbedtls.py BUILD=$(BUILD)/unix-mbedtls
NOTLS_FLAGS := MICROPY_PY_BTREE=0 MICROPY_PY_SSL=0 MICROPY_SSL_MBEDTLS=0 \
	FROZEN_MANIFEST=$(ROOT)/bench/manifest-notls.py BUILD=$(BUILD)/unix-notls

build/micropython-mbedtls: $(MPY_DIR)/mpy-cross/build/mpy-cross
	@dpkg -s libmbedtls-dev >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libmbedtls-dev >/dev/null; }
	$(MAKE) -C $(UNIX_DIR) -j$(JOBS) $(REF_FLAGS) >$(BUILD)/unix-mbedtls-build.log 2>&1 || { tail -40 $(BUILD)/unix-mbedtls-build.log; exit 1; }
	cp $(BUILD)/unix-mbedtls/micropython $@

build/micropython-notls: $(MPY_DIR)/mpy-cross/build/mpy-cross
	$(MAKE) -C $(UNIX_DIR) -j$(JOBS) $(NOTLS_FLAGS) >$(BUILD)/unix-notls-build.log 2>&1 || { tail -40 $(BUILD)/unix-notls-build.log; exit 1; }
	cp $(BUILD)/unix-notls/micropython $@

reference: build/micropython-mbedtls build/micropython-notls

BENCH_DEPS := build/micropython build/micropython-mbedtls build/micropython-notls

# Side by side with MicroPython's mbedTLS module; never part of `make test` (bench-smoke is).
bench: $(BENCH_DEPS) pip-deps
	$(PYTHON) -m pip install -q matplotlib==3.9.2
	$(PYTHON) bench/cortex_m_size.py
	$(PYTHON) bench/run.py --full

bench-smoke: $(BENCH_DEPS) pip-deps
	$(PYTHON) bench/run.py --smoke

clean:
	rm -rf build target
