"""BENCHMARKS.md's section on the RPI_PICO_W images in the RP2040 emulator, from
bench/results-rp2.json (bench/rp2/pico_bench.py, `make bench-rp2`)."""
import statistics

MHZ = 125


def _median(entry):
    if not entry or "cycles" not in entry:
        return None
    return int(statistics.median(entry["cycles"]))


def _cell(cycles):
    return "n/a" if cycles is None else f"{cycles / 1e6:.1f} M ({cycles / (MHZ * 1e6):.3f} s)"


def markdown(r):
    images = r["images"]
    ours, stock, before = r["results"].get("ussl", {}), r["results"].get("stock", {}), r["results"].get("before", {})
    lines = ["## RPI_PICO_W in the RP2040 emulator (cycles)", "",
             f"Measured by `make bench-rp2` (bench/rp2/pico_bench.py) on {r['date']}: each image runs in rp2040js "
             "1.4.1 (its fixed 125 MHz; no flash wait states) and the script reads the emulator's exact cycle "
             "counter (bench/rp2/run_image.mjs), so one run of each is the number (the first handshake of a "
             "kind, which pays for imports, is left out). Handshakes are an in-memory client+server pair in one "
             "MicroPython (tests_fw/mpy/tlspair.py), contexts made per handshake, the chain verified to the CA "
             "and the hostname checked; both sides' cycles together. The images:", ""]
    for kind, text in images.items():
        lines.append(f"- {kind}: {text}")
    lines += ["", "### Per handshake (both sides, millions of cycles and seconds at 125 MHz)", "",
              "| handshake | ussl | stock (mbedTLS) | ussl / stock | ussl before issue 25 | negotiated (ussl) |",
              "|---|---|---|---|---|---|"]
    rows = [k for k in ours if not k.startswith("primitive")]
    for row in rows:
        o, s, b = _median(ours.get(row)), _median(stock.get(row)), _median(before.get(row))
        if s is None and "ECDSA P-256" in row and "resumed" not in row and "TLS 1.3" in row:
            # mbedTLS's module has no TLS 1.3: the goal compares with its TLS 1.2 handshake.
            s_note = f"no TLS 1.3 (its TLS 1.2: {_cell(_median(stock.get('TLS 1.2 ECDSA P-256')))})"
            ratio = (f"{o / _median(stock['TLS 1.2 ECDSA P-256']):.3f} of its TLS 1.2"
                     if o and _median(stock.get("TLS 1.2 ECDSA P-256")) else "n/a")
        elif s is None:
            if "error" in stock.get(row, {}):
                s_note = "fails: " + " ".join(stock[row]["error"])
            elif "resumed" in row:
                s_note = "no resumption in the module"
            elif "TLS 1.3" in row:
                s_note = "no TLS 1.3"
            else:
                s_note = "not measured"
            ratio = "n/a"
        else:
            s_note, ratio = _cell(s), f"{o / s:.3f}" if o else "n/a"
        neg = ours.get(row, {}).get("negotiated", ours.get(row, {}).get("error", ""))
        lines.append(f"| {row} | {_cell(o)} | {s_note} | {ratio} | {_cell(b)} | {neg} |")
    prims = [k for k in ours if k.startswith("primitive ")]
    lean = r["results"].get("lean", {})
    if prims:
        lines += ["", "### Per primitive (cycles; ussl._primitive, the handshake's own code)", "",
                  "| primitive | ussl | ussl lean | before issue 25 (bench/m0, p256/curve25519-dalek crates) |",
                  "|---|---|---|---|"]
        for k in prims:
            name = k[len("primitive "):]
            b = r.get("before_primitives", {}).get(name)
            le = _median(lean.get(k))
            lines.append(f"| {name} | {_median(ours[k]):,} | {'not in the engine' if le is None else f'{le:,}'} | "
                         f"{'n/a' if b is None else f'{b:,}'} |")
    if r.get("notes"):
        lines += [""] + r["notes"]
    lines.append("")
    return lines
