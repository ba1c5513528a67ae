"""The RPI_PICO_W image with ussl (make firmware-rp2): it fits the board's firmware region, links
ussl's engine with the board's hooks (pico_rand entropy, the compare-and-swap the Cortex-M0+
lacks), and no TLS of mbedTLS's. There is no RP2040 emulator here: the same Cortex-M0+ engine runs
the firmware tests on the MPS2_AN385_M0PLUS board."""
import os
import subprocess

import pytest

from qemu import FIRMWARE

IMAGE = os.path.join(FIRMWARE, "RPI_PICO_W")
# 2 MB of flash less the 848 KB filesystem (MICROPY_HW_FLASH_STORAGE_BYTES of the board).
FIRMWARE_REGION = 2 * 1024 * 1024 - 848 * 1024


@pytest.fixture(scope="module")
def symbols():
    elf = os.path.join(IMAGE, "firmware.elf")
    if not os.path.exists(elf):
        pytest.fail(f"{elf} is missing: run `make firmware-rp2`")
    out = subprocess.run(["arm-none-eabi-nm", elf], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1]: line.split()[-2] for line in out.splitlines() if len(line.split()) >= 2}


def test_image_fits_the_firmware_region():
    size = os.path.getsize(os.path.join(IMAGE, "firmware.bin"))
    assert 500_000 < size <= FIRMWARE_REGION, size
    assert os.path.getsize(os.path.join(IMAGE, "firmware.uf2")) > size


def test_ussl_is_linked_with_the_boards_hooks(symbols):
    for name in ("ussl_conn_new_client", "ussl_conn_new_server", "ussl_cert_dict", "ussl_port_random", "ussl_port_time", "mp_module_ussl",
                 "mp_module_tls", "__sync_val_compare_and_swap_4", "ussl_engine_stack"):
        assert symbols.get(name, "U") not in ("U", "w"), name
    assert "get_rand_32" in symbols  # entropy from pico_rand


def test_mbedtls_tls_is_not_linked(symbols):
    assert not [s for s in symbols if s.startswith("mbedtls_ssl_")]
