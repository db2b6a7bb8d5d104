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
. "$(dirname "$0")/lib.sh"
args "$@"
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
. "$BIN/tap.sh"

# section NAME: start timing section NAME; prints how long the previous
# one took as '# time: NAME N s' (the suite's phase times).
SECTION= SECTION_T0=
section() {
	_now=$(now_cs)
	[ -z "$SECTION" ] || echo "# time: $SECTION $(((_now - SECTION_T0) / 100)) s"
	SECTION=$1 SECTION_T0=$_now
}

# The suite: a section a line, in the order they run:
#   PART FILE SECTION FUNCTION
# PART: the part (KMIG_SYSTEST_PART, in the environment; UML: on the
# kernel command line) that runs it, "-" for both. make test runs the two
# parts in two UML kernels at once (scripts/systest-uml.sh --part N);
# the load checks and the final ones are in both. (Measured warm, one
# UML: part 1 about 720 s, part 2 about 500 s, the Debian 6.1 suite
# before it about 430 s.) Each FILE is sourced once, in this order (a
# file's helpers serve the ones after it); the sections of one part load
# the module first if it is not loaded. A case file is one line.
SUITE='
- basic-cases.sh     load      basic_load
1 basic-cases.sh     regions   run_table "$BASIC_REGION_CASES"
1 migration-cases.sh migration mig_all
2 live-cases.sh      live      live_all
2 postcopy-cases.sh  postcopy  postcopy_all
2 vm-cases.sh        vm        vm_all
1 ynl-cases.sh       ynl       ynl_all
1 colo-cases.sh      colo      colo_all
1 auth-cases.sh      auth      auth_all
1 limits-cases.sh    limits    limits_all
1 nlfuzz-cases.sh    nlfuzz    nlfuzz_all
1 fault-cases.sh     fault     fault_all
2 listener-cases.sh  listener  listener_all
- basic-cases.sh     params    basic_params
- basic-cases.sh     end       basic_end
'

# suite_run PART FILE SECTION FUNCTION...: one line of SUITE (for run_table).
suite_run() {
	_sp=$1 _ss=$3; shift 3
	[ -z "$KMIG_SYSTEST_PART" ] || [ "$_sp" = - ] || [ "$_sp" = "$KMIG_SYSTEST_PART" ] || return 0
	section "$_ss"
	[ "$_sp" = - ] || loaded || t "insmod for $_ss" load
	"$@"
}

echo "# kmig system tests on $ENV: $(uname -r), $(nproc 2>/dev/null || echo ?) cpu(s)"
QEMU=$(command -v qemu-system-x86_64)
for _f in $(echo "$SUITE" | awk 'NF { print $2 }' | awk '!seen[$0]++'); do
	. "$BIN/$_f"
done

# KMIG_SYSTEST_ONLY=FUNCTION (in the environment; UML: on the kernel command
# line, which hands it to init): after the load checks, run only that
# function of a case file, for a faster iteration; arguments follow after
# colons (colo_vmm:4; no blanks: it may come from a kernel command line).
if [ -n "$KMIG_SYSTEST_ONLY" ]; then
	basic_load
	# shellcheck disable=SC2046
	$(echo "$KMIG_SYSTEST_ONLY" | tr ':' ' ')
	t "rmmod" unload
	echo "# $ENV (only $KMIG_SYSTEST_ONLY): $PASS passed, $FAIL failed, $SKIPPED skipped"
	rm -rf "$T"
	echo "# systest done"
	exit 0
fi

[ -z "$KMIG_SYSTEST_PART" ] || echo "# part $KMIG_SYSTEST_PART of the suite"
# The lines of SUITE are "PART FILE SECTION FUNCTION": NAME is PART.
run_table "$(echo "$SUITE" | sed 's/^\([-12]\) /\1 suite_run \1 /')"
section done

echo "# $ENV: $PASS passed, $FAIL failed, $SKIPPED skipped"
rm -rf "$T"
echo "# systest done"
