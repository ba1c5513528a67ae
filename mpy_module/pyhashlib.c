// hashlib over the engine (src/pycrypto, ussl_hash_*): sha256, sha1 and md5 with MicroPython's
// own API and errors (extmod/modhashlib.c), so that an image with ussl carries no second crypto
// library for them. Built instead of extmod's module (micropython.mk, micropython.cmake).
#include "py/runtime.h"
#include "ussl_shim.h"

typedef struct {
    mp_obj_base_t base;
    // The engine's state, ussl_hash_state_size() bytes: it aligns inside them itself.
    uintptr_t state[];
} ussl_hash_obj_t;

static mp_obj_t hash_update(mp_obj_t self_in, mp_obj_t data) {
    ussl_hash_obj_t *self = MP_OBJ_TO_PTR(self_in);
    // A final hash refuses before the argument is looked at, as extmod's does.
    ussl_check(ussl_hash_update((uint8_t *)self->state, NULL, 0));
    mp_buffer_info_t buf;
    mp_get_buffer_raise(data, &buf, MP_BUFFER_READ);
    ussl_check(ussl_hash_update((uint8_t *)self->state, buf.buf, buf.len));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(hash_update_obj, hash_update);

static mp_obj_t hash_digest(mp_obj_t self_in) {
    ussl_hash_obj_t *self = MP_OBJ_TO_PTR(self_in);
    uint8_t out[USSL_LIMIT_DIGEST_MAX];
    size_t len = 0;
    ussl_check(ussl_hash_digest((uint8_t *)self->state, out, sizeof(out), &len));
    return mp_obj_new_bytes(out, len);
}
static MP_DEFINE_CONST_FUN_OBJ_1(hash_digest_obj, hash_digest);

static mp_obj_t hash_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 0, 1, false);
    // The three types share this; a subclass reaches it with its native base (objtype.c).
    uint32_t kind = type->name == MP_QSTR_sha1 ? USSL_HASH_KIND_SHA1
        : type->name == MP_QSTR_md5 ? USSL_HASH_KIND_MD5 : USSL_HASH_KIND_SHA256;
    ussl_hash_obj_t *o = mp_obj_malloc_var(ussl_hash_obj_t, state, uint8_t, ussl_hash_state_size(), type);
    ussl_check(ussl_hash_init(kind, (uint8_t *)o->state));
    if (n_args == 1) {
        hash_update(MP_OBJ_FROM_PTR(o), args[0]);
    }
    return MP_OBJ_FROM_PTR(o);
}

static const mp_rom_map_elem_t hash_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_update), MP_ROM_PTR(&hash_update_obj) },
    { MP_ROM_QSTR(MP_QSTR_digest), MP_ROM_PTR(&hash_digest_obj) },
};
static MP_DEFINE_CONST_DICT(hash_locals, hash_locals_table);

static MP_DEFINE_CONST_OBJ_TYPE(hash_sha256_type, MP_QSTR_sha256, MP_TYPE_FLAG_NONE,
    make_new, hash_make_new, locals_dict, &hash_locals);
static MP_DEFINE_CONST_OBJ_TYPE(hash_sha1_type, MP_QSTR_sha1, MP_TYPE_FLAG_NONE,
    make_new, hash_make_new, locals_dict, &hash_locals);
static MP_DEFINE_CONST_OBJ_TYPE(hash_md5_type, MP_QSTR_md5, MP_TYPE_FLAG_NONE,
    make_new, hash_make_new, locals_dict, &hash_locals);

static const mp_rom_map_elem_t hashlib_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_hashlib) },
    { MP_ROM_QSTR(MP_QSTR_sha256), MP_ROM_PTR(&hash_sha256_type) },
    { MP_ROM_QSTR(MP_QSTR_sha1), MP_ROM_PTR(&hash_sha1_type) },
    { MP_ROM_QSTR(MP_QSTR_md5), MP_ROM_PTR(&hash_md5_type) },
};
static MP_DEFINE_CONST_DICT(hashlib_globals, hashlib_globals_table);

const mp_obj_module_t ussl_module_hashlib = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&hashlib_globals,
};

// Extensible, as extmod's: `uhashlib` keeps working.
MP_REGISTER_EXTENSIBLE_MODULE(MP_QSTR_hashlib, ussl_module_hashlib);
