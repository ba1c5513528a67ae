// getpeercert() as CPython shapes it: a dict with subject and issuer (tuples of RDNs, each a
// tuple of (name, value) pairs), version, serialNumber, notBefore, notAfter, subjectAltName.
// The engine parses the certificate; this only builds Python objects from its flat fields.
#include "py/runtime.h"
#include "py/parsenum.h"
#include "ussl_shim.h"


// Appends (key, value) to the last RDN of `rdns` (a list of lists), starting a new RDN first
// when asked.
static void add_attribute(mp_obj_t rdns, bool new_rdn, mp_obj_t pair) {
    size_t n;
    mp_obj_t *items;
    mp_obj_list_get(rdns, &n, &items);
    if (new_rdn || n == 0) {
        mp_obj_list_append(rdns, mp_obj_new_list(0, NULL));
        mp_obj_list_get(rdns, &n, &items);
    }
    mp_obj_list_append(items[n - 1], pair);
}

// Turns a list of lists into a tuple of tuples.
static mp_obj_t freeze(mp_obj_t rdns) {
    size_t n;
    mp_obj_t *items;
    mp_obj_list_get(rdns, &n, &items);
    mp_obj_t out = mp_obj_new_tuple(n, NULL);
    mp_obj_tuple_t *t = MP_OBJ_TO_PTR(out);
    for (size_t i = 0; i < n; i++) {
        size_t m;
        mp_obj_t *pairs;
        mp_obj_list_get(items[i], &m, &pairs);
        t->items[i] = mp_obj_new_tuple(m, pairs);
    }
    return out;
}

mp_obj_t ussl_cert_dict(const uint8_t *der, size_t len) {
    ussl_certinfo *info = NULL;
    ussl_check(ussl_certinfo_new(der, len, &info));
    mp_obj_t dict = mp_obj_new_dict(8);
    mp_obj_t subject = mp_obj_new_list(0, NULL);
    mp_obj_t issuer = mp_obj_new_list(0, NULL);
    mp_obj_t san = mp_obj_new_list(0, NULL);
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        size_t count = ussl_certinfo_count(info);
        for (size_t i = 0; i < count; i++) {
            uint8_t kind;
            const uint8_t *key, *value;
            size_t key_len, value_len;
            if (ussl_certinfo_field(info, i, &kind, &key, &key_len, &value, &value_len) != 0) {
                continue;
            }
            mp_obj_t v = mp_obj_new_str((const char *)value, value_len);
            mp_obj_t pair[2] = { mp_obj_new_str((const char *)key, key_len), v };
            switch (kind) {
                case USSL_FIELD_KIND_SUBJECT_NEW_RDN:
                case USSL_FIELD_KIND_SUBJECT_SAME_RDN:
                    add_attribute(subject, kind == USSL_FIELD_KIND_SUBJECT_NEW_RDN, mp_obj_new_tuple(2, pair));
                    break;
                case USSL_FIELD_KIND_ISSUER_NEW_RDN:
                case USSL_FIELD_KIND_ISSUER_SAME_RDN:
                    add_attribute(issuer, kind == USSL_FIELD_KIND_ISSUER_NEW_RDN, mp_obj_new_tuple(2, pair));
                    break;
                case USSL_FIELD_KIND_VERSION:
                    mp_obj_dict_store(dict, MP_OBJ_NEW_QSTR(MP_QSTR_version), mp_parse_num_integer((const char *)value, value_len, 10, NULL));
                    break;
                case USSL_FIELD_KIND_SERIAL_NUMBER:
                    mp_obj_dict_store(dict, MP_OBJ_NEW_QSTR(MP_QSTR_serialNumber), v);
                    break;
                case USSL_FIELD_KIND_NOT_BEFORE:
                    mp_obj_dict_store(dict, MP_OBJ_NEW_QSTR(MP_QSTR_notBefore), v);
                    break;
                case USSL_FIELD_KIND_NOT_AFTER:
                    mp_obj_dict_store(dict, MP_OBJ_NEW_QSTR(MP_QSTR_notAfter), v);
                    break;
                case USSL_FIELD_KIND_SUBJECT_ALT_NAME:
                    mp_obj_list_append(san, mp_obj_new_tuple(2, pair));
                    break;
            }
        }
        nlr_pop();
    } else {
        ussl_certinfo_free(info);
        nlr_jump(nlr.ret_val);
    }
    ussl_certinfo_free(info);
    mp_obj_dict_store(dict, MP_OBJ_NEW_QSTR(MP_QSTR_subject), freeze(subject));
    mp_obj_dict_store(dict, MP_OBJ_NEW_QSTR(MP_QSTR_issuer), freeze(issuer));
    size_t n;
    mp_obj_t *items;
    mp_obj_list_get(san, &n, &items);
    if (n > 0) {
        mp_obj_dict_store(dict, MP_OBJ_NEW_QSTR(MP_QSTR_subjectAltName), mp_obj_new_tuple(n, items));
    }
    return dict;
}
