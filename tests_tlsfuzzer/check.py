"""Compares a run-tlsfuzzer.sh result with expected.txt: each entry of the list and whether it
passes against our server. An entry expected to pass that fails now fails the check; one that
was expected to fail and passes now is reported (update expected.txt). Prints the counts."""
import re
import sys

LINE = re.compile(r"^(PASS|FAIL|TIMEOUT|SKIP|DOWN)\s+[\d.]+s\s+(.*?)(?:\s\s\((.*)\))?$")


def results(path):
    found = {}
    for line in open(path, errors="replace"):
        m = LINE.match(line.rstrip("\n"))
        if m:
            found[m.group(2)] = (m.group(1), m.group(3) or "")
    return found


def expected(path):
    # "<status> <entry>   # why" per line; '#' lines are comments.
    wanted = {}
    for line in open(path):
        line = line.split(" #", 1)[0].rstrip()
        if line and not line.startswith("#"):
            status, entry = line.split(" ", 1)
            wanted[entry.strip()] = status
    return wanted


def main():
    got, want = results(sys.argv[1]), expected(sys.argv[2])
    worse, better, unknown = [], [], []
    for entry, (status, info) in got.items():
        w = want.get(entry)
        if w is None:
            unknown.append((entry, status, info))
        elif w == "PASS" and status != "PASS":
            worse.append((entry, status, info))
        elif w != "PASS" and status == "PASS":
            better.append(entry)
    counts = {s: sum(1 for v in got.values() if v[0] == s) for s in ("PASS", "FAIL", "TIMEOUT", "SKIP", "DOWN")}
    print("tlsfuzzer: %d entries: " % len(got) + ", ".join("%s %d" % kv for kv in counts.items()))
    for entry in better:
        print("now passes (update tests_tlsfuzzer/expected.txt):", entry)
    for entry, status, info in unknown:
        print("not in expected.txt:", status, entry, info)
    for entry, status, info in worse:
        print("REGRESSION:", status, entry, info)
    if not got:
        print("no results: see", sys.argv[1])
    sys.exit(1 if worse or unknown or not got else 0)


if __name__ == "__main__":
    main()
