// ussl.SSLSession (a saved client session) and the server state that server contexts of the
// same settings share. Both only own an engine handle; the engine does the rest.
#include <string.h>

#include "py/runtime.h"
#include "ussl_shim.h"

typedef struct _ussl_session_obj_t {
    mp_obj_base_t base;
    ussl_session *session;
    // Every distinct serialization handed out through the buffer protocol: a memoryview of
    // the session points into one of them, so they live as long as the session object.
    mp_obj_t buffers;
} ussl_session_obj_t;

static ussl_session_obj_t *get_session(mp_obj_t self_in) {
    ussl_session_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->session == NULL) {
        mp_raise_ValueError(MP_ERROR_TEXT("the session was freed"));
    }
    return self;
}

// SSLSession(data): rebuilds a session from the bytes of serialize() (PR #12780's API).
static mp_obj_t session_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 1, false);
    mp_buffer_info_t data;
    mp_get_buffer_raise(args[0], &data, MP_BUFFER_READ);
    ussl_session *session = NULL;
    ussl_check(ussl_session_from_bytes(data.buf, data.len, &session));
    return ussl_session_new(session);
}

// serialize(): the bytes SSLSession(data) takes, to keep across a deep sleep or a reboot.
static mp_obj_t session_serialize(mp_obj_t self_in) {
    ussl_session_obj_t *self = get_session(self_in);
    const uint8_t *data = NULL;
    size_t len = 0;
    ussl_check(ussl_session_serialize(self->session, &data, &len));
    return mp_obj_new_bytes(data, len);
}
static MP_DEFINE_CONST_FUN_OBJ_1(session_serialize_obj, session_serialize);

static mp_int_t session_get_buffer(mp_obj_t self_in, mp_buffer_info_t *bufinfo, mp_uint_t flags) {
    if (flags & MP_BUFFER_WRITE) {
        return 1;
    }
    ussl_session_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_obj_t bytes = session_serialize(self_in);
    if (self->buffers == MP_OBJ_NULL) {
        self->buffers = mp_obj_new_list(0, NULL);
    }
    size_t n = 0;
    mp_obj_t *items = NULL;
    mp_obj_list_get(self->buffers, &n, &items);
    if (n == 0 || !mp_obj_equal(items[n - 1], bytes)) {
        mp_obj_list_append(self->buffers, bytes);
    } else {
        bytes = items[n - 1];
    }
    return mp_get_buffer(bytes, bufinfo, flags) ? 0 : 1;
}

static mp_obj_t session_del(mp_obj_t self_in) {
    ussl_session_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ussl_session_free(self->session);
    self->session = NULL;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(session_del_obj, session_del);

static void session_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    ussl_session_obj_t *self = MP_OBJ_TO_PTR(self_in);
    char version[16];
    size_t n = self->session != NULL ? ussl_session_version(self->session, version, sizeof(version)) : 0;
    mp_printf(print, "<SSLSession %s>", n > 0 ? version : "?");
}

static const mp_rom_map_elem_t session_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&session_del_obj) },
    { MP_ROM_QSTR(MP_QSTR_serialize), MP_ROM_PTR(&session_serialize_obj) },
};
static MP_DEFINE_CONST_DICT(session_locals_dict, session_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    ussl_session_type,
    MP_QSTR_SSLSession,
    MP_TYPE_FLAG_NONE,
    make_new, session_make_new,
    print, session_print,
    buffer, session_get_buffer,
    locals_dict, &session_locals_dict
    );

mp_obj_t ussl_session_new(ussl_session *session) {
    // A full heap must not leak the engine's session: it is freed before the MemoryError goes on.
    nlr_buf_t nlr;
    if (nlr_push(&nlr) != 0) {
        ussl_session_free(session);
        nlr_jump(nlr.ret_val);
    }
    ussl_session_obj_t *o = mp_obj_malloc_with_finaliser(ussl_session_obj_t, &ussl_session_type);
    nlr_pop();
    o->session = session;
    o->buffers = MP_OBJ_NULL;
    return MP_OBJ_FROM_PTR(o);
}

ussl_session *ussl_session_get(mp_obj_t obj) {
    if (!mp_obj_is_type(obj, &ussl_session_type)) {
        mp_raise_TypeError(MP_ERROR_TEXT("the session must be an SSLSession (save_session(), .session or SSLSession(data))"));
    }
    return get_session(obj)->session;
}

// Server state, one per settings fingerprint, kept in a root pointer so that it lives as long
// as the VM (and goes with it at a soft reset, as engine memory does).
typedef struct _ussl_server_state_obj_t {
    mp_obj_base_t base;
    ussl_server_state *state;
} ussl_server_state_obj_t;

static mp_obj_t server_state_del(mp_obj_t self_in) {
    ussl_server_state_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ussl_server_state_free(self->state);
    self->state = NULL;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(server_state_del_obj, server_state_del);

static const mp_rom_map_elem_t server_state_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&server_state_del_obj) },
};
static MP_DEFINE_CONST_DICT(server_state_locals_dict, server_state_locals_dict_table);

static MP_DEFINE_CONST_OBJ_TYPE(
    ussl_server_state_type,
    MP_QSTR_SSLServerState,
    MP_TYPE_FLAG_NONE,
    locals_dict, &server_state_locals_dict
    );

// Settings a board serves with at once; beyond this the oldest states are dropped.
#define USSL_MAX_SERVER_STATES (4)

void ussl_share_server_state(ussl_context *ctx) {
    uint8_t fingerprint[32];
    if (ussl_context_fingerprint(ctx, fingerprint) != 0) {
        return;
    }
    mp_obj_t key = mp_obj_new_bytes(fingerprint, sizeof(fingerprint));
    if (MP_STATE_VM(ussl_server_states) == MP_OBJ_NULL
        || mp_obj_dict_len(MP_STATE_VM(ussl_server_states)) >= USSL_MAX_SERVER_STATES) {
        MP_STATE_VM(ussl_server_states) = mp_obj_new_dict(USSL_MAX_SERVER_STATES);
    }
    mp_obj_t states = MP_STATE_VM(ussl_server_states);
    mp_map_elem_t *elem = mp_map_lookup(mp_obj_dict_get_map(states), key, MP_MAP_LOOKUP);
    ussl_server_state_obj_t *o;
    if (elem != NULL) {
        o = MP_OBJ_TO_PTR(elem->value);
    } else {
        o = mp_obj_malloc_with_finaliser(ussl_server_state_obj_t, &ussl_server_state_type);
        o->state = NULL;
        ussl_check(ussl_server_state_new(&o->state));
        mp_obj_dict_store(states, key, MP_OBJ_FROM_PTR(o));
    }
    ussl_context_set_server_state(ctx, o->state);
}

MP_REGISTER_ROOT_POINTER(mp_obj_t ussl_server_states);
