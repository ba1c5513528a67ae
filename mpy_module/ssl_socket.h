// The SSL socket's parts: its object, and what each file that makes it up gives the ones above
// it (ssl_socket.c uses handshake.c and socket_io.c; handshake.c uses socket_io.c; none calls
// back up). Its errors and their kinds are in ussl_shim.h; the connection's failure is the
// engine's (ussl_conn_error), which these only read and add to.
#ifndef USSL_SSL_SOCKET_H
#define USSL_SSL_SOCKET_H

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

// socket_io.c: ciphertext between the underlying socket and the engine; the connection's failure.
// Records a failure seen here (an engine call's code, the socket's errno as
// USSL_CODE_SOCKET_FAILED, a timeout) as the connection's, in the engine, which keeps the first,
// and raises the connection's failure (the first it had).
NORETURN void ussl_sock_fail(ussl_socket_obj_t *o, uint32_t code, int os_errno);
// Raises the connection's failure (its sticky error in the engine), if it has one.
void ussl_sock_raise_if_failed(ussl_socket_obj_t *o);
// Sends the pending ciphertext: 0, or the socket's errno (MP_EAGAIN: it takes no more now).
int ussl_sock_flush(ussl_socket_obj_t *o);
// Takes in the next ciphertext, plaintext it completes into `out`: false with *err on a socket
// error; raises on an engine error.
bool ussl_sock_receive_into(ussl_socket_obj_t *o, void *out, size_t out_len, size_t *delivered, int *err, bool *eof);
bool ussl_sock_receive_some(ussl_socket_obj_t *o, int *err, bool *eof);
// Waits for the socket to be ready in `events`, at most `ms` (-1: no limit); false on timeout.
bool ussl_sock_wait_ready(ussl_socket_obj_t *o, mp_uint_t events, mp_int_t ms);

// handshake.c: the handshake driver.
// The whole handshake, within timeout_ms (none when < 0); see there for `allow_unconnected`.
int ussl_sock_run_handshake(ussl_socket_obj_t *o, mp_int_t timeout_ms, bool allow_unconnected);
// The whole handshake as the socket's API runs it, if it is still pending.
void ussl_sock_finish_handshake(ussl_socket_obj_t *o);
// A pending handshake's next steps inside read (writing=false) or write: 0 once done, else the
// errno to hand up (MP_EAGAIN: again when poll says so).
int ussl_sock_advance_handshake(ussl_socket_obj_t *o, bool writing);

#endif
