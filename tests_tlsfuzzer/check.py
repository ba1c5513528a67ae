"""Compares a run-tlsfuzzer.sh result with expected.txt, entry by entry and probe by probe.

The run fails when
- an entry of expected.txt has no result line (the script aborted, the line did not parse, the
  list changed): every entry must be accounted for;
- an entry expected to PASS does not pass;
- an entry expected to FAIL fails more of its probes than expected.txt records, ran another
  number of probes (the seeded sample changed), or ended without its probe counts (a timeout,
  the server down);
- a result line names an entry that expected.txt does not have.
An entry that does better than recorded (passes, or fails fewer probes) is reported so that
expected.txt can be updated, and does not fail the run. Prints the counts.

expected.txt: "<PASS|SKIP> <entry>" or "FAIL <failing>/<probes> <entry>", then "  # why"."""
import re
import sys

LINE = re.compile(r"^(PASS|FAIL|TIMEOUT|SKIP|DOWN)\s+[\d.]+s\s+(.*?)(?:\s\s\((.*)\))?$")
CASES = re.compile(r"cases: pass=(\d+) fail=(\d+) xfail=(\d+) xpass=(\d+) skip=(\d+)")


def results(path):
    """{entry: (status, info)} from run-tlsfuzzer.sh's output."""
    found = {}
    for line in open(path, errors="replace"):
        m = LINE.match(line.rstrip("\n"))
        if m:
            found[m.group(2)] = (m.group(1), m.group(3) or "")
    return found


def probe_counts(info):
    """(failing, probes) from a result line's case counts, or None when it has none."""
    m = CASES.search(info)
    if not m:
        return None
    passed, failed, xfail, xpass, skip = (int(x) for x in m.groups())
    return failed + xpass, passed + failed + xfail + xpass + skip


def expected(path):
    """{entry: (status, (failing, probes) or None)}."""
    wanted = {}
    for number, line in enumerate(open(path), 1):
        line = line.split(" #", 1)[0].rstrip()
        if not line or line.startswith("#"):
            continue
        status, rest = line.split(" ", 1)
        counts = None
        if status == "FAIL":
            m = re.match(r"^(\d+)/(\d+) (.*)$", rest)
            if not m:
                raise SystemExit(f"expected.txt:{number}: a FAIL needs its '<failing>/<probes>' counts")
            counts, rest = (int(m.group(1)), int(m.group(2))), m.group(3)
        elif status not in ("PASS", "SKIP"):
            raise SystemExit(f"expected.txt:{number}: unknown status {status}")
        wanted[rest.strip()] = (status, counts)
    return wanted


def compare(got, want):
    """(problems, improvements): lines that fail the run, and lines that only report."""
    problems, improvements = [], []
    for entry, (status, counts) in want.items():
        if entry not in got:
            problems.append(f"MISSING (no result line): {entry}")
            continue
        now, info = got[entry]
        if status == "PASS" and now != "PASS":
            problems.append(f"REGRESSION: {now} {entry} ({info})")
        elif status == "SKIP" and now not in ("SKIP", "PASS"):
            problems.append(f"REGRESSION: {now}, was SKIP: {entry} ({info})")
        elif status == "SKIP" and now == "PASS":
            improvements.append(f"now passes (update expected.txt): {entry}")
        elif status == "FAIL" and now == "PASS":
            improvements.append(f"now passes (update expected.txt): {entry}")
        elif status == "FAIL":
            found = probe_counts(info)
            failing, probes = counts
            if now != "FAIL" or found is None:
                problems.append(f"REGRESSION: {now} without probe counts, expected {failing}/{probes} failing: {entry} ({info})")
            elif found[1] != probes:
                problems.append(f"CHANGED SAMPLE: {found[1]} probes ran, expected.txt has {probes}: {entry}")
            elif found[0] > failing:
                problems.append(f"REGRESSION: {found[0]} of {probes} probes fail, expected.txt allows {failing}: {entry} ({info})")
            elif found[0] < failing:
                improvements.append(f"fails fewer probes ({found[0]} of {probes}, was {failing}; update expected.txt): {entry}")
    for entry, (now, info) in got.items():
        if entry not in want:
            problems.append(f"NOT IN expected.txt: {now} {entry} ({info})")
    return problems, improvements


def main(result_path, expected_path):
    got, want = results(result_path), expected(expected_path)
    problems, improvements = compare(got, want)
    counts = {s: sum(1 for v in got.values() if v[0] == s) for s in ("PASS", "FAIL", "TIMEOUT", "SKIP", "DOWN")}
    print("tlsfuzzer: %d of %d entries reported: " % (len(got), len(want)) + ", ".join("%s %d" % kv for kv in counts.items()))
    for line in improvements + problems:
        print(line)
    if not got:
        print("no results: see", result_path)
    return 1 if problems or not got else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
