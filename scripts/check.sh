#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The static suite of 'make check' ('make static'; the userspace unit
# tests are scripts/unit.sh, 'make unit'), each check counted as one test
# (TAP to stdout and build/results/static.tap; details in
# build/logs/check-*.log):
#   checkpatch       scripts/checkpatch.pl --no-tree --strict -f on kmod/*.[ch],
#                    tests/kunit/*.[ch], include/uapi/linux/kmig.h (from the cached
#                    6.12 source); any ERROR/WARNING/CHECK fails
#   ynl-check        scripts/ynl-check.sh <cached 6.12 source>: uapi header and
#                    kmod/generated/netlink.[ch] as ynl-gen-c makes them
#   W=1 build 6.1    scripts/modules.sh deb61  (zero warnings)
#   W=1 build 6.12   scripts/modules.sh deb612 (zero warnings)
#   sparse           scripts/modules.sh sparse: C=2 CHECK=sparse against the
#                    uml-debug tree, any sparse warning in kmod/ fails
#   include graph    scripts/include-graph.py --check: no include cycle among
#                    kmod/'s objects (architecture.rst, "Include graph")
#   abi-check        scripts/abi-check.sh, one test per check it makes: every
#                    module parameter has a MODULE_PARM_DESC (source, and
#                    modinfo on the kmig.ko the W=1 build just made), and
#                    Documentation/ABI/testing/sysfs-{module,kernel}-kmig
#                    list exactly the parameters and sysfs attributes of kmod/
set -uo pipefail
KMIG_TAG=static
. "$(dirname "$0")/lib.sh"

ksrc=$(ksrc_dir)
if [ ! -f "$ksrc/.kmig-unpacked" ]; then
	ksrc=$("$KMIG_TOP/scripts/kernel-src.sh") || die "no kernel source"
fi

tap_begin static
cd "$KMIG_TOP" || exit 1

# checkpatch
logf=$KMIG_LOGS/check-checkpatch.log
: >"$logf"
ok=1
for f in kmod/*.c kmod/*.h tests/kunit/*.c tests/kunit/*.h include/uapi/linux/kmig.h; do
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

# The object include graph of kmod/ is a DAG (architecture.rst, "Include
# graph"): any cycle fails.
logf=$KMIG_LOGS/check-include-graph.log
if logrun "$logf" python3 "$KMIG_TOP/scripts/include-graph.py" --check \
	"$KMIG_TOP/kmod"; then
	tap_ok "kmod/ include graph: acyclic"
else
	grep 'cycle' "$logf" | indent 20
	tap_notok "kmod/ include graph: acyclic"
fi

# Module parameters and sysfs attributes against Documentation/ABI; after
# the W=1 builds, so that modinfo reads a kmig.ko of this source.
logf=$KMIG_LOGS/check-abi.log
"$KMIG_TOP/scripts/abi-check.sh" >"$logf" 2>&1
abi_n=0
while IFS= read -r line; do
	case $line in
	"ok "*"# SKIP "*)
		abi_n=$((abi_n + 1))
		line=${line#ok * - }
		tap_skip "abi-check: ${line%% # SKIP *}" "${line#* # SKIP }"
		;;
	"ok "*) abi_n=$((abi_n + 1)); tap_ok "abi-check: ${line#ok * - }" ;;
	"not ok "*)
		abi_n=$((abi_n + 1))
		tap_notok "abi-check: ${line#not ok * - }"
		log "abi-check: ${line#not ok * - }:"
		;;
	"# "*) printf '%s\n' "${line#\# }" | indent 30 ;;
	esac
done <"$logf"
[ "$abi_n" -gt 0 ] || tap_notok "abi-check: ran (see $logf)"

tap_count "$TAP_FILE"
log "static: $T_PASS passed, $T_FAIL failed"
[ "$T_FAIL" -eq 0 ]
