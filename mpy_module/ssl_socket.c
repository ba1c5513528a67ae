// The SSL socket: a stream over the engine, modelled on extmod/modtls_mbedtls.c (stream
// protocol, sticky errors, poll, finaliser). Ciphertext moves between the underlying socket's
// stream protocol and the engine; each flight the engine prepares leaves in one socket write.
#include <string.h>

#include "py/runtime.h"
#include "py/builtin.h"
#include "py/stream.h"
#include "py/mperrno.h"
#include "py/mphal.h"
#include "ussl_shim.h"

typedef struct _ussl_socket_obj_t {
    mp_obj_base_t base;
    mp_obj_t sock;          // the underlying socket; MP_OBJ_NULL once closed
    mp_obj_t poller;        // select.poll() used to wait during a blocking handshake
    ussl_socket_hooks hooks; // the script's verify_callback and keylog_filename
    ussl_conn *conn;        // engine connection; NULL once closed
    ussl_api api;           // which module made it (errors, where the handshake runs)
    uint32_t timeout_ms;    // USSL_API_PYCOM: bound on the whole handshake
    bool handshake_pending; // the handshake has not finished yet
    bool non_blocking;      // the socket is known not to block (setblocking(False) or an EAGAIN seen)
    uint16_t poll_mask;     // direction the handshake needs, when it differs from the call's
} ussl_socket_obj_t;

static ussl_socket_obj_t *get_open(mp_obj_t self_in) {
    ussl_socket_obj_t *o = MP_OBJ_TO_PTR(self_in);
    if (o->conn == NULL || o->sock == MP_OBJ_NULL) {
        mp_raise_OSError(MP_EBADF);
    }
    return o;
}

// Records a failure seen here (an engine call's code, the socket's errno as
// USSL_CODE_SOCKET_FAILED, a timeout) as the connection's, in the engine, which keeps the first.
static void note_failure(ussl_socket_obj_t *o, uint32_t code, int os_errno) {
    ussl_conn_fail(o->conn, code, os_errno);
}

// Records a failure and raises the connection's (the first it had).
NORETURN static void fail(ussl_socket_obj_t *o, uint32_t code, int os_errno) {
    ussl_raise_conn(o->conn, ussl_conn_fail(o->conn, code, os_errno), o->api);
}

// Raises the connection's failure (its sticky error in the engine), if it has one.
static void raise_if_failed(ussl_socket_obj_t *o) {
    uint32_t code = ussl_conn_error(o->conn);
    if (code != 0) {
        ussl_raise_conn(o->conn, code, o->api);
    }
}

// Writes pending ciphertext to the socket. Returns 0 when all is sent, else the socket's errno
// (MP_EAGAIN on a non-blocking socket that is full).
static int flush_output(ussl_socket_obj_t *o) {
    const mp_stream_p_t *stream = mp_get_stream(o->sock);
    for (;;) {
        const uint8_t *out;
        size_t len = ussl_conn_pending_output(o->conn, &out);
        if (len == 0) {
            return 0;
        }
        int err = 0;
        mp_uint_t n = stream->write(o->sock, out, len, &err);
        if (n == MP_STREAM_ERROR) {
            o->non_blocking |= err == MP_EAGAIN;
            return err;
        }
        ussl_conn_consume_output(o->conn, n);
    }
}

static void drain_before_close(ussl_socket_obj_t *o);

// Reads the next ciphertext the engine wants. Application data it completes goes into `out`
// first (at most out_len bytes; *delivered says how many). Returns false with *err set on a
// socket error, and raises on an engine error. *eof is set at end of stream.
static bool receive_into(ussl_socket_obj_t *o, void *out, size_t out_len, size_t *delivered, int *err, bool *eof) {
    *delivered = 0;
    uint8_t *space;
    size_t len;
    uint32_t rc = ussl_conn_recv_space(o->conn, &space, &len);
    if (rc != 0) {
        fail(o, rc, 0);
    }
    const mp_stream_p_t *stream = mp_get_stream(o->sock);
    mp_uint_t n = stream->read(o->sock, space, len, err);
    if (n == MP_STREAM_ERROR) {
        ussl_conn_recv_commit(o->conn, 0);
        o->non_blocking |= *err == MP_EAGAIN;
        return false;
    }
    if (n == 0) {
        ussl_conn_recv_commit(o->conn, 0);
        *eof = true;
        rc = ussl_conn_recv_eof(o->conn);
    } else {
        rc = ussl_conn_recv_commit_into(o->conn, n, out, out_len, delivered);
    }
    if (rc != 0) {
        // Best effort: the engine may have queued an alert for the peer. A peer that has
        // closed its side has nothing left to drain.
        if (flush_output(o) == 0 && !*eof) {
            drain_before_close(o);
        }
        fail(o, rc, 0);
    }
    return true;
}

