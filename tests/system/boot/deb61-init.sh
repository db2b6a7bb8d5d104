#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the busybox initramfs that scripts/systest-deb61.sh builds for
# Debian's 6.1 kernel under QEMU. /kmig/conf.sh (written by the host side)
# sets KMIG_ENV, KMIG_KO, KMIG_MIGCTL, KMIG_BIN, KMIG_TOP (the copy of the
# clone in the initramfs); /kmig/modules.load lists the kernel modules
# (veth, ... and their dependencies) to insmod first, in order.
# The output goes to the console (ttyS0); then dmesg between markers, so
# the host can scan what 'quiet' kept off the console; then power off.
PATH=/sbin:/bin:/usr/sbin:/usr/bin
export PATH
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
ip link set lo up
hostname kmig-deb61

. /kmig/conf.sh
export HOME=/tmp TMPDIR=/tmp KMIG_TOP KMIG_ENV
while read -r m; do
	[ -n "$m" ] && { insmod "$m" || echo "deb61-init: insmod $m failed"; }
done </kmig/modules.load

cd "$KMIG_TOP"
# A host of a two-host run (scripts/hosts.sh): KMIG_HOST_ROLE and
# KMIG_HOST_ENV come from the kernel command line, the shared directory
# over 9p (virtio).
if [ -n "$KMIG_HOST_ROLE" ]; then
	mkdir -p /kmig/share
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 kmigshare /kmig/share ||
		echo "deb61-init: cannot mount the shared directory"
	echo "deb61-init: running tests/hosts/host.sh, host $KMIG_HOST_ROLE ($(uname -r))"
	bash tests/hosts/host.sh --role "$KMIG_HOST_ROLE" --share /kmig/share --env "$KMIG_HOST_ENV" \
		--ko "$KMIG_KO" --migctl "$KMIG_MIGCTL" --bin "$KMIG_BIN" </dev/null 2>&1
	echo "# dmesg begin"
	dmesg
	echo "# dmesg end"
	sync
	poweroff -f
fi
echo "deb61-init: running tests/system/run-tests.sh --env $KMIG_ENV ($(uname -r))"
if [ -x tests/system/run-tests.sh ]; then run=tests/system/run-tests.sh; else run="sh tests/system/run-tests.sh"; fi
$run --env "$KMIG_ENV" --ko "$KMIG_KO" --migctl "$KMIG_MIGCTL" --bin "$KMIG_BIN" </dev/null 2>&1
echo "# dmesg begin"
dmesg
echo "# dmesg end"
sync
echo o >/proc/sysrq-trigger
sleep 5
poweroff -f
