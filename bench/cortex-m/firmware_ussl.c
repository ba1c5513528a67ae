// A stand-in firmware that keeps every engine function the shim calls, so the linker
// (--gc-sections) keeps exactly what a MicroPython build with ussl would. Built twice: with
// KEEP_TLS and without, and the difference is what the TLS engine costs in flash.
#include <stddef.h>
#include <stdint.h>
#include "ussl_engine.h"

#include "stub_heap.h"

int32_t ussl_port_random(uint8_t *buf, size_t len) {
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)i;
    }
    return 0;
}

int32_t ussl_port_time(int64_t *secs) {
    *secs = 1800000000;
    return 0;
}

uintptr_t ussl_port_thread_id(void) {
    return 1;
}

void abort(void) {
    for (;;) {
    }
}

#ifdef KEEP_TLS
volatile const void *keep[] = {
    (const void *)ussl_result_text, (const void *)ussl_context_new, (const void *)ussl_context_free,
    (const void *)ussl_context_set_verify_mode, (const void *)ussl_context_verify_mode,
    (const void *)ussl_context_add_ca, (const void *)ussl_context_set_certificate,
    (const void *)ussl_check_private_key, (const void *)ussl_conn_new_client, (const void *)ussl_conn_new_server,
    (const void *)ussl_conn_free, (const void *)ussl_conn_is_handshaking, (const void *)ussl_conn_recv_want,
    (const void *)ussl_conn_recv_space, (const void *)ussl_conn_recv_commit, (const void *)ussl_conn_recv_eof,
    (const void *)ussl_conn_at_eof, (const void *)ussl_conn_pending_output, (const void *)ussl_conn_consume_output,
    (const void *)ussl_conn_plaintext_pending, (const void *)ussl_conn_read, (const void *)ussl_conn_write,
    (const void *)ussl_conn_close, (const void *)ussl_conn_error, (const void *)ussl_conn_error_text,
    (const void *)ussl_conn_peer_cert, (const void *)ussl_conn_version, (const void *)ussl_conn_cipher,
    (const void *)ussl_certinfo_new, (const void *)ussl_certinfo_free, (const void *)ussl_certinfo_count,
    (const void *)ussl_certinfo_field, (const void *)ussl_match_hostname, (const void *)ussl_conn_session_reused,
    (const void *)ussl_conn_is_server, (const void *)ussl_conn_save_session, (const void *)ussl_session_version,
    (const void *)ussl_session_free, (const void *)ussl_server_state_new, (const void *)ussl_server_state_free,
    (const void *)ussl_context_set_server_state, (const void *)ussl_context_fingerprint,
    (const void *)ussl_context_set_ciphers, (const void *)ussl_context_cipher_count,
    (const void *)ussl_context_cipher_name,
};
#endif

int main(void) {
    #ifdef KEEP_TLS
    return (int)(uintptr_t)keep[heap_used % (sizeof(keep) / sizeof(keep[0]))];
    #else
    return (int)heap_used;
    #endif
}
