#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The unit suite of 'make check' ('make unit'; the static checks are
# scripts/check.sh, 'make static'): userspace tests, no kernel, each
# counted as one test (TAP to stdout and build/results/unit.tap; details in
# build/logs/check-*.log):
#   migctl cli-usage tools/migctl/tests/cli-usage.sh (when it exists)
#   wire codec       make -C tests/wire check: the wire protocol codec built in
#                    userspace, randomized round trips and a mutation loop,
#                    plain and with ASan/UBSan
#   wire fuzz smoke  FUZZ_SECONDS=30 scripts/fuzz.sh: libFuzzer, any crash fails
#                    (make fuzz is the long run; this catches a codec change
#                    that crashes at once)
#   selftests        make check in tools/migctl (fake kernel),
#                    tools/example-vmm, tests/system (the userspace wire
#                    peers against each other) and tests/bench (make
#                    bench's report.py on synthetic rounds)
set -uo pipefail
KMIG_TAG=unit
. "$(dirname "$0")/lib.sh"

tap_begin unit
cd "$KMIG_TOP" || exit 1

# migctl offline CLI tests.
cli=$KMIG_TOP/tools/migctl/tests/cli-usage.sh
if [ -f "$cli" ]; then
	logf=$KMIG_LOGS/check-migctl-cli.log
	if "$KMIG_TOP/scripts/userspace.sh" migctl &&
		logrun "$logf" bash "$cli" && ! grep -q '^not ok' "$logf"; then
		tap_ok "migctl cli-usage ($(grep -cE '^ok ' "$logf") checks)"
	else
		grep '^not ok' "$logf" 2>/dev/null | indent 20
		tap_notok "migctl cli-usage"
	fi
else
	log "no $cli yet"
fi

# Wire protocol codec in userspace (same kmod/wire.c as the module).
if [ -f tests/wire/Makefile ]; then
	logf=$KMIG_LOGS/check-wire.log
	if logrun "$logf" make -C tests/wire check && ! grep -q '^not ok' "$logf"; then
		tap_ok "wire codec round trips and mutations, plain and ASan/UBSan"
	else
		grep '^not ok' "$logf" 2>/dev/null | indent 20
		tap_notok "wire codec round trips and mutations, plain and ASan/UBSan"
	fi
fi

# Wire codec fuzz smoke: 30 s of libFuzzer over both harnesses (fuzz.sh).
if [ -f tests/wire/Makefile ]; then
	logf=$KMIG_LOGS/check-fuzz.log
	if FUZZ_SECONDS=30 logrun "$logf" "$KMIG_TOP/scripts/fuzz.sh"; then
		tap_ok "wire fuzz smoke: $(sed -n 's/^fuzz: //p' "$logf")"
	else
		tap_notok "wire fuzz smoke: $(sed -n 's/^fuzz: //p' "$logf" |
			grep . || echo "did not run, see $logf")"
	fi
fi

# Userspace selftests: migctl (fake kernel), the example VMM, the
# userspace wire peers of the system tests against each other, and make
# bench's report.
for d in tools/migctl tools/example-vmm tests/system tests/bench; do
	logf=$KMIG_LOGS/check-$(basename "$d").log
	if logrun "$logf" make -C "$d" check && ! grep -q '^not ok' "$logf"; then
		# TAP lines, or summaries like "4537 checks, 0 failed".
		n=$(awk '/^ok / { n++ }
			/^[0-9]+ checks, 0 failed/ { n += $1 }
			/^[a-z-]+: [0-9]+ passed, 0 failed/ { n += $2 }
			END { print n + 0 }' "$logf")
		tap_ok "$d selftests ($n checks)"
	else
		grep '^not ok' "$logf" 2>/dev/null | indent 20
		tap_notok "$d selftests"
	fi
done

tap_count "$TAP_FILE"
log "unit: $T_PASS passed, $T_FAIL failed"
[ "$T_FAIL" -eq 0 ]
