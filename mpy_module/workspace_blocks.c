// The heap blocks of the engine's workspaces (src/runtime/workspace.rs: the stack an engine call
// runs on and its reserve arena), for src/runtime/heap.rs.
//
// Why not plain tracked allocations: every engine call takes its workspace and gives it back,
// and finding a large free block costs MicroPython's allocator a walk over the heap's
// allocation table (about 90,000 cycles per block on a Pico W with a script loaded): a record
// call on an established connection cost several times what its cryptography does. So a block
// given back stays as a spare for the next call, until the next garbage collection frees it:
//  - a block is a GC object with a finaliser; while the engine uses it, it is held in a root
//    pointer (`ussl_ws_held`), so a collection keeps and scans it;
//  - a spare is held by nothing the collector sees (its address is kept inverted), so the next
//    collection sweeps it, and its finaliser forgets it first. After gc.collect() TLS holds no
//    workspace, and an allocation that finds the heap full gets the spares' memory back through
//    the collection it starts, as it does with any garbage.
// Taking and keeping spares happens under the GC's own lock on ports whose threads run without
// a GIL, so that a sweep on another thread cannot free a spare between our look and our hold.

#include <string.h>

#include "py/gc.h"
#include "py/mpstate.h"
#include "py/obj.h"
#include "py/runtime.h"

#include "ussl_engine.h"

// Blocks the engine holds at once: the arena table's (src/runtime/arenas.rs: an arena per call
// under way, those that still lend memory after their call, the kept handshake workspace's; 8
// on boards, 20 on hosts) and on boards a stack per call under way and the kept one (5). Each
// is a word of RAM outside the heap.
#define HELD_MAX (24)
// Spares kept between calls: a Light call's stack and arena.
#define SPARES (2)

MP_REGISTER_ROOT_POINTER(void *ussl_ws_held[HELD_MAX]);

typedef struct {
    mp_obj_base_t base;
    size_t size; // usable bytes after the header
} ws_block_t;

// The usable bytes start 16-byte aligned after the header.
#define HEADER (((sizeof(ws_block_t) + 15) / 16) * 16)

// Spares' addresses, inverted so that a conservative scan of this file's data (ports that scan
// .bss) does not keep them; 0 for none.
static uintptr_t spares[SPARES];

#if MICROPY_PY_THREAD && !MICROPY_PY_THREAD_GIL
#define GC_HOLD() mp_thread_recursive_mutex_lock(&MP_STATE_MEM(gc_mutex), 1)
#define GC_RELEASE() mp_thread_recursive_mutex_unlock(&MP_STATE_MEM(gc_mutex))
#else
#define GC_HOLD()
#define GC_RELEASE()
#endif

static ws_block_t *spare_at(size_t i) {
    return spares[i] ? (ws_block_t *)~spares[i] : NULL;
}

// The finaliser: a spare about to be swept is forgotten. Held blocks are never swept.
static mp_obj_t ws_block_del(mp_obj_t self_in) {
    ws_block_t *self = MP_OBJ_TO_PTR(self_in);
    for (size_t i = 0; i < SPARES; i++) {
        if (spare_at(i) == self) {
            spares[i] = 0;
        }
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(ws_block_del_obj, ws_block_del);

static const mp_rom_map_elem_t ws_block_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&ws_block_del_obj) },
};
static MP_DEFINE_CONST_DICT(ws_block_locals, ws_block_locals_table);

static MP_DEFINE_CONST_OBJ_TYPE(ws_block_type, MP_QSTR__ussl_workspace, MP_TYPE_FLAG_NONE,
    locals_dict, &ws_block_locals);

static bool hold(ws_block_t *b) {
    for (size_t i = 0; i < HELD_MAX; i++) {
        if (MP_STATE_VM(ussl_ws_held)[i] == NULL) {
            MP_STATE_VM(ussl_ws_held)[i] = b;
            return true;
        }
    }
    return false;
}

// The smallest spare of at least `size` bytes, taken out of the spares and held; NULL if none.
static ws_block_t *take_spare(size_t size) {
    GC_HOLD();
    size_t best = SPARES;
    for (size_t i = 0; i < SPARES; i++) {
        ws_block_t *s = spare_at(i);
        if (s != NULL && s->size >= size && (best == SPARES || s->size < spare_at(best)->size)) {
            best = i;
        }
    }
    ws_block_t *b = NULL;
    if (best < SPARES && hold(spare_at(best))) {
        b = spare_at(best);
        spares[best] = 0;
    }
    GC_RELEASE();
    return b;
}

uint8_t *ussl_port_ws_block(size_t size, bool *from_heap) {
    *from_heap = false;
    if (gc_is_locked()) {
        // Inside a collection (a finaliser) a spare may be one the sweep is about to free, and
        // the heap has nothing to give.
        return NULL;
    }
    ws_block_t *b = take_spare(size);
    *from_heap = b == NULL;
    if (b == NULL) {
        // gc_alloc rather than m_malloc: NULL instead of raising when the heap has no room.
        b = gc_alloc(HEADER + size, GC_ALLOC_FLAG_HAS_FINALISER);
        if (b == NULL) {
            return NULL;
        }
        b->base.type = &ws_block_type;
        b->size = size;
        GC_HOLD();
        bool held = hold(b);
        GC_RELEASE();
        if (!held) {
            gc_free(b);
            return NULL;
        }
    }
    return (uint8_t *)b + HEADER;
}

void ussl_port_ws_release(uint8_t *block) {
    ws_block_t *b = (ws_block_t *)(block - HEADER);
    GC_HOLD();
    for (size_t i = 0; i < HELD_MAX; i++) {
        if (MP_STATE_VM(ussl_ws_held)[i] == b) {
            MP_STATE_VM(ussl_ws_held)[i] = NULL;
        }
    }
    // Keep it as a spare in place of none, or of a smaller one (which the next sweep frees).
    size_t slot = SPARES;
    for (size_t i = 0; i < SPARES; i++) {
        ws_block_t *s = spare_at(i);
        if (s == NULL) {
            slot = i;
            break;
        }
        if (s->size < b->size && (slot == SPARES || s->size < spare_at(slot)->size)) {
            slot = i;
        }
    }
    if (slot < SPARES) {
        spares[slot] = ~(uintptr_t)b;
    }
    GC_RELEASE();
}
