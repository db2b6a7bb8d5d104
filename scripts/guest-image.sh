#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The test guest that proves a migrated VM survived: Debian's stock 6.1
# kernel (deb61_image_prepare: the linux-image matching the installed 6.1
# headers, unpacked into the cache) and a busybox initramfs whose /init
# (tests/guest/init) runs tests/guest/guest-beat on the serial console.
# See tests/guest/README for what the guest prints and how to run it.
#
#   scripts/guest-image.sh            two lines: kernel=PATH and initrd=PATH
#   scripts/guest-image.sh --kernel   the kernel's path only
#   scripts/guest-image.sh --initrd   the initramfs's path only
#   scripts/guest-image.sh --append   the kernel command line to boot it
#                                     with (add beat.* options to it)
#
# The initramfs is built once per set of inputs (guest-beat.c, init, this
# script, /bin/busybox, gcc and libc6-dev versions) into
# $KMIG_CACHE/guest/<hash>/initrd.gz (KMIG_CACHE: ~/.cache/kmig); later
# runs only print the paths. The kernel is the ELF vmlinux unpacked from
# Debian's bzImage into $KMIG_CACHE/guest/kernel-<package>/ (see 1. below).
# Needs gcc with libc6-dev (libc.a), cpio, gzip, xz, readelf (binutils)
# and busybox-static, all installed by scripts/deps.sh.
set -euo pipefail
KMIG_TAG=guest-image
. "$(dirname "$0")/lib.sh"

# The kernel command line for the guest: the serial console, reboot at
# once on a panic (QEMU's -no-reboot then exits), and what shortened the
# boot under TCG (tests/guest/README): quiet, and no crypto self-tests
# (cryptomgr.notests: 0.3 of 2.7 s of CPU time to the first beat).
GUEST_APPEND="console=ttyS0 panic=-1 quiet cryptomgr.notests"

mode=both
case ${1:-} in
'') ;;
--kernel) mode=kernel ;;
--initrd) mode=initrd ;;
--append) echo "$GUEST_APPEND"; exit 0 ;;
*) die "usage: $0 [--kernel|--initrd|--append]" ;;
esac

src=$KMIG_TOP/tests/guest

# 1. The kernel, fetched and unpacked once per version; then its payload
# (the ELF vmlinux, xz-compressed in Debian's bzImage) unpacked once on the
# host, booted by QEMU through the kernel's PVH entry point: the guest does
# not decompress 60 MB under TCG, which took about 5 of its 10 s to the
# first beat here. KMIG_GUEST_BZIMAGE=1 gives the bzImage itself, as does
# a payload that is not xz or has no PVH note (with a log line).
unpack_vmlinux() { # BZIMAGE OUT (temporary files OUT.PID.*: runs may overlap)
	local off t=$2.$$
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$1" | awk -F: 'NR == 1 { print $1 }')
	[ -n "$off" ] || { log "no xz payload in $1"; return 1; }
	# Not a pipe: xz stops reading at the stream's end (SIGPIPE for tail).
	tail -c +$((off + 1)) "$1" >"$t.xz" &&
		xz -dc --single-stream "$t.xz" >"$t.elf" ||
		{ log "cannot unpack the xz payload of $1"; return 1; }
	rm -f "$t.xz"
	[ "$(head -c 4 "$t.elf" | tail -c 3)" = ELF ] ||
		{ log "the payload of $1 is not an ELF file"; return 1; }
	# XEN_ELFNOTE_PHYS32_ENTRY (18): the PVH entry point QEMU boots.
	readelf -nW "$t.elf" 2>/dev/null | grep -qE '^ *Xen .*(0x00000012|PHYS32)' ||
		{ log "$1 has no PVH entry point"; return 1; }
	mv "$t.elf" "$2"
}

