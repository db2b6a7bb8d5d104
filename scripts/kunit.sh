#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# KUnit suites (tests/kunit) in the debug UML kernel of the system tests
# (uml-debug: lockdep, KASAN, kmemleak, ... and CONFIG_KUNIT=y), so that no
# kernel is built for KUnit alone:
#   1. scripts/modules.sh kunit: kmig.ko with the suites linked in
#      (CONFIG_KMIG_KUNIT_TEST=y; build/kunit/kmod/kmig.ko);
#   2. scripts/systest-uml.sh --kunit: a boot of uml-debug that loads it
#      (the suites run at load, insmod returns when they are done), copies
#      the kernel log from the load on to build/uml-kunit/output.txt and
#      unloads it;
#   3. tools/testing/kunit/kunit.py parse (from the cached kernel source)
#      reads the KTAP back.
#
#   scripts/kunit.sh
#
# Logs: build/logs/kunit.log (kunit.py parse), build/logs/kunit-uml-console.log
# (the console), build/logs/kunit-kernel.log (the kernel log of the load). Results: build/results/kunit.tap, one TAP line per test case
# (suite.case) from kunit.py's JSON, then 'kernel log clean (kunit)'; a run
# that could not build or boot adds a failed test 'kunit run', a module that
# does not unload after the suites a failed test 'kmig unloads after the
# KUnit suites'.
set -euo pipefail
KMIG_TAG=kunit
. "$(dirname "$0")/lib.sh"

logf=$KMIG_LOGS/kunit.log
json=$KMIG_BUILD/kunit.json
out=$KMIG_BUILD/uml-kunit/output.txt
console=$KMIG_LOGS/kunit-uml-console.log
rm -f "$json" "$out"
: >"$logf"

start=$(date +%s)
rc=0
"$KMIG_TOP/scripts/systest-uml.sh" --kunit || rc=$?
log "the KUnit boot exited $rc after $(($(date +%s) - start))s"

# The kernel log from the load on; if the kernel died before it was
# copied, what reached the console.
ktap=$out
if [ ! -s "$ktap" ] || ! grep -q 'KTAP version' "$ktap"; then
	ktap=$KMIG_BUILD/uml-kunit/console-ktap.txt
	sed -n '/^uml-init: running the KUnit suites/,$p' "$console" 2>/dev/null >"$ktap" || true
fi
kunitpy=$(ksrc_dir)/tools/testing/kunit/kunit.py
prc=0
if [ ! -f "$kunitpy" ]; then
	log "no $kunitpy (the kernel source is unpacked by scripts/uml-kernel.sh)"
	prc=1
elif grep -q 'KTAP version' "$ktap"; then
	python3 "$kunitpy" parse --json="$json" "$ktap" >"$logf" 2>&1 </dev/null || prc=$?
else
	prc=1
fi

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
	log "no KUnit results; last lines of $console:"
	{ tail -n 40 "$console" 2>/dev/null || true; } | sed 's/^/    /' >&2
elif [ $prc -ne 0 ]; then
	log "$summary"
	{ grep -E '\[FAILED\]|\[CRASHED\]|# .*: (ASSERTION|EXPECTATION) FAILED|Expected ' "$logf" || true; } | indent 40
else
	log "$summary"
fi
if [ "$TAP_N" -gt 0 ]; then
	st=$(sed -n 's/^uml-init: rmmod exit status //p' "$out" 2>/dev/null || true)
	if [ "$st" != 0 ]; then
		tap_notok "kmig unloads after the KUnit suites" >/dev/null
		log "rmmod kmig after the suites: ${st:-not run} (a suite left a region or a reference?)"
	fi
	# The kernel log of the load (timestamps off, indentation kept):
	# KASAN, lockdep, might_sleep... reports that no KUnit assertion caught.
	sed 's/^\[ *[0-9]*\.[0-9]*\] //' "$ktap" >"$KMIG_LOGS/kunit-kernel.log"
	tap_klog "kernel log clean (kunit)" "$KMIG_LOGS/kunit-kernel.log" || true
fi
cat "$TAP_FILE"
tap_count "$TAP_FILE"
log "kunit: $T_PASS passed, $T_FAIL failed, $T_SKIP skipped (of which passed)"
[ "$T_FAIL" -eq 0 ] && [ $rc -eq 0 ] && [ $prc -eq 0 ]
