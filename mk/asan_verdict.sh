#!/bin/sh
# The verdict on build/asan/ after the suite ran under AddressSanitizer: every file there is a
# finding unless each of its lines is a notice known to be harmless. The one such notice:
# LeakSanitizer's "Unable to get registers from thread N" at exit, when MicroPython's unix port
# has just pthread_cancel()ed a thread that was still ending (mp_thread_deinit): the leak check
# still runs and would print an ERROR block of its own for any leak it found.
dir=$1
harmless='^==[0-9]+==Unable to get registers from thread [0-9]+\.$'
findings=0
for f in "$dir"/*; do
  [ -e "$f" ] || continue
  if grep -v -E -q "$harmless" "$f"; then
    head -60 "$f"
    findings=$((findings + 1))
  else
    echo "AddressSanitizer notice, not a finding ($f): $(head -1 "$f")"
  fi
done
if [ "$findings" -gt 0 ]; then
  echo "AddressSanitizer: $findings report(s) in $dir" >&2
  exit 1
fi
echo "AddressSanitizer: no reports"
