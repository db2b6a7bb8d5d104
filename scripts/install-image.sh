#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian 12 system of the install test (scripts/test-install.sh), made
# with debootstrap from Debian's archive and cached like the kernels:
#
#   scripts/install-image.sh        prints the image's directory, building
#                                   it first when it is not cached
#
# $KMIG_CACHE/install/bookworm-HASH/ (HASH: this script's recipe):
#   base.raw         ext4 root filesystem (4 GiB, sparse), never written
#                    to: each run boots a qcow2 overlay on it
#   vmlinuz, initrd  the image's own Debian 6.1 kernel (linux-image-amd64)
#                    and its initramfs, booted by QEMU with -kernel
#
# What is in it: Debian 12 (minbase) with systemd and udev, Debian's 6.1
# kernel and its headers, DKMS and the compiler, man-db, bash-completion,
# jq, and the libraries migctl links (libnl-3, libnl-genl-3, json-c): the
# host an operator installs kmig on. The packages under test are not in it:
# the test installs them. No network in the guest: every dependency of
# kmig-dkms and migctl must already be here, which apt checks.
#
# Also: user vmuser in group kvm (a VMM's user), the 9p share mounted at
# /mnt/share, and kmig-install-test.service, which runs /mnt/share/step.sh
# once the system is up and powers off.
#
# Needs root (debootstrap, chroot) and network access to the archive
# (KMIG_DEBIAN_MIRROR, default http://deb.debian.org/debian).
set -euo pipefail
KMIG_TAG=install-image
. "$(dirname "$0")/lib.sh"

mirror=${KMIG_DEBIAN_MIRROR:-http://deb.debian.org/debian}
pkgs=systemd-sysv,udev,kmod,dkms,linux-image-amd64,linux-headers-amd64,gcc,make,libc6-dev
pkgs=$pkgs,libnl-3-200,libnl-genl-3-200,libjson-c5,man-db,bash-completion,jq,procps,iproute2
# The initramfs holds only what the root filesystem and the share need.
initrd_modules="virtio_pci virtio_blk ext4 9p 9pnet_virtio"

dir=$KMIG_CACHE/install/bookworm-$(hash_files "$0")
if [ -f "$dir/done" ]; then
	echo "$dir"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || die "the install test's image needs root (debootstrap, chroot)"
for c in debootstrap mkfs.ext4; do
	command -v "$c" >/dev/null || die "$(missing_pkg "$c")"
done

# Images of other recipes are 1.3 GiB each: keep only this one.
rm -rf "$dir" "$KMIG_CACHE"/install/bookworm-*
mkdir -p "$dir"
root=$dir/rootfs
logf=$KMIG_LOGS/install-image.log
log "debootstrap bookworm from $mirror into $dir (a few minutes; log: $logf)"
logrun "$logf" debootstrap --variant=minbase --include="$pkgs" bookworm "$root" "$mirror" ||
	die "debootstrap failed"

cat > "$root/etc/fstab" <<'FSTAB'
/dev/vda / ext4 defaults 0 1
kmigshare /mnt/share 9p trans=virtio,version=9p2000.L,msize=262144 0 0
FSTAB
mkdir -p "$root/mnt/share"
echo kmig-install > "$root/etc/hostname"
cat > "$root/etc/systemd/system/kmig-install-test.service" <<'UNIT'
[Unit]
Description=kmig install test step (/mnt/share/step.sh)
Requires=mnt-share.mount
After=multi-user.target mnt-share.mount
SuccessAction=poweroff-force
FailureAction=poweroff-force

[Service]
Type=oneshot
ExecStart=/bin/sh /mnt/share/step.sh
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
UNIT
{
	chroot "$root" systemctl enable kmig-install-test.service
	# Nothing that would run in the background of a test: timers, the
	# login prompt on the console.
	chroot "$root" systemctl mask apt-daily.timer apt-daily-upgrade.timer man-db.timer \
		e2scrub_all.timer fstrim.timer serial-getty@ttyS0.service getty@tty1.service
	chroot "$root" useradd -m -G kvm vmuser
	printf '%s\n' $initrd_modules > "$root/etc/initramfs-tools/modules"
	sed -i 's/^MODULES=.*/MODULES=list/' "$root/etc/initramfs-tools/initramfs.conf"
	chroot "$root" update-initramfs -u -k all
	chroot "$root" apt-get clean
} >> "$logf" 2>&1 || die "configuring the image failed (log: $logf)"

k=$(cd "$root/boot" && ls vmlinuz-* | sort -V | tail -n 1)
cp "$root/boot/$k" "$dir/vmlinuz"
cp "$root/boot/initrd.img-${k#vmlinuz-}" "$dir/initrd"
echo "${k#vmlinuz-}" > "$dir/kernel-release"
log "mkfs.ext4 -d: $dir/base.raw"
logrun "$logf.mkfs" mkfs.ext4 -q -F -L kmigroot -d "$root" "$dir/base.raw" 4G ||
	die "mkfs.ext4 failed"
rm -rf "$root"
touch "$dir/done"
log "ok: $dir (Debian 12, kernel ${k#vmlinuz-})"
echo "$dir"
