// The hooks the Rust engine calls for entropy, wall-clock time, thread identity and a fatal
// stop. They run inside Rust frames, so they never raise. One branch per kind of port:
//   unix/macOS        getrandom(2), the system clock
//   qemu boards       the host's /dev/urandom and clock through semihosting (see
//                     port_semihosting.h; the port runs qemu with -semihosting)
//   ESP32 (ESP-IDF)   esp_fill_random, the port's RTC through mp_hal_time_ns
//   RP2 (pico-sdk)    pico_rand, once the ring oscillator is seen running (RP2040); the port's
//                     RTC through mp_hal_time_ns
//   other ports       the port's hardware RNG (MICROPY_HW_ENABLE_RNG), mp_hal_time_ns
// A port that matches none fails to compile: there is no fallback to a fixed seed. A clock that
// was never set reads as a date before 2024, which the engine refuses for verification.
#include <stdbool.h>
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
#if PICO_RP2040
#include "hardware/structs/clocks.h"
#include "hardware/structs/rosc.h"
// On the RP2040 pico_rand's one input nobody can know is the ring oscillator, read a bit at a time
// through RANDOMBIT (64 bits when it seeds, one per 64-bit output after); the others are the timer,
// the bus counter, a hash of RAM at its first use and the flash's unique id. A stopped oscillator
// reads a constant, and then pico_rand's output is a function of those: the same bytes on every
// boot of an emulator, a few guessable bits of timing on a board (tests_fw/test_pico_w_entropy.py).
// And a disabled one trips pico_rand's hard_assert, which halts the board. So the oscillator is
// checked before each use: enabled, not clocking the system (pico_rand's own condition), and its
// output moving: ROSC_READS reads back to back (a few cycles apart; a running ROSC at 1.8-12 MHz
// toggles every 5-35 cycles of the 125 MHz system clock) must see both values and no run of
// ROSC_MAX_RUN equal ones. This catches a stopped or absent oscillator, not a weak running one.
#define ROSC_READS (256)
#define ROSC_MAX_RUN (128)

static bool rosc_running(void) {
    if (!(rosc_hw->status & ROSC_STATUS_ENABLED_BITS)
        || (clocks_hw->clk[clk_sys].ctrl & CLOCKS_CLK_SYS_CTRL_AUXSRC_BITS)
        == (CLOCKS_CLK_SYS_CTRL_AUXSRC_VALUE_ROSC_CLKSRC << CLOCKS_CLK_SYS_CTRL_AUXSRC_LSB)) {
        return false;
    }
    uint32_t last = rosc_hw->randombit & 1u;
    uint32_t ones = last, run = 1, longest = 1;
    for (int i = 1; i < ROSC_READS; i++) {
        uint32_t bit = rosc_hw->randombit & 1u;
        ones += bit;
        run = bit == last ? run + 1 : 1;
        longest = run > longest ? run : longest;
        last = bit;
    }
    return ones > 0 && ones < ROSC_READS && longest < ROSC_MAX_RUN;
}
#else
static bool rosc_running(void) {
    // RP2350: pico_rand draws on the TRNG, which runs its own health tests.
    return true;
}
#endif

int32_t ussl_port_random(uint8_t *buf, size_t len) {
    if (!rosc_running()) {
        return -1;
    }
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
