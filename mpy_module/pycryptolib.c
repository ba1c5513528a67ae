// cryptolib over the engine (src/pycrypto, ussl_aes_*): aes with MicroPython's own API and
// errors (extmod/modcryptolib.c): ECB, CBC and CTR, 16- or 32-byte keys, encrypt/decrypt into a
// new bytes object or a given buffer (the input's own memory included). The rules (modes, key
// and IV lengths, whole blocks, one direction per object) are the engine's. Built instead of
// extmod's module (micropython.mk, micropython.cmake).
#include "py/runtime.h"
#include "ussl_shim.h"

typedef struct {
    mp_obj_base_t base;
    // The engine's state, ussl_aes_state_size() bytes: it aligns inside them itself.
    uintptr_t state[];
} ussl_aes_obj_t;

static mp_obj_t aes_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 2, 3, false);
    mp_int_t mode = mp_obj_get_int(args[1]);
    mp_buffer_info_t key;
    mp_get_buffer_raise(args[0], &key, MP_BUFFER_READ);
    mp_buffer_info_t iv = { .buf = NULL, .len = 0 };
    if (n_args > 2 && args[2] != mp_const_none) {
        mp_get_buffer_raise(args[2], &iv, MP_BUFFER_READ);
    }
    ussl_aes_obj_t *o = mp_obj_malloc_var(ussl_aes_obj_t, state, uint8_t, ussl_aes_state_size(), type);
    // A mode that does not fit in 32 bits is as unknown as any other.
    uint32_t engine_mode = (mode < 0 || (mp_uint_t)mode > UINT32_MAX) ? 0 : (uint32_t)mode;
    ussl_check(ussl_aes_init((uint8_t *)o->state, key.buf, key.len, engine_mode, iv.buf, iv.len));
    return MP_OBJ_FROM_PTR(o);
}

static mp_obj_t aes_process(size_t n_args, const mp_obj_t *args, bool encrypt) {
    ussl_aes_obj_t *self = MP_OBJ_TO_PTR(args[0]);
    mp_buffer_info_t in;
    mp_get_buffer_raise(args[1], &in, MP_BUFFER_READ);
    if (n_args > 2) {
        mp_buffer_info_t out;
        mp_get_buffer_raise(args[2], &out, MP_BUFFER_WRITE);
        ussl_check(ussl_aes_crypt((uint8_t *)self->state, encrypt, in.buf, in.len, out.buf, out.len));
        return args[2];
    }
    vstr_t vstr;
    vstr_init_len(&vstr, in.len);
    ussl_check(ussl_aes_crypt((uint8_t *)self->state, encrypt, in.buf, in.len, (uint8_t *)vstr.buf, in.len));
    return mp_obj_new_bytes_from_vstr(&vstr);
}

static mp_obj_t aes_encrypt(size_t n_args, const mp_obj_t *args) {
    return aes_process(n_args, args, true);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(aes_encrypt_obj, 2, 3, aes_encrypt);

static mp_obj_t aes_decrypt(size_t n_args, const mp_obj_t *args) {
    return aes_process(n_args, args, false);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(aes_decrypt_obj, 2, 3, aes_decrypt);

static const mp_rom_map_elem_t aes_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_encrypt), MP_ROM_PTR(&aes_encrypt_obj) },
    { MP_ROM_QSTR(MP_QSTR_decrypt), MP_ROM_PTR(&aes_decrypt_obj) },
};
static MP_DEFINE_CONST_DICT(aes_locals, aes_locals_table);

static MP_DEFINE_CONST_OBJ_TYPE(ussl_aes_type, MP_QSTR_aes, MP_TYPE_FLAG_NONE,
    make_new, aes_make_new, locals_dict, &aes_locals);

// MODE_ECB, MODE_CBC and MODE_CTR on every port (extmod has them where the port turns on
// MICROPY_PY_CRYPTOLIB_CONSTS and _CTR): the engine has CTR anyway.
static const mp_rom_map_elem_t cryptolib_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_cryptolib) },
    { MP_ROM_QSTR(MP_QSTR_aes), MP_ROM_PTR(&ussl_aes_type) },
    { MP_ROM_QSTR(MP_QSTR_MODE_ECB), MP_ROM_INT(USSL_AES_MODE_ECB) },
    { MP_ROM_QSTR(MP_QSTR_MODE_CBC), MP_ROM_INT(USSL_AES_MODE_CBC) },
    { MP_ROM_QSTR(MP_QSTR_MODE_CTR), MP_ROM_INT(USSL_AES_MODE_CTR) },
};
static MP_DEFINE_CONST_DICT(cryptolib_globals, cryptolib_globals_table);

const mp_obj_module_t ussl_module_cryptolib = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&cryptolib_globals,
};

// Extensible, as extmod's: `ucryptolib` keeps working.
MP_REGISTER_EXTENSIBLE_MODULE(MP_QSTR_cryptolib, ussl_module_cryptolib);
