#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kmig demo, run inside the (non-debug) UML kernel by 'make demo':
#  1. a running QEMU VM moved to a second QEMU: the guest (tests/guest:
#     Debian's 6.1 kernel and a program that keeps rewriting and verifying
#     its memory, with a numbered heartbeat) boots with its RAM on
#     /dev/kmig; 'migctl vm listen' and 'migctl vm migrate', one command
#     per side, move it live (kmig the RAM, QEMU the device state); its
#     heartbeat goes on at the destination;
#  2. a 1 GiB guest-memory region (half of it zero pages) migrated over
#     in-kernel TCP channels into an empty one, compared byte for byte.
#
#   demo.sh --ko kmig.ko --migctl PATH --bin DIR
#
# The guest comes from the environment (KMIG_GUEST_KERNEL,
# KMIG_GUEST_INITRD, KMIG_GUEST_APPEND: scripts/guest-image.sh).

KO= MIGCTL= BIN=
. "$(dirname "$0")/lib.sh"
args "$@"
[ -n "$BIN" ] || BIN=$(dirname "$0")
# Stop what runs in the background when the demo ends, whatever happens.
trap 'kill $(jobs -p) 2>/dev/null' EXIT
T=/tmp/kmig-demo.$$
mkdir -p "$T"
CHANNELS=${KMIG_DEMO_CHANNELS:-4}
PAGES=262144		# 1 GiB of 4 KiB pages
RANDOM_PAGES=131072	# half random data ...
ZERO_PAGES=131072	# ... half written with zeros

step() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
die() { echo "demo: $*"; exit 1; }

# hash PID FILE: ask a region process for its content hash.
hash_of() {
	rm -f "$2"
	kill -USR1 "$1"
	wait_until 300 grep -q '^hash ' "$2" 2>/dev/null || return 1
	cat "$2"
}

QEMU=$(command -v qemu-system-x86_64)
CHECK=$BIN/../guest/beat-check.sh
QMP="python3 $BIN/qmp.py"
[ -n "$QEMU" ] || die "qemu-system-x86_64 is not installed (make deps installs it)"
[ -f "$KMIG_GUEST_KERNEL" ] && [ -f "$KMIG_GUEST_INITRD" ] ||
	die "no guest image (scripts/guest-image.sh builds it)"

step "Load kmig ($(uname -r), $(uname -m))"
run insmod "$KO" || exit 1
dmesg | grep 'kmig: loaded' | tail -1

step "The migration key: 32 random bytes both ends prove on every channel (HMAC-SHA256)"
KEY=$T/mig.key
echo "\$ (umask 077; migctl keygen > $KEY)"
(umask 077 && "$MIGCTL" keygen > "$KEY") || die "migctl keygen failed"

# qemu NAME [ARGS...]: the guest's QEMU, RAM on kmig, serial in $T/NAME.serial
qemu() {
	n=$1; shift
	"$QEMU" -accel tcg -machine pc -smp 1 -m 256M -nodefaults -display none -no-reboot \
		-object memory-backend-file,id=ram0,size=256M,mem-path=/dev/kmig,share=on \
		-machine memory-backend=ram0 -serial "file:$T/$n.serial" \
		-qmp "unix:$T/$n.qmp,server=on,wait=off" -kernel "$KMIG_GUEST_KERNEL" \
		-initrd "$KMIG_GUEST_INITRD" -append "$KMIG_GUEST_APPEND beat.rate=1000" \
		"$@" > "$T/$n.out" 2>&1 &
}
beat() {
	if _v=$(sh "$CHECK" last "$T/$1.serial" 2>/dev/null); then echo "$_v"; else echo 0; fi
}
# beats NAME N: QEMU NAME's guest has beaten N times.
beats() { [ "$(beat "$1")" -ge "$2" ]; }
booted_or_gone() { beats src 3 || ! kill -0 "$SQ" 2>/dev/null; }

step "Part 1: a running QEMU VM moves to another QEMU"
echo "Source host: QEMU (TCG) with its 256 MiB of guest RAM on kmig:"
echo "  qemu-system-x86_64 -accel tcg -m 256M \\"
echo "    -object memory-backend-file,id=ram0,size=256M,mem-path=/dev/kmig,share=on \\"
echo "    -machine memory-backend=ram0 -qmp unix:src.qmp,server=on,wait=off ..."
echo "The guest fills most of its memory with a pattern, rewrites 1000 pages/s,"
echo "verifies every page continuously and prints a heartbeat every 0.5 s."
qemu src
SQ=$!
t0=$(now_cs)
wait_until 180 booted_or_gone
kill -0 $SQ 2>/dev/null || { cat "$T/src.out"; die "QEMU exited"; }
beats src 3 || die "the guest did not boot within 180 s"
echo "booted in $((($(now_cs) - t0) / 100)) s; its console:"
grep -E '^kmig-(guest: ready|beat)' "$T/src.serial" | tail -3 | sed 's/^/  /'
run "$MIGCTL" regions

