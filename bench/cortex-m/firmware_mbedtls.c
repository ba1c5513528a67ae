// The same stand-in firmware for mbedTLS: it keeps every mbedTLS function MicroPython's
// extmod/modtls_mbedtls.c calls, built with and without KEEP_TLS.
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef KEEP_TLS
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/error.h"
#include "mbedtls/pk.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"
#include "mbedtls/debug.h"
#endif

#include "stub_heap.h"

int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen) {
    (void)data;
    for (size_t i = 0; i < len; i++) {
        output[i] = (unsigned char)i;
    }
    *olen = len;
    return 0;
}

time_t board_time(time_t *t) {
    (void)t;
    return 1800000000;
}

#ifdef KEEP_TLS
volatile const void *keep[] = {
    (const void *)mbedtls_ctr_drbg_free, (const void *)mbedtls_ctr_drbg_init, (const void *)mbedtls_ctr_drbg_seed,
    (const void *)mbedtls_ctr_drbg_random, (const void *)mbedtls_entropy_free, (const void *)mbedtls_entropy_init,
    (const void *)mbedtls_entropy_func, (const void *)mbedtls_mpi_size, (const void *)mbedtls_mpi_write_binary,
    (const void *)mbedtls_pk_free, (const void *)mbedtls_pk_init, (const void *)mbedtls_pk_parse_key,
    (const void *)mbedtls_ssl_check_pending, (const void *)mbedtls_ssl_conf_authmode,
    (const void *)mbedtls_ssl_conf_ca_chain, (const void *)mbedtls_ssl_conf_ciphersuites,
    (const void *)mbedtls_ssl_conf_own_cert, (const void *)mbedtls_ssl_conf_rng, (const void *)mbedtls_ssl_conf_verify,
    (const void *)mbedtls_ssl_config_defaults, (const void *)mbedtls_ssl_config_free,
    (const void *)mbedtls_ssl_config_init, (const void *)mbedtls_ssl_free, (const void *)mbedtls_ssl_get_ciphersuite,
    (const void *)mbedtls_ssl_get_ciphersuite_id, (const void *)mbedtls_ssl_get_ciphersuite_name,
    (const void *)mbedtls_ssl_get_peer_cert, (const void *)mbedtls_ssl_get_verify_result,
    (const void *)mbedtls_ssl_get_version, (const void *)mbedtls_ssl_handshake, (const void *)mbedtls_ssl_init,
    (const void *)mbedtls_ssl_list_ciphersuites, (const void *)mbedtls_ssl_read,
    (const void *)mbedtls_ssl_send_alert_message, (const void *)mbedtls_ssl_set_bio,
    (const void *)mbedtls_ssl_set_hostname, (const void *)mbedtls_ssl_set_timer_cb, (const void *)mbedtls_ssl_setup,
    (const void *)mbedtls_ssl_write, (const void *)mbedtls_ssl_close_notify, (const void *)mbedtls_strerror,
    (const void *)mbedtls_x509_crt_free, (const void *)mbedtls_x509_crt_init, (const void *)mbedtls_x509_crt_parse,
    (const void *)mbedtls_x509_crt_verify_info,
};
#endif

int main(void) {
    #ifdef KEEP_TLS
    return (int)(uintptr_t)keep[heap_used % (sizeof(keep) / sizeof(keep[0]))];
    #else
    return (int)heap_used;
    #endif
}
