#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# System tests in UML, or the demo.
#
#   scripts/systest-uml.sh           uml-debug kernel: tests/system/run-tests.sh --env uml
#   scripts/systest-uml.sh --part N  the same, part N (1 or 2) of the suite only
#                                    (run-tests.sh, KMIG_SYSTEST_PART): make test
#                                    runs the two parts in two UML kernels at once;
#                                    results in build/results/systest-umlN.tap
#   scripts/systest-uml.sh --demo    uml-bench kernel: tests/system/demo.sh, shown live;
#                                    fails unless demo.sh exits 0
#   scripts/systest-uml.sh --bench   uml-bench kernel: tests/bench/bench-uml.py
#                                    (KMIG_BENCH_OUT: results dir, KMIG_BENCH_ARGS)
#   scripts/systest-uml.sh --kunit   uml-debug kernel: loads kmig.ko with the KUnit
#                                    suites linked in (modules.sh kunit); the kernel
#                                    log from the load on goes to
#                                    build/uml-kunit/output.txt (scripts/kunit.sh
#                                    reads it)
#
# KMIG_SKIP_USERSPACE=1: the userspace parts and the module are already
# built (scripts/test.sh builds them once before the suites that run at the
# same time): don't run scripts/userspace.sh or scripts/modules.sh here.
#
# The kernel boots on the host's root filesystem (hostfs) with
# init=tests/system/boot/uml-init.sh; the paths it needs are in a file
# written here (build/uml-<mode>/conf.sh) and passed as kmigconf=.
# The console goes to build/logs/<mode>-uml-console.log. Results (systest)
# go to build/results/systest-uml.tap: run-tests.sh's TAP lines, then
# 'kernel log clean (uml)'; a run that never printed '# systest done'
# (panic, hang, timeout) adds a failed test 'uml'.
# KMIG_SYSTEST_ONLY, FAULT_STALL_S, FAULT_MEMCG_MAX and FAULT_KNOWN_FAILURES
# go to the script through the kernel command line. log_buf_len=1M: the
# config's 16 KiB ring buffer lost the marks the cases check the log from.
# Timeout: KMIG_UML_TIMEOUT seconds (default 2400: the system tests take
# about 15 minutes on 2 cores, more when the machine is shared).
set -euo pipefail
mode=systest part=
case ${1:-} in
--demo) mode=demo ;;
--bench) mode=bench ;;
--kunit) mode=kunit ;;
--part)
	part=${2:-}
	case $part in 1|2) ;; *) echo "usage: $0 --part 1|2" >&2; exit 2 ;; esac ;;
'') ;;
*) echo "usage: $0 [--demo|--bench|--kunit|--part 1|2]" >&2; exit 2 ;;
esac
KMIG_TAG=$mode-uml
. "$(dirname "$0")/lib.sh"

case $mode in
systest) kernel=uml-debug; target=uml-debug ;;
kunit) kernel=uml-debug; target=kunit ;;
*) kernel=uml-bench; target=uml-bench ;;
esac
timeout_s=${KMIG_UML_TIMEOUT:-2400}
[ $mode != kunit ] || timeout_s=${KMIG_KUNIT_TIMEOUT:-900}

kdir=$("$KMIG_TOP/scripts/uml-kernel.sh" "$kernel") || exit 1
# Built before (scripts/test.sh): another UML may be running this very
# module file, don't make in its staging dir.
if [ "${KMIG_SKIP_USERSPACE:-0}" != 1 ]; then
	"$KMIG_TOP/scripts/modules.sh" "$target" || die "the kmig module ($target) did not build"
fi
[ -f "$KMIG_BUILD/$target/kmod/kmig.ko" ] || die "no $KMIG_BUILD/$target/kmod/kmig.ko (scripts/modules.sh $target)"
if [ $mode != kunit ] && [ "${KMIG_SKIP_USERSPACE:-0}" != 1 ]; then
	"$KMIG_TOP/scripts/userspace.sh" || log "warning: userspace build failed; running anyway"
fi

ko=$KMIG_BUILD/$target/kmod/kmig.ko

# UML maps each guest page it touches into its processes as a separate host
# mapping: a 1 GiB region with scattered pages needs far more than the
# default vm.max_map_count (65530), or UML dies with "UML ran out of memory
# on the host side". Raise it (host-wide, not persistent) when root.
want_maps=${KMIG_MAX_MAP_COUNT:-1048576}
if [ "$(cat /proc/sys/vm/max_map_count)" -lt "$want_maps" ]; then
	if [ "$(id -u)" -eq 0 ] && echo "$want_maps" >/proc/sys/vm/max_map_count; then
		log "raised vm.max_map_count to $want_maps"
	else
		log "warning: vm.max_map_count is $(cat /proc/sys/vm/max_map_count) (< $want_maps); large regions may kill UML"
	fi
