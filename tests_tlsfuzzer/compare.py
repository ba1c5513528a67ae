"""Probe by probe, how two tlsfuzzer runs of the same entries differ (triage of issue 12):
    compare.py LOGDIR_A LOGDIR_B
Each LOGDIR is run-tlsfuzzer.sh's LOGDIR of one server, run with the same ONLY list and seed
(tests_tlsfuzzer/run.sh's knobs). Prints, per script, every probe that failed in either run,
with each run's first error line."""
import glob
import os
import re
import sys

ERROR = re.compile(r"^([A-Za-z_][\w.]*(Error|Exception|Exit)|AssertionError)\b.*")


def probes(log):
    """{probe: error line or 'OK'} for every probe the script ran."""
    out, current = {}, None
    for line in open(log, errors="replace").read().splitlines():
        if line.endswith(" ...") and not line.startswith(" "):
            current = line[:-4]
            out[current] = "OK"
        elif current is not None and ERROR.match(line) and out[current] == "OK" \
                and not line.startswith(("Error while processing", "Error encountered")):
            out[current] = line.strip()[:150]
    return out


def main(dir_a, dir_b):
    for log_a in sorted(glob.glob(os.path.join(dir_a, "*.log"))):
        log_b = os.path.join(dir_b, os.path.basename(log_a))
        if not os.path.exists(log_b):
            continue
        a, b = probes(log_a), probes(log_b)
        bad = [p for p in a if a[p] != "OK" or b.get(p, "OK") != "OK"]
        if not bad:
            continue
        print("==", os.path.basename(log_a))
        for p in bad:
            same = "same" if a[p] == b.get(p) else "DIFF"
            print("  %s %s\n     A: %s\n     B: %s" % (same, p, a[p], b.get(p, "(not run)")))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