static bool receive_some(ussl_socket_obj_t *o, int *err, bool *eof) {
    size_t delivered;
    return receive_into(o, NULL, 0, &delivered, err, eof);
}

// Waits until the socket is ready in `events`, for at most `ms` (-1: as long as it takes).
// Returns false on timeout.
// select.poll blocks in the port's own way (poll(2) on unix), so nothing busy-waits.
static bool wait_ready(ussl_socket_obj_t *o, mp_uint_t events, mp_int_t ms) {
    if (o->poller == MP_OBJ_NULL) {
        mp_obj_t select = mp_import_name(MP_QSTR_select, mp_const_none, MP_OBJ_NEW_SMALL_INT(0));
        o->poller = mp_call_function_0(mp_load_attr(select, MP_QSTR_poll));
        mp_obj_t reg[4];
        mp_load_method(o->poller, MP_QSTR_register, reg);
        reg[2] = o->sock;
        reg[3] = MP_OBJ_NEW_SMALL_INT(MP_STREAM_POLL_RD);
        mp_call_method_n_kw(2, 0, reg);
    }
    mp_obj_t call[4];
    mp_load_method(o->poller, MP_QSTR_modify, call);
    call[2] = o->sock;
    call[3] = MP_OBJ_NEW_SMALL_INT(events);
    mp_call_method_n_kw(2, 0, call);
    mp_load_method(o->poller, MP_QSTR_poll, call);
    call[2] = MP_OBJ_NEW_SMALL_INT(ms < 0 ? -1 : ms);
    mp_obj_t ready = mp_call_method_n_kw(1, 0, call);
    size_t n;
    mp_obj_t *items;
    mp_obj_get_array(ready, &n, &items);
    return n > 0;
}

// After a failure whose alert went out: reads and drops what the peer has already sent, for at
// most 20 ms without data and 72 KB (a whole handshake message and its records), because closing a socket with unread data resets the
// connection (RST), and the peer's stack then drops our alert before the peer reads it (seen
// with tlsfuzzer's large ClientHellos). Never raises: the failure is what the caller reports.
static void drain_before_close(ussl_socket_obj_t *o) {
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        const mp_stream_p_t *stream = mp_get_stream(o->sock);
        uint8_t buf[128];
        for (size_t total = 0; total < 72 * 1024 && wait_ready(o, MP_STREAM_POLL_RD, 20);) {
            int err = 0;
            mp_uint_t n = stream->read(o->sock, buf, sizeof(buf), &err);
            if (n == MP_STREAM_ERROR || n == 0) {
                break;
            }
            total += n;
        }
        nlr_pop();
    }
}

// Waits for `events` until the deadline (none when timeout_ms < 0); raises once it has passed.
static void wait_or_time_out(ussl_socket_obj_t *o, mp_uint_t events, mp_uint_t start, mp_int_t timeout_ms) {
    if (timeout_ms < 0) {
        wait_ready(o, events, -1);
        return;
    }
    mp_int_t left = timeout_ms - (mp_int_t)(mp_hal_ticks_ms() - start);
    if (left <= 0 || !wait_ready(o, events, left)) {
        fail(o, USSL_CODE_HANDSHAKE_TIMEOUT, 0);
    }
}

// Runs the script's verify_callback over the peer's certificates, the top of the chain first and
// the leaf (depth 0) last, as mbedTLS calls mainline's, once the engine has verified them; the
// engine holds its output and plaintext meanwhile. Mainline's meaning: a non-zero return fails
// the handshake. An exception in the callback fails it too and reaches the caller as it is.
static void run_verify_callback(ussl_socket_obj_t *o) {
    size_t count = ussl_conn_peer_cert_count(o->conn);
    mp_int_t refused = 0;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        for (size_t depth = count; depth-- > 0 && refused == 0;) {
            const uint8_t *der;
            size_t len;
            if (ussl_conn_peer_cert(o->conn, depth, &der, &len) != 0) {
                continue;
            }
            // A copy: the script may keep it after the connection is gone.
            mp_obj_t cert = mp_obj_new_bytes(der, len);
            refused = mp_obj_get_int(mp_call_function_2(o->hooks.verify_callback, cert, MP_OBJ_NEW_SMALL_INT(depth)));
        }
        nlr_pop();
    } else {
        // Refused: the connection fails with USSL_CODE_VERIFY_CALLBACK_REFUSED.
        ussl_conn_verify_callback_verdict(o->conn, false);
        nlr_jump(nlr.ret_val);
    }
    uint32_t rc = ussl_conn_verify_callback_verdict(o->conn, refused == 0);
    if (rc != 0) {
        fail(o, rc, 0);
    }
}

