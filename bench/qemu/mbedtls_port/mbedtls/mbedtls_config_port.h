// mbedTLS for the qemu boards (bench only), configured as MicroPython's bare-metal ports do.
#ifndef USSL_BENCH_MBEDTLS_CONFIG_PORT_H
#define USSL_BENCH_MBEDTLS_CONFIG_PORT_H

#include <time.h>
extern time_t ussl_bench_time(time_t *timer);
#define MBEDTLS_PLATFORM_TIME_MACRO ussl_bench_time
#define MBEDTLS_PLATFORM_MS_TIME_ALT mbedtls_ms_time

#define MICROPY_MBEDTLS_CONFIG_BARE_METAL (1)

#include "extmod/mbedtls/mbedtls_config_common.h"

#endif
