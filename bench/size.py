#!/usr/bin/env python3
"""make size: flash by crate, from the linked firmware images (build/firmware/*), for thumbv6m
(Cortex-M0+, the RP2040's core: the MPS2_AN385_M0PLUS image), thumbv7m (MPS2_AN385) and
riscv32imac (VIRT_RV32). The TLS share is the image with ussl minus the same image without TLS
(text + data); within it, symbols are grouped by the crate their name starts with (text, rodata
and data, by `nm -S`), the shim by its object files, and the rest is what MicroPython itself grows
by (qstrs, frozen ssl.py, functions only the shim calls). Writes bench/results-size.json and
rewrites BENCHMARKS.md (through bench/run.py --report)."""
import collections
import glob
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIRMWARE = os.path.join(ROOT, "build", "firmware")
IMAGES = [("thumbv6m", "MPS2_AN385_M0PLUS", "arm-none-eabi-"), ("thumbv7m", "MPS2_AN385", "arm-none-eabi-"),
          ("riscv32imac", "VIRT_RV32", "riscv64-unknown-elf-")]
# Build profiles (make USSL_PROFILE=...): their images are build/firmware/<BOARD>[-profile].
PROFILES = ["full", "client", "lean"]
FLASH_TYPES = set("tTrRdD")
# The first path in a demangled name: `p256::...`, `<T as der::Decode>::decode`, `<&T as core::...`.
CRATE = re.compile(r"([a-z_][a-z0-9_]*)::")


def image_flash(tools, elf):
    out = subprocess.run([tools + "size", elf], capture_output=True, text=True, check=True).stdout
    text, data = (int(x) for x in out.splitlines()[1].split()[:2])
    return text + data


def symbols(tools, path):
    """(name, size, type) of the defined symbols of an ELF or object file, demangled."""
    out = subprocess.run([tools + "nm", "-S", "-C", path], capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split(maxsplit=3)
        if len(parts) == 4:
            yield parts[3], int(parts[1], 16), parts[2]


def by_crate(tools, board):
    build = os.path.join(FIRMWARE, board, "build")
    elf = os.path.join(FIRMWARE, board, "firmware.elf")
    shim = set()
    for obj in glob.glob(os.path.join(build, "mpy_module", "*.o")):
        shim.update(name for name, _, t in symbols(tools, obj) if t in FLASH_TYPES)
    groups = collections.Counter()
    for name, size, t in symbols(tools, elf):
        if t not in FLASH_TYPES:
            continue
        if name in shim:
            groups["(C shim, mpy_module/)"] += size
            continue
        m = CRATE.search(name)
        if name.startswith("ussl_"):
            groups["ussl"] += size  # the engine's C API (no_mangle)
        elif m:
            groups[m.group(1)] += size
        elif name.startswith(("__aeabi_", "_R")):
            groups["compiler_builtins"] += size
    return groups


def measure():
    results = {}
    for target, board, tools in IMAGES:
        base = os.path.join(FIRMWARE, f"{board}-notls", "firmware.elf")
        for profile in PROFILES:
            image = board if profile == "full" else f"{board}-{profile}"
            elf = os.path.join(FIRMWARE, image, "firmware.elf")
            if not (os.path.exists(elf) and os.path.exists(base)):
                raise SystemExit(f"{elf} or {base} is missing: run `make size`")
            share = image_flash(tools, elf) - image_flash(tools, base)
            groups = by_crate(tools, image)
            key = target if profile == "full" else f"{target} {profile}"
            results[key] = {"board": board, "profile": profile, "image": image_flash(tools, elf),
                            "baseline": image_flash(tools, base), "tls_share": share,
                            "crates": dict(groups.most_common()), "rest": share - sum(groups.values())}
    return results


def rp2_images():
    """The RPI_PICO_W images' firmware.bin sizes: ussl's (make firmware-rp2) and the stock one with
    MicroPython's mbedTLS module (make firmware-rp2-stock)."""
    out = {"region": 2 * 1024 * 1024 - 848 * 1024}
    for key, image in (("ussl", "RPI_PICO_W"), ("mbedtls", "RPI_PICO_W-mbedtls"), ("lean", "RPI_PICO_W-lean")):
        path = os.path.join(FIRMWARE, image, "firmware.bin")
        if os.path.exists(path):
            out[key] = os.path.getsize(path)
    # The profile the image was configured with (mk/rp2.mk passes USSL_FEATURES to cmake).
    cache = os.path.join(FIRMWARE, "RPI_PICO_W", "build", "CMakeCache.txt")
    if os.path.exists(cache):
        for line in open(cache):
            if line.startswith("USSL_FEATURES:"):
                out["profile"] = line.split("=", 1)[1].strip()
    return out


def main():
    results = measure()
    results["RPI_PICO_W"] = rp2_images()
    json.dump(results, open(os.path.join(ROOT, "bench", "results-size.json"), "w"), indent=1)
    for target, r in results.items():
        if target == "RPI_PICO_W":
            print(f"RPI_PICO_W firmware.bin: {r}")
            continue
        print(f"{target} ({r['board']}): TLS share {r['tls_share']} of an image of {r['image']}")
        for crate, size in list(r["crates"].items())[:12]:
            print(f"  {size:8d} {crate}")
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "run.py"), "--report"], check=True)


if __name__ == "__main__":
    sys.exit(main())
