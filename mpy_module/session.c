// ussl.SSLSession (a saved client session) and the server state that server contexts of the
// same settings share. Both only own an engine handle; the engine does the rest.
#include <string.h>

#include "py/runtime.h"
#include "ussl_shim.h"

typedef struct _ussl_session_obj_t {
    mp_obj_base_t base;
    ussl_session *session;
} ussl_session_obj_t;

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
};
static MP_DEFINE_CONST_DICT(session_locals_dict, session_locals_dict_table);

MP_DEFINE_CONST_OBJ_TYPE(
    ussl_session_type,
    MP_QSTR_SSLSession,
    MP_TYPE_FLAG_NONE,
    print, session_print,
    locals_dict, &session_locals_dict
    );

mp_obj_t ussl_session_new(ussl_session *session) {
    ussl_session_obj_t *o = mp_obj_malloc_with_finaliser(ussl_session_obj_t, &ussl_session_type);
    o->session = session;
    return MP_OBJ_FROM_PTR(o);
}

ussl_session *ussl_session_get(mp_obj_t obj) {
    if (!mp_obj_is_type(obj, &ussl_session_type)) {
        mp_raise_TypeError(MP_ERROR_TEXT("saved_session must be an SSLSession from ussl.save_session()"));
    }
    return ((ussl_session_obj_t *)MP_OBJ_TO_PTR(obj))->session;
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
