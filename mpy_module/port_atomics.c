// Compare-and-swap for cores that have none (Cortex-M0+, the RP2040's core). rustls needs
// alloc::sync::Arc, which needs atomic compare-and-swap; the engine is built for these cores with
// a target that lets LLVM call these functions (targets/thumbv6m-none-eabi-cas.json), and they
// run under MicroPython's atomic section: interrupts off, and on the RP2040 also the hardware
// spinlock that keeps the other core out. Only the widths and operations the engine uses.
#include <stdint.h>
#include "py/mpconfig.h"
#include "py/mphal.h"

#if defined(__ARM_ARCH_6M__)

// The prototypes are GCC's own for these builtins (a pointer to volatile void).
unsigned int __sync_val_compare_and_swap_4(volatile void *p, unsigned int expected, unsigned int desired) {
    volatile unsigned int *ptr = p;
    mp_uint_t state = MICROPY_BEGIN_ATOMIC_SECTION();
    unsigned int old = *ptr;
    if (old == expected) {
        *ptr = desired;
    }
    MICROPY_END_ATOMIC_SECTION(state);
    return old;
}

unsigned char __sync_val_compare_and_swap_1(volatile void *p, unsigned char expected, unsigned char desired) {
    volatile unsigned char *ptr = p;
    mp_uint_t state = MICROPY_BEGIN_ATOMIC_SECTION();
    unsigned char old = *ptr;
    if (old == expected) {
        *ptr = desired;
    }
    MICROPY_END_ATOMIC_SECTION(state);
    return old;
}

unsigned int __sync_fetch_and_add_4(volatile void *p, unsigned int value) {
    volatile unsigned int *ptr = p;
    mp_uint_t state = MICROPY_BEGIN_ATOMIC_SECTION();
    unsigned int old = *ptr;
    *ptr = old + value;
    MICROPY_END_ATOMIC_SECTION(state);
    return old;
}

unsigned int __sync_fetch_and_sub_4(volatile void *p, unsigned int value) {
    volatile unsigned int *ptr = p;
    mp_uint_t state = MICROPY_BEGIN_ATOMIC_SECTION();
    unsigned int old = *ptr;
    *ptr = old - value;
    MICROPY_END_ATOMIC_SECTION(state);
    return old;
}

// Not a GCC builtin: LLVM's name for an unsigned maximum.
unsigned int __sync_fetch_and_umax_4(volatile void *p, unsigned int value) {
    volatile unsigned int *ptr = p;
    mp_uint_t state = MICROPY_BEGIN_ATOMIC_SECTION();
    unsigned int old = *ptr;
    if (value > old) {
        *ptr = value;
    }
    MICROPY_END_ATOMIC_SECTION(state);
    return old;
}

#endif
