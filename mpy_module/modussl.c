// The ussl module: the API Pycom documented (wrap_socket, SSLError, CERT_*), over the engine.
#include <string.h>

#include "py/runtime.h"
#include "py/objstr.h"
#include "py/stream.h"
#include "ussl_shim.h"

// Frees the context when a Python exception leaves wrap_socket early.
static void context_free_on_error(ussl_context *ctx, nlr_buf_t *nlr) {
    ussl_context_free(ctx);
    nlr_jump(nlr->ret_val);
}

// ussl.wrap_socket(sock, keyfile=None, certfile=None, server_side=False, cert_reqs=CERT_NONE,
//                  ssl_version=0, ca_certs=None, server_hostname=None, saved_session=None,
//                  timeout=10, do_handshake=True, alpn_protocols=None)
static mp_obj_t mod_ussl_wrap_socket(size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args) {
    enum { ARG_sock, ARG_keyfile, ARG_certfile, ARG_server_side, ARG_cert_reqs, ARG_ssl_version,
           ARG_ca_certs, ARG_server_hostname, ARG_saved_session, ARG_timeout, ARG_do_handshake,
           ARG_alpn_protocols, ARG_keylog_filename };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_sock, MP_ARG_REQUIRED | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_keyfile, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_certfile, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_server_side, MP_ARG_BOOL, {.u_bool = false} },
        { MP_QSTR_cert_reqs, MP_ARG_INT, {.u_int = USSL_VERIFY_MODE_NONE} },
        { MP_QSTR_ssl_version, MP_ARG_INT, {.u_int = 0} },
        { MP_QSTR_ca_certs, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_server_hostname, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_saved_session, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_timeout, MP_ARG_OBJ, {.u_rom_obj = MP_ROM_INT(10)} },
        { MP_QSTR_do_handshake, MP_ARG_BOOL, {.u_bool = true} },
        { MP_QSTR_alpn_protocols, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
        { MP_QSTR_keylog_filename, MP_ARG_KW_ONLY | MP_ARG_OBJ, {.u_rom_obj = MP_ROM_NONE} },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all(n_args, pos_args, kw_args, MP_ARRAY_SIZE(allowed_args), allowed_args, args);

    mp_obj_t sock = args[ARG_sock].u_obj;
    const mp_stream_p_t *stream = NULL;
    if (mp_obj_is_obj(sock) && MP_OBJ_TYPE_HAS_SLOT(mp_obj_get_type(sock), protocol)) {
        stream = mp_get_stream(sock);
    }
    if (stream == NULL || stream->read == NULL || stream->write == NULL || stream->ioctl == NULL) {
        mp_raise_TypeError(MP_ERROR_TEXT("wrap_socket needs a socket (a stream object)"));
    }
    bool server_side = args[ARG_server_side].u_bool;
    ussl_session *session = NULL;
    if (args[ARG_saved_session].u_obj != mp_const_none) {
        if (server_side) {
            mp_raise_ValueError(MP_ERROR_TEXT("saved_session is for clients"));
        }
        session = ussl_session_get(args[ARG_saved_session].u_obj);
    }
    mp_int_t ssl_version = args[ARG_ssl_version].u_int;
    if (ssl_version != 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("ssl_version must be 0 (TLS 1.2 or 1.3, negotiated)"));
    }
    mp_float_t timeout_s = 10;
    if (args[ARG_timeout].u_obj != mp_const_none) {
        timeout_s = mp_obj_get_float(args[ARG_timeout].u_obj);
        if (timeout_s <= 0) {
            mp_raise_ValueError(MP_ERROR_TEXT("timeout must be positive (seconds)"));
        }
    }
    // At least 1 ms, at most what the tick arithmetic holds.
    uint32_t timeout_ms = timeout_s * 1000 > 0x7fffffff ? 0x7fffffff : (uint32_t)(timeout_s * 1000);
    if (timeout_ms == 0) {
        timeout_ms = 1;
    }
    mp_obj_t certfile = args[ARG_certfile].u_obj, keyfile = args[ARG_keyfile].u_obj;
    if ((certfile == mp_const_none) != (keyfile == mp_const_none)) {
        mp_raise_ValueError(MP_ERROR_TEXT("keyfile and certfile must be given together"));
    }
    if (server_side && certfile == mp_const_none) {
        ussl_raise(USSL_CODE_MISSING_CERTIFICATE_OR_KEY, NULL);
    }
    ussl_socket_hooks hooks = {
        .verify_callback = mp_const_none,
        .keylog_filename = args[ARG_keylog_filename].u_obj,
        .server_psk_keys = mp_const_none,
        .sign_hook_owner = mp_const_none,
    };
    if (hooks.keylog_filename != mp_const_none && !mp_obj_is_str(hooks.keylog_filename)) {
        mp_raise_TypeError(MP_ERROR_TEXT("keylog_filename must be a str (a path)"));
    }
    const char *hostname = NULL;
    size_t hostname_len = 0;
    if (args[ARG_server_hostname].u_obj != mp_const_none) {
        hostname = mp_obj_str_get_data(args[ARG_server_hostname].u_obj, &hostname_len);
    }

    // The engine checks cert_reqs and that verification has its CA certificates.
    ussl_context *ctx = NULL;
    ussl_check(ussl_context_new(server_side, &ctx));
    ussl_conn *conn = NULL;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        ussl_check(ussl_context_set_verify_mode(ctx, (uint32_t)args[ARG_cert_reqs].u_int));
        if (args[ARG_ca_certs].u_obj != mp_const_none) {
            ussl_load_ca(ctx, args[ARG_ca_certs].u_obj);
        }
        if (certfile != mp_const_none) {
            ussl_load_cert_chain(ctx, certfile, keyfile);
        }
        if (args[ARG_alpn_protocols].u_obj != mp_const_none) {
            ussl_load_alpn(ctx, args[ARG_alpn_protocols].u_obj);
        }
        ussl_check(ussl_context_set_key_log(ctx, hooks.keylog_filename != mp_const_none));
        if (server_side) {
            ussl_share_server_state(ctx);
            ussl_check(ussl_conn_new_server(ctx, &conn));
        } else {
            ussl_check(ussl_conn_new_client(ctx, (const uint8_t *)hostname, hostname_len, session, &conn));
        }
        nlr_pop();
    } else {
        context_free_on_error(ctx, &nlr);
    }
    // The connection holds what it needs of the context.
    ussl_context_free(ctx);
    return ussl_socket_new(sock, conn, USSL_API_PYCOM, timeout_ms, &hooks, args[ARG_do_handshake].u_bool);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(mod_ussl_wrap_socket_obj, 1, mod_ussl_wrap_socket);

