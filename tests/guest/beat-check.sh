#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Check the serial logs of the test guest (tests/guest/guest-beat.c) for
# what the tests claim about it. POSIX sh and awk only.
#
#   beat-check.sh last LOG
#       Print the counter of LOG's last complete beat line; exit 1 (and
#       print nothing) when it has none.
#   beat-check.sh clean LOG
#       Succeed iff LOG has beats, all with bad=0, no 'kmig-guest: BAD'
#       line, and its beat counters go up by exactly 1.
#   beat-check.sh continued [--min-sweeps N] SRC_LOG DST_LOG
#       Succeed iff the guest went on from the source QEMU's serial log to
#       the destination's (which has only what the guest printed after it
#       resumed there): the source's last complete beat is K; the
#       destination's first beat is K+1 and at least 3 more follow, the
#       counters going up by exactly 1; every beat on both sides has bad=0
#       and neither log has a 'kmig-guest: BAD' line. With --min-sweeps N
#       the destination's sweep counter must also have gone up by N or
#       more (2 proves that every page was verified after the resume).
#
# A complete beat line is a whole line (ended by a newline) that is exactly
# 'kmig-beat N sweeps=S bad=B writes=W' (a trailing \r is ignored). When the
# switchover split a line, the source log ends with its first part (no
# newline) and the destination log starts with the rest: the two parts
# are joined, and if they make a beat line, that is the destination's first
# beat (K+1). A destination log that starts mid-line after a source log
# that ended with a newline (characters lost) is an error when the joined
# text would be the missing beat K+1 (its first complete beat is then K+2).
#
# On failure, one line on stdout says what is wrong; exit status 1. Usage
# errors: exit 2. On success, 'last' prints the counter and the other
# modes one line of summary.

usage() {
	echo "usage: $0 last LOG | clean LOG | continued [--min-sweeps N] SRC_LOG DST_LOG" >&2
	exit 2
}

# ends_nl FILE: true if FILE is empty or ends with a newline.
ends_nl() {
	[ ! -s "$1" ] || [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ]
}

# The awk program shared by all modes. Input: one log, or the source log
# and the destination log. Variables: mode, two (1 if two logs), src_nl (1
# if the first log ends with a newline), src_lines (its number of lines,
# the last one counted even without a newline), min_sweeps.
# shellcheck disable=SC2016 # awk's $0, not the shell's
AWK_PROG='
function isbeat(s) {
	return s ~ /^kmig-beat [0-9]+ sweeps=[0-9]+ bad=[0-9]+ writes=[0-9]+$/
}
function field(s, name,    a, i, n) {
	n = split(s, a, / /)
	for (i = 3; i <= n; i++)
		if (index(a[i], name "=") == 1)
			return substr(a[i], length(name) + 2) + 0
	return -1
}
# Record beat line s of side (1: source or only log, 2: destination).
function beat(side, s,    n, w) {
	split(s, w, / /)
	n = w[2] + 0
	cnt[side]++
	if (cnt[side] == 1) {
		first[side] = n
		sw0[side] = field(s, "sweeps")
	} else if (n != last[side] + 1 && !gap[side]) {
		gap[side] = sprintf("beat %d follows beat %d", n, last[side])
	}
	last[side] = n
	sw1[side] = field(s, "sweeps")
	if (field(s, "bad") != 0 && !badbeat[side])
		badbeat[side] = s
}
FNR == 1 { file++ }
{
	sub(/\r$/, "")
	side = (two && file == 2) ? 2 : 1
	if (index($0, "kmig-guest: BAD") && !badline[side])
		badline[side] = $0
	# The last line of the first log, without a newline, is not complete; with
	# two logs it is kept for joining with the first line of the second.
	if (file == 1 && !src_nl && FNR == src_lines) {
		tail = $0
		next
	}
	if (side == 2 && FNR == 1) {
		if (!src_nl) {
			joined = tail $0
			if (isbeat(joined))
				beat(2, joined)
			else
				head = joined
			next
		}
		if (!isbeat($0))
			head = $0
	}
	if (isbeat($0))
		beat(side, $0)
}
END {
	name[1] = two ? "source" : "log"
	name[2] = "destination"
	if (mode == "last") {
		if (!cnt[1]) exit 1
		print last[1]
		exit 0
	}
	if (!cnt[1]) { print name[1] ": no beat line"; exit 1 }
	if (mode == "clean") {
		if (badline[1]) { print "log: " badline[1]; exit 1 }
		if (badbeat[1]) { print "log: bad pages: " badbeat[1]; exit 1 }
		if (gap[1]) { print "log: " gap[1]; exit 1 }
		printf "clean: beats %d..%d, bad=0, sweeps %d\n", first[1], last[1], sw1[1]
		exit 0
	}
	# continued
	k = last[1]
	if (!cnt[2]) {
		printf "destination: no beat line (source last beat %d)%s\n", k,
		    (head != "" ? sprintf("; it starts with \"%s\"", head) : "")
		exit 1
	}
	if (first[2] != k + 1) {
		printf "destination starts at beat %d, source ended at beat %d (want %d)%s\n",
		    first[2], k, k + 1,
		    (head != "" ? sprintf("; it starts with \"%s\"", head) : "")
		exit 1
	}
	if (gap[2]) { print "destination: " gap[2]; exit 1 }
	for (s = 1; s <= 2; s++) {
		if (badline[s]) { print name[s] ": " badline[s]; exit 1 }
		if (badbeat[s]) { print name[s] ": bad pages: " badbeat[s]; exit 1 }
	}
	if (last[2] < k + 4) {
		printf "destination: only %d beat(s) after beat %d, want at least 3\n",
		    last[2] - first[2], first[2]
		exit 1
	}
	if (sw1[2] - sw0[2] < min_sweeps) {
		printf "destination: %d verify sweep(s) completed (beats %d..%d), want %d\n",
		    sw1[2] - sw0[2], first[2], last[2], min_sweeps
		exit 1
	}
	printf "continued: source beats %d..%d, destination %d..%d, bad=0, destination sweeps +%d\n",
	    first[1], k, first[2], last[2], sw1[2] - sw0[2]
	exit 0
}'

# run MODE TWO SRC_NL MIN_SWEEPS SRC_LINES FILE...
run() {
	awk -v mode="$1" -v two="$2" -v src_nl="$3" -v min_sweeps="$4" \
		-v src_lines="$5" "$AWK_PROG" "$6" ${7:+"$7"}
}

need_file() {
	[ -f "$1" ] || { echo "no such log: $1"; exit 1; }
}

[ $# -ge 1 ] || usage
mode=$1
shift
# src_state FILE: sets nl (1 if FILE ends with a newline) and lines.
src_state() {
	need_file "$1"
	if ends_nl "$1"; then nl=1; else nl=0; fi
	lines=$(awk 'END { print NR }' "$1")
}

case $mode in
last|clean)
	[ $# -eq 1 ] || usage
	src_state "$1"
	run "$mode" 0 "$nl" 0 "$lines" "$1"
	;;
continued)
	min=0
	if [ "${1:-}" = --min-sweeps ]; then
		[ $# -ge 2 ] || usage
		min=$2
		shift 2
		case $min in ''|*[!0-9]*) usage ;; esac
	fi
	[ $# -eq 2 ] || usage
	src_state "$1"
	need_file "$2"
	[ -s "$1" ] || { echo "source: empty log"; exit 1; }
	run continued 1 "$nl" "$min" "$lines" "$1" "$2"
	;;
*)
	usage
	;;
esac
