# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Helpers shared by the system-test case files (POSIX sh: dash in UML,
# busybox ash in the Debian 6.1 initramfs). Sourced by run-tests.sh.
#
#   now_cs                   hundredths of a second since boot
#   wait_until SECONDS CMD…  run CMD every 0.1 s until it succeeds; fails
#                            (status 1) when SECONDS have passed first
#   jf FILE FILTER           jq -r FILTER of the JSON in FILE ("" when the
#                            file is missing or not JSON)
#   jl FILE N FILTER         the same on line N of a JSON-lines FILE

now_cs() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }

wait_until() {
	_wu_end=$(($(now_cs) + $1 * 100)); shift
	until "$@"; do
		[ "$(now_cs)" -lt "$_wu_end" ] || return 1
		sleep 0.1
	done
}

jf() { jq -r "$2" "$1" 2>/dev/null; }

jl() { sed -n "$2p" "$1" 2>/dev/null | jq -r "$3" 2>/dev/null; }
