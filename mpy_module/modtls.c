// The tls module: MicroPython's mainline TLS API (tls.SSLContext and friends) over the same
// engine and the same SSL socket type as ussl, so ssl.py, asyncio, requests and umqtt run on it.
#include <string.h>

#include "py/runtime.h"
#include "py/stream.h"
#include "ussl_shim.h"

#define PROTOCOL_TLS_CLIENT (0)
#define PROTOCOL_TLS_SERVER (1)

typedef struct _tls_context_obj_t {
    mp_obj_base_t base;
    ussl_context *ctx;
    ussl_socket_hooks hooks;  // verify_callback, keylog_filename, server_psk_keys, as the script set them
    mp_obj_t psk_identity;    // a client's PSK, as the script set it (applied once both are set)
    mp_obj_t psk_key;
    mp_obj_t ecdsa_sign_callback; // f(key, digest) -> DER signature or None, as mainline's
    bool server;
} tls_context_obj_t;

static mp_obj_t tls_context_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw, const mp_obj_t *args) {
    mp_arg_check_num(n_args, n_kw, 1, 1, false);
    mp_int_t protocol = mp_obj_get_int(args[0]);
    if (protocol != PROTOCOL_TLS_CLIENT && protocol != PROTOCOL_TLS_SERVER) {
        mp_raise_ValueError(MP_ERROR_TEXT("protocol must be PROTOCOL_TLS_CLIENT or PROTOCOL_TLS_SERVER"));
    }
    tls_context_obj_t *self = mp_obj_malloc_with_finaliser(tls_context_obj_t, type);
    self->ctx = NULL;
    self->hooks.verify_callback = mp_const_none;
    self->hooks.keylog_filename = mp_const_none;
    self->hooks.server_psk_keys = mp_const_none;
    self->psk_identity = mp_const_none;
    self->psk_key = mp_const_none;
    self->ecdsa_sign_callback = mp_const_none;
    self->hooks.sign_hook_owner = mp_const_none;
    self->server = protocol == PROTOCOL_TLS_SERVER;
    // Clients default to CERT_REQUIRED and servers to CERT_NONE, as in mainline MicroPython.
    ussl_check(ussl_context_new(self->server, &self->ctx));
    // Mainline's rule: a client that verifies names the server.
    ussl_check(ussl_context_set_hostname_required(self->ctx, true));
    return MP_OBJ_FROM_PTR(self);
}

static tls_context_obj_t *get_context(mp_obj_t self_in) {
    tls_context_obj_t *self = MP_OBJ_TO_PTR(self_in);
    if (self->ctx == NULL) {
        mp_raise_OSError(MP_EBADF);
    }
    return self;
}

// The client's PSK, as mainline applies it: once both psk_identity (str or bytes) and psk_key
// are set, in either order; a key over 48 bytes raises then. Either set to None turns PSK off.
static void apply_psk(tls_context_obj_t *self) {
    bool both = self->psk_identity != mp_const_none && self->psk_key != mp_const_none;
    if (self->server) {
        if (both) {
            mp_raise_ValueError(MP_ERROR_TEXT("psk_identity and psk_key are a client's: a server sets server_psk_keys"));
        }
        return;
    }
    if (!both) {
        ussl_check(ussl_context_set_psk(self->ctx, NULL, 0, NULL, 0));
        return;
    }
    size_t identity_len;
    const char *identity = mp_obj_str_get_data(self->psk_identity, &identity_len);
    mp_buffer_info_t key;
    mp_get_buffer_raise(self->psk_key, &key, MP_BUFFER_READ);
    ussl_check(ussl_context_set_psk(self->ctx, (const uint8_t *)identity, identity_len, key.buf, key.len));
}

