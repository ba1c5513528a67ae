# The baseline for code size: the same build with no TLS at all.
include("$(MPY_DIR)/extmod/asyncio")
