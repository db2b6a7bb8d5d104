#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kmig with DKMS from the tree, without the Debian packages (make
# dkms-install, make dkms-uninstall):
#
#   scripts/dkms.sh install     the source in /usr/src/kmig-VERSION
#                               (scripts/dkms-src.sh), dkms add, and dkms
#                               install for every kernel in /lib/modules
#                               that has its headers; the udev rule in
#                               /etc/udev/rules.d/60-kmig.rules
#   scripts/dkms.sh uninstall   dkms remove --all, the source, the rule
#
# VERSION is the packages' (debian/changelog). DKMS rebuilds kmig at every
# kernel upgrade (AUTOINSTALL). migctl is make -C tools/migctl install.
set -euo pipefail
KMIG_TAG=dkms
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || die "make dkms-install and dkms-uninstall need root"
ver=$(sed -n '1s/^kmig (\([^)-]*\).*/\1/p' "$KMIG_TOP/debian/changelog")
[ -n "$ver" ] || die "no version in debian/changelog"
src=/usr/src/kmig-$ver
rule=/etc/udev/rules.d/60-kmig.rules

case ${1:-} in
install)
	command -v dkms >/dev/null || die "$(missing_pkg dkms)"
	if [ -n "$(dkms status -m kmig -v "$ver" 2>/dev/null)" ]; then
		log "kmig $ver is already in DKMS: replacing it"
		dkms remove -m kmig -v "$ver" --all >/dev/null
	fi
	rm -rf "$src"
	"$KMIG_TOP/scripts/dkms-src.sh" "$src" "$ver"
	dkms add -m kmig -v "$ver"
	n=0
	for b in /lib/modules/*/build; do
		[ -e "$b/Makefile" ] || continue
		k=${b%/build}; k=${k##*/}
		dkms install -m kmig -v "$ver" -k "$k" || die "dkms install for $k failed (its log: /var/lib/dkms/kmig/$ver/build/make.log)"
		n=$((n + 1))
	done
	[ $n -gt 0 ] || log "no kernel has its headers installed: DKMS builds kmig when one does (Debian: apt-get install linux-headers-$(uname -r))"
	[ -e "/lib/modules/$(uname -r)/build/Makefile" ] ||
		log "note: no headers for the running kernel $(uname -r): kmig is not built for it"
	install -D -m 0644 "$KMIG_TOP/dist/60-kmig.rules" "$rule"
	log "ok: kmig $ver in DKMS for $n kernel(s), udev rule $rule"
	;;
uninstall)
	if command -v dkms >/dev/null && [ -n "$(dkms status -m kmig -v "$ver" 2>/dev/null)" ]; then
		# dkms remove needs the source's dkms.conf: put it back if gone.
		[ -f "$src/dkms.conf" ] || "$KMIG_TOP/scripts/dkms-src.sh" "$src" "$ver"
		dkms remove -m kmig -v "$ver" --all
	fi
	rm -rf "$src" "$rule"
	log "ok: kmig $ver removed from DKMS, $src and $rule"
	;;
*)
	echo "usage: $0 install|uninstall" >&2
	exit 2
	;;
esac
