#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the userspace parts: migctl (tools/migctl), the system test
# programs (tests/system) and the example VMM kmig-vmm (tools/example-vmm,
# static; the system tests run it). A part whose Makefile does not exist
# yet is skipped with a note.
#
#   scripts/userspace.sh [migctl] [systest] [vmm]     (default: all three)
set -euo pipefail
KMIG_TAG=userspace
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || set -- migctl systest vmm
rc=0
for part in "$@"; do
	case $part in
	migctl) dir=$KMIG_TOP/tools/migctl ;;
	systest) dir=$KMIG_TOP/tests/system ;;
	vmm) dir=$KMIG_TOP/tools/example-vmm ;;
	*) die "unknown part $part" ;;
	esac
	if [ ! -f "$dir/Makefile" ]; then
		log "$part: no $dir/Makefile yet, skipped"
		continue
	fi
	if logrun "$KMIG_LOGS/$part.log" make -C "$dir" -j"$KMIG_JOBS"; then
		log "$part: ok"
	else
		log "$part: build FAILED (log: $KMIG_LOGS/$part.log)"
		rc=1
	fi
done
exit $rc
