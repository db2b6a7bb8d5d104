#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build kmod/ for several kernels without their objects clashing: each
# target builds in its own staging dir build/<target>/kmod (an rsync of
# kmod/ that keeps mtimes, so rebuilds are incremental) beside
# build/<target>/include -> <clone>/include.
#
#   scripts/modules.sh [uml-debug|uml-bench|deb61|deb612|kunit|sparse ...]
#                      (default: uml-debug uml-bench deb61 deb612)
#
# kunit is kmig.ko for uml-debug with the KUnit suites (tests/kunit) linked
# in (CONFIG_KMIG_KUNIT_TEST=m, see Kconfig): they run when it is loaded.
# Its staging dir build/kunit also holds tests/kunit, where kmod/Kbuild
# finds them (../tests/kunit, as in the clone).
#
# uml-bench, the module of make bench and make demo, is the only one with
# the benchmark hooks in debugfs (CONFIG_KMIG_BENCH=y: kmod/bench*.c).
#
# sparse is the uml-debug module built with C=2 CHECK=sparse (every file
# checked, even when up to date): any sparse warning in a kmod/ file fails
# it (warnings from kernel headers are not counted).
#
# deb61 and deb612 build with W=1 and fail on any compiler warning. A target
# whose last build warned is rebuilt from clean, so warnings are never hidden
# by an incremental no-op build.
set -euo pipefail
KMIG_TAG=modules
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || set -- uml-debug uml-bench deb61 deb612
[ -f "$KMIG_TOP/kmod/Kbuild" ] || die "no kmod/Kbuild"
version=$(git -C "$KMIG_TOP" describe --always --dirty 2>/dev/null || echo unknown)

# rsync SRC/ into DST/, keeping mtimes and leaving build products alone.
stage_sync() {
	mkdir -p "$2"
	rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude='.*.cmd' --exclude='modules.order' --exclude='Module.symvers' \
		--exclude='*.a' --exclude='.*.d' "$1/" "$2/"
}

build_one() {
	local t=$1 kdir stage logf w=() arch=() opts=() nwarn
	case $t in
	uml-debug)
		kdir=$("$KMIG_TOP/scripts/uml-kernel.sh" "$t") || return 1
		arch=(ARCH=um) ;;
	uml-bench)
		kdir=$("$KMIG_TOP/scripts/uml-kernel.sh" "$t") || return 1
		arch=(ARCH=um); opts=(CONFIG_KMIG_BENCH=y) ;;
	sparse)
		command -v sparse >/dev/null ||
			{ log "$t: $(missing_pkg sparse)"; return 1; }
		kdir=$("$KMIG_TOP/scripts/uml-kernel.sh" uml-debug) || return 1
		arch=(ARCH=um); opts=(C=2 CHECK=sparse) ;;
	kunit)
		kdir=$("$KMIG_TOP/scripts/uml-kernel.sh" uml-debug) || return 1
		arch=(ARCH=um); opts=(CONFIG_KMIG_KUNIT_TEST=m)
		grep -qx 'CONFIG_KUNIT=y' "$kdir/.config" ||
			{ log "$t: $kdir has no CONFIG_KUNIT=y"; return 1; } ;;
	deb61) kdir=$(deb61_headers) ; w=(W=1) ;;
	deb612) kdir=$(deb612_headers) ; w=(W=1) ;;
	*) log "unknown target $t"; return 1 ;;
	esac
	if [ -z "$kdir" ] || [ ! -d "$kdir" ]; then
		case $t in
		deb61) log "$t: $(missing_pkg linux-headers-amd64 "the Debian 6.1 headers (linux-headers-amd64)")" ;;
		deb612) log "$t: $(missing_pkg 'linux-headers-6.12.*+deb12-amd64' "the Debian 6.12 headers (linux-headers-6.12.*+deb12-amd64)")" ;;
		*) log "$t: no kernel build dir ${kdir:-}" ;;
		esac
		return 1
	fi

	stage=$KMIG_BUILD/$t
	mkdir -p "$stage"
	ln -sfnT "$KMIG_TOP/include" "$stage/include"
	stage_sync "$KMIG_TOP/kmod" "$stage/kmod"
	[ $t != kunit ] || stage_sync "$KMIG_TOP/tests/kunit" "$stage/tests/kunit"
	# The kernel build dir is part of the staging key: a rebuilt kernel at
	# a new path (new config hash) means a clean module build.
	if [ "$(cat "$stage/.kmig-kdir" 2>/dev/null)" != "$kdir" ] || [ -f "$stage/.kmig-warned" ]; then
		make -C "$kdir" "${arch[@]}" M="$stage/kmod" clean >/dev/null 2>&1 || true
		[ ! -d "$stage/tests" ] || find "$stage/tests" \( -name '*.o' -o -name '.*.cmd' \) -delete
		rm -f "$stage/.kmig-warned"
		echo "$kdir" >"$stage/.kmig-kdir"
	fi

	logf=$KMIG_LOGS/module-$t.log
	if ! logrun "$logf" make -C "$kdir" "${arch[@]}" M="$stage/kmod" CONFIG_KMIG=m "${opts[@]}" \
		KMIG_VERSION="$version" "${w[@]}" -j"$KMIG_JOBS" modules; then
		touch "$stage/.kmig-warned"
		log "$t: build FAILED (log: $logf)"
		return 1
	fi
	if [ $t = sparse ]; then
		# Sparse reports as FILE:LINE:COL: warning|error: ...
		nwarn=$(grep -cE '(^|/)kmod/[^:]+:[0-9]+:[0-9]+: (warning|error):' "$logf" || true)
		if [ "$nwarn" -gt 0 ]; then
			log "$t: $nwarn sparse warning(s) in kmod/, zero allowed (log: $logf):"
			grep -E '(^|/)kmod/[^:]+:[0-9]+:[0-9]+: (warning|error):' "$logf" |
				sed "s|$stage/||" | indent 40
			return 1
		fi
		log "$t: ok: no sparse warning in kmod/"
		return 0
	fi
	nwarn=$(grep -c 'warning:' "$logf" || true)
	if [ "$nwarn" -gt 0 ]; then
		touch "$stage/.kmig-warned"
		if [ ${#w[@]} -gt 0 ]; then
			log "$t: $nwarn warning(s) with W=1, zero allowed (log: $logf):"
			grep -A3 'warning:' "$logf" | indent 40
			return 1
		fi
		log "$t: $nwarn warning(s) (log: $logf)"
	fi
	[ -f "$stage/kmod/kmig.ko" ] || { log "$t: no kmig.ko"; return 1; }
	log "$t: ok: $stage/kmod/kmig.ko"
}

rc=0
for t in "$@"; do
	build_one "$t" || rc=1
done
exit $rc
