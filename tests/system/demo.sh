#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kmig demo, run inside the (non-debug) UML kernel by 'make demo': load
# kmig, create a 1 GiB guest-memory region the way a VMM does (open
# /dev/kmig, mmap MAP_SHARED, write), and migrate it over in-kernel TCP to
# a second, empty region, then compare the two byte for byte; then a
# live migration of a running guest (tools/example-vmm's kmig-vmm), then a
# short COLO session between two kmig-vmm with its checkpoint latencies.
#
#   demo.sh --ko kmig.ko --migctl PATH --bin DIR

KO= MIGCTL= BIN=
while [ $# -gt 0 ]; do
	case "$1" in
	--ko) KO=$2; shift 2 ;;
	--migctl) MIGCTL=$2; shift 2 ;;
	--bin) BIN=$2; shift 2 ;;
	*) shift ;;
	esac
done
[ -n "$BIN" ] || BIN=$(dirname "$0")
T=/tmp/kmig-demo.$$
mkdir -p "$T"
CHANNELS=${KMIG_DEMO_CHANNELS:-4}
PAGES=262144		# 1 GiB of 4 KiB pages
RANDOM_PAGES=131072	# half random data ...
ZERO_PAGES=131072	# ... half written with zeros

step() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
die() { echo "demo: $*"; exit 1; }

# wait_for FILE PATTERN: up to 60 s.
wait_for() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		[ $i -lt 600 ] || return 1
		sleep 0.1; i=$((i + 1))
	done
}

# hash PID FILE: ask a region process for its content hash.
hash_of() {
	rm -f "$2"
	kill -USR1 "$1"
	wait_for "$2" '^hash ' || return 1
	cat "$2"
}

step "Load kmig ($(uname -r), $(uname -m))"
run insmod "$KO" || exit 1
dmesg | grep 'kmig: loaded' | tail -1

step "Parameters"
run "$MIGCTL" params

step "Source VMM: 1 GiB of guest RAM from /dev/kmig, every page written"
echo "($RANDOM_PAGES pages of random data, $ZERO_PAGES pages of zeros, at random places)"
"$BIN/kmig-systest" region --size 1024 --random $RANDOM_PAGES --zero $ZERO_PAGES \
	--seed 42 --out "$T/src.hash" > "$T/src" 2>&1 &
SRC=$!
step "Destination VMM: an empty 1 GiB region"
"$BIN/kmig-systest" region --size 1024 --out "$T/dst.hash" > "$T/dst" 2>&1 &
DST=$!
wait_for "$T/src" '^id ' || { cat "$T/src"; die "source region did not come up"; }
wait_for "$T/dst" '^id ' || { cat "$T/dst"; die "destination region did not come up"; }
S=$(sed -n 's/^id //p' "$T/src")
D=$(sed -n 's/^id //p' "$T/dst")
run "$MIGCTL" regions

step "The migration key: 32 random bytes both ends prove on every channel (HMAC-SHA256)"
KEY=$T/mig.key
echo "\$ (umask 077; migctl keygen > $KEY)"
(umask 077 && "$MIGCTL" keygen > "$KEY") || die "migctl keygen failed"
run ls -l "$KEY"

step "Destination: listen for $CHANNELS channels on 127.0.0.1"
run "$MIGCTL" --json listen --region "$D" --addr 127.0.0.1 --channels "$CHANNELS" \
	--key-file "$KEY" > "$T/listen" ||
	{ cat "$T/listen"; die "listen failed"; }
cat "$T/listen"
PORT=$(tr -d ' \n' < "$T/listen" | sed -n 's/.*"port":\([0-9]*\).*/\1/p')
[ -n "$PORT" ] || die "no port in the listen reply"

step "Source: migrate region $S to 127.0.0.1:$PORT over $CHANNELS channels (zero pages detected on the channel threads)"
run "$MIGCTL" start --region "$S" --to "127.0.0.1:$PORT" --channels "$CHANNELS" \
	--zero-page-detection channel --key-file "$KEY" --wait || die "migration failed"

step "Destination side"
run "$MIGCTL" status --region "$D" --watch || die "destination did not complete"

step "Byte for byte: hash of every page's contents on both sides"
hs=$(hash_of "$SRC" "$T/src.hash") || die "no source hash"
hd=$(hash_of "$DST" "$T/dst.hash") || die "no destination hash"
echo "source:      $hs"
echo "destination: $hd"
h1=$(echo "$hs" | cut -d' ' -f2)
h2=$(echo "$hd" | cut -d' ' -f2)
if [ "$h1" = "$h2" ]; then
	echo "identical: the $ZERO_PAGES zero pages were sent as offsets only and stay unallocated on the destination"
else
	die "hashes differ"
fi

step "Regions after the migration"
run "$MIGCTL" regions

step "Module counters"
run "$MIGCTL" stats

step "The VMMs exit: regions and pages are freed"
kill "$SRC" "$DST"; wait

