// LD_PRELOAD malloc accounting for `make bench`: counts the C heap the process holds (by
// malloc_usable_size) and its peak, readable from MicroPython through ffi:
//   mc_current(), mc_peak(), mc_reset_peak().
// MicroPython's unix port links mbedTLS dynamically and mbedTLS calls malloc, so this is how its
// memory is really spent; ours should stay near zero (the engine uses MicroPython's heap).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static atomic_long current, peak;

// dlsym itself may call calloc before real_calloc is known: serve that from a static buffer.
static char bootstrap[4096];
static size_t bootstrap_used;

static void init(void) {
    if (real_malloc == NULL) {
        real_calloc = dlsym(RTLD_NEXT, "calloc");
        real_malloc = dlsym(RTLD_NEXT, "malloc");
        real_realloc = dlsym(RTLD_NEXT, "realloc");
        real_free = dlsym(RTLD_NEXT, "free");
    }
}

static int from_bootstrap(void *p) {
    return (char *)p >= bootstrap && (char *)p < bootstrap + sizeof(bootstrap);
}

static void add(void *p) {
    if (p != NULL) {
        long now = atomic_fetch_add(&current, (long)malloc_usable_size(p)) + (long)malloc_usable_size(p);
        long seen = atomic_load(&peak);
        while (now > seen && !atomic_compare_exchange_weak(&peak, &seen, now)) {
        }
    }
}

static void sub(void *p) {
    if (p != NULL && !from_bootstrap(p)) {
        atomic_fetch_sub(&current, (long)malloc_usable_size(p));
    }
}

void *malloc(size_t n) {
    init();
    void *p = real_malloc(n);
    add(p);
    return p;
}

void *calloc(size_t a, size_t b) {
    if (real_calloc == NULL) {
        size_t n = a * b;
        if (bootstrap_used + n > sizeof(bootstrap)) {
            return NULL;
        }
        void *p = bootstrap + bootstrap_used;
        bootstrap_used += (n + 15) & ~(size_t)15;
        return p;
    }
    void *p = real_calloc(a, b);
    add(p);
    return p;
}

void *realloc(void *old, size_t n) {
    init();
    if (from_bootstrap(old)) {
        void *p = malloc(n);
        if (p != NULL) {
            memcpy(p, old, n);
        }
        return p;
    }
    sub(old);
    void *p = real_realloc(old, n);
    add(p != NULL ? p : (n == 0 ? NULL : old));
    return p;
}

void free(void *p) {
    init();
    if (from_bootstrap(p)) {
        return;
    }
    sub(p);
    real_free(p);
}

long mc_current(void) {
    return atomic_load(&current);
}

long mc_peak(void) {
    return atomic_load(&peak);
}

void mc_reset_peak(void) {
    atomic_store(&peak, atomic_load(&current));
}
