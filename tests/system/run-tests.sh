#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kmig system tests, run inside a test kernel (UML or Debian 6.1 under
# QEMU) as root, with proc, sysfs, devtmpfs, tmpfs on /tmp and debugfs
# mounted and lo up. POSIX sh (dash, busybox ash).
#
#   run-tests.sh --env uml|deb61 --ko kmig.ko --migctl PATH --bin DIR
#
# The QEMU guest of vm-cases.sh (UML) comes from the environment:
# KMIG_GUEST_KERNEL, KMIG_GUEST_INITRD, KMIG_GUEST_APPEND.
#
# Prints TAP lines ('ok N - name', 'not ok N - name', '# SKIP') and ends
# with '# systest done'. KMIG_SYSTEST_ONLY=FUNCTION: see below.

ENV=unknown KO= MIGCTL= BIN=
while [ $# -gt 0 ]; do
	case "$1" in
	--env) ENV=$2; shift 2 ;;
	--ko) KO=$2; shift 2 ;;
	--migctl) MIGCTL=$2; shift 2 ;;
	--bin) BIN=$2; shift 2 ;;
	*) echo "# run-tests.sh: unknown argument $1"; shift ;;
	esac
done
[ -n "$BIN" ] || BIN=$(dirname "$0")
# The QEMU test guest (tests/system/vm-cases.sh), from the environment.
VM_KERNEL=${KMIG_GUEST_KERNEL:-} VM_INITRD=${KMIG_GUEST_INITRD:-}
VM_APPEND=${KMIG_GUEST_APPEND:-console=ttyS0 panic=-1 quiet}
VM_CHECK=$BIN/../guest/beat-check.sh
SYSTEST=$BIN/kmig-systest
T=/tmp/kmig-systest.$$
mkdir -p "$T"
# The migration key of this run (migctl keygen, mode 600). The cases pass
# $KEYOPT to both ends so every channel authenticates; those whose peer is
# a userspace wire-peer or wire-sink (no HMAC) run --insecure.
KEYFILE=$T/mig.key
(umask 077 && "$MIGCTL" keygen > "$KEYFILE") || echo "# migctl keygen failed"
KEYOPT="--key-file $KEYFILE"
N=0 PASS=0 FAIL=0 SKIPPED=0

ok() { N=$((N + 1)); PASS=$((PASS + 1)); echo "ok $N - $ENV: $1"; }
skip() { N=$((N + 1)); SKIPPED=$((SKIPPED + 1)); echo "ok $N - $ENV: $1 # SKIP $2"; }
notok() {
	N=$((N + 1)); FAIL=$((FAIL + 1)); echo "not ok $N - $ENV: $1"
	[ -s "$T/out" ] && sed 's/^/#   /' "$T/out" | head -40
}

# t NAME CMD...: the command passes with exit 0, is skipped with 77.
t() {
	name=$1; shift
	"$@" > "$T/out" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		ok "$name"
		grep '^# ' "$T/out" | head -20
	elif [ $rc -eq 77 ]; then
		skip "$name" "$(grep '^# ' "$T/out" | head -1 | cut -c3-)"
	else
		echo "exit status $rc" >> "$T/out"
		notok "$name"
	fi
}

# tf NAME CMD...: the command must fail (non-zero exit).
tf() {
	name=$1; shift
	if "$@" > "$T/out" 2>&1; then
		echo "succeeded, expected failure" >> "$T/out"
		notok "$name"
	else
		ok "$name"
	fi
}

. "$BIN/lib.sh"

sysfs() { cat "/sys/kernel/kmig/$1" 2>/dev/null; }
loaded() { [ -d /sys/module/kmig ]; }
# JSON without blanks, for grep.
jsq() { "$MIGCTL" --json "$@" 2> "$T/err" | tr -d ' \n\t'; }

load() {
	loaded && rmmod kmig 2>/dev/null
	insmod "$KO" "$@"
}

unload() {
	loaded || return 0
	rmmod kmig
}

# section NAME: start timing section NAME; prints how long the previous
# one took as '# time: NAME N s' (the suite's phase times).
SECTION= SECTION_T0=
section() {
	_now=$(now_cs)
	[ -z "$SECTION" ] || echo "# time: $SECTION $(((_now - SECTION_T0) / 100)) s"
	SECTION=$1 SECTION_T0=$_now
}

