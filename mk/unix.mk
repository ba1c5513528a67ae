# The unix port with ussl (build/micropython), and the reference binaries `make bench` compares
# it with: the same tree with MicroPython's own mbedTLS module, and with no TLS at all.
# The engine's build profile (Cargo features; README, "Build profiles"): full (the default) or
# client; builds of other profiles get their own directories and binaries (build/micropython-client).
# The lean engine (embedded-tls, README "The lean engine") is chosen with USSL_ENGINE=lean, and
# builds as the profile `lean` (build/micropython-lean, build/firmware/<board>-lean).
ifeq ($(USSL_ENGINE),lean)
USSL_PROFILE := lean
endif
USSL_PROFILE ?= full
PROFILE_TAG := $(if $(filter full,$(USSL_PROFILE)),,-$(USSL_PROFILE))
ENGINE_FEATURES := --no-default-features --features micropython,$(USSL_PROFILE)
# The unix build's load_default_certs() trusts Mozilla's whole root set; boards get the compact one.
# It also has fault injection for the allocation walk (ussl._fail_alloc, a test build's hook).
# (Mozilla's roots are rustls's RootCertStore: the lean engine has no built-in roots.)
UNIX_COMMA := ,
UNIX_ENGINE_FEATURES := $(ENGINE_FEATURES)$(if $(filter lean,$(USSL_PROFILE)),,$(UNIX_COMMA)roots-mozilla),alloc-faults

UNIX_DIR := $(MPY_DIR)/ports/unix
UNIX_BUILD := $(BUILD)/unix-ussl-$(MPY_TAG)$(PROFILE_TAG)
# Each tree gets its own cargo target directory: the bindings are generated from its headers.
ENGINE_TARGET_DIR := $(if $(filter 1.28.0,$(MPY_TAG)),$(ROOT)/target,$(ROOT)/target/mpy-$(MPY_TAG))$(if $(PROFILE_TAG),/profile$(PROFILE_TAG))
# The 1.25 tree's build is a smoke test: its engine skips link-time optimisation (Cargo.toml,
# [profile.smoke]), which halves its build.
ENGINE_PROFILE := $(if $(filter 1.28.0,$(MPY_TAG)),release,smoke)
USSL_LIB := $(ENGINE_TARGET_DIR)/$(ENGINE_PROFILE)/libussl.a
# The binary the tests run: build/micropython for the default tree, the port's own elsewhere.
UNIX_BIN := $(if $(filter 1.28.0,$(MPY_TAG)),$(BUILD)/micropython$(PROFILE_TAG),$(UNIX_BUILD)/micropython)

ENGINE_ENV_UNIX := MICROPY_DIR=$(MPY_DIR) MICROPY_PORT_DIR=$(UNIX_DIR) \
	MICROPY_VARIANT_DIR=$(UNIX_DIR)/variants/standard MICROPY_BUILD_DIR=$(UNIX_BUILD) \
	CARGO_TARGET_DIR=$(ENGINE_TARGET_DIR)

UNIX_FLAGS := MICROPY_PY_BTREE=0 MICROPY_PY_SSL=0 MICROPY_SSL_MBEDTLS=0 \
	FROZEN_MANIFEST=$(ROOT)/mpy_module/manifest.py USER_C_MODULES=$(ROOT) \
	BUILD=$(UNIX_BUILD) USSL_LIB=$(USSL_LIB) USSL_FEATURES=$(USSL_PROFILE) USSL_BENCH=1

# The engine: a no_std staticlib; bindgen reads the tree's headers. Cargo decides what to rebuild.
engine: $(MPY_STAMP)
	@$(MAKE) --no-print-directory apt-deps
	$(ENGINE_ENV_UNIX) USSL_CHECK_HEADER=1 cargo rustc --lib --crate-type staticlib --profile $(ENGINE_PROFILE) $(UNIX_ENGINE_FEATURES)

# micropython.mk makes the port relink when the archive changes.
unix-port: engine $(MPY_CROSS)
	$(MAKE) -C $(UNIX_DIR) -j$(JOBS) $(UNIX_FLAGS) >$(UNIX_BUILD).log 2>&1 || { tail -40 $(UNIX_BUILD).log; exit 1; }
	@if [ "$(UNIX_BIN)" != "$(UNIX_BUILD)/micropython" ]; then cp $(UNIX_BUILD)/micropython $(UNIX_BIN); fi
	@echo "built $(UNIX_BIN) (MicroPython $(MPY_TAG) from $(MPY_DIR))"

build/micropython$(PROFILE_TAG): unix-port ;
port: unix-port

REF_FLAGS := MICROPY_PY_BTREE=0 MICROPY_PY_SSL=1 MICROPY_SSL_MBEDTLS=1 \
	FROZEN_MANIFEST=$(ROOT)/bench/manifest-mbedtls.py BUILD=$(BUILD)/unix-mbedtls-$(MPY_TAG)
NOTLS_FLAGS := MICROPY_PY_BTREE=0 MICROPY_PY_SSL=0 MICROPY_SSL_MBEDTLS=0 \
	FROZEN_MANIFEST=$(ROOT)/bench/manifest-notls.py BUILD=$(BUILD)/unix-notls-$(MPY_TAG)

# MicroPython's own mbedTLS module, from the tree's lib/mbedtls (statically linked; it allocates
# on the MicroPython heap through m_tracked_calloc, as ours does).
$(BUILD)/micropython-mbedtls: $(MPY_CROSS)
	@test -f $(MPY_DIR)/lib/mbedtls/include/mbedtls/ssl.h || { echo "$(MPY_DIR) has no lib/mbedtls"; exit 1; }
	$(MAKE) -C $(UNIX_DIR) -j$(JOBS) $(REF_FLAGS) >$(BUILD)/unix-mbedtls.log 2>&1 || { tail -40 $(BUILD)/unix-mbedtls.log; exit 1; }
	cp $(BUILD)/unix-mbedtls-$(MPY_TAG)/micropython $@

$(BUILD)/micropython-notls: $(MPY_CROSS)
	$(MAKE) -C $(UNIX_DIR) -j$(JOBS) $(NOTLS_FLAGS) >$(BUILD)/unix-notls.log 2>&1 || { tail -40 $(BUILD)/unix-notls.log; exit 1; }
	cp $(BUILD)/unix-notls-$(MPY_TAG)/micropython $@

reference: $(BUILD)/micropython-mbedtls $(BUILD)/micropython-notls
