// Port hooks for MicroPython's mbedTLS module on the qemu boards (bench only): the host's clock
// and entropy through semihosting, and the gmtime() mbedTLS needs (the port has no libc time).
#include <stdint.h>
#include <stddef.h>
#include <time.h>

#include "py/mpconfig.h"

#if MICROPY_PY_SSL && MICROPY_SSL_MBEDTLS
#include "mbedtls/mbedtls_config_port.h"
#include "mbedtls/platform_time.h"
#include "port_semihosting.h"

time_t ussl_bench_time(time_t *timer) {
    int64_t secs = 0;
    semihosting_host_time(&secs);
    if (timer != NULL) {
        *timer = (time_t)secs;
    }
    return (time_t)secs;
}

mbedtls_ms_time_t mbedtls_ms_time(void) {
    return (mbedtls_ms_time_t)ussl_bench_time(NULL) * 1000;
}

// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
struct tm *gmtime(const time_t *timep) {
    static struct tm tm;
    int64_t t = (int64_t)*timep;
    int64_t days = t / 86400;
    int64_t rem = t % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    tm.tm_hour = (int)(rem / 3600);
    tm.tm_min = (int)(rem % 3600 / 60);
    tm.tm_sec = (int)(rem % 60);
    tm.tm_wday = (int)((days + 4) % 7 + 7) % 7;
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    tm.tm_year = (int)(y - 1900);
    tm.tm_mon = (int)(m - 1);
    tm.tm_mday = (int)d;
    tm.tm_yday = 0;
    tm.tm_isdst = 0;
    return &tm;
}

void __wrap_mp_hal_get_random(size_t n, uint8_t *buf) {
    if (semihosting_read_host_entropy(buf, n) != 0) {
        // The bench measures; it must not run on predictable randomness either.
        for (;;) {
        }
    }
}
#endif
