#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2016
#
# Self-test of report.py on fixtures/rounds (three synthetic rounds,
# written by fixtures/gen-rounds.py, which says what is special in them;
# copied to a temporary directory, report.py writes its results next to
# its inputs): the eight tables, hand-computed medians, ranges and ratio
# cells, the n.s. marking, the outlier list, the load counts,
# results.json, one round and the old single-file names, and missing,
# malformed or failed inputs that must give "not measured" (or the
# failure) in the cells and never an error. TAP output; exit status 1 if
# a check failed.
#
#   sh report-selftest.sh
HERE=$(cd "$(dirname "$0")" && pwd)
REPORT="python3 $HERE/report.py"
FIX=$HERE/fixtures/rounds
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
has() { grep -qF -- "$2" "$1" || { echo "no '$2' in $1"; false; }; }
hasnot() { ! grep -qF -- "$2" "$1"; }
# run NAME: report.py on $T/NAME, stdout in $T/NAME.out, status in $T/NAME.rc
run() {
	$REPORT "$T/$1" >"$T/$1.out" 2>"$T/$1.err"
	echo $? >"$T/$1.rc"
}
rc0() { [ "$(cat "$T/$1.rc")" = 0 ] || { cat "$T/$1.err"; false; }; }
tables() {
	for t in "## T1 Zero pages" "## T2 Non-zero pages" "## T3 Zero check" \
		"## T4 COLO checkpoints" "## T5 Memory overhead" "## T6 Limits" \
		"## T7 Postcopy" "## T8 Long link" "## Load"; do
		has "$1" "$t" || return 1
	done
}

