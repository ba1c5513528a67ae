// The SSL socket: a stream over the engine, modelled on extmod/modtls_mbedtls.c (stream
// protocol, sticky errors, poll, finaliser), and its Python methods. Its handshake is driven by
// handshake.c, its ciphertext moved by socket_io.c (ssl_socket.h).
#include <string.h>

#include "py/runtime.h"
#include "py/stream.h"
#include "py/mperrno.h"
#include "ssl_socket.h"

static ussl_socket_obj_t *get_open(mp_obj_t self_in) {
    ussl_socket_obj_t *o = MP_OBJ_TO_PTR(self_in);
    if (o->conn == NULL || o->sock == MP_OBJ_NULL) {
        mp_raise_OSError(MP_EBADF);
    }
    return o;
}

mp_obj_t ussl_socket_new(mp_obj_t sock, ussl_conn *conn, ussl_api api, uint32_t timeout_ms,
    const ussl_socket_hooks *hooks, bool do_handshake) {
    // The object owns the connection from here on; if it cannot be made, the connection must
    // not leak with it.
    ussl_socket_obj_t *o;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        o = mp_obj_malloc_with_finaliser(ussl_socket_obj_t, &ussl_socket_type);
        nlr_pop();
    } else {
        ussl_conn_free(conn);
        nlr_jump(nlr.ret_val);
    }
    o->sock = sock;
    o->poller = MP_OBJ_NULL;
    o->hooks = *hooks;
    o->conn = conn;
    o->api = api;
    o->timeout_ms = timeout_ms;
    o->handshake_pending = true;
    o->non_blocking = false;
    o->poll_mask = 0;
    if (do_handshake && api == USSL_API_PYCOM) {
        // Only a client can have been wrapped before connecting.
        ussl_sock_run_handshake(o, (mp_int_t)timeout_ms, !ussl_conn_is_server(conn));
    } else if (do_handshake) {
        ussl_sock_finish_handshake(o);
    }
    return MP_OBJ_FROM_PTR(o);
}

static mp_uint_t ussl_sock_read(mp_obj_t self_in, void *buf, mp_uint_t size, int *errcode) {
    ussl_socket_obj_t *o = MP_OBJ_TO_PTR(self_in);
    if (o->conn == NULL) {
        *errcode = MP_EBADF;
        return MP_STREAM_ERROR;
    }
    ussl_sock_raise_if_failed(o);
    int err = ussl_sock_advance_handshake(o, false);
    if (err != 0) {
        *errcode = err;
        return MP_STREAM_ERROR;
    }
    for (;;) {
        size_t n = ussl_conn_read(o->conn, buf, size);
        if (n > 0 || size == 0) {
            return n;
        }
        if (ussl_conn_at_eof(o->conn) || ussl_conn_recv_want(o->conn) == 0) {
            return 0;
        }
        err = ussl_sock_flush(o);
        if (err != 0) {
            if (err == MP_EAGAIN) {
                o->poll_mask = MP_STREAM_POLL_WR;
            }
            *errcode = err;
            return MP_STREAM_ERROR;
        }
        bool eof = false;
        size_t delivered = 0;
        if (!ussl_sock_receive_into(o, buf, size, &delivered, &err, &eof)) {
            *errcode = err;
            return MP_STREAM_ERROR;
        }
        if (delivered > 0) {
            return delivered;
        }
        if (eof) {
            return 0;
        }
    }
}

static mp_uint_t ussl_sock_write(mp_obj_t self_in, const void *buf, mp_uint_t size, int *errcode) {
    ussl_socket_obj_t *o = MP_OBJ_TO_PTR(self_in);
    if (o->conn == NULL) {
        *errcode = MP_EBADF;
        return MP_STREAM_ERROR;
    }
    ussl_sock_raise_if_failed(o);
    int err = ussl_sock_advance_handshake(o, true);
    if (err != 0) {
        *errcode = err;
        return MP_STREAM_ERROR;
    }
    // Ciphertext left over from an earlier non-blocking write goes first.
    err = ussl_sock_flush(o);
    if (err != 0) {
        *errcode = err;
        return MP_STREAM_ERROR;
    }
    size_t written = 0;
    uint32_t rc = ussl_conn_write(o->conn, buf, size, &written);
    if (rc != 0) {
        ussl_sock_fail(o, rc, 0);
    }
    // The plaintext is taken even if the socket cannot take all the ciphertext now: the rest
    // leaves with the next operation.
    err = ussl_sock_flush(o);
    if (err != 0 && err != MP_EAGAIN) {
        ussl_conn_fail(o->conn, USSL_CODE_SOCKET_FAILED, err);
        *errcode = err;
        return MP_STREAM_ERROR;
    }
    return written;
}

