# The bench-only reference image: MicroPython's own mbedTLS module on the qemu boards needs an
# mbedTLS configuration and port hooks, which the qemu port does not have. Entropy and time come
# from the host through semihosting, as they do for ussl's images.
MBEDTLS_PORT_DIR := $(USERMOD_DIR)
# mbedTLS allocates through m_tracked_calloc, as MicroPython's bare-metal ports configure it.
CFLAGS_USERMOD += -I$(MBEDTLS_PORT_DIR) -I$(MBEDTLS_PORT_DIR)/../../../mpy_module '-DMICROPY_TRACKED_ALLOC=(1)'
SRC_USERMOD_LIB_C += $(MBEDTLS_PORT_DIR)/mbedtls_port.c
# The port's own mp_hal_get_random is a fixed-seed LCG; mbedTLS's entropy goes through this.
LDFLAGS_USERMOD += -Wl,--wrap=mp_hal_get_random
