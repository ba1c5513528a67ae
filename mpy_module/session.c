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
    const uint8_t *version = (const uint8_t *)"?";
    size_t n = self->session != NULL ? ussl_session_version(self->session, &version) : 1;
    // The engine's text is not NUL-terminated: printed by its length.
    mp_print_str(print, "<SSLSession ");
    mp_print_strn(print, (const char *)version, n, 0, ' ', 0);
    mp_print_str(print, ">");
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

// The server states server contexts share (the engine keeps one per settings, and which it
// drops beyond a few), in a root pointer so that they live as long as the VM (and go with it at
// a soft reset, as engine memory does).
typedef struct _ussl_server_states_obj_t {
    mp_obj_base_t base;
    ussl_server_states *states;
} ussl_server_states_obj_t;

static mp_obj_t server_states_del(mp_obj_t self_in) {
    ussl_server_states_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ussl_server_states_free(self->states);
    self->states = NULL;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(server_states_del_obj, server_states_del);

static const mp_rom_map_elem_t server_states_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&server_states_del_obj) },
};
static MP_DEFINE_CONST_DICT(server_states_locals_dict, server_states_locals_dict_table);

static MP_DEFINE_CONST_OBJ_TYPE(
    ussl_server_states_type,
    MP_QSTR_SSLServerState,
    MP_TYPE_FLAG_NONE,
    locals_dict, &server_states_locals_dict
    );

void ussl_share_server_state(ussl_context *ctx) {
    if (MP_STATE_VM(ussl_server_states) == MP_OBJ_NULL) {
        ussl_server_states_obj_t *o = mp_obj_malloc_with_finaliser(ussl_server_states_obj_t, &ussl_server_states_type);
        o->states = NULL;
        MP_STATE_VM(ussl_server_states) = MP_OBJ_FROM_PTR(o);
    }
    ussl_server_states_obj_t *o = MP_OBJ_TO_PTR(MP_STATE_VM(ussl_server_states));
    ussl_check(ussl_server_states_share(&o->states, ctx));
}

MP_REGISTER_ROOT_POINTER(mp_obj_t ussl_server_states);
