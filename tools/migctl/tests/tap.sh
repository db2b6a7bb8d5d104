# SPDX-License-Identifier: GPL-2.0
#
# The TAP bookkeeping of migctl's test scripts (cli-usage.sh,
# fake-output.sh), sourced by them: "TAP version 13", one "ok N - DESC" or
# "not ok N - DESC" line per check, then "# N passed, N failed".

n=0 passed=0 failed=0

echo "TAP version 13"

# tap_result DESC STATUS: the line of one check; returns STATUS != 0 (the
# caller then adds its "#   " diagnostics).
tap_result() {
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		passed=$((passed + 1))
		echo "ok $n - $1"
		return 0
	fi
	failed=$((failed + 1))
	echo "not ok $n - $1"
	return 1
}

# tap_end: the summary line; the status of the script (0: all passed).
tap_end() {
	echo "# $passed passed, $failed failed"
	[ $failed -eq 0 ]
}
