#!/bin/bash
# Long fuzz runs measured in CPU time, not wall-clock: `fuzz/long.sh CPU_SECONDS target...` runs
# each target (built by `make fuzz` or run.sh) at nice 19 until its process has used CPU_SECONDS
# of CPU, or WALL_SECONDS have passed if that is set and comes first, then interrupts it
# (libFuzzer prints its final stats on SIGINT). libFuzzer's own -max_total_time counts
# wall-clock, which overstates the fuzzing whenever the machine does other work. Same corpus and seeds as run.sh; a crash stops the run with the input in
# fuzz/artifacts/<target>/. Appends one line per target to build/fuzz/long.txt.
set -euo pipefail
cd "$(dirname "$0")"
budget="$1"; shift
bin=target/x86_64-unknown-linux-gnu/release
ticks=$(getconf CLK_TCK)
for t in "$@"; do
    mkdir -p "../build/fuzz/corpus/$t" "artifacts/$t"
    log="../build/fuzz/$t.long.log"
    start=$(date +%s)
    nice -n 19 "$bin/$t" "../build/fuzz/corpus/$t" "seeds/$t" -artifact_prefix="artifacts/$t/" \
        -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 > "$log" 2>&1 &
    pid=$!
    used=0
    while kill -0 "$pid" 2>/dev/null; do
        # utime and stime are fields 14 and 15 of /proc/PID/stat (the name field has no spaces here).
        cpu=$(awk -v t="$ticks" '{ print int(($14 + $15) / t) }' "/proc/$pid/stat" 2>/dev/null || echo 0)
        used=$cpu
        if [ "$cpu" -ge "$budget" ] || { [ -n "${WALL_SECONDS:-}" ] && [ $(( $(date +%s) - start )) -ge "$WALL_SECONDS" ]; }; then
            kill -INT "$pid"; break
        fi
        sleep 5
    done
    wait "$pid" || true
    wall=$(( $(date +%s) - start ))
    if grep -q 'ERROR: libFuzzer\|panicked at\|SUMMARY: ' "$log"; then
        echo "$t: finding after ${wall} s, see $log and artifacts/$t/" | tee -a ../build/fuzz/long.txt
        exit 1
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    last=$(grep -E '^#[0-9]+.*cov:' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<< "$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<< "$last")
    echo "$t: ${used} CPU s (${wall} s wall), $execs executions ($(( execs / (used > 0 ? used : 1) ))/CPU s)," \
         "coverage $cov edges, features $ft, corpus $corp, no findings" | tee -a ../build/fuzz/long.txt
done
