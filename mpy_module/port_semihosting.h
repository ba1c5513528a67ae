// Host services for the qemu boards through semihosting: entropy from the host's /dev/urandom
// and its wall clock. The qemu port runs its images with -semihosting; on real hardware without
// a debugger attached these calls would trap, so only qemu boards include this.
#ifndef USSL_PORT_SEMIHOSTING_H
#define USSL_PORT_SEMIHOSTING_H

#include <stdint.h>
#include <stddef.h>

enum {
    SEMIHOSTING_SYS_OPEN = 0x01,
    SEMIHOSTING_SYS_READ = 0x06,
    SEMIHOSTING_SYS_TIME = 0x11,
    SEMIHOSTING_SYS_EXIT = 0x18,
    SEMIHOSTING_OPEN_MODE_RB = 1,
    SEMIHOSTING_ADP_APPLICATION_EXIT = 0x20026,
};

static inline intptr_t semihosting_call(uintptr_t op, void *args) {
    #if defined(__arm__)
    register uintptr_t r0 __asm__ ("r0") = op;
    register void *r1 __asm__ ("r1") = args;
    __asm__ volatile ("bkpt 0xab" : "+r" (r0) : "r" (r1) : "memory");
    return (intptr_t)r0;
    #elif defined(__riscv)
    register uintptr_t a0 __asm__ ("a0") = op;
    register void *a1 __asm__ ("a1") = args;
    // The three instructions must be uncompressed and in one page: qemu recognises the sequence.
    __asm__ volatile (
        ".option push\n"
        ".option norvc\n"
        ".balign 16\n"
        "slli zero, zero, 0x1f\n"
        "ebreak\n"
        "srai zero, zero, 7\n"
        ".option pop\n"
        : "+r" (a0) : "r" (a1) : "memory");
    return (intptr_t)a0;
    #else
    #error "semihosting: unknown architecture"
    #endif
}

// Reads len bytes of the host's /dev/urandom (kept open). Returns 0 on success, -1 on failure.
static inline int32_t semihosting_read_host_entropy(uint8_t *buf, size_t len) {
    static intptr_t handle = -1;
    if (handle < 0) {
        static const char path[] = "/dev/urandom";
        uintptr_t open_args[3] = { (uintptr_t)path, SEMIHOSTING_OPEN_MODE_RB, sizeof(path) - 1 };
        handle = semihosting_call(SEMIHOSTING_SYS_OPEN, open_args);
        if (handle < 0) {
            return -1;
        }
    }
    while (len > 0) {
        uintptr_t read_args[3] = { (uintptr_t)handle, (uintptr_t)buf, len };
        // SYS_READ returns how many bytes were NOT read.
        intptr_t left = semihosting_call(SEMIHOSTING_SYS_READ, read_args);
        if (left < 0 || (size_t)left >= len) {
            return -1;
        }
        buf += len - (size_t)left;
        len = (size_t)left;
    }
    return 0;
}

// The host's wall clock in seconds since 1970. Returns 0 on success, -1 on failure.
static inline int32_t semihosting_host_time(int64_t *secs) {
    intptr_t t = semihosting_call(SEMIHOSTING_SYS_TIME, NULL);
    if (t == -1 || t == 0) {
        return -1;
    }
    *secs = (int64_t)(uint32_t)t;
    return 0;
}

static inline void semihosting_exit(int status) {
    #if defined(__arm__)
    // M-profile SYS_EXIT takes the reason code itself.
    (void)status;
    semihosting_call(SEMIHOSTING_SYS_EXIT, (void *)SEMIHOSTING_ADP_APPLICATION_EXIT);
    #else
    uintptr_t args[2] = { SEMIHOSTING_ADP_APPLICATION_EXIT, (uintptr_t)status };
    semihosting_call(0x20 /* SYS_EXIT_EXTENDED */, args);
    #endif
}

#endif
