"""BENCHMARKS.md's key-exchange section (bench/run.py --report): the post-quantum hybrid
X25519MLKEM768 against X25519 alone, from bench/qemu_bench.py's "key_exchange" results."""


def lines(q):
    kx = q.get("key_exchange", {})
    if not kx:
        return []
    out = ["### Key exchange: X25519MLKEM768 against X25519 (TLS 1.3 ECDSA P-256, our client and server)", "",
           "Instructions per full handshake under qemu -icount (millions), and the bytes each side sent "
           "(the handshake and one byte each way). A client offers the hybrid first with its X25519 half as a "
           "second share, so a server without the hybrid costs it no retry.", "",
           "| board, group | client | server | client sent | server sent |", "|---|---|---|---|---|"]
    for board, groups in kx.items():
        for group, r in groups.items():
            out.append(f"| {board}, {group} | {r['client_insns'] / 1e6:.1f} | {r['server_insns'] / 1e6:.1f} | "
                       f"{r['client_sent']} | {r['server_sent']} |")
        hybrid, classic = groups.get("X25519MLKEM768"), groups.get("X25519")
        if hybrid and classic:
            more = lambda k: f"{100 * (hybrid[k] - classic[k]) / classic[k]:+.0f}%"
            out.append(f"| {board}, hybrid against X25519 | {more('client_insns')} | {more('server_insns')} | "
                       f"{hybrid['client_sent'] - classic['client_sent']:+d} B | "
                       f"{hybrid['server_sent'] - classic['server_sent']:+d} B |")
    return out + [""]
