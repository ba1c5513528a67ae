// The SSL socket's ciphertext: between the underlying socket's stream protocol and the engine
// (each flight the engine prepares leaves in one socket write), and the connection's failure,
// which the engine keeps.
#include "py/runtime.h"
#include "py/stream.h"
#include "py/mperrno.h"
#include "ssl_socket.h"

// Records the failure in the engine, which keeps the first, and raises the connection's.
NORETURN void ussl_sock_fail(ussl_socket_obj_t *o, uint32_t code, int os_errno) {
    ussl_raise_conn(o->conn, ussl_conn_fail(o->conn, code, os_errno), o->api);
}

// Raises the connection's failure (its sticky error in the engine), if it has one.
void ussl_sock_raise_if_failed(ussl_socket_obj_t *o) {
    uint32_t code = ussl_conn_error(o->conn);
    if (code != 0) {
        ussl_raise_conn(o->conn, code, o->api);
    }
}

// Writes pending ciphertext to the socket. Returns 0 when all is sent, else the socket's errno
// (MP_EAGAIN on a non-blocking socket that is full).
int ussl_sock_flush(ussl_socket_obj_t *o) {
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
bool ussl_sock_receive_into(ussl_socket_obj_t *o, void *out, size_t out_len, size_t *delivered, int *err, bool *eof) {
    *delivered = 0;
    uint8_t *space;
    size_t len;
    uint32_t rc = ussl_conn_recv_space(o->conn, &space, &len);
    if (rc != 0) {
        ussl_sock_fail(o, rc, 0);
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
        if (ussl_sock_flush(o) == 0 && !*eof) {
            drain_before_close(o);
        }
        ussl_sock_fail(o, rc, 0);
    }
    return true;
}

bool ussl_sock_receive_some(ussl_socket_obj_t *o, int *err, bool *eof) {
    size_t delivered;
    return ussl_sock_receive_into(o, NULL, 0, &delivered, err, eof);
}

// Waits until the socket is ready in `events`, for at most `ms` (-1: as long as it takes).
// Returns false on timeout.
// select.poll blocks in the port's own way (poll(2) on unix), so nothing busy-waits.
bool ussl_sock_wait_ready(ussl_socket_obj_t *o, mp_uint_t events, mp_int_t ms) {
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
        for (size_t total = 0; total < 72 * 1024 && ussl_sock_wait_ready(o, MP_STREAM_POLL_RD, 20);) {
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

