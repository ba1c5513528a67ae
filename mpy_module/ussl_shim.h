// MicroPython glue for the ussl engine: shared declarations of the C shim.
// The shim parses arguments, owns the Python objects, moves bytes between the socket and the
// engine, and raises. It holds no TLS logic, no policy and parses no certificate: that is all
// in Rust (ussl_engine.h, generated from src/ffi.rs).
//
// Files, each calling only those below it (no two call each other):
//   modussl.c, modtls.c   the modules: argument parsing and tables
//   ssl_socket.c          the SSL socket type: stream protocol, poll, methods
//   handshake.c           its handshake driver
//   socket_io.c           its ciphertext to and from the socket, and its failure
//                         (the three share ssl_socket.h: the socket object)
//   session.c             SSLSession and the server state contexts share
//   certdict.c            getpeercert()'s dict
//   loader.c              certificate, key, CA, ALPN and suite objects into a context
//   errors.c              SSLError and every exception made from an engine code
//   pyhashlib.c,          hashlib and cryptolib over the engine's primitives, beside the TLS
//   pycryptolib.c         modules (they call only the engine and errors.c)
//
// Which calls raise and which return an errcode:
//   - Module functions, context and socket methods (wrap_socket, load_*, do_handshake, connect,
//     getpeercert, save_session, ...) raise.
//   - The stream protocol (read, write, ioctl: what read(), write(), recv(), send(), poll and
//     asyncio call) returns socket conditions as an errcode: MP_EAGAIN while it must wait, the
//     socket's own errno when the socket fails (MicroPython raises OSError(errno) from it).
//     A TLS failure there (the peer's alert, a bad record, verification) raises SSLError (or
//     ValueError for verification in the tls module), as mainline's mbedTLS module raises from
//     its handshake; it is sticky: every later read or write raises it again, and poll reports
//     POLL_NVAL. A socket errno is sticky the same way: the engine keeps both (ussl_conn_error).
//   - close() and the finaliser never raise.
#ifndef USSL_SHIM_H
#define USSL_SHIM_H

#include "py/obj.h"
#include "ussl_engine.h"

// Which API made a socket: the Pycom ussl.wrap_socket (a handshake bounded by a timeout, run
// to the end wherever it is needed) or mainline's tls (the socket's own blocking mode; the
// handshake advances inside read and write when it is non-blocking).
typedef enum { USSL_API_PYCOM, USSL_API_MAINLINE } ussl_api;

extern const mp_obj_type_t mp_type_SSLError;
extern const mp_obj_type_t ussl_socket_type;
extern const mp_obj_type_t ussl_session_type;

// errors.c
// Raises the exception for an engine code (its kind says which type), with `detail` or the
// code's own text.
NORETURN void ussl_raise(uint32_t code, const char *detail);
// Raises for a non-zero code.
void ussl_check(uint32_t code);
// Raises a connection's error with the connection's detailed text, as `api` expects.
NORETURN void ussl_raise_conn(ussl_conn *conn, uint32_t code, ussl_api api);

// loader.c: each source is bytes (PEM or DER), PEM text, a path, or an object with read().
void ussl_load_ca(ussl_context *ctx, mp_obj_t source);
void ussl_load_cert_chain(ussl_context *ctx, mp_obj_t cert_source, mp_obj_t key_source);
// ALPN protocols, suites (OpenSSL, IANA or mbedTLS names): each from a list (or tuple) of str.
void ussl_load_alpn(ussl_context *ctx, mp_obj_t protocols);
void ussl_load_ciphers(ussl_context *ctx, mp_obj_t names);
void ussl_load_groups(ussl_context *ctx, mp_obj_t names);

// ssl_socket.c
// Makes the SSL socket over `sock`; it owns `conn` from here on (freed if this raises).
// With USSL_API_PYCOM the handshake is bounded by timeout_ms and a client socket that is not
// connected yet defers it to connect(); with USSL_API_MAINLINE timeout_ms is unused.
// `hooks` are the script's objects the socket calls or uses (the socket keeps them alive);
// `do_handshake` runs the handshake now.
typedef struct _ussl_socket_hooks {
    // f(cert_der, depth), called once the engine has verified the peer's certificates (the
    // connection must be armed with ussl_conn_hold_for_verify_callback), or None.
    mp_obj_t verify_callback;
    // str: the file the connection's NSS key log lines are appended to (the context must keep a
    // key log: ussl_context_set_key_log), or None.
    mp_obj_t keylog_filename;
    // A server's PSK keys: any object with get(identity) giving the key (bytes) or None, called
    // when the connection waits on ussl_conn_psk_identity; or None.
    mp_obj_t server_psk_keys;
    // What the engine's signing hook names (ussl_context_set_sign_hook: a tls context), kept
    // alive as long as the socket; or None.
    mp_obj_t sign_hook_owner;
} ussl_socket_hooks;
mp_obj_t ussl_socket_new(mp_obj_t sock, ussl_conn *conn, ussl_api api, uint32_t timeout_ms,
    const ussl_socket_hooks *hooks, bool do_handshake);
// save_session(): takes in records already waiting (tickets), then saves the session.
mp_obj_t ussl_socket_save_session(mp_obj_t ssl_sock);

// session.c
// Wraps a saved session; unwraps one (TypeError for anything else).
mp_obj_t ussl_session_new(ussl_session *session);
ussl_session *ussl_session_get(mp_obj_t obj);
// Points a server context at the ticket keys and session cache shared by contexts of the same
// settings, so clients resume across ussl.wrap_socket(server_side=True) calls.
void ussl_share_server_state(ussl_context *ctx);

// certdict.c: getpeercert() as a dict like CPython's, from DER (builds with `certinfo`).
#if USSL_HAS_CERTINFO
mp_obj_t ussl_cert_dict(const uint8_t *der, size_t len);
#endif

#endif