# KMIG_SYSTEST_PART=1|2 (in the environment; UML: on the kernel command
# line): only that part of the suite. make test runs the two parts in two
# UML kernels at once (scripts/systest-uml.sh --part N); the load checks
# and the final ones (load-time parameters, kmemleak, the kernel log) are
# in both. Part 1: regions and migctl, multi-channel migration, COLO,
# authentication, limits, netlink fuzzing, faults. Part 2: live
# migration, QEMU guests. (Measured warm, one UML: part 1 about 900 s,
# part 2 about 500 s, the Debian 6.1 suite before it about 430 s.)
part() { [ -z "$KMIG_SYSTEST_PART" ] || [ "$KMIG_SYSTEST_PART" = "$1" ]; }

echo "# kmig system tests on $ENV: $(uname -r), $(nproc 2>/dev/null || echo ?) cpu(s)"
mark start

# Load
t "insmod kmig.ko" load
t "/dev/kmig is a character device" test -c /dev/kmig
t "/sys/kernel/kmig exists with parameters" sh -c \
	'[ "$(cat /sys/kernel/kmig/channels)" = 2 ] && [ "$(cat /sys/kernel/kmig/zero_page_detection)" = channel ]'
t "load message in the kernel log" sh -c 'dmesg | grep -q "kmig: loaded"'
ACTIVE=$(sysfs zero_check_active)
AVAIL=$(sysfs zero_check_available)
echo "# zero check: active $ACTIVE, available: $AVAIL"
t "zero check active is one of the available" sh -c "echo ' $AVAIL ' | grep -q ' $ACTIVE '"
[ "$ACTIVE" != auto ] && [ -n "$ACTIVE" ] && ok "zero check active is a real implementation" \
	|| { echo "active=$ACTIVE" > "$T/out"; notok "zero check active is a real implementation"; }

# KMIG_SYSTEST_ONLY=FUNCTION (in the environment; UML: on the kernel command
# line, which hands it to init): after the load checks, run only that
# function of migration-cases.sh / live-cases.sh / colo-cases.sh /
# auth-cases.sh / limits-cases.sh / nlfuzz-cases.sh / fault-cases.sh, for
# a faster iteration; arguments follow after colons (colo_vmm:4).
if [ -n "$KMIG_SYSTEST_ONLY" ]; then
	QEMU=$(command -v qemu-system-x86_64)
	. "$BIN/migration-cases.sh"
	. "$BIN/live-cases.sh"
	. "$BIN/colo-cases.sh"
	. "$BIN/auth-cases.sh"
	. "$BIN/limits-cases.sh"
	. "$BIN/nlfuzz-cases.sh"
	. "$BIN/fault-cases.sh"
	. "$BIN/vm-cases.sh"
	. "$BIN/listener-cases.sh"
	# FUNCTION:ARG:ARG... (no blanks: it may come from a kernel command line)
	# shellcheck disable=SC2046
	$(echo "$KMIG_SYSTEST_ONLY" | tr ':' ' ')
	t "rmmod" unload
	echo "# $ENV (only $KMIG_SYSTEST_ONLY): $PASS passed, $FAIL failed, $SKIPPED skipped"
	rm -rf "$T"
	echo "# systest done"
	exit 0
fi

QEMU=$(command -v qemu-system-x86_64)
[ -z "$KMIG_SYSTEST_PART" ] || echo "# part $KMIG_SYSTEST_PART of the suite"

if part 1; then
# Regions, raw netlink, sysfs
section regions
for c in region-rw refuse close-frees prealloc threads fork netlink nonroot scan; do
	t "systest $c" "$SYSTEST" "$c"
done

# migctl against a held region
"$SYSTEST" hold 256 1000 500 > "$T/hold" 2>&1 &
HOLD=$!
wait_until 10 grep -q '^id ' "$T/hold"
ID=$(sed -n 's/^id //p' "$T/hold")
if [ -z "$ID" ]; then
	cp "$T/hold" "$T/out"; notok "hold a region for migctl"
