#!/usr/bin/env python3
"""Trims Wycheproof signature-verification files (testvectors_v1/*_test.json) to what
tests/wycheproof.rs reads: per group the public key (ECDSA: uncompressed SEC1 point; RSA: the
RSAPublicKey DER) and the hash, per test [tcId, message, signature, result]. PSS groups are kept
only when MGF1 uses the message's hash and the salt is as long as it (what TLS uses, and all our
verifier accepts); `numberOfTests` counts the tests kept.

    python3 trim.py SOURCE.json OUT.json
"""
import json
import sys

HASH_LEN = {"SHA-256": 32, "SHA-384": 48, "SHA-512": 64}


def trim_ecdh(doc, name):
    """Key agreement (ecdh_*_ecpoint_test, x25519_test): [tcId, public, private, shared,
    result, flags] per test, in one group."""
    tests = [[t["tcId"], t["public"], t["private"], t["shared"], t["result"], t["flags"]]
             for g in doc["testGroups"] for t in g["tests"]]
    source = f"C2SP/wycheproof testvectors_v1/{name} (trimmed to the fields the test reads)"
    return {"source": source, "numberOfTests": len(tests), "groups": [{"tests": tests}]}


def trim(doc, name):
    if doc["testGroups"][0]["type"] in ("EcdhEcpointTest", "XdhComp"):
        return trim_ecdh(doc, name)
    groups = []
    for g in doc["testGroups"]:
        if g["type"] == "RsassaPssVerify" and (g.get("mgfSha") != g["sha"] or g.get("sLen") != HASH_LEN.get(g["sha"])):
            continue
        if g["sha"] not in HASH_LEN:
            continue
        key = g["publicKeyAsn"] if g["type"].startswith("Rsassa") else g["publicKey"]["uncompressed"]
        tests = [[t["tcId"], t["msg"], t["sig"], t["result"]] for t in g["tests"]]
        groups.append({"key": key, "sha": g["sha"], "tests": tests})
    source = f"C2SP/wycheproof testvectors_v1/{name} (trimmed to the fields the test reads)"
    return {"source": source, "numberOfTests": sum(len(g["tests"]) for g in groups),
            "groups": groups}


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        out = trim(json.load(f), sys.argv[1].rsplit("/", 1)[-1])
    with open(sys.argv[2], "w") as f:
        json.dump(out, f, separators=(",", ":"))
