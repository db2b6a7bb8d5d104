#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build a UML kernel out of tree (O=) from the cached linux-source-6.12.
#
#   scripts/uml-kernel.sh uml-debug|uml-bench   build if needed, print the O= dir
#   scripts/uml-kernel.sh NAME --check           exit 0 if built and up to date,
#                                                1 if not (builds nothing)
#
# uml-bench = ARCH=um defconfig + scripts/kconfig/uml-base.config
# uml-debug = uml-bench + scripts/kconfig/uml-debug.config (lockdep, KASAN, ...)
# The O= dir is keyed by source version and a hash of the fragments, so a
# repeat run only checks a stamp. KMIG_REBUILD=1 runs make again anyway.
set -euo pipefail
name=${1:?usage: $0 uml-debug|uml-bench}
KMIG_TAG=$name
. "$(dirname "$0")/lib.sh"

frags=("$KMIG_TOP/scripts/kconfig/uml-base.config")
case $name in
uml-bench) ;;
uml-debug) frags+=("$KMIG_TOP/scripts/kconfig/uml-debug.config") ;;
*) die "unknown kernel $name" ;;
esac

kver=$(ksrc_kver)
[ -n "$kver" ] || die "$(missing_pkg linux-source-6.12)"
bdir=$KMIG_CACHE/build/$name-$kver-$(hash_files "${frags[@]}")
# Built from the source with the current kernel patches (an incremental
# rebuild when they change).
uptodate() {
	[ -f "$bdir/.kmig-built" ] && [ -x "$bdir/linux" ] && [ "${KMIG_REBUILD:-0}" != 1 ] &&
		[ "$(cat "$bdir/.kmig-built")" = "patches $(ksrc_patch_id)" ]
}
if [ "${2:-}" = --check ]; then
	if uptodate; then exit 0; else exit 1; fi
fi
# Fast path, without the lock (another clone may be building).
if uptodate; then
	log "up to date: $bdir"
	echo "$bdir"
	exit 0
fi
ksrc_lock
if uptodate; then
	log "up to date: $bdir (built meanwhile)"
	echo "$bdir"
	exit 0
fi
ksrc=$(ksrc_prepare)
mk() { make -C "$ksrc" ARCH=um O="$bdir" "$@"; }

mkdir -p "$bdir"
logf=$KMIG_LOGS/kernel-$name.log
if [ ! -f "$bdir/.kmig-config" ]; then
	log "configuring $bdir"
	logrun "$logf.config" mk defconfig
	for f in "${frags[@]}"; do
		grep -E '^(CONFIG_|# CONFIG_.* is not set)' "$f"
	done >"$bdir/kmig-fragment.config"
	# Append the fragment and let olddefconfig resolve it (last one wins).
	cat "$bdir/kmig-fragment.config" >>"$bdir/.config"
	logrun "$logf.config" mk olddefconfig
	# Everything asked for must have stuck.
	bad=0
	while read -r line; do
		case $line in
		'# CONFIG_'*) opt=${line#\# }; opt=${opt%% *}
			if grep -q "^$opt=" "$bdir/.config"; then log "$opt: wanted off, is $(grep "^$opt=" "$bdir/.config")"; bad=1; fi ;;
		CONFIG_*) grep -qxF "$line" "$bdir/.config" ||
			{ log "$line: did not stick ($(grep -E "^(# )?${line%%=*}[= ]" "$bdir/.config" || echo absent))"; bad=1; } ;;
		esac
	done <"$bdir/kmig-fragment.config"
	[ $bad -eq 0 ] || die "config fragment does not apply to $bdir/.config"
	touch "$bdir/.kmig-config"
fi

log "building $bdir (log: $logf)"
start=$(date +%s)
logrun "$logf" mk -j"$KMIG_JOBS" all || die "kernel build failed"
log "built in $(($(date +%s) - start)) s"
echo "patches $(ksrc_patch_id)" >"$bdir/.kmig-built"
echo "$bdir"
