#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test-hosts: the whole two-host matrix (scripts/hosts.sh), every case
# of tests/hosts/cases.sh on every pair of kernels, MTU 1500 and 9000.
#
#   scripts/test-hosts.sh
#
# A run is a line of RUNS: PAIR MTU CASES (names or globs). A case that
# kills a host (kill-*) ends its run, so it has a run of its own, named
# PAIR-MTU-CASE (the others PAIR-MTU). Results:
# build/results/test-hosts.tap (each run's TAP after the other, and that
# it left nothing behind: hosts_run, scripts/lib.sh), and one
# summary line per run and 'N passed, N failed' at the end; exits non-zero
# on any failure. KMIG_HOSTS_RUNS replaces the table.
set -uo pipefail
KMIG_TAG=test-hosts
. "$(dirname "$0")/lib.sh"

runs=${KMIG_HOSTS_RUNS:-'
uml-uml    1500 plain-* live* colo* flap*
uml-uml    9000 plain-crc plain-rtt50 live
uml-uml    1500 kill-a-colo
uml-uml    1500 kill-b-live
uml-uml    1500 kill-a-live
deb61-uml  1500 plain-* live* colo* flap*
deb61-uml  1500 kill-a-colo
deb61-uml  1500 kill-b-live
deb61-uml  1500 kill-a-live
uml-deb61  1500 plain-* live* colo* flap*
uml-deb61  1500 kill-a-colo
uml-deb61  1500 kill-b-live
uml-deb61  1500 kill-a-live
'}
# Built once here, not by every run.
if [ "${KMIG_SKIP_USERSPACE:-0}" != 1 ]; then
	"$KMIG_TOP/scripts/modules.sh" uml-debug deb61 || die "the kmig module did not build"
	"$KMIG_TOP/scripts/userspace.sh" || die "the userspace programs did not build"
	export KMIG_SKIP_USERSPACE=1
fi
tap_begin test-hosts
rc=0 t_all=$(date +%s) summary=
while read -r pair mtu cases; do
	[ -n "$pair" ] || continue
	name=$pair-$mtu
	case $cases in kill-*) name=$name-$cases ;; esac
	# shellcheck disable=SC2086
	hosts_run "$name" "$mtu" "$pair" $cases || rc=1
	summary+=$HR_LINE$'\n'
done <<<"$runs"
echo "=== test-hosts ($(($(date +%s) - t_all)) s)"
printf '%s' "$summary"
tap_count "$TAP_FILE"
echo "$T_PASS passed, $T_FAIL failed"
[ "$T_FAIL" -eq 0 ] && [ $rc -eq 0 ]
