#!/usr/bin/env bash
# MicroPython's source, from Debian's source package micropython 1.25.0+ds-1 (trixie).
set -euo pipefail
exec "$(dirname "$0")/fetch-debian-source.sh" micropython 1.25.0+ds-1 trixie \
  7b25be99a502f070b2de81dafc08da7051d992325d6e67daa9045a918fffdbea "${1:?usage: fetch-micropython.sh DEST_DIR}"