if [ "$mode" != initrd ]; then
	abi=$(deb61_abi || true)
	[ -n "$abi" ] || die "no 6.1 headers installed (linux-headers-amd64: run scripts/deps.sh)"
	img=$(deb61_image_prepare) || die "cannot prepare Debian's 6.1 kernel image"
	kernel=$img/boot/vmlinuz-$abi
	[ -f "$kernel" ] || die "$kernel missing"
	if [ "${KMIG_GUEST_BZIMAGE:-0}" = 0 ]; then
		kdir=$KMIG_CACHE/guest/kernel-$(basename "$img")
		if [ ! -f "$kdir/vmlinux-$abi" ]; then
			for t in xz readelf; do
				command -v "$t" >/dev/null || die "$t not found (run scripts/deps.sh)"
			done
			mkdir -p "$kdir" || die "cannot create $kdir"
			log "unpacking the vmlinux of $kernel for a PVH boot"
			if ! unpack_vmlinux "$kernel" "$kdir/vmlinux-$abi"; then
				rm -f "$kdir/vmlinux-$abi.$$".{elf,xz}
				log "booting the bzImage instead"
			fi
		fi
		[ ! -f "$kdir/vmlinux-$abi" ] || kernel=$kdir/vmlinux-$abi
	fi
fi

# 2. The initramfs, built once per set of inputs.
if [ "$mode" != kernel ]; then
	for t in gcc cpio gzip sha256sum; do
		command -v "$t" >/dev/null || die "$t not found (run scripts/deps.sh)"
	done
	[ -x /bin/busybox ] || die "/bin/busybox not found: install busybox-static (scripts/deps.sh)"
	# A dynamically linked busybox (package busybox) would not run in the
	# initramfs; ldd fails on a static executable.
	if ldd /bin/busybox >/dev/null 2>&1; then
		die "/bin/busybox is dynamically linked: install busybox-static (scripts/deps.sh)"
	fi
	for f in "$src/guest-beat.c" "$src/init"; do
		[ -f "$f" ] || die "$f missing"
	done
	gccver=$(gcc -dumpfullversion 2>/dev/null) || die "gcc does not run"
	libcver=$(deb_installed libc6-dev || true)
	[ -n "$libcver" ] || die "libc6-dev is not installed (gcc -static needs its libc.a)"
	hash=$({ cat "$src/guest-beat.c" "$src/init" "$0" /bin/busybox &&
		echo "gcc $gccver libc6-dev $libcver"; } | sha256sum | cut -c1-12) ||
		die "cannot hash the inputs"
	dir=$KMIG_CACHE/guest/$hash
	initrd=$dir/initrd.gz
	if [ ! -f "$initrd" ]; then
		log "building the guest initramfs into $dir"
		mkdir -p "$KMIG_CACHE/guest" || die "cannot create $KMIG_CACHE/guest"
		tmp=$(mktemp -d "$KMIG_CACHE/guest/.tmp.XXXXXX") || die "mktemp failed"
		chmod 755 "$tmp"
	trap 'rm -rf "$tmp"' EXIT
		root=$tmp/root
		mkdir -p "$root"/{bin,dev,proc,sys}
		logrun "$KMIG_LOGS/guest-image.log" gcc -static -O2 -Wall -Wextra -Werror -s \
			-o "$tmp/guest-beat" "$src/guest-beat.c" ||
			die "cannot compile tests/guest/guest-beat.c (log: $KMIG_LOGS/guest-image.log)"
		cp "$tmp/guest-beat" "$root/bin/guest-beat"
		cp /bin/busybox "$root/bin/busybox"
		applets=$(/bin/busybox --list) || die "/bin/busybox --list failed"
		for a in $applets; do
			[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
		done
		install -m 755 "$src/init" "$root/init"
		# The kernel's built-in initramfs has /dev/console too; this one
		# makes the image self-contained (needs root; skipped otherwise).
		mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
		(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) \
			>"$tmp/initrd.cpio" || die "cpio failed"
		gzip -9 -n <"$tmp/initrd.cpio" >"$tmp/initrd.gz" || die "gzip failed"
		rm -rf "$root" "$tmp/initrd.cpio"
		# Another run may have built the same image meanwhile: keep
		# whichever got there first.
		if mv -T "$tmp" "$dir" 2>/dev/null; then
			trap - EXIT
		else
			[ -f "$initrd" ] || die "cannot move the image into $dir"
		fi
		log "initramfs: $initrd ($(du -k "$initrd" | cut -f1) KiB)"
	fi
fi

case $mode in
both) echo "kernel=$kernel"; echo "initrd=$initrd" ;;
kernel) echo "$kernel" ;;
initrd) echo "$initrd" ;;
esac
