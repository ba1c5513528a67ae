// The one place the shim reads a context's inputs from Python objects and hands them to it:
// certificates, keys and CA bundles (bytes, PEM or DER; PEM text, as the engine tells it from
// a path; or an object whose read() returns them), ALPN protocol and suite name lists (arrays
// of byte strings). The engine parses and checks them; this only gets the bytes.
#include <string.h>

#include "py/runtime.h"
#include "py/builtin.h"
#include "py/stream.h"
#include "ussl_shim.h"

static mp_obj_t read_file(mp_obj_t path) {
    // open() raises OSError(ENOENT) for a missing file, as users expect.
    mp_obj_t args[2] = { path, MP_OBJ_NEW_QSTR(MP_QSTR_rb) };
    mp_obj_t f = mp_builtin_open(2, args, (mp_map_t *)&mp_const_empty_map);
    nlr_buf_t nlr;
    mp_obj_t data = mp_const_none;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t read[2];
        mp_load_method(f, MP_QSTR_read, read);
        data = mp_call_method_n_kw(0, 0, read);
        nlr_pop();
    } else {
        mp_stream_close(f);
        nlr_jump(nlr.ret_val);
    }
    mp_stream_close(f);
    return data;
}

// The bytes of `source`, as a bytes object.
static mp_obj_t load_data(mp_obj_t source) {
    if (mp_obj_is_type(source, &mp_type_bytes) || mp_obj_is_type(source, &mp_type_bytearray)
        || mp_obj_is_type(source, &mp_type_memoryview)) {
        mp_buffer_info_t buf;
        mp_get_buffer_raise(source, &buf, MP_BUFFER_READ);
        return mp_obj_new_bytes(buf.buf, buf.len);
    }
    if (mp_obj_is_str(source)) {
        size_t len;
        const char *s = mp_obj_str_get_data(source, &len);
        if (ussl_looks_like_pem((const uint8_t *)s, len)) {
            return mp_obj_new_bytes((const byte *)s, len);
        }
        return read_file(source);
    }
    mp_obj_t read[2];
    mp_load_method_maybe(source, MP_QSTR_read, read);
    if (read[0] != MP_OBJ_NULL) {
        mp_obj_t data = mp_call_method_n_kw(0, 0, read);
        if (mp_obj_is_str(data) || mp_obj_is_type(data, &mp_type_bytes) || mp_obj_is_type(data, &mp_type_bytearray)) {
            mp_buffer_info_t buf;
            mp_get_buffer_raise(data, &buf, MP_BUFFER_READ);
            return mp_obj_new_bytes(buf.buf, buf.len);
        }
        mp_raise_TypeError(MP_ERROR_TEXT("read() must return bytes or str"));
    }
    // Anything else: the TypeError MicroPython gives for a non-str where a path is expected,
    // word for word what mainline's module raises.
    mp_obj_str_get_str(source);
    mp_raise_TypeError(MP_ERROR_TEXT("expected a path, bytes or an object with read()"));
}

void ussl_load_ca(ussl_context *ctx, mp_obj_t source) {
    mp_buffer_info_t buf;
    mp_get_buffer_raise(load_data(source), &buf, MP_BUFFER_READ);
    ussl_check(ussl_context_add_ca(ctx, buf.buf, buf.len));
}

void ussl_load_cert_chain(ussl_context *ctx, mp_obj_t cert_source, mp_obj_t key_source) {
    // The key first, as mainline does: a bad key is reported before a missing certificate.
    mp_buffer_info_t cert, key;
    mp_get_buffer_raise(load_data(key_source), &key, MP_BUFFER_READ);
    ussl_check(ussl_check_private_key(key.buf, key.len));
    mp_get_buffer_raise(load_data(cert_source), &cert, MP_BUFFER_READ);
    ussl_check(ussl_context_set_certificate(ctx, cert.buf, cert.len, key.buf, key.len));
}

// Calls `set` with the items of a list (or tuple) of str, as an array of byte strings.
static void load_names(ussl_context *ctx, mp_obj_t list, ussl_result (*set)(ussl_context *, const ussl_bytes *, size_t)) {
    size_t n;
    mp_obj_t *items;
    mp_obj_get_array(list, &n, &items);
    ussl_bytes *names = m_new(ussl_bytes, n);
    for (size_t i = 0; i < n; i++) {
        names[i].ptr = (const uint8_t *)mp_obj_str_get_data(items[i], &names[i].len);
    }
    uint32_t rc = set(ctx, names, n);
    m_del(ussl_bytes, names, n);
    ussl_check(rc);
}

void ussl_load_alpn(ussl_context *ctx, mp_obj_t protocols) {
    load_names(ctx, protocols, ussl_context_set_alpn);
}

void ussl_load_ciphers(ussl_context *ctx, mp_obj_t names) {
    load_names(ctx, names, ussl_context_set_ciphers);
}

void ussl_load_groups(ussl_context *ctx, mp_obj_t names) {
    load_names(ctx, names, ussl_context_set_groups);
}
