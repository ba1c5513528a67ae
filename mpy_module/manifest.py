# Frozen into the unix build: asyncio from the MicroPython tree, and what boards get.
include("$(MPY_DIR)/extmod/asyncio")
include("manifest_board.py")