// Appends the key log lines the engine has for this connection to the script's file (opened
// for each batch, so nothing is lost when the script stops), as CPython's keylog_filename does.
static void append_key_log(ussl_socket_obj_t *o) {
    if (o->hooks.keylog_filename == mp_const_none) {
        return;
    }
    uint8_t lines[256];
    size_t n = ussl_conn_take_key_log(o->conn, lines, sizeof(lines));
    if (n == 0) {
        return;
    }
    mp_obj_t open_args[2] = { o->hooks.keylog_filename, MP_OBJ_NEW_QSTR(MP_QSTR_a) };
    mp_obj_t file = mp_builtin_open(2, open_args, (mp_map_t *)&mp_const_empty_map);
    mp_obj_t write = mp_load_attr(file, MP_QSTR_write);
    while (n > 0) {
        mp_call_function_1(write, mp_obj_new_str((const char *)lines, n));
        n = ussl_conn_take_key_log(o->conn, lines, sizeof(lines));
    }
    mp_call_function_0(mp_load_attr(file, MP_QSTR_close));
}

// The handshake driver: runs the handshake to completion, waiting on the socket (never
// spinning) between steps, within timeout_ms (none when < 0). With a deadline it waits for data
// before each read, so a blocking socket cannot hold it past the deadline. Returns
// MP_ENOTCONN/MP_EPIPE without raising when `allow_unconnected` and the socket turns out not to
// be connected before anything was sent (ussl's wrap before connect); raises on every other
// failure.
static int run_handshake(ussl_socket_obj_t *o, mp_int_t timeout_ms, bool allow_unconnected) {
    mp_uint_t start = mp_hal_ticks_ms();
    bool first_flight = true;
    for (;;) {
        append_key_log(o);
        raise_if_failed(o);
        if (ussl_conn_verify_callback_pending(o->conn)) {
            run_verify_callback(o);
        }
        int err = flush_output(o);
        while (err == MP_EAGAIN) {
            wait_or_time_out(o, MP_STREAM_POLL_WR, start, timeout_ms);
            err = flush_output(o);
        }
        if (err != 0) {
            if (allow_unconnected && first_flight && (err == MP_ENOTCONN || err == MP_EPIPE)) {
                return err;
            }
            fail(o, USSL_CODE_SOCKET_FAILED, err);
        }
        first_flight = false;
        if (!ussl_conn_is_handshaking(o->conn)) {
            break;
        }
        if (timeout_ms >= 0) {
            wait_or_time_out(o, MP_STREAM_POLL_RD, start, timeout_ms);
        }
        bool eof = false;
        if (!receive_some(o, &err, &eof)) {
            if (err != MP_EAGAIN) {
                fail(o, USSL_CODE_SOCKET_FAILED, err);
            }
            if (timeout_ms < 0) {
                wait_or_time_out(o, MP_STREAM_POLL_RD, start, timeout_ms);
            }
        }
    }
    append_key_log(o);
    o->handshake_pending = false;
    o->poller = MP_OBJ_NULL;
    return 0;
}

// The whole handshake as the socket's API runs it: bounded by ussl's timeout, or in the
// socket's own blocking mode for tls.
static void finish_handshake(ussl_socket_obj_t *o) {
    if (o->handshake_pending) {
        run_handshake(o, o->api == USSL_API_PYCOM ? (mp_int_t)o->timeout_ms : -1, false);
    }
}

// The handshake from inside read or write (tls's sockets wrapped with
// do_handshake_on_connect=False, asyncio's): sends what is pending and takes in what the socket
// has, until the handshake is done or the socket would block. Returns 0 once the handshake is
// done, or the socket's errno (MP_EAGAIN when it must wait); *needs_write tells which direction
// it waits for. Raises on an engine failure.
// On a socket known not to block, a call that sends a flight returns without reading: the
// peer's answer can only come after the flight, so the caller polls for it. Reading at once
// would take in the answer only when the peer happened to be quick, and where a failure
// surfaces (in this write, or in the next call: asyncio's write() or drain()) would then depend
// on timing. mbedTLS's module reads at once and finds nothing there but on a loaded machine:
// this makes that order certain. A blocking socket reads at once and waits there, as it must.
static int handshake_step(ussl_socket_obj_t *o, bool *needs_write) {
    for (;;) {
        append_key_log(o);
        if (ussl_conn_verify_callback_pending(o->conn)) {
            run_verify_callback(o);
        }
        bool sends_flight = ussl_conn_pending_output(o->conn, NULL) > 0;
        int err = flush_output(o);
        if (err != 0) {
            *needs_write = true;
            return err;
        }
        if (!ussl_conn_is_handshaking(o->conn)) {
            append_key_log(o);
            o->handshake_pending = false;
            return 0;
        }
        if (sends_flight && o->non_blocking) {
            *needs_write = false;
            return MP_EAGAIN;
        }
        bool eof = false;
        if (!receive_some(o, &err, &eof)) {
            *needs_write = false;
            return err;
        }
    }
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
        run_handshake(o, (mp_int_t)timeout_ms, !ussl_conn_is_server(conn));
    } else if (do_handshake) {
        finish_handshake(o);
    }
    return MP_OBJ_FROM_PTR(o);
}