# --- the full sample: three rounds
mkdir "$T/full" && cp "$FIX"/*.json "$T/full/"
echo '{"best_s": 0.025, "waited_s": 12.0, "probes": 130}' >"$T/full/probe-native.state"
run full
M=$T/full/results.md
check "rounds: exit status 0" rc0 full
check "rounds: results.md and results.json written" \
	test -s "$M" -a -s "$T/full/results.json"
check "rounds: stdout is results.md" cmp "$T/full.out" "$M"
check "rounds: the eight tables and the load section" tables "$M"
check "rounds: a caption per table with machine, kernel, command, rounds" \
	sh -c '[ "$(grep -c "^\*Machine: Intel(R) Xeon(R) Processor, 2 cores.*host kernel: 6.1.0-26-amd64; kmig kernel: 6.12.9 .*command: \`make bench\`; rounds: 3;" "$1")" = 8 ]' \
	- "$M"
check "rounds: no 'not measured' and no (n=1) when every input is there" \
	sh -c '! grep -q "not measured\|(n=1)" "$1"' - "$M"
check "rounds: notes for every table" \
	sh -c '[ "$(grep -c "^Notes: " "$1")" = 8 ] && ! grep -q "^Notes: No measurements" "$1"' \
	- "$M"
# T1: kmig written, main thread: 250, 200, 312.5 ms for 1 GiB: 4.00, 5.00,
# 3.20 GiB/s, median 4.00 (3.20-5.00); QEMU without multifd: 800, 640,
# 1000 ms: 1.25 (1.00-1.56); 4.00 / 1.25 = 3.20, ranges apart
check "T1: kmig written main/1: median (min-max) and 3.20 (hand-computed)" \
	has "$M" \
	"| kmig | written | main thread | 1 | 1 GiB | 3 | 250.0 (200.0–312.5) | 4.00 (3.20–5.00) | 3.20 |"
# written, 1 channel: kmig 400, 320, 500 ms: 2.50 (2.00-3.12); QEMU
# multifd 1: 440, 500, 300 ms: 2.27 (2.00-3.33); 440 / 400 = 1.10, the
# ranges overlap: n.s.
check "T1: kmig written channel/1 vs QEMU multifd 1: 1.10 n.s. (ranges overlap)" \
	has "$M" \
	"| kmig | written | channels | 1 | 1 GiB | 3 | 400.0 (320.0–500.0) | 2.50 (2.00–3.12) | 1.10 n.s. |"
check "T1: QEMU multifd 1 median (min-max) from 440, 500, 300 ms" \
	has "$M" \
	"| QEMU | written | multifd | 1 | 1 GiB | 3 | 440.0 (300.0–500.0) | 2.27 (2.00–3.33) | - |"
check "T1: ratio note counts the n.s. comparison" \
	has "$M" "kmig is faster in 3 of 4 compared configurations (1 not significant)."
check "T1: outliers: none, with the rule" \
	has "$M" "Outliers (|x - median| > 3 x max(1.4826 x MAD, 1 % of the median), n >= 3): none."
check "T1: load: 48 runs, 1 retried, none busy" \
	has "$M" "Load: 48 runs probed, 1 retried, 0 flagged busy."
# T2: kmig 2 channels: 600, 480, 750 ms: 1.67 (1.33-2.08); QEMU multifd 2
# 0.625 GiB/s: 2.67 (ranges apart); TCP loopback 2.00 (1.60-2.50): 0.83,
# ranges overlap: n.s.
check "T2: kmig 2 channels: kmig/QEMU 2.67, kmig/loopback 0.83 n.s." \
	has "$M" \
	"| kmig | 2 | 1 GiB | 3 | 600.0 (480.0–750.0) | 1.67 (1.33–2.08) | 2.67 | 0.83 n.s. |"
# QEMU random multifd 4: 1250, 1000, 500 ms: 0.80, 1.00, 2.00 GiB/s,
# median 1.00, MAD 0.2: |2.00 - 1.00| = 1.00 > 3 x 1.4826 x 0.2 = 0.89
check "T2: the outlier listed with configuration, round, value and median" \
	has "$M" "* QEMU random multifd 4, round 3: 2.00 GiB/s (median 1.00)"
check "T2: the outlier stays in the median and range (1.00 (0.80-2.00))" \
	has "$M" "| QEMU multifd | 4 | 1 GiB | 3 | 1000.0 (500.0–1250.0) | 1.00 (0.80–2.00) | - | - |"
check "T2: kmig 4 channels against the widened range: 2.00 n.s." \
	has "$M" "| kmig | 4 | 1 GiB | 3 | 500.0 (400.0–625.0) | 2.00 (1.60–2.50) | 2.00 n.s. | 1.00 n.s. |"
check "T2: loopback rows: cold 512 MiB pool, hot 512 KiB pool" \
	sh -c 'grep -qF "| in-kernel TCP loopback, cold pages (512 MiB pool) | 1 | 4 GiB | 3 | 2000.0 (1600.0–2500.0) | 2.00 (1.60–2.50) | - | - |" "$1" &&
		grep -qF "| in-kernel TCP loopback, hot pages (512 KiB pool) | 1 | 4 GiB | 3 | 1000.0 (800.0–1250.0) | 4.00 (3.20–5.00) | - | - |" "$1"' \
	- "$M"
check "T2: load: the busy run named" \
	has "$M" "Load: 27 runs probed, 1 retried, 1 flagged busy (kmig random 2 ch r3: 1.60x)."
# T3: avx2 cold 160 ms per GiB: 6.25 (5.00-7.81) against memscan 8.00
# (6.40-10.00): 0.78, overlapping; hot 32 against 64: 0.50, apart
check "T3: avx2 fractions of the read limit 0.78 n.s. / 0.50" \
	has "$M" "| avx2 | 3 | 6.25 (5.00–7.81) | 0.78 n.s. | 32.00 (25.60–40.00) | 0.50 |"
# T4: idle 1 channel, round 1: 1.0 .. 1.9 ms: mean 1.45, p50 (5th of 10)
# 1.40, p99 (10th) 1.90; rounds 2 and 3 are 0.8 and 1.25 times that
check "T4: idle 1 channel: per-round mean, p50, p99 median (min-max), pooled p99" \
	has "$M" "| idle | 1 | 3 | 30 | 100 | 1.45 (1.16–1.81) | 1.40 (1.12–1.75) | 1.90 (1.52–2.38) | 2.38 | 2.38 | 2.88 | 1.0 |"
check "T4: p99 ratio 4 vs 1: load 0.50, idle 1.20 n.s." sh -c '
	grep -qF "| load: p99 ratio 4 vs 1 |  |  |  |  |  |  | 0.50 |  |  |  |  |" "$1" &&
	grep -qF "| idle: p99 ratio 4 vs 1 |  |  |  |  |  |  | 1.20 n.s. |  |  |  |  |" "$1"' - "$M"
check "T5: total metadata per GiB (2 MiB + 5 x 32 KiB), round 1" sh -c '
	grep -qF "| total metadata | 2260992 (2.16 MiB) | 2260992 (2.16 MiB) | 0.2106 % |" "$1" &&
	grep -qF "Measured in round 1" "$1"' - "$M"
# T6: the in-kernel read 10.00 (8.00-12.50) GiB/s; userspace scan of a
# kmig region in rounds 1 and 2 only: 8 and 10 GiB/s
check "T6: the limits, median (min-max) and n" sh -c '
	grep -qF "| memory read, in-kernel read of the zero region'"'"'s pages (debugfs kmig/scan_limit) | UML | 3 | 10.00 (8.00–12.50) |" "$1" &&
	grep -qF "(memscan --kmig-region-mib), cold | UML | 2 | 9.00 (8.00–10.00) |" "$1" &&
	grep -qF "| memory read, userspace AVX2 scan (memscan), hot | native | 3 | 64.00 (51.20–80.00) |" "$1"' - "$M"
check "T6: kmig zero written main/1 against the in-UML and native limits" \
	has "$M" "| kmig zero written, main thread/1 | 3 | 4.00 (3.20–5.00) | in-kernel read (UML) | 10.00 (8.00–12.50) | 0.40 | 8.00 (6.40–10.00) | 0.50 |"
check "T6: kmig random 4 channels at the cold loopback: 1.00 n.s." \
	has "$M" "| kmig random, 4 channels | 3 | 2.00 (1.60–2.50) | TCP loopback, cold (UML) | 2.00 (1.60–2.50) | 1.00 n.s. | 8.00 (6.40–10.00) | 0.25 |"
check "T6: a missing interface is reported with its round" \
	has "$M" "Not measured: uml_memscan: memscan has no --kmig-region-mib (round 3)."
check "Load section: counts per side and the busy run" sh -c '
	grep -qF "| all | 188 | 2 | 1 | 1.60 |" "$1" &&
	grep -qF "| long link | 57 | 0 | 0 | 1.00 |" "$1" &&
	grep -qF "Flagged busy: kmig random 2 ch, round 3 (probe 1.60x)." "$1" &&
	grep -qF "The probes waited 12 s on the host (at most" "$1"' - "$M"
# T8: 256 MiB; RTT 10 ms, kmig on 1 channel 2.5 s: 0.100 GiB/s (0.080-0.125
# over the rounds), QEMU multifd 1 5.0 s: 0.050, ranges apart: 2.00; the
# TCP stream 2.5 s: 1.00 n.s. RTT 50 ms: kmig 5.0 s on 1 channel, 1.0 s
# on 8 against the stream's 2.5 s: 0.50 and 2.50
check "T8: kmig, QEMU and the stream at 10 ms; the ratio rows" sh -c '
	grep -qF "| 10 ms | kmig | 0.100 (0.080–0.125) | 0.200 (0.160–0.250) | 0.250 (0.200–0.312) | 0.250 (0.200–0.312) |" "$1" &&
	grep -qF "| 10 ms | QEMU multifd | 0.050 (0.040–0.062) | 0.100 (0.080–0.125) | 0.125 (0.100–0.156) | 0.125 (0.100–0.156) |" "$1" &&
	grep -qF "| 10 ms | QEMU, no multifd | 0.050 (0.040–0.062) | - | - | - |" "$1" &&
	grep -qF "| 10 ms | one TCP stream (iperf3) | 0.100 (0.080–0.125) | - | - | - |" "$1" &&
	grep -qF "| 10 ms | kmig/QEMU multifd | 2.00 | 2.00 | 2.00 | 2.00 |" "$1" &&
	grep -qF "| 10 ms | kmig/one TCP stream | 1.00 n.s. | 2.00 | 2.50 | 2.50 |" "$1"' - "$M"
check "T8: 50 ms: kmig/QEMU n.s., kmig/stream 0.50 to 2.50, no plain QEMU row" sh -c '
	grep -qF "| 50 ms | kmig/QEMU multifd | 1.00 n.s. | 1.00 n.s. | 1.00 n.s. | 1.00 n.s. |" "$1" &&
	grep -qF "| 50 ms | kmig/one TCP stream | 0.50 | 1.00 n.s. | 2.00 | 2.50 |" "$1" &&
	! grep -qF "| 50 ms | QEMU, no multifd" "$1"' - "$M"
check "T8: notes: scaling per system, the hosts and their TCP buffers" sh -c '
	grep -qF "RTT 50 ms: kmig 8 channels/1: 5.00; QEMU multifd 8 channels/1: 5.00; one TCP stream: 0.100 (0.080–0.125) GiB/s." "$1" &&
	grep -qF "tcp_rmem 4096 131072 6291456, tcp_wmem 4096 16384 4194304" "$1"' - "$M"
# T7: kmig postcopy downtime 2.0, 1.6, 2.5 ms against QEMU's 1.0, 0.8,
# 1.25: 2.00, ranges apart; total time 3.0 s against 4.0 s: 0.75, the
# ranges overlap; precopy: kmig never converges, QEMU in round 2 (4.0 s)
check "T7: precopy: kmig never converged, QEMU in 1 of 3 rounds" \
	has "$M" "| precopy only, switchover forced after the pass limit | time to converge (s) | 3 | never (0 of 3) | 3 | 4.00 (1 of 3) | - |"
check "T7: precopy: the forced downtime, kmig/QEMU 100.00" \
	has "$M" "| precopy only, switchover forced after the pass limit | downtime, forced switchover (ms) | 3 | 2000.0 (1600.0–2500.0) | 3 | 20.0 (16.0–25.0) | 100.00 |"
check "T7: postcopy downtime 2.00 (ranges apart), total time 0.75 n.s." sh -c '
	grep -qF "| postcopy after 1 pass | downtime (ms) | 3 | 2.0 (1.6–2.5) | 3 | 1.0 (0.8–1.2) | 2.00 |" "$1" &&
	grep -qF "| postcopy after 1 pass | total time (s) | 3 | 3.00 (2.40–3.75) | 3 | 4.00 (3.20–5.00) | 0.75 n.s. |" "$1"' - "$M"
check "T7: fault latency per round, the guest's stalls, pages requested and pushed" sh -c '
	grep -qF "| postcopy after 1 pass | fault latency p50 (µs) | 3 | 500 (400–625) | 3 | 400 (320–500) | 1.25 n.s. |" "$1" &&
	grep -qF "| postcopy after 1 pass | guest write stall p50 (QEMU'"'"'s guest) (µs) | 3 | - | 3 | 450 (360–562) | - |" "$1" &&
	grep -qF "| postcopy after 1 pass | pages requested | 3 | 800 | 3 | 50 | - |" "$1" &&
	grep -qF "| postcopy after 1 pass | pages pushed (QEMU: sent in postcopy, not requested) | 3 | 2300 | 3 | 8000 | - |" "$1"' - "$M"
check "T7: the outlier (QEMU p99, round 3) listed, in the range" sh -c '
	grep -qF "* QEMU postcopy fault latency p99, round 3: 1000.00 µs (median 100.00)" "$1" &&
	grep -qF "| fault latency p99 (µs) | 3 | 2000 (1600–2500) | 3 | 100 (80–1000) | 20.00 |" "$1"' - "$M"
check "T7: load of its 12 runs; the setting in the notes" sh -c '
	grep -qF "Load: 12 runs probed, 0 retried, 0 flagged busy." "$1" &&
	grep -qF "kmig: kmig-vmm guest of 4 GiB (32 MiB random, the rest populated zeros)" "$1"' - "$M"
# The profile of round 1 (report_profile.py): offsets off 3.0 ms against
# 1.0 ms all on: 3.00, ranges apart
check "profile: P1 and P2 from round 1's profile entry" sh -c '
	grep -qF "## P1 Where the time goes, per page" "$1" &&
	grep -qF "| zero written | 1.0 (0.9–1.1) | 3.0 (2.9–3.1) | 3.00 |" "$1"' - "$M"
check "results.json: rounds, raw figures per round, statistics, outliers, load" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["rounds"] == 3, d["rounds"]
assert set(d["inputs"]) == {"machine", "memscan", "qemu", "kmig",
                            "longlink"}, d.keys()
assert sorted(d["inputs"]["kmig"]) == ["1", "2", "3"]
assert d["inputs"]["kmig"]["1"]["zero"][0]["time_ns"] == 250000000
assert set(d["tables"]) == {"T%d" % i for i in range(1, 9)}
t8 = [x for x in d["tables"]["T8"]["data"] if x.get("ratio") ==
      "kmig/one TCP stream" and x["rtt_ms"] == 50]
assert [round(x["value"], 9) for x in t8] == [0.5, 1.0, 2.0, 2.5], t8
assert [x["significant"] for x in t8] == [True, False, True, True], t8
t7 = {(x["config"], x["figure"]): x for x in d["tables"]["T7"]["data"]}
x = t7[("postcopy", "downtime")]
assert x["kmig"]["median"] == 2.0 and x["qemu"]["median"] == 1.0, x
assert abs(x["ratio_kmig_qemu"] - 2.0) < 1e-9 and x["significant"] is True, x
x = t7[("postcopy", "total time")]
assert abs(x["ratio_kmig_qemu"] - 0.75) < 1e-9 and x["significant"] is False, x
assert [v[0] for v in x["kmig"]["values"]] == [1, 2, 3], x
o = d["tables"]["T7"]["outliers"]
assert len(o) == 1 and o[0]["round"] == 3 and o[0]["value"] == 1000.0, o
r = [x for x in d["tables"]["T1"]["data"] if x["system"] == "kmig"
     and x["case"] == "written" and x["mode"] == "main"][0]
assert abs(r["kmig_over_qemu"] - 3.2) < 1e-9 and r["significant"] is True, r
g = r["run"]["gib"]
assert g["n"] == 3 and g["median"] == 4.0 and g["min"] == 3.2 and g["max"] == 5.0, g
assert [v[0] for v in g["values"]] == [1, 2, 3], g
r = [x for x in d["tables"]["T1"]["data"] if x["system"] == "kmig"
     and x["case"] == "written" and x["mode"] == "channel"
     and x["channels"] == 1][0]
assert r["significant"] is False, r
o = d["tables"]["T2"]["outliers"]
assert len(o) == 1 and o[0]["config"] == "QEMU random multifd 4" \
    and o[0]["round"] == 3 and o[0]["value"] == 2.0, o
assert d["load"]["all"]["busy"] == 1 and d["load"]["all"]["retried"] == 2
assert d["problems"] == [], d["problems"]
' "$T/full/results.json"

# --- one round: values without ranges, ratios marked (n=1)
mkdir "$T/one" && cp "$FIX"/machine.json "$FIX"/*-r1.json "$T/one/"
run one
check "one round: exit status 0" rc0 one
check "one round: single values, ratio marked (n=1)" \
	has "$T/one/results.md" \
	"| kmig | written | main thread | 1 | 1 GiB | 1 | 250.0 | 4.00 | 3.20 (n=1) |"
check "one round: no outliers" sh -c '! grep -q "^\* " "$1"' - "$T/one/results.md"

# --- the old names (kmig.json, qemu.json, memscan.json, longlink.json): round 1
mkdir "$T/old" && cp "$FIX"/machine.json "$T/old/"
for k in kmig qemu memscan longlink; do cp "$FIX/$k-r1.json" "$T/old/$k.json"; done
run old
check "single-file names: read as round 1" sh -c '
	[ "$(cat "$2")" = 0 ] && cmp -s "$1/one/results.md" "$1/old/results.md"' \
	- "$T" "$T/old.rc"

# --- the QEMU rounds missing
mkdir "$T/noqemu" && cp "$FIX"/*.json "$T/noqemu/" && rm "$T/noqemu"/qemu-r*.json
run noqemu
check "no qemu-rN.json: exit status 0" rc0 noqemu
check "no qemu-rN.json: the eight tables" tables "$T/noqemu/results.md"
check "no qemu-rN.json: kmig/QEMU 'not measured', kmig figures kept" \
	has "$T/noqemu/results.md" \
	"| kmig | written | main thread | 1 | 1 GiB | 3 | 250.0 (200.0–312.5) | 4.00 (3.20–5.00) | not measured |"
check "no qemu-rN.json: QEMU rows 'not measured'" \
	has "$T/noqemu/results.md" \
	"| QEMU | written | no multifd | - | not measured | not measured | not measured | not measured | - |"
check "no qemu-rN.json: loopback ratio still computed" \
	has "$T/noqemu/results.md" "| kmig | 2 | 1 GiB | 3 | 600.0 (480.0–750.0) | 1.67 (1.33–2.08) | not measured | 0.83 n.s. |"
check "no qemu-rN.json: reported as missing" has "$T/noqemu/results.md" "qemu: no qemu-rN.json"

# --- memscan missing: T3 fractions not measured
mkdir "$T/nomemscan" && cp "$FIX"/*.json "$T/nomemscan/" && rm "$T/nomemscan"/memscan-r*.json
run nomemscan
check "no memscan-rN.json: exit status 0" rc0 nomemscan
check "no memscan-rN.json: fractions 'not measured'" \
	has "$T/nomemscan/results.md" "| avx2 | 3 | 6.25 (5.00–7.81) | not measured | 32.00 (25.60–40.00) | not measured |"

# --- empty directory: every table, every cell not measured
mkdir "$T/empty"
run empty
check "empty directory: exit status 0" rc0 empty
check "empty directory: the eight tables" tables "$T/empty/results.md"
check "empty directory: 'not measured' in every table" python3 -c '
import re, sys
md = open(sys.argv[1]).read()
parts = re.split(r"^## T\d ", md, flags=re.M)[1:]
assert len(parts) == 8, len(parts)
for p in parts:
    assert "not measured" in p, p[:200]
' "$T/empty/results.md"
check "empty directory: results.json written" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["problems"]) == 5, d["problems"]
assert d["inputs"]["machine"] is None and d["rounds"] == 0
assert all(d["inputs"][k] == {} for k in ("memscan", "qemu", "kmig",
                                         "longlink"))
' "$T/empty/results.json"

# --- malformed and ill-typed inputs
mkdir "$T/bad" && cp "$FIX"/*.json "$T/bad/"
echo '{"host_cpu": ' >"$T/bad/machine.json"
cat >"$T/bad/kmig-r2.json" <<'EOF'
{"zero": "x", "random": [1, null, {"channels": "two", "time_ns": -5}],
 "tcp_loopback": [], "zerocheck": [{"impl": "avx2", "case": "cold",
 "bytes": 0, "time_ns": 0, "probe": 3}], "colo": [{"load": "idle",
 "channels": 1, "transfer_ms": ["a", null], "pause_ms": 3, "pages": []}],
 "limits": {"kernel_scan": [], "missing": "x"},
 "postcopy": [1, {"config": "postcopy", "status": "completed",
 "src_status": "x", "dst_status": {"postcopy_latency": [3]}},
 {"config": "precopy", "status": "completed", "converged": "yes"}],
 "memory": {"region_bytes": 0, "bitmaps": [1, 2]}}
EOF
printf '[1, 2]\n' >"$T/bad/memscan-r1.json"
echo 'not json' >"$T/bad/qemu-r3.json"
run bad
check "malformed inputs: exit status 0" rc0 bad
check "malformed inputs: the eight tables" tables "$T/bad/results.md"
check "malformed inputs: unreadable files reported" sh -c '
	grep -qF "machine.json: unreadable" "$1" &&
	grep -qF "memscan-r1.json: not a JSON object" "$1" &&
	grep -qF "qemu-r3.json: unreadable" "$1"' - "$T/bad/results.md"
check "malformed inputs: caption says not measured" \
	has "$T/bad/results.md" "*Machine: not measured; host kernel: not measured; kmig kernel: 6.12.9; QEMU: 7.2.15;"
check "malformed inputs: no table replaced by an error" \
	hasnot "$T/bad/results.md" "Could not be computed"
check "malformed inputs: the other rounds still counted (n = 2)" \
	has "$T/bad/results.md" "| kmig | written | main thread | 1 | 1 GiB | 2 | 281.2 (250.0–312.5) | 3.60 (3.20–4.00) |"

# --- QEMU runs that failed
mkdir "$T/failed" && cp "$FIX"/*.json "$T/failed/"
python3 - "$T/failed" <<'EOF'
import json, sys
for r in (1, 2, 3):
    p = "%s/qemu-r%d.json" % (sys.argv[1], r)
    d = json.load(open(p))
    for x in d["runs"]:
        if x["case"] == "random" and x["channels"] == 2:
            x["status"] = "failed"
        if x["case"] == "random" and x["channels"] == 1 and r == 2:
            x["status"] = "failed"
    json.dump(d, open(p, "w"))
EOF
run failed
check "failed QEMU runs: exit status 0" rc0 failed
check "failed QEMU runs: every round failed: shown as failed, ratio not measured" sh -c '
	grep -qF "| QEMU multifd | 2 | not measured | 0 | status: failed | not measured | - | - |" "$1" &&
	grep -qF "| kmig | 2 | 1 GiB | 3 | 600.0 (480.0–750.0) | 1.67 (1.33–2.08) | not measured | 0.83 n.s. |" "$1"' - "$T/failed/results.md"
check "failed QEMU runs: one round failed: n counts the others" \
	has "$T/failed/results.md" "| QEMU multifd | 1 | 1 GiB | 2 (+1 failed) | 2812.5 (2500.0–3125.0) | 0.36 (0.32–0.40) | - | - |"

# --- postcopy: no fault latency from migctl, QEMU's postcopy not
# possible, a failed kmig run
mkdir "$T/pc" && cp "$FIX"/*.json "$T/pc/"
python3 - "$T/pc" <<'EOF'
import json, sys
why = "not root and vm.unprivileged_userfaultfd is 0"
for r in (1, 2, 3):
    p = "%s/kmig-r%d.json" % (sys.argv[1], r)
    d = json.load(open(p))
    for x in d["postcopy"]:
        x["dst_status"].pop("postcopy_latency", None)
        if x["config"] == "postcopy" and r == 2:
            x["status"] = "failed"
            x["error"] = "timeout after 300 s"
    json.dump(d, open(p, "w"))
    p = "%s/qemu-r%d.json" % (sys.argv[1], r)
    d = json.load(open(p))
    d["postcopy_unavailable"] = why
    d["postcopy"] = [{"config": c, "status": "unavailable", "error": why}
                     for c in ("precopy", "postcopy")]
    json.dump(d, open(p, "w"))
EOF
run pc
P=$T/pc/results.md
check "postcopy variants: exit status 0" rc0 pc
check "postcopy: no postcopy_latency: n/a, and said why" sh -c '
	grep -qF "| postcopy after 1 pass | fault latency p50 (µs) | 2 (+1 failed) | n/a | not run | not run | - |" "$1" &&
	grep -qF "kmig'"'"'s fault latency: n/a, the status of this migctl has no postcopy_latency." "$1"' - "$P"
check "postcopy: a failed kmig run counted beside n and named" sh -c '
	grep -qF "| postcopy after 1 pass | downtime (ms) | 2 (+1 failed) | 2.2 (2.0–2.5) | not run | not run | - |" "$1" &&
	grep -qF "kmig postcopy, round 2 failed: timeout after 300 s." "$1"' - "$P"
check "postcopy: QEMU's postcopy not possible: not run, with the reason" \
	has "$P" "QEMU's postcopy was not run: not root and vm.unprivileged_userfaultfd is 0."

# --- usage
$REPORT >/dev/null 2>&1
check "no argument: exit status 2" test $? = 2
$REPORT "$T/does-not-exist" >/dev/null 2>&1
check "not a directory: exit status 2" test $? = 2

echo "1..$N"
[ "$FAIL" = 0 ] && echo "# report-selftest: $N passed" ||
	echo "# report-selftest: $FAIL of $N failed"
[ "$FAIL" = 0 ]
