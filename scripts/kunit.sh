#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# KUnit suites (tests/kunit) with kunit.py on UML, in the cached source tree
# with this clone grafted in as drivers/kmig.
#
#   scripts/kunit.sh [extra kunit.py run arguments]
#
# Build dir: $KMIG_CACHE/build/kunit-<kver>-<hash of tests/kunit/.kunitconfig>.
# Log: build/logs/kunit.log. Results: build/results/kunit.tap, one TAP line
# per test case (suite.case), from kunit.py's JSON; a run that could not
# build or boot adds a failed test 'kunit run'.
set -euo pipefail
KMIG_TAG=kunit
. "$(dirname "$0")/lib.sh"

kcfg=$KMIG_TOP/tests/kunit/.kunitconfig
[ -f "$kcfg" ] || die "no $kcfg"
ksrc_lock
ksrc=$(ksrc_prepare)
bdir=$KMIG_CACHE/build/kunit-$(ksrc_kver)-$(hash_files "$kcfg")
logf=$KMIG_LOGS/kunit.log
json=$KMIG_BUILD/kunit.json
rm -f "$json"

# The build tree is shared by every clone; make goes by mtimes, so objects
# built from another clone's (newer) files would look up to date here.
if [ "$(cat "$bdir/.kmig-top" 2>/dev/null)" != "$KMIG_TOP" ]; then
	rm -rf "$bdir/drivers/kmig"
	mkdir -p "$bdir"
	echo "$KMIG_TOP" > "$bdir/.kmig-top"
fi

log "kunit.py run --build_dir $bdir (log: $logf)"
start=$(date +%s)
rc=0
(cd "$ksrc" && python3 tools/testing/kunit/kunit.py run --kunitconfig "$kcfg" \
	--build_dir "$bdir" --jobs "$KMIG_JOBS" --timeout "${KMIG_KUNIT_TIMEOUT:-900}" \
	--json="$json" "$@") >"$logf" 2>&1 </dev/null || rc=$?
log "kunit.py exited $rc after $(($(date +%s) - start))s"

tap_begin kunit
if [ -s "$json" ]; then
	python3 - "$json" >>"$TAP_FILE" <<'PY'
import json, sys
n = 0
def walk(g, prefix):
    global n
    name = g.get("name", "")
    path = prefix if name == "KUnit Test Group" else (prefix + "." + name if prefix else name)
    for c in g.get("test_cases", []):
        n += 1
        st = c["status"]
        line = ("ok" if st in ("PASS", "SKIP") else "not ok") + f" {n} - {path}.{c['name']}"
        if st == "SKIP":
            line += " # SKIP"
        if st == "ERROR":
            line += " (crashed)"
        print(line)
    for s in g.get("sub_groups", []):
        walk(s, path)
walk(json.load(open(sys.argv[1])), "")
PY
	TAP_N=$(grep -cE '^(not )?ok ' "$TAP_FILE" || true)
fi
summary=$(grep -E 'Testing complete\. Ran [0-9]+ tests' "$logf" | tail -n 1 || true)
if [ -z "$summary" ] || [ "$TAP_N" -eq 0 ]; then
	tap_notok "kunit run" >/dev/null
	log "kunit.py did not complete a test run; last lines of $logf:"
	tail -n 40 "$logf" | sed 's/^/    /' >&2
elif [ $rc -ne 0 ]; then
	log "$summary"
	grep -E '\[FAILED\]|\[CRASHED\]|# .*: (ASSERTION|EXPECTATION) FAILED|Expected ' "$logf" | indent 40
else
	log "$summary"
fi
# The kernel log from the first KTAP line on (kunit.py keeps it in test.log):
# KASAN, lockdep, might_sleep... reports that no KUnit assertion caught.
# (Before the tests, kunit's own UML config trips a WARNING in
# arch/um/drivers/virt-pci.c, "No virtio device ID configured for PCI".)
if [ -f "$bdir/test.log" ] && [ $TAP_N -gt 0 ]; then
	sed -n '/^K\{0,1\}TAP version/,$p' "$bdir/test.log" >"$KMIG_LOGS/kunit-kernel.log"
	problems=$(kernel_log_problems "$KMIG_LOGS/kunit-kernel.log")
	if [ -z "$problems" ]; then
		tap_ok "kernel log clean (kunit)" >/dev/null
	else
		tap_notok "kernel log clean (kunit)" >/dev/null
		log "kernel problems in $KMIG_LOGS/kunit-kernel.log:"
		printf '%s\n' "$problems" | indent 20
	fi
fi
cat "$TAP_FILE"
tap_count "$TAP_FILE"
log "kunit: $T_PASS passed, $T_FAIL failed, $T_SKIP skipped (of which passed)"
[ "$T_FAIL" -eq 0 ] && [ $rc -eq 0 ]
