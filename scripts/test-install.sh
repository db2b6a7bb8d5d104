#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The install test (make test-install, and part of make test): kmig's
# Debian packages installed into a fresh Debian 12 system booted under
# QEMU (TCG) with Debian's 6.1 kernel, the way an operator installs them.
#
#   scripts/test-install.sh
#
#   1. the system: scripts/install-image.sh (debootstrap, cached)
#   2. the packages: scripts/deb.sh (make deb: dpkg-buildpackage, lintian)
#   3. boot 1: apt install, the DKMS build, the aliases, migctl loading
#      kmig, the node's group and mode, man pages, bash completion
#   4. boot 2 (same disk): the node at boot, a kvm-group user's first open
#      loading kmig, a migration, apt remove leaving nothing
#      (tests/install/guest.sh lists every case)
#
# Results: build/results/install.tap; consoles build/logs/install-boot-N.log.
set -uo pipefail
KMIG_TAG=install
. "$(dirname "$0")/lib.sh"

tap_begin install
start=$(date +%s)
finish() {
	tap_count "$TAP_FILE"
	log "install: $T_PASS passed, $T_FAIL failed ($(($(date +%s) - start)) s)"
	[ "$T_FAIL" -eq 0 ]
	exit
}
for c in qemu-system-x86_64 qemu-img; do
	command -v "$c" >/dev/null || { log "$(missing_pkg "$c")"; tap_notok "install test: $c"; finish; }
done

img=$("$KMIG_TOP/scripts/install-image.sh") ||
	{ tap_notok "the Debian 12 system (scripts/install-image.sh)"; finish; }
# make unit runs migctl's own tests; the package build need not again.
if DEB_BUILD_OPTIONS=nocheck "$KMIG_TOP/scripts/deb.sh"; then
	tap_ok "make deb: kmig-dkms and migctl built, lintian: no error or warning"
else
	tap_notok "make deb: kmig-dkms and migctl built, lintian: no error or warning"
	finish
fi
if [ "${KMIG_SKIP_USERSPACE:-0}" != 1 ]; then
	"$KMIG_TOP/scripts/userspace.sh" systest ||
		{ tap_notok "tests/system programs (kmig-systest)"; finish; }
fi

run=$KMIG_BUILD/install
share=$run/share
rm -rf "$run"
mkdir -p "$share"
cp "$KMIG_BUILD"/deb/kmig-dkms_*.deb "$KMIG_BUILD"/deb/migctl_*_*.deb "$share/"
rm -f "$share"/migctl-dbgsym_*
cp "$KMIG_TOP/tests/system/kmig-systest" "$KMIG_TOP/tests/install/guest.sh" \
	"$KMIG_TOP/tests/system/tap.sh" "$share/"
dpkg-parsechangelog -l "$KMIG_TOP/debian/changelog" -S Version > "$share/version"
qemu-img create -q -f qcow2 -F raw -b "$img/base.raw" "$run/disk.qcow2" ||
	{ tap_notok "a disk for the install test (qemu-img)"; finish; }

for step in 1 2; do
	printf 'STEP=%s sh /mnt/share/guest.sh 2>&1 | tee /mnt/share/tap-%s\n' "$step" "$step" \
		> "$share/step.sh"
	console=$KMIG_LOGS/install-boot-$step.log
	log "boot $step of the Debian 12 system ($(cat "$img/kernel-release"); console: $console)"
	t0=$(date +%s)
	vm_run "$console" 1500 qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 2G \
		-nographic -no-reboot -kernel "$img/vmlinuz" -initrd "$img/initrd" \
		-append "console=ttyS0 root=/dev/vda rw quiet panic=-1" \
		-drive "file=$run/disk.qcow2,if=virtio,format=qcow2" \
		-virtfs "local,path=$share,mount_tag=kmigshare,security_model=none" \
		-nic none >/dev/null
	log "boot $step: $(($(date +%s) - t0)) s"
	[ -f "$share/tap-$step" ] || : > "$share/tap-$step"
	grep -E '^(not )?ok [0-9]|^# ' "$share/tap-$step" | sed 's/^/    /' >&2
	tap_import "$share/tap-$step"
	if ! grep -q "^# step $step done" "$share/tap-$step"; then
		tap_notok "install boot $step: the test ran to its end" >/dev/null
		log "boot $step did not finish; last lines of $console:"
		tail -n 30 "$console" | sed 's/^/    /' >&2
		break
	fi
	tap_klog "install boot $step: kernel log clean" "$share/dmesg-$step"
done
finish