// What setting one of the script's objects does besides keeping it.
static void apply_hook(tls_context_obj_t *self, mp_obj_t *slot, mp_obj_t value) {
    if (slot == &self->hooks.keylog_filename) {
        if (value != mp_const_none && !mp_obj_is_str(value)) {
            mp_raise_TypeError(MP_ERROR_TEXT("keylog_filename must be a str (a path) or None"));
        }
        ussl_check(ussl_context_set_key_log(self->ctx, value != mp_const_none));
    } else if (slot == &self->psk_identity || slot == &self->psk_key) {
        apply_psk(self);
    } else if (slot == &self->ecdsa_sign_callback) {
        ussl_check(ussl_context_set_sign_hook(self->ctx, value != mp_const_none ? (size_t)self : 0));
    } else if (slot == &self->hooks.server_psk_keys && self->server) {
        // As mainline: kept on a client context too, where nothing looks keys up.
        ussl_check(ussl_context_set_psk_server(self->ctx, value != mp_const_none));
    }
}

static mp_obj_t *hook_slot(tls_context_obj_t *self, qstr attr) {
    switch (attr) {
        case MP_QSTR_verify_callback:
            return &self->hooks.verify_callback;
        case MP_QSTR_keylog_filename:
            return &self->hooks.keylog_filename;
        case MP_QSTR_server_psk_keys:
            return &self->hooks.server_psk_keys;
        case MP_QSTR_psk_identity:
            return &self->psk_identity;
        case MP_QSTR_psk_key:
            return &self->psk_key;
        case MP_QSTR_ecdsa_sign_callback:
            return &self->ecdsa_sign_callback;
        default:
            return NULL;
    }
}

// verify_mode, verify_callback and the PSK attributes, as mainline's, and keylog_filename,
// CPython's.
static void tls_context_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    tls_context_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_obj_t *slot = hook_slot(self, attr);
    if (slot != NULL && self->ctx != NULL) {
        if (dest[0] == MP_OBJ_NULL) {
            dest[0] = *slot;
        } else if (dest[1] != MP_OBJ_NULL) {
            // A PSK half is kept even when the pair then fails to apply, as in mainline; the
            // others only once applied.
            if (slot == &self->psk_identity || slot == &self->psk_key) {
                *slot = dest[1];
            }
            apply_hook(self, slot, dest[1]);
            *slot = dest[1];
            dest[0] = MP_OBJ_NULL;
        }
        return;
    }
    if (attr != MP_QSTR_verify_mode || self->ctx == NULL) {
        dest[1] = MP_OBJ_SENTINEL;
        return;
    }
    if (dest[0] == MP_OBJ_NULL) {
        dest[0] = MP_OBJ_NEW_SMALL_INT(ussl_context_verify_mode(self->ctx));
    } else if (dest[1] != MP_OBJ_NULL) {
        ussl_check(ussl_context_set_verify_mode(self->ctx, (uint32_t)mp_obj_get_int(dest[1])));
        dest[0] = MP_OBJ_NULL;
    }
}

// The engine's signing hook (ussl_port_sign_hook in ussl_engine.h): the context that `token`
// names calls its ecdsa_sign_callback(key, digest), as mainline does: key and digest as
// bytearrays, a DER signature back, or None to sign with the loaded key. An exception is printed,
// as mainline prints it, and fails the handshake. Runs on the C stack between the engine's own
// frames, under nlr_push: nothing unwinds through them.
int32_t ussl_port_sign_hook(size_t token, const uint8_t *key, size_t key_len, const uint8_t *digest,
    size_t digest_len, uint8_t *sig, size_t cap, size_t *sig_len) {
    tls_context_obj_t *self = (tls_context_obj_t *)token;
    if (self == NULL || self->ecdsa_sign_callback == mp_const_none) {
        return 1;
    }
    int result = 2;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        // Copies: the script may keep them after the handshake.
        mp_obj_t ret = mp_call_function_2(self->ecdsa_sign_callback,
            mp_obj_new_bytearray(key_len, key), mp_obj_new_bytearray(digest_len, digest));
        if (ret == mp_const_none) {
            result = 1;
        } else {
            mp_buffer_info_t buf;
            mp_get_buffer_raise(ret, &buf, MP_BUFFER_READ);
            if (buf.len > 0 && buf.len <= cap) {
                memcpy(sig, buf.buf, buf.len);
                *sig_len = buf.len;
                result = 0;
            }
        }
        nlr_pop();
    } else {
        mp_obj_print_exception(&mp_plat_print, MP_OBJ_FROM_PTR(nlr.ret_val));
    }
    return result;
}

