// The hooks the Rust engine calls for entropy, wall-clock time and thread identity. They must
// never raise: they run inside Rust frames.
#include <stdint.h>
#include <stddef.h>
#include "py/mpconfig.h"
#include "py/mphal.h"
#include "py/mpthread.h"
#include "ussl_engine.h"

// The engine allocates through m_tracked_calloc/m_tracked_free.
#if !MICROPY_TRACKED_ALLOC
#error "ussl needs MICROPY_TRACKED_ALLOC=1 in the port's mpconfigport.h"
#endif

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
#elif defined(ESP_PLATFORM)
#include "esp_random.h"
int32_t ussl_port_random(uint8_t *buf, size_t len) {
    esp_fill_random(buf, len);
    return 0;
}
#elif defined(PICO_BUILD)
#include "pico/rand.h"
int32_t ussl_port_random(uint8_t *buf, size_t len) {
    while (len > 0) {
        uint32_t r = get_rand_32();
        size_t n = len < 4 ? len : 4;
        for (size_t i = 0; i < n; i++) {
            buf[i] = (uint8_t)(r >> (8 * i));
        }
        buf += n;
        len -= n;
    }
    return 0;
}
#elif MICROPY_HW_ENABLE_RNG
#include "rng.h"
int32_t ussl_port_random(uint8_t *buf, size_t len) {
    while (len > 0) {
        uint32_t r = rng_get();
        size_t n = len < 4 ? len : 4;
        for (size_t i = 0; i < n; i++) {
            buf[i] = (uint8_t)(r >> (8 * i));
        }
        buf += n;
        len -= n;
    }
    return 0;
}
#else
#error "ussl: this port has no known hardware RNG; define ussl_port_random() for it"
#endif

int32_t ussl_port_time(int64_t *secs) {
    *secs = (int64_t)(mp_hal_time_ns() / 1000000000ULL);
    return 0;
}

uintptr_t ussl_port_thread_id(void) {
    #if MICROPY_PY_THREAD
    // Never 0: the engine uses 0 for "no owner".
    return (uintptr_t)mp_thread_get_state() | 1;
    #else
    return 1;
    #endif
}
