# hashlib's and cryptolib's API and errors, call by call: tests_py/test_pycrypto.py runs this on
# our build and compares with pycrypto_parity.py.exp, which MicroPython's own modules printed
# (build/micropython-mbedtls: extmod's modhashlib.c and modcryptolib.c over mbedTLS 3.6.2).
# CTR and the MODE_* constants are left out: that build has neither (its port leaves them off).
import hashlib
from cryptolib import aes


def t(label, f):
    try:
        r = f()
        print(label, "->", r)
    except Exception as e:
        print(label, "!", type(e).__name__, e)


for name in ("sha256", "sha1", "md5"):
    H = getattr(hashlib, name)
    t(name + " empty", lambda: H().digest())
    t(name + " data", lambda: H(b"abc").digest())
    t(name + " bytearray", lambda: H(bytearray(b"abc")).digest())
    t(name + " memoryview", lambda: H(memoryview(b"xabcx")[1:4]).digest())
    t(name + " str", lambda: H("abc").digest())
    t(name + " int", lambda: H(1))
    t(name + " two args", lambda: H(b"a", b"b"))
    t(name + " keyword", lambda: H(data=b"a"))
    h = H(b"a")
    h.update(b"bc")
    h.update(b"")
    t(name + " update", lambda: h.digest())
    t(name + " digest twice", lambda: h.digest())
    t(name + " update after digest", lambda: h.update(b"x"))
    t(name + " non-buffer after digest", lambda: h.update(1))
    h = H()
    t(name + " update int", lambda: h.update(1))
    t(name + " usable after", lambda: h.digest())
    t(name + " long", lambda: H(bytes(range(256)) * 40).digest())
    t(name + " no digest attr", lambda: H().hexdigest())
t("uhashlib", lambda: __import__("uhashlib").sha256(b"a").digest())

K = b"k" * 16
K32 = b"K" * 32
IV = b"i" * 16
t("mode 3", lambda: aes(K, 3))
t("mode 0", lambda: aes(K, 0))
t("mode str", lambda: aes(K, "1"))
t("mode huge", lambda: aes(K, 1 << 40))
t("key 15", lambda: aes(K[:15], 1))
t("key 24", lambda: aes(b"x" * 24, 1))
t("key int", lambda: aes(1, 1))
t("key str", lambda: aes("k" * 16, 1).encrypt(bytes(16)))
t("cbc no iv", lambda: aes(K, 2))
t("cbc iv None", lambda: aes(K, 2, None))
t("cbc iv 15", lambda: aes(K, 2, IV[:15]))
t("cbc iv 17", lambda: aes(K, 2, IV + b"x"))
t("ecb with iv", lambda: aes(K, 1, IV).encrypt(bytes(16)))
t("one arg", lambda: aes(K))
t("four args", lambda: aes(K, 1, IV, 1))
e = aes(K, 1)
t("ecb 15", lambda: e.encrypt(bytes(15)))
t("ecb 0", lambda: e.encrypt(b""))
t("ecb 32", lambda: e.encrypt(bytes(32)))
t("decrypt after encrypt", lambda: e.decrypt(bytes(16)))
d = aes(K, 1)
t("ecb decrypt", lambda: d.decrypt(bytes(16)))
t("encrypt after decrypt", lambda: d.encrypt(bytes(16)))
t("into too small", lambda: aes(K, 1).encrypt(bytes(32), bytearray(16)))
t("into larger", lambda: aes(K, 1).encrypt(bytes(16), bytearray(20)))
t("into int", lambda: aes(K, 1).encrypt(bytes(16), 5))
b = bytearray(range(32))
t("in place", lambda: aes(K, 1).encrypt(b, b))
t("in place back", lambda: aes(K, 1).decrypt(b, b))
t("input int", lambda: aes(K, 1).encrypt(5))
t("input str", lambda: aes(K, 1).encrypt("a" * 16))
t("cbc 256", lambda: aes(K32, 2, IV).encrypt(bytes(48)))
c = aes(K32, 2, IV)
t("cbc 256 in pieces", lambda: c.encrypt(bytes(16)) + c.encrypt(bytes(32)))
t("cbc 256 back", lambda: aes(K32, 2, IV).decrypt(aes(K32, 2, IV).encrypt(bytes(range(48)))))
t("cbc 17", lambda: aes(K, 2, IV).encrypt(bytes(17)))
t("no encrypt args", lambda: aes(K, 1).encrypt())
t("ucryptolib", lambda: __import__("ucryptolib").aes(K, 1).encrypt(bytes(16)))
print("done")