# Live migration: kmig-vmm (tools/example-vmm) with its writers running.
VMM=$BIN/../../tools/example-vmm/kmig-vmm
step "Live migration: a running guest (kmig-vmm, the example VMM)"
echo "256 MiB of guest RAM, 2 writer threads (standing in for vCPUs) dirtying 2000 pages/s"
echo "while it is sent; on switchover-ready the VMM pauses them and sends mig-switchover"
"$VMM" dest --size 256 --port 0 --addr 127.0.0.1 --channels "$CHANNELS" \
	--key-file "$KEY" --hash-file "$T/ldst.hash" > "$T/ldst" 2>&1 &
LD=$!
wait_for "$T/ldst" '^port ' || { cat "$T/ldst"; die "kmig-vmm dest did not listen"; }
LPORT=$(sed -n 's/^port //p' "$T/ldst")
"$VMM" source --size 256 --to "127.0.0.1:$LPORT" --fill-random 32768 --fill-zero 16384 \
	--seed 7 --channels "$CHANNELS" --writers 2 --rate 2000 --pattern hot:10 \
	--key-file "$KEY" --hash-file "$T/lsrc.hash" --resume > "$T/lsrc" 2>&1 &
LS=$!
wait_for "$T/lsrc" '^id ' || { cat "$T/lsrc"; die "kmig-vmm source did not start"; }
LSID=$(sed -n 's/^id //p' "$T/lsrc")
# The VMM resumes its writers for a second after the end: read the status then.
wait_for "$T/lsrc" '^summary ' || { cat "$T/lsrc"; die "live migration did not end"; }
"$MIGCTL" status --region "$LSID" > "$T/lstatus" 2>&1
wait "$LS"; LRC=$?
wait "$LD"
echo "source VMM (region $LSID):"
grep -E '^(# source|event|status|switchover|summary|resumed)' "$T/lsrc" | sed 's/^/  /'
echo "destination VMM:"
grep -E '^(event (completed|failed|cancelled)|summary|hash)' "$T/ldst" | sed 's/^/  /'
[ $LRC -eq 0 ] || die "live migration failed"
step "migctl status --region $LSID (source, just after the switchover)"
cat "$T/lstatus"
step "Live migration byte for byte: source at the pause vs destination"
hs=$(cat "$T/lsrc.hash") hd=$(cat "$T/ldst.hash")
echo "source:      $hs"
echo "destination: $hd"
[ -n "$hs" ] && [ "$(echo "$hs" | cut -d' ' -f2)" = "$(echo "$hd" | cut -d' ' -f2)" ] ||
	die "hashes differ"
echo "identical; downtime (switchover to completion): $(sed -n 's/^summary .*downtime-ms=\([0-9.]*\).*/\1/p' "$T/lsrc") ms"
# COLO: kmig-vmm as primary and secondary, checkpoints every 200 ms.
step "COLO: primary and secondary in lock-step (kmig-vmm --colo)"
echo "64 MiB of guest RAM; the primary's 2 writers dirty 2000 pages/s, the secondary's own"
echo "writer 200 pages/s (undone at each checkpoint); 20 checkpoints 200 ms apart, then cancel"
"$VMM" dest --size 64 --port 0 --addr 127.0.0.1 --channels "$CHANNELS" --colo \
	--writers 1 --rate 200 --key-file "$KEY" > "$T/cdst" 2>&1 &
CD=$!
wait_for "$T/cdst" '^port ' || { cat "$T/cdst"; die "kmig-vmm dest --colo did not listen"; }
CPORT=$(sed -n 's/^port //p' "$T/cdst")
"$VMM" source --size 64 --to "127.0.0.1:$CPORT" --fill-random 8192 --fill-zero 4096 \
	--seed 9 --channels "$CHANNELS" --writers 2 --rate 2000 --pattern hot:10 \
	--colo --checkpoint-interval 200 --checkpoints 20 --key-file "$KEY" > "$T/csrc" 2>&1 &
CS=$!
wait_for "$T/csrc" '^id ' || { cat "$T/csrc"; die "kmig-vmm source --colo did not start"; }
CSID=$(sed -n 's/^id //p' "$T/csrc")
wait_for "$T/csrc" '^checkpoint 10 pages' && "$MIGCTL" status --region "$CSID" > "$T/cstatus" 2>&1
wait "$CS"; CRC=$?
wait "$CD"
echo "primary VMM (region $CSID), per checkpoint:"
grep -E '^checkpoint [0-9]+ pages' "$T/csrc" | sed -n '1,3p;$p' | sed 's/^/  /'
grep -E '^(summary|colo-summary)' "$T/csrc" | sed 's/^/  /'
echo "secondary VMM:"
grep -E '^(summary|failover|cancelled)' "$T/cdst" | sed 's/^/  /'
[ $CRC -eq 0 ] || die "COLO session failed"
step "migctl status --region $CSID (primary, after checkpoint 10)"
cat "$T/cstatus"
run rmmod kmig
rm -rf "$T"
echo
echo "demo done"
