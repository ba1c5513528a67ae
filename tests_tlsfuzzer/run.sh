#!/bin/bash
# tlsfuzzer against examples/https_server.py on the unix build (issue 12): every script of
# ../shared/tools/run-tlsfuzzer.sh's list, N_LIMIT probes each (20 in make test; 0 = every
# probe), sampled with a fixed seed so that a run is repeatable. Then check.py compares each
# entry with expected.txt: an entry that passed there and fails now fails the run.
# Knobs for our server: one TLS 1.3 ticket per connection, psk_dhe_ke only (rustls), X25519
# then P-256, no ec_point_formats in the TLS 1.2 ServerHello (rustls sends none).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build"
tool="${SHARED:-$root/../shared}/tools/run-tlsfuzzer.sh"
micropython="${MICROPYTHON:-$build/micropython}"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
out="$build/tlsfuzzer-results.txt"
logs="$build/tlsfuzzer-logs"
rm -rf "$logs"
"$micropython" "$root/examples/https_server.py" "$port" "$root/tests/data/rsa.pem" "$root/tests/data/rsa.key" - 0 127.0.0.1 \
    > "$build/tlsfuzzer-server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
TLSFUZZER_DIR="$build/tlsfuzzer" PYTHON="$build/tlsfuzzer-venv/bin/python" LOGDIR="$logs" \
    N_LIMIT="${N_LIMIT:-20}" NUM_TICKETS=1 PSK_MODES=psk_dhe_ke SERVER_GROUPS=x25519,secp256r1 \
    bash "$tool" 127.0.0.1 "$port" ussl > "$out" 2>&1 || true
kill -0 $server 2>/dev/null || { echo "tlsfuzzer: the server died (build/tlsfuzzer-server.log)" >&2; exit 1; }
"$build/tlsfuzzer-venv/bin/python" "$root/tests_tlsfuzzer/check.py" "$out" "$root/tests_tlsfuzzer/expected.txt"
