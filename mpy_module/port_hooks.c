// The hooks the Rust engine calls for entropy, wall-clock time, thread identity and a fatal
// stop. They run inside Rust frames, so they never raise. One branch per kind of port:
//   unix/macOS        getrandom(2), the system clock
//   qemu boards       the host's /dev/urandom and clock through semihosting (see
//                     port_semihosting.h; the port runs qemu with -semihosting)
//   ESP32 (ESP-IDF)   esp_fill_random, the port's RTC through mp_hal_time_ns
//   RP2 (pico-sdk)    pico_rand, the port's RTC through mp_hal_time_ns
//   other ports       the port's hardware RNG (MICROPY_HW_ENABLE_RNG), mp_hal_time_ns
// A port that matches none fails to compile: there is no fallback to a fixed seed. A clock that
// was never set reads as a date before 2024, which the engine refuses for verification.
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include "py/mpconfig.h"
#include "py/gc.h"
#include "py/mphal.h"
#include "py/mpthread.h"
#include "ussl_engine.h"

// The engine allocates through m_tracked_calloc/m_tracked_free.
#if !MICROPY_TRACKED_ALLOC
#error "ussl needs MICROPY_TRACKED_ALLOC=1 in the port's mpconfigport.h"
#endif

#if defined(QEMU_SOC_MPS2) || defined(QEMU_SOC_VIRT)
#define USSL_PORT_SEMIHOSTING (1)
#include "port_semihosting.h"
#endif

// Fills buf from a source that yields 32 bits at a time.
static inline void fill_from_words(uint8_t *buf, size_t len, uint32_t (*next)(void)) {
    while (len > 0) {
        uint32_t r = next();
        size_t n = len < 4 ? len : 4;
        for (size_t i = 0; i < n; i++) {
            buf[i] = (uint8_t)(r >> (8 * i));
        }
        buf += n;
        len -= n;
    }
}

#if defined(__unix__) || defined(__APPLE__)
#include <errno.h>
#include <sys/random.h>

int32_t ussl_port_random(uint8_t *buf, size_t len) {
    while (len > 0) {
        ssize_t n = getrandom(buf, len, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}
#elif USSL_PORT_SEMIHOSTING
int32_t ussl_port_random(uint8_t *buf, size_t len) {
    return semihosting_read_host_entropy(buf, len);
}
#elif defined(ESP_PLATFORM)
#include "esp_random.h"
int32_t ussl_port_random(uint8_t *buf, size_t len) {
    esp_fill_random(buf, len);
    return 0;
}
#elif defined(PICO_BUILD)
#include "pico/rand.h"
int32_t ussl_port_random(uint8_t *buf, size_t len) {
    fill_from_words(buf, len, get_rand_32);
    return 0;
}
#elif MICROPY_HW_ENABLE_RNG
#include "rng.h"
int32_t ussl_port_random(uint8_t *buf, size_t len) {
    fill_from_words(buf, len, rng_get);
    return 0;
}
#else
#error "ussl: this port has no known hardware RNG; define ussl_port_random() for it (port_hooks.c)"
#endif

#if USSL_PORT_SEMIHOSTING
int32_t ussl_port_time(int64_t *secs) {
    return semihosting_host_time(secs);
}
#else
int32_t ussl_port_time(int64_t *secs) {
    *secs = (int64_t)(mp_hal_time_ns() / 1000000000ULL);
    return 0;
}
#endif

size_t ussl_port_thread_id(void) {
    #if MICROPY_PY_THREAD
    // Never 0: the engine uses 0 for "no owner".
    return (size_t)mp_thread_get_state() | 1;
    #else
    return 1;
    #endif
}

// Non-zero inside a garbage collection on this thread (finalisers run there, holding the GC
// lock): the engine must not wait for its heap lock then (src/deferred.rs).
int32_t ussl_port_collecting(void) {
    return gc_is_locked();
}

// The engine's panic handler ends here. No input reaches it; it is the last line of defence
// and must not return into Rust.
void ussl_port_fatal(void) {
    mp_hal_stdout_tx_str("ussl: fatal error in the TLS engine\r\n");
    #if USSL_PORT_SEMIHOSTING
    semihosting_exit(134);
    for (;;) {
    }
    #else
    abort();
    #endif
}
