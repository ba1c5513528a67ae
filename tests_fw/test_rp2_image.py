"""The RPI_PICO_W images with ussl (make firmware-rp2; the lean engine's with USSL_ENGINE=lean): they
fit the board's firmware region, link
ussl's engine with the board's hooks (pico_rand entropy, the compare-and-swap the Cortex-M0+
lacks), and nothing of mbedTLS's (hashlib and cryptolib are ussl's). The image runs in the RP2040 emulator in test_pico_w*.py; the same
Cortex-M0+ engine runs the qemu firmware tests on the MPS2_AN385_M0PLUS board."""
import os
import subprocess

import pytest

from conftest import need_file
from qemu import FIRMWARE

IMAGES = {"full": os.path.join(FIRMWARE, "RPI_PICO_W"), "lean": os.path.join(FIRMWARE, "RPI_PICO_W-lean")}
# 2 MB of flash less the 848 KB filesystem (MICROPY_HW_FLASH_STORAGE_BYTES of the board).
FIRMWARE_REGION = 2 * 1024 * 1024 - 848 * 1024


@pytest.fixture(scope="module", params=sorted(IMAGES))
def image(request):
    path = IMAGES[request.param]
    if not os.path.exists(os.path.join(path, "firmware.elf")):
        need_file(os.path.join(path, "firmware.elf"), "`make firmware-rp2` builds it, `make USSL_ENGINE=lean firmware-rp2` the lean one")
    return request.param, path


@pytest.fixture(scope="module")
def symbols(image):
    out = subprocess.run(["arm-none-eabi-nm", os.path.join(image[1], "firmware.elf")], capture_output=True, text=True,
                         check=True).stdout
    return {line.split()[-1]: line.split()[-2] for line in out.splitlines() if len(line.split()) >= 2}


def test_image_fits_the_firmware_region(image):
    path = image[1]
    size = os.path.getsize(os.path.join(path, "firmware.bin"))
    assert 500_000 < size <= FIRMWARE_REGION, size
    assert os.path.getsize(os.path.join(path, "firmware.uf2")) > size


def test_ussl_is_linked_with_the_boards_hooks(image, symbols):
    names = ["ussl_conn_new_client", "ussl_conn_new_server", "ussl_port_random", "ussl_port_time", "mp_module_ussl",
             "mp_module_tls", "__sync_val_compare_and_swap_4", "ussl_engine_meters"]
    if image[0] == "full":
        names.append("ussl_cert_dict")
    for name in names:
        assert symbols.get(name, "U") not in ("U", "w"), name
    assert "get_rand_32" in symbols  # entropy from pico_rand


def test_no_mbedtls_at_all(symbols):
    """No TLS of mbedTLS's, and since hashlib and cryptolib are ours too (issue 29), nothing else
    of it either: the port's mbedTLS library is left empty (mpy_module/micropython.cmake)."""
    assert not [s for s in symbols if s.startswith("mbedtls_")]
    for name in ("ussl_module_hashlib", "ussl_module_cryptolib", "ussl_hash_update", "ussl_aes_crypt"):
        assert symbols.get(name, "U") not in ("U", "w"), name


def test_the_flash_patches_hold(image):
    """patches/README.md: rustls's CipherSuite lists only the suites named in code (its u16
    conversions were 5.7 KB) and webpki's CRL check refuses (5.4 KB, linked though unused)."""
    out = subprocess.run(["arm-none-eabi-nm", "-S", "-C", os.path.join(image[1], "firmware.elf")],
                         capture_output=True, text=True, check=True).stdout
    sizes = {}
    for line in out.splitlines():
        parts = line.split(maxsplit=3)
        if len(parts) == 4:
            sizes[parts[3]] = int(parts[1], 16)
    assert not [n for n in sizes if n.startswith("<webpki::crl::RevocationOptions>::check")]
    # In the full image the check was inlined into chain building (5,672 B with it, 3,072 without).
    chain = [v for n, v in sizes.items() if n.startswith("<webpki::verify_cert::ChainOptions") and "build_chain_inner" in n]
    assert chain and max(chain) < 4096, chain
    suite_code = {n: v for n, v in sizes.items() if "rustls::enums::CipherSuite" in n and ("::read" in n or "From<" in n)}
    assert image[0] == "lean" or suite_code, "rustls's CipherSuite code not found: look at the names again"
    assert all(v < 1024 for v in suite_code.values()), suite_code


def test_the_c_libraries_are_the_boards(image):
    """mk/rp2.mk: the engine's compiler_builtins keeps to itself every name the board's C libraries
    define, so memmove, the soft-float routines and libm's functions are newlib's, libgcc's and
    pico-sdk's, as in the stock image, for MicroPython's callers and the engine's alike (before,
    compiler_builtins's won the link: 14 of its mem, math and float functions were in the lean
    image, 2.6 KB more than the C libraries' own)."""
    out = subprocess.run(["arm-none-eabi-nm", "-C", os.path.join(image[1], "firmware.elf")], capture_output=True,
                         text=True, check=True).stdout
    names = [line.split(maxsplit=2)[2] for line in out.splitlines() if len(line.split(maxsplit=2)) == 3]
    taken = [n for n in names if n.startswith(("compiler_builtins::mem::", "compiler_builtins::math::",
                                               "compiler_builtins::float::"))]
    assert not taken, taken
    assert "memmove" in names and "sinf" in names


def test_lean_image_has_no_rustls():
    elf = os.path.join(IMAGES["lean"], "firmware.elf")
    need_file(elf, "`make USSL_ENGINE=lean firmware-rp2` builds it")
    out = subprocess.run(["arm-none-eabi-nm", "-C", elf], capture_output=True, text=True, check=True).stdout
    assert "embedded_tls::" in out
    assert "rustls::" not in out
