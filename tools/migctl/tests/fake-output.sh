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

# A fixed migration key (bytes 0x00..0x1f) for listen and start; the fake
# kernel writes what it was sent to $tmp/capture.
KEY64=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=
KEYHEX=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
(umask 077 && echo "$KEY64" >"$tmp/mig.key")
K="--key-file $tmp/mig.key"
export MIGCTL_FAKE_CAPTURE=$tmp/capture

have_python=0
command -v python3 >/dev/null 2>&1 && have_python=1

. "$dir/tap.sh"

result() {
	tap_result "$1" "$2" && return
	diff -u "$tmp/want" "$tmp/out" | sed 's/^/#   /' | head -40
	echo "#   rc=$rc stderr=$(tr '\n' '|' <"$tmp/err")"
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
		tap_result "$desc # SKIP no python3" 0
		return
	fi
	"$FAKE" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	: >"$tmp/want"
	[ $rc -eq 0 ] && python3 -c 'import json,sys; json.load(sys.stdin)' <"$tmp/out" 2>/dev/null
	result "$desc" $?
}

# expect_both DESC RC STDERR ARGS...: exit RC, the wanted stdout on stdin,
# stderr exactly STDERR (one line, or several separated by newlines)
expect_both() {
	local desc=$1 want_rc=$2 want_err=$3
	shift 3
	cat >"$tmp/want"
	"$FAKE" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq "$want_rc" ] && cmp -s "$tmp/want" "$tmp/out" &&
		[ "$(cat "$tmp/err")" = "$want_err" ] &&
		[ "$(wc -l <"$tmp/err")" = "$(printf '%s\n' "$want_err" | wc -l)" ]
	result "$desc" $?
}