step "Destination host: the same QEMU with -incoming defer, then migctl vm listen"
qemu dst -incoming defer
DQ=$!
wait_until 10 test -S "$T/dst.qmp"
echo "\$ migctl vm listen --qmp dst.qmp --addr 127.0.0.1 --channels $CHANNELS --key-file mig.key &"
"$MIGCTL" vm listen --qmp "$T/dst.qmp" --addr 127.0.0.1 --channels "$CHANNELS" \
	--key-file "$KEY" > "$T/listen" 2>&1 &
LP=$!
wait_until 60 grep -q 'migctl vm migrate' "$T/listen" 2>/dev/null || { cat "$T/listen"; die "vm listen failed"; }
cat "$T/listen"
TO=$(sed -n 's/.*--to \([^ ]*\) .*/\1/p' "$T/listen")
DEV=$(sed -n 's/.*--device-port \([0-9]*\).*/\1/p' "$T/listen")

step "Source host: migctl vm migrate (kmig moves the RAM live, QEMU the device state)"
echo "\$ migctl vm migrate --qmp src.qmp --to $TO --device-port $DEV --channels $CHANNELS --key-file mig.key"
"$MIGCTL" vm migrate --qmp "$T/src.qmp" --to "$TO" --device-port "$DEV" \
	--channels "$CHANNELS" --key-file "$KEY" 2>&1 || die "the migration failed"
wait $LP || { cat "$T/listen"; die "vm listen failed"; }
echo "Destination host, migctl vm listen:"
tail -1 "$T/listen" | sed 's/^/  /'

step "The guest's heartbeat: the last beats on the source, the first on the destination"
last=$(beat src)
wait_until 30 beats dst $((last + 6))
echo "source (paused since the switchover):"
grep '^kmig-beat' "$T/src.serial" | tail -3 | sed 's/^/  /'
echo "destination:"
grep '^kmig-beat' "$T/dst.serial" | head -4 | sed 's/^/  /'
sh "$CHECK" continued "$T/src.serial" "$T/dst.serial" || die "the heartbeat did not continue"
echo "QEMU's own view: source $($QMP "$T/src.qmp" --status), destination $($QMP "$T/dst.qmp" --status)"
$QMP "$T/src.qmp" query-migrate | jq -r '"  info migrate (source): status \(.status), total time \(."total-time") ms, downtime \(.downtime) ms, setup \(."setup-time") ms"'
$QMP "$T/src.qmp" quit > /dev/null
wait $SQ
echo "The source QEMU has quit; the guest runs on:"
sleep 2
grep '^kmig-beat' "$T/dst.serial" | tail -2 | sed 's/^/  /'
$QMP "$T/dst.qmp" quit > /dev/null
wait $DQ

printf '\n== Part 2: region to region, 1 GiB over %s in-kernel TCP channels\n' "$CHANNELS"
step "Source VMM: 1 GiB of guest RAM from /dev/kmig, every page written"
echo "($RANDOM_PAGES pages of random data, $ZERO_PAGES pages of zeros, at random places)"
"$BIN/kmig-systest" region --size 1024 --random $RANDOM_PAGES --zero $ZERO_PAGES \
	--seed 42 --out "$T/src.hash" > "$T/src" 2>&1 &
SRC=$!
step "Destination VMM: an empty 1 GiB region"
"$BIN/kmig-systest" region --size 1024 --out "$T/dst.hash" > "$T/dst" 2>&1 &
DST=$!
wait_until 300 grep -q '^id ' "$T/src" 2>/dev/null || { cat "$T/src"; die "source region did not come up"; }
wait_until 300 grep -q '^id ' "$T/dst" 2>/dev/null || { cat "$T/dst"; die "destination region did not come up"; }
S=$(sed -n 's/^id //p' "$T/src")
D=$(sed -n 's/^id //p' "$T/dst")
run "$MIGCTL" regions


step "Destination: listen for $CHANNELS channels on 127.0.0.1"
run "$MIGCTL" --json listen --region "$D" --addr 127.0.0.1 --channels "$CHANNELS" \
	--key-file "$KEY" > "$T/listen" ||
	{ cat "$T/listen"; die "listen failed"; }
cat "$T/listen"
# Line 1 is run's "$ migctl ..." echo, line 2 the JSON reply.
PORT=$(jl "$T/listen" 2 '.port | values')
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

run rmmod kmig
rm -rf "$T"
echo
echo "demo done"
