#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages that building and testing kmig needs. Checks
# with dpkg-query first and runs apt-get (update, install) only when
# something is missing, so a repeat run takes well under a second.
#
#   scripts/deps.sh          everything (make deps: tests, kernels, bench)
#   scripts/deps.sh deb      only what make deb needs (debian/control's
#                            Build-Depends, lintian)
#   scripts/deps.sh dkms     only what make dkms-install needs: dkms, and
#                            the running kernel's headers when Debian has them
set -euo pipefail
KMIG_TAG=deps
. "$(dirname "$0")/lib.sh"

profile=${1:-all}
case $profile in
deb)
	pkgs=(build-essential rsync fakeroot debhelper dh-dkms lintian pkgconf
		libnl-3-dev libnl-genl-3-dev libjson-c-dev) ;;
dkms)
	pkgs=(dkms build-essential)
	hdr=linux-headers-$(uname -r)
	if apt-cache show "$hdr" >/dev/null 2>&1; then
		pkgs+=("$hdr")
	else
		log "note: Debian has no $hdr (not a Debian kernel?): DKMS builds kmig only for kernels whose headers are installed"
	fi ;;
all) ;;
*) die "unknown profile $profile (all, deb, dkms)" ;;
esac
[ "$profile" != all ] || pkgs=(
	build-essential make gcc bc flex bison libelf-dev libssl-dev pkg-config
	perl rsync cpio xz-utils kmod util-linux patch
	busybox-static qemu-system-x86 iproute2
	linux-headers-amd64 linux-source-6.12
	libnl-3-dev libnl-genl-3-dev
	# the VM migration demo (tests/system/demo.sh) and its JSON handling
	libjson-c-dev jq
	python3 python3-yaml python3-jsonschema
	# make check: the sparse build of kmod/ (scripts/modules.sh sparse)
	sparse
	# make unit: migctl's man page rendered as lintian checks it (man
	# --warnings) and its bash completion (tools/migctl/tests)
	man-db groff-base bash-completion
	# make deb (debhelper, dh-dkms, lintian), make dkms-install (dkms),
	# the install test: its Debian 12 system (debootstrap, mkfs.ext4) and
	# the disk it boots from (qemu-img)
	debhelper dh-dkms dkms lintian fakeroot debootstrap e2fsprogs qemu-utils
	# make fuzz: clang (14 on Debian 12) and its libFuzzer and sanitizer
	# runtimes, only recommended by clang (we install without those).
	clang libclang-rt-dev
	# make bench's long link (tests/bench/hosts-bench.sh): one plain TCP
	# stream between the two hosts, the single-stream limit
	iperf3
)

updated=0
apt_update() {
	[ $updated -eq 1 ] && return 0
	log "apt-get update"
	logrun "$KMIG_LOGS/apt-update.log" apt-get update || die "apt-get update failed"
	updated=1
}
apt_install() {
	[ $# -gt 0 ] || return 0
	[ "$(id -u)" -eq 0 ] ||
		die "missing Debian packages: $*: run 'make deps' as root (or: sudo apt-get install $*)"
	command -v apt-get >/dev/null || die "missing Debian packages: $* (and no apt-get: kmig needs Debian 12)"
	apt_update
	log "apt-get install $*"
	DEBIAN_FRONTEND=noninteractive logrun "$KMIG_LOGS/apt-install.log" \
		apt-get install -y --no-install-recommends "$@" || die "apt-get install failed"
}

# One dpkg-query for all of them (it exits non-zero when any is unknown).
installed=" $({ dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${pkgs[@]}" 2>/dev/null || true; } |
	awk '$1 == "ii" { sub(/:.*/, "", $2); printf "%s ", $2 }')"
missing=()
for p in "${pkgs[@]}"; do
	case $installed in *" $p "*) ;; *) missing+=("$p") ;; esac
done
apt_install "${missing[@]}"
if [ "$profile" != all ]; then
	log "ok: $profile: ${pkgs[*]}"
	exit 0
fi

# 6.12 headers: prefer the ones matching linux-source-6.12 (for the same
# kernel the UML and KUnit kernels are built from); else the newest
# installed or, failing that, the newest available 6.12 headers.
kver=$(ksrc_kver)
[ -n "$kver" ] || die "linux-source-6.12 is still not installed after apt-get install (see $KMIG_LOGS/apt-install.log)"
want=linux-headers-$kver+deb12-amd64
if [ -z "$(deb_installed "$want")" ]; then
	if ! apt-cache show "$want" >/dev/null 2>&1; then
		apt_update
	fi
	if apt-cache show "$want" >/dev/null 2>&1; then
		apt_install "$want"
	elif [ -z "$(deb612_release)" ]; then
		newest=$({ apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' || true; } |
			awk '{print $1}' | sort -V | tail -n 1)
		[ -n "$newest" ] || die "no linux-headers-6.12.*+deb12-amd64 package found"
		apt_install "$newest"
	else
		log "note: $want not available; using $(deb612_release)"
	fi
fi

# scripts/ynl-check.sh runs 'python3' from PATH; it needs yaml and jsonschema.
# (scripts/check.sh falls back to /usr/bin/python3 when PATH's lacks them.)
/usr/bin/python3 -c 'import yaml, jsonschema' 2>/dev/null ||
	die "/usr/bin/python3 lacks yaml/jsonschema"

log "ok: 6.1 headers $(deb61_abi) ($(deb61_pkgver)), 6.12 headers $(deb612_release), source $(ksrc_debver)"