static mp_obj_t mod_ussl_save_session(mp_obj_t ssl_sock) {
    return ussl_socket_save_session(ssl_sock);
}
static MP_DEFINE_CONST_FUN_OBJ_1(mod_ussl_save_session_obj, mod_ussl_save_session);

// ussl.match_hostname(cert, hostname): cert is a getpeercert() dict. Raises SSLError when the
// hostname does not match, like CPython's ssl.match_hostname.
static mp_obj_t mod_ussl_match_hostname(mp_obj_t cert, mp_obj_t hostname_in) {
    if (!mp_obj_is_type(cert, &mp_type_dict)) {
        mp_raise_TypeError(MP_ERROR_TEXT("cert must be a dict from getpeercert()"));
    }
    size_t host_len;
    const char *host = mp_obj_str_get_data(hostname_in, &host_len);
    mp_map_t *map = mp_obj_dict_get_map(cert);
    mp_map_elem_t *san = mp_map_lookup(map, MP_OBJ_NEW_QSTR(MP_QSTR_subjectAltName), MP_MAP_LOOKUP);
    mp_map_elem_t *subject = mp_map_lookup(map, MP_OBJ_NEW_QSTR(MP_QSTR_subject), MP_MAP_LOOKUP);
    size_t n_san = 0, n_subject = 0;
    mp_obj_t *san_items = NULL, *subject_rdns = NULL;
    if (san != NULL) {
        mp_obj_get_array(san->value, &n_san, &san_items);
    }
    if (subject != NULL) {
        mp_obj_get_array(subject->value, &n_subject, &subject_rdns);
    }
    size_t cap = n_san;
    for (size_t i = 0; i < n_subject; i++) {
        size_t n;
        mp_obj_t *atvs;
        mp_obj_get_array(subject_rdns[i], &n, &atvs);
        cap += n;
    }
    ussl_cert_name *names = m_new(ussl_cert_name, cap + 1);
    size_t count = 0;
    for (size_t i = 0; i < n_san; i++) {
        mp_obj_t *pair;
        mp_obj_get_array_fixed_n(san_items[i], 2, &pair);
        const char *kind = mp_obj_str_get_str(pair[0]);
        uint32_t k = strcmp(kind, "DNS") == 0 ? USSL_NAME_KIND_DNS : strcmp(kind, "IP Address") == 0 ? USSL_NAME_KIND_IP : 0;
        if (k != 0) {
            names[count].kind = k;
            names[count].name = (const uint8_t *)mp_obj_str_get_data(pair[1], &names[count].len);
            count++;
        }
    }
    for (size_t i = 0; i < n_subject; i++) {
        size_t n;
        mp_obj_t *atvs;
        mp_obj_get_array(subject_rdns[i], &n, &atvs);
        for (size_t j = 0; j < n; j++) {
            mp_obj_t *pair;
            mp_obj_get_array_fixed_n(atvs[j], 2, &pair);
            if (strcmp(mp_obj_str_get_str(pair[0]), "commonName") == 0) {
                names[count].kind = USSL_NAME_KIND_COMMON_NAME;
                names[count].name = (const uint8_t *)mp_obj_str_get_data(pair[1], &names[count].len);
                count++;
            }
        }
    }
    bool ok = ussl_match_hostname(names, count, (const uint8_t *)host, host_len);
    m_del(ussl_cert_name, names, cap + 1);
    if (!ok) {
        ussl_raise(USSL_CODE_HOSTNAME_MISMATCH, NULL);
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(mod_ussl_match_hostname_obj, mod_ussl_match_hostname);

// ussl._primitive(op, data, out): one public-key primitive of the engine on bytes (the table in
// src/provider/primitives.rs), its result written to the start of the bytearray `out`; returns
// its length. For the tests inside the firmware images (tests_fw/test_primitives.py), which
// check known answers and count the emulator's cycles of each call: nothing is allocated, so
// the count is the primitive's alone. ValueError when the engine refuses the input, has no
// such primitive, or the result does not fit.
static mp_obj_t mod_ussl_primitive(mp_obj_t op_in, mp_obj_t data_in, mp_obj_t out_in) {
    mp_int_t op = mp_obj_get_int(op_in);
    mp_buffer_info_t data, out;
    mp_get_buffer_raise(data_in, &data, MP_BUFFER_READ);
    mp_get_buffer_raise(out_in, &out, MP_BUFFER_WRITE);
    size_t out_len = 0;
    if (op < 0 || ussl_primitive((uint32_t)op, data.buf, data.len, out.buf, out.len, &out_len) != 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("primitive refused its input"));
    }
    return mp_obj_new_int_from_uint(out_len);
}
static MP_DEFINE_CONST_FUN_OBJ_3(mod_ussl_primitive_obj, mod_ussl_primitive);

#if USSL_BENCH
// ussl._memory(reset_peak=False): (bytes the engine holds, most it held since the last reset,
// handle frees ever parked for later), for `make bench` and the tests (builds with USSL_BENCH=1
// only).
static mp_obj_t mod_ussl_memory(size_t n_args, const mp_obj_t *args) {
    size_t current = 0, peak = 0;
    ussl_engine_memory(&current, &peak, n_args > 0 && mp_obj_is_true(args[0]));
    mp_obj_t items[3] = { mp_obj_new_int_from_uint(current), mp_obj_new_int_from_uint(peak),
                          mp_obj_new_int_from_uint(ussl_engine_parked_frees()) };
    return mp_obj_new_tuple(3, items);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mod_ussl_memory_obj, 0, 1, mod_ussl_memory);

// ussl._workspace(reset_peaks=False): the engine's workspace figures as a dict (the names of
// ussl_engine_workspace's words, in its order): what each engine call takes from the heap for
// its stack and reserve, the most it used, how many were taken and refused, and allocations
// refused outside any call (none allowed). For the tests and `make bench`.
static mp_obj_t mod_ussl_workspace(size_t n_args, const mp_obj_t *args) {
    static const char *const names[] = {
        "paint", "deep_stack_size", "light_stack_size", "deep_reserve_size", "light_reserve_size",
        "deep_stack_peak", "light_stack_peak", "deep_reserve_peak", "light_reserve_peak",
        "taken", "refused", "outside", "heap_blocks",
    };
    uint32_t words[MP_ARRAY_SIZE(names)];
    size_t n = ussl_engine_workspace(words, MP_ARRAY_SIZE(names), n_args > 0 && mp_obj_is_true(args[0]));
    mp_obj_t dict = mp_obj_new_dict(n);
    for (size_t i = 0; i < n; i++) {
        mp_obj_dict_store(dict, mp_obj_new_str(names[i], strlen(names[i])), mp_obj_new_int_from_uint(words[i]));
    }
    return dict;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mod_ussl_workspace_obj, 0, 1, mod_ussl_workspace);

// ussl._fail_alloc(n, from_then_on=False): the engine's nth allocation from now is refused by
// the heap (0: none), and with from_then_on every one after it too (the heap ran dry); returns
// how many it has made so far. For the allocation walk (tests); NotImplementedError when the
// engine was built without its `alloc-faults` feature.
static mp_obj_t mod_ussl_fail_alloc(size_t n_args, const mp_obj_t *args) {
    mp_int_t n = mp_obj_get_int(args[0]);
    if (n < 0) {
        mp_raise_ValueError(MP_ERROR_TEXT("n must be >= 0"));
    }
    size_t count = 0;
    if (!ussl_engine_fail_allocation((size_t)n, n_args > 1 && mp_obj_is_true(args[1]), &count)) {
        mp_raise_NotImplementedError(MP_ERROR_TEXT("the engine was built without `alloc-faults`"));
    }
    return mp_obj_new_int_from_uint(count);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(mod_ussl_fail_alloc_obj, 1, 2, mod_ussl_fail_alloc);
#endif

static const mp_rom_map_elem_t mp_module_ussl_globals_table[] = {
    #if USSL_BENCH
    { MP_ROM_QSTR(MP_QSTR__memory), MP_ROM_PTR(&mod_ussl_memory_obj) },
    { MP_ROM_QSTR(MP_QSTR__fail_alloc), MP_ROM_PTR(&mod_ussl_fail_alloc_obj) },
    { MP_ROM_QSTR(MP_QSTR__workspace), MP_ROM_PTR(&mod_ussl_workspace_obj) },
    #endif
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_ussl) },
    { MP_ROM_QSTR(MP_QSTR__primitive), MP_ROM_PTR(&mod_ussl_primitive_obj) },
    { MP_ROM_QSTR(MP_QSTR_wrap_socket), MP_ROM_PTR(&mod_ussl_wrap_socket_obj) },
    { MP_ROM_QSTR(MP_QSTR_save_session), MP_ROM_PTR(&mod_ussl_save_session_obj) },
    { MP_ROM_QSTR(MP_QSTR_match_hostname), MP_ROM_PTR(&mod_ussl_match_hostname_obj) },
    { MP_ROM_QSTR(MP_QSTR_SSLError), MP_ROM_PTR(&mp_type_SSLError) },
    { MP_ROM_QSTR(MP_QSTR_SSLSocket), MP_ROM_PTR(&ussl_socket_type) },
    { MP_ROM_QSTR(MP_QSTR_SSLSession), MP_ROM_PTR(&ussl_session_type) },
    { MP_ROM_QSTR(MP_QSTR_CERT_NONE), MP_ROM_INT(USSL_VERIFY_MODE_NONE) },
    { MP_ROM_QSTR(MP_QSTR_CERT_OPTIONAL), MP_ROM_INT(USSL_VERIFY_MODE_OPTIONAL) },
    { MP_ROM_QSTR(MP_QSTR_CERT_REQUIRED), MP_ROM_INT(USSL_VERIFY_MODE_REQUIRED) },
};
static MP_DEFINE_CONST_DICT(mp_module_ussl_globals, mp_module_ussl_globals_table);

const mp_obj_module_t mp_module_ussl = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&mp_module_ussl_globals,
};

MP_REGISTER_MODULE(MP_QSTR_ussl, mp_module_ussl);
