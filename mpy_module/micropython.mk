# ussl as a MicroPython user C module, for make-based ports (unix, stm32, qemu, ...).
# Build the engine first (see README): `cargo build --release --features micropython`
# with MICROPY_DIR set, or --target <triple> for a board, then point USSL_LIB at it.
USSL_MOD_DIR := $(USERMOD_DIR)
USSL_LIB ?= $(USSL_MOD_DIR)/../target/release/libussl.a

SRC_USERMOD_C += $(USSL_MOD_DIR)/modussl.c
SRC_USERMOD_C += $(USSL_MOD_DIR)/ssl_socket.c
SRC_USERMOD_C += $(USSL_MOD_DIR)/certdict.c
SRC_USERMOD_C += $(USSL_MOD_DIR)/port_hooks.c
SRC_USERMOD_C += $(USSL_MOD_DIR)/session.c
SRC_USERMOD_C += $(USSL_MOD_DIR)/modtls.c

CFLAGS_USERMOD += -I$(USSL_MOD_DIR)

# -lm first: otherwise the weak sqrt/floor/... of Rust's compiler_builtins inside the archive
# replace libm's.
LDFLAGS_USERMOD += -lm $(USSL_LIB)
