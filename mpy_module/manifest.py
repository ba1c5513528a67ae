# Frozen into the unix build: asyncio from the MicroPython tree (Debian's manifest, minus mip,
# which needs the network).
include("$(MPY_DIR)/extmod/asyncio")

# ssl: the wrapper MicroPython programs import, over our tls module.
module("ssl.py")
