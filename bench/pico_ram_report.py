"""The "Pico W: the heap a script has" section of BENCHMARKS.md, from bench/results-pico-ram.json
(bench/pico_ram.py, part of make bench): free heap side by side with the stock image, and the
measurements that size the engine's workspace."""
from pico_report import get

IMAGES = ("mbedtls", "full", "lean")
KINDS = ("TLS 1.2 ECDSA P-256", "TLS 1.2 RSA-2048", "TLS 1.3 ECDSA P-256")


def signed(v):
    return f"{v:+,}" if v is not None else "n/a"


def heap_row(label, values, why):
    stock, ours, lean = (values.get(i) for i in IMAGES)
    cells = [f"{v:,}" if v is not None else why.get(i, "n/a") for i, v in zip(IMAGES, (stock, ours, lean))]
    diff = ours - stock if ours is not None and stock is not None else None
    return f"| {label} | {cells[0]} | {cells[1]} | {signed(diff)} | {cells[2]} |"


def side(d, key, size_key):
    """client / server (the size; what the deeper leaves unused)."""
    deepest = max(d[key].values())
    return f"{d[key]['client']} / {d[key]['server']} ({d[size_key]}; {d[size_key] - deepest} left)"


def stack_row(board, case, u):
    return (f"| {board} | {case} | {side(u, 'engine_stack', 'engine_stack_size')} | "
            f"{side(u, 'engine_stack_light', 'engine_stack_light_size')} |")


def ram_markdown(r):
    im = r["images"]
    lines = ["## Pico W: the heap a script has", "",
             "gc.mem_free() after gc.collect() on the RPI_PICO_W images in the RP2040 emulator, the same script on "
             "each (bench/pico_ram.py): at boot before anything is loaded; then, each on a new boot with the same "
             "helpers and DER inputs loaded, with one verified client connection to `openssl s_server -www` over a "
             "UART open (its context too) after a request, idle once the response is read, and before it is read "
             "past its first line (mbedTLS keeps a record in its fixed 16 KB input buffer, ussl keeps the record's "
             "plaintext until it is read), and with an in-memory client+server "
             "pair open (both contexts; the chain and hostname verified). ussl takes the engine's workspace (the "
             "stack a call runs on, the reserve that turns a full heap into MemoryError) from the heap for each "
             "call and gives it back (src/runtime/workspace.rs): an idle connection holds none of it.", "",
             "| free heap, bytes (more is better) | stock (mbedTLS) | ussl | ussl - stock | ussl lean |",
             "|---|---|---|---|---|",
             heap_row("at boot", {i: get(im, i, "boot") for i in IMAGES}, {}),
             heap_row("script loaded", {i: get(im, i, "loaded") for i in IMAGES}, {})]
    for protocol in ("1.2", "1.3"):
        no = {"mbedtls": "no TLS 1.3"} if protocol == "1.3" else {"lean": "no TLS 1.2"}
        lines.append(heap_row(f"one client connection open, TLS {protocol} ECDSA P-256: idle, its response read",
                              {i: get(im, i, "client", protocol, "free") for i in IMAGES}, no))
        lines.append(heap_row(f"one client connection open, TLS {protocol} ECDSA P-256: its response "
                              "(about 4 KB) unread but the first line",
                              {i: get(im, i, "client", protocol, "free_with_response_unread") for i in IMAGES}, no))
        lines.append(heap_row(f"a client+server pair open, TLS {protocol} ECDSA P-256",
                              {i: get(im, i, "pair", protocol, "free") for i in IMAGES},
                              dict(no, lean="no server side")))
    lines += workspace_markdown(r)
    return lines


def workspace_markdown(r):
    """The workspace's sizes and what they were sized by: engine stack high-waters, reserve use."""
    stack = get(r, "images", "full", "stack") or {}
    lines = ["", "### The engine's workspace: sizes and what sized them", "",
             "Two sizes (src/runtime/sizes.rs): Deep for handshake steps and whatever parses certificates and keys, "
             "Light for records on an established connection. Deepest engine stack use by painting (client / "
             "server, bytes), of the stack's size; tests_fw/test_stack.py and tests_fw/test_pico_w.py require 2 KB "
             "unused at the deepest.", "",
             "| board | handshake | Deep: engine stack, client / server (size; left) | Light (size; left) |",
             "|---|---|---|---|"]
    for label in KINDS:
        if stack.get(label):
            lines.append(stack_row("RPI_PICO_W (Cortex-M0+)", label, stack[label]))
    for name, cases in sorted(r.get("qemu_stack", {}).items()):
        board = name[len("stack-"):]
        if "engine_stack" in cases:
            # tests_fw/test_pico_w.py's, one per protocol (its PKI has an intermediate CA).
            board, case = board.split("-", 1)
            case = case.replace("tls", "TLS ").replace("-P384", " P-384 chain")
            lines.append(stack_row(f"{board} (test_pico_w)", case, cases))
        else:
            lines += [stack_row(board, case, u) for case, u in cases.items()]
    walks = r.get("alloc_walk", {})
    if walks:
        lines += ["", "The reserves: the most one call borrowed from its reserve in the allocation walk with the heap "
                  "dry from each allocation on (tests_py/test_alloc_faults.py, the unix port: 64-bit, whose "
                  "reserves are 24 KB and 4 KB against 16 KB and 3 KB on 32-bit boards; the test requires a quarter "
                  "of a Deep reserve and 1 KB of a Light one unused).", "",
                  "| walk | Deep: most borrowed (of) | Light: most borrowed (of, before what tickets may copy) |", "|---|---|---|"]
        for name, w in sorted(walks.items()):
            lines.append(f"| {name[len('alloc-walk-'):]} | {w['deep_reserve_peak']} ({w['deep_reserve_size']}) | "
                         f"{w['light_reserve_peak']} ({w['light_reserve_size']}) |")
    lines += ["", "A large block from a fragmented heap can fail (MicroPython #7878, #6455). A workspace is two "
              "blocks (Deep: a 19 KB stack and a 16 KB reserve on boards), taken when a handshake's first call "
              "starts, before anything of the handshake is allocated, and kept between its calls until the last "
              "handshake under way ends; records take a Light one (6 KB and 3 KB; the lean engine's stack 9 KB; the reserve grows by the "
              "plaintext the call may copy, up to 16 KB for a full record). When the heap has no room for "
              "them the call does not run: it raises MemoryError with the connection unchanged, and the same call "
              "goes on once memory is freed. An established connection's reads and writes of small records "
              "need only small Light blocks, which a fragmented heap still has (tests_fw/test_pico_w_memory.py cuts the heap into "
              "10 KB holes: a new handshake raises MemoryError, an established pair's records go on). The cost: a "
              "handshake needs two free blocks of 19 and 16 KB while it runs. What a handshake leaves (its "
              "connections' state, the server's shared ticket keys, Python objects) lands above its workspace and "
              "cuts the heap: on the qemu MPS2_AN385's 137 KB heap, after one handshake of each kind with their "
              "objects released, micropython.mem_info() shows 116-120 KB free whose largest block is 23-29 KB, "
              "enough for the next handshake's blocks but not by much.", ""]
    return lines