static mp_obj_t tls_context_del(mp_obj_t self_in) {
    tls_context_obj_t *self = MP_OBJ_TO_PTR(self_in);
    ussl_context_free(self->ctx);
    self->ctx = NULL;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(tls_context_del_obj, tls_context_del);

// load_cert_chain(cert, key): each bytes (PEM or DER), a path, or a file-like object.
static mp_obj_t tls_context_load_cert_chain(mp_obj_t self_in, mp_obj_t cert_in, mp_obj_t key_in) {
    ussl_load_cert_chain(get_context(self_in)->ctx, cert_in, key_in);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_3(tls_context_load_cert_chain_obj, tls_context_load_cert_chain);

// load_verify_locations(cafile=None, cadata=None): a PEM bundle or DER, from a path or data.
// Mainline's C API takes cadata positionally; so does this.
static mp_obj_t tls_context_load_verify_locations(size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    enum { ARG_cafile, ARG_cadata };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_cafile, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_cadata, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    };
    tls_context_obj_t *self = get_context(pos_args[0]);
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all(n_args - 1, pos_args + 1, kw_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);
    mp_obj_t sources[2] = { args[ARG_cafile].u_obj, args[ARG_cadata].u_obj };
    bool any = false;
    for (int i = 0; i < 2; i++) {
        if (sources[i] == mp_const_none) {
            continue;
        }
        // A positional bytes argument is cadata, as in mainline; a str is a path.
        ussl_load_ca(self->ctx, sources[i]);
        any = true;
    }
    if (!any) {
        mp_raise_TypeError(MP_ERROR_TEXT("cafile or cadata must be given"));
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_KW(tls_context_load_verify_locations_obj, 1, tls_context_load_verify_locations);

static mp_obj_t new_name_list(const ussl_bytes *names, size_t n) {
    mp_obj_t list = mp_obj_new_list(n, NULL);
    mp_obj_list_t *items = MP_OBJ_TO_PTR(list);
    for (size_t i = 0; i < n; i++) {
        items->items[i] = mp_obj_new_str((const char *)names[i].ptr, names[i].len);
    }
    return list;
}

static mp_obj_t tls_context_get_ciphers(mp_obj_t self_in) {
    ussl_bytes names[USSL_LIMIT_MAX_CIPHER_SUITES];
    return new_name_list(names, ussl_context_ciphers(get_context(self_in)->ctx, names, MP_ARRAY_SIZE(names)));
}
static MP_DEFINE_CONST_FUN_OBJ_1(tls_context_get_ciphers_obj, tls_context_get_ciphers);

// get_groups(): the key-exchange groups offered, in order (OpenSSL's names).
static mp_obj_t tls_context_get_groups(mp_obj_t self_in) {
    ussl_bytes names[USSL_LIMIT_MAX_GROUPS];
    return new_name_list(names, ussl_context_groups(get_context(self_in)->ctx, names, MP_ARRAY_SIZE(names)));
}
static MP_DEFINE_CONST_FUN_OBJ_1(tls_context_get_groups_obj, tls_context_get_groups);

// set_groups(list of names), as set_ciphers: OpenSSL's names, "?name" passed over when this
// build lacks it.
static mp_obj_t tls_context_set_groups(mp_obj_t self_in, mp_obj_t groups) {
    ussl_load_groups(get_context(self_in)->ctx, groups);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(tls_context_set_groups_obj, tls_context_set_groups);

// set_ciphers(list of names), as mainline (a str is a TypeError there too). Names are ours
// (OpenSSL's, as get_ciphers() gives them), IANA's, or mbedTLS's.
static mp_obj_t tls_context_set_ciphers(mp_obj_t self_in, mp_obj_t ciphers) {
    ussl_load_ciphers(get_context(self_in)->ctx, ciphers);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(tls_context_set_ciphers_obj, tls_context_set_ciphers);

// load_default_certs([purpose]), as CPython's: the engine's built-in roots (Cargo feature
// `roots`; NotImplementedError without). Only server authentication is a purpose here.
static mp_obj_t tls_context_load_default_certs(size_t n_args, const mp_obj_t *args) {
    ussl_check(ussl_context_load_default_roots(get_context(args[0])->ctx));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(tls_context_load_default_certs_obj, 1, 2, tls_context_load_default_certs);

// set_alpn_protocols(list of str), as CPython's: offered by a client, chosen from by a server.
static mp_obj_t tls_context_set_alpn_protocols(mp_obj_t self_in, mp_obj_t protocols) {
    ussl_load_alpn(get_context(self_in)->ctx, protocols);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(tls_context_set_alpn_protocols_obj, tls_context_set_alpn_protocols);

// wrap_socket(sock, *, server_side=False, do_handshake_on_connect=True, server_hostname=None,
//             session=None)
static mp_obj_t tls_context_wrap_socket(size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    enum { ARG_server_side, ARG_do_handshake_on_connect, ARG_server_hostname, ARG_session };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_server_side, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = false} },
        { MP_QSTR_do_handshake_on_connect, MP_ARG_KW_ONLY | MP_ARG_BOOL, {.u_bool = true} },
        { MP_QSTR_server_hostname, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_session, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    };
    tls_context_obj_t *self = get_context(pos_args[0]);
    mp_obj_t sock = pos_args[1];
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all(n_args - 2, pos_args + 2, kw_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);

    mp_get_stream_raise(sock, MP_STREAM_OP_READ | MP_STREAM_OP_WRITE | MP_STREAM_OP_IOCTL);
    // The context decides the role, as in mainline; server_side=True on a client context is a
    // mistake worth reporting.
    if (args[ARG_server_side].u_bool && !self->server) {
        mp_raise_ValueError(MP_ERROR_TEXT("server_side=True needs a PROTOCOL_TLS_SERVER context"));
    }
    ussl_session *session = NULL;
    if (args[ARG_session].u_obj != mp_const_none) {
        if (self->server) {
            mp_raise_ValueError(MP_ERROR_TEXT("session is for client contexts"));
        }
        session = ussl_session_get(args[ARG_session].u_obj);
    }
    ussl_conn *conn = NULL;
    if (self->server) {
        ussl_share_server_state(self->ctx);
        ussl_check(ussl_conn_new_server(self->ctx, &conn));
    } else {
        mp_obj_t host = args[ARG_server_hostname].u_obj;
        const char *hostname = NULL;
        size_t hostname_len = 0;
        if (host != mp_const_none) {
            hostname = mp_obj_str_get_data(host, &hostname_len);
        }
        ussl_check(ussl_conn_new_client(self->ctx, (const uint8_t *)hostname, hostname_len, session, &conn));
    }
    if (self->hooks.verify_callback != mp_const_none) {
        ussl_check(ussl_conn_hold_for_verify_callback(conn));
    }
    // A connection made while the signing hook is set may name this context to it: its socket
    // keeps the context alive. Only then: with every socket holding its context, a collection
    // after both are dropped gave back 5.5 KB less on the Pico W, the rest only at the next one
    // (tests_fw/test_pico_w_memory.py's idle test).
    self->hooks.sign_hook_owner = self->ecdsa_sign_callback != mp_const_none ? MP_OBJ_FROM_PTR(self) : mp_const_none;
    return ussl_socket_new(sock, conn, USSL_API_MAINLINE, 0, &self->hooks, args[ARG_do_handshake_on_connect].u_bool);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(tls_context_wrap_socket_obj, 2, tls_context_wrap_socket);

static const mp_rom_map_elem_t tls_context_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&tls_context_del_obj) },
    { MP_ROM_QSTR(MP_QSTR_load_cert_chain), MP_ROM_PTR(&tls_context_load_cert_chain_obj) },
    { MP_ROM_QSTR(MP_QSTR_load_verify_locations), MP_ROM_PTR(&tls_context_load_verify_locations_obj) },
    { MP_ROM_QSTR(MP_QSTR_load_default_certs), MP_ROM_PTR(&tls_context_load_default_certs_obj) },
    { MP_ROM_QSTR(MP_QSTR_get_ciphers), MP_ROM_PTR(&tls_context_get_ciphers_obj) },
    { MP_ROM_QSTR(MP_QSTR_set_ciphers), MP_ROM_PTR(&tls_context_set_ciphers_obj) },
    { MP_ROM_QSTR(MP_QSTR_get_groups), MP_ROM_PTR(&tls_context_get_groups_obj) },
    { MP_ROM_QSTR(MP_QSTR_set_groups), MP_ROM_PTR(&tls_context_set_groups_obj) },
    { MP_ROM_QSTR(MP_QSTR_set_alpn_protocols), MP_ROM_PTR(&tls_context_set_alpn_protocols_obj) },
    { MP_ROM_QSTR(MP_QSTR_wrap_socket), MP_ROM_PTR(&tls_context_wrap_socket_obj) },
};
static MP_DEFINE_CONST_DICT(tls_context_locals_dict, tls_context_locals_dict_table);

static void tls_context_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    tls_context_obj_t *self = MP_OBJ_TO_PTR(self_in);
    mp_printf(print, "<SSLContext %s>", self->server ? "server" : "client");
}

static MP_DEFINE_CONST_OBJ_TYPE(
    tls_context_type,
    MP_QSTR_SSLContext,
    MP_TYPE_FLAG_NONE,
    make_new, tls_context_make_new,
    print, tls_context_print,
    attr, tls_context_attr,
    locals_dict, &tls_context_locals_dict
    );

static const mp_rom_map_elem_t mp_module_tls_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_tls) },
    { MP_ROM_QSTR(MP_QSTR_SSLContext), MP_ROM_PTR(&tls_context_type) },
    { MP_ROM_QSTR(MP_QSTR_SSLError), MP_ROM_PTR(&mp_type_SSLError) },
    { MP_ROM_QSTR(MP_QSTR_SSLSession), MP_ROM_PTR(&ussl_session_type) },
    { MP_ROM_QSTR(MP_QSTR_PROTOCOL_TLS_CLIENT), MP_ROM_INT(PROTOCOL_TLS_CLIENT) },
    { MP_ROM_QSTR(MP_QSTR_PROTOCOL_TLS_SERVER), MP_ROM_INT(PROTOCOL_TLS_SERVER) },
    { MP_ROM_QSTR(MP_QSTR_CERT_NONE), MP_ROM_INT(USSL_VERIFY_MODE_NONE) },
    { MP_ROM_QSTR(MP_QSTR_CERT_OPTIONAL), MP_ROM_INT(USSL_VERIFY_MODE_OPTIONAL) },
    { MP_ROM_QSTR(MP_QSTR_CERT_REQUIRED), MP_ROM_INT(USSL_VERIFY_MODE_REQUIRED) },
};
static MP_DEFINE_CONST_DICT(mp_module_tls_globals, mp_module_tls_globals_table);

const mp_obj_module_t mp_module_tls = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&mp_module_tls_globals,
};

MP_REGISTER_MODULE(MP_QSTR_tls, mp_module_tls);
