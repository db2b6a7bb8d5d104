# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Helpers shared by the system-test scripts (POSIX sh: dash in UML,
# busybox ash in the Debian 6.1 initramfs). Sourced by run-tests.sh (for
# every case file), demo.sh and wire-selftest.sh.
#
#   now_cs                   hundredths of a second since boot
#   wait_until SECONDS CMD…  run CMD every 0.1 s until it succeeds; fails
#                            (status 1) when SECONDS have passed first.
#                            Every polling loop of the system tests is one.
#   jf FILE FILTER           jq -r FILTER of the JSON in FILE ("" when the
#                            file is missing or not JSON)
#   jl FILE N FILTER         the same on line N of a JSON-lines FILE
#   mj_load FILE             read the migctl --json object in FILE once
#                            with jq: its top-level fields as KEY=VALUE
#                            lines in FILE.kv (an array: its length);
#                            MJF=FILE
#   mjv KEY                  field KEY of the last mj_load (mig_get and
#                            mon_last call it): the one reader of
#                            migctl's JSON; "" when absent
#   mark NAME                a "kmig-systest-mark NAME" line in the kernel
#                            log (a name may be marked more than once; the
#                            checks start at the last one)
#   klog_since NAME          the kernel log after the last mark NAME; fails
#                            when that mark is no longer in the ring buffer
#   klog_clean NAME          nothing of KLOG_BAD in the kernel log since
#                            the last mark NAME; what there is (with the 6
#                            lines after each) goes to $T/out

# _now: now_cs into _nc without a process (/proc/uptime is "S.CC ...";
# ${_f#0}: "08" is no octal number).
_now() {
	read -r _up _ < /proc/uptime
	_f=${_up#*.}
	_nc=$((${_up%.*} * 100 + ${_f#0}))
}
now_cs() { _now; echo "$_nc"; }

# The loop itself starts no process but the sleep: its checks see the
# state of things as soon as the hand-written loops it replaced did.
wait_until() {
	_now; _wu_end=$((_nc + $1 * 100)); shift
	until "$@"; do
		_now; [ "$_nc" -lt "$_wu_end" ] || return 1
		sleep 0.1
	done
}

jf() { jq -r "$2" "$1" 2>/dev/null; }

jl() { sed -n "$2p" "$1" 2>/dev/null | jq -r "$3" 2>/dev/null; }

# One jq process per JSON object read, not one per field (jq 1.6 takes
# tens of ms to start, more in UML). Top-level keys only: the channel
# array and colo_latency hold others. Like jq -r: "true", "false", "null".
mj_load() {
	MJF=$1
	jq -r 'to_entries[] | select(.value | type != "object") |
		"\(.key)=\(if .value | type == "array" then .value | length else .value end)"' \
		"$1" > "$1.kv" 2>/dev/null
}
mjv() { sed -n "s/^$1=//p" "$MJF.kv" 2>/dev/null; }

mark() { echo "kmig-systest-mark $1" > /dev/kmsg; }

klog_since() {
	dmesg | awk -v m="kmig-systest-mark $1" '
		substr($0, length($0) - length(m) + 1) == m { n = 0; found = 1; next }
		found { line[n++] = $0 }
		END { for (i = 0; i < n; i++) print line[i]; exit !found }'
}

# What a clean kernel log has none of.
KLOG_BAD='WARNING:|BUG:|KASAN|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU|Call Trace|general protection|INFO: task|blocked for more than|Oops|invoked oom-killer|Killed process'

klog_clean() {
	if ! klog_since "$1" > "$T/klog"; then
		echo "mark $1 no longer in the kernel's ring buffer (too much logged since)" > "$T/out"
		return 1
	fi
	grep -E -A6 "$KLOG_BAD" "$T/klog" > "$T/out"
	[ ! -s "$T/out" ]
}
