#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# System tests on Debian's stock 6.1 kernel under QEMU (TCG; no KVM).
#
#   scripts/systest-deb61.sh
#
# Fetches linux-image-<abi>-unsigned matching the installed 6.1 headers into
# the cache (apt-get download, dpkg-deb -x), builds a busybox initramfs with
# kmig.ko (deb61 build), the clone (migctl, tests/system, ...), the shared
# libraries they need, bash, iproute2's ip, jq, the kernel modules tests need
# (KMIG_DEB61_MODULES, default "veth crc32c_generic", plus dependencies) and
# tests/system/boot/deb61-init.sh as /init; boots it and reads the TAP of
# run-tests.sh from the serial console (build/logs/systest-deb61-console.log).
# Results: build/results/systest-deb61.tap, counted as for UML.
# Timeout: KMIG_QEMU_TIMEOUT seconds (default 1800).
# KMIG_SKIP_USERSPACE=1: the userspace parts are already built (scripts/test.sh
# builds them once, before this and systest-uml run at the same time).
set -euo pipefail
KMIG_TAG=systest-deb61
. "$(dirname "$0")/lib.sh"

abi=$(deb61_abi)
ver=$(deb61_pkgver)
[ -n "$abi" ] && [ -n "$ver" ] ||
	die "$(missing_pkg linux-headers-amd64 "the Debian 6.1 kernel headers (linux-headers-amd64)")"
command -v qemu-system-x86_64 >/dev/null || die "$(missing_pkg qemu-system-x86)"
[ -x /bin/busybox ] || die "$(missing_pkg busybox-static)"
command -v ip >/dev/null || die "$(missing_pkg iproute2)"
command -v jq >/dev/null || die "$(missing_pkg jq)"
timeout_s=${KMIG_QEMU_TIMEOUT:-1800}
want_mods=${KMIG_DEB61_MODULES:-veth crc32c_generic}

# 1. The kernel image, unpacked once per version.
img=$(deb61_image_prepare)
vmlinuz=$img/boot/vmlinuz-$abi
moddir=$img/lib/modules/$abi

# 2. What goes into the initramfs.
"$KMIG_TOP/scripts/modules.sh" deb61 || die "the kmig module (deb61) did not build"
if [ "${KMIG_SKIP_USERSPACE:-0}" != 1 ]; then
	"$KMIG_TOP/scripts/userspace.sh" || log "warning: userspace build failed; running anyway"
fi

run=$KMIG_BUILD/deb61-run
root=$run/root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,etc,kmig,lib64} "$root/lib/modules/$abi"
cp /bin/busybox "$root/bin/busybox"
for a in $(/bin/busybox --list); do
	[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
done
# Real bash and ip (busybox's ip knows no netns/veth); jq (with libjq and
# libonig) for tests/system/lib.sh's JSON readers.
rm -f "$root/bin/ip" "$root/bin/bash" "$root/bin/jq"
cp -L /bin/bash "$root/bin/bash"
cp -L "$(command -v ip)" "$root/bin/ip"
cp -L "$(command -v jq)" "$root/bin/jq"
copy_libs "$root" "$root/bin/bash" "$root/bin/ip" "$root/bin/jq"
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

# 3. Boot.
console=$KMIG_LOGS/systest-deb61-console.log
log "booting $vmlinuz under qemu -accel tcg (timeout ${timeout_s}s, console: $console)"
start=$(date +%s)
# One function of the system tests only, and fault-cases.sh's knobs: on the
# kernel command line, which hands them to /init and so to run-tests.sh.
extra=
for v in KMIG_SYSTEST_ONLY FAULT_STALL_S FAULT_STALL_S_DEB61 FAULT_MEMCG_MAX FAULT_KNOWN_FAILURES; do
	[ -n "${!v:-}" ] && extra="$extra $v=${!v}"
done
vm_run "$console" "$timeout_s" qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 2G \
	-nographic -no-reboot -kernel "$vmlinuz" -initrd "$run/initrd.gz" \
	-append "console=ttyS0 panic=-1 panic_on_warn=1 quiet$extra" |
	grep --line-buffered -E '^(not )?ok [0-9]+|^# systest done|^deb61-init:' || true
elapsed=$(($(date +%s) - start))
log "QEMU exited after ${elapsed}s"

systest_finish deb61 "$console" "$console" "$elapsed"
