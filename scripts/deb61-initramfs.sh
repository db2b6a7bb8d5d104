#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The busybox initramfs that boots Debian's stock 6.1 kernel under QEMU for
# the system tests (scripts/systest-deb61.sh) and the two-host tests
# (scripts/hosts.sh).
#
#   scripts/deb61-initramfs.sh DIR    build DIR/initrd.gz (DIR/root: its tree)
#
# It holds busybox, bash, iproute2's ip and tc, jq (and the shared libraries
# they need), kmig.ko of the deb61 build (scripts/modules.sh deb61: built
# before), the clone without .git and build products, the kernel modules
# the tests need with their dependencies (KMIG_DEB61_MODULES; default: veth
# and crc32c_generic for the system tests; virtio_pci, virtio_net, sch_netem
# and 9p over virtio for a two-host test's link and shared directory) and
# tests/system/boot/deb61-init.sh as /init. Prints the kernel image's path
# (vmlinuz) on stdout.
set -euo pipefail
KMIG_TAG=deb61-initramfs
. "$(dirname "$0")/lib.sh"

run=${1:?usage: $0 DIR}
abi=$(deb61_abi)
[ -n "$abi" ] || die "$(missing_pkg linux-headers-amd64 "the Debian 6.1 kernel headers (linux-headers-amd64)")"
[ -x /bin/busybox ] || die "$(missing_pkg busybox-static)"
command -v ip >/dev/null || die "$(missing_pkg iproute2)"
command -v tc >/dev/null || die "$(missing_pkg iproute2)"
command -v jq >/dev/null || die "$(missing_pkg jq)"
[ -f "$KMIG_BUILD/deb61/kmod/kmig.ko" ] || die "no $KMIG_BUILD/deb61/kmod/kmig.ko (scripts/modules.sh deb61)"
want_mods=${KMIG_DEB61_MODULES:-veth crc32c_generic virtio_pci virtio_net sch_netem 9pnet_virtio 9p}
img=$(deb61_image_prepare)
moddir=$img/lib/modules/$abi

root=$run/root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,etc,kmig,lib64} "$root/lib/modules/$abi"
cp /bin/busybox "$root/bin/busybox"
for a in $(/bin/busybox --list); do
	[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
done
# Real bash, ip and tc (busybox's ip knows no netns/veth, and it has no
# tc); jq (with libjq and
# libonig) for tests/system/lib.sh's JSON readers.
rm -f "$root/bin/ip" "$root/bin/bash" "$root/bin/jq" "$root/bin/tc"
cp -L /bin/bash "$root/bin/bash"
cp -L "$(command -v ip)" "$root/bin/ip"
cp -L "$(command -v jq)" "$root/bin/jq"
cp -L "$(command -v tc)" "$root/bin/tc"
copy_libs "$root" "$root/bin/bash" "$root/bin/ip" "$root/bin/jq" "$root/bin/tc"
echo 'root:x:0:0:root:/tmp:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"

# The clone, without git metadata and build products.
rsync -a --exclude=.git --exclude=/build --exclude='*.o' --exclude='*.d' --exclude='.*.cmd' \
	"$KMIG_TOP/" "$root/kmig/src/"
mkdir -p "$root/kmig/ko"
cp "$KMIG_BUILD/deb61/kmod/kmig.ko" "$root/kmig/ko/kmig.ko"
while IFS= read -r -d '' f; do copy_libs "$root" "$f"; done \
	< <(find "$root/kmig/src" -type f -perm -u+x -print0)
cp "$KMIG_TOP/tests/system/boot/deb61-init.sh" "$root/init"
cat >"$root/kmig/conf.sh" <<CONF
KMIG_TOP=/kmig/src
KMIG_ENV=deb61
KMIG_KO=/kmig/ko/kmig.ko
KMIG_MIGCTL=/kmig/src/tools/migctl/migctl
KMIG_BIN=/kmig/src/tests/system
CONF

# Kernel modules and their dependencies (modules.dep), in load order; a
# module built into the kernel (modules.builtin) needs nothing.
: >"$root/kmig/modules.load"
declare -A seen=()
add_mod() { # path relative to $moddir
	local rel=$1 dep
	[ -n "${seen[$rel]:-}" ] && return 0
	seen[$rel]=1
	for dep in $(awk -v m="$rel:" '$1 == m { $1 = ""; print }' "$moddir/modules.dep"); do
		add_mod "$dep"
	done
	local dst=${rel%.xz}
	mkdir -p "$root/lib/modules/$abi/$(dirname "$rel")"
	case $rel in
	*.xz) xz -dc "$moddir/$rel" >"$root/lib/modules/$abi/$dst" ;;
	*) cp "$moddir/$rel" "$root/lib/modules/$abi/$dst" ;;
	esac
	echo "/lib/modules/$abi/$dst" >>"$root/kmig/modules.load"
}
for m in $want_mods; do
	rel=$(awk -F: -v m="${m//-/_}" '{ n = $1; sub(/.*\//, "", n); sub(/\.ko(\.xz)?$/, "", n); gsub(/-/, "_", n) }
		n == m { print $1; exit }' "$moddir/modules.dep")
	if [ -n "$rel" ]; then
		add_mod "$rel"
	elif grep -qE "/${m//-/[-_]}\.ko" "$moddir/modules.builtin"; then
		log "module $m is built into $abi"
	else
		die "module $m not found in $moddir"
	fi
done
cp "$moddir"/modules.{order,builtin} "$root/lib/modules/$abi/" 2>/dev/null || true
depmod -b "$root" "$abi" 2>/dev/null || true

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$run/initrd.gz"
log "initramfs: $(du -h "$run/initrd.gz" | cut -f1), modules: $(tr '\n' ' ' <"$root/kmig/modules.load")"

echo "$img/boot/vmlinuz-$abi"