static void close_connection(ussl_socket_obj_t *o, bool send_close_notify) {
    if (o->conn == NULL) {
        return;
    }
    if (send_close_notify && o->sock != MP_OBJ_NULL && ussl_conn_error(o->conn) == 0) {
        // Best effort: a peer that is gone must not turn close() into an error.
        nlr_buf_t nlr;
        if (nlr_push(&nlr) == 0) {
            if (ussl_conn_close(o->conn) == 0) {
                ussl_sock_flush(o);
            }
            nlr_pop();
        }
    }
    ussl_conn_free(o->conn);
    o->conn = NULL;
}

static mp_uint_t ussl_sock_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode) {
    ussl_socket_obj_t *o = MP_OBJ_TO_PTR(self_in);
    if (request == MP_STREAM_CLOSE) {
        if (o->sock == MP_OBJ_NULL) {
            return 0;
        }
        close_connection(o, true);
        mp_obj_t sock = o->sock;
        o->sock = MP_OBJ_NULL;
        o->poller = MP_OBJ_NULL;
        return mp_get_stream(sock)->ioctl(sock, MP_STREAM_CLOSE, 0, errcode);
    }
    if (request == MP_STREAM_POLL) {
        if (o->sock == MP_OBJ_NULL || o->conn == NULL || ussl_conn_error(o->conn) != 0) {
            return MP_STREAM_POLL_NVAL;
        }
        // The handshake may need the other direction than the caller asks about: ask the
        // socket about that one, and answer "ready" in the caller's direction when it is, so
        // the caller comes back into read/write and the handshake moves on.
        uintptr_t asked = arg & (MP_STREAM_POLL_RD | MP_STREAM_POLL_WR);
        if (o->handshake_pending && !(arg & MP_STREAM_POLL_WR) && ussl_conn_pending_output(o->conn, NULL) > 0) {
            // Handshake bytes wait to go out (say, the ClientHello) and the caller waits to read
            // (a protocol where the server speaks first): nothing comes back until they leave,
            // so send them now if the socket takes them, and otherwise wait for it to be
            // writable. A caller that waits to write sends them itself, in that write, as
            // mbedTLS's module does (asyncio's open_connection polls for writing first).
            int err = ussl_sock_flush(o);
            if (err == MP_EAGAIN) {
                o->poll_mask = MP_STREAM_POLL_WR;
            } else if (err != 0) {
                ussl_conn_fail(o->conn, USSL_CODE_SOCKET_FAILED, err);
                return MP_STREAM_POLL_ERR;
            }
        }
        if (o->poll_mask != 0 && asked != 0) {
            arg = (arg & ~asked) | o->poll_mask;
        }
        mp_uint_t ret = 0;
        if ((arg & MP_STREAM_POLL_RD) && ussl_conn_plaintext_pending(o->conn) > 0) {
            ret |= MP_STREAM_POLL_RD;
            if (arg == MP_STREAM_POLL_RD) {
                return ret;
            }
        }
        mp_uint_t sock_ret = mp_get_stream(o->sock)->ioctl(o->sock, request, arg, errcode);
        if (sock_ret == MP_STREAM_ERROR) {
            return sock_ret;
        }
        ret |= sock_ret;
        if (o->poll_mask != 0 && (ret & o->poll_mask)) {
            ret |= asked;
        }
        return ret;
    }
    // Like mbedTLS's module: close and poll only (timeouts go through settimeout()).
    *errcode = MP_EINVAL;
    return MP_STREAM_ERROR;
}