# on_tty OUTFILE ARGS...: run with stdout and stderr on a terminal (script
# from util-linux), both into OUTFILE; sets rc. False without script, or
# without a pseudo-terminal to run it on (a package build chroot with no
# /dev/pts).
on_tty() {
	local out=$1 cmd
	shift
	command -v script >/dev/null 2>&1 || return 1
	script -qec true /dev/null </dev/null >/dev/null 2>&1 || return 1
	printf -v cmd '%q ' "$FAKE" "$@"
	script -qec "$cmd" /dev/null >"$out" 2>&1 </dev/null
	rc=$?
	return 0
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

# The region as --region ID (every command's spelling): same output as ID.
for args in "regions --region 1" "regions --region=3" "-j regions --region 3" \
	    "scan --region 1" "scan --zero-check sse2 --region=1 --json" \
	    "-j scan --region 3"; do
	plain=$(printf '%s\n' "$args" | sed -E 's/--region[= ]//')
	# shellcheck disable=SC2086
	"$FAKE" $plain >"$tmp/want" 2>&1
	# shellcheck disable=SC2086
	"$FAKE" $args >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && [ -s "$tmp/out" ] &&
		cmp -s "$tmp/want" "$tmp/out"
	result "migctl $args: as migctl $plain" $?
done
expect "regions --region: ENOENT as with ID" 1 regions --region 7 <<'X'
migctl: regions: no region with id 7
X

expect "params" 0 params <<'X'
channels: 2
zero-page-detection: main
zero-check: auto
zero-check-active: avx2
zero-check-available: auto generic sse2 avx2
region-size-max: 64.0 GiB (68719476736 bytes)
max-regions-per-user: 64
max-memory: 20.0 GiB (21474836480 bytes)
max-channels: 64
max-migrations: 0
max-handshakes: 64
handshake-timeout-ms: 10000
X

expect "params --json" 0 params --json <<'X'
{"channels":2,"zero_page_detection":"main","zero_check":"auto","zero_check_active":"avx2","zero_check_available":["auto","generic","sse2","avx2"],"region_size_max":68719476736,"max_regions_per_user":64,"max_memory":21474836480,"max_channels":64,"max_migrations":0,"max_handshakes":64,"handshake_timeout_ms":10000}
X

MIGCTL_FAKE=sparse expect "params: absent attributes" 0 params <<'X'
channels: 2
zero-page-detection: main
zero-check: auto
zero-check-active: avx2
zero-check-available: -
region-size-max: -
max-regions-per-user: -
max-memory: -
max-channels: -
max-migrations: -
max-handshakes: -
handshake-timeout-ms: -
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
  "region_size_max": 68719476736,
  "max_regions_per_user": 64,
  "max_memory": 21474836480,
  "max_channels": 64,
  "max_migrations": 0,
  "max_handshakes": 64,
  "handshake_timeout_ms": 10000
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
migrations-failed-over: 2
auth-failures: 4
integrity-errors: 1
limit-regions-refused: 1
limit-memory-refused: 2
limit-channels-refused: 3
limit-migrations-refused: 0
migrations-running: 1
limit-handshakes-reached: 5
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
migrations-failed-over: -
auth-failures: -
integrity-errors: -
limit-regions-refused: -
limit-memory-refused: -
limit-channels-refused: -
limit-migrations-refused: -
migrations-running: -
limit-handshakes-reached: -
X

expect "stats --json" 0 stats -j <<'X'
{"regions":2,"populated_pages":262144,"faults":262150,"alloc_failures":0,"mmap_refused":3,"regions_created":5,"scans":7,"migrations_started":6,"migrations_completed":3,"migrations_failed":1,"migrations_cancelled":1,"rejected_connections":2,"malformed_packets":1,"splice_fallbacks":12,"migrations_failed_over":2,"auth_failures":4,"integrity_errors":1,"limit_regions_refused":1,"limit_memory_refused":2,"limit_channels_refused":3,"limit_migrations_refused":0,"migrations_running":1,"limit_handshakes_reached":5}
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

expect "set: every limit at once prints nothing" 0 set max-regions-per-user 10 max-memory 8G \
	max-channels 4 max-migrations 2 </dev/null

expect "set: max-memory goes as a u64, the kernel's refusal names it" 1 set channels 2 max-memory 100 <<'X'
migctl: set max-memory: Numerical result out of range (kernel: max_memory must be 0 (no limit) or at least one page)
X

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

# ---- migrations ----

expect "status ID: every attribute, channel table" 0 status --region 1 <<'X'
Region 1: source, completed
  Migration id:         00112233445566778899aabbccddeeff
  Peer:                 10.0.0.2:4444
  Channels:             4 (zero pages detected on channel threads)
  Auth:                 hmac-sha256
  Total time:           1234 ms (setup 5.200 ms)
  Throughput:           3533.60 mbps
  Transferred:          516.0 MiB in 8192 packets
  Pages:                262144 of 262144 (100.0%)
  Zero pages:           131072 (512.0 MiB)
  Normal pages:         131072 (512.0 MiB)
  Splice fallbacks:     3
  Passes:               1
  Auth failures:        0
  Channel  CPU  Pages   Zero  Packets      Bytes
        0    0  65536  32768     2048  129.0 MiB
        1    1  65536  32768     2048  129.0 MiB
        2    2  65536  32768     2048  129.0 MiB
        3    3  65536  32768     2048  129.0 MiB
X

expect "status ID --json: one object with the channel array" 0 status --region 1 --json <<'X'
{"region_id":1,"role":"source","state":"completed","addr":"10.0.0.2","port":4444,"channels":4,"zero_page_detection":"channel","migration_id":"00112233445566778899aabbccddeeff","pages_total":262144,"pages_done":262144,"zero_pages":131072,"zero_bytes":536870912,"normal_pages":131072,"normal_bytes":536870912,"packets":8192,"bytes":541065216,"splice_fallbacks":3,"setup_ns":5200000,"time_ns":1234400000,"throughput":441700000,"rejected_connections":0,"malformed_packets":0,"passes":1,"live":false,"colo":false,"auth":1,"auth_failures":0,"integrity":false,"postcopy":false,"channel":[{"id":0,"cpu":0,"pages":65536,"zero_pages":32768,"bytes":135266304,"packets":2048},{"id":1,"cpu":1,"pages":65536,"zero_pages":32768,"bytes":135266304,"packets":2048},{"id":2,"cpu":2,"pages":65536,"zero_pages":32768,"bytes":135266304,"packets":2048},{"id":3,"cpu":3,"pages":65536,"zero_pages":32768,"bytes":135266304,"packets":2048}]}
X

expect "status: failed destination, reason and destination counters" 0 status --region 3 <<'X'
Region 3: destination, failed
  Migration id:         00112233445566778899aabbccddeeff
  Listening on:         [::]:4444
  Channels:             2
  Auth:                 hmac-sha256
  Total time:           3.000 ms
  Transferred:          2.0 MiB in 40 packets
  Pages:                1000
  Passes:               0
  Rejected connections: 2
  Malformed packets:    1
  Auth failures:        3
  Reason:               channel 1: connection reset by peer
  Channel  CPU  Pages  Zero  Packets      Bytes
        0    2    600     0       24    1.1 MiB
        1    3    400     0       16  876.1 KiB
X

expect "status (dump): sorted by region, blank line between blocks" 0 status <<'X'
Region 1: source, completed
  Migration id:         00112233445566778899aabbccddeeff
  Peer:                 10.0.0.2:4444
  Channels:             4 (zero pages detected on channel threads)
  Auth:                 hmac-sha256
  Total time:           1234 ms (setup 5.200 ms)
  Throughput:           3533.60 mbps
  Transferred:          516.0 MiB in 8192 packets
  Pages:                262144 of 262144 (100.0%)
  Zero pages:           131072 (512.0 MiB)
  Normal pages:         131072 (512.0 MiB)
  Splice fallbacks:     3
  Passes:               1
  Auth failures:        0
  Channel  CPU  Pages   Zero  Packets      Bytes
        0    0  65536  32768     2048  129.0 MiB
        1    1  65536  32768     2048  129.0 MiB
        2    2  65536  32768     2048  129.0 MiB
        3    3  65536  32768     2048  129.0 MiB

Region 3: destination, failed
  Migration id:         00112233445566778899aabbccddeeff
  Listening on:         [::]:4444
  Channels:             2
  Auth:                 hmac-sha256
  Total time:           3.000 ms
  Transferred:          2.0 MiB in 40 packets
  Pages:                1000
  Passes:               0
  Rejected connections: 2
  Malformed packets:    1
  Auth failures:        3
  Reason:               channel 1: connection reset by peer
  Channel  CPU  Pages  Zero  Packets      Bytes
        0    2    600     0       24    1.1 MiB
        1    3    400     0       16  876.1 KiB
X

expect "status --json (dump): an array" 0 -j status <<'X'
[{"region_id":1,"role":"source","state":"completed","addr":"10.0.0.2","port":4444,"channels":4,"zero_page_detection":"channel","migration_id":"00112233445566778899aabbccddeeff","pages_total":262144,"pages_done":262144,"zero_pages":131072,"zero_bytes":536870912,"normal_pages":131072,"normal_bytes":536870912,"packets":8192,"bytes":541065216,"splice_fallbacks":3,"setup_ns":5200000,"time_ns":1234400000,"throughput":441700000,"rejected_connections":0,"malformed_packets":0,"passes":1,"live":false,"colo":false,"auth":1,"auth_failures":0,"integrity":false,"postcopy":false,"channel":[{"id":0,"cpu":0,"pages":65536,"zero_pages":32768,"bytes":135266304,"packets":2048},{"id":1,"cpu":1,"pages":65536,"zero_pages":32768,"bytes":135266304,"packets":2048},{"id":2,"cpu":2,"pages":65536,"zero_pages":32768,"bytes":135266304,"packets":2048},{"id":3,"cpu":3,"pages":65536,"zero_pages":32768,"bytes":135266304,"packets":2048}]},{"region_id":3,"role":"destination","state":"failed","addr":"::","port":4444,"channels":2,"migration_id":"00112233445566778899aabbccddeeff","pages_total":0,"pages_done":1000,"packets":40,"bytes":2097152,"splice_fallbacks":0,"time_ns":3000000,"reason":"channel 1: connection reset by peer","rejected_connections":2,"malformed_packets":1,"passes":0,"live":false,"colo":false,"auth":1,"auth_failures":3,"integrity":false,"postcopy":false,"channel":[{"id":0,"cpu":2,"pages":600,"zero_pages":0,"bytes":1200000,"packets":24},{"id":1,"cpu":3,"pages":400,"zero_pages":0,"bytes":897152,"packets":16}]}]
X

MIGCTL_FAKE=sparse expect "status: absent attributes leave their lines out" 0 status --region 3 <<'X'
Region 3: destination, failed
  Listening on:         [::]:4444
  Channels:             2
  Passes:               0
  Rejected connections: 2
  Malformed packets:    1
  Reason:               channel 1: connection reset by peer
X

MIGCTL_FAKE=sparse expect "status --json: absent attributes left out" 0 status --region 3 -j <<'X'
{"region_id":3,"role":"destination","state":"failed","addr":"::","port":4444,"channels":2,"reason":"channel 1: connection reset by peer","rejected_connections":2,"malformed_packets":1,"passes":0,"live":false,"colo":false,"integrity":false,"postcopy":false}
X

MIGCTL_FAKE=empty expect "status: nothing printed without migrations" 0 status </dev/null

MIGCTL_FAKE=empty expect "status --json: [] without migrations" 0 status -j <<'X'
[]
X

expect "listen: kernel-picked port, no id yet" 0 listen --region 3 $K <<'X'
Region 3: destination, listening
  Migration id:         (none yet)
  Listening on:         0.0.0.0:40123
  Channels:             2
  Auth:                 hmac-sha256
  Auth failures:        0
X

expect "listen --json --insecure: what was asked is sent (addr, port, channels, id)" 0 listen --region 3 --insecure --addr 2001:db8::1 --port 4444 --channels 8 --id 00112233-4455-6677-8899-AABBCCDDEEFF --json <<'X'
{"region_id":3,"role":"destination","state":"listening","addr":"2001:db8::1","port":4444,"channels":8,"migration_id":"00112233445566778899aabbccddeeff","live":false,"colo":false,"auth":0,"auth_failures":0,"integrity":false,"postcopy":false}
X

expect "listen: IPv6 --addr in brackets, --port=" 0 listen --region 3 $K --addr '[::]' --port=5000 <<'X'
Region 3: destination, listening
  Migration id:         (none yet)
  Listening on:         [::]:5000
  Channels:             2
  Auth:                 hmac-sha256
  Auth failures:        0
X

expect "start: what was asked is sent (to, channels, zero-page detection, id)" 0 start --region 1 $K --to '[2001:db8::7]:4444' --channels 4 --zero-page-detection channel --id 0123456789abcdef0123456789abcdef <<'X'
Region 1: source, setup
  Migration id:         0123456789abcdef0123456789abcdef
  Peer:                 [2001:db8::7]:4444
  Channels:             4 (zero pages detected on channel threads)
  Auth:                 hmac-sha256
  Total time:           6.000 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          0 B in 0 packets
  Pages:                0 of 262144 (0.0%)
  Zero pages:           0 (0 B)
  Normal pages:         0 (0 B)
  Auth failures:        0
X

expect "start --json" 0 start --region 1 $K --to 192.0.2.7:4444 -j <<'X'
{"region_id":1,"role":"source","state":"setup","addr":"192.0.2.7","port":4444,"channels":2,"zero_page_detection":"main","pages_total":262144,"pages_done":0,"zero_pages":0,"zero_bytes":0,"normal_pages":0,"normal_bytes":0,"packets":0,"bytes":0,"setup_ns":5000000,"time_ns":6000000,"throughput":650000000,"live":false,"colo":false,"auth":1,"auth_failures":0,"integrity":false,"postcopy":false}
X

expect "cancel: the cancelled status" 0 cancel --region 5 <<'X'
Region 5: source, cancelled
  Peer:                 10.0.0.2:4444
  Channels:             2 (zero pages detected by the dispatcher)
  Auth:                 hmac-sha256
  Total time:           406 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          129.0 MiB in 2048 packets
  Pages:                65536 of 262144 (25.0%)
  Zero pages:           32768 (128.0 MiB)
  Normal pages:         32768 (128.0 MiB)
  Auth failures:        0
  Reason:               cancelled by the user
X

expect "cancel --json" 0 cancel --region 6 --json <<'X'
{"region_id":6,"role":"source","state":"cancelled","addr":"10.0.0.2","port":4444,"channels":2,"zero_page_detection":"main","pages_total":262144,"pages_done":26214,"zero_pages":13107,"zero_bytes":53686272,"normal_pages":13107,"normal_bytes":53686272,"packets":819,"bytes":54105696,"setup_ns":5000000,"time_ns":406000000,"throughput":650000000,"reason":"cancelled by the user","live":false,"colo":false,"auth":1,"auth_failures":0,"integrity":false,"postcopy":false}
X

expect "status --watch: polls until completed, exit 0, no progress off a terminal" 0 status --region 5 --watch --interval 1 <<'X'
Region 5: source, completed
  Peer:                 10.0.0.2:4444
  Channels:             2 (zero pages detected by the dispatcher)
  Auth:                 hmac-sha256
  Total time:           1206 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          516.0 MiB in 8192 packets
  Pages:                262144 of 262144 (100.0%)
  Zero pages:           131072 (512.0 MiB)
  Normal pages:         131072 (512.0 MiB)
  Auth failures:        0
X

expect "status --watch --json: only the final object" 0 status --region 5 --watch --interval 1 -j <<'X'
{"region_id":5,"role":"source","state":"completed","addr":"10.0.0.2","port":4444,"channels":2,"zero_page_detection":"main","pages_total":262144,"pages_done":262144,"zero_pages":131072,"zero_bytes":536870912,"normal_pages":131072,"normal_bytes":536870912,"packets":8192,"bytes":541065216,"setup_ns":5000000,"time_ns":1206000000,"throughput":650000000,"live":false,"colo":false,"auth":1,"auth_failures":0,"integrity":false,"postcopy":false}
X

expect "start --wait --json: completed, exit 0" 0 start --region 5 $K --to 10.0.0.9:4444 --wait --interval 1 -j <<'X'
{"region_id":5,"role":"source","state":"completed","addr":"10.0.0.9","port":4444,"channels":2,"zero_page_detection":"main","pages_total":262144,"pages_done":262144,"zero_pages":131072,"zero_bytes":536870912,"normal_pages":131072,"normal_bytes":536870912,"packets":8192,"bytes":541065216,"setup_ns":5000000,"time_ns":1206000000,"throughput":650000000,"live":false,"colo":false,"auth":1,"auth_failures":0,"integrity":false,"postcopy":false}
X

expect "listen --wait: the listening status, then the final one" 0 listen --region 5 $K --wait --interval 1 <<'X'
Region 5: destination, listening
  Migration id:         (none yet)
  Listening on:         0.0.0.0:40123
  Channels:             2
  Auth:                 hmac-sha256
  Auth failures:        0

Region 5: destination, completed
  Migration id:         (none yet)
  Listening on:         0.0.0.0:40123
  Channels:             2
  Auth:                 hmac-sha256
  Total time:           1206 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          516.0 MiB in 8192 packets
  Pages:                262144
  Zero pages:           131072 (512.0 MiB)
  Normal pages:         131072 (512.0 MiB)
  Auth failures:        0
X

expect "status --watch of a finished migration returns at once" 0 status --region 1 --watch <<'X'
Region 1: source, completed
  Migration id:         00112233445566778899aabbccddeeff
  Peer:                 10.0.0.2:4444
  Channels:             4 (zero pages detected on channel threads)
  Auth:                 hmac-sha256
  Total time:           1234 ms (setup 5.200 ms)
  Throughput:           3533.60 mbps
  Transferred:          516.0 MiB in 8192 packets
  Pages:                262144 of 262144 (100.0%)
  Zero pages:           131072 (512.0 MiB)
  Normal pages:         131072 (512.0 MiB)
  Splice fallbacks:     3
  Passes:               1
  Auth failures:        0
  Channel  CPU  Pages   Zero  Packets      Bytes
        0    0  65536  32768     2048  129.0 MiB
        1    1  65536  32768     2048  129.0 MiB
        2    2  65536  32768     2048  129.0 MiB
        3    3  65536  32768     2048  129.0 MiB
X

expect_both "status --watch: failed, exit 1, final status and one error line" 1 \
	"migctl: migration failed: destination closed the connection" \
	status --region 6 --watch --interval 1 <<'X'
Region 6: source, failed
  Peer:                 10.0.0.2:4444
  Channels:             2 (zero pages detected by the dispatcher)
  Auth:                 hmac-sha256
  Total time:           806 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          51.6 MiB in 819 packets
  Pages:                26214 of 262144 (10.0%)
  Zero pages:           13107 (51.2 MiB)
  Normal pages:         13107 (51.2 MiB)
  Auth failures:        0
  Reason:               destination closed the connection
X

expect_both "start --wait --json: failed, exit 1" 1 \
	"migctl: migration failed: destination closed the connection" \
	start --region 6 $K --to 10.0.0.2:4444 --wait --interval 1 --json <<'X'
{"region_id":6,"role":"source","state":"failed","addr":"10.0.0.2","port":4444,"channels":2,"zero_page_detection":"main","pages_total":262144,"pages_done":26214,"zero_pages":13107,"zero_bytes":53686272,"normal_pages":13107,"normal_bytes":53686272,"packets":819,"bytes":54105696,"setup_ns":5000000,"time_ns":806000000,"throughput":650000000,"reason":"destination closed the connection","live":false,"colo":false,"auth":1,"auth_failures":0,"integrity":false,"postcopy":false}
X

"$FAKE" -j status >"$tmp/all.json" 2>/dev/null
expect_both "status --watch (all): exit 1, the failed one named" 1 \
	"migctl: migration failed: region 3: channel 1: connection reset by peer" \
	-j status --watch <"$tmp/all.json"

expect "status --watch: no migration on the region" 1 status --region 7 --watch <<'X'
migctl: status: region 7 (kernel: no migration on this region)
X
expect "status: no such region" 1 status --region 9 <<'X'
migctl: status: region 9 (kernel: no region with this id)
X
expect "listen: ENOENT names the region" 1 listen --region 9 $K <<'X'
migctl: listen: no region with id 9 (kernel: no region with this id)
X
expect "start: kernel error with extack" 1 start --region 5 $K --to 10.0.0.2:1 <<'X'
migctl: start: Connection refused (kernel: connecting channel 0 failed)
X
expect "cancel: nothing to cancel" 1 cancel --region 7 <<'X'
migctl: cancel: region 7 (kernel: no migration on this region)
X
expect "cancel: already ended" 1 cancel --region 1 <<'X'
migctl: cancel: Operation already in progress (kernel: the migration has already ended)
X
for args in "listen --region 3 $K" "start --region 1 $K --to 10.0.0.2:4444" "cancel --region 5"; do
	# shellcheck disable=SC2086
	MIGCTL_FAKE=eperm expect "${args%% *}: EPERM mentions CAP_NET_ADMIN" 1 $args <<X
migctl: ${args%% *}: Operation not permitted (CAP_NET_ADMIN required)
X
done
MIGCTL_FAKE=nomodule expect "status without the module" 1 status --watch <<'X'
migctl: kmig module not loaded (generic netlink family "kmig" not found); load it with 'modprobe kmig' or 'insmod kmig.ko'
X

# ---- authentication: the key goes out as KMIG_A_MIG_KEY, nowhere else ----

# sent DESC WANT ARGS...: exit 0, the fake kernel got WANT ("key HEX" or
# "insecure"), and neither the key nor its base64 is on stdout or stderr.
sent() {
	local desc=$1 want=$2
	shift 2
	rm -f "$tmp/capture"
	"$FAKE" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	echo "$want" >"$tmp/want"
	[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && cmp -s "$tmp/want" "$tmp/capture" &&
		! grep -qiF -e "$KEYHEX" -e "$KEY64" -e "${KEY64%=}" "$tmp/out" "$tmp/err"
	local st=$?
	[ $st -ne 0 ] && cp "$tmp/capture" "$tmp/out" 2>/dev/null
	result "$desc" $st
}
sent "listen --key-file: the 32 key bytes sent as KMIG_A_MIG_KEY" "key $KEYHEX" listen --region 3 $K
sent "start --key-file: the 32 key bytes sent as KMIG_A_MIG_KEY" "key $KEYHEX" start --region 1 --to 10.0.0.2:4444 $K
sent "start --live --colo --key-file --json: key sent, not printed" "key $KEYHEX" -j start --region 1 --to 10.0.0.2:4444 --live --colo $K
sent "listen --insecure: the insecure flag, no key" insecure listen --region 3 --insecure
sent "start --insecure --json: the insecure flag, no key" insecure start --region 1 --to 10.0.0.2:4444 --insecure -j
printf '\n \t%s \r\n\n' "$KEY64" >"$tmp/blank.key"
chmod 600 "$tmp/blank.key"
sent "--key-file: surrounding blanks and blank lines trimmed" "key $KEYHEX" \
	listen --region 3 --key-file "$tmp/blank.key" --wait --interval 1
printf '%s\n' "//////////////////////////////////////////8=" >"$tmp/ff.key"
chmod 600 "$tmp/ff.key"
sent "--key-file: another key, other bytes" \
	"key ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" \
	start --region 1 --to 10.0.0.2:4444 --key-file "$tmp/ff.key"
rm -f "$tmp/capture"
expect "listen without --key-file or --insecure: nothing sent" 2 listen --region 3 <<'X'
migctl: listen: a key is required: --key-file FILE (migctl keygen), or --insecure to run without authentication
X
[ ! -e "$tmp/capture" ]
result "listen without a key: the kernel was not asked" $?
expect "start with both: nothing sent" 2 start --region 1 --to 10.0.0.2:4444 --insecure $K <<'X'
migctl: start: --key-file and --insecure exclude each other
X
[ ! -e "$tmp/capture" ]
result "start with both: the kernel was not asked" $?
echo "$KEY64" >"$tmp/open.key"
chmod 644 "$tmp/open.key"
expect_both "listen --key-file readable by others: a warning, the key still sent" 0 \
	"migctl: listen: warning: key file '$tmp/open.key' is readable by group or others (chmod 600 '$tmp/open.key')" \
	listen --region 3 --key-file "$tmp/open.key" <<'X'
Region 3: destination, listening
  Migration id:         (none yet)
  Listening on:         0.0.0.0:40123
  Channels:             2
  Auth:                 hmac-sha256
  Auth failures:        0
X
expect "listen --insecure: Auth none (insecure)" 0 listen --region 3 --insecure <<'X'
Region 3: destination, listening
  Migration id:         (none yet)
  Listening on:         0.0.0.0:40123
  Channels:             2
  Auth:                 none (insecure)
  Auth failures:        0
X
expect "start --insecure --json: auth 0" 0 start --region 1 --to 10.0.0.2:4444 --insecure -j <<'X'
{"region_id":1,"role":"source","state":"setup","addr":"10.0.0.2","port":4444,"channels":2,"zero_page_detection":"main","pages_total":262144,"pages_done":0,"zero_pages":0,"zero_bytes":0,"normal_pages":0,"normal_bytes":0,"packets":0,"bytes":0,"setup_ns":5000000,"time_ns":6000000,"throughput":650000000,"live":false,"colo":false,"auth":0,"auth_failures":0,"integrity":false,"postcopy":false}
X

# ---- live migration ----

expect "status: live source, every live line" 0 status --region 4 <<'X'
Region 4: source, active
  Peer:                 10.0.0.2:4444
  Channels:             2
  Auth:                 hmac-sha256
  Live:                 yes (downtime limit 300 ms, max bandwidth 100.0 MiB/s, max passes 10, no-convergence switchover)
  Total time:           3500 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          1.2 MiB in 19 packets
  Pages:                617 sent (1234 populated at the start)
  Zero pages:           308 (1.2 MiB)
  Normal pages:         309 (1.2 MiB)
  Passes:               2
  Pass:                 3
  Dirty rate:           5000 pages/s
  Expected downtime:    12 ms
  Remaining:            4.8 MiB
  Dirty syncs:          3
  Switchover ready:     yes
  Auth failures:        0
X

expect "status --json: live keys" 0 -j status --region 4 <<'X'
{"region_id":4,"role":"source","state":"active","addr":"10.0.0.2","port":4444,"channels":2,"pages_total":1234,"pages_done":617,"zero_pages":308,"zero_bytes":1261568,"normal_pages":309,"normal_bytes":1265664,"packets":19,"bytes":1275536,"setup_ns":5000000,"time_ns":3500000000,"throughput":650000000,"passes":2,"live":true,"downtime_limit_ms":300,"max_bandwidth":104857600,"max_passes":10,"no_convergence":"switchover","pass":3,"dirty_rate":5000,"expected_downtime_ns":12000000,"remaining_bytes":5054464,"downtime_ns":0,"dirty_syncs":3,"switchover_ready":1,"colo":false,"auth":1,"auth_failures":0,"integrity":false,"postcopy":false}
X

expect "start --live: the live options are sent (100M is 100 MiB/s)" 0 start --region 1 $K --to 10.0.0.2:4444 --live --downtime-limit 50 --max-bandwidth 100M --max-passes 5 --no-convergence switchover <<'X'
Region 1: source, setup
  Peer:                 10.0.0.2:4444
  Channels:             2 (zero pages detected by the dispatcher)
  Auth:                 hmac-sha256
  Live:                 yes (downtime limit 50 ms, max bandwidth 100.0 MiB/s, max passes 5, no-convergence switchover)
  Total time:           6.000 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          0 B in 0 packets
  Pages:                0 sent (262144 populated at the start)
  Zero pages:           0 (0 B)
  Normal pages:         0 (0 B)
  Pass:                 0
  Dirty rate:           0 pages/s
  Expected downtime:    unknown
  Remaining:            0 B
  Dirty syncs:          0
  Switchover ready:     no
  Auth failures:        0
X

expect "start --live --json: the module's defaults, expected downtime unknown" 0 start --region 1 $K --to 10.0.0.2:4444 --live -j <<'X'
{"region_id":1,"role":"source","state":"setup","addr":"10.0.0.2","port":4444,"channels":2,"zero_page_detection":"main","pages_total":262144,"pages_done":0,"zero_pages":0,"zero_bytes":0,"normal_pages":0,"normal_bytes":0,"packets":0,"bytes":0,"setup_ns":5000000,"time_ns":6000000,"throughput":650000000,"live":true,"downtime_limit_ms":300,"max_bandwidth":0,"max_passes":0,"no_convergence":"continue","pass":0,"dirty_rate":0,"expected_downtime_ns":18446744073709551615,"remaining_bytes":0,"dirty_syncs":0,"switchover_ready":0,"colo":false,"auth":1,"auth_failures":0,"integrity":false,"postcopy":false}
X

expect "start --max-bandwidth: plain bytes per second" 0 -j start --region 1 $K --to 10.0.0.2:4444 --live --max-bandwidth=1536 <<'X'
{"region_id":1,"role":"source","state":"setup","addr":"10.0.0.2","port":4444,"channels":2,"zero_page_detection":"main","pages_total":262144,"pages_done":0,"zero_pages":0,"zero_bytes":0,"normal_pages":0,"normal_bytes":0,"packets":0,"bytes":0,"setup_ns":5000000,"time_ns":6000000,"throughput":650000000,"live":true,"downtime_limit_ms":300,"max_bandwidth":1536,"max_passes":0,"no_convergence":"continue","pass":0,"dirty_rate":0,"expected_downtime_ns":18446744073709551615,"remaining_bytes":0,"dirty_syncs":0,"switchover_ready":0,"colo":false,"auth":1,"auth_failures":0,"integrity":false,"postcopy":false}
X

expect_both "start --live --wait: switchover hint once on stderr, then the final status" 0 \
	"migctl: switchover ready: pause the guest and run 'migctl switchover --region 5'" \
	start --region 5 $K --to 10.0.0.9:4444 --live --wait --interval 1 <<'X'
Region 5: source, completed
  Peer:                 10.0.0.9:4444
  Channels:             2 (zero pages detected by the dispatcher)
  Auth:                 hmac-sha256
  Live:                 yes (downtime limit 300 ms, no bandwidth limit, no pass limit)
  Total time:           1606 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          516.0 MiB in 8192 packets
  Pages:                262144 sent (262144 populated at the start)
  Zero pages:           131072 (512.0 MiB)
  Normal pages:         131072 (512.0 MiB)
  Pass:                 4
  Dirty rate:           5000 pages/s
  Expected downtime:    12 ms
  Remaining:            4.8 MiB
  Dirty syncs:          4
  Switchover ready:     yes
  Downtime:             45 ms
  Auth failures:        0
X

expect "switchover: the status of the migration switching over" 0 switchover --region 5 <<'X'
Region 5: source, active
  Peer:                 10.0.0.2:4444
  Channels:             2 (zero pages detected by the dispatcher)
  Auth:                 hmac-sha256
  Live:                 yes (downtime limit 300 ms, no bandwidth limit, no pass limit)
  Total time:           806 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          258.0 MiB in 4096 packets
  Pages:                131072 sent (262144 populated at the start)
  Zero pages:           65536 (256.0 MiB)
  Normal pages:         65536 (256.0 MiB)
  Pass:                 2
  Dirty rate:           5000 pages/s
  Expected downtime:    12 ms
  Remaining:            4.8 MiB
  Dirty syncs:          2
  Switchover ready:     yes
  Auth failures:        0
X

expect "switchover --wait --json: completed with the downtime, no hint" 0 switchover --region 5 --wait --interval 1 -j <<'X'
{"region_id":5,"role":"source","state":"completed","addr":"10.0.0.2","port":4444,"channels":2,"zero_page_detection":"main","pages_total":262144,"pages_done":262144,"zero_pages":131072,"zero_bytes":536870912,"normal_pages":131072,"normal_bytes":536870912,"packets":8192,"bytes":541065216,"setup_ns":5000000,"time_ns":1206000000,"throughput":650000000,"live":true,"downtime_limit_ms":300,"max_bandwidth":0,"max_passes":0,"no_convergence":"continue","pass":3,"dirty_rate":5000,"expected_downtime_ns":12000000,"remaining_bytes":5054464,"downtime_ns":45200000,"dirty_syncs":3,"switchover_ready":1,"colo":false,"auth":1,"auth_failures":0,"integrity":false,"postcopy":false}
X

expect_both "switchover --wait: failed, exit 1" 1 \
	"migctl: migration failed: destination closed the connection" \
	switchover --region 6 --wait --interval 1 <<'X'
Region 6: source, failed
  Peer:                 10.0.0.2:4444
  Channels:             2 (zero pages detected by the dispatcher)
  Auth:                 hmac-sha256
  Live:                 yes (downtime limit 300 ms, no bandwidth limit, no pass limit)
  Total time:           1206 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          51.6 MiB in 819 packets
  Pages:                26214 sent (262144 populated at the start)
  Zero pages:           13107 (51.2 MiB)
  Normal pages:         13107 (51.2 MiB)
  Pass:                 3
  Dirty rate:           5000 pages/s
  Expected downtime:    12 ms
  Remaining:            4.8 MiB
  Dirty syncs:          3
  Switchover ready:     yes
  Auth failures:        0
  Reason:               destination closed the connection
X

expect "switchover: not a live source" 1 switchover --region 3 <<'X'
migctl: switchover: Invalid argument (kernel: not the source of a live migration)
X

expect "switchover: no migration" 1 switchover --region 7 <<'X'
migctl: switchover: region 7 (kernel: no migration on this region)
X

expect "switchover: no such region" 1 switchover --region 9 <<'X'
migctl: switchover: region 9 (kernel: no region with this id)
X

expect "switchover: already ended" 1 switchover --region 1 <<'X'
migctl: switchover: Operation already in progress (kernel: the migration has already ended)
X

MIGCTL_FAKE=eperm expect "switchover: EPERM mentions CAP_NET_ADMIN" 1 switchover --region 5 <<'X'
migctl: switchover: Operation not permitted (CAP_NET_ADMIN required)
X

expect "monitor: one line per event, other messages skipped" 0 monitor <<'X'
region 3 source setup
region 3 source active
region 4 destination active
region 3 source pass-done pass 1: 9766 dirty pages, dirty rate 5000 pages/s, expected downtime 95 ms, remaining 38.1 MiB
region 3 source pass-done pass 2: 1234 dirty pages, dirty rate 5000 pages/s, expected downtime 12 ms, remaining 4.8 MiB
region 3 source switchover-ready (expected downtime 12 ms <= 300 ms)
region 3 source completed (downtime 45 ms)
region 4 destination completed
region 5 source failed: channel 0: connection reset by peer
region 6 source cancelled: cancelled by the user
region 8 source switchover-ready (expected downtime 900 ms > 300 ms)
region 8 source unknown(99)
region 10 source colo
region 10 source checkpoint-pause 13
region 11 destination checkpoint-done 13: 1234 pages, 4.8 MiB, transfer 20.1 ms, flush 0.450 ms
region 10 source checkpoint-done 13: 1234 pages, 4.8 MiB, pause 31.2 ms (transfer 20.1 ms, flush 2.3 ms)
region 11 destination failover: peer closed channel 1 (holds checkpoint 13)
region 10 source failover: channel 0: connection reset by peer (-104) (last committed checkpoint 13)
region 12 destination checkpoint-pause
region 12 destination checkpoint-done
region 12 destination failover
region 13 source postcopy-active (downtime 12 ms)
region 14 destination postcopy-active: 1234 pages missing
region 14 destination completed
region 15 destination failed: peer closed channel 0 (1234 pages lost)
region 15 destination failed: peer closed channel 1
region 16 source postcopy-paused: postcopy: channel 0 failed: peer closed or reset (-104)
region 17 destination postcopy-paused: peer closed channel 1 before COMPLETE (packet 5210)
X

expect "monitor --region --count: filtered, stops after N" 0 monitor --region 3 --count 3 <<'X'
region 3 source setup
region 3 source active
region 3 source pass-done pass 1: 9766 dirty pages, dirty rate 5000 pages/s, expected downtime 95 ms, remaining 38.1 MiB
X

expect "monitor --json: one object per line, the status keys and event" 0 monitor -j --count 2 <<'X'
{"region_id":3,"role":"source","state":"setup","live":true,"downtime_limit_ms":300,"max_bandwidth":0,"max_passes":0,"no_convergence":"continue","event":"state","pass":0,"dirty_rate":0,"expected_downtime_ns":18446744073709551615,"remaining_bytes":0,"dirty_syncs":0,"switchover_ready":0,"colo":false,"integrity":false,"postcopy":false}
{"region_id":3,"role":"source","state":"active","live":true,"downtime_limit_ms":300,"max_bandwidth":0,"max_passes":0,"no_convergence":"continue","event":"state","pass":0,"dirty_rate":0,"expected_downtime_ns":18446744073709551615,"remaining_bytes":0,"dirty_syncs":0,"switchover_ready":0,"colo":false,"integrity":false,"postcopy":false}
X

expect "monitor --json --pretty: still one object per line" 0 monitor -j -p --region 4 <<'X'
{"region_id":4,"role":"destination","state":"active","live":false,"event":"state","colo":false,"integrity":false,"postcopy":false}
{"region_id":4,"role":"destination","state":"completed","live":false,"event":"completed","downtime_ns":0,"colo":false,"integrity":false,"postcopy":false}
X

expect "monitor --json: event names, unknown event as a number" 0 monitor --json --region 8 <<'X'
{"region_id":8,"role":"source","state":"active","live":true,"downtime_limit_ms":300,"max_bandwidth":0,"max_passes":5,"no_convergence":"switchover","event":"switchover-ready","pass":5,"dirty_rate":5000,"expected_downtime_ns":900000000,"remaining_bytes":5054464,"dirty_syncs":5,"switchover_ready":1,"colo":false,"integrity":false,"postcopy":false}
{"region_id":8,"role":"source","state":"active","live":false,"event":99,"colo":false,"integrity":false,"postcopy":false}
X

MIGCTL_FAKE=nogroup expect "monitor: module without the events group" 1 monitor <<'X'
migctl: monitor: the kmig module has no "events" multicast group (a module without live migration events?)
X

MIGCTL_FAKE=nomodule expect "monitor without the module" 1 monitor <<'X'
migctl: kmig module not loaded (generic netlink family "kmig" not found); load it with 'modprobe kmig' or 'insmod kmig.ko'
X

# ---- COLO ----

expect "status: COLO primary, COLO lines and the latency table" 0 status --region 10 <<'X'
Region 10: source, colo
  Migration id:         00112233445566778899aabbccddeeff
  Peer:                 10.0.0.2:4444
  Channels:             2
  Auth:                 hmac-sha256
  Live:                 yes (downtime limit 300 ms, no bandwidth limit, no pass limit)
  COLO:                 yes (checkpoint interval 1000 ms)
  Total time:           75300 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          566.9 MiB in 9000 packets
  Pages:                288000 sent (262144 populated at the start)
  Zero pages:           144000 (562.5 MiB)
  Normal pages:         144000 (562.5 MiB)
  Passes:               3
  Pass:                 3
  Dirty rate:           5000 pages/s
  Expected downtime:    12 ms
  Remaining:            4.8 MiB
  Dirty syncs:          3
  Switchover ready:     yes
  Downtime:             45 ms
  Committed checkpoint: 12
  Checkpoints:          12
  Last checkpoint:      1234 pages, 4.8 MiB
  Auth failures:        0
  Latency (ms)  Count    Last    Mean     P50     P99     Max
  transfer         12  20.100  19.873  19.500  24.000  25.312
  flush            12   2.300   2.150   2.125   2.750   2.800
  pause            12  31.200  30.500  30.000  36.000  38.250
X

expect "status --json: COLO primary keys, colo_latency by metric" 0 -j status --region 10 <<'X'
{"region_id":10,"role":"source","state":"colo","addr":"10.0.0.2","port":4444,"channels":2,"migration_id":"00112233445566778899aabbccddeeff","pages_total":262144,"pages_done":288000,"zero_pages":144000,"zero_bytes":589824000,"normal_pages":144000,"normal_bytes":589824000,"packets":9000,"bytes":594432000,"setup_ns":5000000,"time_ns":75300000000,"throughput":650000000,"passes":3,"live":true,"downtime_limit_ms":300,"max_bandwidth":0,"max_passes":0,"no_convergence":"continue","pass":3,"dirty_rate":5000,"expected_downtime_ns":12000000,"remaining_bytes":5054464,"downtime_ns":45200000,"dirty_syncs":3,"switchover_ready":1,"colo":true,"checkpoint_interval_ms":1000,"checkpoint":12,"checkpoints":12,"ckpt_pages":1234,"ckpt_bytes":5074000,"auth":1,"auth_failures":0,"integrity":false,"postcopy":false,"colo_latency":{"transfer":{"count":12,"last_ns":20100000,"mean_ns":19873000,"p50_ns":19500000,"p99_ns":24000000,"max_ns":25312000},"flush":{"count":12,"last_ns":2300000,"mean_ns":2150000,"p50_ns":2125000,"p99_ns":2750000,"max_ns":2800000},"pause":{"count":12,"last_ns":31200000,"mean_ns":30500000,"p50_ns":30000000,"p99_ns":36000000,"max_ns":38250000}}}
X

expect "status: COLO secondary, cache, metrics sorted, unknown metric" 0 status --region 11 <<'X'
Region 11: destination, colo
  Migration id:         00112233445566778899aabbccddeeff
  Listening on:         [::]:4444
  Channels:             2
  Auth:                 none (insecure)
  COLO:                 yes
  Total time:           75310 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          566.9 MiB in 9000 packets
  Pages:                288000
  Zero pages:           144000 (562.5 MiB)
  Normal pages:         144000 (562.5 MiB)
  Passes:               4
  Committed checkpoint: 12
  Checkpoints:          12
  Last checkpoint:      1234 pages, 4.8 MiB
  COLO cache:           300 pages (1.2 MiB)
  Rejected connections: 0
  Malformed packets:    0
  Auth failures:        0
  Latency (ms)  Count    Last    Mean     P50     P99     Max
  transfer         12  20.100  19.873  19.500  24.000  25.312
  flush            12   2.300   2.150   2.125   2.750   2.800
  unknown(7)       12   1.000       -       -       -       -
X

expect "status --json: COLO secondary, unknown metric keyed by its number" 0 status --region 11 --json <<'X'
{"region_id":11,"role":"destination","state":"colo","addr":"::","port":4444,"channels":2,"migration_id":"00112233445566778899aabbccddeeff","pages_done":288000,"zero_pages":144000,"zero_bytes":589824000,"normal_pages":144000,"normal_bytes":589824000,"packets":9000,"bytes":594432000,"setup_ns":5000000,"time_ns":75310000000,"throughput":650000000,"rejected_connections":0,"malformed_packets":0,"passes":4,"live":false,"colo":true,"checkpoint":12,"checkpoints":12,"ckpt_pages":1234,"ckpt_bytes":5074000,"colo_cache_pages":300,"auth":0,"auth_failures":0,"integrity":false,"postcopy":false,"colo_latency":{"transfer":{"count":12,"last_ns":20100000,"mean_ns":19873000,"p50_ns":19500000,"p99_ns":24000000,"max_ns":25312000},"flush":{"count":12,"last_ns":2300000,"mean_ns":2150000,"p50_ns":2125000,"p99_ns":2750000,"max_ns":2800000},"7":{"count":12,"last_ns":1000000}}}
X

MIGCTL_FAKE=sparse expect "status: COLO attributes absent, '-' in the latency table" 0 status --region 11 <<'X'
Region 11: destination, colo
  Migration id:         00112233445566778899aabbccddeeff
  Listening on:         [::]:4444
  Channels:             2
  Auth:                 none (insecure)
  COLO:                 yes
  Total time:           75310 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          566.9 MiB in 9000 packets
  Pages:                288000
  Zero pages:           144000 (562.5 MiB)
  Normal pages:         144000 (562.5 MiB)
  Passes:               4
  Committed checkpoint: 12
  Checkpoints:          12
  Last checkpoint:      1234 pages
  Rejected connections: 0
  Malformed packets:    0
  Auth failures:        0
  Latency (ms)  Count    Last    Mean     P50     P99     Max
  transfer         12  20.100  19.873  19.500  24.000  25.312
  flush            12   2.300   2.150   2.125       -       -
  unknown(7)       12   1.000       -       -       -       -
X

MIGCTL_FAKE=sparse expect "status --json: COLO attributes absent are left out" 0 -j status --region 11 <<'X'
{"region_id":11,"role":"destination","state":"colo","addr":"::","port":4444,"channels":2,"migration_id":"00112233445566778899aabbccddeeff","pages_done":288000,"zero_pages":144000,"zero_bytes":589824000,"normal_pages":144000,"normal_bytes":589824000,"packets":9000,"bytes":594432000,"setup_ns":5000000,"time_ns":75310000000,"throughput":650000000,"rejected_connections":0,"malformed_packets":0,"passes":4,"live":false,"colo":true,"checkpoint":12,"checkpoints":12,"ckpt_pages":1234,"auth":0,"auth_failures":0,"integrity":false,"postcopy":false,"colo_latency":{"transfer":{"count":12,"last_ns":20100000,"mean_ns":19873000,"p50_ns":19500000,"p99_ns":24000000,"max_ns":25312000},"flush":{"count":12,"last_ns":2300000,"mean_ns":2150000,"p50_ns":2125000},"7":{"count":12,"last_ns":1000000}}}
X

expect "status: failed-over secondary, without --watch exit 0" 0 status --region 12 <<'X'
Region 12: destination, failover
  Listening on:         10.0.0.1:4444
  Channels:             2
  COLO:                 yes
  Passes:               4
  Committed checkpoint: 11
  Checkpoints:          11
  Last checkpoint:      1234 pages, 4.8 MiB
  COLO cache:           0 pages (0 B)
  Reason:               peer closed channel 1
  Latency (ms)  Count    Last    Mean     P50     P99     Max
  transfer         11  20.100  19.873  19.500  24.000  25.312
  flush            11   2.300   2.150   2.125   2.750   2.800
X

expect_both "status --watch: failover is an end, exit 1, failover line" 1 \
	"migctl: COLO failover: peer closed channel 1 (last committed checkpoint 11)" \
	-j status --region 12 --watch <<'X'
{"region_id":12,"role":"destination","state":"failover","addr":"10.0.0.1","port":4444,"channels":2,"reason":"peer closed channel 1","passes":4,"live":false,"colo":true,"checkpoint":11,"checkpoints":11,"ckpt_pages":1234,"ckpt_bytes":5074000,"colo_cache_pages":0,"integrity":false,"postcopy":false,"colo_latency":{"transfer":{"count":11,"last_ns":20100000,"mean_ns":19873000,"p50_ns":19500000,"p99_ns":24000000,"max_ns":25312000},"flush":{"count":11,"last_ns":2300000,"mean_ns":2150000,"p50_ns":2125000,"p99_ns":2750000,"max_ns":2800000}}}
X

expect "start --live --colo --checkpoint-interval: sent, COLO line" 0 start --region 1 $K --to 10.0.0.2:4444 --live --colo --checkpoint-interval 250 <<'X'
Region 1: source, setup
  Peer:                 10.0.0.2:4444
  Channels:             2 (zero pages detected by the dispatcher)
  Auth:                 hmac-sha256
  Live:                 yes (downtime limit 300 ms, no bandwidth limit, no pass limit)
  COLO:                 yes (checkpoint interval 250 ms)
  Total time:           6.000 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          0 B in 0 packets
  Pages:                0 sent (262144 populated at the start)
  Zero pages:           0 (0 B)
  Normal pages:         0 (0 B)
  Pass:                 0
  Dirty rate:           0 pages/s
  Expected downtime:    unknown
  Remaining:            0 B
  Dirty syncs:          0
  Switchover ready:     no
  Auth failures:        0
X

expect "start --live --colo --json: the module's default interval" 0 -j start --region 1 $K --to 10.0.0.2:4444 --live --colo <<'X'
{"region_id":1,"role":"source","state":"setup","addr":"10.0.0.2","port":4444,"channels":2,"zero_page_detection":"main","pages_total":262144,"pages_done":0,"zero_pages":0,"zero_bytes":0,"normal_pages":0,"normal_bytes":0,"packets":0,"bytes":0,"setup_ns":5000000,"time_ns":6000000,"throughput":650000000,"live":true,"downtime_limit_ms":300,"max_bandwidth":0,"max_passes":0,"no_convergence":"continue","pass":0,"dirty_rate":0,"expected_downtime_ns":18446744073709551615,"remaining_bytes":0,"dirty_syncs":0,"switchover_ready":0,"colo":true,"checkpoint_interval_ms":1000,"auth":1,"auth_failures":0,"integrity":false,"postcopy":false}
X

expect "listen --colo: the colo flag is sent" 0 listen --region 3 $K --colo <<'X'
Region 3: destination, listening
  Migration id:         (none yet)
  Listening on:         0.0.0.0:40123
  Channels:             2
  Auth:                 hmac-sha256
  COLO:                 yes
  Auth failures:        0
X

expect_both "start --live --colo --wait: colo is no end, failover is: exit 1" 1 \
	"migctl: switchover ready: pause the guest and run 'migctl switchover --region 5'
migctl: COLO failover: peer closed channel 0 (last committed checkpoint 1)" \
	start --region 5 $K --to 10.0.0.9:4444 --live --colo --wait --interval 1 <<'X'
Region 5: source, failover
  Peer:                 10.0.0.9:4444
  Channels:             2 (zero pages detected by the dispatcher)
  Auth:                 hmac-sha256
  Live:                 yes (downtime limit 300 ms, no bandwidth limit, no pass limit)
  COLO:                 yes (checkpoint interval 1000 ms)
  Total time:           2006 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          516.0 MiB in 8192 packets
  Pages:                262144 sent (262144 populated at the start)
  Zero pages:           131072 (512.0 MiB)
  Normal pages:         131072 (512.0 MiB)
  Pass:                 5
  Dirty rate:           5000 pages/s
  Expected downtime:    12 ms
  Remaining:            4.8 MiB
  Dirty syncs:          5
  Switchover ready:     yes
  Downtime:             45 ms
  Committed checkpoint: 1
  Checkpoints:          1
  Last checkpoint:      1234 pages, 4.8 MiB
  Auth failures:        0
  Reason:               peer closed channel 0
  Latency (ms)  Count    Last    Mean     P50     P99     Max
  transfer          1  20.100  19.873  19.500  24.000  25.312
  flush             1   2.300   2.150   2.125   2.750   2.800
  pause             1  31.200  30.500  30.000  36.000  38.250
X

expect_both "listen --colo --wait --json: secondary failover, exit 1" 1 \
	"migctl: COLO failover: peer closed channel 0 (last committed checkpoint 1)" \
	listen --region 5 $K --colo --wait --interval 1 -j <<'X'
{"region_id":5,"role":"destination","state":"failover","addr":"0.0.0.0","port":40123,"channels":2,"migration_id":"00000000000000000000000000000000","pages_done":262144,"zero_pages":131072,"zero_bytes":536870912,"normal_pages":131072,"normal_bytes":536870912,"packets":8192,"bytes":541065216,"setup_ns":5000000,"time_ns":2006000000,"throughput":650000000,"reason":"peer closed channel 0","live":false,"colo":true,"checkpoint":1,"checkpoints":1,"ckpt_pages":1234,"ckpt_bytes":5074000,"colo_cache_pages":300,"auth":1,"auth_failures":0,"integrity":false,"postcopy":false,"colo_latency":{"transfer":{"count":1,"last_ns":20100000,"mean_ns":19873000,"p50_ns":19500000,"p99_ns":24000000,"max_ns":25312000},"flush":{"count":1,"last_ns":2300000,"mean_ns":2150000,"p50_ns":2125000,"p99_ns":2750000,"max_ns":2800000}}}
X

"$FAKE" status --region 10 >"$tmp/colo-status" 2>/dev/null
expect "checkpoint: prints the status like 'status'" 0 checkpoint --region 10 <"$tmp/colo-status"
"$FAKE" -j status --region 10 >"$tmp/colo-status" 2>/dev/null
expect "checkpoint --json: the status object" 0 -j checkpoint --region 10 <"$tmp/colo-status"
expect "checkpoint: not the COLO primary" 1 checkpoint --region 11 <<'X'
migctl: checkpoint: Invalid argument (kernel: checkpoints are taken by the primary (source))
X
expect "checkpoint: not a COLO migration" 1 checkpoint --region 1 <<'X'
migctl: checkpoint: Invalid argument (kernel: not a COLO migration)
X
expect "checkpoint: COLO not started yet" 1 checkpoint --region 4 <<'X'
migctl: checkpoint: Device or resource busy (kernel: COLO has not started yet (the switchover comes first))
X
expect "checkpoint: after a failover" 1 checkpoint --region 12 <<'X'
migctl: checkpoint: region 12 (kernel: no migration running on this region)
X
expect "checkpoint: no migration" 1 checkpoint --region 7 <<'X'
migctl: checkpoint: region 7 (kernel: no migration on this region)
X
expect "checkpoint: no such region" 1 checkpoint --region 9 <<'X'
migctl: checkpoint: region 9 (kernel: no region with this id)
X

expect "colo-paused: prints nothing on success" 0 colo-paused --region 10 --checkpoint 13 </dev/null
expect "colo-paused --json: region and checkpoint" 0 -j colo-paused --region 11 --checkpoint=13 <<'X'
{"region":11,"checkpoint":13}
X
expect "colo-paused: not the checkpoint paused for" 1 colo-paused --region 10 --checkpoint 12 <<'X'
migctl: colo-paused: Invalid argument (kernel: no pause asked for this checkpoint (or already acknowledged))
X
expect "colo-paused: not a COLO migration" 1 colo-paused --region 3 --checkpoint 13 <<'X'
migctl: colo-paused: Invalid argument (kernel: not a COLO migration)
X
expect "colo-paused: after a failover" 1 colo-paused --region 12 --checkpoint 12 <<'X'
migctl: colo-paused: region 12 (kernel: no migration running on this region)
X
expect "colo-paused: no migration" 1 colo-paused --region 7 --checkpoint 0 <<'X'
migctl: colo-paused: region 7 (kernel: no migration on this region)
X
expect "colo-paused: no such region" 1 colo-paused --region 9 --checkpoint 0 <<'X'
migctl: colo-paused: region 9 (kernel: no region with this id)
X
for args in "checkpoint --region 10" "colo-paused --region 10 --checkpoint 13"; do
	# shellcheck disable=SC2086
	MIGCTL_FAKE=eperm expect "${args%% *}: EPERM mentions CAP_NET_ADMIN" 1 $args <<X
migctl: ${args%% *}: Operation not permitted (CAP_NET_ADMIN required)
X
done

expect "monitor --region: COLO primary events" 0 monitor --region 10 <<'X'
region 10 source colo
region 10 source checkpoint-pause 13
region 10 source checkpoint-done 13: 1234 pages, 4.8 MiB, pause 31.2 ms (transfer 20.1 ms, flush 2.3 ms)
region 10 source failover: channel 0: connection reset by peer (-104) (last committed checkpoint 13)
X

expect "monitor --region: COLO secondary events, a pause below 1 ms" 0 monitor --region 11 <<'X'
region 11 destination checkpoint-done 13: 1234 pages, 4.8 MiB, transfer 20.1 ms, flush 0.450 ms
region 11 destination failover: peer closed channel 1 (holds checkpoint 13)
X

expect "monitor: COLO events without their figures" 0 monitor --region 12 <<'X'
region 12 destination checkpoint-pause
region 12 destination checkpoint-done
region 12 destination failover
X

expect "monitor --json: COLO event names and keys" 0 monitor -j --region 10 <<'X'
{"region_id":10,"role":"source","state":"colo","live":true,"event":"state","colo":true,"checkpoint_interval_ms":1000,"checkpoint":0,"checkpoints":0,"integrity":false,"postcopy":false,"colo_latency":{"transfer":{"count":0},"flush":{"count":0},"pause":{"count":0}}}
{"region_id":10,"role":"source","state":"colo","live":true,"event":"checkpoint-pause","colo":true,"checkpoint":13,"integrity":false,"postcopy":false}
{"region_id":10,"role":"source","state":"colo","live":true,"event":"checkpoint-done","colo":true,"checkpoint":13,"checkpoints":13,"ckpt_pages":1234,"ckpt_bytes":5074000,"integrity":false,"postcopy":false,"colo_latency":{"transfer":{"count":13,"last_ns":20100000,"mean_ns":19873000,"p50_ns":19500000,"p99_ns":24000000,"max_ns":25312000},"flush":{"count":13,"last_ns":2300000,"mean_ns":2150000,"p50_ns":2125000,"p99_ns":2750000,"max_ns":2800000},"pause":{"count":13,"last_ns":31200000,"mean_ns":30500000,"p50_ns":30000000,"p99_ns":36000000,"max_ns":38250000}}}
{"region_id":10,"role":"source","state":"failover","reason":"channel 0: connection reset by peer (-104)","live":true,"event":"failover","colo":true,"checkpoint":13,"integrity":false,"postcopy":false}
X

# ---- postcopy ----

expect "status: postcopy source, the Postcopy line and its counters" 0 status --region 13 <<'X'
Region 13: source, completed
  Migration id:         00112233445566778899aabbccddeeff
  Peer:                 10.0.0.2:4444
  Channels:             2
  Auth:                 hmac-sha256
  Live:                 yes (downtime limit 300 ms, max bandwidth 8.0 MiB/s, no pass limit)
  Postcopy:             chosen (after 1 pass, prefetch 16 pages, pause timeout 600 s)
  Total time:           2500 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          557.1 MiB in 8843 packets
  Pages:                283000 sent (262144 populated at the start)
  Zero pages:           141500 (552.7 MiB)
  Normal pages:         141500 (552.7 MiB)
  Passes:               2
  Pass:                 2
  Dirty rate:           5000 pages/s
  Expected downtime:    12 ms
  Remaining:            4.8 MiB
  Dirty syncs:          2
  Switchover ready:     yes
  Downtime:             12 ms
  Postcopy requests:    40 (52 pages)
  Postcopy served:      884 pages
  Postcopy pushed:      20000 pages
  Postcopy pauses:      0
  Auth failures:        0
  Reason:               completed
X

expect "status --json: postcopy source keys" 0 -j status --region 13 <<'X'
{"region_id":13,"role":"source","state":"completed","addr":"10.0.0.2","port":4444,"channels":2,"migration_id":"00112233445566778899aabbccddeeff","pages_total":262144,"pages_done":283000,"zero_pages":141500,"zero_bytes":579584000,"normal_pages":141500,"normal_bytes":579584000,"packets":8843,"bytes":584112000,"setup_ns":5000000,"time_ns":2500000000,"throughput":650000000,"reason":"completed","passes":2,"live":true,"downtime_limit_ms":300,"max_bandwidth":8388608,"max_passes":0,"no_convergence":"continue","pass":2,"dirty_rate":5000,"expected_downtime_ns":12000000,"remaining_bytes":5054464,"downtime_ns":12300000,"dirty_syncs":2,"switchover_ready":1,"colo":false,"auth":1,"auth_failures":0,"integrity":false,"postcopy":true,"postcopy_after":1,"postcopy_prefetch":16,"postcopy_requests":40,"postcopy_requested_pages":52,"postcopy_served_pages":884,"postcopy_pushed_pages":20000,"postcopy_pause_timeout_ms":600000,"postcopy_pauses":0}
X

expect "status: postcopy destination, missing pages, faults, discarded copies, fault latency" 0 status --region 14 <<'X'
Region 14: destination, completed
  Migration id:         00112233445566778899aabbccddeeff
  Listening on:         0.0.0.0:4444
  Channels:             2
  Auth:                 hmac-sha256
  Postcopy:             begun (pause timeout 600 s)
  Total time:           2510 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          557.1 MiB in 8843 packets
  Pages:                283000
  Zero pages:           141500 (552.7 MiB)
  Normal pages:         141500 (552.7 MiB)
  Passes:               1
  Postcopy requests:    40 (52 pages)
  Postcopy served:      860 pages
  Postcopy pushed:      19998 pages
  Postcopy pauses:      0
  Pages missing:        0
  Postcopy faults:      55
  Discarded copies:     24
  Fault latency:        count 55, mean 1.250 ms, p50 1.000 ms, p99 4.000 ms, max 5.100 ms
  Rejected connections: 0
  Malformed packets:    0
  Auth failures:        0
  Reason:               completed
X

expect "status --json: postcopy destination, postcopy_latency object without metric" 0 -j status --region 14 <<'X'
{"region_id":14,"role":"destination","state":"completed","addr":"0.0.0.0","port":4444,"channels":2,"migration_id":"00112233445566778899aabbccddeeff","pages_done":283000,"zero_pages":141500,"zero_bytes":579584000,"normal_pages":141500,"normal_bytes":579584000,"packets":8843,"bytes":584112000,"setup_ns":5000000,"time_ns":2510000000,"throughput":650000000,"reason":"completed","rejected_connections":0,"malformed_packets":0,"passes":1,"live":false,"colo":false,"auth":1,"auth_failures":0,"integrity":false,"postcopy":true,"postcopy_requests":40,"postcopy_requested_pages":52,"postcopy_served_pages":860,"postcopy_pushed_pages":19998,"postcopy_missing_pages":0,"postcopy_faults":55,"postcopy_discarded_pages":24,"postcopy_pause_timeout_ms":600000,"postcopy_pauses":0,"postcopy_latency":{"count":55,"last_ns":900000,"mean_ns":1250000,"p50_ns":1000000,"p99_ns":4000000,"max_ns":5100000}}
X

MIGCTL_FAKE=sparse expect "status: no postcopy fault yet, no latency line" 0 status --region 14 <<'X'
Region 14: destination, completed
  Migration id:         00112233445566778899aabbccddeeff
  Listening on:         0.0.0.0:4444
  Channels:             2
  Auth:                 hmac-sha256
  Postcopy:             begun (pause timeout 600 s)
  Total time:           2510 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          557.1 MiB in 8843 packets
  Pages:                283000
  Zero pages:           141500 (552.7 MiB)
  Normal pages:         141500 (552.7 MiB)
  Passes:               1
  Postcopy requests:    40 (52 pages)
  Postcopy served:      860 pages
  Postcopy pushed:      19998 pages
  Postcopy pauses:      0
  Pages missing:        0
  Postcopy faults:      0
  Discarded copies:     0
  Rejected connections: 0
  Malformed packets:    0
  Auth failures:        0
  Reason:               completed
X

MIGCTL_FAKE=sparse expect "status --json: no postcopy fault yet, the latency of zeros kept" 0 status -j --region 14 <<'X'
{"region_id":14,"role":"destination","state":"completed","addr":"0.0.0.0","port":4444,"channels":2,"migration_id":"00112233445566778899aabbccddeeff","pages_done":283000,"zero_pages":141500,"zero_bytes":579584000,"normal_pages":141500,"normal_bytes":579584000,"packets":8843,"bytes":584112000,"setup_ns":5000000,"time_ns":2510000000,"throughput":650000000,"reason":"completed","rejected_connections":0,"malformed_packets":0,"passes":1,"live":false,"colo":false,"auth":1,"auth_failures":0,"integrity":false,"postcopy":true,"postcopy_requests":40,"postcopy_requested_pages":52,"postcopy_served_pages":860,"postcopy_pushed_pages":19998,"postcopy_missing_pages":0,"postcopy_faults":0,"postcopy_discarded_pages":0,"postcopy_pause_timeout_ms":600000,"postcopy_pauses":0,"postcopy_latency":{"count":0,"last_ns":0,"mean_ns":0,"p50_ns":0,"p99_ns":0,"max_ns":0}}
X

expect "status: postcopy destination failed, the missing pages lost" 0 status --region 15 <<'X'
Region 15: destination, failed
  Migration id:         00112233445566778899aabbccddeeff
  Listening on:         0.0.0.0:4444
  Channels:             2
  Auth:                 hmac-sha256
  Postcopy:             begun (pause timeout 600 s)
  Total time:           2510 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          236.2 MiB in 3750 packets
  Pages:                120000
  Zero pages:           60000 (234.4 MiB)
  Normal pages:         60000 (234.4 MiB)
  Passes:               1
  Postcopy requests:    40 (52 pages)
  Postcopy served:      860 pages
  Postcopy pushed:      19998 pages
  Postcopy pauses:      0
  Pages missing:        1234 (lost)
  Postcopy faults:      57
  Discarded copies:     3
  Fault latency:        count 55, mean 1.250 ms, p50 1.000 ms, p99 4.000 ms, max 5.100 ms
  Rejected connections: 0
  Malformed packets:    0
  Auth failures:        0
  Reason:               peer closed channel 0
X

expect "start --live --postcopy --postcopy-after 0 --prefetch 8: sent, Postcopy line" 0 start --region 1 $K --to 10.0.0.2:4444 --live --postcopy --postcopy-after 0 --prefetch 8 <<'X'
Region 1: source, setup
  Peer:                 10.0.0.2:4444
  Channels:             2 (zero pages detected by the dispatcher)
  Auth:                 hmac-sha256
  Live:                 yes (downtime limit 300 ms, no bandwidth limit, no pass limit)
  Postcopy:             allowed (no pass before it, prefetch 8 pages, pause timeout 600 s)
  Total time:           6.000 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          0 B in 0 packets
  Pages:                0 sent (262144 populated at the start)
  Zero pages:           0 (0 B)
  Normal pages:         0 (0 B)
  Pass:                 0
  Dirty rate:           0 pages/s
  Expected downtime:    unknown
  Remaining:            0 B
  Dirty syncs:          0
  Switchover ready:     no
  Auth failures:        0
X

expect "start --live --postcopy --json: the module's defaults (never by a pass count, prefetch 16)" 0 -j start --region 1 $K --to 10.0.0.2:4444 --live --postcopy <<'X'
{"region_id":1,"role":"source","state":"setup","addr":"10.0.0.2","port":4444,"channels":2,"zero_page_detection":"main","pages_total":262144,"pages_done":0,"zero_pages":0,"zero_bytes":0,"normal_pages":0,"normal_bytes":0,"packets":0,"bytes":0,"setup_ns":5000000,"time_ns":6000000,"throughput":650000000,"live":true,"downtime_limit_ms":300,"max_bandwidth":0,"max_passes":0,"no_convergence":"continue","pass":0,"dirty_rate":0,"expected_downtime_ns":18446744073709551615,"remaining_bytes":0,"dirty_syncs":0,"switchover_ready":0,"colo":false,"auth":1,"auth_failures":0,"integrity":false,"postcopy":false,"postcopy_after":4294967295,"postcopy_prefetch":16,"postcopy_requests":0,"postcopy_requested_pages":0,"postcopy_served_pages":0,"postcopy_pushed_pages":0,"postcopy_pause_timeout_ms":600000,"postcopy_pauses":0}
X

expect "start --postcopy-after 2 --no-convergence postcopy --max-passes 4: sent" 0 start --region 1 $K --to 10.0.0.2:4444 --live --postcopy --postcopy-after 2 --max-passes 4 --no-convergence postcopy <<'X'
Region 1: source, setup
  Peer:                 10.0.0.2:4444
  Channels:             2 (zero pages detected by the dispatcher)
  Auth:                 hmac-sha256
  Live:                 yes (downtime limit 300 ms, no bandwidth limit, max passes 4, no-convergence postcopy)
  Postcopy:             allowed (after 2 passes, prefetch 16 pages, pause timeout 600 s)
  Total time:           6.000 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          0 B in 0 packets
  Pages:                0 sent (262144 populated at the start)
  Zero pages:           0 (0 B)
  Normal pages:         0 (0 B)
  Pass:                 0
  Dirty rate:           0 pages/s
  Expected downtime:    unknown
  Remaining:            0 B
  Dirty syncs:          0
  Switchover ready:     no
  Auth failures:        0
X

expect "postcopy: the status of the migration asked to switch" 0 postcopy --region 5 <<'X'
Region 5: source, active
  Peer:                 10.0.0.2:4444
  Channels:             2 (zero pages detected by the dispatcher)
  Auth:                 hmac-sha256
  Live:                 yes (downtime limit 300 ms, no bandwidth limit, no pass limit)
  Postcopy:             allowed (on request, prefetch 16 pages, pause timeout 600 s)
  Total time:           406 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          129.0 MiB in 2048 packets
  Pages:                65536 sent (262144 populated at the start)
  Zero pages:           32768 (128.0 MiB)
  Normal pages:         32768 (128.0 MiB)
  Pass:                 1
  Dirty rate:           5000 pages/s
  Expected downtime:    95 ms
  Remaining:            38.1 MiB
  Dirty syncs:          1
  Switchover ready:     no
  Auth failures:        0
X

"$FAKE" start --region 1 $K --to 10.0.0.2:4444 --live --postcopy --max-passes 4 \
	--no-convergence postcopy >"$tmp/out" 2>"$tmp/err"
rc=$?
echo "  Postcopy:             allowed (at the pass limit or on request, prefetch 16 pages, pause timeout 600 s)" >"$tmp/want"
[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && grep '^  Postcopy:' "$tmp/out" | cmp -s "$tmp/want" -
result "start --postcopy --no-convergence postcopy without --postcopy-after: Postcopy line" $?

expect "postcopy: a destination" 1 postcopy --region 3 <<'X'
migctl: postcopy: Invalid argument (kernel: only a live migration's source switches to postcopy)
X
expect "postcopy: a live migration started without postcopy" 1 postcopy --region 4 <<'X'
migctl: postcopy: Invalid argument (kernel: the migration was started without postcopy (mig-start postcopy))
X
expect "postcopy: an ended migration" 1 postcopy --region 13 <<'X'
migctl: postcopy: region 13 (kernel: no running migration on this region)
X
expect "postcopy: no such region" 1 postcopy --region 9 <<'X'
migctl: postcopy: region 9 (kernel: no region with this id)
X
MIGCTL_FAKE=eperm expect "postcopy: EPERM mentions CAP_NET_ADMIN" 1 postcopy --region 5 <<'X'
migctl: postcopy: Operation not permitted (CAP_NET_ADMIN required)
X

expect "monitor --json: postcopy destination events, postcopy_latency" 0 monitor -j --region 14 <<'X'
{"region_id":14,"role":"destination","state":"postcopy-active","live":false,"event":"postcopy-active","colo":false,"integrity":false,"postcopy":true,"postcopy_requests":0,"postcopy_requested_pages":0,"postcopy_served_pages":0,"postcopy_pushed_pages":0,"postcopy_missing_pages":1234,"postcopy_faults":0,"postcopy_discarded_pages":0,"postcopy_pause_timeout_ms":600000,"postcopy_pauses":0,"postcopy_latency":{"count":0,"last_ns":0,"mean_ns":0,"p50_ns":0,"p99_ns":0,"max_ns":0}}
{"region_id":14,"role":"destination","state":"completed","live":false,"event":"completed","colo":false,"integrity":false,"postcopy":true,"postcopy_requests":40,"postcopy_requested_pages":52,"postcopy_served_pages":860,"postcopy_pushed_pages":19998,"postcopy_missing_pages":0,"postcopy_faults":55,"postcopy_discarded_pages":24,"postcopy_pause_timeout_ms":600000,"postcopy_pauses":0,"postcopy_latency":{"count":55,"last_ns":900000,"mean_ns":1250000,"p50_ns":1000000,"p99_ns":4000000,"max_ns":5100000}}
X

# What tests/system/postcopy-cases.sh reads from the completed event with
# jq: '.postcopy_latency | .count, .p50_ns, .p99_ns'.
if [ $have_python = 1 ]; then
	"$FAKE" monitor -j --region 14 >"$tmp/mon" 2>"$tmp/err"
	rc=$?
	printf '55 1000000 4000000\n' >"$tmp/want"
	python3 -c 'import json,sys
e=[json.loads(l) for l in sys.stdin][-1]["postcopy_latency"]
print(e["count"], e["p50_ns"], e["p99_ns"])' <"$tmp/mon" >"$tmp/out" 2>/dev/null
	[ $rc -eq 0 ] && cmp -s "$tmp/want" "$tmp/out"
	result "monitor --json: postcopy_latency count, p50_ns, p99_ns of the completed event" $?
else
	tap_result "monitor --json: postcopy_latency of the completed event # SKIP no python3" 0
fi

expect "monitor: postcopy lost pages only once postcopy began" 0 monitor --region 15 <<'X'
region 15 destination failed: peer closed channel 0 (1234 pages lost)
region 15 destination failed: peer closed channel 1
X

# ---- postcopy recovery ----

expect "status: postcopy source paused, pauses and pause timeout, the reason" 0 status --region 16 <<'X'
Region 16: source, postcopy-paused
  Migration id:         00112233445566778899aabbccddeeff
  Peer:                 10.0.0.2:4444
  Channels:             2
  Auth:                 hmac-sha256
  Live:                 yes (downtime limit 300 ms, max bandwidth 8.0 MiB/s, no pass limit)
  Postcopy:             chosen (after 1 pass, prefetch 16 pages, pause timeout 90 s)
  Total time:           1800 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          275.6 MiB in 4375 packets
  Pages:                140000 sent (262144 populated at the start)
  Zero pages:           70000 (273.4 MiB)
  Normal pages:         70000 (273.4 MiB)
  Passes:               2
  Pass:                 2
  Dirty rate:           5000 pages/s
  Expected downtime:    12 ms
  Remaining:            4.8 MiB
  Dirty syncs:          2
  Switchover ready:     yes
  Downtime:             12 ms
  Postcopy requests:    12 (20 pages)
  Postcopy served:      340 pages
  Postcopy pushed:      9000 pages
  Postcopy pauses:      2
  Auth failures:        0
  Reason:               postcopy: channel 0 failed: peer closed or reset (-104)
X

expect "status: postcopy destination paused, its missing pages not lost" 0 status --region 17 <<'X'
Region 17: destination, postcopy-paused
  Migration id:         00112233445566778899aabbccddeeff
  Listening on:         0.0.0.0:4444
  Channels:             2
  Auth:                 hmac-sha256
  Postcopy:             begun (pause timeout 1500 ms)
  Total time:           1810 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          273.6 MiB in 4343 packets
  Pages:                139000
  Zero pages:           69500 (271.5 MiB)
  Normal pages:         69500 (271.5 MiB)
  Passes:               1
  Postcopy requests:    12 (20 pages)
  Postcopy served:      330 pages
  Postcopy pushed:      8990 pages
  Postcopy pauses:      1
  Pages missing:        2345
  Postcopy faults:      30
  Discarded copies:     2
  Fault latency:        count 55, mean 1.250 ms, p50 1.000 ms, p99 4.000 ms, max 5.100 ms
  Rejected connections: 0
  Malformed packets:    0
  Auth failures:        0
  Reason:               peer closed channel 1 before COMPLETE (packet 5210)
X

expect "status --json: postcopy destination paused, the pause keys" 0 -j status --region 17 <<'X'
{"region_id":17,"role":"destination","state":"postcopy-paused","addr":"0.0.0.0","port":4444,"channels":2,"migration_id":"00112233445566778899aabbccddeeff","pages_done":139000,"zero_pages":69500,"zero_bytes":284672000,"normal_pages":69500,"normal_bytes":284672000,"packets":4343,"bytes":286896000,"setup_ns":5000000,"time_ns":1810000000,"throughput":650000000,"reason":"peer closed channel 1 before COMPLETE (packet 5210)","rejected_connections":0,"malformed_packets":0,"passes":1,"live":false,"colo":false,"auth":1,"auth_failures":0,"integrity":false,"postcopy":true,"postcopy_requests":12,"postcopy_requested_pages":20,"postcopy_served_pages":330,"postcopy_pushed_pages":8990,"postcopy_missing_pages":2345,"postcopy_faults":30,"postcopy_discarded_pages":2,"postcopy_pause_timeout_ms":1500,"postcopy_pauses":1,"postcopy_latency":{"count":55,"last_ns":900000,"mean_ns":1250000,"p50_ns":1000000,"p99_ns":4000000,"max_ns":5100000}}
X

expect "monitor: postcopy-paused with the reason, no pages lost" 0 monitor --region 17 <<'X'
region 17 destination postcopy-paused: peer closed channel 1 before COMPLETE (packet 5210)
X

# postcopy-resume: what was sent (the capture), and the reply's status.
capture() {
	local desc=$1 want=$2
	shift 2
	: >"$tmp/capture"
	"$FAKE" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	echo "$want" >"$tmp/want"
	cp "$tmp/capture" "$tmp/out"
	[ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && cmp -s "$tmp/want" "$tmp/out"
	result "$desc" $?
}
capture "postcopy-resume: nothing but the region sent" "resume" \
	postcopy-resume --region 16
capture "postcopy-resume --to: the address and port sent" "resume addr 10.0.0.9 port 4446" \
	postcopy-resume --region 16 --to 10.0.0.9:4446
capture "postcopy-resume --to [IPv6]:PORT: the address without brackets" "resume addr 2001:db8::9 port 4446" \
	postcopy-resume --region 16 --to '[2001:db8::9]:4446'
capture "postcopy-resume --port: the port alone" "resume port 4446" \
	postcopy-resume --region 16 --port 4446
capture "postcopy-resume --port 0: a new port, sent as 0" "resume port 0" \
	postcopy-resume --region 17 --port 0

expect "postcopy-resume: the destination's status, the port asked for" 0 postcopy-resume --region 17 --port 0 <<'X'
Region 17: destination, postcopy-paused
  Migration id:         00112233445566778899aabbccddeeff
  Listening on:         0.0.0.0:0
  Channels:             2
  Auth:                 hmac-sha256
  Postcopy:             begun (pause timeout 1500 ms)
  Total time:           1810 ms (setup 5.000 ms)
  Throughput:           5200.00 mbps
  Transferred:          273.6 MiB in 4343 packets
  Pages:                139000
  Zero pages:           69500 (271.5 MiB)
  Normal pages:         69500 (271.5 MiB)
  Passes:               1
  Postcopy requests:    12 (20 pages)
  Postcopy served:      330 pages
  Postcopy pushed:      8990 pages
  Postcopy pauses:      1
  Pages missing:        2345
  Postcopy faults:      30
  Discarded copies:     2
  Fault latency:        count 55, mean 1.250 ms, p50 1.000 ms, p99 4.000 ms, max 5.100 ms
  Rejected connections: 0
  Malformed packets:    0
  Auth failures:        0
  Reason:               peer closed channel 1 before COMPLETE (packet 5210)
X
expect "postcopy-resume --to on a destination" 1 postcopy-resume --region 17 --to 10.0.0.9:4446 <<'X'
migctl: postcopy-resume: Invalid argument (kernel: a destination listens again on its own address (give a port only))
X
expect "postcopy-resume: a migration not paused" 1 postcopy-resume --region 5 <<'X'
migctl: postcopy-resume: Invalid argument (kernel: the migration is not in state postcopy-paused)
X
expect "postcopy-resume: an ended migration" 1 postcopy-resume --region 13 <<'X'
migctl: postcopy-resume: region 13 (kernel: no running migration on this region)
X
expect "postcopy-resume: no such region" 1 postcopy-resume --region 9 <<'X'
migctl: postcopy-resume: region 9 (kernel: no region with this id)
X
MIGCTL_FAKE=eperm expect "postcopy-resume: EPERM mentions CAP_NET_ADMIN" 1 postcopy-resume --region 16 <<'X'
migctl: postcopy-resume: Operation not permitted (CAP_NET_ADMIN required)
X

# Progress line: on a terminal, redrawn in place ("\r", clear to end of
# line) once per poll, wiped before the final status.
ESC=$(printf '\033')
CR=$(printf '\r')
if on_tty "$tmp/tty" status --region 5 --watch --interval 1; then
	: >"$tmp/want"
	cp "$tmp/tty" "$tmp/out"
	[ $rc -eq 0 ] &&
	grep -qF "${CR}${ESC}[Kactive  25.0%  65536/262144 pages  5.2 Gbit/s  0.4 s${CR}${ESC}[Kactive  50.0%  131072/262144 pages  5.2 Gbit/s  0.8 s${CR}${ESC}[KRegion 5: source, completed" "$tmp/tty"
	result "status --watch on a terminal: one progress line, redrawn, then the status" $?
	on_tty "$tmp/tty" status --region 6 --watch --interval 1 -j
	cp "$tmp/tty" "$tmp/out"
	[ $rc -eq 1 ] &&
	grep -qF "${CR}${ESC}[Kactive  10.0%  26214/262144 pages  5.2 Gbit/s  0.4 s${CR}${ESC}[K{\"region_id\":6," "$tmp/tty" &&
	grep -q '^migctl: migration failed: destination closed the connection' "$tmp/tty"
	result "status --watch --json on a terminal: progress, JSON, error line, exit 1" $?
	on_tty "$tmp/tty" listen --region 6 $K --addr 10.0.0.1 --wait --interval 1
	cp "$tmp/tty" "$tmp/out"
	[ $rc -eq 1 ] && grep -qF "Listening on:         10.0.0.1:40123" "$tmp/tty" &&
	grep -qF "${CR}${ESC}[Kactive  26214 pages  5.2 Gbit/s  0.4 s${CR}${ESC}[KRegion 6: destination, failed" "$tmp/tty"
	result "listen --wait on a terminal: port first, progress without a total" $?
	on_tty "$tmp/tty" start --region 5 $K --to 10.0.0.9:4444 --live --wait --interval 1
	cp "$tmp/tty" "$tmp/out"
	[ $rc -eq 0 ] &&
	grep -qF "${CR}${ESC}[Kactive  pass 1  65536 pages sent  remaining 38.1 MiB  expected downtime 95 ms" "$tmp/tty" &&
	grep -qF "${CR}${ESC}[Kmigctl: switchover ready: pause the guest and run 'migctl switchover --region 5'" "$tmp/tty" &&
	[ "$(grep -c 'switchover ready' "$tmp/tty")" = 1 ] &&
	grep -qF "${CR}${ESC}[Kactive  pass 2  131072 pages sent" "$tmp/tty"
	result "start --live --wait on a terminal: pass and expected downtime, the hint once" $?
	on_tty "$tmp/tty" start --region 5 $K --to 10.0.0.9:4444 --live --colo --wait --interval 1
	cp "$tmp/tty" "$tmp/out"
	[ $rc -eq 1 ] &&
	grep -qF "${CR}${ESC}[Kcolo  checkpoint 0  1.2 s${CR}${ESC}[Kcolo  checkpoint 1  last pause 31.2 ms  1.6 s${CR}${ESC}[KRegion 5: source, failover" "$tmp/tty" &&
	[ "$(grep -c 'switchover ready' "$tmp/tty")" = 1 ] &&
	grep -q '^migctl: COLO failover: peer closed channel 0 (last committed checkpoint 1)' "$tmp/tty"
	result "start --live --colo --wait on a terminal: checkpoint and last pause while colo" $?
else
	for d in "status --watch on a terminal" "status --watch --json on a terminal" \
		 "listen --wait on a terminal" "start --live --wait on a terminal" \
		 "start --live --colo --wait on a terminal"; do
		tap_result "$d # SKIP no script(1) or no pseudo-terminal" 0
	done
fi

# COLO goes on until a failover or a cancel: --watch keeps polling.
if command -v timeout >/dev/null 2>&1; then
	timeout 1 "$FAKE" status --region 10 --watch --interval 1 >"$tmp/out" 2>"$tmp/err"
	rc=$?
	: >"$tmp/want"
	[ $rc -eq 124 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ]
	result "status --watch: state colo is not an end (still polling after 1 s)" $?
else
	tap_result "status --watch: state colo is not an end # SKIP no timeout(1)" 0
fi

for args in "regions -j" "regions 1 -j" "regions 3 -j" "params -j" "params -j -p" \
	    "stats -j" "scan 1 -j" "scan 3 -j -p" "status -j" "status -j -p" \
	    "status --region 1 -j" "status --region 3 -j -p" \
	    "listen --region 3 $K -j" "start --region 1 $K --to [::1]:4444 -j" \
	    "cancel --region 5 -j" "status --region 5 --watch --interval 1 -j" \
	    "status --region 4 -j -p" "start --region 1 $K --to 10.0.0.2:4444 --live -j" \
	    "switchover --region 5 -j" "switchover --region 5 --wait --interval 1 -j" \
	    "monitor -j --count 1" "monitor -j --region 8 --count 1" \
	    "status --region 10 -j" "status --region 11 -j -p" \
	    "status --region 12 -j" "checkpoint --region 10 -j" \
	    "colo-paused --region 10 --checkpoint 13 -j" \
	    "start --region 1 $K --to 10.0.0.2:4444 --live --colo -j" \
	    "monitor -j --region 10 --count 1" "monitor -j --region 11 --count 1" \
	    "status --region 13 -j" "status --region 14 -j -p" "status --region 15 -j" \
	    "start --region 1 $K --to 10.0.0.2:4444 --live --postcopy -j" \
	    "postcopy --region 5 -j" "monitor -j --region 13" "monitor -j --region 15 --count 1" \
	    "status --region 16 -j" "status --region 17 -j -p" "monitor -j --region 16" \
	    "postcopy-resume --region 16 --to 10.0.0.9:4446 -j"; do
	# shellcheck disable=SC2086
	valid_json "valid JSON: migctl $args" $args
done

if [ $have_python = 1 ]; then
	"$FAKE" monitor -j >"$tmp/out" 2>"$tmp/err"
	rc=$?
	: >"$tmp/want"
	[ $rc -eq 0 ] && [ "$(wc -l <"$tmp/out")" = 28 ] &&
	python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' <"$tmp/out" 2>/dev/null
	result "valid JSON lines: migctl monitor -j, one object per event" $?
fi

tap_end
