"""The "Pico W" section of BENCHMARKS.md and its chart (bench/pico.png), from
bench/results-rp2040.json (bench/rp2040_bench.py, part of make bench)."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGES = ("mbedtls", "full", "lean")
KINDS = ("TLS 1.2 ECDSA P-256", "TLS 1.2 RSA-2048", "TLS 1.3 ECDSA P-256")
P384_KINDS = ("TLS 1.3 P-384 root and intermediate, P-256 leaf", "TLS 1.2 P-384 root and intermediate, P-256 leaf")
PRIMITIVES = (("p256_keygen", "P-256 key pair"), ("p256_ecdh", "P-256 ECDH"), ("p256_sign", "P-256 ECDSA sign"),
              ("p256_verify", "P-256 ECDSA verify"), ("x25519", "X25519"),
              ("rsa2048_public", "RSA-2048 verify (e = 65537)"), ("p384_verify", "P-384 ECDSA verify"))
# Before issue 25 (commit 69a8550: P-256 on the p256 crate, X25519 on curve25519-dalek, P-384 and
# RSA word products through __aeabi_lmul), measured once with the same exact counter: the
# primitives on a bare Cortex-M0+ in rp2040js (bench/m0, compiler-builtins' __aeabi_lmul in place
# of pico-sdk's), the image's pairs with their contexts (then bench/rp2/, since folded into this bench).
BEFORE_ISSUE_25 = {"p256_keygen": 35443374, "p256_ecdh": 35446350, "p256_sign": 43352974, "p256_verify": 70210994,
                   "x25519": 18561510, "rsa2048_public": 25846539, "p384_verify": 254296791}
# firmware.bin of main at 1ca86ce (issues 24 and 31, not 25) built on this machine.
FLASH_BEFORE_ISSUE_25 = {"full": 1132824, "lean": 894156}
# firmware.bin of main at 846887c (issue 25 landed), the same way.
FLASH_AFTER_ISSUE_25 = {"full": 1155784, "lean": 896452}
BEFORE_ISSUE_25_PAIRS = {"TLS 1.2 ECDSA P-256": 250109472, "TLS 1.3 ECDSA P-256": 251965419}


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "n/a"


def mcyc(c, mhz=125):
    """Cycles as millions, with the seconds they take at the board's clock."""
    return f"{c / 1e6:.1f} M ({c / (mhz * 1e6):.2f} s)" if c else "n/a"


def get(d, *keys):
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def row(label, values, fmt=str, why=None):
    """A table row: stock, ours, ours/stock, lean; `why` says what a missing cell means per image.
    None when no image has a value (a run that did not measure it: the row is left out)."""
    why = why or {}
    stock, ours, lean = (values.get(i) for i in IMAGES)
    if stock is None and ours is None and lean is None:
        return None
    cells = [fmt(v) if v is not None else why.get(i, "n/a") for i, v in zip(IMAGES, (stock, ours, lean))]
    return f"| {label} | {cells[0]} | {cells[1]} | {ratio(ours, stock)} | {cells[2]} |"


def goal_lines(im):
    """Issue 25's goal: our TLS 1.2 and 1.3 ECDSA pairs at most 0.2x the stock image's TLS 1.2
    pair, whose module has no TLS 1.3; and what they took before it."""
    stock = get(im, "mbedtls", "pairs", "TLS 1.2 ECDSA P-256")
    if not stock:
        return []
    out = []
    for label in ("TLS 1.2 ECDSA P-256", "TLS 1.3 ECDSA P-256"):
        ours = get(im, "full", "pairs", label)
        if ours:
            out.append(f"{label} {ratio(ours['full_cycles'], stock['full_cycles'])}x "
                       f"({ratio(ours['whole_cycles'], stock['whole_cycles'])}x with contexts; before issue 25 "
                       f"{mcyc(BEFORE_ISSUE_25_PAIRS[label])} with contexts)")
    return ["", "Against the stock image's TLS 1.2 ECDSA pair, ours: " + "; ".join(out) + ". The public-key "
            "arithmetic is ussl-arith's on the Cortex-M0+ (arith/: no __aeabi_lmul); with the full profile the key "
            "exchange is X25519 (offered first), so a pair is 4 X25519, one ECDSA signature and 2 verifications on "
            "our side, 2 P-256 key pairs, 2 ECDH, one signature and 2 verifications on mbedTLS's (MBEDTLS_ECP_NIST_OPTIM, "
            "as the rp2 port configures it). The P-384 rows are Let's Encrypt's ECDSA shape (a P-384 root and "
            "intermediate, a P-256 leaf: 2 P-384 verifications); MicroPython's mbedTLS module loads one DER "
            "certificate as a server's chain, so it sends no intermediate."]


