# The reference binary: asyncio, and mainline's own ssl.py (micropython-lib) over its tls module.
include("$(MPY_DIR)/extmod/asyncio")
require("ssl")
