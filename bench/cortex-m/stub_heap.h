// The MicroPython heap hooks both stand-in firmwares need: a bump allocator over a static
// array (sizes, not behaviour, are what the firmwares measure).
#ifndef BENCH_STUB_HEAP_H
#define BENCH_STUB_HEAP_H
#include <stddef.h>
#include <stdint.h>

static uint8_t heap[64 * 1024];
static size_t heap_used;

void *m_tracked_calloc(size_t nmemb, size_t size) {
    size_t n = (nmemb * size + 15) & ~(size_t)15;
    if (heap_used + n > sizeof(heap)) {
        return NULL;
    }
    void *p = heap + heap_used;
    heap_used += n;
    for (size_t i = 0; i < n; i++) {
        ((uint8_t *)p)[i] = 0;
    }
    return p;
}

void m_tracked_free(void *ptr) {
    (void)ptr;
}
#endif
