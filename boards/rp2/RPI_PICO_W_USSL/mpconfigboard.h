// Raspberry Pi Pico W with ussl as its TLS module: the stock RPI_PICO_W board, with MicroPython's
// own mbedTLS TLS module left out (MICROPY_PY_SSL 0), so `tls` and `ssl` are ussl's. The port
// keeps MICROPY_SSL_MBEDTLS on, but hashlib and cryptolib are ussl's too (mpy_module/
// micropython.cmake takes extmod's out and leaves the port's mbedTLS library empty).
#include "boards/RPI_PICO_W/mpconfigboard.h"

#undef MICROPY_HW_BOARD_NAME
#define MICROPY_HW_BOARD_NAME                   "Raspberry Pi Pico W with ussl"

#define MICROPY_PY_SSL                          (0)
