#!/usr/bin/env python3
"""Flash cost of the TLS stack on Cortex-M (thumbv7em-none-eabihf, a Cortex-M4F): our engine as a
staticlib (opt-level "z", LTO) next to mbedTLS 2.28 from Debian's source package configured as
MicroPython configures it (-Os), each linked into the same stand-in firmware with --gc-sections,
which keeps what MicroPython's module calls. Writes build/cortex-m-sizes.json (text + rodata,
in bytes, with the firmware's own share subtracted)."""
import glob
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build", "cortex-m")
MPY = os.path.join(ROOT, "build", "micropython-src")
MBEDTLS_SRC = os.path.join(ROOT, "build", "mbedtls-src")
HERE = os.path.join(ROOT, "bench", "cortex-m")
TARGET = "thumbv7em-none-eabihf"
CPU = ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"]
CC = "arm-none-eabi-gcc"


def sh(*args, **kw):
    subprocess.run(list(args), check=True, **kw)


def ensure_tools():
    if shutil.which(CC) is None:
        sh("bash", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
                         "gcc-arm-none-eabi libnewlib-arm-none-eabi >/dev/null")
    installed = subprocess.run(["rustup", "target", "list", "--installed"], capture_output=True, text=True).stdout
    if TARGET not in installed:
        sh("rustup", "target", "add", TARGET)
    sh(os.path.join(ROOT, "scripts", "fetch-debian-source.sh"), "mbedtls", "2.28.3-1", "bookworm",
       "3b4953aa55a681e084d31892d9904cc5328d6b4958ea57b90ae4b4f94ae69a8d", MBEDTLS_SRC)


def flash_bytes(elf):
    """text + rodata of the linked firmware (unwinding tables excluded: panic = abort)."""
    out = subprocess.run(["arm-none-eabi-size", "-A", elf], capture_output=True, text=True, check=True).stdout
    total = 0
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and (parts[0].startswith(".text") or parts[0].startswith(".rodata")):
            total += int(parts[1])
    return total


def link(name, sources, extra, keep):
    elf = os.path.join(BUILD, f"{name}{'-tls' if keep else '-base'}.elf")
    args = [CC, *CPU, "-Os", "-ffunction-sections", "-fdata-sections", "-Wl,--gc-sections",
            "--specs=nosys.specs", "--specs=nano.specs", "-o", elf, *sources, *extra]
    if keep:
        args.insert(1, "-DKEEP_TLS")
    sh(*args)
    return flash_bytes(elf)


def ours(features=("micropython",), default_features=True):
    env = dict(os.environ, MICROPY_DIR=MPY, MICROPY_PORT_DIR=os.path.join(MPY, "ports", "qemu"),
               MICROPY_VARIANT_DIR=os.path.join(MPY, "ports", "qemu", "boards", "MPS2_AN385"),
               MICROPY_BUILD_DIR=BUILD, MICROPY_CFLAGS="-I/usr/lib/arm-none-eabi/include -DMICROPY_HW_MCU_NAME=\"\"",
               CARGO_TARGET_DIR=os.path.join(ROOT, "target"))
    args = ["cargo", "build", "--profile", "size", "--features", ",".join(features), "--target", TARGET]
    if not default_features:
        args.append("--no-default-features")
    sh(*args, cwd=ROOT, env=env)
    lib = os.path.join(ROOT, "target", TARGET, "size", "libussl.a")
    # Rust's unwinding tables collide with nothing here, but carry no code: drop them.
    stripped = os.path.join(BUILD, "libussl.a")
    sh("arm-none-eabi-objcopy", "-R", ".ARM.exidx*", "-R", ".ARM.extab*", lib, stripped)
    src = [os.path.join(HERE, "firmware_ussl.c")]
    inc = ["-I", os.path.join(ROOT, "mpy_module")]
    with_tls = link("ussl", src, inc + [stripped], True)
    base = link("ussl", src, inc, False)
    return with_tls - base


def mbedtls():
    objs = []
    obj_dir = os.path.join(BUILD, "mbedtls-obj")
    os.makedirs(obj_dir, exist_ok=True)
    flags = [*CPU, "-Os", "-ffunction-sections", "-fdata-sections", "-I", os.path.join(MBEDTLS_SRC, "include"),
             "-I", HERE, '-DMBEDTLS_CONFIG_FILE="mbedtls_config.h"']
    for c in sorted(glob.glob(os.path.join(MBEDTLS_SRC, "library", "*.c"))):
        o = os.path.join(obj_dir, os.path.basename(c)[:-2] + ".o")
        sh(CC, *flags, "-c", c, "-o", o)
        objs.append(o)
    lib = os.path.join(BUILD, "libmbedtls-all.a")
    if os.path.exists(lib):
        os.remove(lib)
    sh("arm-none-eabi-ar", "rcs", lib, *objs)
    src = [os.path.join(HERE, "firmware_mbedtls.c")]
    inc = ["-I", os.path.join(MBEDTLS_SRC, "include"), "-I", HERE, '-DMBEDTLS_CONFIG_FILE="mbedtls_config.h"']
    with_tls = link("mbedtls", src, inc + [lib], True)
    base = link("mbedtls", src, inc, False)
    return with_tls - base


def main():
    os.makedirs(BUILD, exist_ok=True)
    ensure_tools()
    lean = ours(default_features=False)
    result = {"ussl": ours(), "ussl_without_p384": lean, "mbedtls": mbedtls(), "target": TARGET,
              "note": "text+rodata added to a stand-in firmware by each TLS stack, --gc-sections"}
    out = os.path.join(ROOT, "build", "cortex-m-sizes.json")
    json.dump(result, open(out, "w"), indent=2)
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
