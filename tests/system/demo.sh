#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kmig demo, run inside the (non-debug) UML kernel by 'make demo': load
# kmig, create a 1 GiB guest-memory region the way a VMM does (open
# /dev/kmig, mmap MAP_SHARED, touch pages), and show what kmig sees.
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

step() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "Load kmig ($(uname -r), $(uname -m))"
run insmod "$KO" || exit 1
dmesg | grep 'kmig: loaded' | tail -1

step "Parameters"
run "$MIGCTL" params

step "A VMM maps 1 GiB of guest RAM from /dev/kmig and writes 65536 pages"
echo "(half of them data, half zeros; the other 196608 pages are never touched)"
"$BIN/kmig-systest" hold 1024 32768 32768 > "$T/hold" 2>&1 &
HOLD=$!
i=0
while ! grep -q '^id ' "$T/hold" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
ID=$(sed -n 's/^id //p' "$T/hold")
[ -n "$ID" ] || { cat "$T/hold"; exit 1; }

step "Regions"
run "$MIGCTL" regions
echo
run "$MIGCTL" regions "$ID"

step "Where the zero pages are: a zero scan of the region with each implementation"
for impl in $(cat /sys/kernel/kmig/zero_check_available); do
	[ "$impl" = auto ] && continue
	run "$MIGCTL" scan "$ID" --zero-check "$impl"
done

step "Counters in sysfs (/sys/kernel/kmig/regions/$ID/)"
for f in /sys/kernel/kmig/regions/"$ID"/*; do
	printf '  %-16s %s\n' "$(basename "$f")" "$(cat "$f")"
done

step "Module counters"
run "$MIGCTL" stats

step "The VMM exits: the region and its pages are freed"
kill "$HOLD"; wait "$HOLD"
run "$MIGCTL" regions
run "$MIGCTL" stats
run rmmod kmig
rm -rf "$T"
echo
echo "demo done"
