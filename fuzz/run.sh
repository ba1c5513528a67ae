#!/bin/bash
# Runs every fuzz target (or those named) for FUZZ_SECONDS each, from fuzz/seeds plus the corpus
# kept in build/fuzz/corpus, with rustls's and our debug assertions on and no sanitizer (the
# targets reach no unsafe code of ours). A crash fails the run and leaves its input in
# fuzz/artifacts/<target>/: copy it into fuzz/regressions/<target>/ with the fix, where
# tests/fuzz_regressions.rs replays it. Prints one line per target: executions, speed,
# coverage, corpus.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-60}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(session_bytes pem_der client_engine server_engine hostname lean_client)
mkdir -p ../build/fuzz
summary=../build/fuzz/summary.txt
: > "$summary"
cargo +nightly fuzz build -s none --debug-assertions
# The lean engine's target is a crate of its own (fuzz/lean), since the two engines never build
# together.
if [[ " ${targets[*]} " == *" lean_client "* ]]; then
    (cd lean && cargo +nightly fuzz build --fuzz-dir . -s none --debug-assertions)
fi
for t in "${targets[@]}"; do
    dir=. where=()
    [ "$t" = lean_client ] && dir=lean where=(--fuzz-dir .)
    mkdir -p "../build/fuzz/corpus/$t"
    # Its findings run first, as part of the corpus (tests/fuzz_regressions.rs replays the
    # rustls targets' in cargo test too); every target keeps the directory, even empty.
    [ -d "regressions/$t" ] || { echo "fuzz: fuzz/regressions/$t is missing" >&2; exit 1; }
    log="../build/fuzz/$t.log"
    if ! (cd "$dir" && cargo +nightly fuzz run "${where[@]}" -s none --debug-assertions "$t" \
        "$OLDPWD/../build/fuzz/corpus/$t" "$OLDPWD/seeds/$t" "$OLDPWD/regressions/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048) > "$log" 2>&1; then
        tail -40 "$log"
        echo "fuzz: $t failed (its input is in fuzz/$dir/artifacts/$t/; log $log)" >&2
        exit 1
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    last=$(grep -E '^#[0-9]+.*(DONE|cov:)' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<< "$last")
    echo "$t: ${seconds} s, $execs executions ($speed/s), coverage $cov edges, corpus $corp, no findings" | tee -a "$summary"
done
