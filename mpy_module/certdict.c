// getpeercert() as CPython shapes it: a dict with subject and issuer (tuples of RDNs, each a
// tuple of (name, value) pairs), version, serialNumber, notBefore, notAfter, subjectAltName.
// The engine parses the certificate; this only builds Python objects from its flat fields.
#include "py/runtime.h"
#include "py/parsenum.h"
#include "ussl_shim.h"

enum { F_SUBJECT_NEW = 1, F_SUBJECT_SAME, F_ISSUER_NEW, F_ISSUER_SAME, F_VERSION, F_SERIAL,
       F_NOT_BEFORE, F_NOT_AFTER, F_SAN };

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
    uint32_t rc = ussl_certinfo_new(der, len, &info);
    if (rc != 0) {
        ussl_raise(rc, NULL);
    }
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
                case F_SUBJECT_NEW:
                case F_SUBJECT_SAME:
                    add_attribute(subject, kind == F_SUBJECT_NEW, mp_obj_new_tuple(2, pair));
                    break;
                case F_ISSUER_NEW:
                case F_ISSUER_SAME:
                    add_attribute(issuer, kind == F_ISSUER_NEW, mp_obj_new_tuple(2, pair));
                    break;
                case F_VERSION:
                    mp_obj_dict_store(dict, MP_OBJ_NEW_QSTR(MP_QSTR_version), mp_parse_num_integer((const char *)value, value_len, 10, NULL));
                    break;
                case F_SERIAL:
                    mp_obj_dict_store(dict, MP_OBJ_NEW_QSTR(MP_QSTR_serialNumber), v);
                    break;
                case F_NOT_BEFORE:
                    mp_obj_dict_store(dict, MP_OBJ_NEW_QSTR(MP_QSTR_notBefore), v);
                    break;
                case F_NOT_AFTER:
                    mp_obj_dict_store(dict, MP_OBJ_NEW_QSTR(MP_QSTR_notAfter), v);
                    break;
                case F_SAN:
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
