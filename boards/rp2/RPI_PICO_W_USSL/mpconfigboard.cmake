# Raspberry Pi Pico W with ussl (see mpconfigboard.h): the stock board's settings and manifest.
include(${MICROPY_PORT_DIR}/boards/RPI_PICO_W/mpconfigboard.cmake)
set(MICROPY_FROZEN_MANIFEST ${MICROPY_PORT_DIR}/boards/RPI_PICO_W/manifest.py)