fi
# The QEMU test guest (tests/guest, scripts/guest-image.sh): the VM cases
# of the system tests and the demo move it between QEMUs.
guest_kernel= guest_initrd= guest_append=
if [ $mode = systest ] || [ $mode = demo ]; then
	if gi=$("$KMIG_TOP/scripts/guest-image.sh"); then
		guest_kernel=$(sed -n 's/^kernel=//p' <<<"$gi")
		guest_initrd=$(sed -n 's/^initrd=//p' <<<"$gi")
		guest_append=$("$KMIG_TOP/scripts/guest-image.sh" --append)
	else
		log "warning: no guest image (scripts/guest-image.sh failed); the QEMU guest cases will be skipped"
	fi
fi
run=$KMIG_BUILD/uml-$mode$part
console=$KMIG_LOGS/$mode-uml$part-console.log
out=$run/output.txt
mkdir -p "$run"
rm -f "$out"
cat >"$run/conf.sh" <<CONF
KMIG_TOP='$KMIG_TOP'
KMIG_MODE='$mode'
KMIG_ENV='uml'
KMIG_KO='$ko'
KMIG_MIGCTL='$KMIG_TOP/tools/migctl/migctl'
KMIG_BIN='$KMIG_TOP/tests/system'
KMIG_YNL='$(ksrc_dir)/tools/net/ynl'
KMIG_OUT='$out'
KMIG_GUEST_KERNEL='$guest_kernel'
KMIG_GUEST_INITRD='$guest_initrd'
KMIG_GUEST_APPEND='$guest_append'
KMIG_BENCH_OUT='${KMIG_BENCH_OUT:-}'
KMIG_BENCH_ARGS='${KMIG_BENCH_ARGS:-}'
CONF

cmdline=(mem=${KMIG_UML_MEM:-4G} rootfstype=hostfs rootflags=/ rw
	init="$KMIG_TOP/tests/system/boot/uml-init.sh" kmigconf="$run/conf.sh"
	con=null con0=fd:0,fd:1 ssl=null log_buf_len=1M)
# A WARNING in a KUnit run fails the kernel-log check (scripts/kunit.sh)
# and lets the other suites run on, as under kunit.py.
[ $mode = kunit ] || cmdline+=(panic_on_warn=1)
[ $mode = systest ] || [ $mode = kunit ] || cmdline+=(quiet)
# One function of the system tests only (tests/system/run-tests.sh).
[ -n "${KMIG_SYSTEST_ONLY:-}" ] && cmdline+=("KMIG_SYSTEST_ONLY=$KMIG_SYSTEST_ONLY")
# One part of the system tests only.
[ -z "$part" ] || cmdline+=("KMIG_SYSTEST_PART=$part")
# Knobs of tests/system/fault-cases.sh (FAULT_STALL_S=600: a stall of minutes).
for v in FAULT_STALL_S FAULT_MEMCG_MAX FAULT_KNOWN_FAILURES; do
	[ -n "${!v:-}" ] && cmdline+=("$v=${!v}")
done

cd "$run"   # UML may dump core in its cwd on a panic (vm_run: ulimit -c 0)
log "booting $kdir/linux (timeout ${timeout_s}s, console: $console)"
start=$(date +%s)
vm_run "$console" "$timeout_s" "$kdir/linux" "${cmdline[@]}" | {
	case $mode in
	systest)
		grep --line-buffered -E '^(not )?ok [0-9]+|^# systest done|^uml-init:' || true ;;
	kunit)
		grep --line-buffered -E '^uml-init:' || true ;;
	*)
		# Show what the demo prints, not the boot chatter before it.
		awk '/^uml-init: running/ { on = 1; next } on && !/^(uml-init: |reboot: )/ { print; fflush() }' || true ;;
	esac
}
elapsed=$(($(date +%s) - start))
log "UML exited after ${elapsed}s"

case $mode in
kunit|bench) exit 0 ;;
demo)
	st=$({ sed -n 's/^uml-init: demo exit status \([0-9]*\).*/\1/p' "$out" 2>/dev/null || true; } | tail -n 1)
	if [ "$st" = 0 ]; then
		exit 0
	elif [ -n "$st" ]; then
		log "the demo failed (exit status $st); console: $console"
	else
		log "the demo did not finish (UML panicked, hung or timed out after ${elapsed}s); last lines of $console:"
		{ tail -n 30 "$console" || true; } | sed 's/^/    /' >&2
	fi
	exit 1 ;;
esac

[ -f "$out" ] || out=$console
systest_finish "uml$part" "$out" "$console" "$elapsed"
