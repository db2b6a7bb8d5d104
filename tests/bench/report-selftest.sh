#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2016
#
# Self-test of report.py on fixtures/sample (copied to a temporary
# directory, report.py writes its results next to its inputs): the five
# tables, hand-computed ratio cells, results.json, and missing, malformed
# or failed inputs that must give "not measured" (or the failure) in the
# cells and never an error. TAP output; exit status 1 if a check failed.
#
#   sh report-selftest.sh
HERE=$(cd "$(dirname "$0")" && pwd)
REPORT="python3 $HERE/report.py"
FIX=$HERE/fixtures/sample
T=$(mktemp -d /tmp/report-selftest.XXXXXX)
trap 'rm -rf "$T"' EXIT
N=0 FAIL=0

ok() { N=$((N + 1)); echo "ok $N - $1"; }
notok() { N=$((N + 1)); FAIL=$((FAIL + 1)); echo "not ok $N - $1"; }
check() { # check DESCRIPTION COMMAND...
	d=$1
	shift
	if "$@" >"$T/check.out" 2>&1; then
		ok "$d"
	else
		notok "$d"
		sed 's/^/#   /' "$T/check.out" | head -20
	fi
}
has() { grep -qF -- "$2" "$1"; }
hasnot() { ! grep -qF -- "$2" "$1"; }
# run NAME: report.py on $T/NAME, stdout in $T/NAME.out, status in $T/NAME.rc
run() {
	$REPORT "$T/$1" >"$T/$1.out" 2>"$T/$1.err"
	echo $? >"$T/$1.rc"
}
rc0() { [ "$(cat "$T/$1.rc")" = 0 ] || { cat "$T/$1.err"; false; }; }
tables() {
	for t in "## T1 Zero pages" "## T2 Non-zero pages" "## T3 Zero check" \
		"## T4 COLO checkpoints" "## T5 Memory overhead"; do
		has "$1" "$t" || { echo "no '$t' in $1"; return 1; }
	done
}

