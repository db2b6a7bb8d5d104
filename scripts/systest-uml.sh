#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# System tests in UML, or the demo.
#
#   scripts/systest-uml.sh           uml-debug kernel: tests/system/run-tests.sh --env uml
#   scripts/systest-uml.sh --demo    uml-bench kernel: tests/system/demo.sh, shown live
#
# The kernel boots on the host's root filesystem (hostfs) with
# init=tests/system/boot/uml-init.sh; the paths it needs are in a file
# written here (build/uml-<mode>/conf.sh) and passed as kmigconf=.
# The console goes to build/logs/<mode>-uml-console.log. Results (systest)
# go to build/results/systest-uml.tap: run-tests.sh's TAP lines, then
# 'kernel log clean (uml)'; a run that never printed '# systest done'
# (panic, hang, timeout) adds a failed test 'uml'.
# Timeout: KMIG_UML_TIMEOUT seconds (default 1500).
set -euo pipefail
mode=systest
[ "${1:-}" = --demo ] && mode=demo
KMIG_TAG=$mode-uml
. "$(dirname "$0")/lib.sh"

if [ $mode = demo ]; then kernel=uml-bench; else kernel=uml-debug; fi
timeout_s=${KMIG_UML_TIMEOUT:-1500}

kdir=$("$KMIG_TOP/scripts/uml-kernel.sh" "$kernel")
"$KMIG_TOP/scripts/modules.sh" "$kernel"
"$KMIG_TOP/scripts/userspace.sh" || log "warning: userspace build failed; running anyway"

ko=$KMIG_BUILD/$kernel/kmod/kmig.ko
run=$KMIG_BUILD/uml-$mode
console=$KMIG_LOGS/$mode-uml-console.log
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
KMIG_OUT='$out'
CONF

cmdline=(mem=2G rootfstype=hostfs rootflags=/ rw
	init="$KMIG_TOP/tests/system/boot/uml-init.sh" kmigconf="$run/conf.sh"
	con=null con0=fd:0,fd:1 ssl=null panic_on_warn=1)
[ $mode = demo ] && cmdline+=(quiet)

log "booting $kdir/linux (timeout ${timeout_s}s, console: $console)"
start=$(date +%s)
rc=0
(
	cd "$run"          # UML may dump core here on a panic
	ulimit -c 0
	# No tty needed: stdin is /dev/null, the console is a pipe.
	exec timeout -k 10 "$timeout_s" "$kdir/linux" "${cmdline[@]}" </dev/null 2>&1
) | sed -u 's/\r$//' | tee "$console" | {
	if [ $mode = demo ]; then
		# Show what the demo prints, not the kernel's own chatter.
		grep --line-buffered -vE '^(\[ *[0-9]+\.[0-9]+\] |uml-init: )' || true
	else
		grep --line-buffered -E '^(not )?ok [0-9]+|^# systest done|^uml-init:' || true
	fi
} || rc=$?
elapsed=$(($(date +%s) - start))
log "UML exited after ${elapsed}s"

[ $mode = demo ] && exit 0

tap_begin systest-uml
[ -f "$out" ] || out=$console
tap_import "$out"
problems=$(kernel_log_problems "$console")
if [ -z "$problems" ]; then
	tap_ok "kernel log clean (uml)" >/dev/null
else
	tap_notok "kernel log clean (uml)" >/dev/null
	log "kernel problems in $console:"
	printf '%s\n' "$problems" | head -n 20 | sed 's/^/    /' >&2
fi
if [ "$TAP_DONE" != 1 ]; then
	tap_notok "uml" >/dev/null
	log "no '# systest done' line: the kernel panicked, hung or timed out (${elapsed}s); last lines of $console:"
	tail -n 30 "$console" | sed 's/^/    /' >&2
fi
tap_count "$TAP_FILE"
log "uml: $T_PASS passed, $T_FAIL failed, $T_SKIP skipped (of which passed)"
[ "$T_FAIL" -eq 0 ]