else
	ok "hold a region for migctl (id $ID)"
	t "migctl regions" "$MIGCTL" regions
	"$MIGCTL" regions > "$T/out" 2>&1; sed 's/^/# /' "$T/out" | head -5
	j=$(jsq regions)
	echo "$j" > "$T/out"
	echo "$j" | grep -q "\"id\":$ID," && echo "$j" | grep -q '"populated_pages":1500' &&
		echo "$j" | grep -q '"size":268435456' && ok "migctl --json regions shows the region" ||
		notok "migctl --json regions shows the region"
	j=$(jsq regions "$ID")
	echo "$j" > "$T/out"
	echo "$j" | grep -q '"populated_pages":1500' && echo "$j" | grep -q "\"owner_pid\":$HOLD" &&
		ok "migctl --json regions ID" || notok "migctl --json regions ID"
	[ "$(sysfs regions/$ID/populated_pages)" = 1500 ] && ok "sysfs populated_pages = 1500" ||
		{ sysfs regions/$ID/populated_pages > "$T/out"; notok "sysfs populated_pages = 1500"; }
	t "migctl params" "$MIGCTL" params
	t "migctl stats" "$MIGCTL" stats
	j=$(jsq stats); echo "$j" > "$T/out"
	echo "$j" | grep -q '"regions":1' && ok "migctl --json stats counts the region" ||
		notok "migctl --json stats counts the region"
	t "migctl set channels 4" "$MIGCTL" set channels 4
	[ "$(sysfs channels)" = 4 ] && ok "sysfs channels follows migctl" ||
		{ sysfs channels > "$T/out"; notok "sysfs channels follows migctl"; }
	t "migctl set zero-page-detection main" "$MIGCTL" set zero-page-detection main
	t "migctl set channels 2 zero-page-detection channel" "$MIGCTL" set channels 2 zero-page-detection channel
	[ "$(sysfs channels)/$(sysfs zero_page_detection)" = 2/channel ] && ok "parameters restored" ||
		notok "parameters restored"
	tf "migctl set channels 65 fails" "$MIGCTL" set channels 65
	"$MIGCTL" set channels 65 > /dev/null 2> "$T/out"
	[ "$(wc -l < "$T/out")" = 1 ] && ok "migctl error is one line" || notok "migctl error is one line"
	tf "migctl set zero-page-detection sometimes fails" "$MIGCTL" set zero-page-detection sometimes
	tf "migctl regions 999999 fails" "$MIGCTL" regions 999999
	"$MIGCTL" regions 999999 > /dev/null 2> "$T/out"
	grep -qi "no region" "$T/out" && ok "migctl says no such region" || notok "migctl says no such region"
	"$SYSTEST" as-nobody "$MIGCTL" set channels 4 > /dev/null 2> "$T/out"
	rc=$?
	[ $rc -ne 0 ] && grep -q "CAP_NET_ADMIN" "$T/out" && [ "$(sysfs channels)" = 2 ] &&
		ok "migctl set as nobody: EPERM, names CAP_NET_ADMIN" ||
		{ echo "rc=$rc" >> "$T/out"; notok "migctl set as nobody: EPERM, names CAP_NET_ADMIN"; }
	t "migctl regions as nobody works" "$SYSTEST" as-nobody "$MIGCTL" regions

	# Scans with every available implementation through migctl.
	for impl in $AVAIL; do
		j=$(jsq scan "$ID" --zero-check "$impl"); echo "$j" > "$T/out"
		echo "$j" | grep -q '"normal_pages":1000' && echo "$j" | grep -q '"populated_pages":1500' &&
			ok "migctl scan --zero-check $impl" || notok "migctl scan --zero-check $impl"
	done

	# Forcing every implementation, and refusing the unavailable ones.
	for impl in generic sse2 avx2 avx512; do
		if echo " $AVAIL " | grep -q " $impl "; then
			"$MIGCTL" set zero-check "$impl" > "$T/out" 2>&1 &&
				[ "$(sysfs zero_check_active)" = "$impl" ] &&
				ok "force zero check $impl" || notok "force zero check $impl"
		else
			tf "forcing unavailable $impl is refused" "$MIGCTL" set zero-check "$impl"
		fi
	done
	t "migctl set zero-check auto" "$MIGCTL" set zero-check auto
	[ "$(sysfs zero_check_active)" = "$ACTIVE" ] && ok "auto selects $ACTIVE again" ||
		notok "auto selects $ACTIVE again"

	# The module cannot go while a region exists.
	tf "rmmod refused while a region is open" rmmod kmig
	t "module still usable after refused rmmod" "$SYSTEST" fork
	kill "$HOLD"; wait "$HOLD"
	j=$(jsq regions); echo "$j" > "$T/out"
	echo "$j" | grep -q "\"id\":$ID," && notok "region gone when its owner exits" ||
		ok "region gone when its owner exits"
