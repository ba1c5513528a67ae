// The SSL socket's handshake driver: runs the handshake over the socket (to the end, waiting
// between steps, or a step at a time inside a non-blocking read or write), with the script's
// verify_callback and key log file on the way.
#include "py/runtime.h"
#include "py/builtin.h"
#include "py/stream.h"
#include "py/mperrno.h"
#include "py/mphal.h"
#include "ssl_socket.h"

// Waits for `events` until the deadline (none when timeout_ms < 0); raises once it has passed.
static void wait_or_time_out(ussl_socket_obj_t *o, mp_uint_t events, mp_uint_t start, mp_int_t timeout_ms) {
    if (timeout_ms < 0) {
        ussl_sock_wait_ready(o, events, -1);
        return;
    }
    mp_int_t left = timeout_ms - (mp_int_t)(mp_hal_ticks_ms() - start);
    if (left <= 0 || !ussl_sock_wait_ready(o, events, left)) {
        ussl_sock_fail(o, USSL_CODE_HANDSHAKE_TIMEOUT, 0);
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
        ussl_sock_fail(o, rc, 0);
    }
}

// Looks up the key of the PSK identity the client offered, as mainline's server_psk_keys:
// server_psk_keys.get(identity) with the identity as bytes, giving the key or None. A lookup that
// raises, or gives something other than bytes, fails this handshake only, as in mainline (which
// prints nothing either).
static void run_psk_lookup(ussl_socket_obj_t *o, const uint8_t *identity, size_t identity_len) {
    mp_buffer_info_t key = { .buf = NULL, .len = 0 };
    bool raised = false;
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t dest[3];
        mp_load_method(o->hooks.server_psk_keys, MP_QSTR_get, dest);
        dest[2] = mp_obj_new_bytes(identity, identity_len);
        mp_obj_t found = mp_call_method_n_kw(1, 0, dest);
        if (found != mp_const_none && !mp_get_buffer(found, &key, MP_BUFFER_READ)) {
            raised = true;
        }
        nlr_pop();
    } else {
        raised = true;
    }
    // The key is the script's object's buffer, read by the engine before this returns.
    uint32_t rc = ussl_conn_psk_answer(o->conn, raised ? NULL : key.buf, raised ? 0 : key.len, raised);
    if (rc != 0) {
        // Best effort: the alert for the client (unknown_psk_identity) goes out first.
        ussl_sock_flush(o);
        ussl_sock_fail(o, rc, 0);
    }
}

// Runs what the engine holds the handshake for: the PSK lookup, the verify_callback.
static void run_held_callbacks(ussl_socket_obj_t *o) {
    const uint8_t *identity;
    size_t identity_len;
    if (o->hooks.server_psk_keys != mp_const_none && ussl_conn_psk_identity(o->conn, &identity, &identity_len)) {
        run_psk_lookup(o, identity, identity_len);
    }
    if (ussl_conn_verify_callback_pending(o->conn)) {
        run_verify_callback(o);
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
int ussl_sock_run_handshake(ussl_socket_obj_t *o, mp_int_t timeout_ms, bool allow_unconnected) {
    mp_uint_t start = mp_hal_ticks_ms();
    bool first_flight = true;
    for (;;) {
        append_key_log(o);
        ussl_sock_raise_if_failed(o);
        run_held_callbacks(o);
        int err = ussl_sock_flush(o);
        while (err == MP_EAGAIN) {
            wait_or_time_out(o, MP_STREAM_POLL_WR, start, timeout_ms);
            err = ussl_sock_flush(o);
        }
        if (err != 0) {
            if (allow_unconnected && first_flight && (err == MP_ENOTCONN || err == MP_EPIPE)) {
                return err;
            }
            ussl_sock_fail(o, USSL_CODE_SOCKET_FAILED, err);
        }
        first_flight = false;
        if (!ussl_conn_is_handshaking(o->conn)) {
            break;
        }
        if (timeout_ms >= 0) {
            wait_or_time_out(o, MP_STREAM_POLL_RD, start, timeout_ms);
        }
        bool eof = false;
        if (!ussl_sock_receive_some(o, &err, &eof)) {
            if (err != MP_EAGAIN) {
                ussl_sock_fail(o, USSL_CODE_SOCKET_FAILED, err);
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
void ussl_sock_finish_handshake(ussl_socket_obj_t *o) {
    if (o->handshake_pending) {
        ussl_sock_run_handshake(o, o->api == USSL_API_PYCOM ? (mp_int_t)o->timeout_ms : -1, false);
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
        run_held_callbacks(o);
        bool sends_flight = ussl_conn_pending_output(o->conn, NULL) > 0;
        int err = ussl_sock_flush(o);
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
        if (!ussl_sock_receive_some(o, &err, &eof)) {
            *needs_write = false;
            return err;
        }
    }
}

// Advances a pending handshake from inside read (writing=false) or write. Returns 0 once it is
// done, else the errno to hand up (MP_EAGAIN: try again when poll says so). poll_mask is set
// when the handshake waits in the other direction than the call's, as mbedTLS's module does.
int ussl_sock_advance_handshake(ussl_socket_obj_t *o, bool writing) {
    o->poll_mask = 0;
    if (!o->handshake_pending) {
        return 0;
    }
    if (o->api == USSL_API_PYCOM) {
        // ussl's API: a socket wrapped before connect(), used without connect().
        ussl_sock_finish_handshake(o);
        return 0;
    }
    bool needs_write = false;
    int err = handshake_step(o, &needs_write);
    if (err == MP_EAGAIN && needs_write != writing) {
        o->poll_mask = needs_write ? MP_STREAM_POLL_WR : MP_STREAM_POLL_RD;
    } else if (err != 0 && err != MP_EAGAIN) {
        ussl_conn_fail(o->conn, USSL_CODE_SOCKET_FAILED, err);
    }
    return err;
}