def primitive_lines(im):
    prims = {i: get(im, i, "primitives") or {} for i in ("full", "lean")}
    if not any(prims.values()):
        return []
    lines = ["", "### Public-key primitives (exact cycles)", "",
             "ussl._primitive, the handshake's own code, one input at a time (tests_fw/test_primitives.py's, which "
             "also checks that each secret-dependent one takes the same cycles for every secret), the emulator's "
             "cycle count read by the board itself (the harness's counter at 0x40070000): no idle time, the same on "
             "every run. Before issue 25: the same code paths on the p256 and curve25519-dalek crates, "
             "bench/m0 on a bare Cortex-M0+. The lean engine's ussl-arith is built at opt-level \"s\".", "",
             "| primitive | ussl | ussl lean | before issue 25 | before / ussl |", "|---|---|---|---|---|"]
    for key, name in PRIMITIVES:
        ours, lean, before = prims["full"].get(key), prims["lean"].get(key), BEFORE_ISSUE_25.get(key)
        lines.append(f"| {name} | {ours:,} | " if ours else f"| {name} | n/a | ")
        lines[-1] += (f"{lean:,} | " if lean else "not in the engine | ") + f"{before:,} | {ratio(before, ours)} |"
    return lines


def pico_markdown(p):
    im = p["images"]
    no13 = {"mbedtls": "no TLS 1.3"}
    nopair = {"lean": "no server side"}
    lines = ["## Pico W: the RPI_PICO_W images in an RP2040 emulator", "",
             "The stock MicroPython 1.28.0 RPI_PICO_W image with its mbedTLS module (TLS 1.2 only) and our "
             "RPI_PICO_W_USSL image (full engine; the lean column is USSL_ENGINE=lean), booted from their .uf2 in "
             "Wokwi's rp2040js 1.4.1 (tests_fw/rp2040/) and run instruction by instruction at its fixed 125 MHz: "
             "the RP2040's memory map, pico-sdk's start-up, the 8 KB core-0 stack, the rp2 port's GC heap and "
             "hooks. The same scripts and DER inputs for every image (bench/rp2040_bench.py, tests_fw/mpy/). "
             "Cycles are the board's time.ticks_us() x 125: rp2040js's cycle model (no flash wait states or XIP "
             "cache misses, so a real board is somewhat slower), idle waits included (pico_rand waits 10 us "
             "between oscillator samples). The oscillator's bits come from a fixed stream; repeated runs agree "
             "to within 0.1% in a pair, 2% for a client over the UART (the host's bytes arrive at different "
             "moments, and their interrupts land in or out of the client's time). Ratio is ours over stock: below "
             "1 is better, except in the rows marked (more is better).", "",
             "### Handshakes (cycles at 125 MHz, and seconds)", "",
             "An in-memory client+server pair in one interpreter: both sides' wrap_socket() and handshake calls "
             "(\"with contexts\": the whole iteration, the client and server contexts made and their certificate, "
             "key and CA loaded each time). The client of `openssl s_server` over a UART: wrap_socket() to its "
             "return, less the time in the stream (waiting for the host included).", "",
             "| handshake | stock (mbedTLS) | ussl | ratio | ussl lean |", "|---|---|---|---|---|"]
    for label in KINDS + P384_KINDS:
        pairs = {i: get(im, i, "pairs", label) for i in IMAGES}
        why = dict(nopair, **(no13 if "1.3" in label else {}))
        if label in P384_KINDS:
            why.setdefault("mbedtls", "sends no intermediate")
        lines.append(row(f"{label}, pair, client + server", {i: get(pairs[i], "full_cycles") for i in IMAGES},
                         fmt=mcyc, why=why))
        split = [f"{pairs[i]['full_client_cycles'] / 1e6:.1f} M / {pairs[i]['full_server_cycles'] / 1e6:.1f} M"
                 if pairs[i] else why.get(i, "n/a") for i in IMAGES]
        ours, stock = (get(pairs[i], "full_client_cycles") for i in ("full", "mbedtls"))
        lines.append(f"| {label}, pair, client / server | {split[0]} | {split[1]} | {ratio(ours, stock)} (client) | "
                     f"{split[2]} |")
        lines.append(row(f"{label}, pair with contexts", {i: get(pairs[i], "whole_cycles") for i in IMAGES},
                         fmt=mcyc, why=why))
        lines.append(row(f"{label}, pair, resumed", {i: get(pairs[i], "resumed_cycles") for i in IMAGES},
                         fmt=mcyc, why=dict(why, mbedtls="no resumption")))
        if label in P384_KINDS:
            continue
        lines.append(row(f"{label}, client of openssl over a UART",
                         {i: get(im, i, "uart_client", label, "client_cycles") for i in IMAGES}, fmt=mcyc,
                         why=no13 if "1.3" in label else {"lean": "no TLS 1.2"}))
    lines += goal_lines(im) + primitive_lines(im)
    if p.get("cycles_only"):
        lines += ["", f"The cycles (handshakes and primitives) of {', '.join(p['cycles_only'])} were measured again by "
                  "`bench/rp2040_bench.py --cycles`, after issue 25's arithmetic; the heap, stack and connection figures "
                  "below are from the last whole run (`make bench`), before it. ussl-arith takes nothing from the heap; "
                  "the engine's stack depth is checked by tests_fw/test_pico_w.py."]
    lines += ["", "### Heap (bytes of the board's GC heap)", "",
              "| | stock (mbedTLS) | ussl | ratio | ussl lean |", "|---|---|---|---|---|",
              row("free at boot (more is better)", {i: get(im, i, "heap_free_at_boot") for i in IMAGES})]
    for label in ("TLS 1.2 ECDSA P-256", "TLS 1.2 RSA-2048", "TLS 1.3 ECDSA P-256"):
        why = dict(nopair, **(no13 if "1.3" in label else {}))
        lines.append(row(f"{label}: least free heap a client+server pair needs",
                         {i: get(im, i, "pairs", label, "pair_needed_heap") for i in IMAGES}, why=why))
    for label in ("TLS 1.2 ECDSA P-256", "TLS 1.2 RSA-2048", "TLS 1.3 ECDSA P-256"):
        why = dict(no13 if "1.3" in label else {"lean": "no TLS 1.2"})
        lines.append(row(f"{label}: least free heap a client of openssl needs",
                         {i: get(im, i, "uart_client", label, "needed_heap") for i in IMAGES}, why=why))
        lines.append(row(f"{label}: held by that open client connection (with its context)",
                         {i: get(im, i, "uart_client", label, "held_open") for i in IMAGES}, why=why))
    lines += ["", "The least free heap is found by bisection (1 KB steps): the heap is filled, then freed down to the "
              "amount tried. The UART stream's own ring buffers are made first and not counted (on a board the "
              "socket's buffers are lwIP's).",
              "",
              "ussl's least free heap is mostly its handshake workspace: a 19 KB engine stack and a 16 KB reserve, "
              "taken from the heap as two blocks for as long as a handshake is under way (src/runtime/workspace.rs; "
              "before issue 30 they were fixed in .bss, out of every script's heap, and these rows were 17-26 KB). "
              "Each block needs room in one piece, and the fill leaves its free space in pieces: the list holding "
              "the fill's blocks lies among them (on the full image, 40 KB free is one 38 KB block, and at 46 to "
              "58 KB free the largest block is 40 KB). mbedTLS's largest block is its 16 KB input buffer. What "
              "stays held once the handshake is over is the \"held by\" rows."]
    lines += connection_lines(im) + stack_lines(p) + flash_lines(p)
    lines += ["", "![Pico W: ussl / stock](bench/pico.png)", ""]
    return [line for line in lines if line is not None]