// __del__: the object is unreachable, so only free engine memory. No close_notify: a
// finaliser must not do I/O or allocate (the GC may be running).
static mp_obj_t ussl_sock_del(mp_obj_t self_in) {
    ussl_socket_obj_t *o = MP_OBJ_TO_PTR(self_in);
    if (o->conn != NULL) {
        ussl_conn_free(o->conn);
        o->conn = NULL;
    }
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(ussl_sock_del_obj, ussl_sock_del);

static mp_obj_t call_sock_method(ussl_socket_obj_t *o, qstr method, size_t n_args, const mp_obj_t *args) {
    mp_obj_t dest[2 + 2];
    mp_load_method(o->sock, method, dest);
    for (size_t i = 0; i < n_args; i++) {
        dest[2 + i] = args[i];
    }
    return mp_call_method_n_kw(n_args, 0, dest);
}

static mp_obj_t ussl_sock_setblocking(mp_obj_t self_in, mp_obj_t flag) {
    ussl_socket_obj_t *o = get_open(self_in);
    mp_obj_t ret = call_sock_method(o, MP_QSTR_setblocking, 1, &flag);
    o->non_blocking = !mp_obj_is_true(flag);
    return ret;
}
static MP_DEFINE_CONST_FUN_OBJ_2(ussl_sock_setblocking_obj, ussl_sock_setblocking);

static mp_obj_t ussl_sock_settimeout(mp_obj_t self_in, mp_obj_t value) {
    ussl_socket_obj_t *o = get_open(self_in);
    mp_obj_t ret = call_sock_method(o, MP_QSTR_settimeout, 1, &value);
    o->non_blocking = value != mp_const_none && !mp_obj_is_true(value);
    return ret;
}
static MP_DEFINE_CONST_FUN_OBJ_2(ussl_sock_settimeout_obj, ussl_sock_settimeout);

// connect(addr): connects the underlying socket, then runs the handshake.
static mp_obj_t ussl_sock_connect(mp_obj_t self_in, mp_obj_t addr) {
    ussl_socket_obj_t *o = get_open(self_in);
    call_sock_method(o, MP_QSTR_connect, 1, &addr);
    ussl_sock_finish_handshake(o);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(ussl_sock_connect_obj, ussl_sock_connect);

static mp_obj_t ussl_sock_do_handshake(mp_obj_t self_in) {
    ussl_socket_obj_t *o = get_open(self_in);
    ussl_sock_raise_if_failed(o);
    ussl_sock_finish_handshake(o);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(ussl_sock_do_handshake_obj, ussl_sock_do_handshake);

static mp_obj_t ussl_sock_getpeercert(size_t n_args, const mp_obj_t *args) {
    ussl_socket_obj_t *o = get_open(args[0]);
    bool binary = n_args > 1 && mp_obj_is_true(args[1]);
    const uint8_t *der;
    size_t len;
    if (ussl_conn_is_handshaking(o->conn) || ussl_conn_peer_cert(o->conn, 0, &der, &len) != 0) {
        return mp_const_none;
    }
    if (binary) {
        return mp_obj_new_bytes(der, len);
    }
    #if USSL_HAS_CERTINFO
    return ussl_cert_dict(der, len);
    #else
    ussl_raise(USSL_CODE_CERT_INFO_NOT_BUILT, NULL);
    #endif
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(ussl_sock_getpeercert_obj, 1, 2, ussl_sock_getpeercert);

static mp_obj_t ussl_sock_cipher(mp_obj_t self_in) {
    ussl_socket_obj_t *o = get_open(self_in);
    const uint8_t *name, *version;
    uint32_t bits = 0;
    size_t n = ussl_conn_cipher(o->conn, &name, &bits);
    size_t v = ussl_conn_version(o->conn, &version);
    if (n == 0 || v == 0) {
        return mp_const_none;
    }
    mp_obj_t items[3] = { mp_obj_new_str((const char *)name, n), mp_obj_new_str((const char *)version, v),
                          MP_OBJ_NEW_SMALL_INT(bits) };
    return mp_obj_new_tuple(3, items);
}
static MP_DEFINE_CONST_FUN_OBJ_1(ussl_sock_cipher_obj, ussl_sock_cipher);

// selected_alpn_protocol(): the protocol the handshake agreed on, or None (as CPython's).
static mp_obj_t ussl_sock_selected_alpn_protocol(mp_obj_t self_in) {
    ussl_socket_obj_t *o = get_open(self_in);
    const uint8_t *name = NULL;
    size_t len = ussl_conn_alpn(o->conn, &name);
    return len == 0 ? mp_const_none : mp_obj_new_str((const char *)name, len);
}
static MP_DEFINE_CONST_FUN_OBJ_1(ussl_sock_selected_alpn_protocol_obj, ussl_sock_selected_alpn_protocol);

// group(): the key-exchange group the handshake agreed on, or None (as CPython 3.15's).
static mp_obj_t ussl_sock_group(mp_obj_t self_in) {
    ussl_socket_obj_t *o = get_open(self_in);
    const uint8_t *name = NULL;
    size_t len = ussl_conn_group(o->conn, &name);
    return len == 0 ? mp_const_none : mp_obj_new_str((const char *)name, len);
}
static MP_DEFINE_CONST_FUN_OBJ_1(ussl_sock_group_obj, ussl_sock_group);

static mp_obj_t ussl_sock_version(mp_obj_t self_in) {
    ussl_socket_obj_t *o = get_open(self_in);
    const uint8_t *version;
    size_t v = ussl_conn_version(o->conn, &version);
    return v == 0 ? mp_const_none : mp_obj_new_str((const char *)version, v);
}
static MP_DEFINE_CONST_FUN_OBJ_1(ussl_sock_version_obj, ussl_sock_version);

// Takes in whatever the peer already sent (a TLS 1.3 server sends its tickets after the
// handshake) without waiting, so that a session saved right after connecting has them.
static void take_in_waiting_records(ussl_socket_obj_t *o) {
    const mp_stream_p_t *stream = mp_get_stream(o->sock);
    for (int i = 0; i < 64 && ussl_conn_recv_want(o->conn) > 0; i++) {
        int err = 0;
        mp_uint_t ready = stream->ioctl(o->sock, MP_STREAM_POLL, MP_STREAM_POLL_RD, &err);
        if (ready == MP_STREAM_ERROR || !(ready & MP_STREAM_POLL_RD)) {
            return;
        }
        bool eof = false;
        if (!ussl_sock_receive_some(o, &err, &eof) || eof) {
            return;
        }
    }
}

mp_obj_t ussl_socket_save_session(mp_obj_t self_in) {
    if (!mp_obj_is_type(self_in, &ussl_socket_type)) {
        mp_raise_TypeError(MP_ERROR_TEXT("save_session needs an SSL socket"));
    }
    ussl_socket_obj_t *o = get_open(self_in);
    ussl_sock_raise_if_failed(o);
    take_in_waiting_records(o);
    ussl_session *session = NULL;
    ussl_check(ussl_conn_save_session(o->conn, &session));
    return ussl_session_new(session);
}

// SSLSocket.session (CPython's name): the session to resume later, or None while there is
// none (a server socket, a closed one, before the handshake, no ticket from the server).
static mp_obj_t socket_session_or_none(ussl_socket_obj_t *o) {
    if (o->conn == NULL || ussl_conn_is_server(o->conn) || ussl_conn_error(o->conn) != 0
        || ussl_conn_is_handshaking(o->conn)) {
        return mp_const_none;
    }
    take_in_waiting_records(o);
    ussl_session *session = NULL;
    ussl_result r = ussl_conn_save_session(o->conn, &session);
    if (r == USSL_CODE_NO_SESSION) {
        return mp_const_none;
    }
    ussl_check(r);
    return ussl_session_new(session);
}

static mp_obj_t ussl_sock_exit(size_t n_args, const mp_obj_t *args) {
    (void)n_args;
    return mp_stream_close(args[0]);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(ussl_sock_exit_obj, 4, 4, ussl_sock_exit);

static mp_obj_t ussl_sock_enter(mp_obj_t self_in) {
    return self_in;
}
static MP_DEFINE_CONST_FUN_OBJ_1(ussl_sock_enter_obj, ussl_sock_enter);

static void ussl_sock_print(const mp_print_t *print, mp_obj_t self_in, mp_print_kind_t kind) {
    mp_print_str(print, "<SSLSocket>");
}

// Attributes: session_reused and session (as CPython's SSLSocket); the rest are methods.
static void ussl_sock_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest) {
    ussl_socket_obj_t *o = MP_OBJ_TO_PTR(self_in);
    if (dest[0] == MP_OBJ_NULL && attr == MP_QSTR_session_reused) {
        dest[0] = mp_obj_new_bool(o->conn != NULL && ussl_conn_session_reused(o->conn));
        return;
    }
    if (dest[0] == MP_OBJ_NULL && attr == MP_QSTR_session) {
        dest[0] = socket_session_or_none(o);
        return;
    }
    dest[1] = MP_OBJ_SENTINEL;
}

static const mp_rom_map_elem_t ussl_socket_locals_dict_table[] = {
    { MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&mp_stream_read_obj) },
    { MP_ROM_QSTR(MP_QSTR_readinto), MP_ROM_PTR(&mp_stream_readinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_readline), MP_ROM_PTR(&mp_stream_unbuffered_readline_obj) },
    { MP_ROM_QSTR(MP_QSTR_write), MP_ROM_PTR(&mp_stream_write_obj) },
    { MP_ROM_QSTR(MP_QSTR_recv), MP_ROM_PTR(&mp_stream_read1_obj) },
    { MP_ROM_QSTR(MP_QSTR_recv_into), MP_ROM_PTR(&mp_stream_readinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_send), MP_ROM_PTR(&mp_stream_write1_obj) },
    { MP_ROM_QSTR(MP_QSTR_sendall), MP_ROM_PTR(&mp_stream_write_obj) },
    { MP_ROM_QSTR(MP_QSTR_connect), MP_ROM_PTR(&ussl_sock_connect_obj) },
    { MP_ROM_QSTR(MP_QSTR_do_handshake), MP_ROM_PTR(&ussl_sock_do_handshake_obj) },
    { MP_ROM_QSTR(MP_QSTR_setblocking), MP_ROM_PTR(&ussl_sock_setblocking_obj) },
    { MP_ROM_QSTR(MP_QSTR_settimeout), MP_ROM_PTR(&ussl_sock_settimeout_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&mp_stream_close_obj) },
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&ussl_sock_del_obj) },
    { MP_ROM_QSTR(MP_QSTR___enter__), MP_ROM_PTR(&ussl_sock_enter_obj) },
    { MP_ROM_QSTR(MP_QSTR___exit__), MP_ROM_PTR(&ussl_sock_exit_obj) },
    { MP_ROM_QSTR(MP_QSTR_getpeercert), MP_ROM_PTR(&ussl_sock_getpeercert_obj) },
    { MP_ROM_QSTR(MP_QSTR_cipher), MP_ROM_PTR(&ussl_sock_cipher_obj) },
    { MP_ROM_QSTR(MP_QSTR_version), MP_ROM_PTR(&ussl_sock_version_obj) },
    { MP_ROM_QSTR(MP_QSTR_group), MP_ROM_PTR(&ussl_sock_group_obj) },
    { MP_ROM_QSTR(MP_QSTR_selected_alpn_protocol), MP_ROM_PTR(&ussl_sock_selected_alpn_protocol_obj) },
    { MP_ROM_QSTR(MP_QSTR_ioctl), MP_ROM_PTR(&mp_stream_ioctl_obj) },
};
static MP_DEFINE_CONST_DICT(ussl_socket_locals_dict, ussl_socket_locals_dict_table);

static const mp_stream_p_t ussl_socket_stream_p = {
    .read = ussl_sock_read,
    .write = ussl_sock_write,
    .ioctl = ussl_sock_ioctl,
};

MP_DEFINE_CONST_OBJ_TYPE(
    ussl_socket_type,
    MP_QSTR_SSLSocket,
    MP_TYPE_FLAG_NONE,
    print, ussl_sock_print,
    protocol, &ussl_socket_stream_p,
    attr, ussl_sock_attr,
    locals_dict, &ussl_socket_locals_dict
    );
