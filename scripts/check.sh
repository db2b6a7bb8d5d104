#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Static checks, each counted as one test (TAP to stdout and
# build/results/check.tap; details in build/logs/check-*.log):
#   checkpatch       scripts/checkpatch.pl --no-tree --strict -f on kmod/*.[ch],
#                    tests/kunit/*.c, include/uapi/linux/kmig.h (from the cached
#                    6.12 source); any ERROR/WARNING/CHECK fails
#   ynl-check        scripts/ynl-check.sh <cached 6.12 source>: uapi header and
#                    kmod/generated/netlink.[ch] as ynl-gen-c makes them
#   W=1 build 6.1    scripts/modules.sh deb61  (zero warnings)
#   W=1 build 6.12   scripts/modules.sh deb612 (zero warnings)
#   sparse           scripts/modules.sh sparse: C=2 CHECK=sparse against the
#                    uml-debug tree, any sparse warning in kmod/ fails
#   migctl cli-usage tools/migctl/tests/cli-usage.sh (when it exists)
#   wire codec       make -C tests/wire check: the wire protocol codec built in
#                    userspace, randomized round trips and a mutation loop,
#                    plain and with ASan/UBSan
#   wire fuzz smoke  FUZZ_SECONDS=60 scripts/fuzz.sh: libFuzzer, any crash fails
set -uo pipefail
KMIG_TAG=check
. "$(dirname "$0")/lib.sh"

ksrc=$(ksrc_dir)
if [ ! -f "$ksrc/.kmig-unpacked" ]; then
	ksrc=$("$KMIG_TOP/scripts/kernel-src.sh") || die "no kernel source"
fi

tap_begin check
cd "$KMIG_TOP" || exit 1

# checkpatch
logf=$KMIG_LOGS/check-checkpatch.log
: >"$logf"
ok=1
for f in kmod/*.c kmod/*.h tests/kunit/*.c include/uapi/linux/kmig.h; do
	[ -f "$f" ] || continue
	out=$("$ksrc/scripts/checkpatch.pl" --no-tree --strict --show-types -f "$f" 2>&1)
	printf '%s\n' "$out" >>"$logf"
	if ! grep -q '^total: 0 errors, 0 warnings, 0 checks' <<<"$out"; then
		ok=0
		log "checkpatch: $f:"
		printf '%s\n' "$out" | grep -E -A3 '^(ERROR|WARNING|CHECK)' | indent 30
	fi
done
if [ $ok -eq 1 ]; then tap_ok "checkpatch --strict"; else tap_notok "checkpatch --strict"; fi

# ynl-check: python3 from PATH must have yaml and jsonschema; else Debian's.
logf=$KMIG_LOGS/check-ynl.log
pathdir=
if ! python3 -c 'import yaml, jsonschema' 2>/dev/null; then
	pathdir=$(mktemp -d)
	ln -s /usr/bin/python3 "$pathdir/python3"
fi
if PATH=${pathdir:+$pathdir:}$PATH logrun "$logf" "$KMIG_TOP/scripts/ynl-check.sh" "$ksrc"; then
	tap_ok "ynl-check (uapi header and generated netlink code match the spec)"
else
	tap_notok "ynl-check (uapi header and generated netlink code match the spec)"
fi
[ -n "$pathdir" ] && rm -rf "$pathdir"

# Zero-warning W=1 builds.
for t in deb61 deb612; do
	case $t in deb61) kv=$(deb61_abi) ;; deb612) kv=$(deb612_release) ;; esac
	if "$KMIG_TOP/scripts/modules.sh" "$t"; then
		tap_ok "W=1 build without warnings for $kv"
	else
		tap_notok "W=1 build without warnings for $kv"
	fi
done

# sparse over every kmod/ file (C=2), in the uml-debug tree.
if "$KMIG_TOP/scripts/modules.sh" sparse; then
	tap_ok "sparse without warnings in kmod/"
else
	tap_notok "sparse without warnings in kmod/"
fi

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

# Wire codec fuzz smoke: 60 s of libFuzzer over both harnesses (fuzz.sh).
if [ -f tests/wire/Makefile ]; then
	logf=$KMIG_LOGS/check-fuzz.log
	if FUZZ_SECONDS=60 logrun "$logf" "$KMIG_TOP/scripts/fuzz.sh"; then
		tap_ok "wire fuzz smoke: $(sed -n 's/^fuzz: //p' "$logf")"
	else
		tap_notok "wire fuzz smoke: $(sed -n 's/^fuzz: //p' "$logf" |
			grep . || echo "did not run, see $logf")"
	fi
fi

# Userspace selftests: migctl (fake kernel), the example VMM, and the
# userspace wire peers of the system tests against each other.
for d in tools/migctl tools/example-vmm tests/system; do
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
log "check: $T_PASS passed, $T_FAIL failed"
[ "$T_FAIL" -eq 0 ]
