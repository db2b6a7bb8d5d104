#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Everything 'make test' does, in order:
#   deps, kernels (uml-debug, uml-bench), modules (uml-debug, uml-bench, deb61,
#   deb612) and userspace; then the suites: check (static checks), kunit,
#   systest-uml, systest-deb61.
# Each suite leaves build/results/<suite>.tap; a suite that leaves none could
# not run and counts as one failed test. Prints a summary line per suite and
# ends with exactly one line 'N passed, N failed' (skipped tests count as
# passed, as in TAP); exits non-zero on any failure.
set -uo pipefail
KMIG_TAG=test
. "$(dirname "$0")/lib.sh"
S=$KMIG_TOP/scripts

suites=(check kunit systest-uml systest-deb61)
declare -A phase_time=() suite_rc=()
rm -f "$KMIG_RESULTS"/*.tap

phase() { # NAME CMD...: run, time, remember the status
	local name=$1 t0 rc=0; shift
	echo "=== $name" >&2
	t0=$(date +%s)
	"$@" || rc=$?
	phase_time[$name]=$(($(date +%s) - t0))
	suite_rc[$name]=$rc
	[ $rc -eq 0 ] || log "$name: exit status $rc"
	return 0
}

t_all=$(date +%s)
phase deps "$S/deps.sh"
if [ "${suite_rc[deps]}" -ne 0 ]; then
	log "dependencies could not be installed; running what can run"
fi
phase kernels bash -c '"$1/uml-kernel.sh" uml-debug >/dev/null && "$1/uml-kernel.sh" uml-bench >/dev/null' _ "$S"
phase modules "$S/modules.sh"
phase userspace "$S/userspace.sh"
phase check "$S/check.sh"
phase kunit "$S/kunit.sh"
phase systest-uml "$S/systest-uml.sh"
phase systest-deb61 "$S/systest-deb61.sh"

echo
echo "=== Summary (logs: build/logs/, results: build/results/)"
for p in deps kernels modules userspace; do
	printf '  %-14s %-6s %5ss\n' "$p" "$([ "${suite_rc[$p]}" -eq 0 ] && echo ok || echo FAILED)" "${phase_time[$p]}"
done
pass=0 fail=0 bad=0
for s in "${suites[@]}"; do
	f=$KMIG_RESULTS/$s.tap
	if [ -f "$f" ] && grep -qE '^(not )?ok [0-9]+' "$f"; then
		tap_count "$f"
		note=
		[ "${suite_rc[$s]}" -eq 0 ] || [ "$T_FAIL" -gt 0 ] || { note="  (exit status ${suite_rc[$s]})"; T_FAIL=1; }
		printf '  %-14s %4d passed  %4d failed  %4d skipped  %5ss%s\n' \
			"$s" "$T_PASS" "$T_FAIL" "$T_SKIP" "${phase_time[$s]}" "$note"
		# Each failure with the first lines of its diagnostics, so that
		# a CI log's tail says what went wrong, not only what.
		awk -v s="$s" '/^not ok/ { d = 6; print "      " s ": " $0; next }
			/^#   / && d > 0 { d--; print "          " $0; next }
			{ d = 0 }' "$f"
		pass=$((pass + T_PASS)); fail=$((fail + T_FAIL))
	else
		printf '  %-14s could not run (exit status %s)  %5ss\n' "$s" "${suite_rc[$s]}" "${phase_time[$s]}"
		fail=$((fail + 1)); bad=1
	fi
done
echo "  total time $(($(date +%s) - t_all))s"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ] && [ $bad -eq 0 ]
