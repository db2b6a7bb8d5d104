#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The two-host subset of 'make test': scripts/hosts.sh with a few cases on
# each pair of kernels, both directions between Debian's 6.1 and UML 6.12.
#
#   scripts/systest-hosts.sh
#
# Results: build/results/systest-hosts.tap, every pair's TAP
# (build/results/hosts-PAIR.tap) one after the other, each followed by a
# test that the run left nothing behind (hosts_run, scripts/lib.sh). The full matrix is 'make test-hosts'
# (scripts/test-hosts.sh). KMIG_HOSTS_SUBSET replaces the table below.
set -uo pipefail
KMIG_TAG=systest-hosts
. "$(dirname "$0")/lib.sh"

# PAIR CASES (names or globs of tests/hosts/cases.sh)
subset=${KMIG_HOSTS_SUBSET:-'
uml-uml    plain-crc live-crc-rtt10 colo
deb61-uml  plain-6 live flap
uml-deb61  plain-rtt10-loss live
'}
# Built once here, not by every run.
if [ "${KMIG_SKIP_USERSPACE:-0}" != 1 ]; then
	"$KMIG_TOP/scripts/modules.sh" uml-debug deb61 || die "the kmig module did not build"
	"$KMIG_TOP/scripts/userspace.sh" || die "the userspace programs did not build"
	export KMIG_SKIP_USERSPACE=1
fi
tap_begin systest-hosts
rc=0
while read -r pair cases; do
	[ -n "$pair" ] || continue
	# shellcheck disable=SC2086
	hosts_run "$pair" 1500 "$pair" $cases || rc=1
done <<<"$subset"
tap_count "$TAP_FILE"
log "$T_PASS passed, $T_FAIL failed"
exit $rc
