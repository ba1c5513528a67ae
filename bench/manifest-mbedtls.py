# The reference binary: asyncio, and the same ssl.py wrapper over its own tls module (Debian's
# source tarball lacks micropython-lib's ssl.py; ours has its semantics).
include("$(MPY_DIR)/extmod/asyncio")
module("ssl.py", base_path="$(MPY_DIR)/../../mpy_module")
