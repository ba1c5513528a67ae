# ussl: build, demo and tests. Everything the build needs is installed here when missing.
#   make              MicroPython's unix port with ussl, at build/micropython
#   make demo         a verified TLS 1.3 fetch from a local HTTPS server
#   make test         lint, cargo test, the pytest suite, tlsfuzzer, the firmware images in qemu and
#                     the RPI_PICO_W image in an RP2040 emulator, the fuzzers (40 s each), the suite
#                     under AddressSanitizer (make test-asan)
#   make test-pico    the RPI_PICO_W image's tests alone, in the RP2040 emulator
#   make bench-smoke  every benchmark workload once (CI runs it after make test)
#   make firmware     ports/qemu images with ussl: build/firmware/{MPS2_AN385,VIRT_RV32}/firmware.elf
#   make bench        side by side with MicroPython's own mbedTLS module (unix, qemu, RPI_PICO_W in
#                     an RP2040 emulator)
# MICROPY_DIR=/path builds against a MicroPython tree of your own (see mk/mpy-tree.mk).
SHELL := /bin/bash
ROOT := $(CURDIR)
BUILD := $(ROOT)/build
SHARED ?= $(abspath $(ROOT)/../shared)
VENDOR := $(SHARED)/vendor
# The interpreter that makes the virtual environment the tests run in (any python3 >= 3.9).
PYTHON ?= python3
JOBS ?= $(shell nproc)
# MicroPython names its build after `git describe`: a tree under build/ must not see our repository.
export GIT_CEILING_DIRECTORIES := $(BUILD)

.PHONY: lint-boards test-lean firmware-lean firmware-all lean-and-firmware beside-firmware test-fw-qemu test-pico test-pico-tests bench-rp2040-images all deps apt-deps venv pip-deps micropython-src engine unix-port port header check-header \
	test lint test-rust test-py test-firmware test-1.25 test-profiles fuzz-and-asan demo clean reference bench bench-smoke firmware size

all: build/micropython

# rustls with our patch (patches/README.md) in build/crates, before any cargo command needs it.
ifeq ($(filter clean,$(MAKECMDGOALS)),)
ifneq ($(shell $(ROOT)/scripts/patched-crates.sh >&2 && echo ok),ok)
$(error scripts/patched-crates.sh failed (see above))
endif
endif

include mk/deps.mk
include mk/mpy-tree.mk
include mk/unix.mk
include mk/firmware.mk
include mk/rp2.mk
include mk/fuzz.mk
include mk/tlsfuzzer.mk
include mk/asan.mk

# Every skip and xfail is listed with its reason (-rsx), every deselected test by name
# (tests_py/helpers/strict.py). Under CI (.ci/run sets CI) a missing tool or image fails.
PYTEST = $(PY) -m pytest -q -rsx

# Regenerates the checked-in C header of the engine's API.
header:
	USSL_UPDATE_HEADER=1 cargo build

check-header:
	USSL_CHECK_HEADER=1 cargo build

# Then ussl-arith's own tests (arith/: the ARMv6-M arithmetic's Rust, against the p256 and
# x25519-dalek crates) and the provider's known answers through it, as the RP2040 build runs them.
test-rust:
	@$(MAKE) --no-print-directory apt-deps
	USSL_CHECK_HEADER=1 cargo test
	cargo test --no-default-features --features client
	cargo test -p ussl-arith
	cargo test --features arith --lib --test wycheproof --test wycheproof_kx --test loopback

# rustfmt, and clippy with no unwrap/expect/unchecked index and a SAFETY line on every unsafe
# block in src/ (src/lib.rs), in the default and client profiles, inside MicroPython and for the
# board targets (lint-boards).
lint: $(MPY_STAMP)
	@for c in clippy rustfmt; do rustup component list --installed | grep -q "^$$c" || rustup component add $$c; done
	cargo fmt --check
	cargo clippy --lib -- -D warnings
	cargo clippy --lib --no-default-features --features client -- -D warnings
	cargo clippy --lib --no-default-features --features lean -- -D warnings
	cargo clippy --lib --features arith -- -D warnings
	cargo clippy -p ussl-arith --all-targets -- -D warnings
	$(ENGINE_ENV_UNIX) cargo clippy --lib --no-default-features --features micropython,lean,alloc-faults -- -D warnings
	$(ENGINE_ENV_UNIX) cargo clippy --lib $(UNIX_ENGINE_FEATURES) -- -D warnings
	$(ENGINE_ENV_UNIX) cargo clippy --lib $(UNIX_ENGINE_FEATURES),malloc -- -D warnings
	$(MAKE) --no-print-directory lint-boards