// Advances a pending handshake from inside read (writing=false) or write. Returns 0 once it is
// done, else the errno to hand up (MP_EAGAIN: try again when poll says so). poll_mask is set
// when the handshake waits in the other direction than the call's, as mbedTLS's module does.
static int advance_handshake(ussl_socket_obj_t *o, bool writing) {
    o->poll_mask = 0;
    if (!o->handshake_pending) {
        return 0;
    }
    if (o->api == USSL_API_PYCOM) {
        // ussl's API: a socket wrapped before connect(), used without connect().
        finish_handshake(o);
        return 0;
    }
    bool needs_write = false;
    int err = handshake_step(o, &needs_write);
    if (err == MP_EAGAIN && needs_write != writing) {
        o->poll_mask = needs_write ? MP_STREAM_POLL_WR : MP_STREAM_POLL_RD;
    } else if (err != 0 && err != MP_EAGAIN) {
        note_failure(o, USSL_CODE_SOCKET_FAILED, err);
    }
    return err;
}

static mp_uint_t ussl_sock_read(mp_obj_t self_in, void *buf, mp_uint_t size, int *errcode) {
    ussl_socket_obj_t *o = MP_OBJ_TO_PTR(self_in);
    if (o->conn == NULL) {
        *errcode = MP_EBADF;
        return MP_STREAM_ERROR;
    }
    raise_if_failed(o);
    int err = advance_handshake(o, false);
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
        err = flush_output(o);
        if (err != 0) {
            if (err == MP_EAGAIN) {
                o->poll_mask = MP_STREAM_POLL_WR;
            }
            *errcode = err;
            return MP_STREAM_ERROR;
        }
        bool eof = false;
        size_t delivered = 0;
        if (!receive_into(o, buf, size, &delivered, &err, &eof)) {
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
    raise_if_failed(o);
    int err = advance_handshake(o, true);
    if (err != 0) {
        *errcode = err;
        return MP_STREAM_ERROR;
    }
    // Ciphertext left over from an earlier non-blocking write goes first.
    err = flush_output(o);
    if (err != 0) {
        *errcode = err;
        return MP_STREAM_ERROR;
    }
    size_t written = 0;
    uint32_t rc = ussl_conn_write(o->conn, buf, size, &written);
    if (rc != 0) {
        fail(o, rc, 0);
    }
    // The plaintext is taken even if the socket cannot take all the ciphertext now: the rest
    // leaves with the next operation.
    err = flush_output(o);
    if (err != 0 && err != MP_EAGAIN) {
        note_failure(o, USSL_CODE_SOCKET_FAILED, err);
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
                flush_output(o);
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
            int err = flush_output(o);
            if (err == MP_EAGAIN) {
                o->poll_mask = MP_STREAM_POLL_WR;
            } else if (err != 0) {
                note_failure(o, USSL_CODE_SOCKET_FAILED, err);
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
    finish_handshake(o);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(ussl_sock_connect_obj, ussl_sock_connect);

static mp_obj_t ussl_sock_do_handshake(mp_obj_t self_in) {
    ussl_socket_obj_t *o = get_open(self_in);
    raise_if_failed(o);
    finish_handshake(o);
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
    char name[64], version[16];
    uint32_t bits = 0;
    size_t n = ussl_conn_cipher(o->conn, name, sizeof(name), &bits);
    size_t v = ussl_conn_version(o->conn, version, sizeof(version));
    if (n == 0 || v == 0) {
        return mp_const_none;
    }
    mp_obj_t items[3] = { mp_obj_new_str(name, n), mp_obj_new_str(version, v), MP_OBJ_NEW_SMALL_INT(bits) };
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

static mp_obj_t ussl_sock_version(mp_obj_t self_in) {
    ussl_socket_obj_t *o = get_open(self_in);
    char version[16];
    size_t v = ussl_conn_version(o->conn, version, sizeof(version));
    return v == 0 ? mp_const_none : mp_obj_new_str(version, v);
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
        if (!receive_some(o, &err, &eof) || eof) {
            return;
        }
    }
}

mp_obj_t ussl_socket_save_session(mp_obj_t self_in) {
    if (!mp_obj_is_type(self_in, &ussl_socket_type)) {
        mp_raise_TypeError(MP_ERROR_TEXT("save_session needs an SSL socket"));
    }
    ussl_socket_obj_t *o = get_open(self_in);
    raise_if_failed(o);
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
