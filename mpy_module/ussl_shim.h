// MicroPython glue for the ussl engine: shared declarations of the C shim.
// The shim parses arguments, owns the Python objects, moves bytes between the socket and the
// engine, and raises. It holds no TLS logic and parses no certificate: that is all in Rust.
#ifndef USSL_SHIM_H
#define USSL_SHIM_H

#include "py/obj.h"
#include "ussl_engine.h"

// CERT_* values, shared with CPython and MicroPython's tls module.
#define USSL_CERT_NONE (0)
#define USSL_CERT_OPTIONAL (1)
#define USSL_CERT_REQUIRED (2)

extern const mp_obj_type_t mp_type_SSLError;
extern const mp_obj_type_t ussl_socket_type;
extern const mp_obj_type_t ussl_session_type;

typedef struct _ussl_socket_obj_t {
    mp_obj_base_t base;
    mp_obj_t sock;          // the underlying socket; MP_OBJ_NULL once closed
    mp_obj_t poller;        // select.poll() used to wait during a blocking handshake
    ussl_conn *conn;        // engine connection; NULL once closed
    uint32_t timeout_ms;    // bound on the whole handshake
    uint32_t sticky_code;   // engine error that ended the connection (0 while fine)
    int sticky_errno;       // socket error that ended the connection (0 while fine)
    bool handshake_pending; // the handshake has not finished yet
    bool mainline_errors;   // made by the tls module: verification failures raise ValueError
    uint16_t poll_mask;     // direction the handshake needs, when it differs from the call's
} ussl_socket_obj_t;

// Raises SSLError (or ValueError/TypeError/MemoryError by the code's block) for an engine code.
NORETURN void ussl_raise(uint32_t code, const char *detail);
// Raises the connection's sticky error with its detailed text.
NORETURN void ussl_raise_conn(ussl_conn *conn, uint32_t code);

// Reads certificate or key material: bytes (PEM or DER), a path, PEM text, or an object whose
// read() returns them. Returns a bytes object.
mp_obj_t ussl_load_data(mp_obj_t source);

// Makes the SSL socket over `sock` for an engine connection. With a timeout (ussl's API) the
// handshake runs now, bounded by it, waiting on the socket with select.poll; a client socket
// that is not connected yet defers it to connect(). With timeout_ms == 0 (the tls module's
// API) the handshake runs now only if `do_handshake`, in the socket's own blocking mode;
// otherwise it advances inside read and write.
mp_obj_t ussl_socket_new(mp_obj_t sock, ussl_conn *conn, uint32_t timeout_ms, bool do_handshake, bool mainline_errors);

// Wraps a saved session; unwraps one (TypeError for anything else).
mp_obj_t ussl_session_new(ussl_session *session);
ussl_session *ussl_session_get(mp_obj_t obj);

// Points a server context at the ticket keys and session cache shared by contexts of the same
// settings, so clients resume across ussl.wrap_socket(server_side=True) calls.
void ussl_share_server_state(ussl_context *ctx);

// save_session(): takes in records already waiting (tickets), then saves the session.
mp_obj_t ussl_socket_save_session(mp_obj_t ssl_sock);

// getpeercert() as a dict like CPython's, from DER (builds with the engine's `certinfo`).
#if USSL_HAS_CERTINFO
mp_obj_t ussl_cert_dict(const uint8_t *der, size_t len);
#endif

#endif
