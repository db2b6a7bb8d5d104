#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Everything 'make test' does, in order:
#   deps; the uml-debug kernel (the bench kernel uml-bench is for make bench
#   and make demo only); modules (uml-debug, kunit: uml-debug with the KUnit
#   suites linked in, deb61, deb612); userspace, built once here; the Debian
#   6.1 kernel image for QEMU (fetched once here); static (checkpatch,
#   ynl-check, W=1: scripts/check.sh); unit (userspace tests, the wire
#   codec and its fuzz smoke: scripts/unit.sh); kunit; then the
#   system tests in two lanes at the same time, each taking about one CPU:
#   part 1 of the UML suite (systest-uml1) and then the install test
#   (install: the Debian packages installed into a fresh Debian 12 system
#   under QEMU, scripts/test-install.sh) in one; systest-deb61, part 2 of
#   the UML suite (systest-uml2) and then the two-host subset
#   (systest-hosts: a UML pair, Debian 6.1 to UML and UML to Debian 6.1)
#   in the other. Their output goes
#   to build/logs/<suite>.log; each one's summary is printed as it ends.
# Each suite leaves build/results/<suite>.tap; a suite that leaves none could
# not run and counts as one failed test. Prints each phase's time and the
# total against the budget (KMIG_BUDGET_COLD, KMIG_BUDGET_WARM seconds; a run
# is cold when it had to build the uml-debug kernel), and ends with exactly
# one line 'N passed, N failed' (skipped tests count as passed, as in TAP);
# exits non-zero on any failure.
set -uo pipefail
KMIG_TAG=test
. "$(dirname "$0")/lib.sh"
S=$KMIG_TOP/scripts
budget_cold=${KMIG_BUDGET_COLD:-2700}
budget_warm=${KMIG_BUDGET_WARM:-1500}

suites=(static unit kunit systest-uml1 systest-hosts install systest-uml2 systest-deb61)
declare -A phase_time=() suite_rc=()
rm -f "$KMIG_RESULTS"/*.tap

phase() { # NAME CMD...: run, time, remember the status
	local name=$1 t0 rc=0; shift
	echo "=== $name" >&2
	t0=$(date +%s)
	"$@" || rc=$?
	phase_time[$name]=$(($(date +%s) - t0))
	suite_rc[$name]=$rc
	if [ $rc -eq 0 ]; then
		log "$name: ok, ${phase_time[$name]}s"
	else
		log "$name: exit status $rc, ${phase_time[$name]}s"
	fi
	return 0
}

# SUITE's counts from its TAP file, one line; 'could not run' without one.
suite_line() {
	local f=$KMIG_RESULTS/$1.tap
	if [ -f "$f" ] && grep -qE '^(not )?ok [0-9]+' "$f"; then
		tap_count "$f"
		echo "$T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	else
		echo "could not run (exit status ${suite_rc[$1]:-?})"
	fi
}

deb61_image() { (deb61_image_prepare >/dev/null); }
install_image() { "$S/install-image.sh" >/dev/null; }

t_all=$(date +%s)
phase deps "$S/deps.sh"
if [ "${suite_rc[deps]}" -ne 0 ]; then
	log "dependencies could not be installed; running what can run"
fi
# Cold: the debug kernel is not in the cache yet (checked before building).
run_kind=cold
"$S/uml-kernel.sh" uml-debug --check >/dev/null 2>&1 && run_kind=warm
phase kernels "$S/uml-kernel.sh" uml-debug >/dev/null
phase modules "$S/modules.sh" uml-debug kunit deb61 deb612
phase userspace "$S/userspace.sh"
phase deb61-image deb61_image
# The install test's Debian 12 system (debootstrap): cold runs only.
phase install-image install_image
phase static "$S/check.sh"
phase unit "$S/unit.sh"
phase kunit "$S/kunit.sh"

# The two system test suites at the same time, in two lanes (a lane's
# suites would run one after the other). Each takes about one of the two
# CPUs: UML has one, QEMU's TCG runs the guest mostly on one thread.
# (static and unit stay before them: they build with make -j and fuzz;
# beside them the one check suite they were split from slowed systest-uml,
# the longest suite, by more than its own 134 s: a warm run took 1545 s
# that way, against about 1500 s.)
# Everything they need is built above, so they don't build userspace
# again (KMIG_SKIP_USERSPACE: no make in the userspace trees while the
# other suite runs the programs); their module builds and the image fetch
# find everything up to date.
# The UML suite is the longest: its two parts (run-tests.sh,
# KMIG_SYSTEST_PART) are balanced against the Debian 6.1 suite, which runs
# before part 2 in the second lane.
# The install test (about 340 s alone, most of it the DKMS build under
# TCG) follows part 1, the shorter of the two; the two-host subset (two
# kernels at a time, about 100 s alone) ends the other lane.
lanes=("systest-uml1 install" "systest-deb61 systest-uml2 systest-hosts")
# Each line of a suite's log with the time it came (where the time goes).
stamp() { local l; while IFS= read -r l; do printf '%(%H:%M:%S)T %s\n' -1 "$l"; done; }
run_suite() { # SUITE: output to build/logs/SUITE.log, status and time to build/.suite-SUITE
	local s=$1 t0 rc=0
	t0=$(date +%s)
	local cmd=("$S/$s.sh")
	case $s in
	systest-uml[12]) cmd=("$S/systest-uml.sh" --part "${s#systest-uml}") ;;
	install) cmd=("$S/test-install.sh") ;;
	esac
	(KMIG_SKIP_USERSPACE=1 "${cmd[@]}" 2>&1 </dev/null | stamp >"$KMIG_LOGS/$s.log"
		exit "${PIPESTATUS[0]}") || rc=$?
	phase_time[$s]=$(($(date +%s) - t0)); suite_rc[$s]=$rc
	echo "$rc ${phase_time[$s]}" >"$KMIG_BUILD/.suite-$s"
	log "$s: $(suite_line "$s"), ${phase_time[$s]}s (log: build/logs/$s.log)"
}
echo "=== in parallel: $(printf '[%s] ' "${lanes[@]}" | sed 's/ $//') (output in build/logs/<suite>.log)" >&2
t_par=$(date +%s)
lane_pids=()
for l in "${lanes[@]}"; do
	# shellcheck disable=SC2086
	(for s in $l; do rm -f "$KMIG_BUILD/.suite-$s"; run_suite "$s"; done) &
	lane_pids+=($!)
done
wait "${lane_pids[@]}"
for l in "${lanes[@]}"; do
	for s in $l; do
		read -r "suite_rc[$s]" "phase_time[$s]" <"$KMIG_BUILD/.suite-$s" 2>/dev/null ||
			{ suite_rc[$s]=1; phase_time[$s]=0; }
	done
done
t_par=$(($(date +%s) - t_par))

echo
echo "=== Summary (logs: build/logs/, results: build/results/)"
for p in deps kernels modules userspace deb61-image install-image; do
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
printf '  %-14s %5ss wall (%s at the same time)\n' "parallel" "$t_par" "$(printf '[%s] ' "${lanes[@]}" | sed 's/ $//')"
total=$(($(date +%s) - t_all))
budget=$budget_warm
[ $run_kind = warm ] || budget=$budget_cold
verdict="within"
[ "$total" -le "$budget" ] || verdict="OVER"
echo "  total ${total}s (budget: $budget_cold s cold / $budget_warm s warm; this run: $run_kind, $verdict its budget)"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ] && [ $bad -eq 0 ]