# --- the full sample
mkdir "$T/full" && cp "$FIX"/*.json "$T/full/"
run full
check "sample: exit status 0" rc0 full
check "sample: results.md and results.json written" \
	test -s "$T/full/results.md" -a -s "$T/full/results.json"
check "sample: stdout is results.md" cmp "$T/full.out" "$T/full/results.md"
check "sample: the five tables" tables "$T/full/results.md"
check "sample: a caption per table with machine, kernel and command" \
	sh -c '[ "$(grep -c "^\*Machine: Intel(R) Xeon(R) Processor, 2 cores.*host kernel: 6.1.0-26-amd64; kmig kernel: 6.12.9 .*command: \`make bench\`" "$1")" = 5 ]' \
	- "$T/full/results.md"
check "sample: no 'not measured' when every input is there" \
	hasnot "$T/full/results.md" "not measured"
check "sample: notes for every table" \
	sh -c '[ "$(grep -c "^Notes: " "$1")" = 5 ] && ! grep -q "^Notes: No measurements" "$1"' \
	- "$T/full/results.md"
# T1: kmig written, main thread: 1 GiB in 250 ms = 4.00 GiB/s; QEMU
# without multifd: 1 GiB in 800 ms = 1.25 GiB/s; 4.00 / 1.25 = 3.20
check "T1: kmig written main/1 vs QEMU no multifd = 3.20 (hand-computed)" \
	has "$T/full/results.md" \
	"| kmig | written | main thread | 1 | 1 GiB | 250.0 | 4.00 | 3.20 |"
# untouched, 4 channels: 1 GiB / 64 ms = 15.625 GiB/s; QEMU multifd 4:
# 1 GiB / 160 ms = 6.25 GiB/s; ratio 2.50
check "T1: kmig untouched channel/4 vs QEMU multifd 4 = 2.50" \
	has "$T/full/results.md" \
	"| kmig | untouched | channels | 4 | 1 GiB | 64.0 | 15.62 | 2.50 |"
# T2: kmig 2 channels: 1 GiB / 600 ms = 1.667 GiB/s; QEMU multifd 2:
# 1 GiB / 1600 ms = 0.625 GiB/s, ratio 1600 / 600 = 2.67; TCP loopback
# 4 GiB / 2 s = 2.00 GiB/s, ratio 1.667 / 2 = 0.83
check "T2: kmig 2 channels: kmig/QEMU 2.67, kmig/loopback 0.83 (hand-computed)" \
	has "$T/full/results.md" \
	"| kmig | 2 | 1 GiB | 600.0 | 1.67 | 2.67 | 0.83 |"
# The ratio is against the cold loopback (131072 pages = 512 MiB pool);
# the hot one (128 pages, 4 GiB / 1 s) is shown beside it.
check "T2: loopback rows: cold 512 MiB pool 2.00, hot 512 KiB pool 4.00" \
	sh -c 'grep -qF "| in-kernel TCP loopback, cold pages (512 MiB pool) | 1 | 4 GiB | 2000.0 | 2.00 | - | - |" "$1" &&
		grep -qF "| in-kernel TCP loopback, hot pages (512 KiB pool) | 1 | 4 GiB | 1000.0 | 4.00 | - | - |" "$1"' \
	- "$T/full/results.md"
# T3: avx2 cold 1 GiB / 160 ms = 6.25 GiB/s, memscan cold 8 GiB/s: 0.78;
# hot 8 GiB / 250 ms = 32 GiB/s, memscan hot 64 GiB/s: 0.50
check "T3: avx2 fractions of the read limit 0.78 / 0.50" \
	has "$T/full/results.md" "| avx2 | 6.25 | 0.78 | 32.00 | 0.50 |"
# T4: load, 4 channels: p99 (nearest rank, 20 values: the 20th) 17.50 ms,
# 1 channel 39.00 ms: 17.5 / 39 = 0.45
check "T4: load p99 ratio 4 vs 1 = 0.45" \
	has "$T/full/results.md" "| load: p99 ratio 4 vs 1 |  |  |  |  |  | 0.45 |"
check "T4: idle 1 channel: mean 1.95, p50 1.90, p99 2.90" \
	has "$T/full/results.md" "| idle | 1 | 20 | 200 | 1.95 | 1.90 | 2.90 | 2.90 | 3.40 | 14.0 |"
check "T5: total metadata per GiB (2 MiB + 5 x 32 KiB)" \
	has "$T/full/results.md" "| total metadata | 2260992 (2.16 MiB) | 2260992 (2.16 MiB) | 0.2106 % |"
check "results.json: inputs merged, raw figures, ratios" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d["inputs"]) == {"machine", "memscan", "qemu", "kmig"}, d.keys()
assert d["inputs"]["kmig"]["zero"][0]["time_ns"] == 250000000
assert set(d["tables"]) == {"T1", "T2", "T3", "T4", "T5"}
r = [x for x in d["tables"]["T1"]["data"] if x["system"] == "kmig"
     and x["case"] == "written" and x["mode"] == "main"][0]
assert abs(r["kmig_over_qemu"] - 3.2) < 1e-9, r
r = [x for x in d["tables"]["T2"]["data"] if x["system"] == "kmig"
     and x["channels"] == 2][0]
assert abs(r["kmig_over_qemu"] - 1600 / 600) < 1e-9, r
assert abs(r["kmig_over_loopback"] - (1 / 0.6) / 2) < 1e-9, r
assert d["problems"] == [], d["problems"]
' "$T/full/results.json"

# --- qemu.json missing
mkdir "$T/noqemu" && cp "$FIX"/*.json "$T/noqemu/" && rm "$T/noqemu/qemu.json"
run noqemu
check "no qemu.json: exit status 0" rc0 noqemu
check "no qemu.json: the five tables" tables "$T/noqemu/results.md"
check "no qemu.json: kmig/QEMU 'not measured', kmig figures kept" \
	has "$T/noqemu/results.md" \
	"| kmig | written | main thread | 1 | 1 GiB | 250.0 | 4.00 | not measured |"
check "no qemu.json: QEMU rows 'not measured'" \
	has "$T/noqemu/results.md" \
	"| QEMU | written | no multifd | - | not measured | not measured | not measured | - |"
check "no qemu.json: loopback ratio still computed" \
	has "$T/noqemu/results.md" "| kmig | 2 | 1 GiB | 600.0 | 1.67 | not measured | 0.83 |"
check "no qemu.json: reported as missing" has "$T/noqemu/results.md" "qemu.json: missing"

# --- memscan.json missing: T3 fractions not measured
mkdir "$T/nomemscan" && cp "$FIX"/*.json "$T/nomemscan/" && rm "$T/nomemscan/memscan.json"
run nomemscan
check "no memscan.json: exit status 0" rc0 nomemscan
check "no memscan.json: fractions 'not measured'" \
	has "$T/nomemscan/results.md" "| avx2 | 6.25 | not measured | 32.00 | not measured |"

# --- empty directory: every table, every cell not measured
mkdir "$T/empty"
run empty
check "empty directory: exit status 0" rc0 empty
check "empty directory: the five tables" tables "$T/empty/results.md"
check "empty directory: 'not measured' in every table" python3 -c '
import re, sys
md = open(sys.argv[1]).read()
parts = re.split(r"^## T\d ", md, flags=re.M)[1:]
assert len(parts) == 5, len(parts)
for p in parts:
    assert "not measured" in p, p[:200]
' "$T/empty/results.md"
check "empty directory: results.json written" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["problems"]) == 4 and all(v is None for v in d["inputs"].values())
' "$T/empty/results.json"

# --- malformed and ill-typed inputs
mkdir "$T/bad" && cp "$FIX"/*.json "$T/bad/"
echo '{"host_cpu": ' >"$T/bad/machine.json"
cat >"$T/bad/kmig.json" <<'EOF'
{"zero": "x", "random": [1, null, {"channels": "two", "time_ns": -5}],
 "tcp_loopback": [], "zerocheck": [{"impl": "avx2", "case": "cold",
 "bytes": 0, "time_ns": 0}], "colo": [{"load": "idle", "channels": 1,
 "transfer_ms": ["a", null], "pause_ms": 3, "pages": []}],
 "memory": {"region_bytes": 0, "bitmaps": [1, 2]}}
EOF
printf '[1, 2]\n' >"$T/bad/memscan.json"
run bad
check "malformed inputs: exit status 0" rc0 bad
check "malformed inputs: the five tables" tables "$T/bad/results.md"
check "malformed inputs: machine.json reported unreadable" \
	has "$T/bad/results.md" "machine.json: unreadable"
check "malformed inputs: caption says not measured" \
	has "$T/bad/results.md" "*Machine: not measured; host kernel: not measured; kmig kernel: not measured; QEMU: 7.2.15;"
check "malformed inputs: no table replaced by an error" \
	hasnot "$T/bad/results.md" "Could not be computed"

# --- a QEMU run that failed, and repeated runs (median)
mkdir "$T/failed" && cp "$FIX"/*.json "$T/failed/"
python3 - "$T/failed/qemu.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["runs"]:
    if r["case"] == "random" and r["channels"] == 4:
        r["status"] = "failed"
d["runs"] += [dict(r, total_time_ms=t) for r in d["runs"]
              if r["case"] == "zero-written" and r["channels"] == 0
              for t in (700, 900)]
json.dump(d, open(sys.argv[1], "w"))
EOF
run failed
check "failed QEMU run: exit status 0" rc0 failed
check "failed QEMU run: shown as failed, ratio not measured" sh -c '
	grep -qF "| QEMU multifd | 4 | not measured | status: failed | not measured | - | - |" "$1" &&
	grep -qF "| kmig | 4 | 1 GiB | 500.0 | 2.00 | not measured | 1.00 |" "$1"' - "$T/failed/results.md"
check "repeated QEMU runs: median of 3 (700, 800, 900 ms)" \
	has "$T/failed/results.md" \
	"| QEMU | written | no multifd | - | 1 GiB | 800.0 (median of 3) | 1.25 | - |"

# --- usage
$REPORT >/dev/null 2>&1
check "no argument: exit status 2" test $? = 2
$REPORT "$T/does-not-exist" >/dev/null 2>&1
check "not a directory: exit status 2" test $? = 2

echo "1..$N"
[ "$FAIL" = 0 ] && echo "# report-selftest: $N passed" ||
	echo "# report-selftest: $FAIL of $N failed"
[ "$FAIL" = 0 ]
