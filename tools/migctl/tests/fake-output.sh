#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Output checks of migctl against a fake kernel: tests/migctl-fake is
# migctl linked with tests/fake-nl.c instead of nl.c, answering from canned
# data (see that file). Checks the exact text and JSON of every command,
# errors with kernel messages, and absent attributes. No root, no module.
#
# Usage: tests/fake-output.sh        (after "make tests/migctl-fake")
# Output: TAP, then "# N passed, N failed". Exit status 1 on failure.

set -u

dir=$(cd "$(dirname "$0")" && pwd)
FAKE=${MIGCTL_FAKE_BIN:-$dir/migctl-fake}

if [ ! -x "$FAKE" ]; then
	echo "Bail out! $FAKE not built (run make tests/migctl-fake)"
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0 passed=0 failed=0
have_python=0
command -v python3 >/dev/null 2>&1 && have_python=1

echo "TAP version 13"

result() {
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		passed=$((passed + 1))
		echo "ok $n - $1"
	else
		failed=$((failed + 1))
		echo "not ok $n - $1"
		diff -u "$tmp/want" "$tmp/out" | sed 's/^/#   /' | head -40
		echo "#   rc=$rc stderr=$(tr '\n' '|' <"$tmp/err")"
	fi
}

# expect DESC RC ARGS... with the wanted stdout on stdin (stderr empty
# when RC is 0, else the wanted stderr line is the last line of stdin).
expect() {
	local desc=$1 want_rc=$2
	shift 2
	cat >"$tmp/want"
	"$FAKE" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$want_rc" = 0 ]; then
		[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && cmp -s "$tmp/want" "$tmp/out"
	else
		mv "$tmp/want" "$tmp/wanterr"
		: >"$tmp/want"
		[ $rc -eq "$want_rc" ] && [ ! -s "$tmp/out" ] &&
			cmp -s "$tmp/wanterr" "$tmp/err"
		local st=$?
		[ $st -ne 0 ] && cp "$tmp/wanterr" "$tmp/want" && cp "$tmp/err" "$tmp/out"
		result "$desc" $st
		return
	fi
	result "$desc" $?
}

# valid_json DESC ARGS...: output parses as JSON (python3)
valid_json() {
	local desc=$1
	shift
	if [ $have_python = 0 ]; then
		n=$((n + 1)); passed=$((passed + 1))
		echo "ok $n - $desc # SKIP no python3"
		return
	fi
	"$FAKE" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	: >"$tmp/want"
	[ $rc -eq 0 ] && python3 -c 'import json,sys; json.load(sys.stdin)' <"$tmp/out" 2>/dev/null
	result "$desc" $?
}

expect "regions table (sorted by id)" 0 regions <<'X'
ID     SIZE  POPULATED         OWNER                 MAPPINGS  FAULTS
 1  1.0 GiB  262144 (1.0 GiB)  1234/qemu-system-x86         1  262150
 3      0 B  0 (0 B)           0/we"ird?name                0       0
X

expect "regions --json" 0 regions --json <<'X'
[{"id":1,"size":1073741824,"populated_pages":262144,"owner_pid":1234,"owner_comm":"qemu-system-x86","mappings":1,"faults":262150,"alloc_failures":0,"zero_pages":10,"zero_bytes":40960,"normal_pages":20,"normal_bytes":81920,"page_size":4096},{"id":3,"size":0,"populated_pages":0,"owner_pid":0,"owner_comm":"we\"ird\tname","mappings":0,"faults":0,"page_size":4096}]
X

expect "regions ID" 0 regions 1 <<'X'
id: 1
size: 1.0 GiB (1073741824 bytes)
populated-pages: 262144 (1.0 GiB)
owner-pid: 1234
owner-comm: qemu-system-x86
mappings: 1
faults: 262150
alloc-failures: 0
zero-pages: 10 (40.0 KiB)
zero-bytes: 40.0 KiB (40960 bytes)
normal-pages: 20 (80.0 KiB)
normal-bytes: 80.0 KiB (81920 bytes)
page-size: 4096
X

expect "regions ID --json is one object, absent attributes left out" 0 -j regions 3 <<'X'
{"id":3,"size":0,"populated_pages":0,"owner_pid":0,"owner_comm":"we\"ird\tname","mappings":0,"faults":0,"page_size":4096}
X

expect "regions ID prints '-' for absent attributes" 0 regions 3 <<'X'
id: 3
size: 0 B
populated-pages: 0 (0 B)
owner-pid: 0
owner-comm: we"ird?name
mappings: 0
faults: 0
alloc-failures: -
zero-pages: -
zero-bytes: -
normal-pages: -
normal-bytes: -
page-size: 4096
X

MIGCTL_FAKE=empty expect "regions: nothing printed without regions" 0 regions </dev/null
MIGCTL_FAKE=empty expect "regions --json: [] without regions" 0 regions -j <<'X'
[]
X

expect "regions: ENOENT" 1 regions 7 <<'X'
migctl: regions: no region with id 7
X

expect "params" 0 params <<'X'
channels: 2
zero-page-detection: main
zero-check: auto
zero-check-active: avx2
zero-check-available: auto generic sse2 avx2
region-size-max: 64.0 GiB (68719476736 bytes)
X

expect "params --json" 0 params --json <<'X'
{"channels":2,"zero_page_detection":"main","zero_check":"auto","zero_check_active":"avx2","zero_check_available":["auto","generic","sse2","avx2"],"region_size_max":68719476736}
X

MIGCTL_FAKE=sparse expect "params: absent attributes" 0 params <<'X'
channels: 2
zero-page-detection: main
zero-check: auto
zero-check-active: avx2
zero-check-available: -
region-size-max: -
X

expect "params --json --pretty" 0 -p params -j <<'X'
{
  "channels": 2,
  "zero_page_detection": "main",
  "zero_check": "auto",
  "zero_check_active": "avx2",
  "zero_check_available": [
    "auto",
    "generic",
    "sse2",
    "avx2"
  ],
  "region_size_max": 68719476736
}
X

expect "stats" 0 stats <<'X'
regions: 2
populated-pages: 262144
faults: 262150
alloc-failures: 0
mmap-refused: 3
regions-created: 5
scans: 7
migrations-started: 6
migrations-completed: 3
migrations-failed: 1
migrations-cancelled: 1
rejected-connections: 2
malformed-packets: 1
splice-fallbacks: 12
X

MIGCTL_FAKE=sparse expect "stats: absent attributes print '-'" 0 stats <<'X'
regions: 2
populated-pages: 262144
faults: 262150
alloc-failures: 0
mmap-refused: 3
regions-created: 5
scans: -
migrations-started: 6
migrations-completed: 3
migrations-failed: 1
migrations-cancelled: 1
rejected-connections: 2
malformed-packets: -
splice-fallbacks: 12
X

expect "stats --json" 0 stats -j <<'X'
{"regions":2,"populated_pages":262144,"faults":262150,"alloc_failures":0,"mmap_refused":3,"regions_created":5,"scans":7,"migrations_started":6,"migrations_completed":3,"migrations_failed":1,"migrations_cancelled":1,"rejected_connections":2,"malformed_packets":1,"splice_fallbacks":12}
X

MIGCTL_FAKE=sparse expect "stats --json: absent attribute left out" 0 stats -j <<'X'
{"regions":2,"populated_pages":262144,"faults":262150,"alloc_failures":0,"mmap_refused":3,"regions_created":5,"migrations_started":6,"migrations_completed":3,"migrations_failed":1,"migrations_cancelled":1,"rejected_connections":2,"splice_fallbacks":12}
X

expect "scan" 0 scan 1 <<'X'
region: 1
pages: 262144
populated: 1000 (3.9 MiB)
zero: 261244
normal: 900
time: 1.000 ms
throughput: 3.81 GiB/s
zero-check: avx2
X

expect "scan --json --zero-check sse2" 0 scan 1 --zero-check sse2 --json <<'X'
{"region_id":1,"pages":262144,"populated_pages":1000,"zero_pages":261244,"normal_pages":900,"time_ns":1000000,"zero_check_used":"sse2","page_size":4096,"populated_bytes":4096000,"throughput_bytes_per_sec":4096000000,"throughput_gib_per_sec":3.815}
X

expect "scan --json with time 0: no throughput" 0 -j scan 3 <<'X'
{"region_id":3,"pages":262144,"populated_pages":0,"zero_pages":262144,"normal_pages":0,"time_ns":0,"zero_check_used":"avx2","page_size":4096,"populated_bytes":0}
X

expect "scan: ENOENT with kernel message" 1 scan 9 <<'X'
migctl: scan: no region with id 9 (kernel: region not found)
X

expect "set: success prints nothing" 0 set channels 4 zero-check avx2 </dev/null

expect "set: kernel range error with extack" 1 set --force channels 100 <<'X'
migctl: set channels: Numerical result out of range (kernel: integer out of range)
X

expect "set: kernel error names the attribute it points at" 1 set channels 4 zero-check avx512 <<'X'
migctl: set zero-check: Operation not supported (kernel: zero-check implementation not supported by this CPU)
X

MIGCTL_FAKE=eperm expect "set: EPERM mentions CAP_NET_ADMIN" 1 set channels 4 zero-check sse2 <<'X'
migctl: set: Operation not permitted (CAP_NET_ADMIN required)
X

MIGCTL_FAKE=eperm expect "scan: EPERM mentions CAP_NET_ADMIN" 1 scan 1 <<'X'
migctl: scan: Operation not permitted (CAP_NET_ADMIN required)
X

for args in "regions -j" "regions 1 -j" "regions 3 -j" "params -j" "params -j -p" \
	    "stats -j" "scan 1 -j" "scan 3 -j -p"; do
	# shellcheck disable=SC2086
	valid_json "valid JSON: migctl $args" $args
done

echo "# $passed passed, $failed failed"
[ $failed -eq 0 ]