# clippy for the board targets, whose code the host never compiles (the engine-stack assembly,
# 32-bit arithmetic): thumbv6m as the RP2040 and Cortex-M0+ images build it (nightly, build-std,
# the CAS target spec) and riscv32imac, full and lean profiles. bindgen reads the unix port's
# headers compiled for the board's target: a board port's own need its firmware build's genhdr,
# and the bindings' types are all the lint needs.
BOARD_LINT_ENV = $(ENGINE_ENV_UNIX)
BOARD_LINT_V6M := -Z build-std=core,alloc -Zjson-target-spec --target $(ROOT)/targets/thumbv6m-none-eabi-cas.json
lint-boards: $(MPY_STAMP)
	$(call apt_install,libnewlib-arm-none-eabi picolibc-riscv64-unknown-elf clang libclang-dev)
	$(call nightly_src)
	@rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy --toolchain nightly
	$(call rust_target,riscv32imac-unknown-none-elf)
	for p in full lean; do \
	  $(BOARD_LINT_ENV) MICROPY_CFLAGS="--target=thumbv6m-none-eabi -I/usr/lib/arm-none-eabi/include" \
	    cargo +nightly clippy --lib $(BOARD_LINT_V6M) --no-default-features --features micropython,$$p -- -D warnings || exit 1; \
	  $(BOARD_LINT_ENV) MICROPY_CFLAGS="--target=riscv32-unknown-none-elf -I/usr/lib/picolibc/riscv64-unknown-elf/include" \
	    cargo clippy --lib --target riscv32imac-unknown-none-elf --no-default-features --features micropython,$$p -- -D warnings || exit 1; \
	done

test-py: build/micropython venv
	MICROPY_DIR=$(MPY_DIR) MICROPYTHON=$(UNIX_BIN) $(PYTEST) tests_py

# With the lean engine's image MPS2_AN385-lean, which runs in the emulator, and the RPI_PICO_W
# image in the RP2040 emulator.
test-firmware: firmware-all venv rp2040js
	MICROPY_DIR=$(MPY_DIR) $(PYTEST) tests_fw

# The firmware tests in qemu, and beside them the RPI_PICO_W image's in the RP2040 emulator
# (tests_fw/test_pico_w*.py, both RPI_PICO_W and RPI_PICO_W-lean, and test_primitives.py): each keeps
# a core busy.
PICO_TESTS := tests_fw/test_pico_w.py tests_fw/test_pico_w_uart.py tests_fw/test_pico_w_entropy.py tests_fw/test_pico_w_memory.py \
	tests_fw/test_primitives.py
test-fw-qemu: venv
	MICROPY_DIR=$(MPY_DIR) $(PYTEST) tests_fw $(addprefix --ignore=,$(PICO_TESTS))

test-pico: firmware-rp2 rp2040js venv
	MICROPY_DIR=$(MPY_DIR) $(PYTEST) $(PICO_TESTS)

firmware-all: firmware firmware-rp2 firmware-lean
# After the others: a board's lean and full engines come out of the same cargo target directory.
# The lean images: the qemu ones (Cortex-M3, and the Cortex-M0+ whose engine library the Pico W's
# lean image links) run the lean firmware tests, RPI_PICO_W-lean is checked by tests_fw (it fits,
# its hooks, no rustls) like the full one.
firmware-lean: | firmware firmware-rp2
	$(MAKE) --no-print-directory USSL_ENGINE=lean $(FIRMWARE)/MPS2_AN385-lean/firmware.elf \
	  $(FIRMWARE)/MPS2_AN385_M0PLUS-lean/firmware.elf firmware-rp2

# `make test` builds the firmware images on one job slot and, on the other, runs the lean suite
# and the 1.25 tree's and builds the reference binaries and images bench-smoke compares with (the
# suites' peers keep them waiting most of the time); then the firmware tests in qemu and, beside
# them, the RPI_PICO_W image's in the RP2040 emulator.
lean-and-firmware: venv
	$(MAKE) --no-print-directory -j2 --output-sync=target firmware-all beside-firmware rp2040js
	$(MAKE) --no-print-directory -j2 --output-sync=target test-fw-qemu test-pico-tests

# test-pico without its prerequisites, which lean-and-firmware has just built.
test-pico-tests:
	MICROPY_DIR=$(MPY_DIR) $(PYTEST) $(PICO_TESTS)

