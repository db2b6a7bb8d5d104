#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# System tests on Debian's stock 6.1 kernel under QEMU (TCG; no KVM).
#
#   scripts/systest-deb61.sh
#
# Fetches linux-image-<abi>-unsigned matching the installed 6.1 headers into
# the cache (apt-get download, dpkg-deb -x), builds the busybox initramfs
# of scripts/deb61-initramfs.sh (kmig.ko, the clone, the kernel modules the
# tests need, tests/system/boot/deb61-init.sh as /init); boots it and reads the TAP of
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
timeout_s=${KMIG_QEMU_TIMEOUT:-1800}

# The kernel image (unpacked once per version) and the initramfs.
"$KMIG_TOP/scripts/modules.sh" deb61 || die "the kmig module (deb61) did not build"
if [ "${KMIG_SKIP_USERSPACE:-0}" != 1 ]; then
	"$KMIG_TOP/scripts/userspace.sh" || log "warning: userspace build failed; running anyway"
fi

run=$KMIG_BUILD/deb61-run
vmlinuz=$("$KMIG_TOP/scripts/deb61-initramfs.sh" "$run") || die "the initramfs did not build"

# Boot.
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