def connection_lines(im):
    if not any(get(im, i, "connections") for i in IMAGES):
        return []
    nopair, no13 = {"lean": "no server side"}, {"mbedtls": "no TLS 1.3"}
    lines = ["", "### Idle verified connections the heap holds at once", "",
              "Handshakes go on until one fails for want of memory. \"Server connections\": one server context; each "
              "client (an in-memory peer with a context of its own, verifying the chain and the hostname) leaves once "
              "its handshake is done, its server connection stays, idle (MicroPython issue #13521: an asyncio TLS "
              "server on a Pico W out of memory after about 8 clients). \"Pairs\": both ends stay.", "",
              "| | stock (mbedTLS) | ussl | ratio | ussl lean |", "|---|---|---|---|---|"]
    for label in ("TLS 1.2 ECDSA P-256", "TLS 1.3 ECDSA P-256"):
        why = dict(nopair, **(no13 if "1.3" in label else {}))
        for what, name in (("servers", "server connections"), ("pairs", "client+server pairs")):
            counts = {i: get(im, i, "connections", label, what, "count") for i in IMAGES}
            lines.append(row(f"{label}: {name} held (more is better)", counts, why=why))
            held = {i: get(im, i, "connections", label, what, "held") for i in IMAGES}
            per = {i: held[i] // counts[i] if held[i] and counts[i] else None for i in IMAGES}
            lines.append(row(f"{label}: heap per {name[:-1]}", per, why=why))
    stops = sorted({f"{i}: {c[w]['stopped_by']}" for i in IMAGES for c in (get(im, i, "connections") or {}).values()
                    for w in c if c[w].get("stopped_by")})
    if stops:
        lines += ["", "What ended each count: " + "; ".join(stops) + "."]
    return lines


def stack_lines(p):
    lines = []
    stack = {i: get(p["images"], i, "stack") for i in IMAGES}
    if any(stack.values()):
        lines += ["", "### Stack (bytes, deepest use in a pair's handshake, by painting)", "",
                  "| handshake | stock: C stack from its top, client / server | ussl: C stack from its top | "
                  "ussl: engine stack (of its size) |", "|---|---|---|---|"]
        for label in ("TLS 1.2 ECDSA P-256", "TLS 1.2 RSA-2048", "TLS 1.3 ECDSA P-256"):
            s, u = get(stack, "mbedtls", label), get(stack, "full", label)
            if not u:
                continue
            lines.append(f"| {label} | "
                         f"{s['c_stack_from_top']['client']} / {s['c_stack_from_top']['server']} | " if s else
                         f"| {label} | n/a | ")
            lines[-1] += (f"{u['c_stack_from_top']['client']} / {u['c_stack_from_top']['server']} | "
                          f"{u['engine_stack']['client']} / {u['engine_stack']['server']} ({u['engine_stack_size']}) |")
        lines += ["", "The C stack is core 0's 8 KB (PICO_STACK_SIZE), with the GC heap right below it; the depth "
                  "counts from its top, MicroPython's own frames above the script included. ussl runs each engine call "
                  "on a stack of its own, taken from the GC heap for the call (src/runtime/workspace.rs); mbedTLS "
                  "runs on the C stack."]
    return lines


def flash_lines(p):
    fb = p.get("firmware_bin", {})
    if not fb:
        return []
    lines = ["", "### Flash (firmware.bin, bytes; the board's firmware region is 1,228,800)", "",
             "| | stock (mbedTLS) | ussl | ratio | ussl lean |", "|---|---|---|---|---|", row("firmware.bin", fb)]
    def costs(before, after):
        return "; ".join(f"{name} {before[i]:,} -> {after[i]:,} B ({after[i] - before[i]:+,})"
                         for i, name in (("full", "full engine"), ("lean", "lean engine")) if after.get(i))
    if fb.get("full"):
        lines += ["", "What issue 25's arithmetic cost (firmware.bin of main without it, 1ca86ce, and with it, 846887c): "
                  + costs(FLASH_BEFORE_ISSUE_25, FLASH_AFTER_ISSUE_25)
                  + "; from 846887c to now: " + costs(FLASH_AFTER_ISSUE_25, fb)
                  + " (issue 30's workspace from the heap, issue 28's X25519MLKEM768, and issue 29: "
                  "hashlib and cryptolib on the engine with no mbedTLS left in the image, the C libraries' own memmove, "
                  "soft-float and libm functions in place of compiler_builtins's, compact fixsliced AES)"
                  + ". The full engine gains ussl-arith (Rust at opt-level 3, and about 6 KB of assembly) and loses the "
                  "p256 crate's arithmetic and its own P-384 code; the lean engine builds ussl-arith at opt-level \"s\" "
                  "and no longer links the p256 crate's arithmetic. By crate: `make size`, below."]
    return lines


def write_pico_chart(p):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    im = p["images"]
    labels, values = [], []

    def add(label, ours, stock, inverse=False):
        if ours and stock:
            labels.append(label)
            values.append(stock / ours if inverse else ours / stock)

    for label, short in (("TLS 1.2 ECDSA P-256", "ECDSA"), ("TLS 1.2 RSA-2048", "RSA")):
        add(f"cycles\npair {short}", get(im, "full", "pairs", label, "full_cycles"),
            get(im, "mbedtls", "pairs", label, "full_cycles"))
        add(f"cycles\nclient {short}\n(openssl)", get(im, "full", "uart_client", label, "client_cycles"),
            get(im, "mbedtls", "uart_client", label, "client_cycles"))
        add(f"heap needed\npair {short}", get(im, "full", "pairs", label, "pair_needed_heap"),
            get(im, "mbedtls", "pairs", label, "pair_needed_heap"))
        add(f"heap held\nclient {short}", get(im, "full", "uart_client", label, "held_open"),
            get(im, "mbedtls", "uart_client", label, "held_open"))
    add("idle server\nconnections\n(inverse)", get(im, "full", "connections", "TLS 1.2 ECDSA P-256", "servers", "count"),
        get(im, "mbedtls", "connections", "TLS 1.2 ECDSA P-256", "servers", "count"), inverse=True)
    add("flash\n(firmware.bin)", get(p, "firmware_bin", "full"), get(p, "firmware_bin", "mbedtls"))
    if not values:
        return
    fig, ax = plt.subplots(figsize=(11, 4.5))
    ax.bar(range(len(values)), values, color=["#2a9d8f" if v < 1 else "#e76f51" for v in values])
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xticks(range(len(values)))
    ax.set_xticklabels(labels, fontsize=7)
    ax.set_ylabel("ussl / stock mbedTLS (log; lower is better)")
    ax.set_title("RPI_PICO_W in the RP2040 emulator (125 MHz): ussl vs the stock image's mbedTLS module",
                 fontsize=9)
    for i, v in enumerate(values):
        ax.text(i, v, f"{v:.2f}", ha="center", va="bottom", fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(ROOT, "bench", "pico.png"), dpi=120)