fi

fi

# The case files (each one's helpers serve the next ones).
. "$BIN/migration-cases.sh"
. "$BIN/live-cases.sh"
. "$BIN/vm-cases.sh"
. "$BIN/colo-cases.sh"
. "$BIN/auth-cases.sh"
. "$BIN/limits-cases.sh"
. "$BIN/nlfuzz-cases.sh"
. "$BIN/fault-cases.sh"
. "$BIN/listener-cases.sh"

# Multi-channel migration (tests/system/migration-cases.sh)
if part 1; then
	section migration
	loaded || t "insmod for migrations" load
	mig_all
fi

# Live migration (tests/system/live-cases.sh): kmig-vmm and migctl --live
if part 2; then
	section live
	loaded || t "insmod for live migrations" load
	live_all
fi

# QEMU VM migration (tests/system/vm-cases.sh): a real guest moved
# between QEMUs, kmig moving its RAM (UML only)
if part 2; then
	section vm
	loaded || t "insmod for the QEMU guest migrations" load
	vm_all
fi

# COLO (tests/system/colo-cases.sh)
if part 1; then
	section colo
	loaded || t "insmod for COLO" load
	colo_all
fi

# Channel authentication (tests/system/auth-cases.sh)
if part 1; then
	section auth
	loaded || t "insmod for the authentication cases" load
	auth_all
fi

# Resource limits (tests/system/limits-cases.sh)
if part 1; then
	section limits
	limits_all
fi

# Netlink fuzzing (tests/system/nlfuzz-cases.sh)
if part 1; then
	section nlfuzz
	nlfuzz_all
fi

# Fault injection (tests/system/fault-cases.sh)
if part 1; then
	section fault
	fault_all
fi

# Listener hardening (tests/system/listener-cases.sh)
if part 1; then
	section listener
	listener_all
fi

# Load-time parameters, and refusing bad ones
section params
t "rmmod kmig" unload
tf "migctl regions without the module fails" "$MIGCTL" regions
"$MIGCTL" regions > /dev/null 2> "$T/out"
grep -q "not loaded" "$T/out" && ok "migctl says the module is not loaded" ||
	notok "migctl says the module is not loaded"
t "insmod max_region_size=64M" load max_region_size=64M
t "systest cap" "$SYSTEST" cap
t "insmod zero_check=generic" load zero_check=generic
[ "$(sysfs zero_check_active)" = generic ] && ok "zero_check=generic is active" ||
	notok "zero_check=generic is active"
unload
tf "insmod channels=0 refused" insmod "$KO" channels=0
tf "insmod channels=65 refused" insmod "$KO" channels=65
tf "insmod zero_page_detection=bogus refused" insmod "$KO" zero_page_detection=bogus
tf "insmod zero_check=bogus refused" insmod "$KO" zero_check=bogus
if ! echo " $AVAIL " | grep -q " avx512 "; then
	tf "insmod zero_check=avx512 refused without AVX-512" insmod "$KO" zero_check=avx512
fi
loaded && rmmod kmig
t "insmod after refused loads" load
t "rmmod" unload

# Kernel log: nothing but what we expect.
section end
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak; sleep 1
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak > "$T/out"
	[ -s "$T/out" ] && notok "kmemleak: no leaks" || ok "kmemleak: no leaks"
else
	skip "kmemleak: no leaks" "kmemleak not in this kernel"
fi
klog_clean start && ok "kernel log clean" || notok "kernel log clean"
section done

echo "# $ENV: $PASS passed, $FAIL failed, $SKIPPED skipped"
rm -rf "$T"
echo "# systest done"
