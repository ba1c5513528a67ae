// mbedTLS for the qemu boards (bench only), configured as MicroPython's rp2 port configures it
// (ports/rp2/mbedtls/mbedtls_config_port.h): the bare-metal common configuration plus
// MBEDTLS_ECP_NIST_OPTIM, the fast reduction modulo the NIST primes (ESP-IDF enables it too):
// without it mbedTLS's P-256 is several times slower than on the boards users own.
#ifndef USSL_BENCH_MBEDTLS_CONFIG_PORT_H
#define USSL_BENCH_MBEDTLS_CONFIG_PORT_H

#include <time.h>
extern time_t ussl_bench_time(time_t *timer);
#define MBEDTLS_PLATFORM_TIME_MACRO ussl_bench_time
#define MBEDTLS_PLATFORM_MS_TIME_ALT mbedtls_ms_time

#define MBEDTLS_ECP_NIST_OPTIM

#define MICROPY_MBEDTLS_CONFIG_BARE_METAL (1)

#include "extmod/mbedtls/mbedtls_config_common.h"

#endif
