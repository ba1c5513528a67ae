// The one place the shim makes exceptions: SSLError, and the Python type an engine result code
// becomes (the engine says which, `ussl_result_kind`).
#include <string.h>

#include "py/runtime.h"
#include "py/objexcept.h"
#include "ussl_shim.h"

MP_DEFINE_EXCEPTION(SSLError, OSError)

NORETURN void ussl_raise(uint32_t code, const char *detail) {
    char text[USSL_LIMIT_ERROR_TEXT_CAP];
    if (detail == NULL || detail[0] == '\0') {
        ussl_result_text(code, text, sizeof(text));
        detail = text;
    }
    ussl_error_kind kind = ussl_result_kind(code);
    if (kind == USSL_ERROR_KIND_MEMORY) {
        mp_raise_msg(&mp_type_MemoryError, MP_ERROR_TEXT("ussl: out of memory"));
    }
    mp_obj_t msg = mp_obj_new_str(detail, strlen(detail));
    switch (kind) {
        case USSL_ERROR_KIND_TYPE:
            mp_raise_type_arg(&mp_type_TypeError, msg);
        case USSL_ERROR_KIND_NOT_BUILT:
            mp_raise_type_arg(&mp_type_NotImplementedError, msg);
        case USSL_ERROR_KIND_VALUE:
            mp_raise_type_arg(&mp_type_ValueError, msg);
        default: {
            mp_obj_t args[2] = { MP_OBJ_NEW_SMALL_INT(code), msg };
            nlr_raise(mp_obj_new_exception_args(&mp_type_SSLError, 2, args));
        }
    }
}

void ussl_check(uint32_t code) {
    if (code != 0) {
        ussl_raise(code, NULL);
    }
}

NORETURN void ussl_raise_conn(ussl_conn *conn, uint32_t code, ussl_api api) {
    ussl_error_kind kind = ussl_result_kind(code);
    if (kind == USSL_ERROR_KIND_OS) {
        // The socket failed under the connection: its own error, as the socket would raise it.
        mp_raise_OSError(ussl_conn_error_errno(conn));
    }
    char text[USSL_LIMIT_ERROR_TEXT_CAP];
    text[0] = '\0';
    if (conn != NULL && ussl_conn_error(conn) == code) {
        ussl_conn_error_text(conn, text, sizeof(text));
    }
    // The tls module raises ValueError for a certificate that failed verification, as
    // MicroPython's mbedTLS module does.
    if (api == USSL_API_MAINLINE && kind == USSL_ERROR_KIND_VERIFY) {
        if (text[0] == '\0') {
            ussl_result_text(code, text, sizeof(text));
        }
        mp_raise_type_arg(&mp_type_ValueError, mp_obj_new_str_from_cstr(text));
    }
    ussl_raise(code, text);
}
