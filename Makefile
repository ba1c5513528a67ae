# ussl: build, demo and tests. Everything the build needs is installed here when missing.
#   make              MicroPython's unix port with ussl, at build/micropython
#   make demo         a verified TLS 1.3 fetch from a local HTTPS server
#   make test         lint, cargo test, the pytest suite, tlsfuzzer, the firmware images in qemu, the
#                     fuzzers (60 s each), the suite under AddressSanitizer (make test-asan)
#   make bench-smoke  every benchmark workload once (CI runs it after make test)
#   make firmware     ports/qemu images with ussl: build/firmware/{MPS2_AN385,VIRT_RV32}/firmware.elf
#   make bench        side by side with MicroPython's own mbedTLS module (unix and qemu)
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

.PHONY: bench-rp2 test-lean firmware-lean firmware-all lean-and-firmware beside-firmware all deps apt-deps venv pip-deps micropython-src engine unix-port port header check-header \
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
# block in src/ (src/lib.rs), in the default and client profiles and inside MicroPython.
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

test-py: build/micropython venv
	MICROPY_DIR=$(MPY_DIR) MICROPYTHON=$(UNIX_BIN) $(PY) -m pytest -q tests_py

# With the lean engine's image MPS2_AN385-lean, which runs in the emulator.
test-firmware: firmware-all venv rp2040js
	MICROPY_DIR=$(MPY_DIR) $(PY) -m pytest -q tests_fw

firmware-all: firmware firmware-rp2 firmware-lean
# After the others: a board's lean and full engines come out of the same cargo target directory.
# (RPI_PICO_W-lean, 3 minutes more, is left to `make size` and `make USSL_ENGINE=lean firmware-rp2`,
# which CI's 40 minutes have no room for; tests_fw checks it when it is there.)
firmware-lean: | firmware firmware-rp2
	$(MAKE) --no-print-directory USSL_ENGINE=lean $(FIRMWARE)/MPS2_AN385-lean/firmware.elf

# `make test` builds the firmware images on one job slot and, on the other, runs the lean suite
# and the 1.25 tree's and builds the reference binaries and images bench-smoke compares with (the
# suites' peers keep them waiting most of the time); then the firmware tests.
lean-and-firmware: venv rp2040js
	$(MAKE) --no-print-directory -j2 --output-sync=target firmware-all beside-firmware
	MICROPY_DIR=$(MPY_DIR) $(PY) -m pytest -q tests_fw

beside-firmware:
	$(MAKE) --no-print-directory test-lean
	$(MAKE) --no-print-directory test-1.25
	$(MAKE) --no-print-directory reference firmware-baseline $(FIRMWARE)/MPS2_AN385-mbedtls/firmware.elf

# The Debian 1.25 tree keeps building and passes a smoke subset of the suite.
test-1.25:
	$(MAKE) --no-print-directory MPY_SOURCE=debian unix-port
	MICROPY_DIR=$(BUILD)/micropython-src MICROPYTHON=$(BUILD)/unix-ussl-1.25.0/micropython \
	  $(PY) -m pytest -q tests_py/test_client.py tests_py/test_server.py tests_py/test_sessions.py tests_py/test_session_bytes.py

# The client build profile builds and passes what it keeps of the suite (and names what it leaves out).
PROFILE_TESTS := tests_py/test_profiles.py tests_py/test_client.py tests_py/test_sessions.py tests_py/test_session_bytes.py
test-profiles: venv
	$(MAKE) --no-print-directory USSL_PROFILE=client build/micropython-client
	MICROPY_DIR=$(MPY_DIR) MICROPYTHON=$(BUILD)/micropython-client $(PY) -m pytest -q $(PROFILE_TESTS) \
	  -k "not getpeercert and not verified_round_trip and not our_server"

# The lean engine (USSL_ENGINE=lean, embedded-tls): the whole suite, with what it leaves out
# skipped by name (tests_py/conftest.py, LEAN_UNSUPPORTED), and its own tests (test_lean.py).
test-lean: venv
	$(MAKE) --no-print-directory USSL_ENGINE=lean build/micropython-lean
	MICROPY_DIR=$(MPY_DIR) MICROPYTHON=$(BUILD)/micropython-lean $(PY) -m pytest -q tests_py

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

# The RPI_PICO_W images (ours, its lean engine's, the stock one) side by side in the RP2040
# emulator: bench/results-rp2.json, which BENCHMARKS.md's RPI_PICO_W section is made from.
bench-rp2: firmware-rp2 firmware-rp2-stock rp2040js venv
	$(MAKE) --no-print-directory USSL_ENGINE=lean firmware-rp2
	$(PY) bench/rp2/pico_bench.py --json bench/results-rp2.json ussl=$(FIRMWARE)/RPI_PICO_W/firmware.uf2 \
	  lean=$(FIRMWARE)/RPI_PICO_W-lean/firmware.uf2 stock=$(FIRMWARE)/RPI_PICO_W-mbedtls/firmware.bin

# Side by side with MicroPython's mbedTLS module; never part of `make test` (bench-smoke is).
bench: $(BENCH_DEPS) firmware-bench venv bench-rp2
	$(VENV)/bin/pip install -q matplotlib==3.9.2
	$(PY) bench/qemu_bench.py
	$(PY) bench/run.py --full

bench-smoke: $(BENCH_DEPS) firmware-bench firmware-rp2 rp2040js venv
	$(PY) bench/run.py --smoke
	$(PY) bench/qemu_bench.py --smoke
	$(PY) bench/rp2/pico_bench.py --smoke ussl=$(FIRMWARE)/RPI_PICO_W/firmware.uf2

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
