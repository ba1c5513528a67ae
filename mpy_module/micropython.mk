# ussl as a MicroPython user C module, for make-based ports (unix, qemu, stm32, nrf, ...).
# Build the engine for the port's target first (see README, "Adding ussl to a firmware"):
#   cargo rustc --lib --crate-type staticlib --release --features micropython [--target <triple>]
#   (`cargo rustc --crate-type staticlib`, not `cargo build`: with the rlib the tests need beside
#   it, cargo skips link-time optimisation, and the archive is a third bigger)
# with MICROPY_DIR (and MICROPY_PORT_DIR, MICROPY_VARIANT_DIR) set, then pass its archive as
# USSL_LIB=... together with USER_C_MODULES=<this repository>.
USSL_MOD_DIR := $(USERMOD_DIR)
USSL_COMMA := ,
USSL_LIB ?= $(USSL_MOD_DIR)/../target/release/libussl.a

SRC_USERMOD_C += $(USSL_MOD_DIR)/modussl.c
SRC_USERMOD_C += $(USSL_MOD_DIR)/ssl_socket.c
SRC_USERMOD_C += $(USSL_MOD_DIR)/handshake.c
SRC_USERMOD_C += $(USSL_MOD_DIR)/socket_io.c
SRC_USERMOD_C += $(USSL_MOD_DIR)/port_hooks.c
SRC_USERMOD_C += $(USSL_MOD_DIR)/port_atomics.c
SRC_USERMOD_C += $(USSL_MOD_DIR)/workspace_blocks.c
SRC_USERMOD_C += $(USSL_MOD_DIR)/session.c
SRC_USERMOD_C += $(USSL_MOD_DIR)/modtls.c
SRC_USERMOD_C += $(USSL_MOD_DIR)/errors.c
SRC_USERMOD_C += $(USSL_MOD_DIR)/loader.c

# hashlib and cryptolib over the engine (README, "hashlib and cryptolib") instead of extmod's
# (which use mbedTLS or lib/crypto-algorithms): on by default. USSL_PYCRYPTO=0 keeps the port's
# own, for a port that links mbedTLS for other reasons anyway (ESP-IDF's TLS, for one).
# The -D flags reach every file of the port (py.mk adds CFLAGS_USERMOD to CFLAGS), extmod's two
# modules and the module table's scan included, so theirs compile to nothing.
USSL_PYCRYPTO ?= 1
ifeq ($(USSL_PYCRYPTO),1)
SRC_USERMOD_C += $(USSL_MOD_DIR)/pyhashlib.c
SRC_USERMOD_C += $(USSL_MOD_DIR)/pycryptolib.c
CFLAGS_USERMOD += -DMICROPY_PY_HASHLIB=0 -DMICROPY_PY_CRYPTOLIB=0
endif

# The engine's build profile or features (README, "Build profiles"), as the archive was built
# with: the shim leaves out its getpeercert() dict without `certinfo`.
USSL_FEATURES ?= full
USSL_HAS_CERTINFO := $(if $(filter full certinfo,$(subst $(USSL_COMMA), ,$(USSL_FEATURES))),1,0)
ifeq ($(USSL_HAS_CERTINFO),1)
SRC_USERMOD_C += $(USSL_MOD_DIR)/certdict.c
endif
CFLAGS_USERMOD += -DUSSL_HAS_CERTINFO=$(USSL_HAS_CERTINFO)
# USSL_BENCH=1 adds ussl._memory(), the engine's allocation counters, for make bench.
USSL_BENCH ?= 0
CFLAGS_USERMOD += -DUSSL_BENCH=$(USSL_BENCH)

# The engine allocates through m_tracked_calloc/m_tracked_free. Spelled as ports spell it, so a
# port that defines it too sees an identical redefinition, not a conflicting one.
CFLAGS_USERMOD += -I$(USSL_MOD_DIR) '-DMICROPY_TRACKED_ALLOC=(1)'

# Some ports (qemu, ...) put LDFLAGS before the objects, where an archive would be searched
# before anything needs it: name every entry point of the engine so it is always searched.
USSL_PAREN := (
USSL_ENTRY_POINTS := $(shell sed -n 's/^[a-z_0-9 ]*[ *]\(ussl_[a-z0-9_]*\)$(USSL_PAREN).*/\1/p' $(USSL_MOD_DIR)/ussl_engine.h)
ifneq ($(USSL_PYCRYPTO),1)
USSL_ENTRY_POINTS := $(filter-out ussl_hash_% ussl_aes_%,$(USSL_ENTRY_POINTS))
endif
# On the unix port -lm goes first: otherwise the weak sqrt/floor/... of Rust's
# compiler_builtins inside the archive replace libm's.
USSL_LIBM ?= $(if $(filter unix,$(notdir $(CURDIR))),-lm)
LDFLAGS_USERMOD += $(USSL_LIBM) $(addprefix -Wl$(USSL_COMMA)--undefined=,$(USSL_ENTRY_POINTS)) $(USSL_LIB)

# Relink when the engine changes: the port's link rule does not know the archive, but it
# does know this object.
ifneq ($(wildcard $(USSL_LIB)),)
$(BUILD)/$(patsubst $(USER_C_MODULES)/%,%,$(USSL_MOD_DIR))/port_hooks.o: $(USSL_LIB)
endif