beside-firmware:
	$(MAKE) --no-print-directory test-lean
	$(MAKE) --no-print-directory test-1.25
	$(MAKE) --no-print-directory reference firmware-baseline $(FIRMWARE)/MPS2_AN385-mbedtls/firmware.elf

# The Debian 1.25 tree keeps building and passes a smoke subset of the suite.
test-1.25:
	$(MAKE) --no-print-directory MPY_SOURCE=debian unix-port
	MICROPY_DIR=$(BUILD)/micropython-src MICROPYTHON=$(BUILD)/unix-ussl-1.25.0/micropython \
	  $(PYTEST) tests_py/test_client.py tests_py/test_server.py tests_py/test_sessions.py tests_py/test_session_bytes.py

# The client build profile builds and passes what it keeps of the suite (and names what it leaves out).
PROFILE_TESTS := tests_py/test_profiles.py tests_py/test_client.py tests_py/test_sessions.py tests_py/test_session_bytes.py
test-profiles: venv
	$(MAKE) --no-print-directory USSL_PROFILE=client build/micropython-client
	@echo "test-profiles deselects what the client profile leaves out: getpeercert's dict (certinfo), our server"
	MICROPY_DIR=$(MPY_DIR) MICROPYTHON=$(BUILD)/micropython-client $(PYTEST) $(PROFILE_TESTS) \
	  -k "not getpeercert and not verified_round_trip and not our_server"

# The lean engine (USSL_ENGINE=lean, embedded-tls): the whole suite, with what it leaves out
# skipped by name (tests_py/conftest.py, LEAN_UNSUPPORTED), and its own tests (test_lean.py).
test-lean: venv
	$(MAKE) --no-print-directory USSL_ENGINE=lean build/micropython-lean
	MICROPY_DIR=$(MPY_DIR) MICROPYTHON=$(BUILD)/micropython-lean $(PYTEST) tests_py

test: lint test-rust test-py tlsfuzzer test-profiles lean-and-firmware fuzz-and-asan

# The fuzzers' minutes are wall-clock on one core; the suite under AddressSanitizer takes the
# other one meanwhile (nightly first, so the two never install it at once).
fuzz-and-asan:
	$(call nightly_src)
	$(MAKE) --no-print-directory -j2 --output-sync=target FUZZ_SECONDS=40 fuzz test-asan

demo: build/micropython venv
	$(PY) scripts/demo.py

BENCH_DEPS := build/micropython $(BUILD)/micropython-mbedtls $(BUILD)/micropython-notls $(BUILD)/micropython-lean
ifneq ($(USSL_PROFILE),lean)
$(BUILD)/micropython-lean: FORCE
	@$(MAKE) --no-print-directory USSL_ENGINE=lean build/micropython-lean
endif

# Side by side with MicroPython's mbedTLS module; never part of `make test` (bench-smoke is).
bench: $(BENCH_DEPS) firmware-bench bench-rp2040-images venv
	$(VENV)/bin/pip install -q matplotlib==3.9.2
	$(PY) bench/qemu_bench.py
	$(PY) bench/rp2040_bench.py
	$(PY) bench/pico_ram.py
	$(PY) bench/pico_crypto.py
	$(PY) bench/run.py --full

# The smoke run takes our RPI_PICO_W image alone (make test builds it; the stock and lean ones are
# make bench's).
bench-smoke: $(BENCH_DEPS) firmware-bench firmware-rp2 rp2040js venv
	$(PY) bench/run.py --smoke
	$(PY) bench/qemu_bench.py --smoke
	$(PY) bench/rp2040_bench.py --smoke
	$(PY) bench/pico_ram.py --smoke
	$(PY) bench/pico_crypto.py --smoke

# The three RPI_PICO_W images make bench runs in the RP2040 emulator: stock (mbedTLS), ours, lean.
bench-rp2040-images: firmware-rp2 firmware-rp2-stock rp2040js
	$(MAKE) --no-print-directory USSL_ENGINE=lean firmware-rp2

# Flash by crate for thumbv6m, thumbv7m and riscv32imac, profiles full, client and lean, into BENCHMARKS.md.
size: firmware firmware-baseline firmware-rp2 firmware-rp2-stock venv
	$(MAKE) --no-print-directory USSL_PROFILE=client firmware
	$(MAKE) --no-print-directory USSL_ENGINE=lean firmware firmware-rp2
	$(PY) bench/size.py

clean:
	rm -rf build target

# Outputs may be named relative to the repository (make build/firmware/MPS2_AN385/firmware.elf).
build/%: FORCE
	@$(MAKE) --no-print-directory $(BUILD)/$*
